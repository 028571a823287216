"""One answer Zoom refuses takes down no more than what it concerns.

An extra meeting or an "other user" of the options that Zoom refuses is left out
of the polls with a repair that names it; the rest of the entry stays available,
and the refused part keeps its devices, entity IDs and customisations: devices
go only when Zoom's own list no longer has the meeting.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zoom_livestream.const import DOMAIN, LIST_REFRESH_INTERVAL
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)

from .conftest import (
    USER_ID,
    ZoomMock,
    async_poll,
    find_device,
    make_entry,
    meeting_json,
    state_of,
)

EXTRA_ID = 11122233344
EXTRA_SWITCH = "switch.partner_briefing_live_stream"
OWN_SWITCH = "switch.weekly_team_sync_live_stream"
OWN_SENSOR = "binary_sensor.weekly_team_sync_in_progress"

COLLEAGUE_ID = "jane-id"
COLLEAGUE = "jane@example.com"
COLLEAGUE_MEETING = 55566677788
COLLEAGUE_SWITCH = "switch.jane_s_town_hall_live_stream"
COLLEAGUE_SENSOR = "binary_sensor.jane_s_town_hall_in_progress"

# Zoom's refusals of one meeting that are not "it does not exist".
MEETING_REFUSALS = [
    pytest.param(
        HTTPStatus.BAD_REQUEST,
        {"code": 3000, "message": "Cannot access meeting information."},
        id="3000_cannot_access",
    ),
    pytest.param(
        HTTPStatus.BAD_REQUEST,
        {"code": 300, "message": "Invalid meeting ID."},
        id="300_invalid",
    ),
    pytest.param(
        HTTPStatus.FORBIDDEN,
        {"code": 200, "message": "No permission."},
        id="200_no_permission",
    ),
]

# Zoom's refusals of another user's lists.
USER_REFUSALS = [
    pytest.param(
        HTTPStatus.BAD_REQUEST,
        {"code": 1010, "message": "User does not belong to this account."},
        id="1010_not_in_account",
    ),
    pytest.param(
        HTTPStatus.NOT_FOUND,
        {"code": 1001, "message": "User does not exist: jane@example.com."},
        id="1001_does_not_exist",
    ),
    pytest.param(
        HTTPStatus.BAD_REQUEST,
        {"code": 300, "message": "Invalid field."},
        id="300_invalid",
    ),
]


def skipped_issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    """Return the repair that names the options Zoom refused."""
    return ir.async_get(hass).async_get_issue(
        DOMAIN, f"option_skipped_{entry.entry_id}"
    )


def extra_meeting(zoom: ZoomMock) -> None:
    """Add a colleague's meeting by ID: no list of the entry shows it."""
    zoom.instant[EXTRA_ID] = {
        **meeting_json(EXTRA_ID, "Partner briefing"),
        "host_id": "someone-else",
    }


async def full_poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the next poll read the full lists."""
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)


# -- item 1: an extra meeting Zoom refuses ---------------------------------------------


@pytest.mark.parametrize(("status", "body"), MEETING_REFUSALS)
async def test_extra_meeting_refused_at_start_is_skipped_and_named(
    hass: HomeAssistant,
    zoom: ZoomMock,
    status: HTTPStatus,
    body: dict[str, Any],
) -> None:
    """The entry loads without it; a repair names it."""
    extra_meeting(zoom)
    zoom.fail("GET", f"/meetings/{EXTRA_ID}", status, body)
    entry = make_entry({"extra_meetings": [str(EXTRA_ID)]})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, OWN_SENSOR) == STATE_ON
    issue = skipped_issue(hass, entry)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["meetings"] == str(EXTRA_ID)


@pytest.mark.parametrize(("status", "body"), MEETING_REFUSALS)
async def test_extra_meeting_refused_later_takes_nothing_else_down(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    status: HTTPStatus,
    body: dict[str, Any],
) -> None:
    """Every other entity stays available; the meeting keeps its device."""
    extra_meeting(zoom)
    entry = make_entry({"extra_meetings": [str(EXTRA_ID)]})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, EXTRA_SWITCH) == STATE_OFF

    zoom.fail("GET", f"/meetings/{EXTRA_ID}", status, body)
    await async_poll(hass, freezer)
    await full_poll(hass, freezer)

    assert state_of(hass, OWN_SWITCH) == STATE_OFF
    assert state_of(hass, OWN_SENSOR) == STATE_ON
    issue = skipped_issue(hass, entry)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["meetings"] == str(EXTRA_ID)
    # Zoom did not say it is gone: its device and switch stay.
    assert find_device(hass, f"{USER_ID}_{EXTRA_ID}") is not None
    assert state_of(hass, EXTRA_SWITCH) != STATE_UNAVAILABLE

    # Zoom answers again: read at the next full list, the repair goes.
    zoom.heal()
    await full_poll(hass, freezer)
    assert skipped_issue(hass, entry) is None
    assert state_of(hass, EXTRA_SWITCH) == STATE_OFF


async def test_extra_meeting_deleted_in_zoom_goes(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A meeting Zoom says does not exist (as meeting and as webinar) goes."""
    extra_meeting(zoom)
    entry = make_entry({"extra_meetings": [str(EXTRA_ID)]})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    del zoom.instant[EXTRA_ID]
    await full_poll(hass, freezer)
    assert find_device(hass, f"{USER_ID}_{EXTRA_ID}") is None
    assert hass.states.get(EXTRA_SWITCH) is None
    issue = skipped_issue(hass, entry)
    assert issue is not None
    assert state_of(hass, OWN_SWITCH) == STATE_OFF


# -- item 2: an "other user" Zoom refuses -----------------------------------------------


async def setup_with_colleague(hass: HomeAssistant, zoom: ZoomMock) -> MockConfigEntry:
    """Follow a colleague with one meeting, customised by the user."""
    zoom.add_colleague(COLLEAGUE_ID, COLLEAGUE)
    zoom.meetings[COLLEAGUE_MEETING] = {
        **meeting_json(COLLEAGUE_MEETING, "Jane's town hall"),
        "host_id": COLLEAGUE_ID,
    }
    zoom.live.add(COLLEAGUE_MEETING)
    entry = make_entry({"extra_users": [COLLEAGUE]})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, COLLEAGUE_SENSOR) == STATE_ON
    return entry


def customise(hass: HomeAssistant) -> tuple[str, str]:
    """Put the colleague's device in an area and rename its switch."""
    device = find_device(hass, f"{USER_ID}_{COLLEAGUE_MEETING}")
    assert device is not None
    area = ar.async_get(hass).async_create("Chapel")
    dr.async_get(hass).async_update_device(device.id, area_id=area.id)
    er.async_get(hass).async_update_entity(
        COLLEAGUE_SWITCH, new_entity_id="switch.chapel_stream"
    )
    return device.id, area.id


@pytest.mark.parametrize(("status", "body"), USER_REFUSALS)
async def test_other_user_refused_keeps_devices_and_customisations(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    status: HTTPStatus,
    body: dict[str, Any],
) -> None:
    """A refused user's last list stays; it is asked again at the next full list."""
    entry = await setup_with_colleague(hass, zoom)
    device_id, area_id = customise(hass)

    zoom.fail("GET", f"/users/{COLLEAGUE}/meetings", status, body)
    await async_poll(hass, freezer)
    issue = skipped_issue(hass, entry)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["users"] == COLLEAGUE
    # The next full list asks again, and Zoom still refuses: nothing is lost.
    zoom.clear_calls()
    await full_poll(hass, freezer)
    assert [c.path for c in zoom.api_calls].count(f"/users/{COLLEAGUE}/meetings") == 1
    device = dr.async_get(hass).async_get(device_id)
    assert device is not None
    assert device.area_id == area_id
    assert state_of(hass, "switch.chapel_stream") != STATE_UNAVAILABLE
    assert state_of(hass, OWN_SENSOR) == STATE_ON

    # Zoom answers again: back without a reload, the repair goes.
    zoom.heal()
    await full_poll(hass, freezer)
    assert skipped_issue(hass, entry) is None
    assert state_of(hass, "switch.chapel_stream") == STATE_OFF
    assert state_of(hass, COLLEAGUE_SENSOR) == STATE_ON
    device = dr.async_get(hass).async_get(device_id)
    assert device is not None
    assert device.area_id == area_id


async def test_other_user_refused_at_start_loses_nothing(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """After a reload with the user refused, their devices and settings wait."""
    entry = await setup_with_colleague(hass, zoom)
    device_id, area_id = customise(hass)
    await hass.services.async_call(
        DOMAIN,
        "update_settings",
        {"entity_id": "switch.chapel_stream", "display_name": "Chapel"},
        blocking=True,
    )

    zoom.fail(
        "GET",
        f"/users/{COLLEAGUE}/meetings",
        HTTPStatus.BAD_REQUEST,
        {"code": 1010, "message": "User does not belong to this account."},
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    device = dr.async_get(hass).async_get(device_id)
    assert device is not None
    assert device.area_id == area_id
    assert er.async_get(hass).async_get("switch.chapel_stream") is not None

    # Zoom answers again: the same entity, with the display name kept.
    zoom.heal()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, "switch.chapel_stream") == STATE_OFF
    zoom.clear_calls()
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.chapel_stream"}, blocking=True
    )
    (start,) = [c for c in zoom.api_calls if c.method == "PATCH"]
    assert start.json["settings"]["display_name"] == "Chapel"


async def test_other_users_meeting_gone_from_zoom_goes(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A device goes when the user's own list, read fine, no longer has it."""
    await setup_with_colleague(hass, zoom)
    del zoom.meetings[COLLEAGUE_MEETING]
    zoom.live.discard(COLLEAGUE_MEETING)
    await full_poll(hass, freezer)
    assert find_device(hass, f"{USER_ID}_{COLLEAGUE_MEETING}") is None
    assert hass.states.get(COLLEAGUE_SWITCH) is None
    assert state_of(hass, OWN_SWITCH) == STATE_OFF


async def test_refused_user_meetings_keep_their_live_state(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A poll that could not read a user's live list does not end their meetings."""
    await setup_with_colleague(hass, zoom)
    zoom.fail(
        "GET",
        f"/users/{COLLEAGUE}/meetings",
        HTTPStatus.BAD_REQUEST,
        {"code": 1010, "message": "User does not belong to this account."},
    )
    await async_poll(hass, freezer)
    assert state_of(hass, COLLEAGUE_SENSOR) == STATE_ON
