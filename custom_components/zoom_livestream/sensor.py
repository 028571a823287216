"""Diagnostic sensors of the Zoom account: requests left today, last error."""

from __future__ import annotations

from homeassistant.components.sensor import SensorEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import ZoomCoordinator
from .data import ZoomConfigEntry

# Read-only: values come from the coordinator and the client.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZoomConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the account's diagnostic sensors."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        [ZoomRequestsRemainingSensor(coordinator), ZoomLastErrorSensor(coordinator)]
    )


class ZoomAccountEntity(CoordinatorEntity[ZoomCoordinator]):
    """An entity of the Zoom account itself, not of a meeting."""

    _attr_has_entity_name = True
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    # Useful when troubleshooting, noise otherwise.
    _attr_entity_registry_enabled_default = False

    def __init__(self, coordinator: ZoomCoordinator, key: str) -> None:
        """Attach the entity to the account's device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_translation_key = key
        self._attr_unique_id = f"{entry.unique_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"account_{entry.unique_id}")},
            name=entry.title,
            manufacturer="Zoom",
            model="Account",
            entry_type=DeviceEntryType.SERVICE,
        )


class ZoomRequestsRemainingSensor(ZoomAccountEntity, SensorEntity):
    """Zoom's X-RateLimit-Remaining of the last answer: requests left today."""

    def __init__(self, coordinator: ZoomCoordinator) -> None:
        """Read the client's last rate-limit headers."""
        super().__init__(coordinator, "requests_remaining")

    @property
    def native_value(self) -> int | None:
        """Return the requests left in the current rate-limit window."""
        limits = self.coordinator.client.rate_limit
        return limits.remaining if limits is not None else None


class ZoomLastErrorSensor(ZoomAccountEntity, SensorEntity):
    """The last error Zoom gave, from a poll or a command."""

    def __init__(self, coordinator: ZoomCoordinator) -> None:
        """Read the coordinator's last error."""
        super().__init__(coordinator, "last_error")

    @property
    def available(self) -> bool:
        """Stay available: the error matters most while Zoom fails."""
        return True

    @property
    def native_value(self) -> str | None:
        """Return the last error, or nothing when there was none."""
        return self.coordinator.last_error
