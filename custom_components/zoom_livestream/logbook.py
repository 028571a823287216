"""Zoom's pushed events in words, on the meeting's device page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_ZOOM

# What each Zoom event means, as the logbook says it after the meeting's name.
MESSAGES = {
    "meeting.started": "started in Zoom",
    "meeting.ended": "ended in Zoom",
    "meeting.live_streaming_started": "live stream started in Zoom",
    "meeting.live_streaming_stopped": "live stream stopped in Zoom",
    "meeting.created": "scheduled in Zoom",
    "meeting.updated": "changed in Zoom",
    "meeting.deleted": "deleted in Zoom",
    "webinar.started": "started in Zoom",
    "webinar.ended": "ended in Zoom",
    "webinar.created": "scheduled in Zoom",
    "webinar.updated": "changed in Zoom",
    "webinar.deleted": "deleted in Zoom",
}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe `zoom_livestream_event` for the logbook."""

    @callback
    def describe(event: Event) -> dict[str, Any]:
        data = event.data
        kind = str(data.get("type", ""))
        return {
            LOGBOOK_ENTRY_NAME: str(data.get("topic") or "Zoom"),
            LOGBOOK_ENTRY_MESSAGE: MESSAGES.get(kind, f"sent the event {kind}"),
        }

    async_describe_event(DOMAIN, EVENT_ZOOM, describe)
