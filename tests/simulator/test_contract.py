"""The simulator's eight Zoom paths, judged by Zoom's OpenAPI document.

Each of the simulator's ten Zoom operations is called through aiohttp's test
client, in the normal and error cases the simulator implements; tests/contract.py
checks every request sent and every answer given (a mismatch fails the test).
A request the document rejects is sent only `invalid_on_purpose`, to see the
simulator refuse it. Where the simulator answers what the document does not
allow, the case is marked xfail(strict=True) with the mismatch as its reason:
the simulator is changed elsewhere, and this file says what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
from typing import Any, TypedDict

import pytest

from tests import contract
from zoom_simulator import SimulatorState

from .conftest import Client

# The Home Assistant test plugin blocks sockets; the simulator needs loopback TCP.
pytestmark = pytest.mark.usefixtures("socket_enabled")


class Target(TypedDict):
    """A live-stream target, as the simulator and the document spell it."""

    stream_url: str
    stream_key: str
    page_url: str


TARGET: Target = {
    "stream_url": "rtmp://live.example.com/app",
    "stream_key": "sim-key-1",
    "page_url": "https://example.com/live",
}
UNKNOWN_ID = 99999999999

# Mismatches of the simulator as it is today (the document is the judge).
WEBINAR_PAGE_SIZE_0 = (
    "page_size=0 is a valid request (an integer, no minimum); the simulator "
    "answers 400, which the document does not list for List webinars (200, 404)."
)


@dataclass(frozen=True, kw_only=True)
class Answer:
    """The simulator's answer: status and body."""

    status: int
    body: bytes

    @property
    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True, kw_only=True)
class Ids:
    """The meetings and webinars of the simulated account."""

    live: int
    waiting: int
    unconfigured: int
    webinar: int
    idle_webinar: int


@pytest.fixture
def ids(state: SimulatorState) -> Ids:
    """Add a live, a waiting and an unconfigured meeting, and two webinars."""
    return Ids(
        live=state.add_meeting("Live", started=True, **TARGET).id,
        waiting=state.add_meeting("Waiting", **TARGET).id,
        unconfigured=state.add_meeting("Unconfigured", started=True).id,
        webinar=state.add_meeting("Webinar", kind="webinar", started=True, **TARGET).id,
        idle_webinar=state.add_meeting("Idle webinar", kind="webinar").id,
    )


async def call(
    client: Client,
    method: str,
    path: str,
    *,
    headers: dict[str, str],
    params: dict[str, str] | None = None,
    body: Any = None,
    invalid_on_purpose: bool = False,
) -> Answer:
    """Send a request to the simulator; the document judges it and the answer."""
    raw = (
        None
        if body is None
        else body
        if isinstance(body, bytes)
        else json.dumps(body).encode()
    )
    sent = dict(headers)
    if raw is not None:
        sent["Content-Type"] = "application/json"
    exchange = contract.received(
        "simulator",
        method,
        path,
        (params or {}).items(),
        sent,
        raw,
        sent.get("Content-Type"),
        invalid_on_purpose=invalid_on_purpose,
    )
    if invalid_on_purpose:
        assert exchange.checked.problems, "the document accepts this request"
    response = await client.request(method, path, params=params, data=raw, headers=sent)
    answer = Answer(status=response.status, body=await response.read())
    exchange.answered(answer.status, answer.body, response.headers.get("Content-Type"))
    return answer


# -- GET /users/{userId}/meetings and /users/{userId}/webinars ------------------------


@pytest.mark.parametrize("list_type", [None, "scheduled", "live", "upcoming"])
async def test_list_meetings(
    client: Client, auth: dict[str, str], ids: Ids, list_type: str | None
) -> None:
    """Each list type the simulator knows answers a page of meetings."""
    params = {"page_size": "300"} | ({"type": list_type} if list_type else {})
    answer = await call(
        client, "GET", "/v2/users/me/meetings", headers=auth, params=params
    )
    assert answer.status == 200
    listed = {item["id"] for item in answer.json["meetings"]}
    assert ids.live in listed
    assert (ids.waiting in listed) is (list_type != "live")


@pytest.mark.parametrize("list_type", ["upcoming_meetings", "previous_meetings"])
async def test_list_meetings_of_every_documented_type(
    client: Client, auth: dict[str, str], ids: Ids, list_type: str
) -> None:
    """Every list type the document has is a list, not a refusal."""
    answer = await call(
        client, "GET", "/v2/users/me/meetings", headers=auth, params={"type": list_type}
    )
    assert answer.status == 200


@pytest.mark.parametrize("kind", ["meetings", "webinars"])
async def test_list_page_by_page(
    client: Client, auth: dict[str, str], ids: Ids, kind: str
) -> None:
    """A page token leads to the next page, the last page has an empty token.

    For webinars the token is the document's own advice (see `_add_newer_facts`
    in tests/contract.py).
    """
    path = f"/v2/users/me/{kind}"
    first = await call(client, "GET", path, headers=auth, params={"page_size": "1"})
    assert first.status == 200
    assert len(first.json[kind]) == 1
    token = first.json["next_page_token"]
    assert token
    second = await call(
        client,
        "GET",
        path,
        headers=auth,
        params={"page_size": "1", "next_page_token": token},
    )
    assert second.status == 200
    assert second.json[kind][0]["id"] != first.json[kind][0]["id"]


async def test_list_meetings_with_an_unknown_page_token(
    client: Client, auth: dict[str, str], ids: Ids
) -> None:
    """A token the simulator never gave is refused with a documented 400."""
    answer = await call(
        client,
        "GET",
        "/v2/users/me/meetings",
        headers=auth,
        params={"next_page_token": "not-a-token"},
    )
    assert answer.status == 400


@pytest.mark.parametrize("kind", ["meetings", "webinars"])
async def test_list_of_an_unknown_user(
    client: Client, auth: dict[str, str], ids: Ids, kind: str
) -> None:
    """A user of no account the token reaches is 404, code 1001."""
    answer = await call(
        client, "GET", f"/v2/users/nobody@example.org/{kind}", headers=auth
    )
    assert answer.status == 404
    assert answer.json["code"] == 1001


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("meetings", {"type": "past"}),
        ("meetings", {"page_size": "many"}),
        ("webinars", {"type": "live"}),
        ("webinars", {"page_size": "many"}),
    ],
)
async def test_list_refuses_an_invalid_query(
    client: Client, auth: dict[str, str], ids: Ids, kind: str, params: dict[str, str]
) -> None:
    """A query the document rejects is refused with 400, code 300."""
    answer = await call(
        client,
        "GET",
        f"/v2/users/me/{kind}",
        headers=auth,
        params=params,
        invalid_on_purpose=True,
    )
    assert answer.status == 400
    assert answer.json["code"] == 300


@pytest.mark.parametrize(
    "kind",
    [
        "meetings",
        pytest.param(
            "webinars",
            marks=pytest.mark.xfail(strict=True, reason=WEBINAR_PAGE_SIZE_0),
        ),
    ],
)
async def test_list_with_page_size_0(
    client: Client, auth: dict[str, str], ids: Ids, kind: str
) -> None:
    """A valid but useless page size gets an answer the document allows."""
    answer = await call(
        client, "GET", f"/v2/users/me/{kind}", headers=auth, params={"page_size": "0"}
    )
    assert answer.status in (200, 400)


# -- GET /meetings/{meetingId} and /webinars/{webinarId} ------------------------------


async def test_get_details(client: Client, auth: dict[str, str], ids: Ids) -> None:
    """Meetings come with their status, webinars without one."""
    live = await call(client, "GET", f"/v2/meetings/{ids.live}", headers=auth)
    waiting = await call(client, "GET", f"/v2/meetings/{ids.waiting}", headers=auth)
    webinar = await call(client, "GET", f"/v2/webinars/{ids.webinar}", headers=auth)
    assert (live.status, waiting.status, webinar.status) == (200, 200, 200)
    assert (live.json["status"], waiting.json["status"]) == ("started", "waiting")
    assert "status" not in webinar.json


@pytest.mark.parametrize("kind", ["meetings", "webinars"])
async def test_get_details_of_an_unknown_id(
    client: Client, auth: dict[str, str], ids: Ids, kind: str
) -> None:
    """An ID of nothing is 404, code 3001."""
    answer = await call(client, "GET", f"/v2/{kind}/{UNKNOWN_ID}", headers=auth)
    assert answer.status == 404
    assert answer.json["code"] == 3001


async def test_get_details_of_a_malformed_id(
    client: Client, auth: dict[str, str], ids: Ids
) -> None:
    """A meeting ID must be an integer; a webinar ID is a string the simulator refuses."""
    meeting = await call(
        client, "GET", "/v2/meetings/abc", headers=auth, invalid_on_purpose=True
    )
    webinar = await call(client, "GET", "/v2/webinars/abc", headers=auth)
    assert (meeting.status, webinar.status) == (400, 400)


# -- GET and PATCH .../livestream ------------------------------------------------------


async def test_get_live_stream(client: Client, auth: dict[str, str], ids: Ids) -> None:
    """The target as configured; a meeting that never had one answers no body.

    (zoom-api.md, unconfirmed: the one public client that handles the case
    receives 200 with an empty body; the simulator's default.)
    """
    live = await call(
        client, "GET", f"/v2/meetings/{ids.live}/livestream", headers=auth
    )
    unconfigured = await call(
        client, "GET", f"/v2/meetings/{ids.unconfigured}/livestream", headers=auth
    )
    webinar = await call(
        client, "GET", f"/v2/webinars/{ids.webinar}/livestream", headers=auth
    )
    assert (live.status, unconfigured.status, webinar.status) == (200, 200, 200)
    assert live.json["stream_key"] == webinar.json["stream_key"] == "sim-key-1"
    assert unconfigured.body == b""


@pytest.mark.parametrize(
    ("method", "kind", "suffix", "body"),
    [
        ("GET", "meetings", "/livestream", None),
        ("PATCH", "meetings", "/livestream", TARGET),
        ("PATCH", "meetings", "/livestream/status", {"action": "stop"}),
        ("GET", "webinars", "/livestream", None),
        ("PATCH", "webinars", "/livestream", TARGET),
        ("PATCH", "webinars", "/livestream/status", {"action": "stop"}),
    ],
)
async def test_live_stream_of_an_unknown_id(
    client: Client,
    auth: dict[str, str],
    ids: Ids,
    method: str,
    kind: str,
    suffix: str,
    body: dict[str, str] | None,
) -> None:
    """A live-stream operation on nothing is refused as the document says."""
    answer = await call(
        client, method, f"/v2/{kind}/{UNKNOWN_ID}{suffix}", headers=auth, body=body
    )
    assert answer.json["code"] == 3001


@pytest.mark.parametrize("kind", ["meetings", "webinars"])
@pytest.mark.parametrize("resolution", [None, "1080p"])
async def test_update_live_stream(
    client: Client,
    auth: dict[str, str],
    ids: Ids,
    state: SimulatorState,
    kind: str,
    resolution: str | None,
) -> None:
    """A whole target (and a resolution) is taken with 204."""
    meeting_id = ids.waiting if kind == "meetings" else ids.idle_webinar
    body = {**TARGET, **({"resolution": resolution} if resolution else {})}
    answer = await call(
        client, "PATCH", f"/v2/{kind}/{meeting_id}/livestream", headers=auth, body=body
    )
    assert answer.status == 204
    assert state.meetings[meeting_id].live_stream["resolution"] == (
        resolution or "720p"
    )


@pytest.mark.parametrize(
    "body",
    [
        {"stream_url": TARGET["stream_url"], "stream_key": TARGET["stream_key"]},
        {**TARGET, "stream_key": "k" * 513},
        {**TARGET, "stream_url": 42},
        b"stream_url=rtmp://live.example.com/app",
    ],
)
async def test_update_live_stream_refuses_an_invalid_body(
    client: Client, auth: dict[str, str], ids: Ids, body: Any
) -> None:
    """A target the document rejects is refused with 400, code 300."""
    answer = await call(
        client,
        "PATCH",
        f"/v2/meetings/{ids.waiting}/livestream",
        headers=auth,
        body=body,
        invalid_on_purpose=True,
    )
    assert answer.status == 400
    assert answer.json["code"] == 300


async def test_update_live_stream_while_streaming(
    client: Client, auth: dict[str, str], ids: Ids, state: SimulatorState
) -> None:
    """The target cannot change while the stream is on: 400, code 3000."""
    state.meetings[ids.live].streaming = True
    answer = await call(
        client,
        "PATCH",
        f"/v2/meetings/{ids.live}/livestream",
        headers=auth,
        body=TARGET,
    )
    assert answer.status == 400
    assert answer.json["code"] == 3000


# -- PATCH .../livestream/status ----------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        None,
        {"display_name": "Town hall", "active_speaker_name": True},
        {"layout": "speaker_view", "close_caption": "embedded"},
    ],
)
async def test_start_and_stop_a_meeting(
    client: Client,
    auth: dict[str, str],
    ids: Ids,
    state: SimulatorState,
    settings: dict[str, Any] | None,
) -> None:
    """A live, configured meeting starts (with any documented settings) and stops."""
    path = f"/v2/meetings/{ids.live}/livestream/status"
    start = {"action": "start"} | ({"settings": settings} if settings else {})
    started = await call(client, "PATCH", path, headers=auth, body=start)
    assert started.status == 204
    assert state.meetings[ids.live].streaming
    stopped = await call(client, "PATCH", path, headers=auth, body={"action": "stop"})
    assert stopped.status == 204
    assert not state.meetings[ids.live].streaming


async def test_start_and_stop_a_webinar(
    client: Client, auth: dict[str, str], ids: Ids, state: SimulatorState
) -> None:
    """A live, configured webinar starts with its settings and stops."""
    path = f"/v2/webinars/{ids.webinar}/livestream/status"
    start = {"action": "start", "settings": {"display_name": "Launch"}}
    assert (await call(client, "PATCH", path, headers=auth, body=start)).status == 204
    assert state.meetings[ids.webinar].streaming
    stop = {"action": "stop"}
    assert (await call(client, "PATCH", path, headers=auth, body=stop)).status == 204


@pytest.mark.parametrize(
    ("kind", "which", "code"),
    [
        ("meetings", "waiting", 3000),
        ("meetings", "unconfigured", 3000),
        ("webinars", "idle_webinar", 200),
    ],
)
async def test_start_refused(
    client: Client, auth: dict[str, str], ids: Ids, kind: str, which: str, code: int
) -> None:
    """Not started, or without a target: 400 with Zoom's code."""
    meeting_id = getattr(ids, which)
    answer = await call(
        client,
        "PATCH",
        f"/v2/{kind}/{meeting_id}/livestream/status",
        headers=auth,
        body={"action": "start"},
    )
    assert answer.status == 400
    assert answer.json["code"] == code


@pytest.mark.parametrize(
    "body",
    [
        {"action": "Start"},
        {"action": "start", "settings": {"display_name": ""}},
        {"action": "start", "settings": {"layout": "grid"}},
        {"action": "start", "settings": "speaker_view"},
    ],
)
async def test_start_refuses_an_invalid_body(
    client: Client, auth: dict[str, str], ids: Ids, body: dict[str, Any]
) -> None:
    """A start the document rejects is refused with 400, code 300."""
    answer = await call(
        client,
        "PATCH",
        f"/v2/meetings/{ids.live}/livestream/status",
        headers=auth,
        body=body,
        invalid_on_purpose=True,
    )
    assert answer.status == 400
    assert answer.json["code"] == 300


# -- what Zoom may answer to any operation ------------------------------------------

OPERATIONS = [
    ("GET", "/v2/users/me/meetings", None),
    ("GET", "/v2/users/me/webinars", None),
    ("GET", "/v2/meetings/{live}", None),
    ("GET", "/v2/webinars/{webinar}", None),
    ("GET", "/v2/meetings/{live}/livestream", None),
    ("GET", "/v2/webinars/{webinar}/livestream", None),
    ("PATCH", "/v2/meetings/{waiting}/livestream", TARGET),
    ("PATCH", "/v2/webinars/{webinar}/livestream", TARGET),
    ("PATCH", "/v2/meetings/{live}/livestream/status", {"action": "stop"}),
    ("PATCH", "/v2/webinars/{webinar}/livestream/status", {"action": "stop"}),
]


def test_every_operation_is_called() -> None:
    """OPERATIONS covers the document's ten operations."""
    found = set()
    for method, path, _ in OPERATIONS:
        operation, _ = contract.contract().find(
            method, path.format(live=1, webinar=2, waiting=3)
        )
        assert operation is not None
        found.add(operation.operation_id)
    assert found == {op.operation_id for op in contract.contract().operations}


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
async def test_every_operation_wants_a_token(
    client: Client, ids: Ids, method: str, path: str, body: dict[str, str] | None
) -> None:
    """Without a token every operation answers 401, code 124."""
    answer = await call(
        client,
        method,
        path.format(**vars(ids)),
        headers={},
        body=body,
        invalid_on_purpose=True,
    )
    assert answer.status == 401
    assert answer.json["code"] == 124


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
async def test_every_operation_answers_injected_faults(
    client: Client,
    auth: dict[str, str],
    ids: Ids,
    state: SimulatorState,
    method: str,
    path: str,
    body: dict[str, str] | None,
) -> None:
    """An outage (503, HTML) and a rate limit (429) may answer any operation."""
    state.fail_next(1, 503, "<html>Service Unavailable</html>")
    state.fail_next(1, 429, {"code": 429, "message": "Too many requests."})
    path = path.format(**vars(ids))
    outage = await call(client, method, path, headers=auth, body=body)
    limited = await call(client, method, path, headers=auth, body=body)
    assert (outage.status, limited.status) == (503, 429)


async def test_daily_limit(
    client: Client, auth: dict[str, str], ids: Ids, state: SimulatorState
) -> None:
    """Past its daily quota a list answers 429 with Zoom's code."""
    # Daily quotas are a Free plan's (live streaming needs Pro, without them).
    state.set_modes({"plan": "free"})
    state.daily_limits["Medium"] = 0
    answer = await call(client, "GET", "/v2/users/me/meetings", headers=auth)
    assert answer.status == 429
    assert answer.json["code"] == 429
