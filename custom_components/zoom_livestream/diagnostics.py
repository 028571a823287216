"""Diagnostics: what a maintainer needs to help, with every secret removed."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .const import CONF_ACCOUNT_ID, CONF_WEBHOOK_ID, CONF_WEBHOOK_SECRET
from .coordinator import ZoomConfigEntry
from .devices import meeting_id_of_device, meeting_scope
from .zoom import Meeting

TO_REDACT = {
    CONF_ACCOUNT_ID,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    "access_token",
    "refresh_token",
    "token",
    "stream_key",
    "email",
    "title",
    "unique_id",
    "join_url",
    "host_id",
}


def _meeting(entry: ZoomConfigEntry, meeting: Meeting) -> dict[str, Any]:
    coordinator = entry.runtime_data.coordinator
    return {
        "id": meeting.id,
        "kind": meeting.kind.value,
        "topic": meeting.topic,
        "type": meeting.type,
        "start_time": meeting.start_time.isoformat() if meeting.start_time else None,
        "duration": meeting.duration,
        "timezone": meeting.timezone,
        "in_progress": coordinator.data.in_progress(meeting),
        "streaming": coordinator.data.is_streaming(meeting.id),
        "display_settings": coordinator.store.display_settings_json(meeting.id),
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: ZoomConfigEntry
) -> dict[str, Any]:
    """Return the entry's configuration, state and meetings, redacted."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    rate_limit = coordinator.data.rate_limit
    return {
        "entry": async_redact_data(
            {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "version": f"{entry.version}.{entry.minor_version}",
                "data": dict(entry.data),
            },
            TO_REDACT,
        ),
        "options": async_redact_data(dict(entry.options), TO_REDACT),
        "coordinator": {
            "last_update_success": coordinator.last_update_success,
            "last_exception": repr(coordinator.last_exception)
            if coordinator.last_exception
            else None,
            "last_error": coordinator.data.last_error,
            "update_interval_seconds": coordinator.update_interval.total_seconds()
            if coordinator.update_interval
            else None,
            "live_meeting_ids": sorted(coordinator.data.live_meeting_ids),
        },
        "rate_limit": asdict(rate_limit) if rate_limit else None,
        "push": {
            "secret_set": bool(entry.options.get(CONF_WEBHOOK_SECRET)),
            "url_available": runtime.webhook_url is not None,
            **runtime.webhook_health.as_dict(),
        },
        "meetings": [
            _meeting(entry, meeting)
            for meeting in sorted(
                coordinator.data.meetings.values(), key=lambda m: m.id
            )
        ],
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: ZoomConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """Return one meeting's state (or the account's, for its own device)."""
    meetings = entry.runtime_data.coordinator.data.meetings
    meeting_id = meeting_id_of_device(meeting_scope(entry), device)
    if meeting_id is not None and meeting_id in meetings:
        return {"meeting": _meeting(entry, meetings[meeting_id])}
    return {
        "account": (await async_get_config_entry_diagnostics(hass, entry))[
            "coordinator"
        ]
    }
