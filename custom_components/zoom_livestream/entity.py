"""Base entities: one Zoom meeting or webinar is one device; the account is another.

Every entity is described by an `EntityDescription` whose `value_fn` reads what it
shows from the coordinator's data. What an entity has written is compared with
what it would write now, derived from its description and availability, so an
entity redraws exactly when what it shows changed, and no entity can forget to.

Must not change the coordinator's data: entities only read it; commands go
through `coordinator.commands`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_CLOUD
from .coordinator import ZoomConfigEntry, ZoomCoordinator
from .devices import account_device_identifier, meeting_device_identifier, meeting_scope
from .state import ZoomData
from .zoom import WEB_BASE_URLS, Cloud, Meeting, MeetingKind


@dataclass(frozen=True, kw_only=True)
class ZoomMeetingEntityDescription(EntityDescription):
    """An entity of each meeting: what it shows of the data (None: nothing)."""

    value_fn: Callable[[ZoomData, Meeting], Any] = lambda data, meeting: None


@dataclass(frozen=True, kw_only=True)
class ZoomAccountEntityDescription(EntityDescription):
    """An entity of the account: what it shows, and whether it always can."""

    value_fn: Callable[[ZoomData], Any]
    # Shown even while Zoom cannot be polled (the last error matters most then).
    always_available: bool = False


class ZoomEntity(CoordinatorEntity[ZoomCoordinator]):
    """An entity that redraws only when what it shows changed.

    The coordinator's data changes with every poll (Zoom's rate-limit headers
    are part of it), so each entity compares what it would write with what it
    wrote last: an account of 5,000 meetings must not rewrite 10,000 states a
    minute.
    """

    _attr_has_entity_name = True
    _written: Hashable = None

    @property
    def value(self) -> Any:
        """What the entity shows, read from the data by its description."""
        raise NotImplementedError

    def shown(self) -> Hashable:
        """Return everything the entity's state shows (compared before redrawing)."""
        return (self.available, self.assumed_state, self.value)

    @callback
    def _handle_coordinator_update(self) -> None:
        if (shown := self.shown()) != self._written:
            self._written = shown
            self.async_write_ha_state()

    async def async_added_to_hass(self) -> None:
        """Remember the first state written."""
        await super().async_added_to_hass()
        self._written = self.shown()

    async def async_update(self) -> None:
        """Refresh now, lists included (`homeassistant.update_entity`)."""
        self.coordinator.async_request_full_refresh()
        await super().async_update()


class ZoomMeetingEntity(ZoomEntity):
    """An entity of one meeting or webinar."""

    entity_description: ZoomMeetingEntityDescription

    def __init__(
        self,
        coordinator: ZoomCoordinator,
        meeting: Meeting,
        description: ZoomMeetingEntityDescription,
    ) -> None:
        """Attach the entity to the meeting's device."""
        # The meeting as context: the coordinator wakes it only for its changes.
        super().__init__(coordinator, context=meeting.id)
        entry = coordinator.config_entry
        self.entity_description = description
        self.meeting_id = meeting.id
        self._meeting = meeting
        # Two entries can see one meeting (another user's, or an extra meeting
        # ID): the entry's Zoom user keeps the IDs apart.
        self._attr_unique_id = f"{meeting_scope(entry)}_{meeting.id}_{description.key}"

    @property
    def device_info(self) -> DeviceInfo:
        """The meeting's device: built when Home Assistant asks, never kept.

        Home Assistant reads it when the entity is added; an account of 5,000
        meetings would otherwise keep 15,000 copies of what is in the registry.
        """
        entry = self.coordinator.config_entry
        meeting = self._meeting
        cloud = Cloud(entry.data.get(CONF_CLOUD, Cloud.GLOBAL))
        # The join URL carries the meeting password, so link the web portal instead.
        return DeviceInfo(
            identifiers={meeting_device_identifier(entry, meeting.id)},
            name=meeting.topic,
            manufacturer="Zoom",
            model="Webinar" if meeting.kind is MeetingKind.WEBINAR else "Meeting",
            configuration_url=f"{WEB_BASE_URLS[cloud]}/{meeting.kind.value}/{meeting.id}",
        )

    @property
    def meeting(self) -> Meeting:
        """The meeting as last listed by Zoom."""
        return self.coordinator.data.meetings.get(self.meeting_id, self._meeting)

    @property
    def value(self) -> Any:
        """What the entity shows of its meeting."""
        return self.entity_description.value_fn(self.coordinator.data, self.meeting)

    @property
    def available(self) -> bool:
        """Available while Zoom answers and lists the meeting (or it ended lately)."""
        return super().available and self.meeting_id in self.coordinator.data.meetings


class ZoomAccountEntity(ZoomEntity):
    """An entity of the Zoom account itself, not of a meeting."""

    entity_description: ZoomAccountEntityDescription

    def __init__(
        self, coordinator: ZoomCoordinator, description: ZoomAccountEntityDescription
    ) -> None:
        """Attach the entity to the account's device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self.entity_description = description
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={account_device_identifier(entry)},
            name=entry.title,
            manufacturer="Zoom",
            model="Account",
        )

    @property
    def value(self) -> Any:
        """What the entity shows of the account."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def available(self) -> bool:
        """Available while Zoom answers, or always if the description says so."""
        return self.entity_description.always_available or super().available


def async_add_meeting_entities(
    entry: ZoomConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    create: Callable[[Meeting], Iterable[Entity]],
) -> None:
    """Add entities for every meeting now, and for each new one later."""
    coordinator = entry.runtime_data.coordinator
    known: set[int] = set()
    seen: list[Mapping[int, Meeting]] = []

    @callback
    def add_new_meetings() -> None:
        meetings = coordinator.data.meetings
        # Commands, events and live-only polls keep the lists as they were.
        if seen and seen[0] is meetings:
            return
        seen[:] = [meetings]
        # A removed meeting's device and entities are gone: if it comes back,
        # add it again.
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
