"""Repair issues: things only the user can fix, raised and cleared as they change.

Each issue is cleared only by the operation that raised it succeeding: a
missing read scope by a poll, a missing write scope by a command.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .zoom import ZoomPermissionError

# Translation keys; the issue IDs add the entry ID.
ISSUE_MISSING_SCOPES = "missing_scopes"
ISSUE_MISSING_SCOPES_WRITE = "missing_scopes_write"
ISSUE_STREAMING_NOT_ALLOWED = "streaming_not_allowed"
ISSUE_WEBHOOK_SECRET_MISSING = "webhook_secret_missing"
ISSUE_OPTION_SKIPPED = "option_skipped"
# Cleared by Zoom's URL validation or a signed event (webhook_health.py).
ISSUE_WEBHOOK_NOT_VALIDATED = "webhook_not_validated"
ISSUE_WEBHOOK_EVENTS_STOPPED = "webhook_events_stopped"


def _issue_id(kind: str, entry: ConfigEntry) -> str:
    return f"{kind}_{entry.entry_id}"


@callback
def async_raise(
    hass: HomeAssistant,
    entry: ConfigEntry,
    kind: str,
    placeholders: dict[str, str] | None = None,
    *,
    translation_key: str | None = None,
) -> None:
    """Show (or update) a repair issue for this entry."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        _issue_id(kind, entry),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=translation_key or kind,
        translation_placeholders={"title": entry.title, **(placeholders or {})},
    )


@callback
def async_clear(hass: HomeAssistant, entry: ConfigEntry, *kinds: str) -> None:
    """Remove issues the user has fixed."""
    for kind in kinds:
        ir.async_delete_issue(hass, DOMAIN, _issue_id(kind, entry))


@callback
def async_clear_all(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Remove every issue of an entry that is being removed, whatever its kind."""
    suffix = f"_{entry.entry_id}"
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue_id.endswith(suffix):
            ir.async_delete_issue(hass, DOMAIN, issue_id)


@callback
def async_clear_poll_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Clear the read-scope repair: a poll read everything."""
    async_clear(hass, entry, ISSUE_MISSING_SCOPES)


@callback
def async_raise_for_permission_error(
    hass: HomeAssistant,
    entry: ConfigEntry,
    err: ZoomPermissionError,
    *,
    during_poll: bool = False,
) -> None:
    """Turn missing scopes into a repair issue cleared by the same kind of request."""
    if err.missing_scopes:
        async_raise(
            hass,
            entry,
            ISSUE_MISSING_SCOPES if during_poll else ISSUE_MISSING_SCOPES_WRITE,
            {"scopes": ", ".join(err.missing_scopes)},
            translation_key=ISSUE_MISSING_SCOPES,
        )
