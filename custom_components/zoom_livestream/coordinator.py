"""The one home of what the entities show: meetings, who is live, who streams.

Polls change it, and so do the integration's own commands and Zoom's pushed
events, always through the coordinator. Entities only read `coordinator.data`.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from . import issues
from .const import (
    CONF_EXTRA_MEETINGS,
    CONF_EXTRA_USERS,
    CONF_INCLUDE_WEBINARS,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    LIST_REFRESH_INTERVAL,
    LOGGER,
    SCAN_INTERVAL,
)
from .errors import redact_error, translation_for
from .settings import SettingsUpdate
from .store import ZoomStore
from .zoom import (
    LiveStreamConfig,
    Meeting,
    MeetingKind,
    MeetingListType,
    RateLimitInfo,
    ZoomApiError,
    ZoomAuthenticationError,
    ZoomClient,
    ZoomError,
    ZoomMeetingNotStartedError,
    ZoomNotFoundError,
    ZoomPermissionError,
    ZoomRateLimitError,
)

# Zoom's code for "the plan lacks this" (no Webinar add-on, no custom streaming),
# which is also its answer for a webinar that has not started.
_PLAN_MISSING_CODE = 200
# Zoom's code for "cannot do that to this meeting": not started, streaming not
# allowed by the host's settings, or no custom streaming service configured.
_MEETING_REFUSED_CODE = 3000


@dataclass(frozen=True, slots=True)
class ZoomData:
    """Everything the entities show. Equal data means nothing to redraw."""

    meetings: Mapping[int, Meeting]
    # Meetings in progress: from the live list, or from pushed events.
    live_meeting_ids: frozenset[int] = frozenset()
    # Webinars have no live list: only events (and a start Zoom accepted) tell.
    live_webinars: Mapping[int, bool] = field(default_factory=dict)
    # Streams on, by meeting ID, with when they started (monotonic seconds).
    streaming: Mapping[int, float] = field(default_factory=dict)
    rate_limit: RateLimitInfo | None = None
    last_error: str | None = None

    def in_progress(self, meeting: Meeting) -> bool | None:
        """Return whether the meeting runs; None when Zoom cannot tell (webinars)."""
        if meeting.kind is MeetingKind.WEBINAR:
            return self.live_webinars.get(meeting.id)
        return meeting.id in self.live_meeting_ids

    def is_streaming(self, meeting_id: int) -> bool:
        """Return whether the meeting's stream is on, as far as is known."""
        return meeting_id in self.streaming


@dataclass(frozen=True, slots=True)
class MeetingChange:
    """A real change of one meeting, reported once to whoever listens."""

    meeting: Meeting
    # started, ended, live_stream_started or live_stream_stopped
    kind: str
    # home_assistant, poll or zoom_event
    source: str


@dataclass(slots=True)
class _Skipped:
    """Options that failed on their own: named in a repair, skipped until fixed."""

    users: set[str] = field(default_factory=set)
    meetings: set[str] = field(default_factory=set)


class ZoomCoordinator(DataUpdateCoordinator[ZoomData]):
    """Polls Zoom and applies commands and events, one meeting at a time.

    Every poll asks which meetings are live (one request per 300); the full
    meeting and webinar lists are read every 15 minutes, at setup, and on an
    explicit refresh. The number of requests never depends on the number of
    meetings.
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: ZoomClient,
        store: ZoomStore,
    ) -> None:
        """Poll with `client` for `entry`; keep stream state in `store`."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=SCAN_INTERVAL,
            # Every refresh dispatches: one may have settled changes that an
            # event made while it ran, and end with the data it started from.
            # Entities of meetings no change touched are not woken.
            always_update=True,
        )
        self.client = client
        self.store = store
        self._listed: dict[int, Meeting] = {}
        self._listed_at: float | None = None
        self._full_refresh_requested = False
        self._extra_kinds: dict[int, MeetingKind] = {}
        # When the live state of a meeting last changed by an event or a command
        # (monotonic): a poll sent before that moment cannot undo it.
        self._changed_at: dict[int, float] = {}
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        # What the presses waiting for a meeting's lock asked for, last one wins:
        # a toggle pressed meanwhile flips that, not the state Zoom confirmed.
        self._wanted: dict[int, bool] = {}
        self._pending: defaultdict[int, int] = defaultdict(int)
        # The command each meeting's lock holder is sending (True: start). Zoom may
        # push its event about it before it answers: that change is still ours.
        self._sending: dict[int, bool] = {}
        self._skipped = _Skipped()
        self._change_listeners: dict[int, list[Callable[[MeetingChange], None]]] = {}
        # The entities of each meeting, which registered with its ID as context.
        # With 5,000 meetings a poll or a toggle must not wake 15,000 entities:
        # a dispatch wakes only the meetings changed since the last one (None:
        # all, as after the first refresh).
        self._meeting_listeners: dict[int, list[Callable[[], None]]] = {}
        self._changed_meetings: set[int] | None = None
        self._polls_worked_shown = True

    # -- reading ------------------------------------------------------------------

    @property
    def events_enabled(self) -> bool:
        """Whether Zoom pushes events here: then the stream state is not assumed."""
        return bool(self.config_entry.options.get(CONF_WEBHOOK_SECRET))

    @callback
    def async_add_change_listener(
        self, meeting_id: int, listener: Callable[[MeetingChange], None]
    ) -> Callable[[], None]:
        """Call `listener` once for each real change of the meeting."""
        return _async_add_to(self._change_listeners, meeting_id, listener)

    @callback
    def async_add_listener(
        self, update_callback: Callable[[], None], context: Any = None
    ) -> Callable[[], None]:
        """Listen for data updates; a meeting's entities (context: its ID) for its own."""
        if isinstance(context, int):
            return _async_add_to(self._meeting_listeners, context, update_callback)
        return super().async_add_listener(update_callback, context)

    @callback
    def async_update_listeners(self) -> None:
        """Update the account's listeners, and those of the meetings that changed."""
        super().async_update_listeners()
        changed, self._changed_meetings = self._changed_meetings, set()
        if changed is None or self.last_update_success is not self._polls_worked_shown:
            # Polls starting or stopping to work change what every entity shows.
            self._polls_worked_shown = self.last_update_success
            changed = set(self._meeting_listeners)
        for meeting_id in changed:
            for update_callback in list(self._meeting_listeners.get(meeting_id, ())):
                update_callback()

    # -- polling ------------------------------------------------------------------

    async def _async_setup(self) -> None:
        """Load the stored stream state before the first poll."""
        await self.store.async_load()

    @callback
    def async_request_full_refresh(self) -> None:
        """Read the meeting lists at the next refresh, not only the live list."""
        self._full_refresh_requested = True

    async def _async_update_data(self) -> ZoomData:
        try:
            return await self._async_poll()
        except ZoomAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except ZoomRateLimitError as err:
            # Back off for as long as Zoom asks (the client holds that to an
            # hour); the next success restores the interval.
            wait = err.retry_after if err.retry_after is not None else 120.0
            self.update_interval = max(SCAN_INTERVAL, timedelta(seconds=wait))
            raise self._update_failed(err) from err
        except ZoomError as err:
            if isinstance(err, ZoomPermissionError):
                issues.async_raise_for_permission_error(
                    self.hass, self.config_entry, err, during_poll=True
                )
            raise self._update_failed(err) from err

    def _update_failed(self, err: ZoomError) -> UpdateFailed:
        self._set_last_error(err)
        key, placeholders = translation_for(err, self.config_entry.title)
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key=f"update_{key}",
            translation_placeholders=placeholders,
        )

    async def _async_poll(self) -> ZoomData:
        options = self.config_entry.options
        users = [
            user
            for user in ("me", *options.get(CONF_EXTRA_USERS, []))
            if user not in self._skipped.users
        ]
        now = time.monotonic()
        full = (
            self._full_refresh_requested
            or self._listed_at is None
            or now - self._listed_at >= LIST_REFRESH_INTERVAL.total_seconds()
        )
        if full:
            listed: dict[int, Meeting] = {}
            for user in users:
                for meeting in await self._async_list_user(user, options):
                    listed[meeting.id] = meeting
            self._listed, self._listed_at = listed, now
        poll_started = time.monotonic()
        live: dict[int, Meeting] = {}
        for user in users:
            for meeting in await self._async_list_live(user):
                live[meeting.id] = meeting
        extra = await self._async_fetch_extra_meetings(
            options.get(CONF_EXTRA_MEETINGS, [])
        )
        live.update((item.id, item) for item in extra if item.status == "started")
        # No await below: the data is built from the state as it is now, so a
        # command or event that landed during the requests above is kept.
        if full:
            self._full_refresh_requested = False
        self._async_clear_fixed_issues()
        self.update_interval = SCAN_INTERVAL
        return self._merge_poll(
            self.data, full, {item.id: item for item in extra}, live, poll_started
        )

    async def _async_list_user(
        self, user: str, options: Mapping[str, Any]
    ) -> list[Meeting]:
        meetings = await self._async_skip_user_on_error(
            user, self.client.async_list_meetings(user, MeetingListType.SCHEDULED)
        )
        if options.get(CONF_INCLUDE_WEBINARS, True) and user not in self._skipped.users:
            meetings += await self._async_list_webinars(user)
        return meetings

    async def _async_list_live(self, user: str) -> list[Meeting]:
        if user in self._skipped.users:
            return []
        return await self._async_skip_user_on_error(
            user, self.client.async_list_meetings(user, MeetingListType.LIVE)
        )

    async def _async_skip_user_on_error(self, user: str, request: Any) -> list[Meeting]:
        """Run a list request of an "other user"; skip that user if Zoom refuses it."""
        if user == "me":
            result: list[Meeting] = await request
            return result
        try:
            result = await request
        except (ZoomNotFoundError, ZoomPermissionError) as err:
            # The user left the account, or the app may not read their meetings:
            # that is no reason to fail the whole entry.
            if isinstance(err, ZoomPermissionError) and err.missing_scopes:
                raise
            self._skip(user=user, reason=err)
            return []
        return result

    async def _async_list_webinars(self, user: str) -> list[Meeting]:
        """List webinars; an account without the Webinar add-on simply has none."""
        try:
            return await self.client.async_list_webinars(user)
        except ZoomPermissionError as err:
            if err.missing_scopes or err.code != _PLAN_MISSING_CODE:
                # Missing scopes or another refusal: the webinars still exist, so
                # keep them as last listed rather than deleting their devices.
                issues.async_raise_for_permission_error(
                    self.hass, self.config_entry, err, during_poll=True
                )
                return [
                    m for m in self._listed.values() if m.kind is MeetingKind.WEBINAR
                ]
            LOGGER.debug("No webinars for %s: %s", user, err.message)
            return []

    async def _async_fetch_extra_meetings(self, ids: list[str]) -> list[Meeting]:
        """Read the meetings the user added by ID: one request each, every poll."""
        found: list[Meeting] = []
        for value in ids:
            if value in self._skipped.meetings:
                continue
            meeting_id = int(value)
            kind = self._extra_kinds.get(meeting_id, MeetingKind.MEETING)
            try:
                found.append(await self.client.async_get_meeting(kind, meeting_id))
            except ZoomNotFoundError as err:
                if kind is MeetingKind.WEBINAR:
                    self._skip(meeting=value, reason=err)
                    continue
                # Not a meeting: it may be a webinar. Remember the answer.
                try:
                    webinar = await self.client.async_get_meeting(
                        MeetingKind.WEBINAR, meeting_id
                    )
                except (ZoomNotFoundError, ZoomPermissionError) as webinar_err:
                    self._skip(meeting=value, reason=webinar_err)
                    continue
                self._extra_kinds[meeting_id] = MeetingKind.WEBINAR
                found.append(webinar)
            except ZoomPermissionError as err:
                if err.missing_scopes:
                    raise
                self._skip(meeting=value, reason=err)
        return found

    def _skip(
        self, *, user: str | None = None, meeting: str | None = None, reason: ZoomError
    ) -> None:
        """Leave out one option that fails on its own, say so once, raise a repair."""
        if user is not None:
            self._skipped.users.add(user)
        if meeting is not None:
            self._skipped.meetings.add(meeting)
        LOGGER.warning(
            "Skipping %s %s of %s until the options change: %s",
            "user" if user is not None else "meeting",
            user if user is not None else meeting,
            self.config_entry.title,
            redact_error(str(reason)),
        )
        issues.async_raise(
            self.hass,
            self.config_entry,
            issues.ISSUE_OPTION_SKIPPED,
            {
                "users": ", ".join(sorted(self._skipped.users)) or "-",
                "meetings": ", ".join(sorted(self._skipped.meetings)) or "-",
            },
        )

    @callback
    def _async_clear_fixed_issues(self) -> None:
        """Clear what a poll that read everything proves fixed: read scopes, options."""
        if not self._skipped.users and not self._skipped.meetings:
            issues.async_clear(
                self.hass, self.config_entry, issues.ISSUE_OPTION_SKIPPED
            )
        issues.async_clear_poll_issue(self.hass, self.config_entry)

    def _merge_poll(
        self,
        old: ZoomData | None,
        full: bool,
        extra: dict[int, Meeting],
        live: dict[int, Meeting],
        poll_started: float,
    ) -> ZoomData:
        """Combine a poll's answers with what commands and events changed since."""
        previous = old.meetings if old is not None else {}
        # Instant and personal-room meetings are only listed while they run: keep
        # them (ended, so off) until the next full list no longer has them.
        kept = (
            {}
            if full
            else {i: m for i, m in previous.items() if m.kind is MeetingKind.MEETING}
        )
        meetings: Mapping[int, Meeting] = {**kept, **self._listed, **extra, **live}
        if meetings == previous:
            # Unchanged lists stay the same object: whoever compares them
            # (entity platforms, change reports) then skips 5,000 meetings at once.
            meetings = previous
        live_ids = set(live)
        # Events and commands newer than this poll win over its live list; older
        # ones are settled by it and need not be remembered.
        self._changed_at = {
            meeting_id: changed_at
            for meeting_id, changed_at in self._changed_at.items()
            if changed_at > poll_started
        }
        if old is not None:
            for meeting_id in self._changed_at.keys() & meetings.keys():
                if meeting_id in old.live_meeting_ids:
                    live_ids.add(meeting_id)
                else:
                    live_ids.discard(meeting_id)
        streaming = {
            meeting_id: started
            for meeting_id, started in (old.streaming if old else {}).items()
            if meeting_id in meetings
            and (
                meetings[meeting_id].kind is MeetingKind.WEBINAR
                or meeting_id in live_ids
                or started > poll_started
            )
        }
        live_webinars = {
            meeting_id: running
            for meeting_id, running in (old.live_webinars if old else {}).items()
            if meeting_id in meetings
        }
        new = ZoomData(
            meetings=meetings,
            live_meeting_ids=frozenset(live_ids),
            live_webinars=live_webinars,
            streaming=streaming,
            rate_limit=self.client.rate_limit,
            last_error=old.last_error if old else None,
        )
        if full:
            self._async_sync_devices(new.meetings)
            self.store.async_prune(set(new.meetings))
        self._async_changed(old, new, "poll")
        return new

    # -- commands -----------------------------------------------------------------

    def wants_streaming(self, meeting_id: int) -> bool:
        """Return what the last press asked for, or the known state when none waits."""
        return self._wanted.get(meeting_id, self.data.is_streaming(meeting_id))

    @asynccontextmanager
    async def _command(self, meeting_id: int, streaming: bool) -> AsyncIterator[None]:
        """Run one command at a time per meeting, in the order they were asked for."""
        self._wanted[meeting_id] = streaming
        self._pending[meeting_id] += 1
        try:
            async with self._locks[meeting_id]:
                self._sending[meeting_id] = streaming
                try:
                    yield
                finally:
                    del self._sending[meeting_id]
        finally:
            self._pending[meeting_id] -= 1
            if not self._pending[meeting_id]:
                del self._pending[meeting_id]
                self._wanted.pop(meeting_id, None)

    async def async_start(self, meeting: Meeting) -> None:
        """Start the stream with the stored display settings (one request)."""
        async with self._command(meeting.id, True):
            await self.client.async_start_live_stream(
                meeting.kind, meeting.id, self.store.display_settings(meeting.id)
            )
            now = time.monotonic()
            data = self.data
            # Zoom only starts streams of running meetings: whatever said it had
            # ended is stale.
            self._changed_at[meeting.id] = now
            if meeting.kind is MeetingKind.WEBINAR:
                new = replace(
                    data, live_webinars={**data.live_webinars, meeting.id: True}
                )
            else:
                new = replace(
                    data, live_meeting_ids=data.live_meeting_ids | {meeting.id}
                )
            self._async_commit(
                replace(new, streaming={**data.streaming, meeting.id: now}),
                "home_assistant",
            )
        issues.async_clear(
            self.hass,
            self.config_entry,
            issues.ISSUE_STREAMING_NOT_ALLOWED,
            issues.ISSUE_MISSING_SCOPES_WRITE,
        )

    async def async_stop(self, meeting: Meeting) -> None:
        """Stop the stream (one request). A meeting that is not running is stopped."""
        async with self._command(meeting.id, False):
            try:
                await self.client.async_stop_live_stream(meeting.kind, meeting.id)
            except (ZoomNotFoundError, ZoomApiError) as err:
                if not self._refusal_means_stopped(meeting, err):
                    raise
                LOGGER.debug(
                    "Zoom refused to stop %s, which is not running: %s",
                    meeting.topic,
                    err,
                )
                # What else changed is for a poll to tell, now.
                self.hass.async_create_task(self.async_request_refresh())
            self._async_set_stopped(meeting.id, "home_assistant")

    def _refusal_means_stopped(self, meeting: Meeting, err: ZoomApiError) -> bool:
        """Return whether a refused stop means the stream is off.

        Zoom refuses to stop what does not run: the meeting is gone (404), or
        it answers with a code about the meeting (200, 3000), whatever its words.
        A stream Zoom started once is allowed by the plan and host settings, so
        those codes cannot mean "not allowed" here. Missing scopes, validation
        errors, rate limits and outages do not mean stopped.
        """
        if isinstance(err, ZoomNotFoundError):
            return True
        if isinstance(err, ZoomPermissionError) and err.missing_scopes:
            return False
        return err.code in (_PLAN_MISSING_CODE, _MEETING_REFUSED_CODE)

    def explain_refusal(
        self, meeting: Meeting, err: ZoomError, *, changing_target: bool = False
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
        said_not_started = isinstance(err, ZoomMeetingNotStartedError) or any(
            words in text for words in ("not started", "not in progress", "has ended")
        )
        if err.code not in (_PLAN_MISSING_CODE, _MEETING_REFUSED_CODE):
            return "meeting_not_started" if said_not_started else None
        if (
            changing_target
            and err.code == _MEETING_REFUSED_CODE
            and (self.data.is_streaming(meeting.id))
        ):
            # Zoom takes a new stream target only while the stream is stopped.
            return "stream_active"
        running = self.data.in_progress(meeting) if self.data is not None else None
        if running is False or (
            # Zoom's code for a webinar that has not started; without events its
            # state is unknown here.
            running is None and err.code == _PLAN_MISSING_CODE
        ):
            return "meeting_not_started"
        if err.code == _MEETING_REFUSED_CODE and (
            "custom" in text or "not configured" in text
        ):
            return "stream_target_missing"
        if said_not_started:
            return "meeting_not_started"
        if err.code == _PLAN_MISSING_CODE or "not allowed" in text:
            return "streaming_not_allowed"
        return None

    async def async_update_settings(
        self, meeting: Meeting, update: SettingsUpdate
    ) -> None:
        """Apply `update`: the stream target at Zoom, the display settings here."""
        async with self._locks[meeting.id]:
            if update.changes_target:
                if self.events_enabled and self.data.is_streaming(meeting.id):
                    # Known for sure (Zoom pushes its state): Zoom would refuse.
                    raise StreamActiveError
                current = await self.client.async_get_live_stream(
                    meeting.kind, meeting.id
                )
                target = update.merged_into(current)
                if missing := target.missing_fields():
                    raise IncompleteStreamTargetError(missing)
                await self.client.async_update_live_stream(
                    meeting.kind, meeting.id, target
                )
            if changes := update.display_changes:
                await self.store.async_update_display(meeting.id, changes)

    async def async_get_target(self, meeting: Meeting) -> LiveStreamConfig:
        """Return where the meeting streams to (for diagnostics and checks)."""
        return await self.client.async_get_live_stream(meeting.kind, meeting.id)

    @callback
    def async_command_failed(self, meeting: Meeting | None, err: ZoomError) -> None:
        """Remember the error; act on what the user or Zoom must fix."""
        self._set_last_error(err)
        if isinstance(err, ZoomAuthenticationError):
            self.config_entry.async_start_reauth(self.hass)
        elif isinstance(err, ZoomNotFoundError):
            # The meeting may be gone: read the lists again now.
            self.async_request_full_refresh()
            self.hass.async_create_task(self.async_request_refresh())
        elif isinstance(err, ZoomPermissionError) and err.missing_scopes:
            issues.async_raise_for_permission_error(self.hass, self.config_entry, err)
        elif (
            isinstance(err, ZoomApiError)
            and meeting is not None
            and self.explain_refusal(meeting, err) == "streaming_not_allowed"
        ):
            issues.async_raise(
                self.hass,
                self.config_entry,
                issues.ISSUE_STREAMING_NOT_ALLOWED,
                {"message": err.message},
            )

    # -- pushed events ------------------------------------------------------------

    @callback
    def async_set_running(self, meeting_id: int, running: bool) -> None:
        """Apply a started/ended event to the meeting it names, and only that one."""
        data = self.data
        if (meeting := data.meetings.get(meeting_id)) is None:
            return
        self._changed_at[meeting_id] = time.monotonic()
        if meeting.kind is MeetingKind.WEBINAR:
            new = replace(
                data, live_webinars={**data.live_webinars, meeting_id: running}
            )
        elif running:
            new = replace(data, live_meeting_ids=data.live_meeting_ids | {meeting_id})
        else:
            new = replace(data, live_meeting_ids=data.live_meeting_ids - {meeting_id})
        if not running:
            # An ended meeting streams no more.
            new = replace(new, streaming=_without(new.streaming, meeting_id))
        self._async_commit(new, "zoom_event")

    @callback
    def async_set_streaming(self, meeting_id: int, streaming: bool) -> None:
        """Apply a live-streaming event: Zoom says this meeting's stream changed."""
        data = self.data
        if meeting_id not in data.meetings:
            return
        # Zoom reporting the very command Home Assistant is sending is no outside
        # change: it is credited to Home Assistant.
        source = (
            "home_assistant"
            if self._sending.get(meeting_id) is streaming
            else "zoom_event"
        )
        if not streaming:
            self._async_set_stopped(meeting_id, source)
            return
        if data.is_streaming(meeting_id):
            return
        now = time.monotonic()
        self._changed_at[meeting_id] = now
        self._async_commit(
            replace(
                data,
                live_meeting_ids=data.live_meeting_ids | {meeting_id},
                streaming={**data.streaming, meeting_id: now},
            ),
            source,
        )

    @callback
    def async_meeting_created(self, meeting: Meeting) -> None:
        """Add a meeting Zoom says was scheduled, without waiting for the lists."""
        data = self.data
        if meeting.id in data.meetings:
            return
        if meeting.kind is MeetingKind.WEBINAR and not self.config_entry.options.get(
            CONF_INCLUDE_WEBINARS, True
        ):
            return
        self._listed[meeting.id] = meeting
        self._async_commit(
            replace(data, meetings={**data.meetings, meeting.id: meeting}),
            "zoom_event",
        )

    @callback
    def async_meeting_updated(self, meeting_id: int, topic: str | None) -> None:
        """Follow a renamed meeting at once."""
        data = self.data
        if topic is None or (meeting := data.meetings.get(meeting_id)) is None:
            return
        if meeting.topic == topic:
            return
        renamed = replace(meeting, topic=topic)
        if meeting_id in self._listed:
            self._listed[meeting_id] = renamed
        self._async_commit(
            replace(data, meetings={**data.meetings, meeting_id: renamed}), "zoom_event"
        )
        self._async_sync_devices(self.data.meetings)

    @callback
    def async_meeting_deleted(self, meeting_id: int) -> None:
        """Remove a meeting Zoom says was deleted, and its device."""
        data = self.data
        if meeting_id not in data.meetings:
            return
        self._listed.pop(meeting_id, None)
        self._async_commit(
            replace(
                data,
                meetings=_without(data.meetings, meeting_id),
                live_meeting_ids=data.live_meeting_ids - {meeting_id},
                live_webinars=_without(data.live_webinars, meeting_id),
                streaming=_without(data.streaming, meeting_id),
            ),
            "zoom_event",
        )
        self._async_sync_devices(self.data.meetings)
        self.store.async_prune(set(self.data.meetings))

    # -- restoring ----------------------------------------------------------------

    @callback
    def async_restore_streams(self) -> None:
        """Take back streams that were on before a restart or reload, if still live.

        A meeting's stream is restored while Zoom lists the meeting as live (the
        next poll that misses it ends it). A webinar has no live list: its stream
        is restored only when Zoom pushes events, which will say when it ends.
        """
        data = self.data
        restored = {
            meeting_id: 0.0
            for meeting_id in self.store.streaming_ids()
            if (meeting := data.meetings.get(meeting_id)) is not None
            and not data.is_streaming(meeting_id)
            and (
                meeting_id in data.live_meeting_ids
                if meeting.kind is MeetingKind.MEETING
                else self.events_enabled
                and data.live_webinars.get(meeting_id) is not False
            )
        }
        # "As old as can be": any later poll that misses the meeting ends it.
        self.data = replace(data, streaming={**data.streaming, **restored})
        self.store.async_set_streaming(set(self.data.streaming))

    # -- shared -------------------------------------------------------------------

    @callback
    def _async_set_stopped(self, meeting_id: int, source: str) -> None:
        data = self.data
        self._changed_at[meeting_id] = time.monotonic()
        if data.is_streaming(meeting_id):
            self._async_commit(
                replace(data, streaming=_without(data.streaming, meeting_id)), source
            )

    @callback
    def _async_commit(self, new: ZoomData, source: str) -> None:
        """Make `new` the data and redraw, without touching the poll schedule.

        Not `async_set_updated_data`: that reschedules the next poll (so frequent
        events would stop polling) and marks the data fresh (so one event during
        an outage would make every entity available with stale data).
        """
        old = self.data
        self.data = replace(new, rate_limit=self.client.rate_limit)
        self._async_changed(old, self.data, source)
        self.async_update_listeners()

    @callback
    def _async_changed(self, old: ZoomData | None, new: ZoomData, source: str) -> None:
        """Note what changed, report each real change once, keep the store current."""
        if old is None:
            self._changed_meetings = None
            return
        if old.streaming.keys() != new.streaming.keys():
            self.store.async_set_streaming(set(new.streaming))
        # A command or an event keeps the lists it did not touch: their
        # comparison, which walks every meeting, is skipped then.
        state_changed = (old.live_meeting_ids ^ new.live_meeting_ids) | (
            old.streaming.keys() ^ new.streaming.keys()
        )
        if old.live_webinars is not new.live_webinars:
            state_changed |= {
                meeting_id
                for meeting_id in old.live_webinars.keys() | new.live_webinars.keys()
                if old.live_webinars.get(meeting_id)
                != new.live_webinars.get(meeting_id)
            }
        changed = set(state_changed)
        if old.meetings is not new.meetings:
            changed |= old.meetings.keys() ^ new.meetings.keys()
            changed.update(
                meeting_id
                for meeting_id, meeting in new.meetings.items()
                if old.meetings.get(meeting_id, meeting) is not meeting
                and old.meetings[meeting_id] != meeting
            )
        # Until the next dispatch: a refresh may end without one of its own.
        if self._changed_meetings is not None:
            self._changed_meetings |= changed
        for meeting_id in state_changed & old.meetings.keys() & new.meetings.keys():
            meeting = new.meetings[meeting_id]
            before, after = old.in_progress(meeting), new.in_progress(meeting)
            if before is not after and after is not None:
                self._report(
                    MeetingChange(meeting, "started" if after else "ended", source)
                )
            was, now = old.is_streaming(meeting_id), new.is_streaming(meeting_id)
            if was != now:
                kind = "live_stream_started" if now else "live_stream_stopped"
                self._report(MeetingChange(meeting, kind, source))

    def _report(self, change: MeetingChange) -> None:
        for listener in list(self._change_listeners.get(change.meeting.id, ())):
            listener(change)

    def _set_last_error(self, err: ZoomError) -> None:
        message = redact_error(str(err))[:255]
        if self.data is not None and self.data.last_error != message:
            self.data = replace(self.data, last_error=message)
            self.async_update_listeners()

    @callback
    def _async_sync_devices(self, meetings: Mapping[int, Meeting]) -> None:
        """Remove devices of meetings Zoom no longer lists; follow renamed topics."""
        registry = dr.async_get(self.hass)
        scope = meeting_scope(self.config_entry)
        for device in dr.async_entries_for_config_entry(
            registry, self.config_entry.entry_id
        ):
            meeting_id = meeting_id_of_device(scope, device)
            if meeting_id is None:
                # The account's own device (diagnostic sensors) is not a meeting.
                continue
            meeting = meetings.get(meeting_id)
            if meeting is None:
                LOGGER.debug("Removing device %s: no longer in Zoom", device.name)
                registry.async_remove_device(device.id)
            elif device.name != meeting.topic:
                registry.async_update_device(device.id, name=meeting.topic)


class StreamActiveError(Exception):
    """Zoom only accepts a new stream target while the stream is stopped."""


class IncompleteStreamTargetError(Exception):
    """After merging, Zoom would still lack a URL, key or page URL."""

    def __init__(self, missing: list[str]) -> None:
        """Name the missing fields."""
        super().__init__(", ".join(missing))
        self.missing = missing


def _without[K, V](mapping: Mapping[K, V], key: K) -> dict[K, V]:
    return {k: v for k, v in mapping.items() if k != key}


def meeting_scope(entry: ConfigEntry) -> str:
    """Return what makes this entry's IDs unique: its Zoom user's ID."""
    return str(entry.unique_id)


def _async_add_to[T](
    registry: dict[int, list[T]], meeting_id: int, item: T
) -> Callable[[], None]:
    """Add `item` to the meeting's list; return what takes it out again."""
    items = registry.setdefault(meeting_id, [])
    items.append(item)

    @callback
    def remove() -> None:
        items.remove(item)
        if not items and registry.get(meeting_id) is items:
            del registry[meeting_id]

    return remove


def meeting_device_identifier(entry: ConfigEntry, meeting_id: int) -> tuple[str, str]:
    """Return the device identifier of a meeting, scoped to the entry's Zoom user."""
    return (DOMAIN, f"{meeting_scope(entry)}_{meeting_id}")


def meeting_id_of_device(scope: str, device: dr.DeviceEntry) -> int | None:
    """Return the meeting a device of this entry stands for, if it is one."""
    for domain, value in device.identifiers:
        if domain == DOMAIN and value.startswith(f"{scope}_"):
            rest = value.removeprefix(f"{scope}_")
            if rest.isascii() and rest.isdigit():
                return int(rest)
    return None


@dataclass(slots=True)
class ZoomRuntimeData:
    """What a loaded entry holds."""

    coordinator: ZoomCoordinator
    # Where Zoom should send events; None without an external URL or Cloud.
    webhook_url: str | None = None
    # The meeting each live-stream switch controls, by entity ID (for actions).
    switch_meetings: dict[str, int] = field(default_factory=dict)


type ZoomConfigEntry = ConfigEntry[ZoomRuntimeData]
