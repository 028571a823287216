"""Whether each meeting is in progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import IN_PROGRESS_KEY
from .coordinator import ZoomConfigEntry
from .entity import (
    ZoomMeetingEntity,
    ZoomMeetingEntityDescription,
    async_add_meeting_entities,
)
from .state import ZoomData
from .zoom import Meeting

# Read-only: states come from the coordinator.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class ZoomBinarySensorEntityDescription(
    ZoomMeetingEntityDescription, BinarySensorEntityDescription
):
    """A meeting's binary sensor: on, off, or unknown (None) by `value_fn`."""

    value_fn: Callable[[ZoomData, Meeting], bool | None]


BINARY_SENSORS: tuple[ZoomBinarySensorEntityDescription, ...] = (
    ZoomBinarySensorEntityDescription(
        key=IN_PROGRESS_KEY,
        translation_key=IN_PROGRESS_KEY,
        device_class=BinarySensorDeviceClass.RUNNING,
        # Unknown for webinars until Zoom's events tell.
        value_fn=lambda data, meeting: data.in_progress(meeting),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZoomConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an in-progress sensor per meeting, now and as meetings appear."""
    coordinator = entry.runtime_data.coordinator
    async_add_meeting_entities(
        entry,
        async_add_entities,
        lambda meeting: [
            ZoomMeetingBinarySensor(coordinator, meeting, description)
            for description in BINARY_SENSORS
        ],
    )


class ZoomMeetingBinarySensor(ZoomMeetingEntity, BinarySensorEntity):
    """A binary sensor of a meeting, as its description reads the data."""

    entity_description: ZoomBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """Return the description's value."""
        value: bool | None = self.value
        return value
