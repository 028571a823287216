"""Home Assistant's own floor: a minimal integration with the same entities and devices.

The setup benchmark compares the integration with this: a config entry whose
platforms add, for each meeting, a device (same identifiers, name, manufacturer,
model and link) with a switch, a binary sensor and an event entity, and on the
account's device two disabled sensors. It reads nothing from anywhere, keeps
nothing but the entities, and redraws nothing: what it costs is what Home
Assistant's registries, state machine and entity platforms cost for that many
entities, which no integration can go below.
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

from homeassistant.components.binary_sensor import BinarySensorEntity
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

    def __init__(self, device: DeviceInfo, unique_id: str, name: str) -> None:
        self._attr_device_info = device
        self._attr_unique_id = unique_id
        self._attr_name = name


class _FloorSwitch(_FloorEntity, SwitchEntity):
    _attr_is_on = False


class _FloorBinarySensor(_FloorEntity, BinarySensorEntity):
    _attr_is_on = False


class _FloorEvent(_FloorEntity, EventEntity):
    _attr_event_types = ["meeting_started", "meeting_ended"]


class _FloorSensor(_FloorEntity, SensorEntity):
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_entity_registry_enabled_default = False


def _entities(platform: Platform, meetings: Iterable[FloorMeeting]) -> list[Entity]:
    if platform is Platform.SENSOR:
        account = DeviceInfo(identifiers={(FLOOR_DOMAIN, "user")}, name="Account")
        return [
            _FloorSensor(account, "user_requests_left", "API requests left"),
            _FloorSensor(account, "user_last_error", "Last Zoom error"),
        ]
    kind, name = {
        Platform.SWITCH: (_FloorSwitch, "Live stream"),
        Platform.BINARY_SENSOR: (_FloorBinarySensor, "In progress"),
        Platform.EVENT: (_FloorEvent, "Zoom event"),
    }[platform]
    return [
        kind(_meeting_device(meeting), f"user_{meeting.id}_{platform}", name)
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
