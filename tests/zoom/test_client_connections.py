"""The client on kept-alive connections: Zoom closing them, and what is sent again.

A connection pool keeps a connection open between requests so that a press does
not pay for a new TCP connection and TLS session. A server closes such a
connection once it has been idle for its own keep-alive time, and a request sent
just then (or into a connection a NAT forgot) meets a closed connection before
any byte of an answer. The Zoom double here closes connections that way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import logging
import socket
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
import pytest

from custom_components.zoom_livestream.zoom import (
    LiveStreamConfig,
    MeetingKind,
    MeetingListType,
    ServerToServerAuth,
    StaticTokenAuth,
    ZoomApiError,
    ZoomAuthenticationError,
    ZoomClient,
    ZoomConnectionError,
)
from custom_components.zoom_livestream.zoom.connections import async_open_connections

from .common import API, bearer, token_payload
from .zoom_server import Answer, Fault, RecordedRequest, ZoomServer

TOKEN = "static-token"
MEETING_ID = 9876543210123
STATUS = f"{API}/meetings/{MEETING_ID}/livestream/status"
TARGET = f"{API}/meetings/{MEETING_ID}/livestream"
USER = {
    "id": "user-xyz",
    "email": "host@example.com",
    "account_id": "acc-123",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "type": 2,
    "timezone": "Europe/London",
}
STREAM = {
    "stream_url": "rtmp://live.example.com/app",
    "stream_key": "key-1",
    "page_url": "https://example.com/live",
}


@pytest.fixture
def client(session: aiohttp.ClientSession, zoom: ZoomServer) -> ZoomClient:
    """Return a client with a fixed token, so only API requests are sent."""
    return ZoomClient(session, StaticTokenAuth(TOKEN), api_base=zoom.api_base)


async def _keep_a_connection(client: ZoomClient, zoom: ZoomServer) -> None:
    """Make one request, so the session keeps its connection for the next."""
    zoom.get(f"{API}/users/me", payload=USER)
    await client.async_get_current_user()


@pytest.mark.parametrize(
    ("action", "body"),
    [("start", {"action": "start"}), ("stop", {"action": "stop"})],
)
async def test_press_after_zoom_closed_the_idle_connection(
    client: ZoomClient,
    zoom: ZoomServer,
    caplog: pytest.LogCaptureFixture,
    action: str,
    body: dict[str, Any],
) -> None:
    """The PATCH Zoom never answered is sent again, once, on a new connection."""
    caplog.set_level(logging.DEBUG, logger="custom_components.zoom_livestream.zoom")
    await _keep_a_connection(client, zoom)
    zoom.patch(STATUS, status=204)
    zoom.close_idle_connections()

    if action == "start":
        await client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID)
    else:
        await client.async_stop_live_stream(MeetingKind.MEETING, MEETING_ID)

    [dropped] = zoom.dropped
    [handled] = zoom.requests_to("PATCH", STATUS)
    assert (dropped.method, dropped.path, dropped.json) == ("PATCH", STATUS, body)
    assert handled.json == body
    assert handled.client_headers == bearer(TOKEN)
    assert handled.connection != dropped.connection
    # Debug logging tells why a press went out twice.
    path = STATUS.removeprefix(API)
    assert (
        f"PATCH {path}: the connection closed before an answer "
        "(ServerDisconnectedError); sending it again on a new connection"
    ) in [record.getMessage() for record in caplog.records]


async def test_target_change_after_zoom_closed_the_idle_connection(
    client: ZoomClient, zoom: ZoomServer
) -> None:
    """A new stream target meets a closed connection: sent again, once, whole."""
    await _keep_a_connection(client, zoom)
    zoom.patch(TARGET, status=204)
    zoom.close_idle_connections()

    await client.async_update_live_stream(
        MeetingKind.MEETING,
        MEETING_ID,
        LiveStreamConfig(
            stream_url=STREAM["stream_url"],
            stream_key=STREAM["stream_key"],
            page_url=STREAM["page_url"],
        ),
    )

    [dropped] = zoom.dropped
    [handled] = zoom.requests_to("PATCH", TARGET)
    assert dropped.json == handled.json == STREAM
    assert handled.connection != dropped.connection


async def test_read_after_zoom_closed_the_idle_connection(
    client: ZoomClient, zoom: ZoomServer
) -> None:
    """A GET is sent again by aiohttp itself; the client adds no second retry."""
    await _keep_a_connection(client, zoom)
    zoom.get(f"{API}/users/me", payload=USER)
    zoom.close_idle_connections()

    user = await client.async_get_current_user()

    assert user.id == USER["id"]
    assert len(zoom.dropped) == 1
    assert len(zoom.requests_to("GET", f"{API}/users/me")) == 2


@pytest.mark.parametrize(
    ("fault", "error"),
    [(Fault.CLOSE, "ServerDisconnectedError"), (Fault.RESET, "ClientOSError")],
    ids=["disconnected", "reset"],
)
async def test_press_is_sent_at_most_twice(
    client: ZoomClient, zoom: ZoomServer, fault: Fault, error: str
) -> None:
    """Connections that keep breaking before an answer: two attempts, then an error."""
    zoom.patch(STATUS, status=204, fault=fault, repeat=True)

    with pytest.raises(
        ZoomConnectionError,
        match=f"^Cannot reach Zoom for PATCH {STATUS.removeprefix(API)}: {error}$",
    ):
        await client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID)

    attempts = zoom.requests_to("PATCH", STATUS)
    assert [request.json for request in attempts] == [{"action": "start"}] * 2
    assert attempts[0].connection != attempts[1].connection


@pytest.mark.parametrize("fault", [Fault.CLOSE, Fault.RESET])
async def test_read_is_sent_at_most_twice(
    client: ZoomClient, zoom: ZoomServer, fault: Fault
) -> None:
    """A GET is retried by aiohttp alone: two attempts, not four."""
    zoom.get(f"{API}/users/me", payload=USER, fault=fault, repeat=True)

    with pytest.raises(ZoomConnectionError):
        await client.async_get_current_user()

    assert len(zoom.requests_to("GET", f"{API}/users/me")) == 2


async def test_timed_out_press_is_not_sent_again(
    session: aiohttp.ClientSession, zoom: ZoomServer
) -> None:
    """Zoom may still be applying a PATCH it has not answered: no second one."""
    zoom.patch(STATUS, status=204, fault=Fault.STALL)
    client = ZoomClient(
        session, StaticTokenAuth(TOKEN), api_base=zoom.api_base, request_timeout=0.3
    )

    with pytest.raises(ZoomConnectionError, match="^Timed out: PATCH "):
        await client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert len(zoom.requests_to("PATCH", STATUS)) == 1


async def test_press_cut_off_mid_answer_is_not_sent_again(
    client: ZoomClient, zoom: ZoomServer
) -> None:
    """Zoom began answering, so it has handled the PATCH: no second one."""
    zoom.patch(
        STATUS,
        status=400,
        payload={"code": 3000, "message": "Not allowed to start live streaming"},
        fault=Fault.CUT,
    )

    with pytest.raises(ZoomConnectionError, match="ClientPayloadError$"):
        await client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert len(zoom.requests_to("PATCH", STATUS)) == 1


async def test_refusal_is_not_sent_again(client: ZoomClient, zoom: ZoomServer) -> None:
    """An answer, even a refusal, is final: one PATCH."""
    zoom.patch(
        STATUS,
        status=400,
        payload={"code": 3000, "message": "Not allowed to start live streaming"},
    )

    with pytest.raises(ZoomApiError):
        await client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert len(zoom.requests_to("PATCH", STATUS)) == 1


class _UnknownHost(AbstractResolver):
    """A resolver for which no host exists; it counts the lookups (one a connection)."""

    def __init__(self) -> None:
        self.lookups: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.lookups.append(host)
        raise OSError(f"{host} is unknown")

    async def close(self) -> None:
        """Nothing to close."""


async def test_press_that_found_no_zoom_is_not_sent_again() -> None:
    """A connection that could not be made sent nothing: no second attempt, one error.

    Only a connection that closed with the request sent is tried once more; an
    address that cannot be reached (no such host, refused) is reported at once.
    """
    resolver = _UnknownHost()
    connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        client = ZoomClient(
            session, StaticTokenAuth(TOKEN), api_base="https://api.zoom.invalid/v2"
        )
        with pytest.raises(
            ZoomConnectionError,
            match=f"^Cannot reach Zoom for PATCH {STATUS.removeprefix(API)}: "
            "ClientConnector",
        ):
            await client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert resolver.lookups == ["api.zoom.invalid"]


def _client_as_against_zoom(session: aiohttp.ClientSession) -> ZoomClient:
    """Return a Server-to-Server client: token from `zoom.us`, API at `api.zoom.us`."""
    auth = ServerToServerAuth(
        session,
        account_id="acc-123",
        client_id="client-id",
        client_secret="client-secret",
        oauth_base="https://zoom.us/oauth",
    )
    return ZoomClient(
        session, auth, api_base="https://api.zoom.us/v2", use_token_api_url=False
    )


def _list_route(zoom: ZoomServer, kind: str) -> None:
    zoom.get(
        f"{API}/users/me/{kind}",
        payload={"page_size": 300, "total_records": 0, kind: []},
        repeat=True,
        any_query=True,
    )


async def test_connections_open_while_the_token_is_asked_for(zoom: ZoomServer) -> None:
    """Requests sent together after a token find their connections open.

    As against Zoom: the token from `zoom.us`, the API at `api.zoom.us`, over
    TLS. Zoom answers the token once the three connections are open (or after
    a second); the requests then open none.
    """
    session = await zoom.https_session("zoom.us", "api.zoom.us")
    accepted_at_token: list[int] = []

    async def token(_request: RecordedRequest) -> Answer:
        accepted_at_token.append(await zoom.wait_for_connections(4, timeout=1.0))
        return Answer(payload=token_payload())

    zoom.post("/oauth/token", callback=token, any_query=True)
    _list_route(zoom, "meetings")
    _list_route(zoom, "webinars")
    client = _client_as_against_zoom(session)

    await client.async_prepare(3)
    await asyncio.gather(
        client.async_list_meetings("me", MeetingListType.SCHEDULED),
        client.async_list_meetings("me", MeetingListType.LIVE),
        client.async_list_webinars("me"),
    )

    assert accepted_at_token == [4]
    token_request, *api = zoom.requests
    assert token_request.host == "zoom.us"
    assert {request.host for request in api} == {"api.zoom.us"}
    # Three connections, one request each: none opened after the token.
    assert sorted(request.connection for request in api) == sorted(
        set(range(1, 5)) - {token_request.connection}
    )
    assert zoom.connections_accepted == 4


async def test_a_token_at_hand_opens_nothing_ahead(
    client: ZoomClient, zoom: ZoomServer
) -> None:
    """With a valid token the requests go at once and open what they need."""
    await client.async_prepare(3)
    assert zoom.connections_accepted == 0
    assert zoom.requests == []


def _client_with_token_from(
    session: aiohttp.ClientSession,
    zoom: ZoomServer,
    api_base: str,
    request_timeout: float = 0.2,
) -> ZoomClient:
    auth = ServerToServerAuth(
        session,
        account_id="acc-123",
        client_id="client-id",
        client_secret="client-secret",
        oauth_base=zoom.oauth_base,
    )
    return ZoomClient(session, auth, api_base=api_base, request_timeout=request_timeout)


async def test_connections_that_cannot_open_leave_the_requests_their_errors(
    session: aiohttp.ClientSession, zoom: ZoomServer
) -> None:
    """Zoom's API unreachable: preparing fails quietly, the request reports it."""
    zoom.post("/oauth/token", payload=token_payload(), any_query=True)
    client = _client_with_token_from(
        session, zoom, f"{zoom.refused_origin}/v2", request_timeout=10.0
    )

    await client.async_prepare(3)
    with pytest.raises(ZoomConnectionError):
        await client.async_list_meetings("me", MeetingListType.SCHEDULED)
    assert len(zoom.requests) == 1


async def test_a_refused_token_is_raised_as_a_requests_would_be(
    zoom: ZoomServer,
) -> None:
    """The token's error comes out of preparing; nothing is sent on the API."""
    session = await zoom.https_session("zoom.us", "api.zoom.us")
    zoom.post(
        "/oauth/token",
        status=400,
        payload={
            "reason": "Invalid client_id or client_secret",
            "error": "invalid_client",
        },
        any_query=True,
    )
    client = _client_as_against_zoom(session)

    with pytest.raises(ZoomAuthenticationError):
        await client.async_prepare(3)
    assert [request.path for request in zoom.requests] == ["/oauth/token"]


async def test_nothing_is_opened_for_no_request_or_a_closed_session(
    zoom: ZoomServer,
) -> None:
    """No request to come, or a session already closed: nothing to open."""
    async with aiohttp.ClientSession() as session:
        assert await async_open_connections(session, zoom.api_base, 0, 1.0) == 0
    assert await async_open_connections(session, zoom.api_base, 3, 1.0) == 0
    assert zoom.connections_accepted == 0


@pytest.mark.parametrize("count", [1, 3])
async def test_as_many_connections_open_as_asked_and_requests_use_them(
    session: aiohttp.ClientSession, zoom: ZoomServer, count: int
) -> None:
    """Each one opened waits in the pool; the requests that follow open none."""
    zoom.get(f"{API}/users/me", payload=USER, repeat=True)
    client = ZoomClient(session, StaticTokenAuth(TOKEN), api_base=zoom.api_base)

    assert await async_open_connections(session, zoom.api_base, count, 5.0) == count
    assert zoom.connections_accepted == count
    assert zoom.requests == []
    await asyncio.gather(*(client.async_get_current_user() for _ in range(count)))
    assert zoom.connections_accepted == count
    assert sorted(request.connection for request in zoom.requests) == list(
        range(1, count + 1)
    )


@pytest.mark.parametrize("count", [1, 3])
async def test_connections_refused_are_counted_and_logged(
    session: aiohttp.ClientSession,
    zoom: ZoomServer,
    caplog: pytest.LogCaptureFixture,
    count: int,
) -> None:
    """Nothing listens: none opens, and the debug log says why."""
    caplog.set_level(logging.DEBUG, logger="custom_components.zoom_livestream.zoom")

    assert await async_open_connections(session, zoom.refused_origin, count, 5.0) == 0
    assert [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components")
    ] == [
        f"Could not open {count} of {count} connections to 127.0.0.1 ahead of "
        "time: ClientConnectorError"
    ]


@pytest.fixture
def silent_origin(socket_enabled: None) -> Iterator[str]:
    """Return an https origin on loopback that takes connections, never answering."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        yield f"https://127.0.0.1:{silent.getsockname()[1]}"
    finally:
        silent.close()


async def test_a_host_that_never_answers_is_given_up(
    caplog: pytest.LogCaptureFixture, silent_origin: str
) -> None:
    """A TLS handshake that never completes ends after the timeout given."""
    caplog.set_level(logging.DEBUG, logger="custom_components.zoom_livestream.zoom")
    async with aiohttp.ClientSession() as session, asyncio.timeout(10):
        opened = await async_open_connections(session, f"{silent_origin}/v2", 2, 0.2)

    assert opened == 0
    (message,) = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components")
    ]
    assert message.startswith(
        "Could not open 2 of 2 connections to 127.0.0.1 ahead of time: "
    )
    assert "Timeout" in message


def _opening() -> list[asyncio.Task[Any]]:
    return [
        task
        for task in asyncio.all_tasks()
        if not task.done() and "async_open_connections" in repr(task.get_coro())
    ]


async def test_one_request_gets_its_connection_ahead_and_none_no_token(
    session: aiohttp.ClientSession, zoom: ZoomServer
) -> None:
    """A single request's connection opens with the token; no request, no token."""
    zoom.post("/oauth/token", payload=token_payload(), any_query=True)
    client = _client_with_token_from(session, zoom, zoom.api_base)

    await client.async_prepare(0)
    assert zoom.requests == []
    await client.async_prepare(1)
    assert [request.path for request in zoom.requests] == ["/oauth/token"]
    # The token's connection, and one for the request.
    assert zoom.connections_accepted == 2


async def test_an_api_host_that_never_answers_holds_nothing_up(
    session: aiohttp.ClientSession, zoom: ZoomServer, silent_origin: str
) -> None:
    """The connections are given up after the client's timeout; the token is kept."""
    zoom.post("/oauth/token", payload=token_payload(), any_query=True)
    client = _client_with_token_from(session, zoom, f"{silent_origin}/v2")

    async with asyncio.timeout(10):
        await client.async_prepare(2)
    assert _opening() == []
    assert [request.path for request in zoom.requests] == ["/oauth/token"]


async def test_a_refused_token_stops_the_connections_still_opening(
    session: aiohttp.ClientSession, zoom: ZoomServer, silent_origin: str
) -> None:
    """The token's own error comes out at once; nothing keeps opening behind it."""
    zoom.post(
        "/oauth/token",
        status=400,
        payload={"reason": "Invalid client_id or client_secret"},
        any_query=True,
    )
    # Connections given up only after 30 s: the error must not wait for them.
    client = _client_with_token_from(
        session, zoom, f"{silent_origin}/v2", request_timeout=30.0
    )

    async with asyncio.timeout(10):
        with pytest.raises(ZoomAuthenticationError):
            await client.async_prepare(2)
    assert _opening() == []
