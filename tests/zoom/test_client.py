"""Tests of the Zoom REST client against a Zoom double served over real HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import formatdate
import logging
import time
from typing import Any

import aiohttp
import pytest

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
    TOKEN_URL,
    bearer,
    token_payload,
)
from .zoom_server import Answer, Fault, RecordedRequest, ZoomServer

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
def client(session: aiohttp.ClientSession, zoom: ZoomServer) -> ZoomClient:
    """Return a client with a fixed token, so only API requests are sent."""
    return ZoomClient(session, StaticTokenAuth(TOKEN), api_base=zoom.api_base)


@pytest.fixture
def s2s_auth(session: aiohttp.ClientSession, zoom: ZoomServer) -> ServerToServerAuth:
    """Return a Server-to-Server token source that asks the Zoom double."""
    return ServerToServerAuth(
        session,
        account_id=ACCOUNT_ID,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        oauth_base=zoom.oauth_base,
    )


@pytest.fixture
def s2s_client(
    session: aiohttp.ClientSession, s2s_auth: ServerToServerAuth, zoom: ZoomServer
) -> ZoomClient:
    """Return a client that requests its tokens from Zoom."""
    return ZoomClient(session, s2s_auth, api_base=zoom.api_base)


def meeting_items(start: int, count: int) -> list[dict[str, Any]]:
    """Return `count` meeting list items with consecutive 11-digit IDs."""
    return [
        {"id": 80000000000 + number, "topic": f"Meeting {number}", "type": 2}
        for number in range(start, start + count)
    ]


def sent_once(
    zoom: ZoomServer, method: str, url: str, token: str = TOKEN
) -> RecordedRequest:
    """Assert one request went to `method url` with the bearer token; return it.

    `url` is the path and the exact query. A body must be JSON, and say so.
    """
    calls = zoom.requests_to(method, url)
    assert len(calls) == 1, f"{method} {url}: {len(calls)} requests"
    request = calls[0]
    assert request.client_headers == bearer(token)
    if request.body:
        assert request.headers["Content-Type"] == "application/json"
    return request


async def test_get_current_user(client: ZoomClient, zoom: ZoomServer) -> None:
    """`GET /users/me` is parsed into a ZoomUser."""
    zoom.get(f"{API}/users/me", payload=USER)

    user = await client.async_get_current_user()

    assert user == ZoomUser(
        id="user-xyz",
        email="host@example.com",
        account_id=ACCOUNT_ID,
        first_name="Ada",
        last_name="Lovelace",
        timezone="Europe/London",
    )
    request = sent_once(zoom, "GET", f"{API}/users/me")
    assert request.body == b""
    assert request.json is None
    assert request.query == {}
    assert len(zoom.requests) == 1


async def test_get_user_by_email(client: ZoomClient, zoom: ZoomServer) -> None:
    """A user is looked up by email, the '@' kept and other characters quoted."""
    zoom.get(f"{API}/users/host@example.com", payload=USER)
    zoom.get(f"{API}/users/a%20b%2Fc", payload=USER)

    assert (await client.async_get_user("host@example.com")).id == "user-xyz"
    assert (await client.async_get_user("a b/c")).id == "user-xyz"

    sent_once(zoom, "GET", f"{API}/users/host@example.com")
    sent_once(zoom, "GET", f"{API}/users/a%20b%2Fc")


async def test_list_users_reads_one_page(client: ZoomClient, zoom: ZoomServer) -> None:
    """The account's active users, one page: enough to choose a host from."""
    url = f"{API}/users?page_size=300&status=active"
    admin = {**USER, "id": "admin-1", "email": "admin@example.com"}
    zoom.get(url, payload={"users": [admin, USER], "next_page_token": "u2"})

    users = await client.async_list_users()

    assert [user.id for user in users] == ["admin-1", "user-xyz"]
    assert users[1].first_name == "Ada"
    assert sent_once(zoom, "GET", url).query == {
        "page_size": "300",
        "status": "active",
    }
    # The second page is not read: a user further on is typed instead.
    assert len(zoom.requests) == 1


@pytest.mark.parametrize(
    ("kind", "path"),
    [(MeetingKind.MEETING, "meetings"), (MeetingKind.WEBINAR, "webinars")],
)
async def test_get_meeting(
    client: ZoomClient, zoom: ZoomServer, kind: MeetingKind, path: str
) -> None:
    """Details of a meeting or webinar come from its own collection; 64-bit IDs survive."""
    url = f"{API}/{path}/{MEETING_ID}"
    zoom.get(
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
    sent_once(zoom, "GET", url)


async def test_list_meetings_follows_pages(
    client: ZoomClient, zoom: ZoomServer
) -> None:
    """650 meetings take exactly three requests of 300 per page."""
    zoom.get(
        MEETINGS_URL,
        payload={"meetings": meeting_items(0, 300), "next_page_token": "page-2"},
    )
    zoom.get(
        f"{MEETINGS_URL}&next_page_token=page-2",
        payload={"meetings": meeting_items(300, 300), "next_page_token": "page-3"},
    )
    zoom.get(
        f"{MEETINGS_URL}&next_page_token=page-3",
        payload={"meetings": meeting_items(600, 50), "next_page_token": ""},
    )

    meetings = await client.async_list_meetings()

    assert [meeting.id for meeting in meetings] == [
        80000000000 + number for number in range(650)
    ]
    assert {meeting.kind for meeting in meetings} == {MeetingKind.MEETING}
    assert meetings[0].topic == "Meeting 0"
    assert len(zoom.requests) == 3
    first = sent_once(zoom, "GET", MEETINGS_URL)
    assert first.query == {"type": "scheduled", "page_size": "300"}
    third = sent_once(zoom, "GET", f"{MEETINGS_URL}&next_page_token=page-3")
    assert third.query == {
        "type": "scheduled",
        "page_size": "300",
        "next_page_token": "page-3",
    }


async def test_list_live_meetings_of_a_user(
    client: ZoomClient, zoom: ZoomServer
) -> None:
    """The list type and the user are put in the request; a missing token ends."""
    url = f"{API}/users/host@example.com/meetings?page_size=300&type=live"
    zoom.get(
        url,
        body=f'{{"meetings": [{{"id": {MEETING_ID}, "topic": "Live"}}]}}',
    )

    meetings = await client.async_list_meetings(
        "host@example.com", MeetingListType.LIVE
    )

    assert meetings == [Meeting(id=MEETING_ID, kind=MeetingKind.MEETING, topic="Live")]
    sent_once(zoom, "GET", url)
    assert len(zoom.requests) == 1


@pytest.mark.parametrize("next_page_token", [None, 42, ""])
async def test_list_ends_without_a_usable_page_token(
    client: ZoomClient, zoom: ZoomServer, next_page_token: Any
) -> None:
    """A missing, empty or non-string page token means the last page."""
    zoom.get(
        MEETINGS_URL,
        payload={"meetings": meeting_items(0, 2), "next_page_token": next_page_token},
    )

    assert len(await client.async_list_meetings()) == 2
    assert len(zoom.requests) == 1


async def test_list_stops_on_a_repeated_page_token(
    client: ZoomClient, zoom: ZoomServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A server repeating its page token is caught at once and said so."""
    zoom.get(
        MEETINGS_URL, payload={"meetings": meeting_items(0, 1), "next_page_token": "A"}
    )
    zoom.get(
        f"{MEETINGS_URL}&next_page_token=A",
        payload={"meetings": meeting_items(1, 1), "next_page_token": "A"},
        repeat=True,
    )

    meetings = await client.async_list_meetings()

    assert len(meetings) == 2
    assert len(zoom.requests) == 2
    assert [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING
    ] == ["Zoom repeated a page token while listing meetings; keeping the 2 items read"]


async def test_list_stops_after_max_pages(
    client: ZoomClient, zoom: ZoomServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A pager that never ends is cut off at a bound that fits real accounts.

    Every poll lists the live meetings: 200 pages a minute was the old cost.
    """
    served = 0

    def endless(request: RecordedRequest) -> Answer:
        nonlocal served
        served += 1
        return Answer(
            payload={
                "meetings": meeting_items(served, 1),
                "next_page_token": f"p{served}",
            }
        )

    zoom.get(f"{API}/users/me/meetings", callback=endless, repeat=True, any_query=True)

    meetings = await client.async_list_meetings()

    # 12,000 meetings for one user: more than any real account has.
    assert MAX_PAGES * 300 >= 12_000
    assert MAX_PAGES <= 40
    assert len(meetings) == MAX_PAGES
    assert len(zoom.requests) == MAX_PAGES
    assert [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING
    ] == [
        "Zoom's list of meetings did not end after 40 pages; keeping the 40 items read"
    ]


async def test_list_webinars(client: ZoomClient, zoom: ZoomServer) -> None:
    """Webinars are listed without a type filter and parsed as webinars."""
    url = f"{API}/users/me/webinars?page_size=300"
    zoom.get(
        url,
        payload={
            "webinars": [{"id": WEBINAR_ID, "topic": "Launch"}],
            "next_page_token": "w2",
        },
    )
    zoom.get(
        f"{url}&next_page_token=w2",
        payload={"webinars": [{"id": str(MEETING_ID)}], "next_page_token": ""},
    )

    webinars = await client.async_list_webinars()

    assert webinars == [
        Meeting(id=WEBINAR_ID, kind=MeetingKind.WEBINAR, topic="Launch"),
        Meeting(id=MEETING_ID, kind=MeetingKind.WEBINAR, topic=f"Meeting {MEETING_ID}"),
    ]
    assert sent_once(zoom, "GET", url).query == {"page_size": "300"}
    assert len(zoom.requests) == 2


async def test_list_without_items(client: ZoomClient, zoom: ZoomServer) -> None:
    """A page without its list field (or with null) holds no meetings."""
    zoom.get(
        MEETINGS_URL,
        payload={"meetings": None, "total_records": 0, "next_page_token": ""},
    )

    assert await client.async_list_meetings() == []


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("[]", "Unexpected list from Zoom: not a JSON object"),
        ('"meetings"', "Unexpected list from Zoom: not a JSON object"),
        (
            '{"meetings": {"id": 1}}',
            "Unexpected list from Zoom: meetings is not a list",
        ),
        ('{"meetings": "none"}', "Unexpected list from Zoom: meetings is not a list"),
        (
            '{"meetings": [{"topic": "no id"}]}',
            "Unexpected meeting from Zoom: not a meeting ID: None",
        ),
        ('{"meetings": [42]}', "Unexpected meeting from Zoom: not a JSON object"),
    ],
)
async def test_list_broken_answer(
    client: ZoomClient, zoom: ZoomServer, body: str, match: str
) -> None:
    """A list answer of the wrong shape raises ZoomConnectionError, saying why."""
    zoom.get(MEETINGS_URL, body=body)

    with pytest.raises(ZoomConnectionError) as exc_info:
        await client.async_list_meetings()

    assert str(exc_info.value) == match


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
    zoom: ZoomServer,
    kind: MeetingKind,
    path: str,
    settings: LiveStreamStartSettings | None,
    body: dict[str, Any],
) -> None:
    """Start PATCHes the status with lowercase 'start' and only the settings set."""
    url = f"{API}/{path}/{MEETING_ID}/livestream/status"
    zoom.patch(url, status=204)

    await client.async_start_live_stream(kind, MEETING_ID, settings)

    assert sent_once(zoom, "PATCH", url).json == body
    assert len(zoom.requests) == 1


@pytest.mark.parametrize(
    ("kind", "path"),
    [(MeetingKind.MEETING, "meetings"), (MeetingKind.WEBINAR, "webinars")],
)
async def test_stop_live_stream(
    client: ZoomClient, zoom: ZoomServer, kind: MeetingKind, path: str
) -> None:
    """Stop PATCHes the status with exactly {'action': 'stop'}."""
    url = f"{API}/{path}/{MEETING_ID}/livestream/status"
    zoom.patch(url, status=204)

    await client.async_stop_live_stream(kind, MEETING_ID)

    assert sent_once(zoom, "PATCH", url).json == {"action": "stop"}


@pytest.mark.parametrize(
    ("kind", "path"),
    [(MeetingKind.MEETING, "meetings"), (MeetingKind.WEBINAR, "webinars")],
)
async def test_get_live_stream(
    client: ZoomClient, zoom: ZoomServer, kind: MeetingKind, path: str
) -> None:
    """The stream target is read from the livestream endpoint."""
    url = f"{API}/{path}/{WEBINAR_ID}/livestream"
    zoom.get(url, payload=STREAM)

    config = await client.async_get_live_stream(kind, WEBINAR_ID)

    assert config == LiveStreamConfig(
        stream_url="rtmp://live.example.com/app",
        stream_key="key-1",
        page_url="https://example.com/live",
        resolution=Resolution.HD_720,
    )
    sent_once(zoom, "GET", url)


@pytest.mark.parametrize(
    ("answer", "content_type"),
    [
        # The one public client that handles it receives 200 without a body.
        ({"status": 200, "body": ""}, "application/json"),
        ({"status": 200, "body": ""}, "text/plain"),
        ({"status": 204, "body": ""}, "application/json"),
        ({"payload": {}}, "application/json"),
    ],
    ids=["200_empty", "200_empty_text", "204", "empty_object"],
)
@pytest.mark.parametrize(
    ("kind", "path"),
    [(MeetingKind.MEETING, "meetings"), (MeetingKind.WEBINAR, "webinars")],
)
async def test_live_stream_without_a_target(
    client: ZoomClient,
    zoom: ZoomServer,
    kind: MeetingKind,
    path: str,
    answer: dict[str, Any],
    content_type: str,
) -> None:
    """A meeting that never had a stream target answers without one: no target yet."""
    url = f"{API}/{path}/{WEBINAR_ID}/livestream"
    zoom.get(url, content_type=content_type, **answer)

    config = await client.async_get_live_stream(kind, WEBINAR_ID)

    assert config == LiveStreamConfig(stream_url="", stream_key="", page_url="")
    assert config.missing_fields() == ["stream_url", "stream_key", "page_url"]
    sent_once(zoom, "GET", url)


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
    zoom: ZoomServer,
    kind: MeetingKind,
    path: str,
    resolution: Resolution | None,
    body: dict[str, str],
) -> None:
    """The PATCH carries URL, key and page URL, and the resolution only when set."""
    url = f"{API}/{path}/{MEETING_ID}/livestream"
    zoom.patch(url, status=204)
    config = LiveStreamConfig(
        stream_url="rtmp://live.example.com/app",
        stream_key="key-1",
        page_url="https://example.com/live",
        resolution=resolution,
    )

    await client.async_update_live_stream(kind, MEETING_ID, config)

    assert sent_once(zoom, "PATCH", url).json == body


async def test_patch_success_with_a_body(client: ZoomClient, zoom: ZoomServer) -> None:
    """A 200 with an empty body is success too for a PATCH."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    zoom.patch(url, status=200, body="")

    await client.async_stop_live_stream(MeetingKind.MEETING, MEETING_ID)

    sent_once(zoom, "PATCH", url)


async def test_retry_once_with_a_fresh_token_after_401(
    s2s_client: ZoomClient, zoom: ZoomServer
) -> None:
    """A refused token is renewed and the request sent again, once."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    zoom.post(TOKEN_URL, payload=token_payload("token-1"))
    zoom.post(TOKEN_URL, payload=token_payload("token-2"))
    zoom.patch(
        url, status=401, payload={"code": 124, "message": "Invalid access token."}
    )
    zoom.patch(url, status=204)
    settings = LiveStreamStartSettings(display_name="Town hall")

    await s2s_client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID, settings)

    assert len(zoom.requests_to("POST", TOKEN_URL)) == 2
    first, second = zoom.requests_to("PATCH", url)
    assert first.client_headers == bearer("token-1")
    assert second.client_headers == bearer("token-2")
    expected = {"action": "start", "settings": {"display_name": "Town hall"}}
    assert first.json == second.json == expected
    assert len(zoom.requests) == 4


async def test_401_twice_raises_authentication_error(
    s2s_client: ZoomClient, zoom: ZoomServer
) -> None:
    """A fresh token refused as well means the credentials no longer work."""
    zoom.post(TOKEN_URL, payload=token_payload("token-1"))
    zoom.post(TOKEN_URL, payload=token_payload("token-2"))
    zoom.get(
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
    assert len(zoom.requests_to("GET", f"{API}/users/me")) == 2
    assert len(zoom.requests_to("POST", TOKEN_URL)) == 2


async def test_static_token_refused_twice(client: ZoomClient, zoom: ZoomServer) -> None:
    """A static token is retried once as it is, then reported refused."""
    zoom.get(f"{API}/users/me", status=401, body="", repeat=True)

    with pytest.raises(ZoomAuthenticationError, match=r"code None: \)"):
        await client.async_get_current_user()

    calls = zoom.requests_to("GET", f"{API}/users/me")
    assert [call.client_headers for call in calls] == [bearer(TOKEN)] * 2


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
        # The code, not the status, says the user does not exist.
        (
            400,
            {"code": 1001, "message": "User does not exist: x@example.com."},
            ZoomNotFoundError,
            1001,
            "User does not exist: x@example.com.",
        ),
        (
            400,
            {"code": 3001, "message": "Meeting 123 is not found or has expired."},
            ZoomNotFoundError,
            3001,
            "Meeting 123 is not found or has expired.",
        ),
        (404, None, ZoomNotFoundError, None, "Not Found"),
        # Code 3000 covers "not started", "not allowed" and "no custom service":
        # the client does not guess which from Zoom's words (the commands tell
        # them apart by the meeting's state).
        (
            400,
            {"code": 3000, "message": "Meeting 123 has not started."},
            ZoomApiError,
            3000,
            "Meeting 123 has not started.",
        ),
        # Code 200 is "plan missing", also Zoom's answer for a webinar that has
        # not started.
        (
            400,
            {"code": 200, "message": "Webinar 123 has not started"},
            ZoomPermissionError,
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
            ZoomApiError,
            3000,
            "Not allowed to start live streaming.",
        ),
        # Words alone never make a permission error.
        (
            400,
            {"code": 1234, "message": "This is not allowed."},
            ZoomApiError,
            1234,
            "This is not allowed.",
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
    zoom: ZoomServer,
    status: int,
    body: dict[str, Any] | None,
    error: type[ZoomApiError],
    code: int | None,
    message: str,
) -> None:
    """Zoom's refusals map to typed errors keeping status, code and message."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    if body is None:
        zoom.patch(url, status=status, body="")
    else:
        zoom.patch(url, status=status, payload=body)

    with pytest.raises(ZoomApiError) as exc_info:
        await client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID)

    err = exc_info.value
    assert type(err) is error
    assert (err.status, err.code, err.message) == (status, code, message)
    assert str(err) == f"HTTP {status}, code {code}: {message}"
    assert len(zoom.requests) == 1


@pytest.mark.parametrize(
    ("status", "message", "missing_scopes"),
    [
        (400, SCOPES_MESSAGE, ("meeting:write:admin", "webinar:write:admin")),
        (
            403,
            "Invalid access token, does not contain scopes:[user:read:admin]",
            ("user:read:admin",),
        ),
        # Zoom named none: the scope this call needs (a Server-to-Server app's).
        (
            400,
            "Invalid access token, does not contain scopes:[ , ].",
            ("meeting:update:livestream_status:admin",),
        ),
        (
            400,
            "Invalid access token, does not contain scopes.",
            ("meeting:update:livestream_status:admin",),
        ),
        (
            400,
            "Invalid access token ]odd[",
            ("meeting:update:livestream_status:admin",),
        ),
    ],
)
async def test_missing_scopes(
    client: ZoomClient,
    zoom: ZoomServer,
    status: int,
    message: str,
    missing_scopes: tuple[str, ...],
) -> None:
    """Code 4711 raises ZoomPermissionError naming the scopes the app lacks."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    zoom.patch(url, status=status, payload={"code": 4711, "message": message})

    with pytest.raises(ZoomPermissionError) as exc_info:
        await client.async_stop_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert exc_info.value.code == 4711
    assert exc_info.value.message == message
    assert exc_info.value.missing_scopes == missing_scopes


async def test_missing_scopes_on_401_are_not_retried(
    client: ZoomClient, zoom: ZoomServer
) -> None:
    """A 401 for missing scopes names them; a new token would not help, so none is asked."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    message = "Invalid access token, does not contain scopes:[meeting:write:admin]."
    zoom.patch(url, status=401, payload={"code": 4711, "message": message})

    with pytest.raises(ZoomPermissionError) as exc_info:
        await client.async_stop_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert exc_info.value.missing_scopes == ("meeting:write:admin",)
    # One PATCH, no token renewal, no retry.
    assert [request.method for request in zoom.requests] == ["PATCH"]


@pytest.mark.parametrize("status", [400, 401, 403])
@pytest.mark.parametrize(
    ("admin", "kind", "scope"),
    [
        (True, MeetingKind.MEETING, "meeting:read:livestream:admin"),
        (False, MeetingKind.MEETING, "meeting:read:livestream"),
        (True, MeetingKind.WEBINAR, "webinar:read:livestream:admin"),
    ],
)
async def test_code_4700_is_a_missing_scope_not_a_refused_token(
    session: aiohttp.ClientSession,
    zoom: ZoomServer,
    status: int,
    admin: bool,
    kind: MeetingKind,
    scope: str,
) -> None:
    """Zoom's 4700 names no scope: the one the call needs is named, nothing retried.

    Zoom lists 4700 "Invalid access token, does not contain scopes" beside 4711.
    It is not a refused token, so it must never end in re-authentication.
    """
    client = ZoomClient(
        session, StaticTokenAuth(TOKEN), api_base=zoom.api_base, admin_scopes=admin
    )
    url = f"{API}/{kind.path}/{MEETING_ID}/livestream"
    zoom.get(
        url,
        status=status,
        payload={
            "code": 4700,
            "message": "Invalid access token, does not contain scopes",
        },
    )

    with pytest.raises(ZoomPermissionError) as exc_info:
        await client.async_get_live_stream(kind, MEETING_ID)

    assert exc_info.value.code == 4700
    assert exc_info.value.missing_scopes == (scope,)
    assert [request.method for request in zoom.requests] == ["GET"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        # Zoom documents 300 on webinar paths as "Webinar Id does not exist" and
        # "Invalid Webinar Id".
        ({"code": 300, "message": "Webinar Id does not exist."}, ZoomNotFoundError),
        ({"code": 300, "message": "Invalid Webinar Id."}, ZoomNotFoundError),
        # A body that fails validation lists its fields.
        (
            {
                "code": 300,
                "message": "Validation Failed.",
                "errors": [{"field": "settings.layout", "message": "Invalid field."}],
            },
            ZoomApiError,
        ),
    ],
)
async def test_webinar_code_300(
    client: ZoomClient,
    zoom: ZoomServer,
    body: dict[str, Any],
    error: type[ZoomApiError],
) -> None:
    """On webinar paths code 300 without a validation list means: no such webinar."""
    url = f"{API}/webinars/{WEBINAR_ID}/livestream/status"
    zoom.patch(url, status=400, payload=body)

    with pytest.raises(ZoomApiError) as exc_info:
        await client.async_stop_live_stream(MeetingKind.WEBINAR, WEBINAR_ID)

    assert type(exc_info.value) is error
    assert exc_info.value.code == 300


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
    zoom: ZoomServer,
    headers: dict[str, str],
    retry_after: float | None,
) -> None:
    """HTTP 429 raises ZoomRateLimitError with the wait Zoom asked for, if any."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    zoom.patch(
        url,
        status=429,
        payload={"code": 429, "message": "Retry after 30 seconds."},
        headers=headers,
    )

    with pytest.raises(ZoomRateLimitError, match="Retry after 30 seconds") as exc_info:
        await client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert exc_info.value.retry_after == retry_after


async def test_rate_limited_until_an_http_date(
    client: ZoomClient, zoom: ZoomServer
) -> None:
    """A Retry-After HTTP date in the future becomes the seconds left until it."""
    zoom.get(
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
async def test_server_errors(client: ZoomClient, zoom: ZoomServer, status: int) -> None:
    """Server errors with an HTML outage page raise ZoomConnectionError(status)."""
    zoom.get(
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
    ("fault", "match"),
    [
        (Fault.STALL, "Timed out: GET /users/me"),
        (Fault.RESET, "Cannot reach Zoom for GET /users/me: ClientOSError"),
        (
            Fault.CLOSE,
            "Cannot reach Zoom for GET /users/me: ServerDisconnectedError",
        ),
        (Fault.CUT, "Cannot reach Zoom for GET /users/me: ClientPayloadError"),
    ],
    ids=["timeout", "reset", "disconnected", "cut-off"],
)
async def test_unreachable(
    session: aiohttp.ClientSession, zoom: ZoomServer, fault: Fault, match: str
) -> None:
    """Timeouts and broken connections raise ZoomConnectionError without a status."""
    # aiohttp itself sends a GET again once when the connection breaks before the
    # answer, so the fault repeats.
    zoom.get(f"{API}/users/me", payload=USER, fault=fault, repeat=True)
    # A stalled answer lasts until the client gives up, so that takes a short
    # timeout; the other faults keep the usual one, so a slow machine cannot
    # turn them into timeouts.
    client = ZoomClient(
        session,
        StaticTokenAuth(TOKEN),
        api_base=zoom.api_base,
        request_timeout=0.3 if fault is Fault.STALL else 10.0,
    )

    with pytest.raises(ZoomConnectionError, match=match) as exc_info:
        await client.async_get_current_user()

    assert exc_info.value.status is None


async def test_refusing_connections(
    session: aiohttp.ClientSession, zoom: ZoomServer
) -> None:
    """A host where nothing listens raises ZoomConnectionError without a status."""
    client = ZoomClient(
        session, StaticTokenAuth(TOKEN), api_base=f"{zoom.refused_origin}{API}"
    )

    with pytest.raises(
        ZoomConnectionError,
        match="^Cannot reach Zoom for GET /users/me: ClientConnectorError$",
    ) as exc_info:
        await client.async_get_current_user()

    assert exc_info.value.status is None


@pytest.mark.parametrize("body", ["", "<html>Maintenance</html>", "{broken"])
async def test_get_without_json(
    client: ZoomClient, zoom: ZoomServer, body: str
) -> None:
    """HTTP 200 to a GET without a JSON body is a broken answer (a proxy page)."""
    zoom.get(f"{API}/users/me", status=200, body=body, content_type="text/html")

    with pytest.raises(ZoomConnectionError, match="no JSON body") as exc_info:
        await client.async_get_current_user()

    assert exc_info.value.status == 200


async def test_rate_limit_headers_recorded(
    client: ZoomClient, zoom: ZoomServer
) -> None:
    """The rate limit is the last answer's: one without headers makes it unknown.

    Pro accounts have no daily limit for these calls, and Zoom's current pages
    document no rate-limit headers: an account that sends none is normal, and a
    value some earlier answer carried must not be shown as if current.
    """
    zoom.get(
        f"{API}/users/me",
        payload=USER,
        headers={
            "X-RateLimit-Category": "Light",
            "X-RateLimit-Type": "QPS",
            "X-RateLimit-Limit": "30",
            "X-RateLimit-Remaining": "29",
        },
    )
    zoom.get(f"{API}/users/me", payload=USER)
    assert client.rate_limit is None

    await client.async_get_current_user()
    expected = RateLimitInfo(category="Light", type="QPS", limit=30, remaining=29)
    assert client.rate_limit == expected

    await client.async_get_current_user()
    assert client.rate_limit is None


@pytest.mark.parametrize(
    ("api_url", "use_token_api_url", "base"),
    [
        ("https://api-eu.zoom.us", True, "https://api-eu.zoom.us/v2"),
        ("https://api-eu.zoom.us/", True, "https://api-eu.zoom.us/v2"),
        ("https://api-eu.zoom.us/v2", True, "https://api-eu.zoom.us/v2"),
        ("https://api-eu.zoom.us/v2/", True, "https://api-eu.zoom.us/v2"),
        # None: the client's own `api_base`, the double's plain-HTTP address.
        ("http://api-eu.zoom.us", True, None),
        ("api-eu.zoom.us", True, None),
        (None, True, None),
        ("https://api-eu.zoom.us", False, None),
        # Not given: the token's URL is used.
        ("https://api-eu.zoom.us", None, "https://api-eu.zoom.us/v2"),
    ],
)
async def test_api_base_from_the_token(
    zoom: ZoomServer,
    api_url: str | None,
    use_token_api_url: bool | None,
    base: str | None,
) -> None:
    """The token's https `api_url` is the API base when allowed, else the default."""
    # The double also answers as https://api-eu.zoom.us, over TLS, to this session;
    # no other name resolves in it, so a request sent elsewhere fails.
    session = await zoom.https_session("api-eu.zoom.us")
    s2s_auth = ServerToServerAuth(
        session,
        account_id=ACCOUNT_ID,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        oauth_base=zoom.oauth_base,
    )
    client = (
        ZoomClient(session, s2s_auth, api_base=f"{zoom.api_base}/")
        if use_token_api_url is None
        else ZoomClient(
            session,
            s2s_auth,
            api_base=f"{zoom.api_base}/",
            use_token_api_url=use_token_api_url,
        )
    )
    base = base or zoom.api_base
    zoom.post(TOKEN_URL, payload=token_payload("token-1", api_url=api_url))
    zoom.get(f"{API}/users/me", payload=USER)
    assert client.api_base == zoom.api_base

    await client.async_get_current_user()

    assert client.api_base == base
    request = sent_once(zoom, "GET", f"{API}/users/me", token="token-1")
    assert request.url == f"{base}/users/me"
    assert len(zoom.requests) == 2


# -- what each call needs, and what the log says ------------------------------------------

LIVE_STREAM = LiveStreamConfig(
    stream_url="rtmp://live.example.com/app",
    stream_key="key-1",
    page_url="https://example.com/live",
)
# Each call, the request it sends and the scope it needs (Server-to-Server app).
CALLS: list[Any] = [
    pytest.param(
        lambda c: c.async_get_current_user(),
        "GET",
        "/users/me",
        "user:read:user:admin",
        id="get_current_user",
    ),
    pytest.param(
        lambda c: c.async_get_user("host@example.com"),
        "GET",
        "/users/host@example.com",
        "user:read:user:admin",
        id="get_user",
    ),
    pytest.param(
        lambda c: c.async_list_users(),
        "GET",
        "/users?page_size=300&status=active",
        "user:read:list_users:admin",
        id="list_users",
    ),
    pytest.param(
        lambda c: c.async_list_meetings(),
        "GET",
        "/users/me/meetings?page_size=300&type=scheduled",
        "meeting:read:list_meetings:admin",
        id="list_meetings",
    ),
    pytest.param(
        lambda c: c.async_list_webinars(),
        "GET",
        "/users/me/webinars?page_size=300",
        "webinar:read:list_webinars:admin",
        id="list_webinars",
    ),
    pytest.param(
        lambda c: c.async_get_meeting(MeetingKind.MEETING, MEETING_ID),
        "GET",
        f"/meetings/{MEETING_ID}",
        "meeting:read:meeting:admin",
        id="get_meeting",
    ),
    pytest.param(
        lambda c: c.async_get_meeting(MeetingKind.WEBINAR, WEBINAR_ID),
        "GET",
        f"/webinars/{WEBINAR_ID}",
        "webinar:read:webinar:admin",
        id="get_webinar",
    ),
    pytest.param(
        lambda c: c.async_get_live_stream(MeetingKind.MEETING, MEETING_ID),
        "GET",
        f"/meetings/{MEETING_ID}/livestream",
        "meeting:read:livestream:admin",
        id="get_live_stream",
    ),
    pytest.param(
        lambda c: c.async_get_live_stream(MeetingKind.WEBINAR, WEBINAR_ID),
        "GET",
        f"/webinars/{WEBINAR_ID}/livestream",
        "webinar:read:livestream:admin",
        id="get_webinar_live_stream",
    ),
    pytest.param(
        lambda c: c.async_update_live_stream(
            MeetingKind.MEETING, MEETING_ID, LIVE_STREAM
        ),
        "PATCH",
        f"/meetings/{MEETING_ID}/livestream",
        "meeting:update:livestream:admin",
        id="update_live_stream",
    ),
    pytest.param(
        lambda c: c.async_update_live_stream(
            MeetingKind.WEBINAR, WEBINAR_ID, LIVE_STREAM
        ),
        "PATCH",
        f"/webinars/{WEBINAR_ID}/livestream",
        "webinar:update:livestream:admin",
        id="update_webinar_live_stream",
    ),
    pytest.param(
        lambda c: c.async_start_live_stream(MeetingKind.MEETING, MEETING_ID),
        "PATCH",
        f"/meetings/{MEETING_ID}/livestream/status",
        "meeting:update:livestream_status:admin",
        id="start_live_stream",
    ),
    pytest.param(
        lambda c: c.async_start_live_stream(MeetingKind.WEBINAR, WEBINAR_ID),
        "PATCH",
        f"/webinars/{WEBINAR_ID}/livestream/status",
        "webinar:update:livestream_status:admin",
        id="start_webinar_live_stream",
    ),
    pytest.param(
        lambda c: c.async_stop_live_stream(MeetingKind.MEETING, MEETING_ID),
        "PATCH",
        f"/meetings/{MEETING_ID}/livestream/status",
        "meeting:update:livestream_status:admin",
        id="stop_live_stream",
    ),
    pytest.param(
        lambda c: c.async_stop_live_stream(MeetingKind.WEBINAR, WEBINAR_ID),
        "PATCH",
        f"/webinars/{WEBINAR_ID}/livestream/status",
        "webinar:update:livestream_status:admin",
        id="stop_webinar_live_stream",
    ),
]


@pytest.mark.parametrize(("call", "method", "path", "scope"), CALLS)
async def test_each_call_names_the_scope_it_needs(
    client: ZoomClient,
    zoom: ZoomServer,
    call: Callable[[ZoomClient], Awaitable[Any]],
    method: str,
    path: str,
    scope: str,
) -> None:
    """Zoom's 4700 names no scope: the refused call names its own, for the repair."""
    zoom.add(
        method,
        f"{API}{path}",
        status=400,
        payload={
            "code": 4700,
            "message": "Invalid access token, does not contain scopes",
        },
    )

    with pytest.raises(ZoomPermissionError) as exc_info:
        await call(client)

    assert exc_info.value.missing_scopes == (scope,)
    assert exc_info.value.status == 400


@pytest.mark.parametrize(("call", "method", "path", "scope"), CALLS)
async def test_each_request_is_logged_with_its_method_path_and_status(
    client: ZoomClient,
    zoom: ZoomServer,
    caplog: pytest.LogCaptureFixture,
    call: Callable[[ZoomClient], Awaitable[Any]],
    method: str,
    path: str,
    scope: str,
) -> None:
    """Debug logging tells each request's method, path and status (README)."""
    caplog.set_level(logging.DEBUG, logger="custom_components.zoom_livestream.zoom")
    status = 204 if method == "PATCH" else 200
    if status == 204:
        zoom.add(method, f"{API}{path}", status=204)
    elif "/users" in path and "/meetings" not in path and "/webinars" not in path:
        zoom.add(method, f"{API}{path}", payload={**USER, "users": [USER]})
    else:
        zoom.add(method, f"{API}{path}", payload={"id": MEETING_ID, **STREAM})

    await call(client)

    logged = [
        record.getMessage()
        for record in caplog.records
        if record.name == "custom_components.zoom_livestream.zoom.client"
    ]
    assert logged == [f"{method} {path.partition('?')[0]} answered HTTP {status}"]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.async_get_user("user-xyz"),
        lambda c: c.async_get_meeting(MeetingKind.MEETING, MEETING_ID),
        lambda c: c.async_list_meetings(),
    ],
    ids=["get_user", "get_meeting", "list_meetings"],
)
async def test_a_get_answered_without_a_body_is_a_broken_answer(
    client: ZoomClient,
    zoom: ZoomServer,
    call: Callable[[ZoomClient], Awaitable[Any]],
) -> None:
    """Every GET, not only the current user's, wants a JSON answer."""
    zoom.get(f"{API}/users/user-xyz", body="")
    zoom.get(f"{API}/meetings/{MEETING_ID}", body="")
    zoom.get(MEETINGS_URL, body="")

    with pytest.raises(ZoomConnectionError) as exc_info:
        await call(client)

    assert str(exc_info.value).startswith("Zoom answered GET /")
    assert str(exc_info.value).endswith(" with no JSON body")
    assert exc_info.value.status == 200


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.async_list_meetings("a b/c"),
        lambda c: c.async_list_webinars("a b/c"),
    ],
    ids=["meetings", "webinars"],
)
async def test_lists_of_a_user_keep_the_user_in_its_path_segment(
    client: ZoomClient, zoom: ZoomServer, call: Callable[[ZoomClient], Awaitable[Any]]
) -> None:
    """A user ID or email is quoted: a '/' cannot reach another path."""
    zoom.get(f"{API}/users/a%20b%2Fc/meetings", payload={}, any_query=True)
    zoom.get(f"{API}/users/a%20b%2Fc/webinars", payload={}, any_query=True)

    assert await call(client) == []

    assert len(zoom.requests) == 1


async def test_retry_after_401_keeps_the_query(
    s2s_client: ZoomClient, zoom: ZoomServer
) -> None:
    """A page asked again with a new token is the same page: type, size and token."""
    page_2 = f"{MEETINGS_URL}&next_page_token=page-2"
    zoom.post(TOKEN_URL, payload=token_payload("token-1"))
    zoom.post(TOKEN_URL, payload=token_payload("token-2"))
    zoom.get(
        MEETINGS_URL,
        payload={"meetings": meeting_items(0, 1), "next_page_token": "page-2"},
    )
    zoom.get(page_2, status=401, payload={"code": 124, "message": "Invalid token."})
    zoom.get(page_2, payload={"meetings": meeting_items(1, 1), "next_page_token": ""})

    meetings = await s2s_client.async_list_meetings()

    assert [meeting.id for meeting in meetings] == [80000000000, 80000000001]
    first, again = zoom.requests_to("GET", page_2)
    assert first.client_headers == bearer("token-1")
    assert again.client_headers == bearer("token-2")
    assert again.query == {
        "type": "scheduled",
        "page_size": "300",
        "next_page_token": "page-2",
    }


async def test_fresh_token_refused_for_scopes_is_no_authentication_failure(
    s2s_client: ZoomClient, zoom: ZoomServer
) -> None:
    """The renewed token works but lacks a scope: name it, do not ask to sign in."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    zoom.post(TOKEN_URL, payload=token_payload("token-1"))
    zoom.post(TOKEN_URL, payload=token_payload("token-2"))
    zoom.patch(url, status=401, payload={"code": 124, "message": "Invalid token."})
    zoom.patch(url, status=401, payload={"code": 4711, "message": SCOPES_MESSAGE})

    with pytest.raises(ZoomPermissionError) as exc_info:
        await s2s_client.async_stop_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert exc_info.value.status == 401
    assert exc_info.value.missing_scopes == (
        "meeting:write:admin",
        "webinar:write:admin",
    )


@pytest.mark.parametrize(
    "message",
    [
        "Invalid access token, does not contain scopes:[meeting:write:admin].",
        "Invalid Access Token, Does Not Contain Scopes:[meeting:write:admin]",
    ],
)
async def test_scope_words_without_a_scope_code(
    client: ZoomClient, zoom: ZoomServer, message: str
) -> None:
    """Zoom's words about missing scopes count whatever the code and the case."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    zoom.patch(url, status=401, payload={"code": 124, "message": message})

    with pytest.raises(ZoomPermissionError) as exc_info:
        await client.async_stop_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert exc_info.value.missing_scopes == ("meeting:write:admin",)
    # A new token would not help: none is asked, nothing is sent again.
    assert len(zoom.requests) == 1


@pytest.mark.parametrize(
    ("message", "missing_scopes"),
    [
        # No "[": nothing Zoom names, whatever comes before a "]".
        (
            "Invalid access token, does not contain scopes: a, b]",
            ("meeting:update:livestream_status:admin",),
        ),
        # Only the first list is Zoom's list of scopes.
        (
            "Invalid access token, does not contain scopes:[a, b]. See [docs].",
            ("a", "b"),
        ),
        ("Invalid access token, does not contain scopes:[a].[b]", ("a",)),
    ],
)
async def test_missing_scopes_read_from_the_first_list(
    client: ZoomClient,
    zoom: ZoomServer,
    message: str,
    missing_scopes: tuple[str, ...],
) -> None:
    """The scopes Zoom names are the bracketed list after its words, no more."""
    url = f"{API}/meetings/{MEETING_ID}/livestream/status"
    zoom.patch(url, status=400, payload={"code": 4711, "message": message})

    with pytest.raises(ZoomPermissionError) as exc_info:
        await client.async_start_live_stream(MeetingKind.MEETING, MEETING_ID)

    assert exc_info.value.missing_scopes == missing_scopes
