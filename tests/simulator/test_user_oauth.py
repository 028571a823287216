"""Sign in with Zoom: a user-level app's authorization code and refresh tokens."""

from __future__ import annotations

from typing import Any

import pytest
from yarl import URL

from custom_components.zoom_livestream.zoom import basic_auth_header
from zoom_simulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_USER_APP_CLIENT_ID,
    DEFAULT_USER_APP_CLIENT_SECRET,
    DEFAULT_USER_ID,
    SECOND_USER_ID,
    SimulatorState,
    seed_users,
)

from .conftest import Client, get_token

pytestmark = pytest.mark.usefixtures("socket_enabled")

USER_APP = basic_auth_header(DEFAULT_USER_APP_CLIENT_ID, DEFAULT_USER_APP_CLIENT_SECRET)
REDIRECT = "https://my.home-assistant.io/redirect/oauth"


async def _authorize(client: Client, redirect_uri: str = REDIRECT, **query: str) -> URL:
    """Follow /oauth/authorize once and return where it redirects to."""
    params = {
        "response_type": "code",
        "client_id": DEFAULT_USER_APP_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "state": "opaque-state",
        **query,
    }
    resp = await client.get("/oauth/authorize", params=params, allow_redirects=False)
    assert resp.status == 302
    return URL(resp.headers["Location"])


async def _code(client: Client, redirect_uri: str = REDIRECT) -> str:
    return (await _authorize(client, redirect_uri)).query["code"]


async def _grant(
    client: Client, basic: str = USER_APP, **params: str
) -> tuple[int, dict[str, Any]]:
    resp = await client.post(
        "/oauth/token", data=params, headers={"Authorization": basic}
    )
    body: dict[str, Any] = await resp.json()
    return resp.status, body


async def _sign_in(client: Client) -> dict[str, Any]:
    status, body = await _grant(
        client,
        grant_type="authorization_code",
        code=await _code(client),
        redirect_uri=REDIRECT,
    )
    assert status == 200, body
    return body


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_authorize_redirects_back_with_code_and_state(client: Client) -> None:
    """The page signs in at once and sends code and state back (302)."""
    location = await _authorize(client, "https://ha.example/auth/external/callback?x=1")
    assert (location.scheme, location.host, location.path) == (
        "https",
        "ha.example",
        "/auth/external/callback",
    )
    assert location.query["state"] == "opaque-state"
    assert location.query["x"] == "1"
    assert location.query["code"]
    other = await _authorize(client)
    assert other.query["code"] != location.query["code"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"client_id": DEFAULT_CLIENT_ID}, 400),
        ({"client_id": "nobody"}, 400),
        ({"redirect_uri": "/relative"}, 400),
        ({"redirect_uri": "ftp://example.com/cb"}, 400),
    ],
)
async def test_authorize_refuses_unknown_apps_and_redirects(
    client: Client, query: dict[str, str], status: int
) -> None:
    """An unknown client ID or an unusable redirect URI gets an error page."""
    params = {
        "response_type": "code",
        "client_id": DEFAULT_USER_APP_CLIENT_ID,
        "redirect_uri": REDIRECT,
        **query,
    }
    resp = await client.get("/oauth/authorize", params=params, allow_redirects=False)
    assert resp.status == status
    assert resp.content_type == "text/html"


async def test_authorize_other_response_type(client: Client) -> None:
    """Only the code flow: anything else is reported to the redirect URI."""
    location = await _authorize(client, response_type="token")
    assert location.query["error"] == "unsupported_response_type"
    assert location.query["state"] == "opaque-state"
    assert "code" not in location.query


async def test_code_exchange_gives_user_level_tokens(
    client: Client, state: SimulatorState
) -> None:
    """The code buys an access and a refresh token; me is the signed-in user."""
    meeting = state.add_meeting("Sync")
    tokens = await _sign_in(client)
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 3599
    assert tokens["refresh_token"]
    assert ":admin" not in tokens["scope"]
    assert "meeting:update:livestream_status" in tokens["scope"]
    me = await (await client.get("/v2/users/me", headers=_bearer(tokens))).json()
    assert me["id"] == DEFAULT_USER_ID
    listed = await (
        await client.get("/v2/users/me/meetings", headers=_bearer(tokens))
    ).json()
    assert [item["id"] for item in listed["meetings"]] == [meeting.id]
    assert state.requests_to("/oauth/token")[-1].json is None


async def test_code_is_single_use_and_bound_to_its_redirect(
    client: Client, state: SimulatorState
) -> None:
    """A code works once, with the redirect URI it was issued for, for 10 minutes."""
    code = await _code(client)
    status, body = await _grant(
        client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT
    )
    assert status == 200
    status, body = await _grant(
        client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT
    )
    assert (status, body["error"]) == (400, "invalid_grant")
    status, body = await _grant(
        client,
        grant_type="authorization_code",
        code=await _code(client),
        redirect_uri="https://elsewhere.example/cb",
    )
    assert (status, body["error"]) == (400, "invalid_grant")

    now = [1000.0]
    state.clock = lambda: now[0]
    code = await _code(client)
    now[0] += 601
    status, body = await _grant(
        client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT
    )
    assert (status, body["error"]) == (400, "invalid_grant")


async def test_refresh_tokens_rotate(client: Client) -> None:
    """Every refresh returns a new refresh token; the old one stops working."""
    first = await _sign_in(client)
    status, second = await _grant(
        client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert status == 200
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    me = await client.get("/v2/users/me", headers=_bearer(second))
    assert (await me.json())["id"] == DEFAULT_USER_ID
    status, body = await _grant(
        client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert (status, body) == (
        400,
        {"reason": "Invalid Token!", "error": "invalid_grant"},
    )
    status, third = await _grant(
        client, grant_type="refresh_token", refresh_token=second["refresh_token"]
    )
    assert status == 200
    assert third["refresh_token"] not in (
        first["refresh_token"],
        second["refresh_token"],
    )


async def test_refresh_needs_the_apps_credentials(client: Client) -> None:
    """Client credentials go in HTTP Basic: wrong ones are invalid_client."""
    tokens = await _sign_in(client)
    status, body = await _grant(
        client,
        basic_auth_header(DEFAULT_USER_APP_CLIENT_ID, "wrong"),
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
    )
    assert (status, body["error"]) == (401, "invalid_client")


@pytest.mark.parametrize(
    ("basic", "grant_type"),
    [
        (USER_APP, "account_credentials"),
        (USER_APP, "client_credentials"),
        (basic_auth_header(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET), "refresh_token"),
        (
            basic_auth_header(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
            "authorization_code",
        ),
    ],
)
async def test_each_app_has_its_grants(
    client: Client, basic: str, grant_type: str
) -> None:
    """The user-level app has no account grant; the Server-to-Server app no other."""
    status, body = await _grant(
        client, basic, grant_type=grant_type, account_id="sim-account"
    )
    assert (status, body["error"]) == (400, "unsupported_grant_type")
    # The Server-to-Server grant still works beside it.
    assert await get_token(client)


async def test_another_user_signs_in(client: Client, state: SimulatorState) -> None:
    """Any Zoom user may authorize the app: the control route picks who does."""
    seed_users(state, 2)
    own = next(m for m in state.meetings.values() if m.host_id == SECOND_USER_ID)
    first_users = state.add_meeting("Not yours")
    resp = await client.post(
        "/_simulator/oauth/login", json={"user_id": SECOND_USER_ID}
    )
    assert (await resp.json()) == {"user_id": SECOND_USER_ID}
    users = await (await client.get("/_simulator/users")).json()
    assert users["user_app"]["signs_in"] == SECOND_USER_ID
    tokens = await _sign_in(client)
    headers = _bearer(tokens)
    me = await (await client.get("/v2/users/me", headers=headers)).json()
    assert me["id"] == SECOND_USER_ID
    # Its own meetings only; the other user is unknown to it.
    assert (await client.get(f"/v2/meetings/{own.id}", headers=headers)).status == 200
    resp = await client.get(f"/v2/meetings/{first_users.id}", headers=headers)
    assert resp.status == 404
    resp = await client.get(f"/v2/users/{DEFAULT_USER_ID}/meetings", headers=headers)
    assert (resp.status, (await resp.json())["code"]) == (404, 1001)
    resp = await client.post("/_simulator/oauth/login", json={"user_id": "ghost"})
    assert resp.status == 404


@pytest.mark.parametrize("mode", ["refused", "admin"])
async def test_user_tokens_ignore_the_s2s_me_mode(
    client: Client, state: SimulatorState, mode: str
) -> None:
    """For user-level tokens me is always the signed-in user."""
    state.set_modes({"s2s_me": mode})
    tokens = await _sign_in(client)
    me = await (await client.get("/v2/users/me", headers=_bearer(tokens))).json()
    assert me["id"] == DEFAULT_USER_ID


async def test_revoking_tokens_ends_refresh_too(
    client: Client, state: SimulatorState
) -> None:
    """An app removed by the user: access and refresh tokens both stop working."""
    tokens = await _sign_in(client)
    await client.delete("/_simulator/tokens")
    assert (await client.get("/v2/users/me", headers=_bearer(tokens))).status == 401
    status, _ = await _grant(
        client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert status == 400


async def test_user_tokens_may_not_list_the_account_users(
    client: Client, state: SimulatorState
) -> None:
    """Listing users is an admin call: a user-level token lacks its scope."""
    tokens = await _sign_in(client)
    resp = await client.get("/v2/users", headers=_bearer(tokens))
    assert resp.status == 400
    assert await resp.json() == {
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:"
        "[user:read:list_users:admin].",
    }
