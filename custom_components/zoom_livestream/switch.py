"""The live-stream switch of each meeting and webinar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import LIVE_STREAM_KEY
from .coordinator import ZoomConfigEntry, ZoomCoordinator
from .entity import (
    ZoomMeetingEntity,
    ZoomMeetingEntityDescription,
    async_add_meeting_entities,
)
from .errors import zoom_command
from .state import ZoomData
from .zoom import Meeting

# Toggles of different meetings run in parallel; the commands serialise those
# of each meeting.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class ZoomSwitchEntityDescription(
    ZoomMeetingEntityDescription, SwitchEntityDescription
):
    """A meeting's switch: on while `value_fn` says so."""

    value_fn: Callable[[ZoomData, Meeting], bool]


SWITCHES: tuple[ZoomSwitchEntityDescription, ...] = (
    ZoomSwitchEntityDescription(
        key=LIVE_STREAM_KEY,
        translation_key=LIVE_STREAM_KEY,
        value_fn=lambda data, meeting: data.is_streaming(meeting.id),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZoomConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a live-stream switch per meeting, now and as meetings appear."""
    coordinator = entry.runtime_data.coordinator
    async_add_meeting_entities(
        entry,
        async_add_entities,
        lambda meeting: [
            ZoomLiveStreamSwitch(coordinator, meeting, description)
            for description in SWITCHES
        ],
    )


class ZoomLiveStreamSwitch(ZoomMeetingEntity, SwitchEntity):
    """On while the meeting streams, as far as Zoom's events or the last command tell."""

    entity_description: ZoomSwitchEntityDescription

    def __init__(
        self,
        coordinator: ZoomCoordinator,
        meeting: Meeting,
        description: ZoomSwitchEntityDescription,
    ) -> None:
        """Control `meeting`'s stream."""
        super().__init__(coordinator, meeting, description)

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
        return bool(self.value)

    @zoom_command
    async def async_turn_on(self, /, **kwargs: Any) -> None:
        """Start the live stream."""
        await self.coordinator.commands.async_start(self.meeting)

    async def async_toggle(self, **kwargs: Any) -> None:
        """Flip what the last press asked for: quick presses alternate, none is lost."""
        if self.coordinator.commands.wants_streaming(self.meeting_id):
            await self.async_turn_off()
        else:
            await self.async_turn_on()

    @zoom_command
    async def async_turn_off(self, /, **kwargs: Any) -> None:
        """Stop the live stream."""
        await self.coordinator.commands.async_stop(self.meeting)
