"""Tests of the Zoom REST client, with Zoom mocked at the HTTP boundary."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import formatdate
import re
import time
from typing import Any

import aiohttp
from aioresponses import CallbackResult, aioresponses
import pytest
from yarl import URL

from custom_components.zoom_livestream.zoom import (
    LiveStreamConfig,
    LiveStreamStartSettings,
    Meeting,
    MeetingKind,
    MeetingListType,
    RateLimitInfo,
    Resolution,
    ServerToServerAuth,
    StaticTokenAuth,
    ZoomApiError,
    ZoomAuthenticationError,
    ZoomClient,
    ZoomConnectionError,
    ZoomMeetingNotStartedError,
    ZoomNotFoundError,
    ZoomPermissionError,
    ZoomRateLimitError,
    ZoomUser,
)
from custom_components.zoom_livestream.zoom.client import MAX_PAGES

from .common import (
    ACCOUNT_ID,
    API,
    CLIENT_ID,
    CLIENT_SECRET,
    OAUTH,
    TOKEN_URL,
    bearer,
    request_count,
    requests_to,
    token_payload,
)

TOKEN = "static-token"
MEETING_ID = 9876543210123
WEBINAR_ID = 91234567890
USER = {
    "id": "user-xyz",
    "email": "host@example.com",
    "account_id": ACCOUNT_ID,
    "first_name": "Ada",
    "last_name": "Lovelace",
    "type": 2,
    "timezone": "Europe/London",
}
STREAM = {
    "stream_url": "rtmp://live.example.com/app",
    "stream_key": "key-1",
    "page_url": "https://example.com/live",
    "resolution": "720p",
}
MEETINGS_URL = f"{API}/users/me/meetings?page_size=300&type=scheduled"


@pytest.fixture
def client(session: aiohttp.ClientSession) -> ZoomClient:
    """Return a client with a fixed token, so only API requests are sent."""
    return ZoomClient(session, StaticTokenAuth(TOKEN), api_base=API)


@pytest.fixture
def s2s_auth(session: aiohttp.ClientSession) -> ServerToServerAuth:
    """Return a Server-to-Server token source for the global cloud."""
    return ServerToServerAuth(
        session,
        account_id=ACCOUNT_ID,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        oauth_base=OAUTH,
    )


@pytest.fixture
def s2s_client(
    session: aiohttp.ClientSession, s2s_auth: ServerToServerAuth
) -> ZoomClient:
    """Return a client that requests its tokens from Zoom."""
    return ZoomClient(session, s2s_auth, api_base=API)


def meeting_items(start: int, count: int) -> list[dict[str, Any]]:
    """Return `count` meeting list items with consecutive 11-digit IDs."""
    return [
        {"id": 80000000000 + number, "topic": f"Meeting {number}", "type": 2}
        for number in range(start, start + count)
    ]


def sent_once(
    mock: aioresponses, method: str, url: str, token: str = TOKEN
) -> dict[str, Any]:
    """Assert one request went to `method url` with the bearer token; return its kwargs."""
    calls = requests_to(mock, method, url)
    assert len(calls) == 1, f"{method} {url}: {len(calls)} requests"
    kwargs: dict[str, Any] = calls[0].kwargs
    assert kwargs["headers"] == bearer(token)
    return kwargs


async def test_get_current_user(client: ZoomClient, mock_zoom: aioresponses) -> None:
    """`GET /users/me` is parsed into a ZoomUser."""
    mock_zoom.get(f"{API}/users/me", payload=USER)

    user = await client.async_get_current_user()

    assert user == ZoomUser(
        id="user-xyz",
        email="host@example.com",
        account_id=ACCOUNT_ID,
        first_name="Ada",
        last_name="Lovelace",
        timezone="Europe/London",
    )
    kwargs = sent_once(mock_zoom, "GET", f"{API}/users/me")
    assert kwargs["json"] is None
    assert kwargs["params"] is None
    assert request_count(mock_zoom) == 1


async def test_get_user_by_email(client: ZoomClient, mock_zoom: aioresponses) -> None:
    """A user is looked up by email, the '@' kept and other characters quoted."""
    mock_zoom.get(f"{API}/users/host@example.com", payload=USER)
    mock_zoom.get(f"{API}/users/a%20b%2Fc", payload=USER)

    assert (await client.async_get_user("host@example.com")).id == "user-xyz"
    assert (await client.async_get_user("a b/c")).id == "user-xyz"

    sent_once(mock_zoom, "GET", f"{API}/users/host@example.com")
    sent_once(mock_zoom, "GET", f"{API}/users/a%20b%2Fc")


@pytest.mark.parametrize(
    ("kind", "path"),
    [(MeetingKind.MEETING, "meetings"), (MeetingKind.WEBINAR, "webinars")],
)
async def test_get_meeting(
    client: ZoomClient, mock_zoom: aioresponses, kind: MeetingKind, path: str
) -> None:
    """Details of a meeting or webinar come from its own collection; 64-bit IDs survive."""
    url = f"{API}/{path}/{MEETING_ID}"
    mock_zoom.get(
        url,
        body=f'{{"id": {MEETING_ID}, "topic": "Town hall", "status": "started",'
        ' "start_time": "2024-05-01T10:00:00Z"}',
    )

    meeting = await client.async_get_meeting(kind, MEETING_ID)

    assert meeting == Meeting(
        id=MEETING_ID,
        kind=kind,
        topic="Town hall",
        start_time=datetime(2024, 5, 1, 10, tzinfo=UTC),
        status="started",
    )
    sent_once(mock_zoom, "GET", url)


async def test_list_meetings_follows_pages(
    client: ZoomClient, mock_zoom: aioresponses
) -> None:
    """650 meetings take exactly three requests of 300 per page."""
    mock_zoom.get(
        MEETINGS_URL,
        payload={"meetings": meeting_items(0, 300), "next_page_token": "page-2"},
    )
    mock_zoom.get(
        f"{MEETINGS_URL}&next_page_token=page-2",
        payload={"meetings": meeting_items(300, 300), "next_page_token": "page-3"},
    )
    mock_zoom.get(
        f"{MEETINGS_URL}&next_page_token=page-3",
        payload={"meetings": meeting_items(600, 50), "next_page_token": ""},
    )

    meetings = await client.async_list_meetings()

    assert [meeting.id for meeting in meetings] == [
        80000000000 + number for number in range(650)
    ]
    assert {meeting.kind for meeting in meetings} == {MeetingKind.MEETING}
    assert meetings[0].topic == "Meeting 0"
    assert request_count(mock_zoom) == 3
    first = sent_once(mock_zoom, "GET", MEETINGS_URL)
    assert first["params"] == {"type": "scheduled", "page_size": "300"}
    third = sent_once(mock_zoom, "GET", f"{MEETINGS_URL}&next_page_token=page-3")
    assert third["params"] == {
        "type": "scheduled",
        "page_size": "300",
        "next_page_token": "page-3",
    }


async def test_list_live_meetings_of_a_user(
    client: ZoomClient, mock_zoom: aioresponses
) -> None:
    """The list type and the user are put in the request; a missing token ends."""
    url = f"{API}/users/host@example.com/meetings?page_size=300&type=live"
    mock_zoom.get(
        url,
        body=f'{{"meetings": [{{"id": {MEETING_ID}, "topic": "Live"}}]}}',
    )

    meetings = await client.async_list_meetings(
        "host@example.com", MeetingListType.LIVE
    )

    assert meetings == [Meeting(id=MEETING_ID, kind=MeetingKind.MEETING, topic="Live")]
    sent_once(mock_zoom, "GET", url)
    assert request_count(mock_zoom) == 1


@pytest.mark.parametrize("next_page_token", [None, 42, ""])
async def test_list_ends_without_a_usable_page_token(
    client: ZoomClient, mock_zoom: aioresponses, next_page_token: Any
) -> None:
    """A missing, empty or non-string page token means the last page."""
    mock_zoom.get(
        MEETINGS_URL,
        payload={"meetings": meeting_items(0, 2), "next_page_token": next_page_token},
    )

    assert len(await client.async_list_meetings()) == 2
    assert request_count(mock_zoom) == 1


async def test_list_stops_on_a_repeated_page_token(
    client: ZoomClient, mock_zoom: aioresponses
) -> None:
    """A server repeating its page token is not followed round in circles."""
    mock_zoom.get(
        MEETINGS_URL, payload={"meetings": meeting_items(0, 1), "next_page_token": "A"}
    )
    mock_zoom.get(
        f"{MEETINGS_URL}&next_page_token=A",
        payload={"meetings": meeting_items(1, 1), "next_page_token": "A"},
        repeat=True,
    )

    meetings = await client.async_list_meetings()

    assert len(meetings) == 2
    assert request_count(mock_zoom) == 2


async def test_list_stops_after_max_pages(
    client: ZoomClient, mock_zoom: aioresponses
) -> None:
    """A pager that never ends is cut off after MAX_PAGES requests."""
    served = 0

    def endless(url: URL, **kwargs: Any) -> CallbackResult:
        nonlocal served
        served += 1
        return CallbackResult(
            payload={
                "meetings": meeting_items(served, 1),
                "next_page_token": f"p{served}",
            }
        )

    mock_zoom.get(
        re.compile(rf"^{re.escape(API)}/users/me/meetings\?"),
        callback=endless,
        repeat=True,
    )

    meetings = await client.async_list_meetings()

    assert MAX_PAGES == 200
    assert len(meetings) == MAX_PAGES
    assert request_count(mock_zoom) == MAX_PAGES


async def test_list_webinars(client: ZoomClient, mock_zoom: aioresponses) -> None:
    """Webinars are listed without a type filter and parsed as webinars."""
    url = f"{API}/users/me/webinars?page_size=300"
    mock_zoom.get(
        url,
        payload={
            "webinars": [{"id": WEBINAR_ID, "topic": "Launch"}],
            "next_page_token": "w2",
        },
    )
    mock_zoom.get(
        f"{url}&next_page_token=w2",
        payload={"webinars": [{"id": str(MEETING_ID)}], "next_page_token": ""},
    )

    webinars = await client.async_list_webinars()

    assert webinars == [
        Meeting(id=WEBINAR_ID, kind=MeetingKind.WEBINAR, topic="Launch"),
        Meeting(id=MEETING_ID, kind=MeetingKind.WEBINAR, topic=str(MEETING_ID)),
    ]
    assert sent_once(mock_zoom, "GET", url)["params"] == {"page_size": "300"}
    assert request_count(mock_zoom) == 2


async def test_list_without_items(client: ZoomClient, mock_zoom: aioresponses) -> None:
    """A page without its list field (or with null) holds no meetings."""
    mock_zoom.get(
        MEETINGS_URL,
        payload={"meetings": None, "total_records": 0, "next_page_token": ""},
    )

    assert await client.async_list_meetings() == []


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("[]", "not a JSON object"),
        ('"meetings"', "not a JSON object"),
        ('{"meetings": {"id": 1}}', "meetings is not a list"),
        ('{"meetings": "none"}', "meetings is not a list"),
        ('{"meetings": [{"topic": "no id"}]}', "Unexpected meeting"),
        ('{"meetings": [42]}', "Unexpected meeting"),
    ],
)
async def test_list_broken_answer(
    client: ZoomClient, mock_zoom: aioresponses, body: str, match: str
) -> None:
    """A list answer of the wrong shape raises ZoomConnectionError."""
    mock_zoom.get(MEETINGS_URL, body=body)

    with pytest.raises(ZoomConnectionError, match=match):
        await client.async_list_meetings()


@pytest.mark.parametrize(
    ("settings", "body"),
    [
        (None, {"action": "start"}),
        (LiveStreamStartSettings(), {"action": "start"}),
        (
            LiveStreamStartSettings(display_name="Town hall"),
            {"action": "start", "settings": {"display_name": "Town hall"}},
        ),
        (
            LiveStreamStartSettings(active_speaker_name=False),
            {"action": "start", "settings": {"active_speaker_name": False}},
        ),
        (
            LiveStreamStartSettings(display_name="Town hall", active_speaker_name=True),
            {
                "action": "start",
                "settings": {"active_speaker_name": True, "display_name": "Town hall"},
            },
        ),
    ],
)
@pytest.mark.parametrize(
    ("kind", "path"),
    [(MeetingKind.MEETING, "meetings"), (MeetingKind.WEBINAR, "webinars")],
)
async def test_start_live_stream(
    client: ZoomClient,
    mock_zoom: aioresponses,
    kind: MeetingKind,
    path: str,
    settings: LiveStreamStartSettings | None,
    body: dict[str, Any],
) -> None:
    """Start PATCHes the status with lowercase 'start' and only the settings set."""
    url = f"{API}/{path}/{MEETING_ID}/livestream/status"
    mock_zoom.patch(url, status=204)

    await client.async_start_live_stream(kind, MEETING_ID, settings)

    assert sent_once(mock_zoom, "PATCH", url)["json"] == body
    assert request_count(mock_zoom) == 1


@pytest.mark.parametrize(
    ("kind", "path"),
    [(MeetingKind.MEETING, "meetings"), (MeetingKind.WEBINAR, "webinars")],
)
async def test_stop_live_stream(
    client: ZoomClient, mock_zoom: aioresponses, kind: MeetingKind, path: str
) -> None:
    """Stop PATCHes the status with exactly {'action': 'stop'}."""
    url = f"{API}/{path}/{MEETING_ID}/livestream/status"
    mock_zoom.patch(url, status=204)

    await client.async_stop_live_stream(kind, MEETING_ID)

    assert sent_once(mock_zoom, "PATCH", url)["json"] == {"action": "stop"}


@pytest.mark.parametrize(
    ("kind", "path"),
    [(MeetingKind.MEETING, "meetings"), (MeetingKind.WEBINAR, "webinars")],
)
async def test_get_live_stream(
    client: ZoomClient, mock_zoom: aioresponses, kind: MeetingKind, path: str
) -> None:
    """The stream target is read from the livestream endpoint."""
    url = f"{API}/{path}/{WEBINAR_ID}/livestream"
    mock_zoom.get(url, payload=STREAM)

    config = await client.async_get_live_stream(kind, WEBINAR_ID)

    assert config == LiveStreamConfig(
        stream_url="rtmp://live.example.com/app",
        stream_key="key-1",
        page_url="https://example.com/live",
        resolution=Resolution.HD_720,
    )
    sent_once(mock_zoom, "GET", url)


@pytest.mark.parametrize(
    ("resolution", "body"),
    [
        (
            None,
            {
                "stream_url": "rtmp://live.example.com/app",
                "stream_key": "key-1",
                "page_url": "https://example.com/live",
            },
        ),
        (Resolution.HD_720, STREAM),
    ],
)
@pytest.mark.parametrize(
    ("kind", "path"),
    [(MeetingKind.MEETING, "meetings"), (MeetingKind.WEBINAR, "webinars")],
)
async def test_update_live_stream(
    client: ZoomClient,
    mock_zoom: aioresponses,
    kind: MeetingKind,
    path: str,
    resolution: Resolution | None,
    body: dict[str, str],
) -> None:
    """The PATCH carries URL, key and page URL, and the resolution only when set."""
    url = f"{API}/{path}/{MEETING_ID}/livestream"
    mock_zoom.patch(url, status=204)
    config = LiveStreamConfig(
        stream_url="rtmp://live.example.com/app",
        stream_key="key-1",
        page_url="https://example.com/live",
        resolution=resolution,
    )

    await client.async_update_live_stream(kind, MEETING_ID, config)

    assert sent_once(mock_zoom, "PATCH", url)["json"] == body


async def test_patch_success_with_a_body(
    client: ZoomClient, mock_zoom: aioresponses
) -> None:
    """A 200 with an empty body is success too for a PATCH."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    mock_zoom.patch(url, status=200, body="")

    await client.async_stop_live_stream(MeetingKind.MEETING, MEETING_ID)

    sent_once(mock_zoom, "PATCH", url)


async def test_retry_once_with_a_fresh_token_after_401(
    s2s_client: ZoomClient, mock_zoom: aioresponses
) -> None:
    """A refused token is renewed and the request sent again, once."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    mock_zoom.post(TOKEN_URL, payload=token_payload("token-1"))
    mock_zoom.post(TOKEN_URL, payload=token_payload("token-2"))
    mock_zoom.patch(
        url, status=401, payload={"code": 124, "message": "Invalid access token."}
    )
    mock_zoom.patch(url, status=204)
    settings = LiveStreamStartSettings(display_name="Town hall")

    await s2s_client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID, settings)

    assert len(requests_to(mock_zoom, "POST", TOKEN_URL)) == 2
    first, second = requests_to(mock_zoom, "PATCH", url)
    assert first.kwargs["headers"] == bearer("token-1")
    assert second.kwargs["headers"] == bearer("token-2")
    expected = {"action": "start", "settings": {"display_name": "Town hall"}}
    assert first.kwargs["json"] == second.kwargs["json"] == expected
    assert request_count(mock_zoom) == 4


async def test_401_twice_raises_authentication_error(
    s2s_client: ZoomClient, mock_zoom: aioresponses
) -> None:
    """A fresh token refused as well means the credentials no longer work."""
    mock_zoom.post(TOKEN_URL, payload=token_payload("token-1"))
    mock_zoom.post(TOKEN_URL, payload=token_payload("token-2"))
    mock_zoom.get(
        f"{API}/users/me",
        status=401,
        payload={"code": 124, "message": "Invalid access token."},
        repeat=True,
    )

    with pytest.raises(ZoomAuthenticationError) as exc_info:
        await s2s_client.async_get_current_user()

    assert str(exc_info.value) == (
        "Zoom refused a fresh access token (code 124: Invalid access token.)"
    )
    assert len(requests_to(mock_zoom, "GET", f"{API}/users/me")) == 2
    assert len(requests_to(mock_zoom, "POST", TOKEN_URL)) == 2


async def test_static_token_refused_twice(
    client: ZoomClient, mock_zoom: aioresponses
) -> None:
    """A static token is retried once as it is, then reported refused."""
    mock_zoom.get(f"{API}/users/me", status=401, body="", repeat=True)

    with pytest.raises(ZoomAuthenticationError, match=r"code None: \)"):
        await client.async_get_current_user()

    calls = requests_to(mock_zoom, "GET", f"{API}/users/me")
    assert [call.kwargs["headers"] for call in calls] == [bearer(TOKEN)] * 2


SCOPES_MESSAGE = (
    "Invalid access token, does not contain scopes:"
    "[meeting:write:admin, webinar:write:admin]."
)


@pytest.mark.parametrize(
    ("status", "body", "error", "code", "message"),
    [
        (
            404,
            {"code": 3001, "message": "Meeting does not exist: 123."},
            ZoomNotFoundError,
            3001,
            "Meeting does not exist: 123.",
        ),
        (
            404,
            {"code": 1001, "message": "User does not exist."},
            ZoomNotFoundError,
            1001,
            "User does not exist.",
        ),
        (
            400,
            {"code": 3001, "message": "Meeting 123 is not found or has expired."},
            ZoomNotFoundError,
            3001,
            "Meeting 123 is not found or has expired.",
        ),
        (404, None, ZoomNotFoundError, None, "Not Found"),
        (
            400,
            {"code": 3000, "message": "Meeting 123 has not started."},
            ZoomMeetingNotStartedError,
            3000,
            "Meeting 123 has not started.",
        ),
        (
            400,
            {"code": 200, "message": "Webinar 123 has not started"},
            ZoomMeetingNotStartedError,
            200,
            "Webinar 123 has not started",
        ),
        (
            400,
            {
                "code": 3161,
                "message": "Your user account is not allowed meeting hosting and scheduling capabilities.",
            },
            ZoomPermissionError,
            3161,
            "Your user account is not allowed meeting hosting and scheduling capabilities.",
        ),
        (
            400,
            {"code": 1010, "message": "User does not belong to this account: x."},
            ZoomPermissionError,
            1010,
            "User does not belong to this account: x.",
        ),
        (
            400,
            {
                "code": 200,
                "message": "Custom live streaming is disabled for this plan.",
            },
            ZoomPermissionError,
            200,
            "Custom live streaming is disabled for this plan.",
        ),
        (
            400,
            {"code": 3000, "message": "Not allowed to start live streaming."},
            ZoomPermissionError,
            3000,
            "Not allowed to start live streaming.",
        ),
        (
            403,
            {"code": 0, "message": "Forbidden by policy"},
            ZoomPermissionError,
            0,
            "Forbidden by policy",
        ),
        (403, None, ZoomPermissionError, None, "Forbidden"),
        (
            300,
            {"code": 300, "message": "Invalid meeting id."},
            ZoomApiError,
            300,
            "Invalid meeting id.",
        ),
        (
            400,
            {"code": 300, "message": "Validation Failed."},
            ZoomApiError,
            300,
            "Validation Failed.",
        ),
        (
            400,
            {"code": 3000, "message": "Cannot access webinar info."},
            ZoomApiError,
            3000,
            "Cannot access webinar info.",
        ),
        (400, None, ZoomApiError, None, "Bad Request"),
        (400, {"code": True, "message": 5}, ZoomApiError, None, "Bad Request"),
        (
            409,
            {"message": "Conflict happened"},
            ZoomApiError,
            None,
            "Conflict happened",
        ),
        (499, None, ZoomApiError, None, "HTTP 499"),
    ],
)
async def test_api_errors(
    client: ZoomClient,
    mock_zoom: aioresponses,
    status: int,
    body: dict[str, Any] | None,
    error: type[ZoomApiError],
    code: int | None,
    message: str,
) -> None:
    """Zoom's refusals map to typed errors keeping status, code and message."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    if body is None:
        mock_zoom.patch(url, status=status, body="")
    else:
        mock_zoom.patch(url, status=status, payload=body)

    with pytest.raises(ZoomApiError) as exc_info:
        await client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID)

    err = exc_info.value
    assert type(err) is error
    assert (err.status, err.code, err.message) == (status, code, message)
    assert str(err) == f"HTTP {status}, code {code}: {message}"
    assert request_count(mock_zoom) == 1


@pytest.mark.parametrize(
    ("status", "message", "missing_scopes"),
    [
        (400, SCOPES_MESSAGE, ("meeting:write:admin", "webinar:write:admin")),
        (
            403,
            "Invalid access token, does not contain scopes:[user:read:admin]",
            ("user:read:admin",),
        ),
        (400, "Invalid access token, does not contain scopes:[ , ].", ()),
        (400, "Invalid access token, does not contain scopes.", ()),
        (400, "Invalid access token ]odd[", ()),
    ],
)
async def test_missing_scopes(
    client: ZoomClient,
    mock_zoom: aioresponses,
    status: int,
    message: str,
    missing_scopes: tuple[str, ...],
) -> None:
    """Code 4711 raises ZoomPermissionError naming the scopes the app lacks."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    mock_zoom.patch(url, status=status, payload={"code": 4711, "message": message})

    with pytest.raises(ZoomPermissionError) as exc_info:
        await client.async_stop_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert exc_info.value.code == 4711
    assert exc_info.value.message == message
    assert exc_info.value.missing_scopes == missing_scopes


async def test_missing_scopes_on_401_are_not_retried(
    client: ZoomClient, mock_zoom: aioresponses
) -> None:
    """A 401 for missing scopes names them; a new token would not help, so none is asked."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    message = "Invalid access token, does not contain scopes:[meeting:write:admin]."
    mock_zoom.patch(url, status=401, payload={"code": 4711, "message": message})

    with pytest.raises(ZoomPermissionError) as exc_info:
        await client.async_stop_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert exc_info.value.missing_scopes == ("meeting:write:admin",)
    # One PATCH, no token renewal, no retry.
    assert [(key[0], len(calls)) for key, calls in mock_zoom.requests.items()] == [
        ("PATCH", 1)
    ]


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"Retry-After": "2.5"}, 2.5),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"Retry-After": "whenever"}, None),
        ({}, None),
    ],
)
async def test_rate_limited(
    client: ZoomClient,
    mock_zoom: aioresponses,
    headers: dict[str, str],
    retry_after: float | None,
) -> None:
    """HTTP 429 raises ZoomRateLimitError with the wait Zoom asked for, if any."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    mock_zoom.patch(
        url,
        status=429,
        payload={"code": 429, "message": "Retry after 30 seconds."},
        headers=headers,
    )

    with pytest.raises(ZoomRateLimitError, match="Retry after 30 seconds") as exc_info:
        await client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert exc_info.value.retry_after == retry_after


async def test_rate_limited_until_an_http_date(
    client: ZoomClient, mock_zoom: aioresponses
) -> None:
    """A Retry-After HTTP date in the future becomes the seconds left until it."""
    mock_zoom.get(
        f"{API}/users/me",
        status=429,
        body="",
        headers={"Retry-After": formatdate(time.time() + 120, usegmt=True)},
    )

    with pytest.raises(ZoomRateLimitError, match="Too Many Requests") as exc_info:
        await client.async_get_current_user()

    assert exc_info.value.retry_after is not None
    assert 100.0 < exc_info.value.retry_after <= 120.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors(
    client: ZoomClient, mock_zoom: aioresponses, status: int
) -> None:
    """Server errors with an HTML outage page raise ZoomConnectionError(status)."""
    mock_zoom.get(
        f"{API}/users/me",
        status=status,
        body="<html><head><title>Bad Gateway</title></head><body>nginx</body></html>",
        content_type="text/html",
    )

    with pytest.raises(ZoomConnectionError) as exc_info:
        await client.async_get_current_user()

    assert exc_info.value.status == status
    assert str(exc_info.value) == f"Zoom answered HTTP {status}"


@pytest.mark.parametrize(
    ("mock_kwargs", "match"),
    [
        ({"timeout": True}, "Timed out: GET /users/me"),
        (
            {"exception": aiohttp.ClientOSError(104, "Connection reset by peer")},
            "Cannot reach Zoom for GET /users/me: ClientOSError",
        ),
        (
            {"exception": aiohttp.ServerDisconnectedError()},
            "Cannot reach Zoom for GET /users/me: ServerDisconnectedError",
        ),
    ],
    ids=["timeout", "reset", "disconnected"],
)
async def test_unreachable(
    client: ZoomClient,
    mock_zoom: aioresponses,
    mock_kwargs: dict[str, Any],
    match: str,
) -> None:
    """Timeouts and broken connections raise ZoomConnectionError without a status."""
    mock_zoom.get(f"{API}/users/me", **mock_kwargs)

    with pytest.raises(ZoomConnectionError, match=match) as exc_info:
        await client.async_get_current_user()

    assert exc_info.value.status is None


@pytest.mark.parametrize("body", ["", "<html>Maintenance</html>", "{broken"])
async def test_get_without_json(
    client: ZoomClient, mock_zoom: aioresponses, body: str
) -> None:
    """HTTP 200 to a GET without a JSON body is a broken answer (a proxy page)."""
    mock_zoom.get(f"{API}/users/me", status=200, body=body, content_type="text/html")

    with pytest.raises(ZoomConnectionError, match="no JSON body") as exc_info:
        await client.async_get_current_user()

    assert exc_info.value.status == 200


async def test_rate_limit_headers_recorded(
    client: ZoomClient, mock_zoom: aioresponses
) -> None:
    """The last X-RateLimit-* headers are kept; answers without them keep the old."""
    mock_zoom.get(
        f"{API}/users/me",
        payload=USER,
        headers={
            "X-RateLimit-Category": "Light",
            "X-RateLimit-Type": "QPS",
            "X-RateLimit-Limit": "30",
            "X-RateLimit-Remaining": "29",
        },
    )
    mock_zoom.get(f"{API}/users/me", payload=USER)
    assert client.rate_limit is None

    await client.async_get_current_user()
    expected = RateLimitInfo(category="Light", type="QPS", limit=30, remaining=29)
    assert client.rate_limit == expected

    await client.async_get_current_user()
    assert client.rate_limit == expected


@pytest.mark.parametrize(
    ("api_url", "use_token_api_url", "base"),
    [
        ("https://api-eu.zoom.us", True, "https://api-eu.zoom.us/v2"),
        ("https://api-eu.zoom.us/", True, "https://api-eu.zoom.us/v2"),
        ("https://api-eu.zoom.us/v2", True, "https://api-eu.zoom.us/v2"),
        ("https://api-eu.zoom.us/v2/", True, "https://api-eu.zoom.us/v2"),
        ("http://api-eu.zoom.us", True, API),
        ("api-eu.zoom.us", True, API),
        (None, True, API),
        ("https://api-eu.zoom.us", False, API),
    ],
)
async def test_api_base_from_the_token(
    session: aiohttp.ClientSession,
    s2s_auth: ServerToServerAuth,
    mock_zoom: aioresponses,
    api_url: str | None,
    use_token_api_url: bool,
    base: str,
) -> None:
    """The token's https `api_url` is the API base when allowed, else the default."""
    client = ZoomClient(
        session, s2s_auth, api_base=f"{API}/", use_token_api_url=use_token_api_url
    )
    mock_zoom.post(TOKEN_URL, payload=token_payload("token-1", api_url=api_url))
    mock_zoom.get(f"{base}/users/me", payload=USER)
    assert client.api_base == API

    await client.async_get_current_user()

    assert client.api_base == base
    sent_once(mock_zoom, "GET", f"{base}/users/me", token="token-1")
    assert request_count(mock_zoom) == 2
