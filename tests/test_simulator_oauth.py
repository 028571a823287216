"""Sign in with Zoom against the local simulator, through Home Assistant's OAuth2 flow.

Everything a browser and Home Assistant do, over real loopback HTTP: the
authorize link, the simulator's redirect back with a code, Home Assistant's
callback, the code exchange, the entry, a toggle, and the rotating refresh
token; the simulator is as harsh as Zoom (single-use codes bound to their
redirect URI, refresh tokens that stop working once used).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from http import HTTPStatus

import aiohttp
from aiohttp.test_utils import TestServer
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.zoom_livestream.const import DOMAIN
from custom_components.zoom_livestream.endpoints import SIMULATOR_ENV
from custom_components.zoom_livestream.zoom import basic_auth_header
from homeassistant import exceptions as ha_exceptions
from homeassistant.components.application_credentials import (
    ClientCredential,
    async_import_client_credential,
)
from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from zoom_simulator import (
    DEFAULT_USER_APP_CLIENT_ID,
    DEFAULT_USER_APP_CLIENT_SECRET,
    SimulatorState,
    create_app,
    seed_demo,
)

from .conftest import state_of

SWITCH = "switch.weekly_team_sync_live_stream"
# Home Assistant's callback under the current_request_with_host fixture's host.
REDIRECT_URI = "https://example.com/auth/external/callback"
USER_APP = basic_auth_header(DEFAULT_USER_APP_CLIENT_ID, DEFAULT_USER_APP_CLIENT_SECRET)
# A refused code exchange: from 2026.1 Home Assistant tells it from a failure.
REFUSED = (
    "oauth_unauthorized"
    if hasattr(ha_exceptions, "OAuth2TokenRequestReauthError")
    else "oauth_failed"
)

pytestmark = pytest.mark.usefixtures("current_request_with_host")


@pytest.fixture
async def simulator(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[tuple[SimulatorState, str]]:
    """Serve a seeded simulator on a free loopback port, named by the variable."""
    state = SimulatorState()
    seed_demo(state)
    server = TestServer(create_app(state), host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    monkeypatch.setenv(SIMULATOR_ENV, base)
    try:
        yield state, base
    finally:
        await server.close()


@pytest.fixture(autouse=True)
async def user_app(hass: HomeAssistant) -> None:
    """Store the simulator's user-level app as the application credentials."""
    assert await async_setup_component(hass, "application_credentials", {})
    await async_import_client_credential(
        hass,
        DOMAIN,
        ClientCredential(DEFAULT_USER_APP_CLIENT_ID, DEFAULT_USER_APP_CLIENT_SECRET),
        DOMAIN,
    )


async def _authorize_link(hass: HomeAssistant) -> tuple[str, URL]:
    """Choose Sign in with Zoom and the cloud; return the flow and its link."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "oauth"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"cloud": "global"}
    )
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    return result["flow_id"], URL(result["url"])


async def _follow(link: URL) -> URL:
    """Open the authorize link as the browser does; return where it redirects."""
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(link, allow_redirects=False) as resp,
    ):
        assert resp.status == HTTPStatus.FOUND, await resp.text()
        return URL(resp.headers["Location"])


async def _sign_in(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    state: SimulatorState,
) -> ConfigEntry:
    """Go through the whole sign-in; return the new, loaded entry."""
    flow_id, link = await _authorize_link(hass)
    back = await _follow(link)
    assert str(back.with_query(None)) == REDIRECT_URI
    client = await hass_client_no_auth()
    resp = await client.get(back.path_qs)
    assert resp.status == HTTPStatus.OK
    result = await hass.config_entries.flow.async_configure(flow_id)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry: ConfigEntry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def test_sign_in_with_zoom_against_the_simulator(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    simulator: tuple[SimulatorState, str],
) -> None:
    """Authorize, callback, code exchange, entry, and a toggle: all in the simulator."""
    state, base = simulator
    flow_id, link = await _authorize_link(hass)
    # The browser goes to the simulator's sign-in page, not zoom.us.
    assert str(link.with_query(None)) == f"{base}/oauth/authorize"
    assert link.query["response_type"] == "code"
    assert link.query["client_id"] == DEFAULT_USER_APP_CLIENT_ID
    assert link.query["redirect_uri"] == REDIRECT_URI

    back = await _follow(link)
    assert str(back.with_query(None)) == REDIRECT_URI
    assert back.query["state"] == link.query["state"]
    client = await hass_client_no_auth()
    resp = await client.get(back.path_qs)
    assert resp.status == HTTPStatus.OK

    state.clear_log()
    result = await hass.config_entries.flow.async_configure(flow_id)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    assert result["title"] == state.user.email
    entry = result["result"]
    assert entry.unique_id == state.user.id
    assert entry.data["auth_type"] == "oauth"
    # The code went to the simulator's token endpoint with the app's Basic auth,
    # and `me` there is the signed-in user.
    (token_request, *_) = state.requests
    assert (token_request.method, token_request.path) == ("POST", "/oauth/token")
    assert token_request.header("Authorization") == USER_APP
    assert ("GET", "/v2/users/me") in [(r.method, r.path) for r in state.requests]
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED

    sync = next(m for m in state.meetings.values() if m.topic == "Weekly team sync")
    state.clear_log()
    await hass.services.async_call(
        Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    assert [(r.method, r.path) for r in state.requests] == [
        ("PATCH", f"/v2/meetings/{sync.id}/livestream/status")
    ]
    access_token = entry.data["token"]["access_token"]
    assert state.requests[0].header("Authorization") == f"Bearer {access_token}"
    assert sync.streaming
    assert state_of(hass, SWITCH) == STATE_ON


async def test_a_spent_code_signs_no_one_in(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    simulator: tuple[SimulatorState, str],
) -> None:
    """The simulator refuses a code used before, as Zoom does: the flow aborts."""
    state, base = simulator
    flow_id, link = await _authorize_link(hass)
    back = await _follow(link)
    # Someone else exchanges the code first.
    async with (
        aiohttp.ClientSession() as other,
        other.post(
            f"{base}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": back.query["code"],
                "redirect_uri": REDIRECT_URI,
            },
            headers={"Authorization": USER_APP},
        ) as resp,
    ):
        assert resp.status == HTTPStatus.OK
    client = await hass_client_no_auth()
    assert (await client.get(back.path_qs)).status == HTTPStatus.OK
    state.clear_log()
    result = await hass.config_entries.flow.async_configure(flow_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == REFUSED
    assert [(r.method, r.path) for r in state.requests] == [("POST", "/oauth/token")]
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_rotating_refresh_token_against_the_simulator(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    simulator: tuple[SimulatorState, str],
) -> None:
    """An expired token is refreshed; the entry keeps the new refresh token."""
    state, _ = simulator
    entry = await _sign_in(hass, hass_client_no_auth, state)
    old_refresh = entry.data["token"]["refresh_token"]
    sync = next(m for m in state.meetings.values() if m.topic == "Weekly team sync")

    state.expire_tokens()
    state.clear_log()
    await hass.services.async_call(
        Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    # Home Assistant saw the token expired (the simulator's clock moved, not
    # Home Assistant's): Zoom's 401 sends the one refresh, then the retry.
    paths = [(r.method, r.path) for r in state.requests]
    assert paths == [
        ("PATCH", f"/v2/meetings/{sync.id}/livestream/status"),
        ("POST", "/oauth/token"),
        ("PATCH", f"/v2/meetings/{sync.id}/livestream/status"),
    ]
    assert sync.streaming
    new_refresh = entry.data["token"]["refresh_token"]
    assert new_refresh != old_refresh
    # The old refresh token is dead in the simulator, the stored one works.
    assert old_refresh not in state.refresh_tokens
    assert new_refresh in state.refresh_tokens
