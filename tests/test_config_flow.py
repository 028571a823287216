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

from custom_components.zoom_livestream.config_flow import CONF_HOST
from custom_components.zoom_livestream.const import CONF_ACCOUNT_ID, CONF_CLOUD, DOMAIN
from custom_components.zoom_livestream.endpoints import SIMULATOR_ENV
from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigFlowContext,
    ConfigFlowResult,
)
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    TextSelector,
)

from .conftest import (
    ACCOUNT_ID,
    ADMIN_EMAIL,
    ADMIN_ID,
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

# Errors of the credentials step; each flow then recovers once Zoom answers normally.
CREDENTIAL_ERRORS = [
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
]

# How Zoom may answer `me` for a Server-to-Server token when it does not mean
# the app's user (unconfirmed): the credentials work, the host is chosen instead.
ME_REFUSALS = [
    pytest.param(
        HTTPStatus.NOT_FOUND,
        {"code": 1001, "message": "User does not exist: me."},
        id="user_does_not_exist",
    ),
    pytest.param(
        HTTPStatus.BAD_REQUEST,
        {
            "code": 4711,
            "message": "Invalid access token, does not contain scopes:[user:read:user].",
        },
        id="user_level_scope",
    ),
    pytest.param(
        HTTPStatus.BAD_REQUEST,
        {"code": 9999, "message": "Something unexpected."},
        id="unexpected_code",
    ),
]

# Errors of the host step (reading the chosen user), by field.
HOST_ERRORS = [
    pytest.param("not a user!", None, {CONF_HOST: "invalid_user"}, id="invalid"),
    pytest.param(
        "nobody@example.com", None, {CONF_HOST: "user_not_found"}, id="unknown"
    ),
    pytest.param(
        USER_ID,
        {
            "status": HTTPStatus.BAD_REQUEST,
            "body": {
                "code": 4711,
                "message": "Invalid access token, does not contain scopes:[user:read:user:admin].",
            },
        },
        {CONF_HOST: "user_not_readable"},
        id="missing_scope",
    ),
    pytest.param(
        USER_ID,
        {
            "status": HTTPStatus.UNAUTHORIZED,
            "body": {"code": 124, "message": "Invalid access token."},
            "times": 2,
        },
        {"base": "invalid_auth"},
        id="token_refused",
    ),
    pytest.param(
        USER_ID, {"exc": TimeoutError()}, {"base": "cannot_connect"}, id="timeout"
    ),
    pytest.param(
        USER_ID,
        {
            "status": HTTPStatus.BAD_REQUEST,
            "body": {"code": 9999, "message": "Something unexpected."},
        },
        {"base": "unknown"},
        id="unexpected_api_error",
    ),
]

# Errors of re-authentication and reconfiguration: the entry's user is read by ID.
CHECK_ERRORS = [
    CREDENTIAL_ERRORS[0],
    pytest.param(
        "GET",
        f"/users/{USER_ID}",
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
        f"/users/{USER_ID}",
        {
            "status": HTTPStatus.BAD_REQUEST,
            "body": {
                "code": 4711,
                "message": "Invalid access token, does not contain scopes:[user:read:user:admin].",
            },
        },
        "invalid_auth",
        id="missing_scope",
    ),
    CREDENTIAL_ERRORS[2],
    pytest.param(
        "GET",
        f"/users/{USER_ID}",
        {"exc": TimeoutError()},
        "cannot_connect",
        id="timeout",
    ),
    pytest.param(
        "GET",
        f"/users/{USER_ID}",
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
    """Return `GET /users/{userId}` as Zoom sends it."""
    return {
        "id": user_id,
        "email": email,
        "account_id": ACCOUNT_ID,
        "first_name": "Ada",
        "last_name": "Host",
        "type": 2,
    }


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
        user = user_json(user_id)
        aioclient_mock.get(f"{api_base}/users/me", json=user)
        aioclient_mock.get(
            f"{api_base}/users", json={"users": [user], "next_page_token": ""}
        )
        aioclient_mock.get(f"{api_base}/users/{user_id}", json=user)


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


def host_choices(result: ConfigFlowResult) -> list[tuple[str, str]] | None:
    """Return the host step's list as (value, label), or None for a text field."""
    schema = result["data_schema"]
    assert schema is not None
    selector = schema.schema[CONF_HOST]
    if isinstance(selector, TextSelector):
        return None
    assert isinstance(selector, SelectSelector)
    assert selector.config["custom_value"] is True
    return [
        (option["value"], option["label"])
        for option in cast("list[SelectOptionDict]", selector.config["options"])
    ]


def listed_users(api_base: str = API) -> tuple[str, URL]:
    """Return the request that lists the account's users (one page)."""
    return ("GET", URL(f"{api_base}/users?status=active&page_size=300"))


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


async def submit_credentials(
    hass: HomeAssistant, result: ConfigFlowResult, data: dict[str, Any] = ENTRY_DATA
) -> ConfigFlowResult:
    """Submit working credentials: the flow then asks whose meetings to follow."""
    result = await hass.config_entries.flow.async_configure(result["flow_id"], data)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "host"
    assert result["errors"] == {}
    assert schema_keys(result) == [CONF_HOST]
    return result


async def choose_host(
    hass: HomeAssistant, result: ConfigFlowResult, host: str = USER_ID
) -> ConfigFlowResult:
    """Submit the host step."""
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: host}
    )


# -- user step ---------------------------------------------------------------------


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow(hass: HomeAssistant, zoom: ZoomMock) -> None:
    """The credentials are checked, the host is chosen by ID, the account added."""
    result = await start_user_flow(hass)
    assert schema_keys(result) == [
        CONF_ACCOUNT_ID,
        CONF_CLIENT_ID,
        CONF_CLIENT_SECRET,
        CONF_CLOUD,
    ]
    assert suggested_values(result) == {CONF_CLOUD: "global"}

    result = await submit_credentials(
        hass,
        result,
        {
            CONF_ACCOUNT_ID: f"  {ACCOUNT_ID}\n",
            CONF_CLIENT_ID: f"\t{CLIENT_ID} ",
            CONF_CLIENT_SECRET: f" {CLIENT_SECRET}  ",
            CONF_CLOUD: "global",
        },
    )
    # The account's users to choose from; `me` (the app's user here) is suggested.
    assert host_choices(result) == [
        (ADMIN_ID, f"Account Admin ({ADMIN_EMAIL})"),
        (USER_ID, f"Ada Host ({USER_EMAIL})"),
    ]
    assert suggested_values(result) == {CONF_HOST: USER_ID}

    result = await choose_host(hass, result, f" {USER_ID} ")

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == USER_EMAIL
    assert result["data"] == {**STORED, **ENTRY_DATA}
    assert result["result"].unique_id == USER_ID

    assert request_urls(zoom) == [
        ("POST", token_url(OAUTH)),
        ("GET", URL(f"{API}/users/me")),
        listed_users(),
        ("GET", URL(f"{API}/users/{USER_ID}")),
    ]
    token_call, *api_calls = zoom.calls
    assert token_call.headers["Authorization"] == basic_auth(CLIENT_ID, CLIENT_SECRET)
    for call in api_calls:
        assert call.headers["Authorization"] == "Bearer access-token-1"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_title_without_email(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A user without an email address is listed and titled with its user ID."""
    zoom.user["email"] = ""
    zoom.user["first_name"] = zoom.user["last_name"] = ""
    result = await submit_credentials(hass, await start_user_flow(hass))
    assert (USER_ID, USER_ID) in (host_choices(result) or [])
    result = await choose_host(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == USER_ID


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(("method", "path", "failure", "error"), CREDENTIAL_ERRORS)
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
    result = await choose_host(hass, await submit_credentials(hass, result))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == USER_EMAIL
    assert result["data"] == {**STORED, **ENTRY_DATA}
    assert result["result"].unique_id == USER_ID


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(("status", "body"), ME_REFUSALS)
async def test_me_refused_the_host_is_chosen(
    hass: HomeAssistant, zoom: ZoomMock, status: HTTPStatus, body: dict[str, Any]
) -> None:
    """Zoom may refuse `me` to a Server-to-Server token: nothing is suggested."""
    zoom.fail("GET", "/users/me", status, body)
    result = await submit_credentials(hass, await start_user_flow(hass))
    assert suggested_values(result) == {}
    assert host_choices(result) == [
        (ADMIN_ID, f"Account Admin ({ADMIN_EMAIL})"),
        (USER_ID, f"Ada Host ({USER_EMAIL})"),
    ]

    # Typed rather than picked: an email is read and the entry keeps the ID.
    result = await choose_host(hass, result, USER_EMAIL)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == USER_EMAIL
    assert result["result"].unique_id == USER_ID
    assert request_urls(zoom)[-1] == ("GET", URL(f"{API}/users/{USER_EMAIL}"))


@pytest.mark.usefixtures("mock_setup_entry")
async def test_me_is_the_admin_who_owns_the_app(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """`me` may be the app's owner, an admin: the colleague who hosts is chosen."""
    zoom.me = "admin"
    result = await submit_credentials(hass, await start_user_flow(hass))
    assert suggested_values(result) == {CONF_HOST: ADMIN_ID}

    result = await choose_host(hass, result, USER_ID)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == USER_EMAIL
    assert result["result"].unique_id == USER_ID


@pytest.mark.usefixtures("mock_setup_entry")
async def test_users_not_listable_the_host_is_typed(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Without user:read:list_users:admin the host is typed; `me` is suggested."""
    zoom.fail(
        "GET",
        "/users",
        HTTPStatus.BAD_REQUEST,
        {
            "code": 4711,
            "message": "Invalid access token, does not contain scopes:"
            "[user:read:list_users:admin].",
        },
    )
    result = await submit_credentials(hass, await start_user_flow(hass))
    assert host_choices(result) is None
    # By email: an ID is not something a user knows by heart.
    assert suggested_values(result) == {CONF_HOST: USER_EMAIL}

    result = await choose_host(hass, result, USER_EMAIL)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == USER_ID


@pytest.mark.usefixtures("mock_setup_entry")
async def test_me_not_listed_is_suggested_by_email(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """The owner beyond the first page of users is suggested by email."""
    zoom.me = "admin"
    zoom.admin["id"] = "admin-beyond-the-first-page"
    zoom.fail(
        "GET",
        "/users",
        HTTPStatus.OK,
        {"users": [zoom.user], "next_page_token": "more"},
    )
    result = await submit_credentials(hass, await start_user_flow(hass))
    assert host_choices(result) == [(USER_ID, f"Ada Host ({USER_EMAIL})")]
    assert suggested_values(result) == {CONF_HOST: ADMIN_EMAIL}


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(("host", "failure", "errors"), HOST_ERRORS)
async def test_host_errors(
    hass: HomeAssistant,
    zoom: ZoomMock,
    caplog: pytest.LogCaptureFixture,
    host: str,
    failure: dict[str, Any] | None,
    errors: dict[str, str],
) -> None:
    """A host Zoom cannot give shows an error on the host step, which then works."""
    result = await submit_credentials(hass, await start_user_flow(hass))
    if failure is not None:
        zoom.fail("GET", f"/users/{host}", **failure)

    result = await choose_host(hass, result, host)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "host"
    assert result["errors"] == errors
    # The form keeps what was typed.
    assert suggested_values(result) == {CONF_HOST: host}
    if errors == {"base": "unknown"}:
        assert "Unexpected answer from Zoom while reading the host" in caplog.text
    assert CLIENT_SECRET not in caplog.text

    zoom.heal()
    result = await choose_host(hass, result, USER_ID)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == USER_ID


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_already_configured(
    hass: HomeAssistant, zoom: ZoomMock, mock_config_entry: MockConfigEntry
) -> None:
    """The same Zoom user cannot be added twice, even with other credentials."""
    mock_config_entry.add_to_hass(hass)
    result = await submit_credentials(
        hass,
        await start_user_flow(hass),
        {**ENTRY_DATA, CONF_CLIENT_ID: "another-app", CONF_CLIENT_SECRET: NEW_SECRET},
    )
    result = await choose_host(hass, result, USER_EMAIL)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert mock_config_entry.data == {**STORED, **ENTRY_DATA}


@pytest.mark.usefixtures("mock_setup_entry")
async def test_two_hosts_of_one_account(
    hass: HomeAssistant, zoom: ZoomMock, mock_config_entry: MockConfigEntry
) -> None:
    """The same app's credentials follow a second host as a second entry."""
    mock_config_entry.add_to_hass(hass)
    zoom.me = "admin"
    result = await submit_credentials(hass, await start_user_flow(hass))
    result = await choose_host(hass, result, ADMIN_ID)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == ADMIN_EMAIL
    assert result["result"].unique_id == ADMIN_ID
    assert len(hass.config_entries.async_entries(DOMAIN)) == 2


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_government_cloud(
    hass: HomeAssistant, zoom: ZoomMock, aioclient_mock: AiohttpClientMocker
) -> None:
    """A Zoom for Government account is checked against zoomgov.com."""
    mock_zoom_host(aioclient_mock, oauth_base=GOV_OAUTH, api_base=GOV_API)
    result = await submit_credentials(
        hass, await start_user_flow(hass), {**ENTRY_DATA, CONF_CLOUD: "government"}
    )
    result = await choose_host(hass, result)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {**STORED, **ENTRY_DATA, CONF_CLOUD: "government"}
    assert result["result"].unique_id == USER_ID
    assert request_urls(zoom) == [
        ("POST", token_url(GOV_OAUTH)),
        ("GET", URL(f"{GOV_API}/users/me")),
        listed_users(GOV_API),
        ("GET", URL(f"{GOV_API}/users/{USER_ID}")),
    ]
    for call in zoom.calls[1:]:
        assert call.headers["Authorization"] == "Bearer other-host-token"


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
    result = await choose_host(
        hass, await submit_credentials(hass, await start_user_flow(hass))
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {**STORED, **ENTRY_DATA}
    assert request_urls(zoom) == [
        ("POST", token_url(oauth_base)),
        ("GET", URL(f"{api_base}/users/me")),
        listed_users(api_base),
        ("GET", URL(f"{api_base}/users/{USER_ID}")),
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
    result = await choose_host(
        hass, await submit_credentials(hass, await start_user_flow(hass))
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert request_urls(zoom) == [
        ("POST", token_url(OAUTH)),
        ("GET", URL(f"{API}/users/me")),
        listed_users(),
        ("GET", URL(f"{API}/users/{USER_ID}")),
    ]
    assert f"Ignoring {SIMULATOR_ENV}" in caplog.text


# How Zoom answers other credentials about the entry's user: another account's
# app does not know them (1001), or may say they are not in its account (1010).
WRONG_ACCOUNT = [
    pytest.param(None, id="user_does_not_exist"),
    pytest.param(
        {
            "status": HTTPStatus.BAD_REQUEST,
            "body": {"code": 1010, "message": "User does not belong to this account."},
        },
        id="not_in_this_account",
    ),
]


def refuse_the_entry_user(zoom: ZoomMock, refusal: dict[str, Any] | None) -> None:
    """Make Zoom answer the entry's user as other credentials would."""
    zoom.user["id"] = OTHER_USER_ID
    if refusal is not None:
        zoom.fail("GET", f"/users/{USER_ID}", **refusal)


# -- reauth --------------------------------------------------------------------------


async def test_reauth(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """New credentials of the same Zoom user replace the refused ones."""
    # The entry's user is read by ID: `me` does not matter.
    zoom.me = "refused"
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
    assert request_urls(zoom) == [
        ("POST", token_url(OAUTH)),
        ("GET", URL(f"{API}/users/{USER_ID}")),
    ]
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
        ("GET", URL(f"{GOV_API}/users/{USER_ID}")),
    ]


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize("refusal", WRONG_ACCOUNT)
async def test_reauth_wrong_account(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    refusal: dict[str, Any] | None,
) -> None:
    """Credentials that do not reach the entry's user do not replace the entry's."""
    mock_config_entry.add_to_hass(hass)
    refuse_the_entry_user(zoom, refusal)
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
@pytest.mark.parametrize(("method", "path", "failure", "error"), CHECK_ERRORS)
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
        ("GET", URL(f"{GOV_API}/users/{USER_ID}")),
    ]
    assert zoom.calls[0].headers["Authorization"] == basic_auth(
        "gov-client", NEW_SECRET
    )


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize("refusal", WRONG_ACCOUNT)
async def test_reconfigure_wrong_account(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    refusal: dict[str, Any] | None,
) -> None:
    """Credentials that do not reach the entry's user do not replace the entry's."""
    mock_config_entry.add_to_hass(hass)
    refuse_the_entry_user(zoom, refusal)
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
    [CHECK_ERRORS[0], CHECK_ERRORS[3], CHECK_ERRORS[-1]],
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
