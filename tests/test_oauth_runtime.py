"""A "Sign in with Zoom" entry at run time: its stored token, refreshes, clouds."""

from __future__ import annotations

import asyncio
import base64
from http import HTTPStatus
import logging
import re
import time
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from yarl import URL

from custom_components.zoom_livestream.const import DOMAIN
from homeassistant.components.application_credentials import (
    ClientCredential,
    async_import_client_credential,
)
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_entry_oauth2_flow
from homeassistant.setup import async_setup_component

from .conftest import (
    MEETING_ID,
    OTHER_MEETING_ID,
    TOKEN_URL,
    USER_EMAIL,
    USER_ID,
    ZoomMock,
    async_poll,
    state_of,
)

APP_CLIENT_ID = "oauth-client"
APP_CLIENT_SECRET = "oauth-secret"
GOV_TOKEN_URL = "https://zoomgov.com/oauth/token"
ZOOMGOV_URL = re.compile(r"^https://(api\.)?zoomgov\.com/")
REGIONAL_API = "https://api-eu.zoom.us"
REGIONAL_URL = re.compile(r"^https://api-eu\.zoom\.us/")
NEW_TOKEN = {
    "access_token": "oauth-access-2",
    "refresh_token": "refresh-2",
    "expires_in": 3599,
    "token_type": "bearer",
}
INVALID_GRANT = {"reason": "Invalid Token!", "error": "invalid_grant"}
SECRETS = (
    APP_CLIENT_SECRET,
    "oauth-access-1",
    "oauth-access-2",
    "refresh-1",
    "refresh-2",
)


@pytest.fixture(autouse=True)
async def credentials(hass: HomeAssistant, caplog: pytest.LogCaptureFixture) -> None:
    """Store the Zoom OAuth app's credentials, and log everything."""
    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(hass, "application_credentials", {})
    await async_import_client_credential(
        hass, DOMAIN, ClientCredential(APP_CLIENT_ID, APP_CLIENT_SECRET), DOMAIN
    )


def oauth_entry(
    *,
    expired: bool = False,
    cloud: str = "global",
    implementation: str = DOMAIN,
    **token: Any,
) -> MockConfigEntry:
    """Return a current (1.2) "Sign in with Zoom" entry with a stored token."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=USER_EMAIL,
        unique_id=USER_ID,
        data={
            "auth_type": "oauth",
            "cloud": cloud,
            "auth_implementation": implementation,
            "token": {
                "access_token": "oauth-access-1",
                "refresh_token": "refresh-1",
                "expires_in": 3599,
                "expires_at": time.time() + (-60 if expired else 3599),
                "token_type": "bearer",
                **token,
            },
        },
        version=1,
        minor_version=3,
    )


async def async_setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add the entry and set it up."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def basic_auth() -> str:
    """Return the Authorization header of the app's token requests."""
    raw = f"{APP_CLIENT_ID}:{APP_CLIENT_SECRET}".encode()
    return f"Basic {base64.b64encode(raw).decode()}"


def token_calls(zoom: ZoomMock) -> list[Any]:
    """Return the token requests."""
    return [call for call in zoom.calls if call.url.path.endswith("/oauth/token")]


def assert_refresh_request(call: Any, url: str = TOKEN_URL) -> None:
    """Check one refresh: the cloud's token URL, Basic auth, the stored refresh token."""
    assert call.method == "POST"
    assert call.url == URL(url)
    assert call.headers["Authorization"] == basic_auth()
    assert call.json == {
        "grant_type": "refresh_token",
        "client_id": APP_CLIENT_ID,
        "refresh_token": "refresh-1",
    }


def assert_no_secrets(caplog: pytest.LogCaptureFixture) -> None:
    """Neither the app secret nor any token reached the log."""
    for secret in SECRETS:
        assert secret not in caplog.text


def reauth_sources(hass: HomeAssistant) -> list[str]:
    """Return the sources of the flows in progress."""
    return [
        flow["context"]["source"]
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    ]


async def test_valid_token_is_used_as_stored(
    hass: HomeAssistant, zoom: ZoomMock, caplog: pytest.LogCaptureFixture
) -> None:
    """A token that has not expired is sent as is; nothing is refreshed."""
    entry = oauth_entry()
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert token_calls(zoom) == []
    assert zoom.api_calls
    for call in zoom.api_calls:
        assert call.url.host == "api.zoom.us"
        assert call.headers["Authorization"] == "Bearer oauth-access-1"
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_ON
    assert_no_secrets(caplog)


async def test_expired_token_is_refreshed_once_and_stored_at_once(
    hass: HomeAssistant, zoom: ZoomMock, caplog: pytest.LogCaptureFixture
) -> None:
    """One refresh with Basic auth; the rotated refresh token is stored before use."""
    entry = oauth_entry(expired=True)
    zoom.fail("POST", "token", HTTPStatus.OK, NEW_TOKEN)
    stored_when_used: list[str] = []

    async def gate(method: str, path: str) -> None:
        if path != "token":
            stored_when_used.append(entry.data["token"]["refresh_token"])

    zoom.gate = gate
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    [refresh] = token_calls(zoom)
    assert_refresh_request(refresh)
    assert zoom.calls[0] is not None
    assert zoom.calls[0].url == URL(TOKEN_URL)
    for call in zoom.api_calls:
        assert call.headers["Authorization"] == "Bearer oauth-access-2"
    # The first API request already found the new refresh token stored.
    assert stored_when_used
    assert set(stored_when_used) == {"refresh-2"}
    token = entry.data["token"]
    assert token["access_token"] == "oauth-access-2"
    assert token["refresh_token"] == "refresh-2"
    assert token["expires_at"] > time.time() + 3000
    assert_no_secrets(caplog)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"body": INVALID_GRANT},
        {"text": "<html>Bad request</html>"},
        {"body": ["unexpected"]},
        {"status": HTTPStatus.UNAUTHORIZED, "body": {"error": "invalid_client"}},
    ],
)
async def test_refused_refresh_starts_reauth(
    hass: HomeAssistant,
    zoom: ZoomMock,
    caplog: pytest.LogCaptureFixture,
    kwargs: dict[str, Any],
) -> None:
    """A refresh Zoom refuses cannot be retried: the user must sign in again."""
    entry = oauth_entry(expired=True)
    zoom.fail("POST", "token", **{"status": HTTPStatus.BAD_REQUEST, **kwargs})
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert reauth_sources(hass) == [SOURCE_REAUTH]
    assert len(token_calls(zoom)) == 1
    assert zoom.api_calls == []
    assert "Zoom refused the refresh_token token request: HTTP" in caplog.text
    assert_no_secrets(caplog)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": HTTPStatus.SERVICE_UNAVAILABLE, "text": "<html>busy</html>"},
        {"exc": aiohttp.ClientConnectionError()},
        {"exc": TimeoutError()},
    ],
)
async def test_token_endpoint_down_is_retried(
    hass: HomeAssistant,
    zoom: ZoomMock,
    caplog: pytest.LogCaptureFixture,
    kwargs: dict[str, Any],
) -> None:
    """Zoom's token endpoint down or unreachable: set up again later, no reauth."""
    entry = oauth_entry(expired=True)
    zoom.fail("POST", "token", **kwargs)
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert reauth_sources(hass) == []
    assert entry.data["token"]["refresh_token"] == "refresh-1"
    assert_no_secrets(caplog)


async def test_rejected_token_is_refreshed_once(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 401 before the expiry: one forced refresh, the request repeated, no reload."""
    entry = oauth_entry()
    await async_setup(hass, entry)
    runtime_data = entry.runtime_data
    zoom.clear_calls()
    zoom.fail(
        "GET",
        "/users/me/meetings",
        HTTPStatus.UNAUTHORIZED,
        {"code": 124, "message": "Invalid access token."},
        times=1,
    )
    zoom.fail("POST", "token", HTTPStatus.OK, NEW_TOKEN)

    await async_poll(hass, freezer)

    assert [(c.method, c.url.path) for c in zoom.calls] == [
        ("GET", "/v2/users/me/meetings"),
        ("POST", "/oauth/token"),
        ("GET", "/v2/users/me/meetings"),
    ]
    first, refresh, repeated = zoom.calls
    assert first.headers["Authorization"] == "Bearer oauth-access-1"
    assert_refresh_request(refresh)
    assert repeated.headers["Authorization"] == "Bearer oauth-access-2"
    assert entry.data["token"]["refresh_token"] == "refresh-2"
    assert entry.data["token"]["access_token"] == "oauth-access-2"
    # A stored token is no new option: the entry was not reloaded.
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is runtime_data
    assert runtime_data.coordinator.last_update_success

    # The next poll uses the new token without another refresh.
    zoom.clear_calls()
    await async_poll(hass, freezer)
    assert token_calls(zoom) == []
    assert [c.headers["Authorization"] for c in zoom.api_calls] == [
        "Bearer oauth-access-2"
    ]
    assert_no_secrets(caplog)


async def test_rejected_token_and_refused_refresh_start_reauth(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
) -> None:
    """A 401, then a refused forced refresh: sign in again."""
    entry = oauth_entry()
    await async_setup(hass, entry)
    zoom.fail("GET", "/users/me/meetings", HTTPStatus.UNAUTHORIZED, {"code": 124})
    zoom.fail("POST", "token", HTTPStatus.BAD_REQUEST, INVALID_GRANT)

    await async_poll(hass, freezer)

    assert reauth_sources(hass) == [SOURCE_REAUTH]
    assert entry.data["token"]["refresh_token"] == "refresh-1"


async def test_concurrent_requests_share_the_forced_refresh(
    hass: HomeAssistant, zoom: ZoomMock, caplog: pytest.LogCaptureFixture
) -> None:
    """A request sent while a rejected token is refreshed waits for that refresh.

    Zoom's refresh tokens are spent by one use: a second refresh with the old
    one is refused, which would wrongly ask the user to sign in again.
    """
    entry = oauth_entry()
    await async_setup(hass, entry)
    zoom.clear_calls()
    zoom.fail(
        "PATCH",
        f"/meetings/{MEETING_ID}/livestream/status",
        HTTPStatus.UNAUTHORIZED,
        {"code": 124, "message": "Invalid access token."},
        times=1,
    )
    # Zoom rotates refresh tokens: refresh-1 works once, then is refused.
    zoom.fail("POST", "token", HTTPStatus.OK, NEW_TOKEN, times=1)
    zoom.fail("POST", "token", HTTPStatus.BAD_REQUEST, INVALID_GRANT)

    refreshing = asyncio.Event()

    async def gate(method: str, path: str) -> None:
        if path == "token":
            refreshing.set()
            # A slow token endpoint: the other request goes on meanwhile.
            for _ in range(20):
                await asyncio.sleep(0)

    zoom.gate = gate
    zoom.live.add(OTHER_MEETING_ID)
    first = hass.async_create_task(
        hass.services.async_call(
            Platform.SWITCH,
            "turn_on",
            {ATTR_ENTITY_ID: "switch.weekly_team_sync_live_stream"},
            blocking=True,
        )
    )
    await refreshing.wait()
    # While the rejected token is being refreshed, another switch is turned on.
    await hass.services.async_call(
        Platform.SWITCH,
        "turn_on",
        {ATTR_ENTITY_ID: "switch.product_launch_live_stream"},
        blocking=True,
    )
    await first

    assert len(token_calls(zoom)) == 1
    assert reauth_sources(hass) == []
    assert entry.data["token"]["refresh_token"] == "refresh-2"
    assert state_of(hass, "switch.weekly_team_sync_live_stream") == STATE_ON
    assert state_of(hass, "switch.product_launch_live_stream") == STATE_ON
    patches = [c for c in zoom.api_calls if c.method == "PATCH"]
    assert [(c.path, c.headers["Authorization"]) for c in patches] == [
        (f"/meetings/{MEETING_ID}/livestream/status", "Bearer oauth-access-1"),
        (f"/meetings/{MEETING_ID}/livestream/status", "Bearer oauth-access-2"),
        (f"/meetings/{OTHER_MEETING_ID}/livestream/status", "Bearer oauth-access-2"),
    ]
    assert_no_secrets(caplog)


async def test_government_cloud(
    hass: HomeAssistant,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A government-cloud sign-in refreshes at zoomgov.com and calls api.zoomgov.com."""
    for method in ("GET", "POST", "PATCH"):
        aioclient_mock.request(
            method,
            ZOOMGOV_URL,
            side_effect=zoom.answer,
        )
    zoom.fail("POST", "token", HTTPStatus.OK, NEW_TOKEN)
    entry = oauth_entry(expired=True, cloud="government")
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    [refresh] = token_calls(zoom)
    assert_refresh_request(refresh, GOV_TOKEN_URL)
    assert zoom.api_calls
    for call in zoom.api_calls:
        assert call.url.host == "api.zoomgov.com"
        assert call.headers["Authorization"] == "Bearer oauth-access-2"
    assert entry.data["token"]["refresh_token"] == "refresh-2"
    assert_no_secrets(caplog)


async def test_token_api_url_is_the_api_base(
    hass: HomeAssistant, zoom: ZoomMock, aioclient_mock: AiohttpClientMocker
) -> None:
    """The account's API host from the token is used; a non-https one is not."""
    for method in ("GET", "POST", "PATCH"):
        aioclient_mock.request(
            method,
            REGIONAL_URL,
            side_effect=zoom.answer,
        )
    entry = oauth_entry(api_url=REGIONAL_API)
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert zoom.api_calls
    assert {str(c.url.origin()) for c in zoom.api_calls} == {REGIONAL_API}
    assert entry.runtime_data.coordinator.client.api_base == f"{REGIONAL_API}/v2"


@pytest.mark.parametrize("api_url", ["http://api-eu.zoom.us", "", 42])
async def test_unsafe_token_api_url_is_ignored(
    hass: HomeAssistant, zoom: ZoomMock, api_url: Any
) -> None:
    """A plain-http, empty or odd `api_url` leaves the cloud's API host."""
    entry = oauth_entry(api_url=api_url)
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert {c.url.host for c in zoom.api_calls} == {"api.zoom.us"}


async def test_removed_application_credentials_start_reauth(
    hass: HomeAssistant, zoom: ZoomMock, caplog: pytest.LogCaptureFixture
) -> None:
    """Without the app's credentials the entry cannot refresh: sign in again."""
    entry = oauth_entry(implementation="missing_impl")
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert reauth_sources(hass) == [SOURCE_REAUTH]
    assert zoom.calls == []
    assert entry.reason is not None
    assert "application credentials" in entry.reason
    assert_no_secrets(caplog)


async def test_other_oauth_implementation(hass: HomeAssistant, zoom: ZoomMock) -> None:
    """An implementation that is not Zoom's own is used as it is."""
    config_entry_oauth2_flow.async_register_implementation(
        hass,
        DOMAIN,
        config_entry_oauth2_flow.LocalOAuth2Implementation(
            hass,
            "local_impl",
            APP_CLIENT_ID,
            APP_CLIENT_SECRET,
            "https://zoom.us/oauth/authorize",
            TOKEN_URL,
        ),
    )
    entry = oauth_entry(implementation="local_impl")
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert token_calls(zoom) == []
    assert {c.headers["Authorization"] for c in zoom.api_calls} == {
        "Bearer oauth-access-1"
    }
