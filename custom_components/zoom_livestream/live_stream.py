"""Starts, stops and configures live streams, one meeting at a time."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
import time

from homeassistant.core import CALLBACK_TYPE, callback

from .coordinator import ZoomCoordinator, ZoomData
from .store import DisplaySettingsStore, StoredDisplaySettings
from .zoom import LiveStreamConfig, Meeting, MeetingKind, Resolution, ZoomClient


@dataclass(frozen=True, slots=True)
class SettingsUpdate:
    """A validated `update_settings` request: None means "leave as it is"."""

    stream_url: str | None = None
    stream_key: str | None = None
    page_url: str | None = None
    resolution: Resolution | None = None
    display_name: str | None = None
    active_speaker_name: bool | None = None

    @property
    def changes_target(self) -> bool:
        """Whether Zoom's stream target (URL, key, page, resolution) changes."""
        return any(
            value is not None
            for value in (
                self.stream_url,
                self.stream_key,
                self.page_url,
                self.resolution,
            )
        )

    @property
    def display_changes(self) -> StoredDisplaySettings:
        """The display settings to store."""
        changes: StoredDisplaySettings = {}
        if self.display_name is not None:
            changes["display_name"] = self.display_name
        if self.active_speaker_name is not None:
            changes["active_speaker_name"] = self.active_speaker_name
        return changes

    def merged_into(self, current: LiveStreamConfig) -> LiveStreamConfig:
        """Return Zoom's current target with this request's values on top."""
        return replace(
            current,
            stream_url=self.stream_url
            if self.stream_url is not None
            else current.stream_url,
            stream_key=self.stream_key
            if self.stream_key is not None
            else current.stream_key,
            page_url=self.page_url if self.page_url is not None else current.page_url,
            resolution=self.resolution or current.resolution,
        )


class StreamActiveError(Exception):
    """Zoom only accepts settings changes while the stream is stopped."""


class IncompleteStreamTargetError(Exception):
    """After merging, Zoom would still lack a URL, key or page URL."""

    def __init__(self, missing: list[str]) -> None:
        """Name the missing fields."""
        super().__init__(", ".join(missing))
        self.missing = missing


class LiveStreamController:
    """Owns the stream state of every meeting of one config entry.

    Zoom has no "is it streaming?" call, so the state is what the last
    successful command did; it ends when a poll that started after the
    command no longer lists the meeting as live.
    """

    def __init__(
        self,
        coordinator: ZoomCoordinator,
        client: ZoomClient,
        store: DisplaySettingsStore,
    ) -> None:
        """Control streams through `client`, with display settings from `store`."""
        self._coordinator = coordinator
        self._client = client
        self._store = store
        # Monotonic time of the successful start, per streaming meeting.
        self._streaming: dict[int, float] = {}
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._listeners: defaultdict[int, list[CALLBACK_TYPE]] = defaultdict(list)

    @callback
    def async_set_pushed_streaming(self, meeting_id: int, streaming: bool) -> None:
        """Apply a live-streaming event: Zoom says the stream started or stopped."""
        self._set_streaming(meeting_id, streaming)

    def stored_display_settings(self, meeting_id: int) -> dict[str, str | bool]:
        """Return the display settings sent with the next start (for diagnostics)."""
        return self._store.get(meeting_id).to_json()

    def is_streaming(self, meeting_id: int) -> bool:
        """Return whether the last successful command started the stream."""
        return meeting_id in self._streaming

    @callback
    def async_add_listener(
        self, meeting_id: int, update_callback: CALLBACK_TYPE
    ) -> Callable[[], None]:
        """Call `update_callback` when the meeting's stream state changes."""
        listeners = self._listeners[meeting_id]
        listeners.append(update_callback)

        @callback
        def remove_listener() -> None:
            listeners.remove(update_callback)
            if not listeners:
                self._listeners.pop(meeting_id, None)

        return remove_listener

    @callback
    def async_restore(self, meeting: Meeting) -> None:
        """Take back a stream that was on before a restart, if the meeting still runs."""
        if self._coordinator.data.in_progress(meeting) is not False:
            # As old as can be: the next poll that misses the meeting ends it.
            self._streaming[meeting.id] = 0.0

    async def async_start(self, meeting: Meeting) -> None:
        """Start the stream with the stored display settings (one request)."""
        async with self._locks[meeting.id]:
            await self._client.async_start_live_stream(
                meeting.kind, meeting.id, self._store.get(meeting.id)
            )
            if (
                meeting.kind is MeetingKind.WEBINAR
                and self._coordinator.data.live_webinars.get(meeting.id) is False
            ):
                # Zoom only starts streams of running webinars: the "ended" was stale.
                self._coordinator.async_set_pushed_in_progress(
                    meeting.kind, meeting.id, True
                )
            self._set_streaming(meeting.id, True)

    async def async_stop(self, meeting: Meeting) -> None:
        """Stop the stream (one request)."""
        async with self._locks[meeting.id]:
            await self._client.async_stop_live_stream(meeting.kind, meeting.id)
            self._set_streaming(meeting.id, False)

    async def async_update_settings(
        self, meeting: Meeting, update: SettingsUpdate
    ) -> None:
        """Apply `update`: the stream target at Zoom, the display settings here."""
        async with self._locks[meeting.id]:
            if self.is_streaming(meeting.id):
                raise StreamActiveError
            if update.changes_target:
                current = await self._client.async_get_live_stream(
                    meeting.kind, meeting.id
                )
                target = update.merged_into(current)
                missing = [
                    name
                    for name, value in (
                        ("stream_url", target.stream_url),
                        ("stream_key", target.stream_key),
                        ("page_url", target.page_url),
                    )
                    if not value
                ]
                if missing:
                    raise IncompleteStreamTargetError(missing)
                await self._client.async_update_live_stream(
                    meeting.kind, meeting.id, target
                )
            if changes := update.display_changes:
                await self._store.async_update(meeting.id, changes)

    @callback
    def async_handle_poll(self, data: ZoomData) -> None:
        """End the stream state of meetings that ended or were deleted."""
        ended = [
            meeting_id
            for meeting_id, started_at in self._streaming.items()
            if (meeting := data.meetings.get(meeting_id)) is None
            or (
                meeting.kind is MeetingKind.MEETING
                and meeting_id not in data.live_meeting_ids
                and started_at < data.live_checked_at
            )
            or (
                meeting.kind is MeetingKind.WEBINAR
                and data.live_webinars.get(meeting_id) is False
            )
        ]
        for meeting_id in ended:
            self._set_streaming(meeting_id, False)

    def _set_streaming(self, meeting_id: int, streaming: bool) -> None:
        if streaming:
            self._streaming[meeting_id] = time.monotonic()
        elif self._streaming.pop(meeting_id, None) is None:
            return
        for update_callback in list(self._listeners.get(meeting_id, ())):
            update_callback()
