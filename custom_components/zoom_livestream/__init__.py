"""Zoom Live Stream: start and stop Zoom live streams from Home Assistant."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .connection import create_client
from .const import DOMAIN
from .coordinator import ZoomCoordinator
from .data import ZoomConfigEntry, ZoomRuntimeData
from .live_stream import LiveStreamController
from .services import async_setup_services
from .store import DisplaySettingsStore

PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.SWITCH]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, so automations validate even before an entry loads."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ZoomConfigEntry) -> bool:
    """Connect to Zoom, read the meetings, and add their devices."""
    client = create_client(async_get_clientsession(hass), entry.data)
    coordinator = ZoomCoordinator(hass, entry, client)
    # Raises ConfigEntryAuthFailed (reauth) or ConfigEntryNotReady (retried).
    await coordinator.async_config_entry_first_refresh()

    store = DisplaySettingsStore(hass, entry.entry_id)
    await store.async_load()
    controller = LiveStreamController(coordinator, client, store)
    entry.async_on_unload(
        coordinator.async_add_listener(controller.async_handle_coordinator_update)
    )
    entry.runtime_data = ZoomRuntimeData(
        client=client, coordinator=coordinator, controller=controller
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ZoomConfigEntry) -> bool:
    """Remove the entities; the actions stay registered."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: ZoomConfigEntry) -> None:
    """Delete the stored display settings with the entry."""
    await DisplaySettingsStore(hass, entry.entry_id).async_remove()


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: ZoomConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow deleting a device only when Zoom no longer lists its meeting."""
    meetings = entry.runtime_data.coordinator.data.meetings
    return not any(
        domain == DOMAIN and value.isdigit() and int(value) in meetings
        for domain, value in device.identifiers
    )
