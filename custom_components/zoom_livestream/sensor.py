"""Diagnostic sensors of the Zoom account: requests left today, last error."""

from __future__ import annotations

from collections.abc import Hashable

from homeassistant.components.sensor import SensorEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .coordinator import ZoomConfigEntry, ZoomCoordinator
from .entity import ZoomAccountEntity

# Read-only: values come from the coordinator.
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


class ZoomDiagnosticSensor(ZoomAccountEntity, SensorEntity):
    """A diagnostic sensor of the account, disabled until someone needs it."""

    _attr_entity_category = EntityCategory.DIAGNOSTIC
    # Useful when troubleshooting, noise otherwise.
    _attr_entity_registry_enabled_default = False

    def shown(self) -> Hashable:
        """Return the value."""
        return (self.available, self.native_value)


class ZoomRequestsRemainingSensor(ZoomDiagnosticSensor):
    """Zoom's X-RateLimit-Remaining of the last answer: requests left today."""

    def __init__(self, coordinator: ZoomCoordinator) -> None:
        """Read the rate-limit headers of Zoom's last answer."""
        super().__init__(coordinator, "requests_remaining")

    @property
    def native_value(self) -> int | None:
        """Return the requests left in the current rate-limit window."""
        limits = self.coordinator.data.rate_limit
        return limits.remaining if limits is not None else None


class ZoomLastErrorSensor(ZoomDiagnosticSensor):
    """The last error Zoom gave, from a poll or a command (no personal data)."""

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
        return self.coordinator.data.last_error
