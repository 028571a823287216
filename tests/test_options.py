"""The options flow, and polling with the options it stores."""

from __future__ import annotations

from http import HTTPStatus
import json
import logging
from pathlib import Path
import re
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zoom_livestream.const import DOMAIN, LIST_REFRESH_INTERVAL
from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.const import (
    MATCH_ALL,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir

from .conftest import (
    ACCOUNT_ID,
    MEETING_ID,
    OTHER_MEETING_ID,
    USER_EMAIL,
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

OTHER_USER = "jane@example.com"
EXTRA_ID = 11122233344
WEBINAR_SWITCH = "switch.quarterly_all_hands_live_stream"
NOT_FOUND_MEETING = {"code": 3001, "message": "Meeting does not exist: 1."}
NOT_FOUND_USER = {"code": 1001, "message": "User does not exist: x."}


def meeting_details(
    meeting_id: int, topic: str, status: str = "waiting", meeting_type: int = 2
) -> dict[str, Any]:
    """Return `GET /meetings/{id}` as Zoom sends it (with `status`)."""
    return {**meeting_json(meeting_id, topic, meeting_type), "status": status}


def user_json(email: str = OTHER_USER) -> dict[str, Any]:
    """Return `GET /users/{id}` for another user of the account."""
    return {"id": "user-jane", "email": email, "account_id": ACCOUNT_ID, "type": 2}


def requests(zoom: ZoomMock) -> list[tuple[str, str, str | None]]:
    """Return (method, path, list type) of the API requests made so far."""
    return [(c.method, c.path, c.url.query.get("type")) for c in zoom.api_calls]


def oauth_entry() -> MockConfigEntry:
    """Return a "Sign in with Zoom" entry (never set up in these tests)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=USER_EMAIL,
        unique_id=USER_ID,
        data={
            "auth_type": "oauth",
            "cloud": "global",
            "auth_implementation": DOMAIN,
            "token": {"access_token": "a", "refresh_token": "r", "expires_at": 0},
        },
        version=1,
        minor_version=3,
    )


async def async_submit(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> ConfigFlowResult:
    """Open the options' settings, check the form, and submit `user_input`."""
    result = await async_open_settings(hass, entry)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], user_input
    )


async def async_open_step(
    hass: HomeAssistant, entry: MockConfigEntry, step: str
) -> ConfigFlowResult:
    """Open the options and choose a form (a loaded entry shows a menu first)."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    if result["type"] is FlowResultType.MENU:
        assert result["menu_options"] == ["settings", "stream_target"]
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": step}
        )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step
    return result


async def async_open_settings(
    hass: HomeAssistant, entry: MockConfigEntry
) -> ConfigFlowResult:
    """Open the options' settings (meetings and Zoom events)."""
    return await async_open_step(hass, entry, "settings")


# -- the form ----------------------------------------------------------------------


async def test_form_of_a_server_to_server_entry(
    hass: HomeAssistant, zoom: ZoomMock, setup_integration: SetupIntegration
) -> None:
    """All fields, webinars on by default, and the webhook URL to give Zoom."""
    hass.config.external_url = "https://ha.example.com"
    entry = await setup_integration()
    result = await async_open_settings(hass, entry)
    assert result["errors"] == {}
    schema = result["data_schema"]
    assert schema is not None
    assert [str(key) for key in schema.schema] == [
        "include_webinars",
        "extra_users",
        "extra_meetings",
        "events",
        "webhook_secret",
    ]
    assert schema({}) == {"include_webinars": True, "events": False}
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["value"] == ""
    assert placeholders["webhook_url"] == (
        f"https://ha.example.com/api/webhook/{entry.data['webhook_id']}"
    )


async def test_form_shows_the_stored_options(
    hass: HomeAssistant, zoom: ZoomMock, mock_config_entry: MockConfigEntry
) -> None:
    """The form is filled with the stored options; no URL without an external URL."""
    entry = make_entry(
        {"include_webinars": False, "extra_users": [OTHER_USER], "extra_meetings": []}
    )
    zoom.fail("GET", f"/users/{OTHER_USER}/meetings", HTTPStatus.OK, {"meetings": []})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = await async_open_settings(hass, entry)
    schema = result["data_schema"]
    assert schema is not None
    suggested = {
        str(key): key.description["suggested_value"]
        for key in schema.schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {
        "include_webinars": False,
        "extra_users": [OTHER_USER],
        "extra_meetings": [],
    }
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["webhook_url"] == "-"


async def test_form_of_an_oauth_entry_has_no_other_users(hass: HomeAssistant) -> None:
    """A user's own sign-in may only read that user's meetings: no other users."""
    entry = oauth_entry()
    entry.add_to_hass(hass)
    result = await async_open_settings(hass, entry)
    schema = result["data_schema"]
    assert schema is not None
    assert [str(key) for key in schema.schema] == [
        "include_webinars",
        "extra_meetings",
        "events",
        "webhook_secret",
    ]


# -- saving ------------------------------------------------------------------------


async def test_saving_cleans_the_options_and_reloads(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Saved options are cleaned, and the reloaded entry polls with them."""
    entry = init_integration
    assert state_of(hass, WEBINAR_SWITCH) == STATE_OFF
    coordinator = entry.runtime_data.coordinator
    zoom.fail("GET", f"/users/{OTHER_USER}", HTTPStatus.OK, user_json())
    zoom.fail("GET", f"/users/{OTHER_USER}/meetings", HTTPStatus.OK, {"meetings": []})
    zoom.fail(
        "GET",
        f"/meetings/{EXTRA_ID}",
        HTTPStatus.OK,
        meeting_details(EXTRA_ID, "Partner town hall"),
    )
    zoom.clear_calls()

    result = await async_submit(
        hass,
        entry,
        {
            "include_webinars": False,
            "extra_users": [f" {OTHER_USER} ", OTHER_USER, ""],
            "extra_meetings": ["111 2223 3344", "111-222-33344", " "],
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    options = {
        "include_webinars": False,
        "extra_users": [OTHER_USER],
        "extra_meetings": [str(EXTRA_ID)],
    }
    assert result["data"] == options
    assert entry.options == options
    # Reloaded: a new poller, which no longer asks for webinars.
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator is not coordinator
    assert requests(zoom) == [
        # The checks of the options flow.
        ("GET", f"/users/{OTHER_USER}", None),
        ("GET", f"/meetings/{EXTRA_ID}", None),
        # The first poll of the reloaded entry.
        ("GET", f"/users/{USER_ID}/meetings", "scheduled"),
        ("GET", f"/users/{OTHER_USER}/meetings", "scheduled"),
        ("GET", f"/users/{USER_ID}/meetings", "live"),
        ("GET", f"/users/{OTHER_USER}/meetings", "live"),
        ("GET", f"/meetings/{EXTRA_ID}", None),
    ]
    assert hass.states.get(WEBINAR_SWITCH) is None
    assert find_device(hass, f"{USER_ID}_{WEBINAR_ID}") is None
    assert state_of(hass, "switch.partner_town_hall_live_stream") == STATE_OFF

    zoom.clear_calls()
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    assert not [c for c in zoom.api_calls if c.path.endswith("/webinars")]
    assert len(zoom.api_calls) == 5


async def test_webhook_secret_is_kept_or_replaced(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """An empty secret field keeps the stored secret; a new one replaces it."""
    entry = make_entry({"include_webinars": True, "webhook_secret": "old-secret"})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    result = await async_submit(hass, entry, {"include_webinars": True, "events": True})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        "include_webinars": True,
        "extra_users": [],
        "extra_meetings": [],
        "webhook_secret": "old-secret",
    }

    result = await async_submit(
        hass,
        entry,
        {"include_webinars": True, "events": True, "webhook_secret": " new-secret "},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["webhook_secret"] == "new-secret"
    assert entry.state is ConfigEntryState.LOADED


def _suggested(result: ConfigFlowResult) -> dict[str, Any]:
    schema = result["data_schema"]
    assert schema is not None
    return {
        str(key): key.description["suggested_value"]
        for key in schema.schema
        if key.description and "suggested_value" in key.description
    }


async def test_webhook_secret_never_goes_back_to_the_browser(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """The form never carries the secret: not the stored one, not one just typed."""
    entry = make_entry({"include_webinars": True, "webhook_secret": "old-secret"})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    result = await async_open_settings(hass, entry)
    assert "old-secret" not in str(result)
    assert "webhook_secret" not in _suggested(result)
    schema = result["data_schema"]
    assert schema is not None
    # Events are on, because a secret is stored.
    assert schema({})["events"] is True

    # A form shown again with an error does not echo what was typed either.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "include_webinars": True,
            "events": True,
            "webhook_secret": "typed-secret",
            "extra_meetings": ["abc"],
        },
    )
    assert result["errors"] == {"extra_meetings": "invalid_meeting_id"}
    assert "typed-secret" not in str(result)
    assert "old-secret" not in str(result)


async def test_events_can_be_turned_off(hass: HomeAssistant, zoom: ZoomMock) -> None:
    """Turning events off removes the stored secret; on again needs a secret."""
    entry = make_entry({"include_webinars": True, "webhook_secret": "old-secret"})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    result = await async_submit(
        hass, entry, {"include_webinars": True, "events": False}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "webhook_secret" not in entry.options
    assert state_of(hass, "switch.weekly_team_sync_live_stream") == STATE_OFF
    state = hass.states.get("switch.weekly_team_sync_live_stream")
    assert state is not None
    assert state.attributes["assumed_state"] is True

    result = await async_submit(hass, entry, {"include_webinars": True, "events": True})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"webhook_secret": "secret_required"}
    assert "webhook_secret" not in entry.options


async def test_other_user_who_left_is_skipped_and_named(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    caplog: pytest.LogCaptureFixture,
    issue_registry: ir.IssueRegistry,
) -> None:
    """An "other user" who left the account no longer takes the whole entry down."""
    for path in (f"/users/{OTHER_USER}/meetings", f"/users/{OTHER_USER}/webinars"):
        zoom.fail("GET", path, HTTPStatus.NOT_FOUND, NOT_FOUND_USER)
    entry = make_entry({"include_webinars": True, "extra_users": [OTHER_USER]})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_ON
    issue = issue_registry.async_get_issue(DOMAIN, f"option_skipped_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["users"] == OTHER_USER
    warnings = [r for r in caplog.records if "Skipping user" in r.getMessage()]
    assert len(warnings) == 1

    # Polls go on without asking for that user again, and say nothing more.
    zoom.clear_calls()
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert not [c for c in zoom.api_calls if OTHER_USER in c.path]
    assert len([r for r in caplog.records if "Skipping user" in r.getMessage()]) == 1

    # The user removes the option: the repair goes.
    result = await async_submit(hass, entry, {"include_webinars": True})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (
        issue_registry.async_get_issue(DOMAIN, f"option_skipped_{entry.entry_id}")
        is None
    )


async def test_webinar_id_is_accepted(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """An ID that is no meeting but a webinar is accepted."""
    zoom.fail("GET", f"/meetings/{EXTRA_ID}", HTTPStatus.NOT_FOUND, NOT_FOUND_MEETING)
    zoom.fail(
        "GET",
        f"/webinars/{EXTRA_ID}",
        HTTPStatus.OK,
        meeting_json(EXTRA_ID, "Partner webinar", 5),
    )
    zoom.clear_calls()
    result = await async_submit(
        hass,
        init_integration,
        {"include_webinars": True, "extra_meetings": [str(EXTRA_ID)]},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["extra_meetings"] == [str(EXTRA_ID)]
    assert requests(zoom)[:2] == [
        ("GET", f"/meetings/{EXTRA_ID}", None),
        ("GET", f"/webinars/{EXTRA_ID}", None),
    ]
    assert state_of(hass, "binary_sensor.partner_webinar_in_progress") == STATE_UNKNOWN


# -- errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    # Unicode digits pass str.isdigit(): "²" then crashed int(), "١٢٣" became 123.
    ["abc", "0", "12.5", str(2**63), "²", "①②③", "١٢٣"],
)
async def test_invalid_meeting_id(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    value: str,
) -> None:
    """A meeting ID that is not a positive 64-bit number is refused unasked."""
    zoom.clear_calls()
    result = await async_submit(
        hass,
        init_integration,
        {"include_webinars": True, "extra_meetings": [str(MEETING_ID), value]},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"extra_meetings": "invalid_meeting_id"}
    assert result["description_placeholders"] is not None
    assert result["description_placeholders"]["value"] == value
    assert zoom.calls == []
    assert init_integration.options == {}


@pytest.mark.parametrize(
    ("fails", "user_input", "errors", "value"),
    [
        (
            [
                ("/meetings/123", HTTPStatus.NOT_FOUND, NOT_FOUND_MEETING),
                ("/webinars/123", HTTPStatus.NOT_FOUND, NOT_FOUND_MEETING),
            ],
            {"extra_meetings": ["123"]},
            {"extra_meetings": "meeting_not_found"},
            "123",
        ),
        (
            [(f"/users/{OTHER_USER}", HTTPStatus.NOT_FOUND, NOT_FOUND_USER)],
            {"extra_users": [OTHER_USER]},
            {"extra_users": "user_not_found"},
            OTHER_USER,
        ),
        (
            [("/meetings/123", HTTPStatus.SERVICE_UNAVAILABLE, None)],
            {"extra_meetings": ["123"]},
            {"base": "cannot_connect"},
            "",
        ),
        (
            [(f"/users/{OTHER_USER}", HTTPStatus.TOO_MANY_REQUESTS, None)],
            {"extra_users": [OTHER_USER]},
            {"base": "cannot_connect"},
            "",
        ),
        (
            [
                (
                    "/meetings/123",
                    HTTPStatus.BAD_REQUEST,
                    {"code": 9999, "message": "Something odd."},
                )
            ],
            {"extra_meetings": ["123"]},
            {"base": "unknown"},
            "",
        ),
    ],
    ids=[
        "meeting_not_found",
        "user_not_found",
        "cannot_connect",
        "rate_limited",
        "unknown",
    ],
)
async def test_errors_then_success(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    fails: list[tuple[str, HTTPStatus, dict[str, Any] | None]],
    user_input: dict[str, Any],
    errors: dict[str, str],
    value: str,
) -> None:
    """Zoom's refusals show on the form; nothing is stored until they are fixed."""
    for path, status, body in fails:
        zoom.fail("GET", path, status, body)
    result = await async_submit(
        hass, init_integration, {"include_webinars": True, **user_input}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert result["description_placeholders"] is not None
    assert result["description_placeholders"]["value"] == value
    assert init_integration.options == {}

    # Without the offending value the same flow saves.
    zoom.heal()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"include_webinars": False}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        "include_webinars": False,
        "extra_users": [],
        "extra_meetings": [],
    }


async def test_connection_error_while_checking(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """Zoom unreachable during the check: cannot_connect."""
    zoom.fail("GET", "/meetings/123", exc=aiohttp.ClientConnectionError())
    result = await async_submit(
        hass, init_integration, {"include_webinars": True, "extra_meetings": ["123"]}
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_unexpected_answer_is_logged(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unexpected refusal is logged with its details for the user to report."""
    zoom.fail(
        "GET",
        f"/users/{OTHER_USER}",
        HTTPStatus.BAD_REQUEST,
        {"code": 9999, "message": "Something odd."},
    )
    with caplog.at_level(logging.ERROR):
        result = await async_submit(
            hass,
            init_integration,
            {"include_webinars": True, "extra_users": [OTHER_USER]},
        )
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected answer from Zoom while checking options" in caplog.text


async def test_saved_while_not_loaded(
    hass: HomeAssistant, zoom: ZoomMock, mock_config_entry: MockConfigEntry
) -> None:
    """An entry that is not loaded (perhaps because of an option) can still be fixed.

    Nothing can be asked of Zoom without a loaded entry: the options are saved
    after the local checks, and the reload that saving starts checks the rest.
    """
    mock_config_entry.add_to_hass(hass)
    result = await async_open_settings(hass, mock_config_entry)
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["webhook_url"] == "-"
    result = await async_submit(
        hass, mock_config_entry, {"include_webinars": True, "extra_meetings": ["x1"]}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"extra_meetings": "invalid_meeting_id"}
    assert zoom.calls == []
    result = await async_submit(
        hass,
        mock_config_entry,
        {"include_webinars": True, "extra_meetings": [str(EXTRA_ID)]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {
        "include_webinars": True,
        "extra_users": [],
        "extra_meetings": [str(EXTRA_ID)],
    }
    await hass.async_block_till_done()

    # The reload set the entry up; the extra meeting Zoom does not know is
    # skipped by the poll (named in a repair), not by the form.
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert requests(zoom)[0] == ("GET", f"/users/{USER_ID}/meetings", "scheduled")
    assert ("GET", f"/meetings/{EXTRA_ID}", None) in requests(zoom)
    assert EXTRA_ID not in mock_config_entry.runtime_data.coordinator.data.meetings


# -- polling with options ------------------------------------------------------------


async def test_extra_users_are_polled(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Each other user costs a scheduled, a webinar and a live list request."""
    jane_meeting = {**meeting_json(EXTRA_ID, "Jane's meeting"), "host_id": "user-jane"}
    zoom.fail(
        "GET",
        f"/users/{OTHER_USER}/meetings",
        HTTPStatus.OK,
        {"meetings": [jane_meeting]},
    )
    zoom.fail("GET", f"/users/{OTHER_USER}/webinars", HTTPStatus.OK, {"webinars": []})
    entry = make_entry({"include_webinars": True, "extra_users": [OTHER_USER]})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    # Side by side: the order in which they reach Zoom does not matter.
    assert sorted(requests(zoom), key=str) == sorted(
        [
            ("GET", f"/users/{USER_ID}/meetings", "scheduled"),
            ("GET", f"/users/{USER_ID}/webinars", None),
            ("GET", f"/users/{OTHER_USER}/meetings", "scheduled"),
            ("GET", f"/users/{OTHER_USER}/webinars", None),
            ("GET", f"/users/{USER_ID}/meetings", "live"),
            ("GET", f"/users/{OTHER_USER}/meetings", "live"),
        ],
        key=str,
    )
    assert state_of(hass, "switch.jane_s_meeting_live_stream") == STATE_OFF
    # The canned answer lists the meeting as live too.
    assert state_of(hass, "binary_sensor.jane_s_meeting_in_progress") == STATE_ON

    zoom.clear_calls()
    await async_poll(hass, freezer)
    assert requests(zoom) == [
        ("GET", f"/users/{USER_ID}/meetings", "live"),
        ("GET", f"/users/{OTHER_USER}/meetings", "live"),
    ]


async def test_extra_meetings_are_read_every_poll(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """An extra meeting is read by ID each poll; its status tells if it runs."""
    zoom.fail(
        "GET",
        f"/meetings/{EXTRA_ID}",
        HTTPStatus.OK,
        meeting_details(EXTRA_ID, "Partner town hall", "started"),
    )
    entry = make_entry({"include_webinars": True, "extra_meetings": [str(EXTRA_ID)]})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert state_of(hass, "binary_sensor.partner_town_hall_in_progress") == STATE_ON
    assert state_of(hass, "switch.partner_town_hall_live_stream") == STATE_OFF
    assert EXTRA_ID in entry.runtime_data.coordinator.data.live_meeting_ids

    zoom.heal()
    zoom.fail(
        "GET",
        f"/meetings/{EXTRA_ID}",
        HTTPStatus.OK,
        meeting_details(EXTRA_ID, "Partner town hall", "waiting"),
    )
    zoom.clear_calls()
    await async_poll(hass, freezer)
    assert requests(zoom) == [
        ("GET", f"/users/{USER_ID}/meetings", "live"),
        ("GET", f"/meetings/{EXTRA_ID}", None),
    ]
    assert state_of(hass, "binary_sensor.partner_town_hall_in_progress") == STATE_OFF
    # Not listed, but still a device after a full refresh.
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    assert state_of(hass, "switch.partner_town_hall_live_stream") == STATE_OFF


async def test_extra_webinar_is_remembered(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """An extra ID that is a webinar is asked as a meeting once, then as a webinar."""
    zoom.fail("GET", f"/meetings/{EXTRA_ID}", HTTPStatus.NOT_FOUND, NOT_FOUND_MEETING)
    zoom.fail(
        "GET",
        f"/webinars/{EXTRA_ID}",
        HTTPStatus.OK,
        meeting_json(EXTRA_ID, "Partner webinar", 5),
    )
    entry = make_entry({"include_webinars": True, "extra_meetings": [str(EXTRA_ID)]})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert requests(zoom)[-2:] == [
        ("GET", f"/meetings/{EXTRA_ID}", None),
        ("GET", f"/webinars/{EXTRA_ID}", None),
    ]
    assert state_of(hass, "switch.partner_webinar_live_stream") == STATE_OFF
    assert state_of(hass, "binary_sensor.partner_webinar_in_progress") == STATE_UNKNOWN

    zoom.clear_calls()
    await async_poll(hass, freezer)
    assert requests(zoom) == [
        ("GET", f"/users/{USER_ID}/meetings", "live"),
        ("GET", f"/webinars/{EXTRA_ID}", None),
    ]


async def test_missing_extra_meeting_is_skipped(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An extra ID Zoom no longer knows is skipped; the poll still succeeds."""
    zoom.fail("GET", f"/meetings/{EXTRA_ID}", HTTPStatus.NOT_FOUND, NOT_FOUND_MEETING)
    zoom.fail("GET", f"/webinars/{EXTRA_ID}", HTTPStatus.NOT_FOUND, NOT_FOUND_MEETING)
    entry = make_entry({"include_webinars": True, "extra_meetings": [str(EXTRA_ID)]})
    entry.add_to_hass(hass)
    with caplog.at_level(logging.DEBUG):
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert f"Skipping meeting {EXTRA_ID} of {USER_EMAIL} until Zoom accepts it" in (
        caplog.text
    )
    assert EXTRA_ID not in entry.runtime_data.coordinator.data.meetings
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_ON

    # Skipped until the next full list: not asked again, and the poll succeeds.
    zoom.clear_calls()
    await async_poll(hass, freezer)
    assert requests(zoom) == [("GET", f"/users/{USER_ID}/meetings", "live")]
    assert entry.runtime_data.coordinator.last_update_success
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_ON


# -- what reloads --------------------------------------------------------------------


async def test_new_data_does_not_reload_but_new_options_do(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """A stored token (entry data) changes nothing; changed options reload."""
    entry = init_integration
    runtime_data = entry.runtime_data
    zoom.clear_calls()

    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "token": {"access_token": "rotated"}}
    )
    await hass.async_block_till_done()
    assert entry.runtime_data is runtime_data
    assert zoom.calls == []

    await async_submit(hass, entry, {"include_webinars": False})
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not runtime_data
    assert entry.options["include_webinars"] is False
    assert ("GET", f"/users/{USER_ID}/webinars", None) not in requests(zoom)
    assert ("GET", f"/users/{USER_ID}/meetings", "scheduled") in requests(zoom)


async def test_deleted_extra_webinar_is_skipped(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A remembered webinar Zoom deleted is skipped; it is not asked as a meeting."""
    zoom.fail("GET", f"/meetings/{EXTRA_ID}", HTTPStatus.NOT_FOUND, NOT_FOUND_MEETING)
    zoom.fail(
        "GET",
        f"/webinars/{EXTRA_ID}",
        HTTPStatus.OK,
        meeting_json(EXTRA_ID, "Partner webinar", 5),
        times=1,
    )
    zoom.fail("GET", f"/webinars/{EXTRA_ID}", HTTPStatus.NOT_FOUND, NOT_FOUND_MEETING)
    entry = make_entry({"include_webinars": True, "extra_meetings": [str(EXTRA_ID)]})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert EXTRA_ID in entry.runtime_data.coordinator.data.meetings

    zoom.clear_calls()
    await async_poll(hass, freezer)
    assert requests(zoom) == [
        ("GET", f"/users/{USER_ID}/meetings", "live"),
        ("GET", f"/webinars/{EXTRA_ID}", None),
    ]
    assert entry.runtime_data.coordinator.last_update_success
    assert EXTRA_ID not in entry.runtime_data.coordinator.data.meetings
    assert state_of(hass, "switch.partner_webinar_live_stream") == STATE_UNAVAILABLE


# -- a stream target whose key no log or recorder sees ---------------------------------

KEY = "sk-live-9f8e7d6c5b4a"
# What Zoom holds for "Weekly team sync" (conftest's ZoomMock).
ZOOM_KEY = "yt-key-1234"
TARGET_FIELDS = ["stream_url", "stream_key", "page_url", "resolution"]


async def async_choose_meeting(
    hass: HomeAssistant, entry: MockConfigEntry
) -> ConfigFlowResult:
    """Open the options' stream target, at the choice of a meeting."""
    assert entry.state is ConfigEntryState.LOADED
    return await async_open_step(hass, entry, "stream_target")


async def async_open_stream_target(
    hass: HomeAssistant, entry: MockConfigEntry, meeting_id: int = MEETING_ID
) -> ConfigFlowResult:
    """Open the options' stream target form of one meeting."""
    result = await async_choose_meeting(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"meeting": str(meeting_id)}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "stream_target_meeting"
    return result


def suggested(result: ConfigFlowResult) -> dict[str, Any]:
    """Return the values the form shows in its fields, by field."""
    schema = result["data_schema"]
    assert schema is not None
    return {
        str(key): key.description["suggested_value"]
        for key in schema.schema
        if (key.description or {}).get("suggested_value") is not None
    }


def fields(result: ConfigFlowResult) -> list[str]:
    """Return the form's fields, in order."""
    schema = result["data_schema"]
    assert schema is not None
    return [str(key) for key in schema.schema]


async def test_stream_target_form_shows_zooms_current_target(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """The meeting's URL, page URL and resolution as Zoom has them; never the key."""
    result = await async_choose_meeting(hass, init_integration)
    assert fields(result) == ["meeting"]
    zoom.clear_calls()

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"meeting": str(MEETING_ID)}
    )

    assert result["step_id"] == "stream_target_meeting"
    assert [(c.method, c.path) for c in zoom.api_calls] == [
        ("GET", f"/meetings/{MEETING_ID}/livestream")
    ]
    assert fields(result) == [*TARGET_FIELDS, "layout", "close_caption"]
    assert suggested(result) == {
        "stream_url": "rtmp://a.rtmp.youtube.com/live2",
        "page_url": "https://youtube.com/@example/live",
        "resolution": "720p",
    }
    assert result["errors"] == {}
    assert result["description_placeholders"] == {"name": "Weekly team sync"}
    assert ZOOM_KEY not in str(result)


async def test_stream_target_sends_only_what_changed_and_keeps_the_key(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """Shown values sent back unchanged and an empty key keep what Zoom has."""
    result = await async_open_stream_target(hass, init_integration)
    shown = suggested(result)

    # The form sent back as shown: nothing to change.
    zoom.clear_calls()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**shown, "stream_key": ""}
    )
    assert result["errors"] == {"base": "no_settings"}
    assert zoom.calls == []

    # A new page URL; the key field left empty keeps Zoom's key.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**shown, "stream_key": "", "page_url": "https://example.com/live"},
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "stream_target_saved"
    assert [(c.method, c.path) for c in zoom.api_calls] == [
        ("GET", f"/meetings/{MEETING_ID}/livestream"),
        ("PATCH", f"/meetings/{MEETING_ID}/livestream"),
    ]
    assert zoom.api_calls[-1].json == {
        "stream_url": "rtmp://a.rtmp.youtube.com/live2",
        "stream_key": ZOOM_KEY,
        "page_url": "https://example.com/live",
        "resolution": "720p",
    }


async def test_stream_target_of_a_meeting_without_one(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """Zoom answers with no target: empty fields, and the form says what it needs."""
    zoom.livestream[OTHER_MEETING_ID] = {"stream_url": "rtmp://a.example/live"}
    result = await async_open_stream_target(hass, init_integration, OTHER_MEETING_ID)
    assert suggested(result) == {"stream_url": "rtmp://a.example/live"}
    assert result["errors"] == {"base": "incomplete_stream_target"}

    del zoom.livestream[OTHER_MEETING_ID]
    result = await async_open_stream_target(hass, init_integration, OTHER_MEETING_ID)

    assert suggested(result) == {}
    assert result["errors"] == {"base": "no_stream_target"}
    assert result["description_placeholders"] == {"name": "Product launch"}
    text = STRINGS["options"]["error"]["no_stream_target"]
    assert set(re.findall(r"{(\w+)}", text)) <= {"name"}


@pytest.mark.parametrize(
    ("status", "body", "key", "placeholders"),
    [
        (HTTPStatus.SERVICE_UNAVAILABLE, None, "cannot_connect", {}),
        (
            HTTPStatus.NOT_FOUND,
            {"code": 3001, "message": "Meeting does not exist: 1."},
            "meeting_not_found",
            {"value": "Weekly team sync"},
        ),
        (
            HTTPStatus.BAD_REQUEST,
            {
                "code": 4711,
                "message": "Invalid access token, does not contain scopes:[meeting:read:livestream:admin].",
            },
            "missing_scopes",
            {"scopes": "meeting:read:livestream:admin"},
        ),
    ],
    ids=["zoom_down", "not_found", "missing_scopes"],
)
async def test_stream_target_form_when_zoom_refuses_the_read(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    status: HTTPStatus,
    body: dict[str, Any] | None,
    key: str,
    placeholders: dict[str, str],
) -> None:
    """The form is still shown, empty, with Zoom's refusal in words; it still works."""
    zoom.fail("GET", f"/meetings/{MEETING_ID}/livestream", status, body, times=1)
    result = await async_open_stream_target(hass, init_integration)

    assert suggested(result) == {}
    assert result["errors"] == {"base": key}
    shown = result["description_placeholders"] or {}
    assert placeholders.items() <= shown.items()
    text = STRINGS["options"]["error"][key]
    assert set(re.findall(r"{(\w+)}", text)) <= set(shown)

    # Nothing was shown, so what is typed is sent (merged into Zoom's target).
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"resolution": "720p"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert zoom.api_calls[-1].json["resolution"] == "720p"


async def test_stream_target_key_stays_out_of_logs_and_records(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The key goes to Zoom only: no log line, no event on the bus, nothing stored."""
    caplog.set_level(logging.DEBUG)
    bus_events: list[Event[Any]] = []
    hass.bus.async_listen(MATCH_ALL, callback(lambda event: bus_events.append(event)))
    result = await async_open_stream_target(hass, init_integration, OTHER_MEETING_ID)
    zoom.clear_calls()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "stream_url": "rtmp://a.rtmp.youtube.com/live2",
            "stream_key": KEY,
            "page_url": "https://youtube.com/@example/live",
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "stream_target_saved"
    # URL, key and page URL together: nothing to read first.
    assert [(c.method, c.path) for c in zoom.api_calls] == [
        ("PATCH", f"/meetings/{OTHER_MEETING_ID}/livestream"),
    ]
    assert zoom.livestream[OTHER_MEETING_ID]["stream_key"] == KEY
    assert KEY not in caplog.text
    assert all(KEY not in str(event.data) for event in bus_events)
    assert KEY not in str(init_integration.options)
    assert KEY not in str(init_integration.data)


async def test_stream_target_errors_keep_the_form(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """A bad value is named on its field; the key typed is not sent back."""
    result = await async_open_stream_target(hass, init_integration)
    zoom.clear_calls()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"stream_url": "rtmp://exa mple.com/live", "stream_key": KEY},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"stream_url": "invalid_stream_url"}
    assert suggested(result) == {"stream_url": "rtmp://exa mple.com/live"}
    assert KEY not in str(result)
    assert zoom.calls == []

    # Zoom refuses while the stream runs (assumed state: Zoom judges).
    await hass.services.async_call(
        "switch",
        "turn_on",
        {"entity_id": "switch.weekly_team_sync_live_stream"},
        blocking=True,
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"stream_key": KEY}
    )
    assert result["errors"] == {"base": "stream_active"}
    assert zoom.livestream[MEETING_ID]["stream_key"] == ZOOM_KEY

    # Zoom lacks the page URL for this meeting: all three are needed together.
    result = await async_open_stream_target(hass, init_integration, OTHER_MEETING_ID)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"stream_key": KEY}
    )
    assert result["errors"] == {"base": "incomplete_stream_target"}


async def test_stream_target_when_zoom_or_the_meeting_changed(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Zoom down, the meeting deleted meanwhile, a stream known to run: all explained."""
    entry = make_entry({"include_webinars": True, "webhook_secret": "zm-secret"})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    target = {
        "stream_url": "rtmp://a.example/live",
        "stream_key": KEY,
        "page_url": "https://a.example",
    }

    result = await async_open_stream_target(hass, entry)
    zoom.fail(
        "PATCH", f"/meetings/{MEETING_ID}/livestream", HTTPStatus.SERVICE_UNAVAILABLE
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], target
    )
    assert result["errors"] == {"base": "cannot_connect"}
    zoom.heal()

    # With Zoom's events the stream state is known: refused without asking Zoom.
    await hass.services.async_call(
        "switch",
        "turn_on",
        {"entity_id": "switch.weekly_team_sync_live_stream"},
        blocking=True,
    )
    zoom.clear_calls()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], target
    )
    assert result["errors"] == {"base": "stream_active"}
    assert zoom.calls == []

    # The meeting was deleted in Zoom while its form was open, or while the
    # choice of meetings was.
    result = await async_open_stream_target(hass, entry, OTHER_MEETING_ID)
    choice = await async_choose_meeting(hass, entry)
    del zoom.meetings[OTHER_MEETING_ID]
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], target
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "meeting_gone"
    result = await hass.config_entries.options.async_configure(
        choice["flow_id"], {"meeting": str(OTHER_MEETING_ID)}
    )
    assert result["step_id"] == "stream_target"
    assert result["errors"] == {"base": "meeting_not_found"}
    assert result["description_placeholders"] == {"value": str(OTHER_MEETING_ID)}
    assert STRINGS["options"]["abort"]["meeting_gone"]


STRINGS = json.loads(
    (
        Path(__file__).parent.parent / "custom_components" / DOMAIN / "strings.json"
    ).read_text(encoding="utf-8")
)


@pytest.mark.parametrize(
    ("status", "body", "headers", "key", "placeholders"),
    [
        (
            HTTPStatus.TOO_MANY_REQUESTS,
            {"code": 429, "message": "You have reached the maximum rate limit."},
            {"Retry-After": "30"},
            "rate_limited_wait",
            {"name": "Weekly team sync", "seconds": "30"},
        ),
        (
            HTTPStatus.BAD_REQUEST,
            {
                "code": 4711,
                "message": "Invalid access token, does not contain scopes:[meeting:update:livestream:admin].",
            },
            {},
            "missing_scopes",
            {"scopes": "meeting:update:livestream:admin"},
        ),
        (
            HTTPStatus.BAD_REQUEST,
            {"code": 1234, "message": "Something Zoom says."},
            {},
            "api_error",
            {"message": "Something Zoom says.", "code": "1234"},
        ),
    ],
    ids=["rate_limited", "missing_scopes", "other_refusal"],
)
async def test_stream_target_form_explains_refusals_as_the_action_does(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    status: HTTPStatus,
    body: dict[str, Any],
    headers: dict[str, str],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """The form shows Zoom's refusal with the action's key and every placeholder."""
    result = await async_open_stream_target(hass, init_integration)
    zoom.fail(
        "PATCH", f"/meetings/{MEETING_ID}/livestream", status, body, headers=headers
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"resolution": "1080p"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": key}
    shown = result["description_placeholders"] or {}
    assert placeholders.items() <= shown.items()
    # The form's text for that key is filled in full.
    text = STRINGS["options"]["error"][key]
    assert set(re.findall(r"{(\w+)}", text)) <= set(shown)
    # The same failure is recorded as for the action (the last error sensor).
    assert init_integration.runtime_data.coordinator.data.last_error is not None


async def test_stream_target_form_sets_a_meetings_layout_and_captions(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Layout and captions from the form are stored for the next start; not webinars'."""
    result = await async_open_stream_target(hass, init_integration, WEBINAR_ID)
    # Zoom's webinar streams take neither: the webinar's form does not offer them.
    assert fields(result) == TARGET_FIELDS
    result = await async_open_stream_target(hass, init_integration)
    zoom.clear_calls()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"layout": "speaker_view", "close_caption": "off"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert zoom.calls == []
    await hass.services.async_call(
        "switch",
        "turn_on",
        {"entity_id": "switch.weekly_team_sync_live_stream"},
        blocking=True,
    )
    assert zoom.api_calls[-1].json == {
        "action": "start",
        "settings": {"layout": "speaker_view", "close_caption": "off"},
    }


async def test_stream_target_after_the_entry_unloaded(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """Choosing or sending a form once the entry has unloaded says it is not loaded.

    The menu or form was shown while the entry was loaded; it unloaded meanwhile
    (a reload, disabling it). Nothing is sent to Zoom.
    """
    entry = init_integration
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    zoom.clear_calls()

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "stream_target"}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"

    # The choice of a meeting, and a meeting's form, opened while loaded and
    # sent after unloading.
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    choice = await async_choose_meeting(hass, entry)
    form = await async_open_stream_target(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    zoom.clear_calls()

    for result in (
        await hass.config_entries.options.async_configure(
            choice["flow_id"], {"meeting": str(MEETING_ID)}
        ),
        await hass.config_entries.options.async_configure(
            form["flow_id"], {"stream_key": KEY}
        ),
    ):
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "not_loaded"
    assert zoom.calls == []
    assert STRINGS["options"]["abort"]["not_loaded"]
