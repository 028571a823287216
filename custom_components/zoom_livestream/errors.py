"""What a user sees when something goes wrong: one mapping, one decorator.

Owns the translation of Zoom's errors and of refused commands (translation key,
placeholders, and whether the user can fix it: a `ServiceValidationError`,
which Home Assistant shows without a traceback, or a `HomeAssistantError` for
Zoom's or the network's failures), and `zoom_command`, the one decorator every
entity command and the action run through: it has the failure recorded and
reported to the meeting's event entity (`REFUSAL_SIGNAL`), then raises the
translated error. The options' stream-target form shows the same mapping
(`form_error`).

A raised error reaches whoever called, but an automation that goes on after it
(`continue_on_error`) cannot read it: the meeting's event entity then holds the
reason, in Home Assistant's language, for the automation's next step.

Must not import the coordinator: failures are recorded through the
`FailureRecorder` protocol, and nothing here calls back into the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Coroutine
from functools import wraps
import re
from typing import Any, Concatenate, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.translation import async_get_translations

from .changes import CommandRefusal
from .commands import CommandRefusedError
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

# Refusals the user can act on (the meeting's state, the stream target, the
# account's settings, the input): a ServiceValidationError, which Home Assistant
# shows without logging a traceback. Failures of Zoom or the network stay
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
        "incomplete_stream_target",
        "meeting_only_settings",
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

    `reason` is the commands' explanation of a refusal, when they have one.
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


def translate_refusal(refusal: CommandRefusedError) -> HomeAssistantError:
    """Return the translated error that explains a refused command to the user."""
    name = refusal.meeting.topic
    if refusal.error is None:
        key, placeholders = str(refusal.reason), {"name": name}
    else:
        key, placeholders = translation_for(refusal.error, name, refusal.reason)
    kind = ServiceValidationError if key in USER_FIXABLE else HomeAssistantError
    return kind(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


class FailureRecorder(Protocol):
    """Records a refused command: last error, re-authentication, repairs."""

    @property
    def hass(self) -> HomeAssistant:
        """The Home Assistant the entry runs in."""

    @property
    def config_entry(self) -> ConfigEntry:
        """The entry whose command was refused."""

    def async_note_failure(self, refusal: CommandRefusedError) -> None:
        """Record `refusal`."""

    def async_report_refusal(self, refusal: CommandRefusal) -> None:
        """Tell the meeting's entities what the person was told."""


async def async_message(hass: HomeAssistant, err: HomeAssistantError) -> str:
    """Return a translated error's message in Home Assistant's language.

    `str(err)` is always English (and drops the final full stop); a person
    reading a notification reads their own language, with English for a
    language this integration does not ship.
    """
    translations = await async_get_translations(
        hass, hass.config.language, "exceptions", {DOMAIN}
    )
    text = translations.get(
        f"component.{DOMAIN}.exceptions.{err.translation_key}.message"
    )
    if text is None:
        return str(err)
    try:
        return text.format(**(err.translation_placeholders or {}))
    except (KeyError, IndexError, ValueError):
        return str(err)


async def async_refused(
    recorder: FailureRecorder, refusal: CommandRefusedError
) -> HomeAssistantError:
    """Record and report a refused command; return the error that explains it."""
    recorder.async_note_failure(refusal)
    err = translate_refusal(refusal)
    message = redact_error(await async_message(recorder.hass, err))
    recorder.async_report_refusal(
        CommandRefusal(refusal.meeting.id, str(err.translation_key), message)
    )
    return err


class CommandTarget(Protocol):
    """What a command runs on: an entity, or one target of the action."""

    @property
    def coordinator(self) -> FailureRecorder:
        """Where failures are recorded."""


def zoom_command[T: CommandTarget, **P](
    func: Callable[Concatenate[T, P], Coroutine[Any, Any, None]],
) -> Callable[Concatenate[T, P], Coroutine[Any, Any, None]]:
    """Run a command; on a refusal, record and report it, raise the translated error."""

    @wraps(func)
    async def handler(target: T, /, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            await func(target, *args, **kwargs)
        except CommandRefusedError as refusal:
            raise await async_refused(target.coordinator, refusal) from refusal.error

    return handler


def form_error(
    err: HomeAssistantError, fields: Collection[str]
) -> tuple[str, str, dict[str, str]]:
    """Return where a form shows a translated error: (field or base, key, placeholders).

    A value's own error (`invalid_<field>`, `<field>_too_long`) goes on its
    field; anything else on the form. The form's error texts use the same keys.
    """
    key = str(err.translation_key)
    field = next(
        (name for name in fields if key in (f"invalid_{name}", f"{name}_too_long")),
        "base",
    )
    return field, key, dict(err.translation_placeholders or {})
