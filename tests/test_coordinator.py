"""Polling: requests per poll, paging, new and deleted meetings, outages."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zoom_livestream.const import DOMAIN, LIST_REFRESH_INTERVAL
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .conftest import (
    MEETING_ID,
    OTHER_MEETING_ID,
    USER_ID,
    SetupIntegration,
    ZoomMock,
    async_poll,
    find_device,
    meeting_json,
    state_of,
)


async def test_requests_per_poll(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """One request a minute for the live list; the full lists every 15 minutes."""
    assert [(c.method, c.path, c.url.query.get("type")) for c in zoom.api_calls] == [
        ("GET", f"/users/{USER_ID}/meetings", "scheduled"),
        ("GET", f"/users/{USER_ID}/webinars", None),
        ("GET", f"/users/{USER_ID}/meetings", "live"),
    ]
    zoom.clear_calls()
    await async_poll(hass, freezer)
    assert [(c.path, c.url.query.get("type")) for c in zoom.calls] == [
        (f"/users/{USER_ID}/meetings", "live")
    ]
    zoom.clear_calls()
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    assert len(zoom.calls) == 3


async def test_requests_grow_with_pages_not_meetings(
    hass: HomeAssistant, zoom: ZoomMock, setup_integration: SetupIntegration
) -> None:
    """650 meetings cost three pages of 300, not 650 requests."""
    for index in range(648):
        meeting_id = 10_000_000_000 + index
        zoom.meetings[meeting_id] = meeting_json(meeting_id, f"Meeting {index}")
    await setup_integration()
    scheduled = [c for c in zoom.api_calls if c.url.query.get("type") == "scheduled"]
    assert [c.url.query.get("next_page_token") for c in scheduled] == [
        None,
        "300",
        "600",
    ]
    assert all(c.url.query["page_size"] == "300" for c in scheduled)
    assert len(hass.states.async_entity_ids("switch")) == 651


async def test_new_meetings_appear_without_reload(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """A meeting created in Zoom gets its device at the next full refresh."""
    zoom.meetings[12345678901] = meeting_json(12345678901, "Board meeting")
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    assert state_of(hass, "switch.board_meeting_live_stream") == STATE_OFF


async def test_instant_live_meeting_appears_at_next_poll(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """An unscheduled meeting that goes live shows up within one poll."""
    zoom.meetings[55555555555] = meeting_json(55555555555, "Instant meeting", 1)
    zoom.live.add(55555555555)
    await async_poll(hass, freezer)
    assert state_of(hass, "binary_sensor.instant_meeting_in_progress") == STATE_ON


async def test_deleted_meetings_devices_are_removed(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A meeting deleted in Zoom loses its device and entities."""
    del zoom.meetings[OTHER_MEETING_ID]
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    assert find_device(hass, f"{USER_ID}_{OTHER_MEETING_ID}") is None
    assert entity_registry.async_get("switch.product_launch_live_stream") is None
    assert hass.states.get("switch.product_launch_live_stream") is None

    # If it comes back (restored in Zoom), it is added again.
    zoom.meetings[OTHER_MEETING_ID] = meeting_json(OTHER_MEETING_ID, "Product launch")
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    assert state_of(hass, "switch.product_launch_live_stream") == STATE_OFF


async def test_in_progress_follows_the_live_list(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """The in-progress sensor follows Zoom's live list; webinars are unknown."""
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_ON
    assert state_of(hass, "binary_sensor.product_launch_in_progress") == STATE_OFF
    assert state_of(hass, "binary_sensor.quarterly_all_hands_in_progress") == "unknown"
    zoom.live = {OTHER_MEETING_ID}
    await async_poll(hass, freezer)
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_OFF
    assert state_of(hass, "binary_sensor.product_launch_in_progress") == STATE_ON


async def test_outage_logged_once_each_way(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Losing Zoom logs once, however long it lasts; coming back logs once."""
    caplog.set_level(logging.INFO)
    zoom.fail(
        "GET",
        f"/users/{USER_ID}/meetings",
        HTTPStatus.BAD_GATEWAY,
        text="<html>502</html>",
    )
    for _ in range(3):
        await async_poll(hass, freezer)
    assert (
        state_of(hass, "binary_sensor.weekly_team_sync_in_progress")
        == STATE_UNAVAILABLE
    )
    lost = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(lost) == 1
    assert "Cannot reach Zoom" in lost[0].getMessage()
    zoom.heal()
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_ON
    assert sum("recovered" in r.getMessage() for r in caplog.records) == 1


async def test_rate_limited_poll_backs_off(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """A 429 while polling waits as long as Retry-After says, then polls normally."""
    zoom.fail(
        "GET",
        f"/users/{USER_ID}/meetings",
        HTTPStatus.TOO_MANY_REQUESTS,
        {"code": 429, "message": "Too many requests"},
        headers={"Retry-After": "300"},
        times=1,
    )
    await async_poll(hass, freezer)
    zoom.clear_calls()
    await async_poll(hass, freezer)  # 61 s later: still backing off
    assert zoom.calls == []
    await async_poll(hass, freezer, timedelta(seconds=240))
    assert len(zoom.calls) == 1
    zoom.clear_calls()
    await async_poll(hass, freezer)
    assert len(zoom.calls) == 1


async def test_auth_failure_while_polling_starts_reauth(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Credentials revoked while running: the user is asked to sign in again."""
    zoom.fail(
        "GET",
        f"/users/{USER_ID}/meetings",
        HTTPStatus.UNAUTHORIZED,
        {"code": 124, "message": "Invalid access token."},
    )
    zoom.fail("POST", "token", HTTPStatus.UNAUTHORIZED, {"error": "invalid_client"})
    await async_poll(hass, freezer)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_meeting_id_kept_as_64_bit_integer(
    hass: HomeAssistant, zoom: ZoomMock, setup_integration: SetupIntegration
) -> None:
    """IDs beyond 32 bits (and beyond a float's precision) stay exact."""
    big = 2**53 + 1
    zoom.meetings[big] = meeting_json(big, "Huge id")
    await setup_integration()
    entry = er.async_get(hass).async_get("switch.huge_id_live_stream")
    assert entry is not None
    assert entry.unique_id == f"{USER_ID}_{big}_live_stream"
    assert (
        MEETING_ID
        in hass.config_entries.async_entries(DOMAIN)[
            0
        ].runtime_data.coordinator.data.meetings
    )


async def test_renamed_meeting_renames_its_device(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """A topic changed in Zoom becomes the device name at the next full refresh."""
    zoom.meetings[MEETING_ID]["topic"] = "Weekly team sync (new time)"
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    device = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    assert device is not None
    assert device.name == "Weekly team sync (new time)"
    # The entity id a user's automations use does not change.
    assert state_of(hass, "switch.weekly_team_sync_live_stream") == STATE_OFF


async def test_changes_made_while_stopped_reach_the_devices_at_start(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """Renamed and deleted while Home Assistant was stopped: followed at start."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    zoom.meetings[MEETING_ID]["topic"] = "Weekly team sync (new time)"
    del zoom.meetings[OTHER_MEETING_ID]

    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    device = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    assert device is not None
    assert device.name == "Weekly team sync (new time)"
    assert find_device(hass, f"{USER_ID}_{OTHER_MEETING_ID}") is None
    assert hass.states.get("switch.product_launch_live_stream") is None


async def test_account_without_webinar_add_on_still_polls(
    hass: HomeAssistant, zoom: ZoomMock, setup_integration: SetupIntegration
) -> None:
    """Zoom refusing the webinar list (no add-on) means no webinars, not an outage."""
    zoom.fail(
        "GET",
        f"/users/{USER_ID}/webinars",
        HTTPStatus.BAD_REQUEST,
        {
            "code": 200,
            "message": "Webinar plan is missing. You must subscribe to the webinar plan.",
        },
    )
    entry = await setup_integration()
    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, "switch.weekly_team_sync_live_stream") == STATE_OFF
    assert hass.states.get("switch.quarterly_all_hands_live_stream") is None
