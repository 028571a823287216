"""The config flow: adding, re-authenticating and reconfiguring a Zoom account."""

from __future__ import annotations

import base64
from http import HTTPStatus
from typing import Any, cast
from unittest.mock import AsyncMock

import aiohttp
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from yarl import URL

from custom_components.zoom_livestream.connection import SIMULATOR_ENV
from custom_components.zoom_livestream.const import CONF_ACCOUNT_ID, CONF_CLOUD, DOMAIN
from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigFlowContext,
    ConfigFlowResult,
)
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .conftest import (
    ACCOUNT_ID,
    API,
    CLIENT_ID,
    CLIENT_SECRET,
    ENTRY_DATA,
    OAUTH,
    USER_EMAIL,
    USER_ID,
    ZoomMock,
)

NEW_SECRET = "new-secret-value"
OTHER_USER_ID = "other-user"

GOV_OAUTH = "https://zoomgov.com/oauth"
GOV_API = "https://api.zoomgov.com/v2"
SIMULATOR = "http://127.0.0.1:8765"
SIMULATOR_API = f"{SIMULATOR}/v2"
SIMULATOR_OAUTH = f"{SIMULATOR}/oauth"

TOKEN_JSON = {
    "access_token": "other-host-token",
    "token_type": "bearer",
    "expires_in": 3599,
    "scope": "meeting:read:admin meeting:write:admin",
}

# Errors of the first try; each flow then recovers once Zoom answers normally.
FLOW_ERRORS = [
    pytest.param(
        "POST",
        "token",
        {
            "status": HTTPStatus.UNAUTHORIZED,
            "body": {
                "error": "invalid_client",
                "reason": "Invalid client_id or client_secret",
            },
        },
        "invalid_auth",
        id="token_invalid_client",
    ),
    pytest.param(
        "GET",
        "/users/me",
        {
            "status": HTTPStatus.UNAUTHORIZED,
            "body": {"code": 124, "message": "Invalid access token."},
            "times": 2,
        },
        "invalid_auth",
        id="fresh_token_refused",
    ),
    pytest.param(
        "GET",
        "/users/me",
        {
            "status": HTTPStatus.BAD_REQUEST,
            "body": {
                "code": 4711,
                "message": "Invalid access token, does not contain scopes:[user:read:admin].",
            },
        },
        "invalid_auth",
        id="missing_scope",
    ),
    pytest.param(
        "POST",
        "token",
        {"exc": aiohttp.ClientConnectionError()},
        "cannot_connect",
        id="connection_error",
    ),
    pytest.param(
        "GET", "/users/me", {"exc": TimeoutError()}, "cannot_connect", id="timeout"
    ),
    pytest.param(
        "GET",
        "/users/me",
        {
            "status": HTTPStatus.SERVICE_UNAVAILABLE,
            "text": "<html><body>Service Unavailable</body></html>",
        },
        "cannot_connect",
        id="server_error_html",
    ),
    pytest.param(
        "GET",
        "/users/me",
        {"status": HTTPStatus.TOO_MANY_REQUESTS, "headers": {"Retry-After": "5"}},
        "cannot_connect",
        id="rate_limited",
    ),
    pytest.param(
        "GET",
        "/users/me",
        {
            "status": HTTPStatus.BAD_REQUEST,
            "body": {"code": 9999, "message": "Something unexpected."},
        },
        "unknown",
        id="unexpected_api_error",
    ),
]


def basic_auth(client_id: str, client_secret: str) -> str:
    """Return the Authorization header of the token request."""
    raw = f"{client_id}:{client_secret}".encode()
    return f"Basic {base64.b64encode(raw).decode()}"


def token_url(oauth_base: str, account_id: str = ACCOUNT_ID) -> URL:
    """Return the URL of the token request, query included."""
    return URL(f"{oauth_base}/token").with_query(
        grant_type="account_credentials", account_id=account_id
    )


def user_json(user_id: str = USER_ID, email: str = USER_EMAIL) -> dict[str, Any]:
    """Return `GET /users/me` as Zoom sends it."""
    return {"id": user_id, "email": email, "account_id": ACCOUNT_ID, "type": 2}


def mock_zoom_host(
    aioclient_mock: AiohttpClientMocker,
    *,
    oauth_base: str | None = None,
    api_base: str | None = None,
    user_id: str = USER_ID,
) -> None:
    """Answer the token and user requests on a host the Zoom mock does not serve."""
    if oauth_base is not None:
        aioclient_mock.post(f"{oauth_base}/token", json=TOKEN_JSON)
    if api_base is not None:
        aioclient_mock.get(f"{api_base}/users/me", json=user_json(user_id))


def schema_keys(result: ConfigFlowResult) -> list[str]:
    """Return the field names of a form."""
    schema = result["data_schema"]
    assert schema is not None
    return [str(key) for key in schema.schema]


def suggested_values(result: ConfigFlowResult) -> dict[str, Any]:
    """Return the values a form is prefilled with."""
    schema = result["data_schema"]
    assert schema is not None
    return {
        str(key): key.description["suggested_value"]
        for key in schema.schema
        if key.description and "suggested_value" in key.description
    }


# Every entry records how it signs in.
STORED = {"auth_type": "server_to_server"}


def request_urls(zoom: ZoomMock) -> list[tuple[str, URL]]:
    """Return every request sent, as (method, URL)."""
    return [(call.method, call.url) for call in zoom.calls]


async def start_user_flow(
    hass: HomeAssistant, *, advanced: bool = False
) -> ConfigFlowResult:
    """Open the user step, as a user in advanced mode or not.

    Home Assistant 2026.8 dropped the mode (every user counts as advanced) and
    `show_advanced_options` from the context's type; older releases still pass it.
    """
    context = cast(
        "ConfigFlowContext",
        {
            "source": SOURCE_USER,
            **({"show_advanced_options": True} if advanced else {}),
        },
    )
    result = await hass.config_entries.flow.async_init(DOMAIN, context=context)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    assert result["menu_options"] == ["server_to_server", "oauth"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "server_to_server"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "server_to_server"
    assert result["errors"] == {}
    return result


# -- user step ---------------------------------------------------------------------


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow(hass: HomeAssistant, zoom: ZoomMock) -> None:
    """The credentials are checked against Zoom and the account is added."""
    result = await start_user_flow(hass)
    assert schema_keys(result) == [
        CONF_ACCOUNT_ID,
        CONF_CLIENT_ID,
        CONF_CLIENT_SECRET,
        CONF_CLOUD,
    ]
    assert suggested_values(result) == {CONF_CLOUD: "global"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCOUNT_ID: f"  {ACCOUNT_ID}\n",
            CONF_CLIENT_ID: f"\t{CLIENT_ID} ",
            CONF_CLIENT_SECRET: f" {CLIENT_SECRET}  ",
            CONF_CLOUD: "global",
        },
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == USER_EMAIL
    assert result["data"] == {**STORED, **ENTRY_DATA}
    assert result["result"].unique_id == USER_ID

    token_call, user_call = zoom.calls
    assert token_call.method == "POST"
    assert token_call.url == token_url(OAUTH)
    assert token_call.headers["Authorization"] == basic_auth(CLIENT_ID, CLIENT_SECRET)
    assert user_call.method == "GET"
    assert user_call.url == URL(f"{API}/users/me")
    assert user_call.headers["Authorization"] == "Bearer access-token-1"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_title_without_email(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A user without an email address is titled with its Zoom user id."""
    zoom.user["email"] = ""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ENTRY_DATA
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == USER_ID


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(("method", "path", "failure", "error"), FLOW_ERRORS)
async def test_user_flow_errors(
    hass: HomeAssistant,
    zoom: ZoomMock,
    method: str,
    path: str,
    failure: dict[str, Any],
    error: str,
) -> None:
    """Each failure shows an error on the form; the same flow then succeeds."""
    zoom.fail(method, path, **failure)
    result = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ENTRY_DATA
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "server_to_server"
    assert result["errors"] == {"base": error}
    # The form keeps what was typed.
    assert suggested_values(result) == ENTRY_DATA

    zoom.heal()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ENTRY_DATA
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == USER_EMAIL
    assert result["data"] == {**STORED, **ENTRY_DATA}
    assert result["result"].unique_id == USER_ID


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_unknown_error_is_logged(
    hass: HomeAssistant, zoom: ZoomMock, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected answer from Zoom is logged, without the credentials."""
    zoom.fail("GET", "/users/me", HTTPStatus.BAD_REQUEST, {"code": 9999})
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ENTRY_DATA
    )
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected answer from Zoom while checking credentials" in caplog.text
    assert CLIENT_SECRET not in caplog.text


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_already_configured(
    hass: HomeAssistant, zoom: ZoomMock, mock_config_entry: MockConfigEntry
) -> None:
    """The same Zoom user cannot be added twice, even with other credentials."""
    mock_config_entry.add_to_hass(hass)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {**ENTRY_DATA, CONF_CLIENT_ID: "another-app", CONF_CLIENT_SECRET: NEW_SECRET},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert mock_config_entry.data == {**STORED, **ENTRY_DATA}


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_government_cloud(
    hass: HomeAssistant, zoom: ZoomMock, aioclient_mock: AiohttpClientMocker
) -> None:
    """A Zoom for Government account is checked against zoomgov.com."""
    mock_zoom_host(aioclient_mock, oauth_base=GOV_OAUTH, api_base=GOV_API)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**ENTRY_DATA, CONF_CLOUD: "government"}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {**STORED, **ENTRY_DATA, CONF_CLOUD: "government"}
    assert result["result"].unique_id == USER_ID
    assert request_urls(zoom) == [
        ("POST", token_url(GOV_OAUTH)),
        ("GET", URL(f"{GOV_API}/users/me")),
    ]
    assert zoom.calls[1].headers["Authorization"] == "Bearer other-host-token"


# -- contributors: the local simulator instead of Zoom --------------------------------


@pytest.mark.parametrize("advanced", [False, True])
async def test_user_flow_never_shows_address_fields(
    hass: HomeAssistant, advanced: bool
) -> None:
    """No address field, whatever the user's mode (always "advanced" from 2026.8)."""
    result = await start_user_flow(hass, advanced=advanced)
    assert schema_keys(result) == [
        CONF_ACCOUNT_ID,
        CONF_CLIENT_ID,
        CONF_CLIENT_SECRET,
        CONF_CLOUD,
    ]


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    ("simulator", "oauth_base", "api_base"),
    [
        pytest.param(SIMULATOR, SIMULATOR_OAUTH, SIMULATOR_API, id="ipv4_loopback"),
        pytest.param(
            "http://localhost:8765/",
            "http://localhost:8765/oauth",
            "http://localhost:8765/v2",
            id="localhost_trailing_slash",
        ),
        pytest.param(
            "http://[::1]:8765",
            "http://[::1]:8765/oauth",
            "http://[::1]:8765/v2",
            id="ipv6_loopback",
        ),
    ],
)
async def test_simulator_from_the_environment(
    hass: HomeAssistant,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
    monkeypatch: pytest.MonkeyPatch,
    simulator: str,
    oauth_base: str,
    api_base: str,
) -> None:
    """A contributor's loopback simulator replaces Zoom; nothing about it is stored."""
    monkeypatch.setenv(SIMULATOR_ENV, simulator)
    mock_zoom_host(aioclient_mock, oauth_base=oauth_base, api_base=api_base)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ENTRY_DATA
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {**STORED, **ENTRY_DATA}
    assert request_urls(zoom) == [
        ("POST", token_url(oauth_base)),
        ("GET", URL(f"{api_base}/users/me")),
    ]


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    "simulator",
    [
        "http://example.com:8765",
        "http://192.168.1.10:8765",
        "https://zoom.example",
        "ftp://127.0.0.1:8765",
        "not a url",
    ],
)
async def test_simulator_outside_this_machine_is_ignored(
    hass: HomeAssistant,
    zoom: ZoomMock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    simulator: str,
) -> None:
    """The variable cannot send credentials elsewhere: Zoom itself is used."""
    monkeypatch.setenv(SIMULATOR_ENV, simulator)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ENTRY_DATA
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert request_urls(zoom) == [
        ("POST", token_url(OAUTH)),
        ("GET", URL(f"{API}/users/me")),
    ]
    assert f"Ignoring {SIMULATOR_ENV}" in caplog.text


# -- reauth --------------------------------------------------------------------------


async def test_reauth(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """New credentials of the same Zoom user replace the refused ones."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {}
    assert result["description_placeholders"] == {
        "title": USER_EMAIL,
        "name": USER_EMAIL,
    }
    assert schema_keys(result) == [CONF_ACCOUNT_ID, CONF_CLIENT_ID, CONF_CLIENT_SECRET]
    assert suggested_values(result) == {
        CONF_ACCOUNT_ID: ACCOUNT_ID,
        CONF_CLIENT_ID: CLIENT_ID,
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCOUNT_ID: ACCOUNT_ID,
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: f" {NEW_SECRET} ",
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data == {
        **STORED,
        **ENTRY_DATA,
        CONF_CLIENT_SECRET: NEW_SECRET,
    }
    assert mock_config_entry.unique_id == USER_ID
    assert len(mock_setup_entry.mock_calls) == 1
    assert zoom.calls[0].headers["Authorization"] == basic_auth(CLIENT_ID, NEW_SECRET)


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reauth_keeps_cloud(
    hass: HomeAssistant, zoom: ZoomMock, aioclient_mock: AiohttpClientMocker
) -> None:
    """Reauth only asks for credentials: the cloud is kept."""
    data = {**STORED, **ENTRY_DATA, CONF_CLOUD: "government"}
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=USER_EMAIL,
        unique_id=USER_ID,
        data=data,
        version=1,
        minor_version=3,
    )
    entry.add_to_hass(hass)
    mock_zoom_host(aioclient_mock, oauth_base=GOV_OAUTH, api_base=GOV_API)

    result = await entry.start_reauth_flow(hass)
    assert schema_keys(result) == [CONF_ACCOUNT_ID, CONF_CLIENT_ID, CONF_CLIENT_SECRET]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCOUNT_ID: ACCOUNT_ID,
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: NEW_SECRET,
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data == {**data, CONF_CLIENT_SECRET: NEW_SECRET}
    assert request_urls(zoom) == [
        ("POST", token_url(GOV_OAUTH)),
        ("GET", URL(f"{GOV_API}/users/me")),
    ]


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reauth_wrong_account(
    hass: HomeAssistant, zoom: ZoomMock, mock_config_entry: MockConfigEntry
) -> None:
    """Credentials of another Zoom user do not replace the entry's."""
    mock_config_entry.add_to_hass(hass)
    zoom.user["id"] = OTHER_USER_ID
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCOUNT_ID: "other-account",
            CONF_CLIENT_ID: "other-client",
            CONF_CLIENT_SECRET: NEW_SECRET,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert mock_config_entry.data == {**STORED, **ENTRY_DATA}


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(("method", "path", "failure", "error"), FLOW_ERRORS)
async def test_reauth_errors(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    method: str,
    path: str,
    failure: dict[str, Any],
    error: str,
) -> None:
    """Errors are shown on the reauth form; the same flow then succeeds."""
    mock_config_entry.add_to_hass(hass)
    zoom.fail(method, path, **failure)
    result = await mock_config_entry.start_reauth_flow(hass)
    user_input = {
        CONF_ACCOUNT_ID: ACCOUNT_ID,
        CONF_CLIENT_ID: CLIENT_ID,
        CONF_CLIENT_SECRET: NEW_SECRET,
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": error}
    assert mock_config_entry.data == {**STORED, **ENTRY_DATA}

    zoom.heal()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data == {
        **STORED,
        **ENTRY_DATA,
        CONF_CLIENT_SECRET: NEW_SECRET,
    }


# -- reconfigure ---------------------------------------------------------------------


async def test_reconfigure(
    hass: HomeAssistant,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """The cloud and credentials of the same Zoom user can be changed."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {}
    assert result["description_placeholders"] == {"title": USER_EMAIL}
    assert schema_keys(result) == [
        CONF_ACCOUNT_ID,
        CONF_CLIENT_ID,
        CONF_CLIENT_SECRET,
        CONF_CLOUD,
    ]
    assert suggested_values(result) == {
        CONF_ACCOUNT_ID: ACCOUNT_ID,
        CONF_CLIENT_ID: CLIENT_ID,
        CONF_CLOUD: "global",
    }

    mock_zoom_host(aioclient_mock, oauth_base=GOV_OAUTH, api_base=GOV_API)
    new_data = {
        CONF_ACCOUNT_ID: "gov-account",
        CONF_CLIENT_ID: "gov-client",
        CONF_CLIENT_SECRET: NEW_SECRET,
        CONF_CLOUD: "government",
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**new_data, CONF_CLIENT_ID: " gov-client "}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data == {**STORED, **new_data}
    assert mock_config_entry.unique_id == USER_ID
    assert len(mock_setup_entry.mock_calls) == 1
    assert request_urls(zoom) == [
        ("POST", token_url(GOV_OAUTH, "gov-account")),
        ("GET", URL(f"{GOV_API}/users/me")),
    ]
    assert zoom.calls[0].headers["Authorization"] == basic_auth(
        "gov-client", NEW_SECRET
    )


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_wrong_account(
    hass: HomeAssistant, zoom: ZoomMock, mock_config_entry: MockConfigEntry
) -> None:
    """Credentials of another Zoom user do not replace the entry's."""
    mock_config_entry.add_to_hass(hass)
    zoom.user["id"] = OTHER_USER_ID
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**ENTRY_DATA, CONF_CLIENT_SECRET: NEW_SECRET}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert mock_config_entry.data == {**STORED, **ENTRY_DATA}


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    ("method", "path", "failure", "error"),
    [FLOW_ERRORS[0], FLOW_ERRORS[3], FLOW_ERRORS[-1]],
)
async def test_reconfigure_errors(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    method: str,
    path: str,
    failure: dict[str, Any],
    error: str,
) -> None:
    """Errors are shown on the reconfigure form; the same flow then succeeds."""
    mock_config_entry.add_to_hass(hass)
    zoom.fail(method, path, **failure)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    user_input = {**ENTRY_DATA, CONF_CLIENT_SECRET: NEW_SECRET}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": error}

    zoom.heal()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data == {**STORED, **user_input}
