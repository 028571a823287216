"""Zoom Live Stream: start and stop Zoom live streams from Home Assistant."""

from __future__ import annotations

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from . import issues
from .cloudhook import EntryCloudhook, async_delete_cloudhook
from .connection import async_create_entry_client
from .const import (
    AUTH_TYPE_SERVER_TO_SERVER,
    COMMAND_DRAIN_TIMEOUT,
    CONF_ACCOUNT_ID,
    CONF_AUTH_TYPE,
    CONF_WEBHOOK_ID,
    DOMAIN,
    LOGGER,
)
from .coordinator import ZoomConfigEntry, ZoomCoordinator, ZoomRuntimeData
from .devices import account_device_identifier, meeting_id_of_device, meeting_scope
from .migration import async_migrate_registry
from .push import ZoomWebhookReceiver, async_setup_webhook
from .services import async_setup_services
from .store import ZoomStore
from .webhook_health import WebhookHealth

# Entry data keys that older versions stored and 1.3 removed.
REMOVED_DATA_KEYS = frozenset({"api_base_url", "oauth_base_url"})

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, so automations validate even before an entry loads."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ZoomConfigEntry) -> bool:
    """Connect to Zoom, read the meetings, and add their devices."""
    try:
        client = await async_create_entry_client(hass, entry)
    except ValueError as err:
        # The application credentials of a "Sign in with Zoom" entry were deleted.
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="oauth_credentials_missing"
        ) from err
    coordinator = ZoomCoordinator(hass, entry, client, ZoomStore(hass, entry.entry_id))
    # Raises ConfigEntryAuthFailed (reauth) or ConfigEntryNotReady (retried).
    await coordinator.async_config_entry_first_refresh()
    coordinator.async_restore_streams()
    if CONF_WEBHOOK_ID not in entry.data:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: webhook.async_generate_id()}
        )
    health = WebhookHealth(hass, entry, coordinator)
    receiver = ZoomWebhookReceiver(
        hass,
        entry,
        coordinator,
        account_id=entry.data.get(CONF_ACCOUNT_ID, ""),
        health=health,
    )
    entry.runtime_data = runtime = ZoomRuntimeData(
        coordinator=coordinator, webhook_health=health
    )
    unregister_webhook = async_setup_webhook(hass, entry, receiver)
    cloudhook = EntryCloudhook(hass, entry, runtime)
    try:
        await cloudhook.async_update()
        await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    except BaseException:
        # Cut short (Home Assistant stopping): a failed setup runs no unload
        # callbacks, and a webhook left registered would fail every later setup.
        unregister_webhook()
        raise
    entry.async_on_unload(unregister_webhook)
    entry.async_on_unload(cloudhook.async_follow_connection())
    entry.async_on_unload(health.async_start())
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: ZoomConfigEntry) -> bool:
    """Upgrade entries from older versions of the integration."""
    if entry.version > 1:
        # A newer version of the integration wrote this entry.
        return False
    if entry.minor_version < 2:
        # 1.1 entries predate "Sign in with Zoom": they are all Server-to-Server.
        hass.config_entries.async_update_entry(
            entry,
            data={CONF_AUTH_TYPE: AUTH_TYPE_SERVER_TO_SERVER, **entry.data},
            minor_version=2,
        )
        LOGGER.debug("Migrated entry %s to version 1.2", entry.title)
    if entry.minor_version < 3:
        # Until 1.3 advanced mode could store other Zoom addresses (for the local
        # simulator). Contributors now use an environment variable instead.
        # 1.3 also scopes unique IDs and device identifiers to the Zoom user.
        await async_migrate_registry(hass, entry)
        hass.config_entries.async_update_entry(
            entry,
            data={
                key: value
                for key, value in entry.data.items()
                if key not in REMOVED_DATA_KEYS
            },
            minor_version=3,
        )
        LOGGER.debug("Migrated entry %s to version 1.3", entry.title)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ZoomConfigEntry) -> bool:
    """Remove the entities and save the stream state; the actions stay registered."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        coordinator = entry.runtime_data.coordinator
        # A press already asked for finishes first: what Zoom accepts is stored,
        # and the reloaded entry starts from it (no new press reaches this one).
        if not await coordinator.commands.async_wait_idle(COMMAND_DRAIN_TIMEOUT):
            LOGGER.warning(
                "Unloading %s while Zoom has not answered a command yet", entry.title
            )
        await coordinator.store.async_flush()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: ZoomConfigEntry) -> None:
    """Delete the entry's repair issues, stored state and cloudhook with it."""
    issues.async_clear_all(hass, entry)
    await ZoomStore(hass, entry.entry_id).async_remove()
    await async_delete_cloudhook(hass, entry)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: ZoomConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow deleting a meeting's device only when Zoom no longer lists the meeting.

    The account's device holds the diagnostic sensors: it goes with the entry.
    Refused with a reason while the entry is not loaded: a listed meeting's device
    would come back at the next load as a new one, which automations do not name.
    """
    if account_device_identifier(entry) in device.identifiers:
        return False
    if entry.state is not ConfigEntryState.LOADED:
        # Whether Zoom still lists the meeting is known only while loaded.
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="device_entry_not_loaded",
            translation_placeholders={"title": entry.title},
        )
    meeting_id = meeting_id_of_device(meeting_scope(entry), device)
    return meeting_id not in entry.runtime_data.coordinator.data.meetings
