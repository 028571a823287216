"""Whether each meeting is in progress."""

from __future__ import annotations

from collections.abc import Hashable

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .const import IN_PROGRESS_KEY
from .coordinator import ZoomConfigEntry, ZoomCoordinator
from .entity import ZoomMeetingEntity, async_add_meeting_entities
from .zoom import Meeting

# Read-only: states come from the coordinator.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZoomConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add an in-progress sensor per meeting, now and as meetings appear."""
    coordinator = entry.runtime_data.coordinator
    async_add_meeting_entities(
        entry,
        async_add_entities,
        lambda meeting: [ZoomInProgressSensor(coordinator, meeting)],
    )


class ZoomInProgressSensor(ZoomMeetingEntity, BinarySensorEntity):
    """On while the meeting runs; unknown for webinars until Zoom's events tell."""

    _attr_device_class = BinarySensorDeviceClass.RUNNING

    def __init__(self, coordinator: ZoomCoordinator, meeting: Meeting) -> None:
        """Follow `meeting` in the coordinator's live list."""
        super().__init__(coordinator, meeting, IN_PROGRESS_KEY)

    @property
    def is_on(self) -> bool | None:
        """Return whether the meeting is in progress."""
        return self.coordinator.data.in_progress(self.meeting)

    def shown(self) -> Hashable:
        """Return whether the meeting runs."""
        return (self.available, self.is_on)
