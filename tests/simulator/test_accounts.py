"""Several users, each in its own account with its own app credentials."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.zoom_livestream.zoom import basic_auth_header
from zoom_simulator import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_CLIENT_ID,
    DEFAULT_USER_ID,
    SECOND_ACCOUNT_ID,
    SECOND_CLIENT_ID,
    SECOND_CLIENT_SECRET,
    SECOND_USER_EMAIL,
    SECOND_USER_ID,
    SimulatedMeeting,
    SimulatorState,
    seed_demo,
    seed_users,
)
from zoom_simulator.events import sign

from .conftest import Client, get_token

pytestmark = pytest.mark.usefixtures("socket_enabled")

SECOND_BASIC = basic_auth_header(SECOND_CLIENT_ID, SECOND_CLIENT_SECRET)


@pytest.fixture
def state() -> SimulatorState:
    """Two users as the command line seeds them, with their demo meetings."""
    state = SimulatorState()
    seed_demo(state)
    seed_users(state, 2)
    return state


def _hosted_by(state: SimulatorState, user_id: str) -> list[SimulatedMeeting]:
    return [m for m in state.meetings.values() if m.host_id == user_id]


async def test_credentials_choose_the_user(
    client: Client, state: SimulatorState
) -> None:
    """Each app's credentials give a token for its own user and meetings only."""
    first = {"Authorization": f"Bearer {await get_token(client)}"}
    second = {
        "Authorization": "Bearer "
        + await get_token(client, basic=SECOND_BASIC, account_id=SECOND_ACCOUNT_ID)
    }
    me = await (await client.get("/v2/users/me", headers=second)).json()
    assert (me["id"], me["email"], me["account_id"]) == (
        SECOND_USER_ID,
        SECOND_USER_EMAIL,
        SECOND_ACCOUNT_ID,
    )
    assert (await (await client.get("/v2/users/me", headers=first)).json())[
        "id"
    ] == DEFAULT_USER_ID

    listed = await (
        await client.get(
            "/v2/users/me/meetings", params={"page_size": "300"}, headers=second
        )
    ).json()
    assert [item["id"] for item in listed["meetings"]] == [
        m.id for m in _hosted_by(state, SECOND_USER_ID)
    ]
    assert listed["total_records"] == 2
    assert {item["host_id"] for item in listed["meetings"]} == {SECOND_USER_ID}
    live = await (
        await client.get(
            "/v2/users/me/meetings", params={"type": "live"}, headers=second
        )
    ).json()
    assert [item["topic"] for item in live["meetings"]] == ["Sales kickoff"]
    webinars = await (await client.get("/v2/users/me/webinars", headers=second)).json()
    assert webinars["webinars"] == []

    # The first user's data is as unknown to the second app as nothing at all.
    first_meeting = _hosted_by(state, DEFAULT_USER_ID)[0]
    for path in (
        f"/v2/meetings/{first_meeting.id}",
        f"/v2/meetings/{first_meeting.id}/livestream",
    ):
        resp = await client.get(path, headers=second)
        assert resp.status == 404
        assert (await resp.json())["code"] == 3001
    resp = await client.patch(
        f"/v2/meetings/{first_meeting.id}/livestream/status",
        json={"action": "start"},
        headers=second,
    )
    assert resp.status == 404
    assert not first_meeting.streaming
    for user in (DEFAULT_USER_ID, "host@example.com"):
        resp = await client.get(f"/v2/users/{user}/meetings", headers=second)
        assert resp.status == 404
        assert (await resp.json())["code"] == 1001

    # Its own meeting (in progress, with a target) starts as usual.
    own = _hosted_by(state, SECOND_USER_ID)[0]
    resp = await client.patch(
        f"/v2/meetings/{own.id}/livestream/status",
        json={"action": "start"},
        headers=second,
    )
    assert resp.status == 204
    assert own.streaming
    details = await (await client.get(f"/v2/meetings/{own.id}", headers=second)).json()
    assert details["host_email"] == SECOND_USER_EMAIL


async def test_token_endpoint_pairs_credentials_and_account(client: Client) -> None:
    """A secret of another app, or another account's ID, is refused."""
    for basic in (
        basic_auth_header(SECOND_CLIENT_ID, "sim-client-secret"),
        basic_auth_header(DEFAULT_CLIENT_ID, SECOND_CLIENT_SECRET),
    ):
        resp = await client.post(
            "/oauth/token",
            params={
                "grant_type": "account_credentials",
                "account_id": SECOND_ACCOUNT_ID,
            },
            headers={"Authorization": basic},
        )
        assert resp.status == 401
        assert (await resp.json())["error"] == "invalid_client"
    resp = await client.post(
        "/oauth/token",
        params={"grant_type": "account_credentials", "account_id": DEFAULT_ACCOUNT_ID},
        headers={"Authorization": SECOND_BASIC},
    )
    assert resp.status == 400
    assert (await resp.json())["error"] == "invalid_request"


async def test_page_tokens_belong_to_their_user(
    client: Client, state: SimulatorState
) -> None:
    """A page token of one user's list does not resume another user's."""
    state.add_meetings(3, host_id=SECOND_USER_ID)
    state.add_meetings(3)
    second = {
        "Authorization": "Bearer "
        + await get_token(client, basic=SECOND_BASIC, account_id=SECOND_ACCOUNT_ID)
    }
    first = {"Authorization": f"Bearer {await get_token(client)}"}
    page = await (
        await client.get(
            "/v2/users/me/meetings", params={"page_size": "2"}, headers=first
        )
    ).json()
    resp = await client.get(
        "/v2/users/me/meetings",
        params={"page_size": "2", "next_page_token": page["next_page_token"]},
        headers=second,
    )
    assert resp.status == 400


async def test_users_route_and_meetings_for_a_user(
    client: Client, state: SimulatorState
) -> None:
    """The control routes list the users and create meetings for any of them."""
    body = await (await client.get("/_simulator/users")).json()
    assert [
        (u["account_id"], u["client_id"], u["client_secret"], u["user"]["id"])
        for u in body["users"]
    ] == [
        (DEFAULT_ACCOUNT_ID, DEFAULT_CLIENT_ID, "sim-client-secret", DEFAULT_USER_ID),
        (SECOND_ACCOUNT_ID, SECOND_CLIENT_ID, SECOND_CLIENT_SECRET, SECOND_USER_ID),
    ]
    snapshot = await (await client.get("/_simulator/state")).json()
    assert [u["user"]["email"] for u in snapshot["users"]] == [
        "host@example.com",
        SECOND_USER_EMAIL,
    ]
    resp = await client.post(
        "/_simulator/meetings", json={"topic": "Late", "user_id": SECOND_USER_ID}
    )
    assert resp.status == 201
    created = (await resp.json())["meetings"][0]
    assert created["host_id"] == SECOND_USER_ID
    resp = await client.post("/_simulator/meetings", json={"user_id": "nobody"})
    assert resp.status == 404
    resp = await client.post("/_simulator/meetings", json={"user_id": 7})
    assert resp.status == 400


def test_add_user_refuses_duplicates(state: SimulatorState) -> None:
    """Accounts, client IDs and users are unique; hosts must exist."""
    base: dict[str, Any] = {
        "account_id": "acc-3",
        "client_id": "cid-3",
        "client_secret": "secret-3",
        "user_id": "user-3",
        "email": "three@example.com",
    }
    for field, taken in (
        ("account_id", SECOND_ACCOUNT_ID),
        ("client_id", DEFAULT_CLIENT_ID),
        ("user_id", SECOND_USER_ID),
        ("email", "host@example.com"),
        ("client_secret", ""),
    ):
        with pytest.raises(ValueError):
            state.add_user(**{**base, field: taken})
    state.add_user(**base)
    assert state.account("acc-3") is not None
    with pytest.raises(ValueError, match="No user"):
        state.add_meeting("Orphan", host_id="ghost")
    with pytest.raises(KeyError):
        state.set_webhook("http://127.0.0.1:1/", "s", "no-such-account")
    # Seeding again adds nobody: there are three users already.
    assert seed_users(state, 3) == []


async def test_events_go_to_each_accounts_webhook(
    client: Client, state: SimulatorState
) -> None:
    """Each account's events are signed with its own secret and sent to its URL."""
    received: list[tuple[str, dict[str, str], bytes]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((request.path, dict(request.headers), await request.read()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/{hook}", receive)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        base = str(server.make_url("")).rstrip("/")
        for account_id, hook, secret in (
            (None, "first", "s1"),
            (SECOND_ACCOUNT_ID, "second", "s2"),
        ):
            body: dict[str, Any] = {"url": f"{base}/{hook}", "secret": secret}
            if account_id:
                body["account_id"] = account_id
            resp = await client.post("/_simulator/webhook", json=body)
            assert resp.status == 200
            # The receiver answers 200 with no body: not what Zoom's check wants.
            assert (await resp.json())["validated"] is False
        resp = await client.post(
            "/_simulator/webhook", json={"url": "x", "account_id": "nope"}
        )
        assert resp.status == 404
        users = await (await client.get("/_simulator/users")).json()
        assert [(u["webhook_url"], u["webhook_validated"]) for u in users["users"]] == [
            (f"{base}/first", False),
            (f"{base}/second", False),
        ]

        own = _hosted_by(state, SECOND_USER_ID)[1]
        other = _hosted_by(state, DEFAULT_USER_ID)[1]
        assert (await client.post(f"/_simulator/meetings/{own.id}/start")).status == 200
        assert (
            await client.post(f"/_simulator/meetings/{other.id}/start")
        ).status == 200
    finally:
        await server.close()

    # Setting each URL sent Zoom's signed endpoint.url_validation first.
    assert [path for path, _, _ in received] == [
        "/first",
        "/second",
        "/second",
        "/first",
    ]
    for (_, headers, raw), secret in zip(received[:2], ("s1", "s2"), strict=True):
        timestamp = headers["x-zm-request-timestamp"]
        assert headers["x-zm-signature"] == sign(secret, timestamp, raw)
        challenge = json.loads(raw)
        assert challenge["event"] == "endpoint.url_validation"
        assert challenge["payload"]["plainToken"]
    for (_, headers, raw), secret, account_id in zip(
        received[2:], ("s2", "s1"), (SECOND_ACCOUNT_ID, DEFAULT_ACCOUNT_ID), strict=True
    ):
        timestamp = headers["x-zm-request-timestamp"]
        assert headers["x-zm-signature"] == sign(secret, timestamp, raw)
        event = json.loads(raw)
        assert event["event"] == "meeting.started"
        assert event["payload"]["account_id"] == account_id

    deliveries = (await (await client.get("/_simulator/deliveries")).json())[
        "deliveries"
    ]
    assert [
        (d["event"], d["meeting_id"], d["account_id"], d["url"], d["status"])
        for d in deliveries
    ] == [
        ("endpoint.url_validation", None, DEFAULT_ACCOUNT_ID, f"{base}/first", 200),
        ("endpoint.url_validation", None, SECOND_ACCOUNT_ID, f"{base}/second", 200),
        ("meeting.started", own.id, SECOND_ACCOUNT_ID, f"{base}/second", 200),
        ("meeting.started", other.id, DEFAULT_ACCOUNT_ID, f"{base}/first", 200),
    ]
    # The receiver is gone now: the delivery is recorded as failed.
    assert (await client.post(f"/_simulator/meetings/{other.id}/end")).status == 200
    failed = (await (await client.get("/_simulator/deliveries")).json())["deliveries"]
    assert (failed[-1]["event"], failed[-1]["status"], failed[-1]["error"]) == (
        "meeting.ended",
        None,
        "ClientConnectorError",
    )

    # Cleared: the second account's events go nowhere, the first's still do.
    resp = await client.post(
        "/_simulator/webhook", json={"account_id": SECOND_ACCOUNT_ID}
    )
    assert (await resp.json())["url"] is None
    state.start_meeting(_hosted_by(state, SECOND_USER_ID)[1].id)
    assert state.pending_events == []


def test_deliveries_are_bounded(state: SimulatorState) -> None:
    """Only the latest deliveries are kept, oldest dropped first."""
    meeting = _hosted_by(state, DEFAULT_USER_ID)[0]
    state.webhook_url, state.webhook_secret = "http://127.0.0.1:9/", "s"
    for number in range(105):
        state.start_meeting(meeting.id)
        state.record_delivery(state.pending_events.pop(), "u", number, None)
    assert len(state.deliveries) == 100
    assert state.deliveries[0]["status"] == 5
