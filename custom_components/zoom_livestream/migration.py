"""Registry migration of 1.3: IDs scoped to the entry's Zoom user.

Before 1.3 a meeting's entities had the unique ID `<meeting id>_<key>` and its
device the identifier `<meeting id>`: two entries that both see a meeting (an
"other user" of the account, or the same extra meeting ID) collided, and the
second entry got no entities. 1.3 prefixes both with the Zoom user's ID. The
entity IDs, names, areas and other customisations stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .const import DOMAIN, IN_PROGRESS_KEY, LIVE_STREAM_KEY, LOGGER

_OLD_UNIQUE_ID = re.compile(rf"^(\d+)_({LIVE_STREAM_KEY}|{IN_PROGRESS_KEY})$")


async def async_migrate_registry(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Prefix the entry's meeting unique IDs and device identifiers with its user."""
    scope = str(entry.unique_id)

    def new_unique_id(entity: er.RegistryEntry) -> dict[str, Any] | None:
        if entity.domain == "sensor" or not (
            match := _OLD_UNIQUE_ID.fullmatch(entity.unique_id)
        ):
            return None
        return {"new_unique_id": f"{scope}_{match[1]}_{match[2]}"}

    await er.async_migrate_entries(hass, entry.entry_id, new_unique_id)

    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        identifiers = {
            (domain, f"{scope}_{value}")
            if domain == DOMAIN and value.isascii() and value.isdigit()
            else (domain, value)
            for domain, value in device.identifiers
        }
        if identifiers != device.identifiers:
            registry.async_update_device(device.id, new_identifiers=identifiers)
    LOGGER.debug("Scoped the IDs of %s to its Zoom user", entry.title)
