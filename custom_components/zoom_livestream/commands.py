"""Commands to Zoom: start, stop and configure a meeting's live stream.

Owns the order of commands (one at a time per meeting, in the order asked;
different meetings in parallel), what a toggle flips (what the last press asked
for, not only what Zoom confirmed), and what Zoom's refusals mean: a refused
stop of a meeting that does not run means the stream is off; any other refusal
raises one exception, `CommandRefusedError`, carrying the reason to explain.
What a command changes goes through the state's one apply entry point.

Must not import the coordinator, `errors` or the platforms: it sees the state
through the `StreamState` protocol, and translating a refusal is the caller's.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from . import issues
from .changes import Change, CommandSending, StreamStarted, StreamStopped
from .const import LOGGER
from .settings import SettingsUpdate
from .state import ZoomData
from .store import ZoomStore
from .zoom import (
    MEETING_REFUSED_CODE,
    PLAN_MISSING_CODE,
    Meeting,
    MeetingKind,
    ZoomApiError,
    ZoomClient,
    ZoomError,
    ZoomNotFoundError,
    ZoomPermissionError,
)

# Reasons for a refusal made here, without asking Zoom.
STREAM_ACTIVE = "stream_active"
INCOMPLETE_STREAM_TARGET = "incomplete_stream_target"
MEETING_ONLY_SETTINGS = "meeting_only_settings"
# Reasons explained from Zoom's code and the meeting's state.
MEETING_NOT_STARTED = "meeting_not_started"
STREAM_TARGET_MISSING = "stream_target_missing"
STREAMING_NOT_ALLOWED = "streaming_not_allowed"


class StreamState(Protocol):
    """What the commands need of the coordinator."""

    @property
    def data(self) -> ZoomData:
        """The current state."""

    @property
    def events_enabled(self) -> bool:
        """Whether Zoom pushes events (the stream state is then known)."""

    def async_apply(self, change: Change) -> None:
        """Apply a change through the one entry point."""

    def async_request_refresh(self) -> Coroutine[Any, Any, None]:
        """Poll soon."""


class CommandRefusedError(Exception):
    """A command on `meeting` was refused, by Zoom (`error`) or here.

    `reason` names why, when it is known (a translation key); None leaves the
    explanation to the error itself.
    """

    def __init__(
        self, meeting: Meeting, reason: str | None, error: ZoomError | None = None
    ) -> None:
        """Keep what was refused, why, and Zoom's error when Zoom refused."""
        super().__init__(str(error) if error is not None else reason)
        self.meeting = meeting
        self.reason = reason
        self.error = error


def refusal_means_stopped(err: ZoomError) -> bool:
    """Return whether Zoom refusing a stop means the stream is off.

    Zoom refuses to stop what does not run: the meeting is gone (404), or it
    answers with a code about the meeting (200, 3000), whatever its words. A
    stream Zoom started once is allowed by the plan and host settings, so those
    codes cannot mean "not allowed" here. Missing scopes, validation errors,
    rate limits and outages do not mean stopped.
    """
    if isinstance(err, ZoomNotFoundError):
        return True
    if not isinstance(err, ZoomApiError):
        return False
    if isinstance(err, ZoomPermissionError) and err.missing_scopes:
        return False
    return err.code in (PLAN_MISSING_CODE, MEETING_REFUSED_CODE)


def explain_refusal(
    data: ZoomData | None,
    meeting: Meeting,
    err: ZoomError,
    *,
    changing_target: bool = False,
) -> str | None:
    """Return why Zoom refused a command on `meeting`, from its code and our state.

    Zoom's codes 200 and 3000 each cover several causes. The meeting's state as
    this integration knows it tells them apart first; Zoom's wording, which is
    not a contract, is only the fallback.
    """
    if not isinstance(err, ZoomApiError) or isinstance(err, ZoomNotFoundError):
        return None
    if isinstance(err, ZoomPermissionError) and err.missing_scopes:
        return None
    text = err.message.lower()
    # Zoom's codes cannot tell these apart; its wording is the last resort.
    said_not_started = any(
        words in text for words in ("not started", "not in progress", "has ended")
    )
    if err.code not in (PLAN_MISSING_CODE, MEETING_REFUSED_CODE):
        return MEETING_NOT_STARTED if said_not_started else None
    if (
        changing_target
        and err.code == MEETING_REFUSED_CODE
        and data is not None
        and data.is_streaming(meeting.id)
    ):
        # Zoom takes a new stream target only while the stream is stopped.
        return STREAM_ACTIVE
    running = data.in_progress(meeting) if data is not None else None
    if running is False or (
        # Zoom's code for a webinar that has not started; without events its
        # state is unknown here.
        running is None and err.code == PLAN_MISSING_CODE
    ):
        return MEETING_NOT_STARTED
    if err.code == MEETING_REFUSED_CODE and (
        "custom" in text or "not configured" in text
    ):
        return STREAM_TARGET_MISSING
    if said_not_started:
        return MEETING_NOT_STARTED
    if err.code == PLAN_MISSING_CODE or "not allowed" in text:
        return STREAMING_NOT_ALLOWED
    return None


class ZoomCommands:
    """Sends one meeting's commands one at a time, in the order they were asked."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: ZoomClient,
        store: ZoomStore,
        state: StreamState,
    ) -> None:
        """Command `client` for `entry`; display settings come from `store`."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._store = store
        self._state = state
        # One lock per meeting while a command holds or waits for it: meetings
        # come and go, and a lock nobody uses is dropped (see `_meeting_lock`).
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        # What the presses waiting for a meeting's lock asked for, last one wins:
        # a toggle pressed meanwhile flips that, not the state Zoom confirmed.
        self._wanted: dict[int, bool] = {}
        self._pending: defaultdict[int, int] = defaultdict(int)
        # Commands asked for and not finished (waiting or at Zoom): an unload
        # waits for them, so what Zoom accepted is stored before the reload.
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def async_wait_idle(self, timeout: float) -> bool:
        """Wait until no command is waiting or at Zoom; False after `timeout`."""
        try:
            async with asyncio.timeout(timeout):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True

    @asynccontextmanager
    async def _asked(self) -> AsyncIterator[None]:
        """Count a command from when it is asked for until it has finished."""
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    def wants_streaming(self, meeting_id: int) -> bool:
        """Return what the last press asked for, or the known state when none waits."""
        return self._wanted.get(meeting_id, self._state.data.is_streaming(meeting_id))

    @asynccontextmanager
    async def _meeting_lock(self, meeting_id: int) -> AsyncIterator[None]:
        """Hold the meeting's lock: its commands run one at a time, in order."""
        lock, users = self._locks.get(meeting_id, (asyncio.Lock(), 0))
        self._locks[meeting_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[meeting_id]
            if users > 1:
                self._locks[meeting_id] = (lock, users - 1)
            else:
                del self._locks[meeting_id]

    @asynccontextmanager
    async def _command(self, meeting_id: int, streaming: bool) -> AsyncIterator[None]:
        """Run one command at a time per meeting, in the order they were asked for."""
        self._wanted[meeting_id] = streaming
        self._pending[meeting_id] += 1
        try:
            async with self._asked(), self._meeting_lock(meeting_id):
                self._state.async_apply(CommandSending(meeting_id, streaming))
                try:
                    yield
                finally:
                    # Zoom's answer, applied, ended it; a failure has not.
                    if meeting_id in self._state.data.sending:
                        self._state.async_apply(CommandSending(meeting_id, None))
        finally:
            self._pending[meeting_id] -= 1
            if not self._pending[meeting_id]:
                del self._pending[meeting_id]
                self._wanted.pop(meeting_id, None)

    def _refused(
        self, meeting: Meeting, err: ZoomError, *, changing_target: bool = False
    ) -> CommandRefusedError:
        return CommandRefusedError(
            meeting,
            explain_refusal(
                self._state.data, meeting, err, changing_target=changing_target
            ),
            err,
        )

    async def async_start(self, meeting: Meeting) -> None:
        """Start the stream with the stored display settings (one request)."""
        settings = self._store.display_settings(meeting.id)
        if meeting.kind is MeetingKind.WEBINAR:
            # Never stored for a webinar; never sent to one, whatever the store says.
            settings = replace(settings, layout=None, close_caption=None)
        async with self._command(meeting.id, True):
            try:
                await self._client.async_start_live_stream(
                    meeting.kind, meeting.id, settings
                )
            except ZoomError as err:
                raise self._refused(meeting, err) from err
            self._state.async_apply(StreamStarted(meeting))
        issues.async_clear(
            self._hass,
            self._entry,
            issues.ISSUE_STREAMING_NOT_ALLOWED,
            issues.ISSUE_MISSING_SCOPES_WRITE,
        )

    async def async_stop(self, meeting: Meeting) -> None:
        """Stop the stream (one request). A meeting that is not running is stopped."""
        async with self._command(meeting.id, False):
            try:
                await self._client.async_stop_live_stream(meeting.kind, meeting.id)
            except ZoomError as err:
                if not refusal_means_stopped(err):
                    raise self._refused(meeting, err) from err
                LOGGER.debug(
                    "Zoom refused to stop %s, which is not running: %s",
                    meeting.topic,
                    err,
                )
                # What else changed is for a poll to tell, now.
                self._entry.async_create_background_task(
                    self._hass,
                    self._state.async_request_refresh(),
                    "zoom_livestream refresh after a refused stop",
                )
            self._state.async_apply(StreamStopped(meeting.id))

    async def async_update_settings(
        self, meeting: Meeting, update: SettingsUpdate
    ) -> None:
        """Apply `update`: the stream target at Zoom, the display settings here."""
        if update.meeting_only and meeting.kind is MeetingKind.WEBINAR:
            # Zoom's webinar streams take no layout or caption setting.
            raise CommandRefusedError(meeting, MEETING_ONLY_SETTINGS)
        async with self._asked(), self._meeting_lock(meeting.id):
            if update.changes_target:
                if self._state.events_enabled and self._state.data.is_streaming(
                    meeting.id
                ):
                    # Known for sure (Zoom pushes its state): Zoom would refuse.
                    raise CommandRefusedError(meeting, STREAM_ACTIVE)
                if (target := update.complete_target()) is None:
                    # Zoom wants URL, key and page together: read what to keep.
                    try:
                        current = await self._client.async_get_live_stream(
                            meeting.kind, meeting.id
                        )
                    except ZoomError as err:
                        raise self._refused(meeting, err, changing_target=True) from err
                    target = update.merged_into(current)
                if target.missing_fields():
                    raise CommandRefusedError(meeting, INCOMPLETE_STREAM_TARGET)
                try:
                    await self._client.async_update_live_stream(
                        meeting.kind, meeting.id, target
                    )
                except ZoomError as err:
                    raise self._refused(meeting, err, changing_target=True) from err
            if changes := update.display_changes:
                await self._store.async_update_display(meeting.id, changes)
        issues.async_clear(self._hass, self._entry, issues.ISSUE_MISSING_SCOPES_WRITE)
