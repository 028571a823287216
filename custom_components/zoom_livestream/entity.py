"""Base entity: one Zoom meeting or webinar is one device."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_CLOUD, DOMAIN
from .coordinator import ZoomCoordinator
from .data import ZoomConfigEntry
from .zoom import WEB_BASE_URLS, Cloud, Meeting, MeetingKind


class ZoomMeetingEntity(CoordinatorEntity[ZoomCoordinator]):
    """An entity of one meeting or webinar."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: ZoomCoordinator, meeting: Meeting, key: str
    ) -> None:
        """Attach the entity to the meeting's device."""
        super().__init__(coordinator)
        self.meeting_id = meeting.id
        self._meeting = meeting
        self._attr_translation_key = key
        self._attr_unique_id = f"{meeting.id}_{key}"
        cloud = Cloud(coordinator.config_entry.data.get(CONF_CLOUD, Cloud.GLOBAL))
        # The join URL carries the meeting password, so link the web portal instead.
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, str(meeting.id))},
            name=meeting.topic,
            manufacturer="Zoom",
            model="Webinar" if meeting.kind is MeetingKind.WEBINAR else "Meeting",
            entry_type=DeviceEntryType.SERVICE,
            configuration_url=f"{WEB_BASE_URLS[cloud]}/{meeting.kind.value}/{meeting.id}",
        )

    @property
    def meeting(self) -> Meeting:
        """The meeting as last listed by Zoom."""
        return self.coordinator.data.meetings.get(self.meeting_id, self._meeting)

    @property
    def available(self) -> bool:
        """Available while Zoom answers and still lists the meeting."""
        return super().available and self.meeting_id in self.coordinator.data.meetings


def async_add_meeting_entities(
    entry: ZoomConfigEntry,
    async_add_entities: AddEntitiesCallback,
    create: Callable[[Meeting], Iterable[Entity]],
) -> None:
    """Add entities for every meeting now, and for each new one after a poll."""
    coordinator = entry.runtime_data.coordinator
    known: set[int] = set()

    @callback
    def add_new_meetings() -> None:
        meetings = coordinator.data.meetings
        # A deleted meeting's device is removed; if it comes back, add it again.
        known.intersection_update(meetings)
        new = [
            meeting
            for meeting_id, meeting in meetings.items()
            if meeting_id not in known
        ]
        if not new:
            return
        known.update(meeting.id for meeting in new)
        async_add_entities(entity for meeting in new for entity in create(meeting))

    add_new_meetings()
    entry.async_on_unload(coordinator.async_add_listener(add_new_meetings))
