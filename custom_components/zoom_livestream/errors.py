"""Turn Zoom client errors into what a user sees: one place for every command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import re
from typing import TYPE_CHECKING, NoReturn

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN
from .zoom import (
    ZoomApiError,
    ZoomAuthenticationError,
    ZoomConnectionError,
    ZoomError,
    ZoomNotFoundError,
    ZoomPermissionError,
    ZoomRateLimitError,
)

if TYPE_CHECKING:
    from .coordinator import ZoomCoordinator
    from .zoom import Meeting

# Refusals the user can act on (the meeting's state, the stream target, the
# account's settings): a ServiceValidationError, which Home Assistant shows
# without logging a traceback. Failures of Zoom or the network stay
# HomeAssistantError.
USER_FIXABLE = frozenset(
    {
        "meeting_not_started",
        "meeting_not_found",
        "stream_target_missing",
        "streaming_not_allowed",
        "permission_denied",
        "missing_scopes",
        "stream_active",
    }
)

_EMAIL = re.compile(r"[^\s/@]+@[^\s/@]+")
_USER_PATH = re.compile(r"/users/[^\s/]+")


def redact_error(message: str) -> str:
    """Remove what identifies a person (emails, user IDs in paths) from a message."""
    return _EMAIL.sub("***", _USER_PATH.sub("/users/***", message))


def translation_for(
    err: ZoomError, name: str, reason: str | None = None
) -> tuple[str, dict[str, str]]:
    """Return the translation key and placeholders describing `err`.

    `reason` is the coordinator's explanation of a refusal, when it has one.
    """
    placeholders = {"name": name}
    if isinstance(err, ZoomRateLimitError):
        if err.retry_after is None:
            return "rate_limited", placeholders
        placeholders["seconds"] = str(round(err.retry_after))
        return "rate_limited_wait", placeholders
    if isinstance(err, ZoomAuthenticationError):
        return "auth_failed", placeholders
    if isinstance(err, ZoomConnectionError):
        return "cannot_connect", placeholders
    if isinstance(err, ZoomApiError):
        placeholders["message"] = err.message
        placeholders["code"] = str(err.code) if err.code is not None else "-"
        if isinstance(err, ZoomPermissionError) and err.missing_scopes:
            placeholders["scopes"] = ", ".join(err.missing_scopes)
            return "missing_scopes", placeholders
        if reason is not None:
            return reason, placeholders
        if isinstance(err, ZoomNotFoundError):
            return "meeting_not_found", placeholders
        if isinstance(err, ZoomPermissionError):
            return "permission_denied", placeholders
        return "api_error", placeholders
    return "unknown_error", placeholders


def raise_translated(
    coordinator: ZoomCoordinator,
    meeting: Meeting,
    err: ZoomError,
    *,
    changing_target: bool = False,
) -> NoReturn:
    """Record `err` and raise the translated error that explains it to the user."""
    coordinator.async_command_failed(meeting, err)
    key, placeholders = translation_for(
        err,
        meeting.topic,
        coordinator.explain_refusal(meeting, err, changing_target=changing_target),
    )
    kind = ServiceValidationError if key in USER_FIXABLE else HomeAssistantError
    raise kind(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    ) from err


@contextmanager
def translated_errors(coordinator: ZoomCoordinator, meeting: Meeting) -> Iterator[None]:
    """Turn a Zoom error of a command on `meeting` into the translated error to show."""
    try:
        yield
    except ZoomError as err:
        raise_translated(coordinator, meeting, err)
