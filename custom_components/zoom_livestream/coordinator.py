"""The coordinator: it polls Zoom, and it is the one way the entry's state changes.

Owns polling (`listing` reads, `state.apply_poll` merges), `async_apply`, the one
entry point through which commands and Zoom's pushed events change the data,
waking only the entities of the meetings a change touched, and recording
failures (last error, re-authentication, repairs). The rules are pure functions
in `state`; the requests of a poll live in `listing`, the commands in `commands`.
Entities only read `coordinator.data`.

Must not import the platforms, `push` or `services`: they use it, not the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from . import issues, state
from .changes import (
    SOURCE_POLL,
    Change,
    CommandRefusal,
    CommandSending,
    ErrorNoted,
    MeetingChange,
    MeetingDeleted,
    MeetingUpdated,
    StreamsRestored,
)
from .commands import (
    STREAMING_NOT_ALLOWED,
    CommandRefusedError,
    ZoomCommands,
    explain_refusal,
)
from .const import CONF_WEBHOOK_SECRET, DOMAIN, LOGGER, SCAN_INTERVAL
from .devices import DeviceSync
from .errors import redact_error, translation_for
from .listeners import MeetingRouter
from .listing import MeetingLister
from .state import ZoomData
from .store import ZoomStore
from .zoom import (
    ZoomApiError,
    ZoomAuthenticationError,
    ZoomClient,
    ZoomError,
    ZoomNotFoundError,
    ZoomPermissionError,
    ZoomRateLimitError,
)


class ZoomCoordinator(DataUpdateCoordinator[ZoomData]):
    """Polls Zoom (a minute apart) and applies commands and events to its data."""

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
        self.lister = MeetingLister(hass, entry, client)
        self.commands = ZoomCommands(hass, entry, client, store, self)
        self.router = MeetingRouter()
        self.devices = DeviceSync(hass, entry, store)
        # Until the stored state is restored, the first poll must not replace it.
        self._restored = False

    @property
    def events_enabled(self) -> bool:
        """Whether Zoom pushes events here: then the stream state is not assumed."""
        return bool(self.config_entry.options.get(CONF_WEBHOOK_SECRET))

    @callback
    def async_add_change_listener(
        self,
        meeting_id: int,
        listener: Callable[[MeetingChange | CommandRefusal], None],
    ) -> Callable[[], None]:
        """Call `listener` once for each real change and each refusal of the meeting."""
        return self.router.reports.add(meeting_id, listener)

    @callback
    def async_report_refusal(self, refusal: CommandRefusal) -> None:
        """Tell the meeting's listeners that a command for it was refused."""
        self.router.report(refusal.meeting_id, refusal)

    @callback
    def async_add_listener(
        self, update_callback: Callable[[], None], context: Any = None
    ) -> Callable[[], None]:
        """Listen for data updates; a meeting's entities (context: its ID) for its own."""
        if isinstance(context, int):
            return self.router.updates.add(context, update_callback)
        return super().async_add_listener(update_callback, context)

    @callback
    def async_update_listeners(self) -> None:
        """Update the account's listeners, and those of the meetings that changed."""
        super().async_update_listeners()
        self.router.dispatch(self.last_update_success)

    # -- polling ------------------------------------------------------------------

    async def _async_setup(self) -> None:
        """Load the stored stream state before the first poll."""
        await self.store.async_load()

    @callback
    def async_request_full_refresh(self) -> None:
        """Read the meeting lists at the next refresh, not only the live list."""
        self.lister.request_full()

    async def _async_update_data(self) -> ZoomData:
        try:
            poll = await self.lister.async_poll(self._current_data())
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
        self.update_interval = SCAN_INTERVAL
        # No await below: the data is built from the state as it is now, so a
        # command or event that landed during the requests above is kept.
        old = self.data
        new = state.apply_poll(self._current_data(), poll)
        touched = state.touched_by(old, poll) if old is not None else None
        changes = state.diff(old, new, SOURCE_POLL, touched)
        self.devices.async_after_poll(poll, new.meetings, changes.meetings)
        self._async_note(changes, new)
        return new

    def _current_data(self) -> ZoomData:
        """Return the data; before the first poll, the meetings learned from events.

        No list shows those (instant, personal room): after a restart or a
        reload they are read by ID again.
        """
        return self.data or ZoomData(learned=self.store.learned_ids())

    def _update_failed(self, err: ZoomError) -> UpdateFailed:
        self._async_note_error(err)
        key, placeholders = translation_for(err, self.config_entry.title)
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key=f"update_{key}",
            translation_placeholders=placeholders,
        )

    # -- changes ------------------------------------------------------------------

    @callback
    def async_apply(self, change: Change) -> None:
        """Apply a command's or an event's change, and redraw what it touched.

        Not `async_set_updated_data`: that reschedules the next poll (so frequent
        events would stop polling) and marks the data fresh (so one event during
        an outage would make every entity available with stale data).
        """
        old: ZoomData | None = self.data  # None until the first poll
        if old is None:
            return
        new = state.apply(old, change, time.monotonic())
        if new is old or isinstance(change, CommandSending):
            # What a command is sending is bookkeeping: nothing shows it.
            self.data = new
            return
        if new.rate_limit is not self.client.rate_limit:
            new = state.evolve(new, rate_limit=self.client.rate_limit)
        changes = state.diff(old, new, state.source_of(old, change))
        self.data = new
        if new.event_ts is not old.event_ts:
            self.store.async_set_event_ts(new.event_ts)
        if changes.is_empty:  # when a meeting last changed: nothing to redraw
            return
        self._async_note(changes, new)
        self.async_update_listeners()
        if isinstance(change, MeetingUpdated | MeetingDeleted):
            self.devices.async_follow(new.meetings, frozenset({change.meeting_id}))

    @callback
    def _async_note(self, changes: state.Diff, new: ZoomData) -> None:
        """Keep the store current, note what to redraw, report each real change."""
        if changes.streaming_changed:
            self.store.async_set_streaming(set(new.streaming))
        self.store.async_set_learned(new.learned)
        if self._restored:
            # What the events said of webinars survives a reload (events only).
            self.store.async_set_live_webinars(new.live_webinars)
        # Until the next dispatch: a refresh may end without one of its own.
        self.router.note_changed(changes.meetings)
        for report in changes.reports:
            self.router.report(report.meeting.id, report)

    @callback
    def async_restore_streams(self) -> None:
        """Take back the streams that were on before a restart; forget the rest."""
        restored = frozenset(self.store.streaming_ids())
        self.async_apply(
            StreamsRestored(
                restored,
                self.events_enabled,
                self.store.event_ts(),
                self.store.live_webinars(),
                int(time.time() * 1000),
            )
        )
        self._restored = True
        self.store.async_set_streaming(set(self.data.streaming))
        self.store.async_set_live_webinars(self.data.live_webinars)

    @callback
    def _async_note_error(self, err: ZoomError) -> None:
        self.async_apply(ErrorNoted(redact_error(str(err))[:255]))

    @callback
    def async_note_failure(self, refusal: CommandRefusedError) -> None:
        """Remember a refused command's error; act on what the user or Zoom must fix."""
        if (err := refusal.error) is None:
            return
        self._async_note_error(err)
        if isinstance(err, ZoomAuthenticationError):
            self.config_entry.async_start_reauth(self.hass)
        elif isinstance(err, ZoomNotFoundError):
            # The meeting may be gone: read the lists again now.
            self.async_request_full_refresh()
            self.config_entry.async_create_background_task(
                self.hass,
                self.async_request_refresh(),
                "zoom_livestream refresh after a meeting was not found",
            )
        elif isinstance(err, ZoomPermissionError) and err.missing_scopes:
            issues.async_raise_for_permission_error(self.hass, self.config_entry, err)
        elif (
            isinstance(err, ZoomApiError)
            and explain_refusal(self.data, refusal.meeting, err)
            == STREAMING_NOT_ALLOWED
        ):
            issues.async_raise(
                self.hass,
                self.config_entry,
                issues.ISSUE_STREAMING_NOT_ALLOWED,
                {"message": err.message},
            )


@dataclass(slots=True)
class ZoomRuntimeData:
    """What a loaded entry holds."""

    coordinator: ZoomCoordinator
    # Where Zoom should send events; None without an external URL or Cloud.
    webhook_url: str | None = None
    # The meeting each live-stream switch controls, by entity ID (for actions).
    switch_meetings: dict[str, int] = field(default_factory=dict)


type ZoomConfigEntry = ConfigEntry[ZoomRuntimeData]
