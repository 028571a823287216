"""What users see stays true to Zoom: meetings that end, webinars, fresh lists."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache,
)

from custom_components.zoom_livestream.const import DOMAIN, LIST_REFRESH_INTERVAL
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component

from .conftest import (
    MEETING_ID,
    OTHER_MEETING_ID,
    USER_ID,
    WEBINAR_ID,
    SetupIntegration,
    ZoomMock,
    async_poll,
    find_device,
    make_entry,
    meeting_json,
    state_of,
)

SWITCH = "switch.weekly_team_sync_live_stream"
WEBINAR_SWITCH = "switch.quarterly_all_hands_live_stream"
INSTANT_ID = 84444555566
INSTANT_SWITCH = "switch.instant_meeting_live_stream"
INSTANT_SENSOR = "binary_sensor.instant_meeting_in_progress"
REMAINING = "sensor.host_example_com_api_requests_left"
LAST_ERROR = "sensor.host_example_com_last_zoom_error"


async def _switch(hass: HomeAssistant, service: str, entity_id: str) -> None:
    await hass.services.async_call(
        Platform.SWITCH, service, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def _enable(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, *entity_ids: str
) -> None:
    registry = er.async_get(hass)
    for entity_id in entity_ids:
        registry.async_update_entity(entity_id, disabled_by=None)
    # Home Assistant reloads the entry itself, 30 s after an entity is enabled.
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


# -- meetings that are only listed while they run -----------------------------------------


async def test_instant_meeting_that_ended_is_off(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An instant meeting appears while live; when it ends it is off, not unavailable.

    An automation with `to: "off"` must fire, and a restart before the next full
    list refresh must not add its entities twice.
    """
    zoom.meetings[INSTANT_ID] = meeting_json(INSTANT_ID, "Instant meeting", 1)
    zoom.live.add(INSTANT_ID)
    # Only the live list has it: instant meetings are not scheduled.
    scheduled = {k: v for k, v in zoom.meetings.items() if k != INSTANT_ID}
    await async_poll(hass, freezer)
    assert state_of(hass, INSTANT_SENSOR) == STATE_ON
    await _switch(hass, SERVICE_TURN_ON, INSTANT_SWITCH)

    zoom.live.discard(INSTANT_ID)
    zoom.streaming.discard(INSTANT_ID)
    del zoom.meetings[INSTANT_ID]
    await async_poll(hass, freezer)
    assert state_of(hass, INSTANT_SENSOR) == STATE_OFF
    assert state_of(hass, INSTANT_SWITCH) == STATE_OFF

    # It starts again before the next full refresh: the same entities come back on.
    zoom.meetings[INSTANT_ID] = meeting_json(INSTANT_ID, "Instant meeting", 1)
    zoom.live.add(INSTANT_ID)
    await async_poll(hass, freezer)
    assert state_of(hass, INSTANT_SENSOR) == STATE_ON
    assert "does not generate unique IDs" not in caplog.text
    assert zoom.meetings.keys() - scheduled.keys() == {INSTANT_ID}

    # Gone from every list at the next full refresh: its device goes.
    zoom.live.discard(INSTANT_ID)
    del zoom.meetings[INSTANT_ID]
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    assert hass.states.get(INSTANT_SWITCH) is None
    assert find_device(hass, f"{USER_ID}_{INSTANT_ID}") is None


# -- webinars: no live list ------------------------------------------------------------


async def test_refused_stop_of_a_webinar_that_ended_turns_it_off(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """Zoom refuses to stop a webinar that is not running: then the stream is off.

    Otherwise the switch stays on, and `update_settings` refuses for good.
    """
    zoom.live_webinars.add(WEBINAR_ID)
    await _switch(hass, SERVICE_TURN_ON, WEBINAR_SWITCH)
    assert state_of(hass, WEBINAR_SWITCH) == STATE_ON
    # The webinar ended in Zoom; without events, nothing here knows.
    zoom.live_webinars.discard(WEBINAR_ID)
    zoom.streaming.discard(WEBINAR_ID)

    await _switch(hass, SERVICE_TURN_OFF, WEBINAR_SWITCH)
    assert state_of(hass, WEBINAR_SWITCH) == STATE_OFF
    zoom.clear_calls()
    await hass.services.async_call(
        DOMAIN,
        "update_settings",
        {
            ATTR_ENTITY_ID: WEBINAR_SWITCH,
            "stream_url": "rtmp://live.example.com/app",
            "stream_key": "new-key",
            "page_url": "https://example.com/live",
        },
        blocking=True,
    )
    assert zoom.livestream[WEBINAR_ID]["stream_key"] == "new-key"


async def test_refused_stop_for_another_reason_keeps_the_stream_on(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """A stop refused while the meeting runs (Zoom down, a validation error) changes nothing."""
    await _switch(hass, SERVICE_TURN_ON, SWITCH)
    zoom.fail(
        "PATCH",
        f"/meetings/{MEETING_ID}/livestream/status",
        HTTPStatus.BAD_REQUEST,
        {"code": 300, "message": "Validation Failed."},
    )
    with pytest.raises(HomeAssistantError):
        await _switch(hass, SERVICE_TURN_OFF, SWITCH)
    assert state_of(hass, SWITCH) == STATE_ON


@pytest.mark.parametrize(
    ("options", "expected"),
    [({}, STATE_OFF), ({"webhook_secret": "zm-secret"}, STATE_ON)],
    ids=["without_events", "with_events"],
)
async def test_webinar_stream_restored_only_with_events(
    hass: HomeAssistant,
    zoom: ZoomMock,
    hass_storage: dict[str, Any],
    options: dict[str, Any],
    expected: str,
) -> None:
    """Polls never end a webinar stream: without events it is not taken back.

    Whatever Home Assistant itself remembers of the switch (on, here) does not
    decide it either.
    """
    mock_restore_cache(hass, [State(WEBINAR_SWITCH, STATE_ON)])
    entry = make_entry(options=options)
    hass_storage[f"{DOMAIN}.{entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}",
        "data": {"meetings": {}, "streaming": [WEBINAR_ID]},
    }
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, WEBINAR_SWITCH) == expected


# -- the account's sensors -----------------------------------------------------------------


async def test_requests_left_updates_while_meetings_stay_the_same(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Every answer carries X-RateLimit-Remaining; the sensor follows it each poll."""
    await _enable(hass, freezer, REMAINING)
    await async_poll(hass, freezer)
    first = int(state_of(hass, REMAINING))
    await async_poll(hass, freezer)
    second = int(state_of(hass, REMAINING))
    assert second < first
    assert second == zoom.requests_left


async def test_last_error_names_no_user(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
) -> None:
    """The recorder keeps the last error: it names no user's email or ID."""
    ada = "/users/ada.lovelace@example.com"
    # Zoom knows Ada: her lists answer (the entity's enabling reloads the entry).
    zoom.fail("GET", f"{ada}/meetings", HTTPStatus.OK, {"meetings": []})
    zoom.fail("GET", f"{ada}/webinars", HTTPStatus.OK, {"webinars": []})
    entry = make_entry(options={"extra_users": ["ada.lovelace@example.com"]})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await _enable(hass, freezer, LAST_ERROR)
    # Then her meetings time out.
    zoom.heal()
    zoom.fail("GET", f"{ada}/webinars", HTTPStatus.OK, {"webinars": []})
    zoom.fail("GET", f"{ada}/meetings", exc=TimeoutError())
    await async_poll(hass, freezer)
    error = state_of(hass, LAST_ERROR)
    assert "Timed out" in error
    assert "ada.lovelace" not in error
    assert "example.com" not in error


async def test_failed_toggle_rewrites_only_what_changed(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """A refused start changes no other entity's state (cheap at 5,000 meetings)."""
    before = {
        state.entity_id: state.last_reported
        for state in hass.states.async_all([Platform.SWITCH, Platform.BINARY_SENSOR])
    }
    zoom.live.discard(OTHER_MEETING_ID)
    with pytest.raises(HomeAssistantError):
        await _switch(hass, SERVICE_TURN_ON, "switch.product_launch_live_stream")
    after = {
        state.entity_id: state.last_reported
        for state in hass.states.async_all([Platform.SWITCH, Platform.BINARY_SENSOR])
    }
    assert after == before


# -- fresher meeting lists -------------------------------------------------------------


def list_requests(zoom: ZoomMock) -> list[str]:
    """Return the list types requested, in order."""
    return [
        str(call.url.query.get("type", "webinars"))
        for call in zoom.api_calls
        if call.path.endswith(("/meetings", "/webinars"))
    ]


async def test_explicit_refresh_reads_the_lists_now(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """`homeassistant.update_entity` on any entity re-reads the lists, not only live."""
    assert await async_setup_component(hass, "homeassistant", {})
    zoom.meetings[INSTANT_ID] = meeting_json(INSTANT_ID, "Scheduled just now")
    zoom.clear_calls()
    await hass.services.async_call(
        "homeassistant",
        "update_entity",
        {ATTR_ENTITY_ID: SWITCH},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert "scheduled" in list_requests(zoom)
    assert state_of(hass, "switch.scheduled_just_now_live_stream") == STATE_OFF


async def test_not_found_on_a_toggle_rereads_the_lists(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """Zoom says the meeting is gone: the lists are read at once, its device goes."""
    del zoom.meetings[OTHER_MEETING_ID]
    zoom.fail(
        "PATCH",
        f"/meetings/{OTHER_MEETING_ID}/livestream/status",
        HTTPStatus.NOT_FOUND,
        {"code": 3001, "message": "Meeting does not exist."},
    )
    zoom.clear_calls()
    with pytest.raises(HomeAssistantError):
        await _switch(hass, SERVICE_TURN_ON, "switch.product_launch_live_stream")
    await hass.async_block_till_done()
    assert "scheduled" in list_requests(zoom)
    assert find_device(hass, f"{USER_ID}_{OTHER_MEETING_ID}") is None


async def test_missing_webinar_scope_keeps_the_webinars(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A webinar list refused for a missing scope is a repair, not "no webinars"."""
    zoom.fail(
        "GET",
        f"/users/{USER_ID}/webinars",
        HTTPStatus.BAD_REQUEST,
        {
            "code": 4711,
            "message": "Invalid access token, does not contain scopes:[webinar:read].",
        },
    )
    with caplog.at_level(logging.DEBUG):
        await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    assert find_device(hass, f"{USER_ID}_{WEBINAR_ID}") is not None
    assert state_of(hass, WEBINAR_SWITCH) == STATE_OFF
    assert state_of(hass, "binary_sensor.quarterly_all_hands_in_progress") == (
        STATE_UNKNOWN
    )


async def test_display_settings_of_deleted_meetings_are_pruned(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    setup_integration: SetupIntegration,
    hass_storage: dict[str, Any],
) -> None:
    """Stored settings go with the meeting at the next full refresh."""
    entry = await setup_integration()
    await hass.services.async_call(
        DOMAIN,
        "update_settings",
        {
            ATTR_ENTITY_ID: "switch.product_launch_live_stream",
            "display_name": "Launch",
        },
        blocking=True,
    )
    key = f"{DOMAIN}.{entry.entry_id}"
    assert str(OTHER_MEETING_ID) in hass_storage[key]["data"]["meetings"]
    del zoom.meetings[OTHER_MEETING_ID]
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    # Saved after a short delay, as the stream state is.
    await async_poll(hass, freezer)
    assert str(OTHER_MEETING_ID) not in hass_storage[key]["data"]["meetings"]
