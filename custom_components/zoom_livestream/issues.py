"""Repair issues: things only the user can fix, raised and cleared as they change."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .zoom import ZoomPermissionError

ISSUE_MISSING_SCOPES = "missing_scopes"
ISSUE_STREAMING_NOT_ALLOWED = "streaming_not_allowed"
ISSUE_WEBHOOK_SECRET_MISSING = "webhook_secret_missing"

# Zoom's words when the plan or the host's settings forbid custom live streaming.
_NOT_ALLOWED_HINTS = ("not allowed", "not enabled", "not configured", "plan", "upgrade")


def _issue_id(kind: str, entry: ConfigEntry) -> str:
    return f"{kind}_{entry.entry_id}"


@callback
def async_raise(
    hass: HomeAssistant,
    entry: ConfigEntry,
    kind: str,
    placeholders: dict[str, str] | None = None,
) -> None:
    """Show (or update) a repair issue for this entry."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        _issue_id(kind, entry),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=kind,
        translation_placeholders={"title": entry.title, **(placeholders or {})},
    )


@callback
def async_clear(hass: HomeAssistant, entry: ConfigEntry, *kinds: str) -> None:
    """Remove issues the user has fixed."""
    for kind in kinds:
        ir.async_delete_issue(hass, DOMAIN, _issue_id(kind, entry))


@callback
def async_raise_for_permission_error(
    hass: HomeAssistant, entry: ConfigEntry, err: ZoomPermissionError
) -> None:
    """Turn a refusal the user must fix in Zoom into a repair issue."""
    if err.missing_scopes:
        async_raise(
            hass, entry, ISSUE_MISSING_SCOPES, {"scopes": ", ".join(err.missing_scopes)}
        )
    elif err.code == 200 or any(
        hint in err.message.lower() for hint in _NOT_ALLOWED_HINTS
    ):
        async_raise(hass, entry, ISSUE_STREAMING_NOT_ALLOWED, {"message": err.message})
