"""Diagnostic sensors of the Zoom account: requests left today, last error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import SensorEntity, SensorEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ZoomConfigEntry
from .entity import ZoomAccountEntity, ZoomAccountEntityDescription
from .state import ZoomData

# Read-only: values come from the coordinator.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class ZoomSensorEntityDescription(
    ZoomAccountEntityDescription, SensorEntityDescription
):
    """A diagnostic sensor of the account, disabled until someone needs it."""

    value_fn: Callable[[ZoomData], int | str | None]
    entity_category: EntityCategory | None = EntityCategory.DIAGNOSTIC
    # Useful when troubleshooting, noise otherwise.
    entity_registry_enabled_default: bool = False


SENSORS: tuple[ZoomSensorEntityDescription, ...] = (
    # Zoom's X-RateLimit-Remaining of the last answer: requests left today.
    ZoomSensorEntityDescription(
        key="requests_remaining",
        translation_key="requests_remaining",
        value_fn=lambda data: (
            data.rate_limit.remaining if data.rate_limit is not None else None
        ),
    ),
    # The last error Zoom gave, from a poll or a command (no personal data);
    # it matters most while Zoom fails.
    ZoomSensorEntityDescription(
        key="last_error",
        translation_key="last_error",
        value_fn=lambda data: data.last_error,
        always_available=True,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZoomConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's diagnostic sensors."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        ZoomAccountSensor(coordinator, description) for description in SENSORS
    )


class ZoomAccountSensor(ZoomAccountEntity, SensorEntity):
    """A sensor of the account, as its description reads the data."""

    entity_description: ZoomSensorEntityDescription

    @property
    def native_value(self) -> int | str | None:
        """Return the description's value."""
        value: int | str | None = self.value
        return value
