"""The logbook tells what Zoom pushed, in words, on the meeting's device page."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.zoom_livestream import logbook
from custom_components.zoom_livestream.const import (
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    EVENT_ZOOM,
)
from homeassistant.components.logbook import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import Event, HomeAssistant, callback

from .conftest import MEETING_ID, USER_ID, ZoomMock, find_device
from .test_event import setup_entry
from .test_push import deliver, streaming_body


async def test_logbook_tells_the_story_on_the_device(
    hass: HomeAssistant,
    zoom: ZoomMock,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Zoom's events are described in words and attached to the meeting's device."""
    entry = await setup_entry(hass, {CONF_WEBHOOK_SECRET: "zm-secret"})
    client = await hass_client_no_auth()
    bus_events: list[Event[Any]] = []
    hass.bus.async_listen(EVENT_ZOOM, callback(lambda event: bus_events.append(event)))

    body = streaming_body("meeting.live_streaming_started", MEETING_ID)
    assert (
        await deliver(client, webhook_id := entry.data[CONF_WEBHOOK_ID], body)
    ).status == HTTPStatus.OK
    assert webhook_id
    await hass.async_block_till_done()

    device = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    assert device is not None
    (event,) = bus_events
    assert event.data[ATTR_DEVICE_ID] == device.id
    assert event.data["topic"] == "Weekly team sync"
    # What the logbook integration learns from the platform (the logbook itself
    # needs the recorder and the frontend, which these tests do not run).
    described: dict[str, tuple[str, Callable[[Event], dict[str, Any]]]] = {}
    logbook.async_describe_events(
        hass,
        lambda domain, name, describe: described.update({name: (domain, describe)}),
    )
    domain, describe = described[EVENT_ZOOM]
    assert domain == DOMAIN
    assert describe(event) == {
        LOGBOOK_ENTRY_NAME: "Weekly team sync",
        LOGBOOK_ENTRY_MESSAGE: "live stream started in Zoom",
    }
