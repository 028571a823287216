"""The config flow with "Sign in with Zoom" (user OAuth and application credentials)."""

from __future__ import annotations

import base64
from http import HTTPStatus
import logging
from typing import Any
from unittest.mock import AsyncMock

import aiohttp
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)
from yarl import URL

from custom_components.zoom_livestream.application_credentials import (
    async_get_auth_implementation,
    async_get_authorization_server,
    async_get_description_placeholders,
)
from custom_components.zoom_livestream.const import DOMAIN
from custom_components.zoom_livestream.endpoints import SIMULATOR_ENV
from custom_components.zoom_livestream.oauth import ZoomOAuth2Implementation
from custom_components.zoom_livestream.zoom import Cloud
from homeassistant import exceptions as ha_exceptions
from homeassistant.components.application_credentials import (
    ClientCredential,
    async_import_client_credential,
)
from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import config_entry_oauth2_flow
from homeassistant.setup import async_setup_component

from .conftest import ACCOUNT_ID, API, OAUTH, USER_EMAIL, USER_ID, ZoomMock

# The user-managed OAuth app (not the Server-to-Server app of conftest).
APP_CLIENT_ID = "oauth-app-client-id"
APP_CLIENT_SECRET = "oauth-app-client-secret-value"
REDIRECT_URI = "https://example.com/auth/external/callback"
CODE = "abcd"

GOV_OAUTH = "https://zoomgov.com/oauth"
GOV_API = "https://api.zoomgov.com/v2"
OTHER_USER_ID = "other-zoom-user"

OAUTH_BASES = {"global": OAUTH, "government": GOV_OAUTH}
API_BASES = {"global": API, "government": GOV_API}

NEW_ACCESS_TOKEN = "user-access-token-new"
NEW_REFRESH_TOKEN = "user-refresh-token-new"
TOKEN_JSON = {
    "access_token": NEW_ACCESS_TOKEN,
    "token_type": "bearer",
    "refresh_token": NEW_REFRESH_TOKEN,
    "expires_in": 3599,
    "scope": "meeting:read meeting:write user:read webinar:read webinar:write",
    "api_url": "https://api.zoom.us",
}
OLD_TOKEN = {
    "access_token": "user-access-token-old",
    "token_type": "bearer",
    "refresh_token": "user-refresh-token-old",
    "expires_in": 3599,
    "expires_at": 1700000000.0,
}


@pytest.fixture(autouse=True)
async def setup_credentials(hass: HomeAssistant) -> None:
    """Set up application credentials (empty: tests import the app's own)."""
    assert await async_setup_component(hass, "application_credentials", {})


async def import_credentials(hass: HomeAssistant) -> None:
    """Store the Zoom OAuth app's Client ID and Client secret."""
    await async_import_client_credential(
        hass, DOMAIN, ClientCredential(APP_CLIENT_ID, APP_CLIENT_SECRET), DOMAIN
    )


def basic_auth(client_id: str, client_secret: str) -> str:
    """Return the Authorization header of a token request."""
    raw = f"{client_id}:{client_secret}".encode()
    return f"Basic {base64.b64encode(raw).decode()}"


def user_json(user_id: str = USER_ID, email: str = USER_EMAIL) -> dict[str, Any]:
    """Return `GET /users/me` as Zoom sends it."""
    return {"id": user_id, "email": email, "account_id": ACCOUNT_ID, "type": 1}


def mock_zoom_answers(
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
    cloud: str,
    user_id: str = USER_ID,
) -> None:
    """Answer the code exchange with a user token, and `/users/me` with the user."""
    if cloud == "global":
        zoom.fail("POST", "token", HTTPStatus.OK, TOKEN_JSON)
        zoom.user["id"] = user_id
    else:
        aioclient_mock.post(f"{GOV_OAUTH}/token", json=TOKEN_JSON)
        aioclient_mock.get(f"{GOV_API}/users/me", json=user_json(user_id))


# Zoom posts its events to the webhook with this ID: it must survive a new sign-in.
WEBHOOK_ID = "webhook-id-given-to-zoom"


def oauth_entry(cloud: str = "global") -> MockConfigEntry:
    """Return a current (1.3) entry that signs in with Zoom and receives events."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=USER_EMAIL,
        unique_id=USER_ID,
        data={
            "auth_type": "oauth",
            "cloud": cloud,
            "auth_implementation": DOMAIN,
            "account_id": ACCOUNT_ID,
            "token": OLD_TOKEN,
            "webhook_id": WEBHOOK_ID,
        },
        options={"webhook_secret": "zm-secret"},
        version=1,
        minor_version=3,
    )


async def async_sign_in(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    result: ConfigFlowResult,
    cloud: str,
) -> ConfigFlowResult:
    """Check the external step, come back from Zoom with a code, finish the flow."""
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    assert result["step_id"] == "auth"
    state = config_entry_oauth2_flow._encode_jwt(  # noqa: SLF001
        hass, {"flow_id": result["flow_id"], "redirect_uri": REDIRECT_URI}
    )
    assert result["url"] == str(
        URL(f"{OAUTH_BASES[cloud]}/authorize").with_query(
            response_type="code",
            client_id=APP_CLIENT_ID,
            redirect_uri=REDIRECT_URI,
            state=state,
        )
    )

    client = await hass_client_no_auth()
    resp = await client.get(f"/auth/external/callback?code={CODE}&state={state}")
    assert resp.status == HTTPStatus.OK
    assert resp.headers["content-type"] == "text/html; charset=utf-8"

    return await hass.config_entries.flow.async_configure(result["flow_id"])


async def async_start_oauth(hass: HomeAssistant, cloud: str) -> ConfigFlowResult:
    """Choose "Sign in with Zoom" and the cloud."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["server_to_server", "oauth"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "oauth"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "oauth"
    schema = result["data_schema"]
    assert schema is not None
    assert [str(key) for key in schema.schema] == ["cloud"]
    assert schema({}) == {"cloud": "global"}
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"cloud": cloud}
    )


def assert_token_request(zoom: ZoomMock, cloud: str) -> None:
    """Check the code exchange: the cloud's token URL, with HTTP Basic auth."""
    token_calls = [call for call in zoom.calls if call.url.path.endswith("/token")]
    assert len(token_calls) == 1
    call = token_calls[0]
    assert call.method == "POST"
    assert call.url == URL(f"{OAUTH_BASES[cloud]}/token")
    assert call.headers["Authorization"] == basic_auth(APP_CLIENT_ID, APP_CLIENT_SECRET)
    assert call.headers["Accept"] == "application/json"
    assert call.json == {
        "grant_type": "authorization_code",
        "code": CODE,
        "redirect_uri": REDIRECT_URI,
    }


def assert_user_request(zoom: ZoomMock, cloud: str) -> None:
    """Check `/users/me` was asked on the cloud's API host with the new token."""
    user_calls = [call for call in zoom.calls if call.url.path.endswith("/users/me")]
    assert user_calls
    for call in user_calls:
        assert call.method == "GET"
        assert call.url == URL(f"{API_BASES[cloud]}/users/me")
        assert call.headers["Authorization"] == f"Bearer {NEW_ACCESS_TOKEN}"


def assert_new_token(token: dict[str, Any]) -> None:
    """Check the stored token is the exchanged one, with its expiry time."""
    assert {key: token[key] for key in TOKEN_JSON} == TOKEN_JSON
    assert isinstance(token["expires_at"], float)


# -- adding an entry -----------------------------------------------------------------


@pytest.mark.usefixtures("current_request_with_host")
@pytest.mark.parametrize("cloud", ["global", "government"])
async def test_oauth_flow(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
    mock_setup_entry: AsyncMock,
    cloud: str,
) -> None:
    """Signing in with Zoom adds the user, on the chosen cloud."""
    await import_credentials(hass)
    mock_zoom_answers(zoom, aioclient_mock, cloud)

    result = await async_start_oauth(hass, cloud)
    result = await async_sign_in(hass, hass_client_no_auth, result, cloud)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == USER_EMAIL
    assert result["result"].unique_id == USER_ID
    data = dict(result["data"])
    token = data.pop("token")
    assert data == {
        "auth_type": "oauth",
        "cloud": cloud,
        "auth_implementation": DOMAIN,
        "account_id": ACCOUNT_ID,
    }
    assert_new_token(token)
    assert_token_request(zoom, cloud)
    assert_user_request(zoom, cloud)
    assert len(zoom.calls) == 2
    assert len(mock_setup_entry.mock_calls) == 1


@pytest.mark.usefixtures("current_request_with_host", "mock_setup_entry")
async def test_oauth_flow_title_without_email(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator, zoom: ZoomMock
) -> None:
    """A Zoom user without an email address is titled with its user id."""
    await import_credentials(hass)
    zoom.fail("POST", "token", HTTPStatus.OK, TOKEN_JSON)
    zoom.user.pop("email")

    result = await async_start_oauth(hass, "global")
    result = await async_sign_in(hass, hass_client_no_auth, result, "global")

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == USER_ID


@pytest.mark.usefixtures("current_request_with_host", "mock_setup_entry")
async def test_oauth_flow_already_configured(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The Zoom user already has an entry (here a Server-to-Server one)."""
    mock_config_entry.add_to_hass(hass)
    await import_credentials(hass)
    zoom.fail("POST", "token", HTTPStatus.OK, TOKEN_JSON)

    result = await async_start_oauth(hass, "global")
    result = await async_sign_in(hass, hass_client_no_auth, result, "global")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert mock_config_entry.data["auth_type"] == "server_to_server"


@pytest.mark.usefixtures("current_request_with_host", "mock_setup_entry")
@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        pytest.param(
            {
                "status": HTTPStatus.UNAUTHORIZED,
                "body": {"code": 124, "message": "Invalid access token."},
                "times": 2,
            },
            "invalid_auth",
            id="token_refused",
        ),
        pytest.param(
            {
                "status": HTTPStatus.BAD_REQUEST,
                "body": {
                    "code": 4711,
                    "message": "Invalid access token, does not contain scopes:[user:read].",
                },
            },
            "invalid_auth",
            id="missing_scope",
        ),
        pytest.param(
            {"exc": aiohttp.ClientConnectionError()},
            "cannot_connect",
            id="connection_error",
        ),
        pytest.param(
            {
                "status": HTTPStatus.BAD_REQUEST,
                "body": {"code": 9999, "message": "Something unexpected."},
            },
            "unknown",
            id="unexpected_api_error",
        ),
    ],
)
async def test_oauth_flow_user_errors(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    zoom: ZoomMock,
    failure: dict[str, Any],
    reason: str,
) -> None:
    """Zoom refuses or fails `/users/me` after the sign-in: the flow aborts."""
    await import_credentials(hass)
    zoom.fail("POST", "token", HTTPStatus.OK, TOKEN_JSON)
    zoom.fail("GET", "/users/me", **failure)

    result = await async_start_oauth(hass, "global")
    result = await async_sign_in(hass, hass_client_no_auth, result, "global")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    assert_user_request(zoom, "global")
    assert hass.config_entries.async_entries(DOMAIN) == []


# Home Assistant 2026.1 and later abort every refusal (4xx) with oauth_unauthorized,
# when the implementation raises Home Assistant's own token errors; older releases
# only a 401. Failures (5xx) are oauth_failed on both.
HA_TELLS_REFUSALS_APART = hasattr(ha_exceptions, "OAuth2TokenRequestReauthError")
REFUSED = "oauth_unauthorized" if HA_TELLS_REFUSALS_APART else "oauth_failed"


@pytest.mark.usefixtures("current_request_with_host", "mock_setup_entry")
@pytest.mark.parametrize(
    ("status", "failure", "reason", "logged"),
    [
        pytest.param(
            HTTPStatus.UNAUTHORIZED,
            {"body": {"reason": "Invalid client_id or client_secret", "error": "x"}},
            "oauth_unauthorized",
            "HTTP 401 Invalid client_id or client_secret",
            id="unauthorized",
        ),
        pytest.param(
            HTTPStatus.BAD_REQUEST,
            {
                "body": {
                    "reason": "Invalid authorization code",
                    "error": "invalid_grant",
                }
            },
            REFUSED,
            "HTTP 400 Invalid authorization code",
            id="bad_code",
        ),
        pytest.param(
            HTTPStatus.BAD_REQUEST,
            {"body": {"error": "invalid_request"}},
            REFUSED,
            "HTTP 400 invalid_request",
            id="error_without_reason",
        ),
        pytest.param(
            HTTPStatus.BAD_REQUEST,
            {"body": ["not", "an", "object"]},
            REFUSED,
            "HTTP 400 ",
            id="list_body",
        ),
        pytest.param(
            HTTPStatus.TOO_MANY_REQUESTS,
            {"body": {"reason": "Too many requests"}},
            "oauth_failed",
            "HTTP 429 Too many requests",
            id="rate_limited",
        ),
        pytest.param(
            HTTPStatus.SERVICE_UNAVAILABLE,
            {"text": "<html><body>Service Unavailable</body></html>"},
            "oauth_failed",
            "HTTP 503 ",
            id="html_body",
        ),
    ],
)
async def test_oauth_flow_token_refused(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    zoom: ZoomMock,
    caplog: pytest.LogCaptureFixture,
    status: HTTPStatus,
    failure: dict[str, Any],
    reason: str,
    logged: str,
) -> None:
    """Zoom refuses the code exchange: the flow aborts and logs Zoom's reason."""
    caplog.set_level(logging.DEBUG)
    await import_credentials(hass)
    zoom.fail("POST", "token", status, **failure)

    result = await async_start_oauth(hass, "global")
    result = await async_sign_in(hass, hass_client_no_auth, result, "global")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    assert_token_request(zoom, "global")
    assert zoom.api_calls == []
    assert [
        record.getMessage()
        for record in caplog.records
        if record.name == "custom_components.zoom_livestream"
    ] == [f"Zoom refused the authorization_code token request: {logged}"]
    assert APP_CLIENT_SECRET not in caplog.text
    assert basic_auth(APP_CLIENT_ID, APP_CLIENT_SECRET).split()[1] not in caplog.text
    assert NEW_ACCESS_TOKEN not in caplog.text
    assert hass.config_entries.async_entries(DOMAIN) == []


@pytest.mark.usefixtures("current_request_with_host")
async def test_oauth_flow_without_credentials(hass: HomeAssistant) -> None:
    """Without application credentials the flow cannot sign in."""
    result = await async_start_oauth(hass, "global")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "missing_credentials"


@pytest.mark.usefixtures("current_request_with_host", "mock_setup_entry")
async def test_oauth_flow_other_implementation(hass: HomeAssistant) -> None:
    """An implementation that is not Zoom's own is used as it is."""
    config_entry_oauth2_flow.async_register_implementation(
        hass,
        DOMAIN,
        config_entry_oauth2_flow.LocalOAuth2Implementation(
            hass,
            DOMAIN,
            APP_CLIENT_ID,
            APP_CLIENT_SECRET,
            f"{OAUTH}/authorize",
            f"{OAUTH}/token",
        ),
    )

    # The government cloud is chosen, but that implementation knows one host only.
    result = await async_start_oauth(hass, "government")
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    url = URL(result["url"])
    assert str(url.with_query(None)) == f"{OAUTH}/authorize"
    assert url.query["client_id"] == APP_CLIENT_ID


# -- reauth --------------------------------------------------------------------------


@pytest.mark.usefixtures("current_request_with_host")
@pytest.mark.parametrize("cloud", ["global", "government"])
async def test_reauth_oauth(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
    mock_setup_entry: AsyncMock,
    cloud: str,
) -> None:
    """Signing in again as the same Zoom user stores the new token."""
    entry = oauth_entry(cloud)
    entry.add_to_hass(hass)
    await import_credentials(hass)
    mock_zoom_answers(zoom, aioclient_mock, cloud)

    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_oauth"
    assert result["description_placeholders"] == {
        "title": USER_EMAIL,
        "name": USER_EMAIL,
    }

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await async_sign_in(hass, hass_client_no_auth, result, cloud)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    data = dict(entry.data)
    token = data.pop("token")
    assert data == {
        "auth_type": "oauth",
        "cloud": cloud,
        "auth_implementation": DOMAIN,
        "account_id": ACCOUNT_ID,
        "webhook_id": WEBHOOK_ID,
    }
    assert_new_token(token)
    assert entry.unique_id == USER_ID
    assert_token_request(zoom, cloud)
    assert_user_request(zoom, cloud)
    assert len(mock_setup_entry.mock_calls) == 1


@pytest.mark.usefixtures("current_request_with_host", "mock_setup_entry")
async def test_reauth_oauth_without_cloud(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    zoom: ZoomMock,
) -> None:
    """An OAuth entry without a stored cloud signs in on the global cloud."""
    data = dict(oauth_entry().data)
    data.pop("cloud")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=USER_EMAIL,
        unique_id=USER_ID,
        data=data,
        version=1,
        minor_version=3,
    )
    entry.add_to_hass(hass)
    await import_credentials(hass)
    zoom.fail("POST", "token", HTTPStatus.OK, TOKEN_JSON)

    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await async_sign_in(hass, hass_client_no_auth, result, "global")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["cloud"] == "global"


@pytest.mark.usefixtures("current_request_with_host", "mock_setup_entry")
async def test_reauth_oauth_wrong_account(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """Signing in as another Zoom user leaves the entry unchanged."""
    entry = oauth_entry()
    entry.add_to_hass(hass)
    await import_credentials(hass)
    mock_zoom_answers(zoom, aioclient_mock, "global", OTHER_USER_ID)

    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await async_sign_in(hass, hass_client_no_auth, result, "global")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data["token"] == OLD_TOKEN
    assert entry.unique_id == USER_ID


@pytest.mark.usefixtures("current_request_with_host", "mock_setup_entry")
async def test_reauth_oauth_user_error(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator, zoom: ZoomMock
) -> None:
    """Zoom cannot be reached after the sign-in: the entry keeps its token."""
    entry = oauth_entry()
    entry.add_to_hass(hass)
    await import_credentials(hass)
    zoom.fail("POST", "token", HTTPStatus.OK, TOKEN_JSON)
    zoom.fail("GET", "/users/me", exc=aiohttp.ClientConnectionError())

    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await async_sign_in(hass, hass_client_no_auth, result, "global")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cannot_connect"
    assert entry.data["token"] == OLD_TOKEN


# -- reconfigure ---------------------------------------------------------------------


@pytest.mark.usefixtures("current_request_with_host")
async def test_reconfigure_oauth(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
    mock_setup_entry: AsyncMock,
) -> None:
    """Moving an OAuth entry to the government cloud signs in there."""
    entry = oauth_entry("global")
    entry.add_to_hass(hass)
    await import_credentials(hass)
    mock_zoom_answers(zoom, aioclient_mock, "government")

    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure_oauth"
    assert result["description_placeholders"] == {"title": USER_EMAIL}
    schema = result["data_schema"]
    assert schema is not None
    assert [str(key) for key in schema.schema] == ["cloud"]
    (key,) = schema.schema
    assert key.description == {"suggested_value": "global"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"cloud": "government"}
    )
    result = await async_sign_in(hass, hass_client_no_auth, result, "government")
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["cloud"] == "government"
    assert entry.data["auth_type"] == "oauth"
    assert entry.data["auth_implementation"] == DOMAIN
    assert entry.data["webhook_id"] == WEBHOOK_ID
    assert_new_token(entry.data["token"])
    assert_token_request(zoom, "government")
    assert_user_request(zoom, "government")
    assert len(mock_setup_entry.mock_calls) == 1


@pytest.mark.usefixtures("current_request_with_host", "mock_setup_entry")
async def test_reconfigure_oauth_same_cloud(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """The form is prefilled with the entry's cloud, which can be kept."""
    entry = oauth_entry("government")
    entry.add_to_hass(hass)
    await import_credentials(hass)
    mock_zoom_answers(zoom, aioclient_mock, "government")

    result = await entry.start_reconfigure_flow(hass)
    schema = result["data_schema"]
    assert schema is not None
    (key,) = schema.schema
    assert key.description == {"suggested_value": "government"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"cloud": "government"}
    )
    result = await async_sign_in(hass, hass_client_no_auth, result, "government")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["cloud"] == "government"


@pytest.mark.usefixtures("current_request_with_host", "mock_setup_entry")
async def test_reconfigure_oauth_wrong_account(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """Signing in as another Zoom user leaves the entry unchanged."""
    entry = oauth_entry("global")
    entry.add_to_hass(hass)
    await import_credentials(hass)
    mock_zoom_answers(zoom, aioclient_mock, "government", OTHER_USER_ID)

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"cloud": "government"}
    )
    result = await async_sign_in(hass, hass_client_no_auth, result, "government")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data["cloud"] == "global"
    assert entry.data["token"] == OLD_TOKEN


# -- application credentials and the implementation ----------------------------------


@pytest.mark.parametrize(
    ("with_my", "external_url", "redirect_url"),
    [
        pytest.param(
            True, None, "https://my.home-assistant.io/redirect/oauth", id="my"
        ),
        pytest.param(
            False,
            "https://ha.example.org",
            "https://ha.example.org/auth/external/callback",
            id="external_url",
        ),
        pytest.param(
            False,
            None,
            "https://<your Home Assistant address>/auth/external/callback",
            id="no_url",
        ),
    ],
)
async def test_credentials_dialog_outside_an_http_request(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    with_my: bool,
    external_url: str | None,
    redirect_url: str,
) -> None:
    """The dialog works without `my` and outside the sign-in request.

    Settings → Application credentials asks over the websocket, where no HTTP
    request with the frontend's address is in progress; an error there broke the
    page for every integration on the install.
    """
    assert await async_setup_component(hass, "application_credentials", {})
    if with_my:
        hass.config.components.add("my")
    hass.config.external_url = external_url
    placeholders = await async_get_description_placeholders(hass)
    assert placeholders == {
        "marketplace_url": "https://marketplace.zoom.us/develop/create",
        "redirect_url": redirect_url,
    }
    client = await hass_ws_client(hass)
    await client.send_json({"id": 1, "type": "application_credentials/config"})
    response = await client.receive_json()
    assert response["success"], response
    assert response["result"]["integrations"][DOMAIN]["description_placeholders"] == (
        placeholders
    )


async def test_authorization_server(hass: HomeAssistant) -> None:
    """Application credentials use Zoom's global endpoints."""
    server = await async_get_authorization_server(hass)
    assert server.authorize_url == "https://zoom.us/oauth/authorize"
    assert server.token_url == "https://zoom.us/oauth/token"


async def test_implementation_for_cloud(hass: HomeAssistant) -> None:
    """The implementation moves to another cloud, and stays for the same one."""
    credential = ClientCredential(APP_CLIENT_ID, APP_CLIENT_SECRET)
    implementation = await async_get_auth_implementation(hass, DOMAIN, credential)
    assert isinstance(implementation, ZoomOAuth2Implementation)
    assert implementation.cloud is Cloud.GLOBAL
    assert implementation.for_cloud(Cloud.GLOBAL) is implementation

    government = implementation.for_cloud(Cloud.GOVERNMENT)
    assert government is not implementation
    assert government.cloud is Cloud.GOVERNMENT
    assert government.authorize_url == f"{GOV_OAUTH}/authorize"
    assert government.token_url == f"{GOV_OAUTH}/token"
    assert government.client_id == APP_CLIENT_ID
    assert government.client_secret == APP_CLIENT_SECRET
    assert government.domain == DOMAIN
    assert government.for_cloud(Cloud.GOVERNMENT) is government


@pytest.mark.parametrize("cloud", [Cloud.GLOBAL, Cloud.GOVERNMENT])
async def test_sign_in_uses_a_loopback_simulator(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, cloud: Cloud
) -> None:
    """A contributor's simulator serves the sign-in page and the token, any cloud."""
    monkeypatch.setenv(SIMULATOR_ENV, "http://127.0.0.1:8765/")
    credential = ClientCredential(APP_CLIENT_ID, APP_CLIENT_SECRET)
    implementation = await async_get_auth_implementation(hass, DOMAIN, credential)
    assert isinstance(implementation, ZoomOAuth2Implementation)
    implementation = implementation.for_cloud(cloud)
    assert implementation.authorize_url == "http://127.0.0.1:8765/oauth/authorize"
    assert implementation.token_url == "http://127.0.0.1:8765/oauth/token"
    server = await async_get_authorization_server(hass)
    assert server.authorize_url == "http://127.0.0.1:8765/oauth/authorize"


@pytest.mark.parametrize(
    "simulator", ["http://192.168.1.10:8765", "https://zoom.example", "not a url"]
)
async def test_sign_in_ignores_a_simulator_elsewhere(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    simulator: str,
) -> None:
    """The variable cannot send a browser or a code anywhere but Zoom or this machine."""
    monkeypatch.setenv(SIMULATOR_ENV, simulator)
    credential = ClientCredential(APP_CLIENT_ID, APP_CLIENT_SECRET)
    implementation = await async_get_auth_implementation(hass, DOMAIN, credential)
    assert isinstance(implementation, ZoomOAuth2Implementation)
    assert implementation.authorize_url == "https://zoom.us/oauth/authorize"
    assert implementation.token_url == "https://zoom.us/oauth/token"
    assert f"Ignoring {SIMULATOR_ENV}" in caplog.text
