"""Per-meeting display settings, kept across restarts."""

from __future__ import annotations

from typing import Any, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .zoom import LiveStreamStartSettings

STORAGE_VERSION = 1


class StoredDisplaySettings(TypedDict, total=False):
    """What is stored for one meeting: only the values the user set."""

    display_name: str
    active_speaker_name: bool


class DisplaySettingsStore:
    """Display settings per meeting ID, in `.storage/zoom_livestream.<entry_id>`."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the store; nothing is read until `async_load`."""
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}"
        )
        self._settings: dict[int, StoredDisplaySettings] = {}

    async def async_load(self) -> None:
        """Read the stored settings once at setup."""
        data = await self._store.async_load() or {}
        meetings = data.get("meetings", {})
        self._settings = {}
        for key, value in meetings.items():
            if not (isinstance(key, str) and key.isdigit() and isinstance(value, dict)):
                continue
            settings: StoredDisplaySettings = {}
            if isinstance(name := value.get("display_name"), str):
                settings["display_name"] = name
            if isinstance(speaker := value.get("active_speaker_name"), bool):
                settings["active_speaker_name"] = speaker
            self._settings[int(key)] = settings

    def get(self, meeting_id: int) -> LiveStreamStartSettings:
        """Return the settings to send when starting this meeting's stream."""
        stored = self._settings.get(meeting_id, {})
        return LiveStreamStartSettings(
            display_name=stored.get("display_name"),
            active_speaker_name=stored.get("active_speaker_name"),
        )

    async def async_update(
        self, meeting_id: int, changes: StoredDisplaySettings
    ) -> None:
        """Merge `changes` into the meeting's settings and save them."""
        self._settings[meeting_id] = {**self._settings.get(meeting_id, {}), **changes}
        await self._store.async_save(self._as_json())

    async def async_remove(self) -> None:
        """Delete the file: the config entry is being removed."""
        await self._store.async_remove()

    def _as_json(self) -> dict[str, Any]:
        return {
            "meetings": {
                str(meeting_id): dict(settings)
                for meeting_id, settings in self._settings.items()
            }
        }
