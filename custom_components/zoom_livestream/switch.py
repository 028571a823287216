"""The live-stream switch of each meeting and webinar."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .const import LIVE_STREAM_KEY
from .coordinator import ZoomConfigEntry, ZoomCoordinator
from .entity import ZoomMeetingEntity, async_add_meeting_entities
from .errors import translated_errors
from .zoom import Meeting

# Toggles of different meetings run in parallel; the coordinator serialises
# the commands of each meeting.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZoomConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add a live-stream switch per meeting, now and as meetings appear."""
    coordinator = entry.runtime_data.coordinator
    async_add_meeting_entities(
        entry,
        async_add_entities,
        lambda meeting: [ZoomLiveStreamSwitch(coordinator, meeting)],
    )


class ZoomLiveStreamSwitch(ZoomMeetingEntity, SwitchEntity):
    """On while the meeting streams, as far as Zoom's events or the last command tell."""

    def __init__(self, coordinator: ZoomCoordinator, meeting: Meeting) -> None:
        """Control `meeting`'s stream."""
        super().__init__(coordinator, meeting, LIVE_STREAM_KEY)

    async def async_added_to_hass(self) -> None:
        """Let the actions find this switch's meeting by its entity ID."""
        await super().async_added_to_hass()
        switches = self.coordinator.config_entry.runtime_data.switch_meetings
        entity_id = self.entity_id
        switches[entity_id] = self.meeting_id
        self.async_on_remove(lambda: switches.pop(entity_id, None))

    @property
    def assumed_state(self) -> bool:
        """Without Zoom's events the state is only what the last command did."""
        return not self.coordinator.events_enabled

    @property
    def is_on(self) -> bool:
        """Return whether the stream runs."""
        return self.coordinator.data.is_streaming(self.meeting_id)

    def shown(self) -> Hashable:
        """Return the stream state and whether it is assumed."""
        return (self.available, self.is_on, self.assumed_state)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start the live stream."""
        with translated_errors(self.coordinator, self.meeting):
            await self.coordinator.async_start(self.meeting)

    async def async_toggle(self, **kwargs: Any) -> None:
        """Flip what the last press asked for: quick presses alternate, none is lost."""
        if self.coordinator.wants_streaming(self.meeting_id):
            await self.async_turn_off()
        else:
            await self.async_turn_on()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop the live stream."""
        with translated_errors(self.coordinator, self.meeting):
            await self.coordinator.async_stop(self.meeting)
