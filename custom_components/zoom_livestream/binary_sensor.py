"""Whether each meeting is in progress, and whether the account's user is in one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import IN_A_MEETING_KEY, IN_PROGRESS_KEY
from .coordinator import ZoomConfigEntry, ZoomCoordinator
from .devices import meeting_scope
from .entity import (
    ZoomEntity,
    ZoomMeetingEntity,
    ZoomMeetingEntityDescription,
    account_device_info,
    async_add_meeting_entities,
)
from .state import InAMeeting, ZoomData, hosted_webinars, in_a_meeting
from .zoom import Meeting

# Read-only: states come from the coordinator.
PARALLEL_UPDATES = 0

# The meetings In a meeting names at most: a user rarely hosts more than two at
# once, and an attribute that grows with the account would bloat every state.
MAX_MEETINGS_SHOWN = 5
ATTR_MEETINGS = "meetings"


@dataclass(frozen=True, kw_only=True)
class ZoomBinarySensorEntityDescription(
    ZoomMeetingEntityDescription, BinarySensorEntityDescription
):
    """A meeting's binary sensor: on, off, or unknown (None) by `value_fn`."""

    value_fn: Callable[[ZoomData, Meeting], bool | None]


@dataclass(frozen=True, kw_only=True)
class ZoomUserBinarySensorEntityDescription(BinarySensorEntityDescription):
    """A binary sensor of the entry's own Zoom user, on the account's device.

    `value_fn` reads it of the data, given the user's ID and the webinars that
    user hosts (found once per meeting list, not at every update).
    """

    value_fn: Callable[[ZoomData, str, frozenset[int]], InAMeeting]


BINARY_SENSORS: tuple[ZoomBinarySensorEntityDescription, ...] = (
    ZoomBinarySensorEntityDescription(
        key=IN_PROGRESS_KEY,
        translation_key=IN_PROGRESS_KEY,
        device_class=BinarySensorDeviceClass.RUNNING,
        # Unknown for webinars until Zoom's events tell.
        value_fn=lambda data, meeting: data.in_progress(meeting),
    ),
)

USER_BINARY_SENSORS: tuple[ZoomUserBinarySensorEntityDescription, ...] = (
    # On while a meeting or webinar the user hosts is in progress; unknown
    # while none is and one cannot be known (the same rules as In progress).
    ZoomUserBinarySensorEntityDescription(
        key=IN_A_MEETING_KEY,
        translation_key=IN_A_MEETING_KEY,
        value_fn=in_a_meeting,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZoomConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an in-progress sensor per meeting, now and as meetings appear."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        ZoomUserBinarySensor(coordinator, description)
        for description in USER_BINARY_SENSORS
    )
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


class ZoomUserBinarySensor(ZoomEntity, BinarySensorEntity):
    """A binary sensor of the entry's Zoom user, naming the meetings it is about.

    Available while Zoom answers, as the meetings' sensors are.
    """

    entity_description: ZoomUserBinarySensorEntityDescription

    def __init__(
        self,
        coordinator: ZoomCoordinator,
        description: ZoomUserBinarySensorEntityDescription,
    ) -> None:
        """Attach the entity to the account's device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self.entity_description = description
        # The entry's unique ID is its Zoom user's ID: the host of its meetings.
        self._user_id = meeting_scope(entry)
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_device_info = account_device_info(entry)
        self._webinars_of: Mapping[int, Meeting] | None = None
        self._webinars: frozenset[int] = frozenset()

    @property
    def value(self) -> InAMeeting:
        """What the description reads of the data for the entry's user.

        The user's webinars are found again only when the meetings changed:
        with 5,000 meetings, an event or a toggle must not walk them all.
        """
        data = self.coordinator.data
        if data.meetings is not self._webinars_of:
            self._webinars = hosted_webinars(data.meetings, self._user_id)
            self._webinars_of = data.meetings
        return self.entity_description.value_fn(data, self._user_id, self._webinars)

    @property
    def is_on(self) -> bool | None:
        """On, off, or unknown, as the description reads it."""
        return self.value.is_on

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Which meetings run (ID and topic; nothing that lets anyone join)."""
        return {
            ATTR_MEETINGS: [
                {"id": meeting.id, "topic": meeting.topic}
                for meeting in self.value.running[:MAX_MEETINGS_SHOWN]
            ]
        }
