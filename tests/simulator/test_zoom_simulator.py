"""Tests of the local Zoom API simulator (plain aiohttp, no Home Assistant)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
import json
from typing import Any

import aiohttp
import pytest

from custom_components.zoom_livestream.zoom import basic_auth_header
from zoom_simulator import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_USER_ID,
    SECOND_CLIENT_SECRET,
    SECOND_USER_ID,
    TOKEN_SCOPE,
    SimulatorState,
)
from zoom_simulator.__main__ import banner, build_state, parse_args

from .conftest import BASIC, TOKEN_QUERY, Client, get_token

# The Home Assistant test plugin blocks sockets; the simulator needs loopback TCP.
pytestmark = pytest.mark.usefixtures("socket_enabled")

BIG_ID = 2**53 + 1  # not representable as a float: any float round trip breaks it


async def _get_token(client: Client) -> str:
    return await get_token(client)


async def _error(resp: aiohttp.ClientResponse) -> dict[str, Any]:
    assert resp.content_type == "application/json"
    body: dict[str, Any] = await resp.json()
    return body


# -- OAuth ---------------------------------------------------------------------


async def test_token_success(client: Client) -> None:
    """Good credentials give a bearer token that opens the API."""
    resp = await client.post(
        "/oauth/token", params=TOKEN_QUERY, headers={"Authorization": BASIC}
    )
    assert resp.status == 200
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3599
    assert body["scope"] == TOKEN_SCOPE
    assert "api_url" not in body
    me = await client.get(
        "/v2/users/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status == 200


async def test_token_in_form_body_and_api_url(
    client: Client, state: SimulatorState
) -> None:
    """The grant may come as a form body; api_url is sent when configured."""
    state.token_api_url = "http://127.0.0.1:8765"
    resp = await client.post(
        "/oauth/token", data=TOKEN_QUERY, headers={"Authorization": BASIC}
    )
    assert resp.status == 200
    assert (await resp.json())["api_url"] == "http://127.0.0.1:8765"


@pytest.mark.parametrize(
    "auth_header",
    [
        basic_auth_header(DEFAULT_CLIENT_ID, "wrong"),
        basic_auth_header("wrong", DEFAULT_CLIENT_SECRET),
        "Bearer something",
        None,
    ],
)
async def test_token_bad_credentials(client: Client, auth_header: str | None) -> None:
    """Wrong or missing client credentials answer 401 invalid_client."""
    headers = {"Authorization": auth_header} if auth_header else {}
    resp = await client.post("/oauth/token", params=TOKEN_QUERY, headers=headers)
    assert resp.status == 401
    assert await resp.json() == {
        "reason": "Invalid client_id or client_secret",
        "error": "invalid_client",
    }


@pytest.mark.parametrize("account_id", ["other-account", None])
async def test_token_bad_account(client: Client, account_id: str | None) -> None:
    """A wrong or missing account_id answers 400 invalid_request."""
    params = {"grant_type": "account_credentials"}
    if account_id:
        params["account_id"] = account_id
    resp = await client.post(
        "/oauth/token", params=params, headers={"Authorization": BASIC}
    )
    assert resp.status == 400
    assert await resp.json() == {
        "reason": "Invalid request : Invalid account_id",
        "error": "invalid_request",
    }


async def test_token_bad_grant_type(client: Client) -> None:
    """Only the account_credentials grant is supported."""
    resp = await client.post(
        "/oauth/token",
        params={"grant_type": "client_credentials", "account_id": DEFAULT_ACCOUNT_ID},
        headers={"Authorization": BASIC},
    )
    assert resp.status == 400
    assert (await resp.json())["error"] == "unsupported_grant_type"


# -- authentication of /v2 ------------------------------------------------------


async def test_auth_required(client: Client, state: SimulatorState) -> None:
    """Missing, unknown, revoked and expired tokens all answer 401 code 124."""
    expected = {"code": 124, "message": "Invalid access token."}
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
        resp = await client.get("/v2/users/me", headers=headers)
        assert resp.status == 401
        assert await _error(resp) == expected

    token = await _get_token(client)
    state.revoke_tokens()
    resp = await client.get(
        "/v2/users/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status == 401

    token = await _get_token(client)
    state.expire_tokens()
    resp = await client.get(
        "/v2/users/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert await _error(resp) == expected


async def test_token_expires_with_clock(client: Client, state: SimulatorState) -> None:
    """Tokens expire after token_expires_in seconds of the injectable clock."""
    now = [1000.0]
    state.clock = lambda: now[0]
    state.token_expires_in = 60
    headers = {"Authorization": f"Bearer {await _get_token(client)}"}
    assert (await client.get("/v2/users/me", headers=headers)).status == 200
    now[0] += 60
    assert (await client.get("/v2/users/me", headers=headers)).status == 401


# -- users and lists ----------------------------------------------------------------


@pytest.mark.parametrize("user_id", ["me", "sim-user-1", "host@example.com"])
async def test_get_user(client: Client, auth: dict[str, str], user_id: str) -> None:
    """The user is found by "me", its id or its email."""
    resp = await client.get(f"/v2/users/{user_id}", headers=auth)
    assert resp.status == 200
    body = await resp.json()
    assert body["id"] == "sim-user-1"
    assert body["email"] == "host@example.com"
    assert body["account_id"] == DEFAULT_ACCOUNT_ID
    assert body["type"] == 2
    assert body["timezone"] == "UTC"


async def test_unknown_user(client: Client, auth: dict[str, str]) -> None:
    """An unknown user answers 404 code 1001, also on the list routes."""
    for path in ("/v2/users/ghost", "/v2/users/ghost/meetings"):
        resp = await client.get(path, headers=auth)
        assert resp.status == 404
        assert await _error(resp) == {
            "code": 1001,
            "message": "User does not exist: ghost",
        }


async def test_paging_650_meetings(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """650 meetings come in pages of 300, 300 and 50 linked by opaque tokens."""
    created = state.add_meetings(650)
    seen: list[int] = []
    tokens: list[str] = []
    params = {"type": "scheduled", "page_size": "300"}
    for expected_len in (300, 300, 50):
        resp = await client.get("/v2/users/me/meetings", params=params, headers=auth)
        assert resp.status == 200
        body = await resp.json()
        assert body["page_size"] == 300
        assert body["total_records"] == 650
        assert len(body["meetings"]) == expected_len
        seen.extend(item["id"] for item in body["meetings"])
        tokens.append(body["next_page_token"])
        params["next_page_token"] = body["next_page_token"]
    assert tokens[-1] == ""
    assert tokens[0] and tokens[1] and tokens[0] != tokens[1]
    assert not tokens[0].isdigit()
    assert seen == [meeting.id for meeting in created]

    resp = await client.get(
        "/v2/users/me/meetings",
        params={"page_size": "300", "next_page_token": "bogus"},
        headers=auth,
    )
    assert resp.status == 400
    assert (await _error(resp))["code"] == 300


async def test_page_size_default_cap_and_invalid(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """page_size defaults to 30, is capped at 300 and must be a positive integer."""
    state.add_meetings(320)
    body = await (await client.get("/v2/users/me/meetings", headers=auth)).json()
    assert body["page_size"] == 30
    assert len(body["meetings"]) == 30
    resp = await client.get(
        "/v2/users/me/meetings", params={"page_size": "1000"}, headers=auth
    )
    body = await resp.json()
    assert body["page_size"] == 300
    assert len(body["meetings"]) == 300
    for bad in ("abc", "0"):
        resp = await client.get(
            "/v2/users/me/meetings", params={"page_size": bad}, headers=auth
        )
        assert resp.status == 400
        assert (await _error(resp))["code"] == 300


async def test_list_items_and_live_filter(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """type=live lists started meetings only; items carry no status."""
    first, second, _third = state.add_meetings(3)
    state.add_meeting("Webinar", kind="webinar", started=True)
    state.start_meeting(second.id)

    body = await (
        await client.get("/v2/users/me/meetings", params={"type": "live"}, headers=auth)
    ).json()
    assert [item["id"] for item in body["meetings"]] == [second.id]
    assert body["total_records"] == 1
    assert body["next_page_token"] == ""
    item = body["meetings"][0]
    assert set(item) == {
        "id",
        "uuid",
        "topic",
        "type",
        "start_time",
        "duration",
        "timezone",
        "join_url",
        "host_id",
        "created_at",
    }
    assert "?pwd=" in item["join_url"]
    assert item["host_id"] == "sim-user-1"

    body = await (
        await client.get(
            "/v2/users/me/meetings", params={"type": "upcoming"}, headers=auth
        )
    ).json()
    assert body["total_records"] == 3
    assert first.id in [item["id"] for item in body["meetings"]]

    resp = await client.get(
        "/v2/users/me/meetings", params={"type": "bogus"}, headers=auth
    )
    assert resp.status == 400


async def test_webinar_list(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Webinars are listed under their own key and have no live list."""
    state.add_meetings(2)
    webinars = state.add_meetings(3, kind="webinar")
    body = await (
        await client.get(
            "/v2/users/me/webinars", params={"page_size": "2"}, headers=auth
        )
    ).json()
    assert body["total_records"] == 3
    assert [item["id"] for item in body["webinars"]] == [w.id for w in webinars[:2]]
    assert body["webinars"][0]["type"] == 5
    assert body["next_page_token"]
    resp = await client.get(
        "/v2/users/me/webinars", params={"type": "live"}, headers=auth
    )
    assert resp.status == 400
    # A meetings token cannot resume the webinar list.
    meetings = await (
        await client.get(
            "/v2/users/me/meetings", params={"page_size": "1"}, headers=auth
        )
    ).json()
    resp = await client.get(
        "/v2/users/me/webinars",
        params={"next_page_token": meetings["next_page_token"]},
        headers=auth,
    )
    assert resp.status == 400


# -- details ------------------------------------------------------------------------


async def test_meeting_details_status(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Meeting details report waiting or started."""
    meeting = state.add_meeting("Standup")
    resp = await client.get(f"/v2/meetings/{meeting.id}", headers=auth)
    assert resp.status == 200
    body = await resp.json()
    assert body["status"] == "waiting"
    assert body["topic"] == "Standup"
    assert body["uuid"] == meeting.uuid
    state.start_meeting(meeting.id)
    body = await (await client.get(f"/v2/meetings/{meeting.id}", headers=auth)).json()
    assert body["status"] == "started"
    state.end_meeting(meeting.id)
    body = await (await client.get(f"/v2/meetings/{meeting.id}", headers=auth)).json()
    assert body["status"] == "waiting"


async def test_details_errors(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Unknown, non-numeric and wrong-kind ids answer like Zoom."""
    webinar = state.add_meeting("All-hands", kind="webinar")
    meeting = state.add_meeting("Sync")

    body = await (await client.get(f"/v2/webinars/{webinar.id}", headers=auth)).json()
    assert body["id"] == webinar.id
    assert "status" not in body

    resp = await client.get("/v2/meetings/12345678901", headers=auth)
    assert resp.status == 404
    assert await _error(resp) == {
        "code": 3001,
        "message": "Meeting does not exist: 12345678901.",
    }
    resp = await client.get(f"/v2/meetings/{webinar.id}", headers=auth)
    assert resp.status == 404
    resp = await client.get(f"/v2/webinars/{meeting.id}", headers=auth)
    assert await _error(resp) == {
        "code": 3001,
        "message": f"Webinar does not exist: {meeting.id}.",
    }
    resp = await client.get("/v2/meetings/abc", headers=auth)
    assert resp.status == 400
    assert await _error(resp) == {"code": 300, "message": "Invalid meeting id."}


async def test_unknown_route_is_json(client: Client, auth: dict[str, str]) -> None:
    """An unknown /v2 route answers 404 in JSON."""
    resp = await client.get("/v2/nothing/here", headers=auth)
    assert resp.status == 404
    assert (await _error(resp))["code"] == 404


# -- live stream configuration ----------------------------------------------------------


async def test_live_stream_get_and_patch(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """The config reads back, and a valid PATCH answers 204 with no body.

    Before any target was configured the read answers 200 with no body at all.
    """
    meeting = state.add_meeting("Sync")
    path = f"/v2/meetings/{meeting.id}/livestream"
    unset = await client.get(path, headers=auth)
    assert unset.status == 200
    assert unset.content_type == "application/json"
    assert await unset.read() == b""
    config = {
        "stream_url": "rtmp://a.example/live",
        "stream_key": "key-1",
        "page_url": "https://example.com/watch",
        "resolution": "1080p",
    }
    resp = await client.patch(path, json=config, headers=auth)
    assert resp.status == 204
    assert await resp.read() == b""
    assert await (await client.get(path, headers=auth)).json() == config
    assert meeting.live_stream == config

    # Resolution is optional and keeps its value when omitted.
    del config["resolution"]
    config["stream_key"] = "key-2"
    assert (await client.patch(path, json=config, headers=auth)).status == 204
    assert meeting.live_stream["resolution"] == "1080p"
    assert meeting.live_stream["stream_key"] == "key-2"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stream_url": "rtmp://x", "stream_key": "k"}, "page_url"),
        ({"stream_url": "rtmp://x", "page_url": "p"}, "stream_key"),
        ({"stream_url": 5, "stream_key": "k", "page_url": "p"}, "stream_url"),
        ({"stream_url": "x" * 1025, "stream_key": "k", "page_url": "p"}, "stream_url"),
        ({"stream_url": "x", "stream_key": "k" * 513, "page_url": "p"}, "stream_key"),
        ({"stream_url": "x", "stream_key": "k", "page_url": "p" * 1025}, "page_url"),
        (
            {"stream_url": "x", "stream_key": "k", "page_url": "p", "resolution": "4k"},
            "resolution",
        ),
    ],
)
async def test_live_stream_patch_validation(
    client: Client,
    state: SimulatorState,
    auth: dict[str, str],
    body: dict[str, Any],
    field: str,
) -> None:
    """Invalid configs answer 400 code 300 naming the field."""
    meeting = state.add_meeting("Sync")
    resp = await client.patch(
        f"/v2/meetings/{meeting.id}/livestream", json=body, headers=auth
    )
    assert resp.status == 400
    error = await _error(resp)
    assert error["code"] == 300
    assert error["message"] == "Validation Failed."
    assert [item["field"] for item in error["errors"]] == [field]
    assert meeting.live_stream["stream_url"] == ""


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b""])
async def test_malformed_json(
    client: Client, state: SimulatorState, auth: dict[str, str], raw: bytes
) -> None:
    """A body that is not a JSON object answers 400 code 300."""
    meeting = state.add_meeting("Sync")
    for suffix in ("livestream", "livestream/status"):
        resp = await client.patch(
            f"/v2/meetings/{meeting.id}/{suffix}",
            data=raw,
            headers={**auth, "Content-Type": "application/json"},
        )
        assert resp.status == 400
        assert (await _error(resp))["code"] == 300


async def test_live_stream_locked_while_streaming(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """The config cannot change while the stream runs."""
    meeting = state.add_meeting(
        "Sync", started=True, stream_url="rtmp://x/live", stream_key="k"
    )
    meeting.streaming = True
    resp = await client.patch(
        f"/v2/meetings/{meeting.id}/livestream",
        json={"stream_url": "rtmp://y", "stream_key": "k2", "page_url": ""},
        headers=auth,
    )
    assert resp.status == 400
    assert await _error(resp) == {
        "code": 3000,
        "message": "The live stream settings cannot be changed while live streaming.",
    }
    assert meeting.live_stream["stream_url"] == "rtmp://x/live"


# -- live stream status -----------------------------------------------------------------


async def test_start_and_stop(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Start needs a started, configured meeting; stop and end stop the stream."""
    meeting = state.add_meeting("Sync", stream_url="rtmp://x/live", stream_key="k")
    path = f"/v2/meetings/{meeting.id}/livestream/status"
    settings = {"active_speaker_name": True, "display_name": "Team sync"}

    resp = await client.patch(
        path, json={"action": "start", "settings": settings}, headers=auth
    )
    assert resp.status == 400
    assert await _error(resp) == {
        "code": 3000,
        "message": f"Meeting {meeting.id} is not live yet.",
    }
    assert not meeting.streaming

    state.start_meeting(meeting.id)
    resp = await client.patch(
        path, json={"action": "start", "settings": settings}, headers=auth
    )
    assert resp.status == 204
    assert await resp.read() == b""
    assert meeting.streaming
    assert meeting.last_start_settings == settings

    resp = await client.patch(path, json={"action": "stop"}, headers=auth)
    assert resp.status == 204
    assert not meeting.streaming

    assert (
        await client.patch(path, json={"action": "start"}, headers=auth)
    ).status == 204
    assert meeting.last_start_settings is None
    state.end_meeting(meeting.id)
    assert not meeting.streaming
    assert not meeting.started

    # Stopping what does not run is refused too: no kind "always succeeds".
    resp = await client.patch(path, json={"action": "stop"}, headers=auth)
    assert resp.status == 400
    assert (await _error(resp))["code"] == 3000


async def test_start_not_configured(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Starting without a stream URL and key answers 400 code 3000."""
    meeting = state.add_meeting("Sync", started=True, stream_url="rtmp://x/live")
    resp = await client.patch(
        f"/v2/meetings/{meeting.id}/livestream/status",
        json={"action": "start"},
        headers=auth,
    )
    assert resp.status == 400
    assert await _error(resp) == {
        "code": 3000,
        "message": "The meeting is not configured with a custom streaming service.",
    }


async def test_webinar_not_started(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """A webinar that has not started answers code 200; once started it streams."""
    webinar = state.add_meeting(
        "All-hands", kind="webinar", stream_url="rtmp://x/live", stream_key="k"
    )
    path = f"/v2/webinars/{webinar.id}/livestream/status"
    resp = await client.patch(path, json={"action": "start"}, headers=auth)
    assert resp.status == 400
    assert await _error(resp) == {
        "code": 200,
        "message": f"Webinar {webinar.id} has not started.",
    }
    state.start_meeting(webinar.id)
    assert (
        await client.patch(path, json={"action": "start"}, headers=auth)
    ).status == 204
    assert webinar.streaming


@pytest.mark.parametrize(
    "body",
    [
        {"action": "Start"},
        {"action": "STOP"},
        {"action": "pause"},
        {},
        {"action": "start", "settings": "loud"},
        {"action": "start", "settings": {"display_name": ""}},
        {"action": "start", "settings": {"display_name": "x" * 51}},
        {"action": "start", "settings": {"active_speaker_name": "yes"}},
        {"action": "start", "settings": {"layout": "grid"}},
        {"action": "start", "settings": {"close_caption": "on"}},
    ],
)
async def test_status_validation(
    client: Client, state: SimulatorState, auth: dict[str, str], body: dict[str, Any]
) -> None:
    """Capitalised actions and bad settings fail with "Validation Failed."."""
    meeting = state.add_meeting(
        "Sync", started=True, stream_url="rtmp://x/live", stream_key="k"
    )
    resp = await client.patch(
        f"/v2/meetings/{meeting.id}/livestream/status", json=body, headers=auth
    )
    assert resp.status == 400
    error = await _error(resp)
    assert error["code"] == 300
    assert error["message"] == "Validation Failed."
    assert not meeting.streaming


# -- fault injection, delay, rate limits --------------------------------------------------


async def test_fault_429_with_retry_after(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """A 429 fault carries its headers and applies only to matching paths, once."""
    meeting = state.add_meeting("Sync")
    state.fail_next(
        1,
        429,
        {"code": 429, "message": "Too many requests."},
        headers={"Retry-After": "2"},
        path_prefix="/v2/meetings",
    )
    assert (await client.get("/v2/users/me", headers=auth)).status == 200
    resp = await client.get(f"/v2/meetings/{meeting.id}", headers=auth)
    assert resp.status == 429
    assert resp.headers["Retry-After"] == "2"
    assert (await _error(resp))["code"] == 429
    assert (await client.get(f"/v2/meetings/{meeting.id}", headers=auth)).status == 200
    assert not state.faults


async def test_fault_500_html_and_token(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """An HTML outage page is sent as text/html, for as many requests as asked."""
    state.fail_next(2, 500, "<html><body>Bad gateway</body></html>")
    for _ in range(2):
        resp = await client.get("/v2/users/me", headers=auth)
        assert resp.status == 500
        assert resp.content_type == "text/html"
        assert "Bad gateway" in await resp.text()
    assert (await client.get("/v2/users/me", headers=auth)).status == 200

    # Faults also reach the token endpoint, and a method filter narrows them.
    state.fail_next(1, 503, "", path_prefix="/oauth/token", method="POST")
    resp = await client.post(
        "/oauth/token", params=TOKEN_QUERY, headers={"Authorization": BASIC}
    )
    assert resp.status == 503
    assert await resp.read() == b""


async def test_fault_401_code_124(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """A valid token can be refused once, as when Zoom invalidates it early."""
    state.fail_next(1, 401, {"code": 124, "message": "Invalid access token."})
    assert (await client.get("/v2/users/me", headers=auth)).status == 401
    assert (await client.get("/v2/users/me", headers=auth)).status == 200


async def test_delay_causes_client_timeout(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """A response delay longer than the client timeout times the client out."""
    state.delay = 0.2
    with pytest.raises(asyncio.TimeoutError):
        await client.get(
            "/v2/users/me", headers=auth, timeout=aiohttp.ClientTimeout(total=0.05)
        )
    state.delay = 0
    assert (await client.get("/v2/users/me", headers=auth)).status == 200


async def test_no_rate_limit_headers_by_default(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Zoom's current rate-limit page documents no headers: none are sent."""
    meeting = state.add_meeting("Sync")
    for path in (f"/v2/meetings/{meeting.id}/livestream", "/v2/users/me/meetings"):
        resp = await client.get(path, headers=auth)
        assert resp.status == 200
        assert not [
            name for name in resp.headers if name.lower().startswith("x-ratelimit")
        ]
        assert "Retry-After" not in resp.headers


async def test_rate_limit_headers(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """In the "full" mode Light and Medium endpoints report a per-day counter."""
    state.rate_limit_headers = "full"
    meeting = state.add_meeting("Sync")
    first = await client.get(f"/v2/meetings/{meeting.id}/livestream", headers=auth)
    second = await client.get(f"/v2/meetings/{meeting.id}/livestream", headers=auth)
    assert first.headers["X-RateLimit-Category"] == "Light"
    assert first.headers["X-RateLimit-Type"] == "Daily-limit"
    assert first.headers["X-RateLimit-Limit"] == "6000"
    assert int(first.headers["X-RateLimit-Remaining"]) == (
        int(second.headers["X-RateLimit-Remaining"]) + 1
    )
    listing = await client.get("/v2/users/me/meetings", headers=auth)
    assert listing.headers["X-RateLimit-Category"] == "Medium"
    assert listing.headers["X-RateLimit-Remaining"] == "1999"
    # Errors count and carry the headers too.
    missing = await client.get("/v2/meetings/1/livestream", headers=auth)
    assert missing.status == 404
    assert missing.headers["X-RateLimit-Category"] == "Light"


async def test_rate_limit_headers_without_type(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """The "no-type" mode sends what a real 429 had: no Type and no Retry-After."""
    state.rate_limit_headers = "no-type"
    state.plan = "free"
    state.daily_limits["Medium"] = 1
    ok = await client.get("/v2/users/me/meetings", headers=auth)
    assert (ok.headers["X-RateLimit-Category"], ok.headers["X-RateLimit-Limit"]) == (
        "Medium",
        "1",
    )
    assert ok.headers["X-RateLimit-Remaining"] == "0"
    limited = await client.get("/v2/users/me/meetings", headers=auth)
    assert limited.status == 429
    assert (await _error(limited))["code"] == 429
    assert limited.headers["X-RateLimit-Category"] == "Medium"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert "X-RateLimit-Type" not in limited.headers
    assert "Retry-After" not in limited.headers


async def test_daily_limit_enforced(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """On the Free plan a spent quota answers 429 with Retry-After, an ISO date."""
    state.plan = "free"
    state.rate_limit_headers = "full"
    state.daily_limits["Medium"] = 1
    assert (await client.get("/v2/users/me/meetings", headers=auth)).status == 200
    resp = await client.get("/v2/users/me/meetings", headers=auth)
    assert resp.status == 429
    reset = datetime.strptime(resp.headers["Retry-After"], "%Y-%m-%dT%H:%M:%SZ")
    assert reset.replace(tzinfo=UTC) > datetime.now(UTC)
    assert (reset.hour, reset.minute, reset.second) == (0, 0, 0)
    assert resp.headers["X-RateLimit-Remaining"] == "0"
    assert (await client.get("/v2/users/me", headers=auth)).status == 200
    # Without headers the 429 comes bare: a client must back off on its own.
    state.rate_limit_headers = "none"
    resp = await client.get("/v2/users/me/meetings", headers=auth)
    assert resp.status == 429
    assert "Retry-After" not in resp.headers


async def test_pro_plan_has_no_daily_cap(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Live streaming needs Pro, which has no daily cap: a spent quota is ignored."""
    state.daily_limits["Medium"] = 1
    for _ in range(3):
        assert (await client.get("/v2/users/me/meetings", headers=auth)).status == 200


# -- request log and control routes ---------------------------------------------------------


async def test_request_log(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Zoom-route requests are logged with query, JSON body and headers."""
    meeting = state.add_meeting("Sync", started=True, stream_key="k", stream_url="u")
    await client.get("/v2/users/me/meetings", params={"page_size": "300"}, headers=auth)
    await client.patch(
        f"/v2/meetings/{meeting.id}/livestream/status",
        json={"action": "start", "settings": {"display_name": "Live"}},
        headers=auth,
    )
    await client.get("/_simulator/state")

    token_req, list_req, status_req = state.requests
    assert token_req.method == "POST"
    assert token_req.path == "/oauth/token"
    assert token_req.query == TOKEN_QUERY
    assert token_req.header("authorization") == BASIC
    assert list_req.query == {"page_size": "300"}
    assert list_req.json is None
    assert list_req.header("Authorization") == auth["Authorization"]
    assert status_req.method == "PATCH"
    assert status_req.json == {"action": "start", "settings": {"display_name": "Live"}}
    assert state.requests_to(f"/v2/meetings/{meeting.id}/livestream/status", "patch")

    logged = await (await client.get("/_simulator/requests")).json()
    assert [item["path"] for item in logged["requests"]] == [
        "/oauth/token",
        "/v2/users/me/meetings",
        f"/v2/meetings/{meeting.id}/livestream/status",
    ]
    assert (await client.delete("/_simulator/requests")).status == 204
    assert state.requests == []
    state.clear_log()


async def test_control_routes(client: Client, state: SimulatorState) -> None:
    """Meetings can be created, started, ended and deleted without auth."""
    resp = await client.post(
        "/_simulator/meetings",
        json={"topic": "Town hall", "kind": "webinar", "count": 2},
    )
    assert resp.status == 201
    created = (await resp.json())["meetings"]
    assert [item["topic"] for item in created] == ["Town hall 1", "Town hall 2"]
    assert all(item["kind"] == "webinar" for item in created)

    resp = await client.post(
        "/_simulator/meetings",
        json={"topic": "Demo", "stream_url": "rtmp://x", "stream_key": "k"},
    )
    meeting_id = (await resp.json())["meetings"][0]["id"]

    resp = await client.post(f"/_simulator/meetings/{meeting_id}/start")
    assert resp.status == 200
    assert (await resp.json())["started"] is True
    state.meetings[meeting_id].streaming = True
    resp = await client.post(f"/_simulator/meetings/{meeting_id}/end")
    body = await resp.json()
    assert body["started"] is False
    assert body["streaming"] is False

    snapshot = await (await client.get("/_simulator/state")).json()
    assert len(snapshot["meetings"]) == 3
    demo = snapshot["meetings"][2]
    assert demo["live_stream"]["stream_url"] == "rtmp://x"
    assert demo["last_start_settings"] is None

    assert (await client.delete(f"/_simulator/meetings/{meeting_id}")).status == 204
    assert meeting_id not in state.meetings
    assert (await client.post(f"/_simulator/meetings/{meeting_id}/start")).status == 404
    assert (await client.delete("/_simulator/meetings/abc")).status == 404
    resp = await client.post("/_simulator/meetings", json={"kind": "party"})
    assert resp.status == 400
    assert "error" in await resp.json()
    assert (await client.post("/_simulator/meetings", data=b"[")).status == 400
    assert state.requests == []


async def test_control_fail_delay_and_tokens(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Faults, delay and token revocation can be driven over HTTP."""
    resp = await client.post(
        "/_simulator/fail",
        json={
            "count": 1,
            "status": 429,
            "body": {"code": 429, "message": "Slow down"},
            "headers": {"Retry-After": "30"},
            "path_prefix": "/v2/users",
        },
    )
    assert resp.status == 201
    assert (await resp.json())["pending_faults"] == 1
    resp = await client.get("/v2/users/me", headers=auth)
    assert resp.status == 429
    assert resp.headers["Retry-After"] == "30"

    assert (await client.post("/_simulator/fail", json={"count": 1})).status == 400
    assert (
        await client.post("/_simulator/fail", json={"status": 500, "count": 0})
    ).status == 400
    await client.post("/_simulator/fail", json={"status": 500})
    assert (await client.delete("/_simulator/fail")).status == 204
    assert state.faults == []

    resp = await client.post("/_simulator/delay", json={"seconds": 0.01})
    assert (await resp.json()) == {"delay": 0.01}
    assert (await client.post("/_simulator/delay", json={"seconds": -1})).status == 400
    state.delay = 0

    assert (await client.post("/_simulator/tokens/expire")).status == 204
    assert (await client.get("/v2/users/me", headers=auth)).status == 401
    await _get_token(client)
    assert (await client.delete("/_simulator/tokens")).status == 204
    assert state.tokens == {}


# -- ids, bulk data and the command line ------------------------------------------------------


async def test_64bit_ids_survive_json(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """IDs beyond 2**32 (and beyond float precision) round-trip exactly."""
    default = state.add_meeting("Default id")
    assert default.id > 2**32
    big = state.add_meeting("Big id", meeting_id=BIG_ID, started=True)
    assert float(big.id) != big.id

    resp = await client.get("/v2/users/me/meetings", headers=auth)
    text = await resp.text()
    assert str(BIG_ID) in text
    assert [item["id"] for item in json.loads(text)["meetings"]] == [default.id, BIG_ID]

    body = await (await client.get(f"/v2/meetings/{BIG_ID}", headers=auth)).json()
    assert body["id"] == BIG_ID
    assert body["status"] == "started"
    snapshot = await (await client.get("/_simulator/state")).json()
    assert snapshot["meetings"][1]["id"] == BIG_ID
    assert (await client.post(f"/_simulator/meetings/{BIG_ID}/end")).status == 200
    assert state.next_meeting_id == BIG_ID + 1


async def test_bulk_meetings(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """5,000 meetings are created quickly and page through in 17 requests."""
    created = state.add_meetings(5000)
    assert len({meeting.id for meeting in created}) == 5000
    params = {"page_size": "300"}
    pages = 0
    total = 0
    while True:
        body = await (
            await client.get("/v2/users/me/meetings", params=params, headers=auth)
        ).json()
        pages += 1
        total += len(body["meetings"])
        if not body["next_page_token"]:
            break
        params["next_page_token"] = body["next_page_token"]
    assert (pages, total) == (17, 5000)
    with pytest.raises(ValueError, match="already exists"):
        state.add_meeting("Dup", meeting_id=created[0].id)


def test_cli_defaults_and_seed() -> None:
    """The default command line seeds readable demo data on loopback."""
    args = parse_args([])
    assert (args.host, args.port) == ("127.0.0.1", 8765)
    assert (args.users, args.chunk_size, args.chunk_pause_ms) == (2, 4096, 2)
    state = build_state(args)
    meetings = [m for m in state.meetings.values() if m.host_id == DEFAULT_USER_ID]
    assert [m.topic for m in meetings] == [
        "Weekly team sync",
        "Product launch",
        "Community Q&A",
        "Quarterly all-hands",
    ]
    assert meetings[-1].kind == "webinar"
    first = meetings[0]
    assert first.started
    assert first.live_stream["stream_url"] == "rtmp://127.0.0.1/live"
    assert first.live_stream["stream_key"] == "demo-stream-key"
    assert not any(m.started for m in meetings[1:])
    text = banner(state, "127.0.0.1", 8765)
    assert "http://127.0.0.1:8765/v2" in text
    assert "http://127.0.0.1:8765/oauth" in text
    assert DEFAULT_CLIENT_SECRET in text
    # The second user: its own account, credentials and meetings, listed too.
    second = [m for m in state.meetings.values() if m.host_id == SECOND_USER_ID]
    assert [(m.topic, m.started) for m in second] == [
        ("Sales kickoff", True),
        ("Office hours", False),
    ]
    assert SECOND_CLIENT_SECRET in text
    assert "Sales kickoff" in text
    assert "sent chunked" in text


def test_cli_options() -> None:
    """Counts and --no-start-first shape the demo; remote hosts need a flag."""
    state = build_state(
        parse_args(["--meetings", "7", "--webinars", "0", "--no-start-first"])
    )
    first_users = [m for m in state.meetings.values() if m.host_id == DEFAULT_USER_ID]
    assert len(first_users) == 7
    assert len(state.meetings) == 9
    assert not any(m.started for m in state.meetings.values())
    assert first_users[5].topic == "Demo meeting 6"
    assert parse_args(["--host", "::1"]).host == "::1"
    assert parse_args(["--host", "localhost"]).host == "localhost"
    for host in ("0.0.0.0", "192.168.1.10", "example.com"):
        with pytest.raises(SystemExit):
            parse_args(["--host", host])
    assert parse_args(["--host", "0.0.0.0", "--allow-remote"]).allow_remote

    state = build_state(
        parse_args(["--users", "3", "--chunk-size", "0", "--chunk-pause-ms", "5"])
    )
    assert [account.client_id for account in state.accounts()] == [
        DEFAULT_CLIENT_ID,
        "sim-client-id-2",
        "sim-client-id-3",
    ]
    assert (state.chunk_size, state.chunk_pause) == (0, 0.005)
    assert "sent chunked" not in banner(state, "127.0.0.1", 8765)
    assert len(build_state(parse_args(["--users", "1"])).accounts()) == 1
    for bad in (
        ["--users", "0"],
        ["--users", "21"],
        ["--chunk-size", "-1"],
        ["--chunk-pause-ms", "-1"],
    ):
        with pytest.raises(SystemExit):
            parse_args(bad)
