"""Home Assistant's own floor: a minimal integration with the same entities and devices.

The setup benchmark compares the integration with this: a config entry whose
platforms add, for each meeting, a device (same identifiers, name, manufacturer,
model and link) with a switch, a binary sensor and an event entity, and on the
account's device two disabled sensors and a binary sensor. Each entity has the
attributes the integration's has (device class, assumed state, event types).
It reads nothing from anywhere, keeps nothing but the entities, and redraws
nothing: what it costs is what Home Assistant's registries, state machine and
entity platforms cost for that many entities, which no integration can go below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)

from custom_components.zoom_livestream.event import EVENT_TYPES
from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.components.event import EventEntity
from homeassistant.components.sensor import SensorEntity
from homeassistant.components.switch import SwitchEntity
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

FLOOR_DOMAIN = "zoom_floor"
PLATFORMS = (Platform.BINARY_SENSOR, Platform.EVENT, Platform.SENSOR, Platform.SWITCH)


@dataclass(frozen=True, slots=True)
class FloorMeeting:
    """What the floor knows of a meeting: what its device shows."""

    id: int
    topic: str


class _FloorFlow(ConfigFlow, domain=FLOOR_DOMAIN):
    """The floor's entries are made by the benchmark; its flow only has to exist."""


def _meeting_device(meeting: FloorMeeting) -> DeviceInfo:
    return DeviceInfo(
        identifiers={(FLOOR_DOMAIN, f"user_{meeting.id}")},
        name=meeting.topic,
        manufacturer="Zoom",
        model="Meeting",
        configuration_url=f"https://zoom.us/meeting/{meeting.id}",
    )


class _FloorEntity(Entity):
    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, device: DeviceInfo, unique_id: str, key: str) -> None:
        self._attr_device_info = device
        self._attr_unique_id = unique_id
        # Named as the integration's entities are, through a translation key
        # (the floor has no translations: Home Assistant looks them up alike).
        self._attr_translation_key = key


class _FloorSwitch(_FloorEntity, SwitchEntity):
    # Without Zoom's events the integration's switch shows an assumed state.
    _attr_assumed_state = True
    _attr_is_on = False


class _FloorBinarySensor(_FloorEntity, BinarySensorEntity):
    _attr_device_class = BinarySensorDeviceClass.RUNNING
    _attr_is_on = False


class _FloorEvent(_FloorEntity, EventEntity):
    _attr_event_types = list(EVENT_TYPES)


class _FloorSensor(_FloorEntity, SensorEntity):
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_entity_registry_enabled_default = False


def _entities(platform: Platform, meetings: Iterable[FloorMeeting]) -> list[Entity]:
    account = DeviceInfo(identifiers={(FLOOR_DOMAIN, "user")}, name="Account")
    if platform is Platform.SENSOR:
        return [
            _FloorSensor(account, "user_requests_remaining", "requests_remaining"),
            _FloorSensor(account, "user_last_error", "last_error"),
        ]
    extra: list[Entity] = []
    if platform is Platform.BINARY_SENSOR:
        extra.append(_FloorBinarySensor(account, "user_in_a_meeting", "in_a_meeting"))
    kind, key = {
        Platform.SWITCH: (_FloorSwitch, "live_stream"),
        Platform.BINARY_SENSOR: (_FloorBinarySensor, "in_progress"),
        Platform.EVENT: (_FloorEvent, "zoom_event"),
    }[platform]
    return extra + [
        kind(_meeting_device(meeting), f"user_{meeting.id}_{platform}", key)
        for meeting in meetings
    ]


def floor_entry(hass: HomeAssistant, meetings: list[FloorMeeting]) -> MockConfigEntry:
    """Make the floor integration known to `hass` and return an entry to set up."""

    async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
        return True

    async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)

    mock_integration(
        hass,
        MockModule(
            FLOOR_DOMAIN,
            async_setup_entry=async_setup_entry,
            async_unload_entry=async_unload_entry,
        ),
    )
    # A config entry's integration has a config flow; the floor's does nothing.
    mock_platform(hass, f"{FLOOR_DOMAIN}.config_flow", None)
    for platform in PLATFORMS:

        async def async_setup_platform_entry(
            hass: HomeAssistant,
            entry: ConfigEntry,
            async_add_entities: AddConfigEntryEntitiesCallback,
            platform: Platform = platform,
        ) -> None:
            async_add_entities(_entities(platform, meetings))

        mock_platform(
            hass,
            f"{FLOOR_DOMAIN}.{platform}",
            MockPlatform(async_setup_entry=async_setup_platform_entry),
        )
    entry = MockConfigEntry(domain=FLOOR_DOMAIN, title="floor")
    entry.add_to_hass(hass)
    return entry
