"""Event entities: one event per real change, whoever sees it first; the logbook."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.zoom_livestream.const import (
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    SERVICE_UPDATE_SETTINGS,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    Platform,
)
from homeassistant.core import Event, HomeAssistant, State, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er

from .conftest import MEETING_ID, USER_ID, ZoomMock, async_poll, find_device, make_entry
from .test_push import deliver, running_body, streaming_body

EVENT = "event.weekly_team_sync_zoom_event"
SWITCH = "switch.weekly_team_sync_live_stream"


async def setup_entry(hass: HomeAssistant, options: dict[str, Any]) -> MockConfigEntry:
    """Set an entry up with `options`."""
    entry = make_entry(options=options)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def fired(states: list[State | None]) -> list[tuple[str, str]]:
    """Return (event type, source) of each state an event entity wrote."""
    return [
        (state.attributes["event_type"], state.attributes["source"])
        for state in states
        if state is not None
        and "event_type" in state.attributes
        and state.attributes["event_type"] is not None
    ]


def track(hass: HomeAssistant, entity_id: str) -> list[State | None]:
    """Collect every new state of `entity_id`."""
    states: list[State | None] = []

    # A callback runs in the loop, in order; a plain function would be sent to
    # the executor, where two states written at once may be recorded swapped.
    @callback
    def listener(event: Event[Any]) -> None:
        if event.data["entity_id"] == entity_id:
            states.append(event.data["new_state"])

    hass.bus.async_listen("state_changed", listener)
    return states


async def _switch(hass: HomeAssistant, service: str) -> None:
    await hass.services.async_call(
        Platform.SWITCH, service, {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )


async def test_event_entity_translations(hass: HomeAssistant, zoom: ZoomMock) -> None:
    """One event entity per meeting, on its device, with the five event types."""
    await setup_entry(hass, {})
    state = hass.states.get(EVENT)
    assert state is not None
    assert state.attributes["event_types"] == [
        "started",
        "ended",
        "live_stream_started",
        "live_stream_stopped",
        "command_refused",
    ]
    entity = er.async_get(hass).async_get(EVENT)
    assert entity is not None
    assert entity.translation_key == "zoom_event"
    assert entity.unique_id == f"{USER_ID}_{MEETING_ID}_zoom_event"
    device = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    assert device is not None
    assert entity.device_id == device.id


async def test_a_refused_command_fires_with_its_reason(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Each refused toggle or action fires, with the error's key and its words.

    The words are the error's message as Home Assistant raised it, without a
    user's email; an automation that went on after the error reads them here.
    """
    await setup_entry(hass, {})
    states = track(hass, EVENT)
    await _switch(hass, SERVICE_TURN_ON)
    # Zoom takes no new target while the stream runs.
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            SERVICE_UPDATE_SETTINGS,
            {ATTR_ENTITY_ID: SWITCH, "stream_key": "new-key"},
            blocking=True,
        )
    zoom.fail(
        "PATCH",
        f"/meetings/{MEETING_ID}/livestream/status",
        HTTPStatus.BAD_REQUEST,
        {"code": 1234, "message": "Host jane@example.com may not do this."},
        times=1,
    )
    with pytest.raises(HomeAssistantError) as refused:
        await _switch(hass, SERVICE_TURN_OFF)
    await _switch(hass, SERVICE_TURN_OFF)

    assert fired(states) == [
        ("live_stream_started", "home_assistant"),
        ("command_refused", "home_assistant"),
        ("command_refused", "home_assistant"),
        ("live_stream_stopped", "home_assistant"),
    ]
    _, settings, stop, stopped = (state for state in states if state is not None)
    assert settings.attributes["reason"] == "stream_active"
    assert settings.attributes["message"].startswith("Weekly team sync is streaming")
    assert stop.attributes["reason"] == "api_error"
    assert stop.attributes["message"] == (
        "Zoom refused the request for Weekly team sync: Host *** may not do this. "
        "(code 1234)."
    )
    assert "jane@example.com" in str(refused.value)
    # Each event's attributes are its own.
    assert "message" not in stopped.attributes


async def test_toggles_and_polls_fire_once_per_change(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A toggle fires at once; a poll that sees the same state fires nothing."""
    await setup_entry(hass, {})
    states = track(hass, EVENT)

    await _switch(hass, SERVICE_TURN_ON)
    await async_poll(hass, freezer)
    await _switch(hass, SERVICE_TURN_OFF)
    await async_poll(hass, freezer)

    # The meeting ends: a poll sees it first.
    zoom.live.discard(MEETING_ID)
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    zoom.live.add(MEETING_ID)
    await async_poll(hass, freezer)

    assert fired(states) == [
        ("live_stream_started", "home_assistant"),
        ("live_stream_stopped", "home_assistant"),
        ("ended", "poll"),
        ("started", "poll"),
    ]


async def test_pushed_events_fire_once_even_when_a_poll_agrees(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Zoom's event comes first; the poll that then sees the same fires nothing.

    A delivery Zoom retries (a replay) is refused, so it fires nothing either.
    """
    entry = await setup_entry(hass, {CONF_WEBHOOK_SECRET: "zm-secret"})
    client = await hass_client_no_auth()
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    states = track(hass, EVENT)

    body = streaming_body("meeting.live_streaming_started", MEETING_ID)
    assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
    zoom.streaming.add(MEETING_ID)
    await async_poll(hass, freezer)
    # The toggle in Home Assistant is told after the fact: already on, no event.
    await _switch(hass, SERVICE_TURN_ON)

    zoom.live.discard(MEETING_ID)
    body = running_body("meeting.ended", MEETING_ID)
    assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
    await async_poll(hass, freezer)
    await hass.async_block_till_done()

    assert fired(states) == [
        ("live_stream_started", "zoom_event"),
        ("ended", "zoom_event"),
        ("live_stream_stopped", "zoom_event"),
    ]
    state = hass.states.get(EVENT)
    assert state is not None
    # Nothing secret travels with an event.
    assert "zm-secret" not in str(state.attributes)
    assert "push-stream-key" not in str(state.attributes)
