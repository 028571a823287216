"""Polls Zoom for the account's meetings, webinars and which meetings are live."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
import time

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
    DOMAIN,
    LIST_REFRESH_INTERVAL,
    LOGGER,
    SCAN_INTERVAL,
)
from .errors import translation_for
from .zoom import (
    Meeting,
    MeetingKind,
    MeetingListType,
    ZoomAuthenticationError,
    ZoomClient,
    ZoomError,
    ZoomNotFoundError,
    ZoomPermissionError,
    ZoomRateLimitError,
)


@dataclass(frozen=True, slots=True)
class ZoomData:
    """What one poll learned."""

    meetings: Mapping[int, Meeting]
    live_meeting_ids: frozenset[int]
    # When the live list was requested (monotonic): a stream started after this
    # moment is not contradicted by the meeting missing from that list. Not part
    # of equality: an unchanged poll must not rewrite every entity's state.
    live_checked_at: float = field(default=0.0, compare=False)
    full_refresh: bool = field(default=False, compare=False)
    # Webinars have no live list: only webhook events tell whether one runs.
    live_webinars: Mapping[int, bool] = field(default_factory=dict)

    def in_progress(self, meeting: Meeting) -> bool | None:
        """Return whether the meeting runs now; None when Zoom cannot tell (webinars)."""
        if meeting.kind is MeetingKind.WEBINAR:
            return self.live_webinars.get(meeting.id)
        return meeting.id in self.live_meeting_ids


class ZoomCoordinator(DataUpdateCoordinator[ZoomData]):
    """One poll: the live meetings always, the full lists every 15 minutes.

    The number of requests depends on the number of 300-item pages, never on
    the number of meetings.
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: ZoomClient,
    ) -> None:
        """Poll with `client` for `entry`."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=SCAN_INTERVAL,
            always_update=False,
        )
        self.client = client
        self._listed: dict[int, Meeting] = {}
        self._listed_at: float | None = None
        self._extra_kinds: dict[int, MeetingKind] = {}
        self._live_webinars: dict[int, bool] = {}
        self.last_error: str | None = None
        # Called with every poll's result, even one equal to the last: the
        # stream controller must see each poll to end streams of ended meetings.
        self.poll_listeners: list[Callable[[ZoomData], None]] = []

    async def _async_update_data(self) -> ZoomData:
        try:
            data = await self._async_fetch()
        except ZoomAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except ZoomRateLimitError as err:
            # Back off for as long as Zoom asks; the next success restores the interval.
            wait = err.retry_after if err.retry_after is not None else 120.0
            self.update_interval = max(SCAN_INTERVAL, timedelta(seconds=wait))
            raise self._update_failed(err) from err
        except ZoomError as err:
            if isinstance(err, ZoomPermissionError):
                issues.async_raise_for_permission_error(
                    self.hass, self.config_entry, err
                )
            raise self._update_failed(err) from err
        self.update_interval = SCAN_INTERVAL
        issues.async_clear(self.hass, self.config_entry, issues.ISSUE_MISSING_SCOPES)
        for poll_listener in self.poll_listeners:
            poll_listener(data)
        if data.full_refresh:
            self._async_sync_devices(data.meetings)
        return data

    @callback
    def async_record_error(self, err: ZoomError) -> None:
        """Remember the last error Zoom gave, for the diagnostic sensor."""
        self.last_error = str(err)[:255]
        if self.data is not None:
            self.async_update_listeners()

    def _update_failed(self, err: ZoomError) -> UpdateFailed:
        self.async_record_error(err)
        key, placeholders = translation_for(err, self.config_entry.title)
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key=f"update_{key}",
            translation_placeholders=placeholders,
        )

    async def _async_fetch(self) -> ZoomData:
        options = self.config_entry.options
        users = ["me", *options.get(CONF_EXTRA_USERS, [])]
        now = time.monotonic()
        full_refresh = (
            self._listed_at is None
            or now - self._listed_at >= LIST_REFRESH_INTERVAL.total_seconds()
        )
        if full_refresh:
            listed: dict[int, Meeting] = {}
            for user in users:
                scheduled = await self.client.async_list_meetings(
                    user, MeetingListType.SCHEDULED
                )
                listed.update((item.id, item) for item in scheduled)
                if options.get(CONF_INCLUDE_WEBINARS, True):
                    listed.update(
                        (item.id, item)
                        for item in await self._async_list_webinars(user)
                    )
            self._listed = listed
            self._listed_at = now
        live_checked_at = time.monotonic()
        live: dict[int, Meeting] = {}
        for user in users:
            live_now = await self.client.async_list_meetings(user, MeetingListType.LIVE)
            live.update((item.id, item) for item in live_now)
        extra = await self._async_fetch_extra_meetings(
            options.get(CONF_EXTRA_MEETINGS, [])
        )
        live.update((item.id, item) for item in extra if item.status == "started")
        # Instant and personal-room meetings can be live without being scheduled.
        meetings = {**self._listed, **{item.id: item for item in extra}, **live}
        return ZoomData(
            meetings=meetings,
            live_meeting_ids=frozenset(live),
            live_checked_at=live_checked_at,
            full_refresh=full_refresh,
            live_webinars=dict(self._live_webinars),
        )

    @callback
    def async_set_pushed_in_progress(
        self, kind: MeetingKind, meeting_id: int, running: bool
    ) -> None:
        """Apply a started/ended event at once, without waiting for a poll."""
        data = self.data
        if kind is MeetingKind.WEBINAR:
            self._live_webinars[meeting_id] = running
            new = replace(data, live_webinars=dict(self._live_webinars))
        elif running:
            new = replace(data, live_meeting_ids=data.live_meeting_ids | {meeting_id})
        else:
            # As fresh as a poll sent now: streams started before it have ended.
            new = replace(
                data,
                live_meeting_ids=data.live_meeting_ids - {meeting_id},
                live_checked_at=time.monotonic(),
            )
        for poll_listener in self.poll_listeners:
            poll_listener(new)
        self.async_set_updated_data(new)

    async def _async_list_webinars(self, user: str) -> list[Meeting]:
        """List webinars; an account without the Webinar add-on simply has none."""
        try:
            return await self.client.async_list_webinars(user)
        except ZoomPermissionError as err:
            # Zoom answers code 200 "plan is missing": that is no reason to fail.
            LOGGER.debug("No webinars for %s: %s", user, err.message)
            return []

    async def _async_fetch_extra_meetings(self, ids: list[str]) -> list[Meeting]:
        """Read the meetings the user added by ID: one request each, every poll."""
        found: list[Meeting] = []
        for meeting_id in (int(value) for value in ids):
            kind = self._extra_kinds.get(meeting_id, MeetingKind.MEETING)
            try:
                found.append(await self.client.async_get_meeting(kind, meeting_id))
            except ZoomNotFoundError:
                if kind is MeetingKind.MEETING:
                    # Not a meeting: it may be a webinar. Remember the answer.
                    try:
                        webinar = await self.client.async_get_meeting(
                            MeetingKind.WEBINAR, meeting_id
                        )
                    except ZoomNotFoundError:
                        LOGGER.debug("Extra meeting %s does not exist", meeting_id)
                        continue
                    self._extra_kinds[meeting_id] = MeetingKind.WEBINAR
                    found.append(webinar)
        return found

    @callback
    def _async_sync_devices(self, meetings: Mapping[int, Meeting]) -> None:
        """Remove devices of meetings Zoom no longer lists; follow renamed topics."""
        registry = dr.async_get(self.hass)
        for device in dr.async_entries_for_config_entry(
            registry, self.config_entry.entry_id
        ):
            ids = [
                int(value)
                for domain, value in device.identifiers
                if domain == DOMAIN and value.isdigit()
            ]
            if not ids:
                # The account's own device (diagnostic sensors) is not a meeting.
                continue
            meeting = next((meetings[i] for i in ids if i in meetings), None)
            if meeting is None:
                LOGGER.debug("Removing device %s: no longer in Zoom", device.name)
                registry.async_remove_device(device.id)
            elif device.name != meeting.topic:
                registry.async_update_device(device.id, name=meeting.topic)
