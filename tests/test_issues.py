"""Repair issues appear when the user must act in Zoom, and go away when fixed."""

from __future__ import annotations

from http import HTTPStatus

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.zoom_livestream.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir

from .conftest import (
    MEETING_ID,
    OTHER_MEETING_ID,
    USER_ID,
    ZoomMock,
    async_poll,
    async_save_options,
    make_entry,
)
from .test_unique_ids import SECOND_USER_ID, second_account

STATUS = f"/meetings/{MEETING_ID}/livestream/status"
UNKNOWN_MEETING_ID = 11122233344
SCOPES_MESSAGE = "Invalid access token, does not contain scopes:[meeting:read:admin, webinar:read:admin]."


async def _turn_on(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        Platform.SWITCH,
        "turn_on",
        {"entity_id": "switch.weekly_team_sync_live_stream"},
        blocking=True,
    )


async def test_missing_scopes_issue_lists_them_and_clears(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Zoom code 4711 while polling names the missing scopes until a poll works."""
    zoom.fail(
        "GET",
        f"/users/{USER_ID}/meetings",
        HTTPStatus.BAD_REQUEST,
        {"code": 4711, "message": SCOPES_MESSAGE},
    )
    await async_poll(hass, freezer)
    issue = issue_registry.async_get_issue(
        DOMAIN, f"missing_scopes_{init_integration.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders == {
        "title": init_integration.title,
        "scopes": "meeting:read:admin, webinar:read:admin",
    }
    assert issue.is_fixable is False
    zoom.heal()
    await async_poll(hass, freezer)
    assert (
        issue_registry.async_get_issue(
            DOMAIN, f"missing_scopes_{init_integration.entry_id}"
        )
        is None
    )


@pytest.mark.parametrize(
    "body",
    [
        {
            "code": 200,
            "message": "Custom live streaming is not enabled for this account.",
        },
        {"code": 3000, "message": "Not allowed to start live streaming."},
    ],
)
async def test_streaming_not_allowed_issue_clears_after_a_start(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    body: dict[str, object],
) -> None:
    """A plan or host setting that forbids streaming raises an issue until a start works."""
    zoom.fail("PATCH", STATUS, HTTPStatus.BAD_REQUEST, body)
    with pytest.raises(HomeAssistantError):
        await _turn_on(hass)
    issue_id = f"streaming_not_allowed_{init_integration.entry_id}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["message"] == body["message"]
    zoom.heal()
    await _turn_on(hass)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_meeting_not_started_raises_no_issue(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A meeting that has not started is not something to repair."""
    zoom.fail(
        "PATCH",
        STATUS,
        HTTPStatus.BAD_REQUEST,
        {"code": 3000, "message": f"Meeting {MEETING_ID} has not started."},
    )
    with pytest.raises(HomeAssistantError):
        await _turn_on(hass)
    assert not [i for i in issue_registry.issues.values() if i.domain == DOMAIN]


async def test_missing_scopes_on_start(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A start refused for lack of a write scope names it until a start works.

    Polls only read: a successful poll proves nothing about write scopes, so it
    must not clear the repair.
    """
    zoom.fail(
        "PATCH",
        STATUS,
        HTTPStatus.BAD_REQUEST,
        {"code": 4711, "message": "does not contain scopes:[meeting:write:admin]"},
    )
    with pytest.raises(ServiceValidationError) as exc_info:
        await _turn_on(hass)
    assert exc_info.value.translation_key == "missing_scopes"
    issue_id = f"missing_scopes_write_{init_integration.entry_id}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "missing_scopes"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["scopes"] == "meeting:write:admin"

    await async_poll(hass, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    zoom.heal()
    await _turn_on(hass)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_webhook_secret_missing_issue(
    hass: HomeAssistant,
    zoom: ZoomMock,
    issue_registry: ir.IssueRegistry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Events arriving without a secret raise an issue; saving a secret clears it."""
    entry = make_entry()
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    response = await client.post(
        f"/api/webhook/{entry.data['webhook_id']}",
        data=b'{"event": "meeting.started", "payload": {"account_id": "acc-123"}}',
        headers={"x-zm-request-timestamp": "1", "x-zm-signature": "v0=00"},
    )
    assert response.status == 401
    issue_id = f"webhook_secret_missing_{entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    # The user enters the secret in the options: the entry reloads, the issue goes.
    await async_save_options(
        hass, entry, {"events": True, "webhook_secret": "zm-secret"}
    )
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_refusal_of_a_meeting_not_running_is_no_plan_problem(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Zoom's code 3000 covers several causes: the meeting's state explains it first.

    Words like "not allowed" or "plan" in Zoom's message are not a contract: here
    the meeting is not running, so the refusal says so, and no repair about the
    account's plan is raised.
    """
    zoom.fail(
        "PATCH",
        f"/meetings/{OTHER_MEETING_ID}/livestream/status",
        HTTPStatus.BAD_REQUEST,
        {
            "code": 3000,
            "message": "Live streaming is not allowed until the host starts the "
            "meeting (see your plan).",
        },
    )
    with pytest.raises(ServiceValidationError) as exc_info:
        await hass.services.async_call(
            Platform.SWITCH,
            "turn_on",
            {"entity_id": "switch.product_launch_live_stream"},
            blocking=True,
        )
    assert exc_info.value.translation_key == "meeting_not_started"
    assert not [i for i in issue_registry.issues.values() if i.domain == DOMAIN]


CODE_4700 = {"code": 4700, "message": "Invalid access token, does not contain scopes"}


@pytest.mark.parametrize("status", [HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED])
async def test_code_4700_is_the_scopes_repair_never_reauthentication(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    status: HTTPStatus,
) -> None:
    """Zoom's 4700 names no scope: the repair names what the call needs.

    The credentials work (a new token is not even asked for): re-authentication
    would send the user to fix what is not broken.
    """
    entry = init_integration
    zoom.fail("GET", f"/users/{USER_ID}/meetings", status, CODE_4700)
    tokens = zoom.token_counter
    await async_poll(hass, freezer)
    issue = issue_registry.async_get_issue(DOMAIN, f"missing_scopes_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders == {
        "title": entry.title,
        "scopes": "meeting:read:list_meetings:admin",
    }
    zoom.heal()
    await async_poll(hass, freezer)

    zoom.fail("PATCH", STATUS, status, CODE_4700)
    with pytest.raises(ServiceValidationError) as exc_info:
        await _turn_on(hass)
    assert exc_info.value.translation_key == "missing_scopes"
    assert "meeting:update:livestream_status:admin" in str(exc_info.value)
    write_issue = issue_registry.async_get_issue(
        DOMAIN, f"missing_scopes_write_{entry.entry_id}"
    )
    assert write_issue is not None
    await hass.async_block_till_done()

    assert zoom.token_counter == tokens
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert entry.state is ConfigEntryState.LOADED


async def test_removing_the_entry_removes_its_repair_issues(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
    issue_registry: ir.IssueRegistry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Every kind of repair of a removed entry goes with it; another entry's stays."""
    second_account(aioclient_mock, zoom)
    # An extra meeting ID Zoom does not know, and no secret token for Zoom's events.
    entry = make_entry(options={"extra_meetings": [str(UNKNOWN_MEETING_ID)]})
    other = MockConfigEntry(
        domain=DOMAIN,
        title="second@example.com",
        unique_id=SECOND_USER_ID,
        data={**entry.data, "cloud": "government"},
        options={"extra_meetings": [str(UNKNOWN_MEETING_ID)]},
        version=1,
        minor_version=3,
    )
    for item in (entry, other):
        item.add_to_hass(hass)
        await hass.config_entries.async_setup(item.entry_id)
        await hass.async_block_till_done()
        assert item.state is ConfigEntryState.LOADED
    # Zoom posts events, but no secret token is set.
    client = await hass_client_no_auth()
    response = await client.post(
        f"/api/webhook/{entry.data['webhook_id']}",
        data=b'{"event": "meeting.started", "payload": {"account_id": "acc-123"}}',
        headers={"x-zm-request-timestamp": "1", "x-zm-signature": "v0=00"},
    )
    assert response.status == HTTPStatus.UNAUTHORIZED
    # The plan forbids streaming, then a write scope is missing.
    zoom.fail(
        "PATCH",
        STATUS,
        HTTPStatus.BAD_REQUEST,
        {"code": 200, "message": "Custom live streaming is not enabled."},
        times=1,
    )
    with pytest.raises(HomeAssistantError):
        await _turn_on(hass)
    zoom.fail(
        "PATCH",
        STATUS,
        HTTPStatus.BAD_REQUEST,
        {"code": 4711, "message": "does not contain scopes:[meeting:write:admin]"},
    )
    with pytest.raises(ServiceValidationError):
        await _turn_on(hass)
    # A poll lacks a read scope.
    zoom.fail(
        "GET",
        f"/users/{USER_ID}/meetings",
        HTTPStatus.BAD_REQUEST,
        {"code": 4711, "message": SCOPES_MESSAGE},
    )
    await async_poll(hass, freezer)

    def issue_ids(config_entry: MockConfigEntry) -> set[str]:
        return {
            issue_id
            for (domain, issue_id) in issue_registry.issues
            if domain == DOMAIN and issue_id.endswith(f"_{config_entry.entry_id}")
        }

    assert {
        issue_id.removesuffix(f"_{entry.entry_id}") for issue_id in issue_ids(entry)
    } == {
        "option_skipped",
        "webhook_secret_missing",
        "streaming_not_allowed",
        "missing_scopes_write",
        "missing_scopes",
    }
    assert issue_ids(other) == {f"option_skipped_{other.entry_id}"}

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()

    assert issue_ids(entry) == set()
    assert issue_ids(other) == {f"option_skipped_{other.entry_id}"}
