"""What differs between the Home Assistant versions this integration supports.

The minimum is 2025.4; the newest tested is named in the README. Each helper
here uses the current API when Home Assistant has it and the older one
otherwise, so the rest of the integration has no version checks. Only one
branch of each runs on a given version, so each is covered by the test run
on the version that has it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus
import inspect
import sys
from typing import TYPE_CHECKING, Any, Protocol

__all__ = [
    "OptionsFlowWithReload",
    "ReferencedEntities",
    "async_extract_referenced_entity_ids",
    "async_get_entry_device",
    "oauth_token_request_error",
    "store_judges_versions",
    "vol",
]

import aiohttp

from homeassistant import config_entries, exceptions as ha_exceptions
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import device_registry as dr, service as ha_service
from homeassistant.helpers.storage import Store

# mypy checks this file against one release at a time: each ignore below is
# needed on one of the two and unused on the other, hence "unused-ignore".

# Home Assistant validates with probatio from 2026.10 (an API-compatible successor of
# voluptuous) and no longer requires voluptuous itself; older releases use voluptuous.
try:
    import probatio as vol  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - Home Assistant before 2026.10
    import voluptuous as vol  # type: ignore[no-redef,unused-ignore]

try:  # 2025.8 and later; the old helper in `service` is gone from 2026.8.
    from homeassistant.helpers import (  # type: ignore[attr-defined,unused-ignore]
        target as ha_target,
    )
except ImportError:  # pragma: no cover - Home Assistant before 2025.8
    ha_target = None  # type: ignore[assignment,unused-ignore]


# From 2025.8 an options flow can reload its entry by itself, and from 2026.11 an
# entry that also has an update listener is reported when a flow reloads it
# (`async_update_reload_and_abort`), which "will stop working in 2026.12.0". So no
# version uses an update listener: before 2025.8 this module's own class reloads.
class _OptionsFlowThatReloads(OptionsFlow):
    """An options flow whose changed options reload the entry, as 2025.8's does."""

    @callback
    def async_create_entry(  # pragma: no cover - Home Assistant before 2025.8
        self, *, data: Mapping[str, Any], **kwargs: Any
    ) -> ConfigFlowResult:
        """Save the options; reload the entry once they are stored, if changed."""
        if dict(data) != dict(self.config_entry.options):
            # Scheduled once this step returns and the flow manager has stored
            # the options: a reload started now would set up with the old ones.
            self.hass.loop.call_soon(
                self.hass.config_entries.async_schedule_reload,
                self.config_entry.entry_id,
            )
        return super().async_create_entry(data=data, **kwargs)


if TYPE_CHECKING:
    # Both releases' classes are options flows; nothing else of them is used.
    OptionsFlowWithReload = OptionsFlow
else:
    OptionsFlowWithReload = getattr(
        config_entries, "OptionsFlowWithReload", _OptionsFlowThatReloads
    )


class ReferencedEntities(Protocol):
    """The entity IDs an action's target names, directly or through devices/areas."""

    referenced: set[str]
    indirectly_referenced: set[str]


def async_extract_referenced_entity_ids(
    hass: HomeAssistant, call: ServiceCall
) -> ReferencedEntities:
    """Return the entities an action targets (entities, devices, areas, labels)."""
    if ha_target is not None:
        selected: ReferencedEntities = ha_target.async_extract_referenced_entity_ids(
            hass, ha_target.TargetSelection(call.data)
        )
        return selected
    extract: Callable[[HomeAssistant, ServiceCall], ReferencedEntities] = getattr(  # type: ignore[unreachable,unused-ignore]
        ha_service, "async_extract_referenced_entity_ids"
    )  # pragma: no cover - Home Assistant before 2025.8
    return extract(hass, call)  # pragma: no cover - Home Assistant before 2025.8


def oauth_token_request_error(err: aiohttp.ClientError, domain: str) -> Exception:
    """Return the error a refused or failed OAuth token request should raise.

    From 2026.1 Home Assistant tells a refused sign-in (`oauth_unauthorized`)
    from a failure (`oauth_failed`) only by its own token error types; older
    versions look at the aiohttp error's status (401 means refused).
    """
    reauth: Callable[..., Exception] | None = getattr(
        ha_exceptions, "OAuth2TokenRequestReauthError", None
    )
    if reauth is None:  # pragma: no cover - Home Assistant before 2026.1
        return err
    if not isinstance(err, aiohttp.ClientResponseError):
        connection: Callable[..., Exception] = getattr(
            ha_exceptions, "OAuth2TokenRequestConnectionError"
        )
        return connection(domain=domain)
    kind: Callable[..., Exception] = reauth
    if err.status == HTTPStatus.TOO_MANY_REQUESTS or err.status >= 500:
        # Zoom is busy or down: worth trying again, not a refusal.
        kind = getattr(ha_exceptions, "OAuth2TokenRequestTransientError")
    details: dict[str, Any] = {
        "request_info": err.request_info,
        "history": err.history,
        "status": err.status,
        "message": err.message,
        "headers": err.headers,
    }
    return kind(domain=domain, **details)


def async_get_entry_device(
    hass: HomeAssistant, entry_id: str, identifier: tuple[str, str]
) -> dr.DeviceEntry | None:
    """Return the entry's device with `identifier`.

    From 2026.10 identifiers are unique per config entry, and looking one up
    across entries (`async_get_device`) is deprecated.
    """
    registry = dr.async_get(hass)
    by_identifier: Callable[..., dr.DeviceEntry | None] | None = getattr(
        registry, "async_get_device_by_identifier", None
    )
    if by_identifier is not None:
        return by_identifier(identifier, entry_id)
    device = registry.async_get_device(  # pragma: no cover - before 2026.10
        identifiers={identifier}
    )
    return (  # pragma: no cover - before 2026.10
        device if device is not None and entry_id in device.config_entries else None
    )


def store_judges_versions() -> dict[str, Any]:
    """Keyword arguments for a `Store` whose migration judges every version.

    From 2026.10 Home Assistant refuses a file of a newer major version itself,
    before the store's migration runs, unless told it may read it; before, the
    migration was always asked.
    """
    if "max_readable_version" in inspect.signature(Store.__init__).parameters:
        return {"max_readable_version": sys.maxsize}
    return {}  # pragma: no cover - Home Assistant before 2026.10
