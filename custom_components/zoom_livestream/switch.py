"""The live-stream switch of each meeting and webinar."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from . import issues
from .const import CONF_WEBHOOK_SECRET, LIVE_STREAM_KEY
from .coordinator import ZoomCoordinator
from .data import ZoomConfigEntry
from .entity import ZoomMeetingEntity, async_add_meeting_entities
from .errors import raise_for_zoom_error
from .live_stream import LiveStreamController
from .zoom import Meeting, ZoomAuthenticationError, ZoomError, ZoomPermissionError

# Toggles of different meetings run in parallel; the controller serialises each meeting.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZoomConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add a live-stream switch per meeting, now and as meetings appear."""
    runtime = entry.runtime_data
    async_add_meeting_entities(
        entry,
        async_add_entities,
        lambda meeting: [
            ZoomLiveStreamSwitch(runtime.coordinator, runtime.controller, meeting)
        ],
    )


class ZoomLiveStreamSwitch(ZoomMeetingEntity, SwitchEntity, RestoreEntity):
    """On while the meeting streams, as far as the last command tells."""

    def __init__(
        self,
        coordinator: ZoomCoordinator,
        controller: LiveStreamController,
        meeting: Meeting,
    ) -> None:
        """Control `meeting`'s stream through `controller`."""
        super().__init__(coordinator, meeting, LIVE_STREAM_KEY)
        self._controller = controller

    async def async_added_to_hass(self) -> None:
        """Take back the state from before a restart, then follow the controller."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and (
            last.state == STATE_ON
        ):
            self._controller.async_restore(self.meeting)
        self.async_on_remove(
            self._controller.async_add_listener(
                self.meeting_id, self._handle_stream_change
            )
        )
        switches = self.coordinator.config_entry.runtime_data.switch_meetings
        switches[self.entity_id] = self.meeting_id
        self.async_on_remove(lambda: switches.pop(self.entity_id, None))

    @callback
    def _handle_stream_change(self) -> None:
        self.async_write_ha_state()

    @property
    def assumed_state(self) -> bool:
        """Without webhooks the state is only what the last command did."""
        return not self.coordinator.config_entry.options.get(CONF_WEBHOOK_SECRET)

    @property
    def is_on(self) -> bool:
        """Return whether the stream runs."""
        return self._controller.is_streaming(self.meeting_id)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start the live stream."""
        try:
            await self._controller.async_start(self.meeting)
        except ZoomError as err:
            self._handle_error(err)
        issues.async_clear(
            self.hass,
            self.coordinator.config_entry,
            issues.ISSUE_STREAMING_NOT_ALLOWED,
            issues.ISSUE_MISSING_SCOPES,
        )

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop the live stream."""
        try:
            await self._controller.async_stop(self.meeting)
        except ZoomError as err:
            self._handle_error(err)

    def _handle_error(self, err: ZoomError) -> None:
        entry = self.coordinator.config_entry
        self.coordinator.async_record_error(err)
        if isinstance(err, ZoomAuthenticationError):
            entry.async_start_reauth(self.hass)
        elif isinstance(err, ZoomPermissionError):
            issues.async_raise_for_permission_error(self.hass, entry, err)
        raise_for_zoom_error(err, self.meeting.topic)
