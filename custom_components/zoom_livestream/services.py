"""The `update_settings` action: where a meeting streams to and what it shows.

Owns the action's schema and input validation (shared with the options' stream
target form), resolving its targets to meetings, and reporting several targets'
results at once. Each meeting's update runs through `errors.zoom_command`, as
entity commands do.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from yarl import URL

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    entity_registry as er,
    service as ha_service,
)

from .compat import async_extract_referenced_entity_ids, vol
from .const import (
    ATTR_ACTIVE_SPEAKER_NAME,
    ATTR_CLOSE_CAPTION,
    ATTR_DISPLAY_NAME,
    ATTR_LAYOUT,
    ATTR_PAGE_URL,
    ATTR_RESOLUTION,
    ATTR_STREAM_KEY,
    ATTR_STREAM_URL,
    DOMAIN,
    LIVE_STREAM_KEY,
    MAX_DISPLAY_NAME_LENGTH,
    MAX_STREAM_KEY_LENGTH,
    MAX_URL_LENGTH,
    SERVICE_UPDATE_SETTINGS,
)
from .coordinator import ZoomConfigEntry, ZoomCoordinator
from .errors import zoom_command
from .settings import SettingsUpdate
from .validation import clean_display_name, is_clean
from .zoom import CloseCaption, Layout, Meeting, Resolution

SETTING_FIELDS = (
    ATTR_STREAM_URL,
    ATTR_STREAM_KEY,
    ATTR_PAGE_URL,
    ATTR_RESOLUTION,
    ATTR_DISPLAY_NAME,
    ATTR_ACTIVE_SPEAKER_NAME,
    ATTR_LAYOUT,
    ATTR_CLOSE_CAPTION,
)

# Types only: the values are checked in the handler so every refusal is translated.
UPDATE_SETTINGS_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Optional(ATTR_STREAM_URL): cv.string,
        vol.Optional(ATTR_STREAM_KEY): cv.string,
        vol.Optional(ATTR_PAGE_URL): cv.string,
        vol.Optional(ATTR_RESOLUTION): cv.string,
        vol.Optional(ATTR_DISPLAY_NAME): cv.string,
        vol.Optional(ATTR_ACTIVE_SPEAKER_NAME): cv.boolean,
        vol.Optional(ATTR_LAYOUT): cv.string,
        vol.Optional(ATTR_CLOSE_CAPTION): cv.string,
    }
)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _check_url(field: str, value: str, schemes: tuple[str, ...]) -> str:
    value = value.strip()
    if len(value) > MAX_URL_LENGTH:
        raise _invalid(f"{field}_too_long", max=str(MAX_URL_LENGTH))
    try:
        url = URL(value)
    except ValueError:
        url = None
    if (
        url is None
        or not is_clean(value, spaces_allowed=False)
        or url.scheme not in schemes
        or not url.host
        # What is sent is the string as typed: it must be the URL that was checked.
        or str(url) != value
    ):
        raise _invalid(f"invalid_{field}")
    return value


def parse_settings_update(data: dict[str, Any]) -> SettingsUpdate:
    """Validate the action's fields; raise a translated error on the first problem."""
    if not any(field in data for field in SETTING_FIELDS):
        raise _invalid("no_settings")
    stream_url = stream_key = page_url = display_name = None
    resolution: Resolution | None = None
    if ATTR_STREAM_URL in data:
        stream_url = _check_url(
            ATTR_STREAM_URL, data[ATTR_STREAM_URL], ("rtmp", "rtmps")
        )
    if ATTR_PAGE_URL in data:
        page_url = _check_url(ATTR_PAGE_URL, data[ATTR_PAGE_URL], ("http", "https"))
    if ATTR_STREAM_KEY in data:
        stream_key = data[ATTR_STREAM_KEY].strip()
        if not stream_key or not is_clean(stream_key, spaces_allowed=False):
            raise _invalid("invalid_stream_key")
        if len(stream_key) > MAX_STREAM_KEY_LENGTH:
            raise _invalid("stream_key_too_long", max=str(MAX_STREAM_KEY_LENGTH))
    if ATTR_RESOLUTION in data:
        resolution = _choice(Resolution, ATTR_RESOLUTION, data[ATTR_RESOLUTION])
    if ATTR_DISPLAY_NAME in data:
        display_name = clean_display_name(data[ATTR_DISPLAY_NAME])
        if display_name is None:
            raise _invalid("invalid_display_name", max=str(MAX_DISPLAY_NAME_LENGTH))
    return SettingsUpdate(
        stream_url=stream_url,
        stream_key=stream_key,
        page_url=page_url,
        resolution=resolution,
        display_name=display_name,
        active_speaker_name=data.get(ATTR_ACTIVE_SPEAKER_NAME),
        layout=_choice(Layout, ATTR_LAYOUT, data[ATTR_LAYOUT])
        if ATTR_LAYOUT in data
        else None,
        close_caption=_choice(
            CloseCaption, ATTR_CLOSE_CAPTION, data[ATTR_CLOSE_CAPTION]
        )
        if ATTR_CLOSE_CAPTION in data
        else None,
    )


def _choice[E: StrEnum](kind: type[E], field: str, value: str) -> E:
    """Return `value` as one of `kind`'s, or refuse it naming the choices."""
    try:
        return kind(value)
    except ValueError:
        raise _invalid(
            f"invalid_{field}", options=", ".join(choice.value for choice in kind)
        ) from None


def _is_live_stream_switch(entity: er.RegistryEntry | None) -> bool:
    return (
        entity is not None
        and entity.platform == DOMAIN
        and entity.domain == Platform.SWITCH
        and entity.translation_key == LIVE_STREAM_KEY
    )


@dataclass(frozen=True, slots=True)
class MeetingTarget:
    """One meeting the action changes, and the coordinator it belongs to."""

    coordinator: ZoomCoordinator
    meeting: Meeting


def _resolve_targets(hass: HomeAssistant, call: ServiceCall) -> list[MeetingTarget]:
    registry = er.async_get(hass)
    selected = async_extract_referenced_entity_ids(hass, call)
    for entity_id in selected.referenced:
        # Named explicitly: a wrong entity is the user's mistake, say so.
        if not _is_live_stream_switch(registry.async_get(entity_id)):
            raise _invalid("not_a_live_stream_switch", entity_id=entity_id)
    targets: list[MeetingTarget] = []
    # A device or area also holds sensors; only its live-stream switches count.
    for entity_id in sorted(selected.referenced | selected.indirectly_referenced):
        entity = registry.async_get(entity_id)
        if entity is None or not _is_live_stream_switch(entity):
            continue
        entry: ZoomConfigEntry | None = (
            hass.config_entries.async_get_entry(entity.config_entry_id)
            if entity.config_entry_id
            else None
        )
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            raise _invalid("entry_not_loaded", entity_id=entity_id)
        # The switch itself says which meeting it controls.
        coordinator = entry.runtime_data.coordinator
        meeting_id = entry.runtime_data.switch_meetings.get(entity_id)
        meeting = (
            coordinator.data.meetings.get(meeting_id)
            if meeting_id is not None
            else None
        )
        if meeting is None:
            raise _invalid("meeting_gone", entity_id=entity_id)
        targets.append(MeetingTarget(coordinator, meeting))
    if not targets:
        raise _invalid("no_target")
    return targets


@zoom_command
async def _async_update_one(target: MeetingTarget, update: SettingsUpdate) -> None:
    await target.coordinator.commands.async_update_settings(target.meeting, update)


async def _async_update_settings(call: ServiceCall) -> None:
    update = parse_settings_update(dict(call.data))
    targets = _resolve_targets(call.hass, call)
    results = await asyncio.gather(
        *(_async_update_one(target, update) for target in targets),
        return_exceptions=True,
    )
    failed = [
        (target, result)
        for target, result in zip(targets, results, strict=True)
        if isinstance(result, BaseException)
    ]
    if not failed:
        return
    for _, error in failed:
        if not isinstance(error, HomeAssistantError):
            raise error
    if len(targets) == 1:
        raise failed[0][1]
    # Several meetings: say which failed (and why) and which were changed.
    kind = (
        ServiceValidationError
        if all(isinstance(error, ServiceValidationError) for _, error in failed)
        else HomeAssistantError
    )
    succeeded = [
        target.meeting.topic
        for target, result in zip(targets, results, strict=True)
        if not isinstance(result, BaseException)
    ]
    raise kind(
        translation_domain=DOMAIN,
        translation_key="update_settings_partial",
        translation_placeholders={
            "failed": " ".join(_sentence(str(error)) for _, error in failed),
            "succeeded": ", ".join(succeeded) or "-",
        },
    ) from failed[0][1]


def _sentence(text: str) -> str:
    """End a message with a full stop, so that several read as sentences."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, whether or not an entry loads).

    `update_settings` changes configuration at Zoom: only administrators may
    perform it (automations and scripts, which run without a user, may).
    """
    ha_service.async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_UPDATE_SETTINGS,
        _async_update_settings,
        schema=UPDATE_SETTINGS_SCHEMA,
    )
