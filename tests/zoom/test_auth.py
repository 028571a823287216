"""Tests of the Server-to-Server OAuth token source and the static token."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from custom_components.zoom_livestream.zoom import (
    ServerToServerAuth,
    StaticTokenAuth,
    ZoomAuthenticationError,
    ZoomConnectionError,
    ZoomError,
    ZoomRateLimitError,
)

from .common import (
    ACCOUNT_ID,
    BASIC_AUTH,
    CLIENT_ID,
    CLIENT_SECRET,
    TOKEN_URL,
    token_payload,
)
from .zoom_server import Answer, Fault, RecordedRequest, ZoomServer


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        """Start at `now`."""
        self.now = now

    def __call__(self) -> float:
        """Return the current time."""
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    """Return the clock the token source reads."""
    return FakeClock()


@pytest.fixture
def auth(
    session: aiohttp.ClientSession, zoom: ZoomServer, clock: FakeClock
) -> ServerToServerAuth:
    """Return a token source that asks the Zoom double."""
    return ServerToServerAuth(
        session,
        account_id=ACCOUNT_ID,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        oauth_base=zoom.oauth_base,
        clock=clock,
    )


async def test_token_request(auth: ServerToServerAuth, zoom: ZoomServer) -> None:
    """The token is POSTed for with the account ID and HTTP Basic credentials."""
    zoom.post(TOKEN_URL, payload=token_payload("token-1"))

    assert await auth.async_get_access_token() == "token-1"

    [call] = zoom.requests_to("POST", TOKEN_URL)
    assert len(zoom.requests) == 1
    assert call.query == {
        "grant_type": "account_credentials",
        "account_id": ACCOUNT_ID,
    }
    assert call.client_headers == {
        "Authorization": BASIC_AUTH,
        "Accept": "application/json",
    }
    assert call.body == b""
    assert call.json is None
    assert auth.api_url is None


async def test_token_request_government_cloud(zoom: ZoomServer) -> None:
    """The OAuth base of the cloud is used, a trailing slash tolerated."""
    # The double answers as https://zoomgov.com, over TLS, to this session only.
    session = await zoom.https_session("zoomgov.com")
    url = "/oauth/token?account_id=gov-1&grant_type=account_credentials"
    zoom.post(url, payload=token_payload("gov-token"))
    auth = ServerToServerAuth(
        session,
        account_id="gov-1",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        oauth_base="https://zoomgov.com/oauth/",
    )

    assert await auth.async_get_access_token() == "gov-token"
    [call] = zoom.requests_to("POST", url)
    assert call.url == "https://zoomgov.com/oauth/token"


async def test_token_is_cached(
    auth: ServerToServerAuth, zoom: ZoomServer, clock: FakeClock
) -> None:
    """A valid token is reused without asking Zoom again."""
    zoom.post(TOKEN_URL, payload=token_payload("token-1"))

    assert await auth.async_get_access_token() == "token-1"
    clock.now += 3000
    assert await auth.async_get_access_token() == "token-1"

    assert len(zoom.requests) == 1


async def test_token_renewed_within_a_minute_of_expiry(
    auth: ServerToServerAuth, zoom: ZoomServer, clock: FakeClock
) -> None:
    """The token is renewed 60 s before it expires, counted from the request."""

    def slow_answer(request: RecordedRequest) -> Answer:
        # Zoom takes 10 s to answer: the expiry counts from the request.
        clock.now += 10
        return Answer(payload=token_payload("token-1", expires_in=3599))

    zoom.post(TOKEN_URL, callback=slow_answer)
    zoom.post(TOKEN_URL, payload=token_payload("token-2"))

    assert await auth.async_get_access_token() == "token-1"
    # Requested at 1000, expires at 4599: renewed from 4539 on.
    clock.now = 4538.9
    assert await auth.async_get_access_token() == "token-1"
    assert len(zoom.requests) == 1

    clock.now = 4539.0
    assert await auth.async_get_access_token() == "token-2"
    assert len(zoom.requests) == 2


async def test_concurrent_callers_share_one_request(
    auth: ServerToServerAuth, zoom: ZoomServer
) -> None:
    """Ten callers waiting for a token cause a single token request."""

    async def slow_answer(request: RecordedRequest) -> Answer:
        await asyncio.sleep(0.01)
        return Answer(payload=token_payload("token-1"))

    zoom.post(TOKEN_URL, callback=slow_answer, repeat=True)

    tokens = await asyncio.gather(*(auth.async_get_access_token() for _ in range(10)))

    assert tokens == ["token-1"] * 10
    assert len(zoom.requests) == 1


async def test_invalidate_drops_only_the_refused_token(
    auth: ServerToServerAuth, zoom: ZoomServer
) -> None:
    """Invalidating another (older) token keeps the cached one; the cached one renews."""
    zoom.post(TOKEN_URL, payload=token_payload("token-1"))
    zoom.post(TOKEN_URL, payload=token_payload("token-2"))
    auth.invalidate("token-0")  # Nothing cached yet: nothing happens.

    assert await auth.async_get_access_token() == "token-1"
    auth.invalidate("token-0")
    assert await auth.async_get_access_token() == "token-1"
    assert len(zoom.requests) == 1

    auth.invalidate("token-1")
    assert await auth.async_get_access_token() == "token-2"
    assert len(zoom.requests) == 2


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (
            400,
            {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
            "Invalid client_id or client_secret",
        ),
        (401, {"error": "invalid_client"}, "invalid_client"),
        (
            401,
            {"reason": "", "error": 7, "message": "Bad credentials"},
            "Bad credentials",
        ),
        (400, {"code": 4700}, "no reason given"),
        (403, "", "no reason given"),
        (401, "<html>Unauthorized</html>", "no reason given"),
        (404, '["invalid_client"]', "no reason given"),
    ],
)
async def test_credentials_refused(
    auth: ServerToServerAuth,
    zoom: ZoomServer,
    status: int,
    body: dict[str, Any] | str,
    reason: str,
) -> None:
    """A refusal raises ZoomAuthenticationError with Zoom's reason, never the secret."""
    if isinstance(body, dict):
        zoom.post(TOKEN_URL, status=status, payload=body)
    else:
        zoom.post(TOKEN_URL, status=status, body=body)

    with pytest.raises(ZoomAuthenticationError) as exc_info:
        await auth.async_get_access_token()

    message = str(exc_info.value)
    assert message == f"Zoom refused the credentials (HTTP {status}: {reason})"
    assert CLIENT_SECRET not in message
    assert BASIC_AUTH.removeprefix("Basic ") not in message
    assert auth.api_url is None


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [({"Retry-After": "30"}, 30.0), ({"Retry-After": "later"}, None), ({}, None)],
)
async def test_token_request_rate_limited(
    auth: ServerToServerAuth,
    zoom: ZoomServer,
    headers: dict[str, str],
    retry_after: float | None,
) -> None:
    """HTTP 429 raises ZoomRateLimitError with the wait Zoom asked for."""
    zoom.post(
        TOKEN_URL,
        status=429,
        payload={"code": 429, "message": "Too many requests"},
        headers=headers,
    )

    with pytest.raises(ZoomRateLimitError) as exc_info:
        await auth.async_get_access_token()

    assert exc_info.value.retry_after == retry_after


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_token_endpoint_server_error(
    auth: ServerToServerAuth, zoom: ZoomServer, status: int
) -> None:
    """A server error raises ZoomConnectionError carrying the status."""
    zoom.post(
        TOKEN_URL,
        status=status,
        body="<html><body><h1>Service unavailable</h1></body></html>",
        content_type="text/html",
    )

    with pytest.raises(ZoomConnectionError) as exc_info:
        await auth.async_get_access_token()

    assert exc_info.value.status == status
    assert str(status) in str(exc_info.value)


@pytest.mark.parametrize(
    ("fault", "match"),
    [
        (Fault.STALL, "^Timed out requesting a Zoom access token$"),
        # A reset surfaces as the OSError it is (ECONNRESET), not as its base class.
        (Fault.RESET, "^Cannot reach Zoom's token endpoint: ClientOSError$"),
        (Fault.CLOSE, "^Cannot reach Zoom's token endpoint: ServerDisconnectedError$"),
        (Fault.CUT, "^Cannot reach Zoom's token endpoint: ClientPayloadError$"),
    ],
    ids=["timeout", "connection-reset", "disconnected", "cut-off"],
)
async def test_token_endpoint_unreachable(
    session: aiohttp.ClientSession,
    zoom: ZoomServer,
    fault: Fault,
    match: str,
) -> None:
    """Timeouts and connection failures raise ZoomConnectionError without a status."""
    zoom.post(TOKEN_URL, payload=token_payload("token-1"), fault=fault)
    # A stalled answer lasts until the client gives up, so that takes a short
    # timeout; the other faults keep the usual one, so a slow machine cannot
    # turn them into timeouts.
    auth = ServerToServerAuth(
        session,
        account_id=ACCOUNT_ID,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        oauth_base=zoom.oauth_base,
        request_timeout=0.3 if fault is Fault.STALL else 10.0,
    )

    with pytest.raises(ZoomConnectionError, match=match) as exc_info:
        await auth.async_get_access_token()

    assert exc_info.value.status is None
    assert CLIENT_SECRET not in str(exc_info.value)
    assert len(zoom.requests_to("POST", TOKEN_URL)) == 1


async def test_token_endpoint_refusing_connections(
    session: aiohttp.ClientSession, zoom: ZoomServer
) -> None:
    """A host where nothing listens raises ZoomConnectionError without a status."""
    auth = ServerToServerAuth(
        session,
        account_id=ACCOUNT_ID,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        oauth_base=f"{zoom.refused_origin}/oauth",
    )

    with pytest.raises(
        ZoomConnectionError,
        match="^Cannot reach Zoom's token endpoint: ClientConnectorError$",
    ) as exc_info:
        await auth.async_get_access_token()

    assert exc_info.value.status is None
    assert CLIENT_SECRET not in str(exc_info.value)


@pytest.mark.parametrize(
    "body",
    [
        "",
        "<html>OK</html>",
        '["token-1"]',
        "{}",
        '{"access_token": null, "expires_in": 3599}',
        '{"access_token": 12345}',
    ],
)
async def test_token_response_without_token(
    auth: ServerToServerAuth, zoom: ZoomServer, body: str
) -> None:
    """HTTP 200 without an access token is a broken answer, not bad credentials."""
    zoom.post(TOKEN_URL, status=200, body=body)

    with pytest.raises(ZoomConnectionError, match="no access token") as exc_info:
        await auth.async_get_access_token()

    assert not isinstance(exc_info.value, ZoomAuthenticationError)


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [
        (None, 3599.0),
        ("3600", 3599.0),
        (True, 3599.0),
        ([3600], 3599.0),
        (7200, 7200.0),
        (1800.5, 1800.5),
        # Never-expiring or already-expired tokens would mean a request per call.
        (0, 3599.0),
        (-5, 3599.0),
        (float("nan"), 3599.0),
        (float("inf"), 3599.0),
    ],
)
async def test_token_lifetime(
    auth: ServerToServerAuth,
    zoom: ZoomServer,
    clock: FakeClock,
    expires_in: Any,
    lifetime: float,
) -> None:
    """A missing or mistyped `expires_in` counts as Zoom's usual 3599 s."""
    payload = token_payload("token-1")
    if expires_in is None:
        del payload["expires_in"]
    else:
        payload["expires_in"] = expires_in
    zoom.post(TOKEN_URL, payload=payload)
    zoom.post(TOKEN_URL, payload=token_payload("token-2"))

    assert await auth.async_get_access_token() == "token-1"
    clock.now = 1000.0 + lifetime - 60.001
    assert await auth.async_get_access_token() == "token-1"
    clock.now = 1000.0 + lifetime - 60.0
    assert await auth.async_get_access_token() == "token-2"


@pytest.mark.parametrize(
    ("api_url", "expected"),
    [
        ("https://api-eu.zoom.us", "https://api-eu.zoom.us"),
        ("", None),
        (None, None),
        (42, None),
    ],
)
async def test_api_url_kept(
    auth: ServerToServerAuth,
    zoom: ZoomServer,
    api_url: Any,
    expected: str | None,
) -> None:
    """The token response's `api_url` is exposed while the token is cached."""
    zoom.post(TOKEN_URL, payload=token_payload("token-1", api_url=api_url))
    assert auth.api_url is None

    await auth.async_get_access_token()

    assert auth.api_url == expected
    auth.invalidate("token-1")
    assert auth.api_url is None


async def test_static_token(zoom: ZoomServer) -> None:
    """A static token is returned as it is, survives invalidate, and names no host."""
    auth = StaticTokenAuth("oauth-token")

    assert await auth.async_get_access_token() == "oauth-token"
    auth.invalidate("oauth-token")
    assert await auth.async_get_access_token() == "oauth-token"
    assert auth.api_url is None
    assert zoom.requests == []


def test_errors_share_one_base() -> None:
    """Callers can catch every client error as ZoomError."""
    for error in (ZoomAuthenticationError, ZoomConnectionError, ZoomRateLimitError):
        assert issubclass(error, ZoomError)
