"""Devices: one per meeting or webinar, one for the account; their identifiers.

Owns the device identifiers (scoped to the entry's Zoom user, so two entries that
see one meeting keep apart), reading a device's meeting back from its identifier,
and keeping the registry in step with Zoom's lists (removing the devices of
meetings Zoom no longer lists, following renamed topics).

Must not import the coordinator, the platforms or the Zoom client's transport.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .changes import PollResult
from .compat import async_get_entry_device
from .const import DOMAIN, LOGGER
from .store import ZoomStore
from .zoom import Meeting


def meeting_scope(entry: ConfigEntry) -> str:
    """Return what makes this entry's IDs unique: its Zoom user's ID."""
    return str(entry.unique_id)


def meeting_device_identifier(entry: ConfigEntry, meeting_id: int) -> tuple[str, str]:
    """Return the device identifier of a meeting, scoped to the entry's Zoom user."""
    return (DOMAIN, f"{meeting_scope(entry)}_{meeting_id}")


def account_device_identifier(entry: ConfigEntry) -> tuple[str, str]:
    """Return the identifier of the account's own device."""
    return (DOMAIN, f"account_{entry.unique_id}")


def meeting_id_of_device(scope: str, device: dr.DeviceEntry) -> int | None:
    """Return the meeting a device of this entry stands for, if it is one."""
    for domain, value in device.identifiers:
        if domain == DOMAIN and value.startswith(f"{scope}_"):
            rest = value.removeprefix(f"{scope}_")
            if rest.isascii() and rest.isdigit():
                return int(rest)
    return None


@callback
def async_sync_devices(
    hass: HomeAssistant, entry: ConfigEntry, meetings: Mapping[int, Meeting]
) -> None:
    """Remove devices of meetings Zoom no longer lists; follow renamed topics."""
    registry = dr.async_get(hass)
    scope = meeting_scope(entry)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        meeting_id = meeting_id_of_device(scope, device)
        if meeting_id is None:
            # The account's own device (diagnostic sensors) is not a meeting.
            continue
        _async_follow(registry, device, meetings.get(meeting_id))


@callback
def _async_follow(
    registry: dr.DeviceRegistry, device: dr.DeviceEntry, meeting: Meeting | None
) -> None:
    """Remove a meeting's device when Zoom no longer lists it; follow its topic."""
    if meeting is None:
        LOGGER.debug("Removing device %s: no longer in Zoom", device.name)
        registry.async_remove_device(device.id)
    elif device.name != meeting.topic:
        registry.async_update_device(device.id, name=meeting.topic)


@callback
def async_sync_changed_devices(
    hass: HomeAssistant,
    entry: ConfigEntry,
    meetings: Mapping[int, Meeting],
    changed: Iterable[int],
) -> None:
    """Like `async_sync_devices`, for the meetings that changed only.

    Each device is found by its identifier: a full poll of 5,000 meetings that
    changed a few touches a few devices, and parses no identifier.
    """
    registry = dr.async_get(hass)
    for meeting_id in changed:
        device = async_get_entry_device(
            hass, entry.entry_id, meeting_device_identifier(entry, meeting_id)
        )
        if device is not None:
            _async_follow(registry, device, meetings.get(meeting_id))


class DeviceSync:
    """Keeps the registry's devices, and the store, in step with Zoom's lists.

    Until the first complete full list every device is looked at (some may be
    left from before a restart); after it, only those of meetings that changed.
    """

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, store: ZoomStore
    ) -> None:
        """Follow `entry`'s devices; forget in `store` what goes."""
        self._hass = hass
        self._entry = entry
        self._store = store
        self._in_step = False

    @callback
    def async_after_poll(
        self,
        poll: PollResult,
        meetings: Mapping[int, Meeting],
        changed: frozenset[int] | None,
    ) -> None:
        """Follow what a poll changed (`changed` None: possibly everything)."""
        if not poll.full:
            return
        if not poll.complete:
            # Only what Zoom's own lists no longer have goes: while Zoom refuses
            # a part of the options it did not list before, nothing is removed,
            # and the next complete list looks at every device again.
            self._in_step = False
        elif not self._in_step or changed is None:
            async_sync_devices(self._hass, self._entry, meetings)
            self._store.async_prune(set(meetings))
            self._in_step = True
        elif changed:
            self.async_follow(meetings, changed)

    @callback
    def async_follow(
        self, meetings: Mapping[int, Meeting], changed: frozenset[int]
    ) -> None:
        """Follow the meetings that changed: rename or remove their devices."""
        async_sync_changed_devices(self._hass, self._entry, meetings, changed)
        if gone := changed - meetings.keys():
            self._store.async_forget(gone)
