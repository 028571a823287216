"""Turn Zoom client errors into the translated errors a user sees."""

from __future__ import annotations

from typing import NoReturn

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .zoom import (
    ZoomApiError,
    ZoomAuthenticationError,
    ZoomConnectionError,
    ZoomError,
    ZoomMeetingNotStartedError,
    ZoomNotFoundError,
    ZoomPermissionError,
    ZoomRateLimitError,
)


def translation_for(err: ZoomError, name: str) -> tuple[str, dict[str, str]]:
    """Return the translation key and placeholders describing `err`."""
    placeholders = {"name": name}
    if isinstance(err, ZoomRateLimitError):
        wait = err.retry_after
        placeholders["seconds"] = str(round(wait)) if wait is not None else "30"
        return "rate_limited", placeholders
    if isinstance(err, ZoomAuthenticationError):
        return "auth_failed", placeholders
    if isinstance(err, ZoomConnectionError):
        return "cannot_connect", placeholders
    if isinstance(err, ZoomApiError):
        placeholders["message"] = err.message
        placeholders["code"] = str(err.code) if err.code is not None else "-"
        if isinstance(err, ZoomMeetingNotStartedError):
            return "meeting_not_started", placeholders
        if isinstance(err, ZoomNotFoundError):
            return "meeting_not_found", placeholders
        if isinstance(err, ZoomPermissionError):
            return "permission_denied", placeholders
        return "api_error", placeholders
    return "unknown_error", placeholders


def raise_for_zoom_error(err: ZoomError, name: str) -> NoReturn:
    """Raise the translated HomeAssistantError that explains `err`."""
    key, placeholders = translation_for(err, name)
    raise HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    ) from err
