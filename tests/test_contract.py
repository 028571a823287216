"""Tests of the contract: Zoom's OpenAPI document judges the doubles and the client."""

from __future__ import annotations

from collections.abc import Generator
import copy
from http import HTTPStatus
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.zoom_livestream.zoom import (
    LiveStreamConfig,
    LiveStreamStartSettings,
    MeetingKind,
    Resolution,
    StaticTokenAuth,
    ZoomApiError,
    ZoomClient,
)
from homeassistant.core import HomeAssistant

from . import contract
from .conftest import API, MEETING_ID, WEBINAR_ID, ZoomMock
from .zoom.zoom_server import ZoomServer

ROOT = Path(__file__).parents[1]
BEARER = {"Authorization": "Bearer token-1"}
MEETING_STATUS = f"/v2/meetings/{MEETING_ID}/livestream/status"
WEBINAR_STATUS = f"/v2/webinars/{WEBINAR_ID}/livestream/status"
MEETING_STREAM = f"/v2/meetings/{MEETING_ID}/livestream"
LIST_MEETINGS = "/v2/users/me/meetings"
TARGET: dict[str, Any] = {
    "stream_url": "rtmp://a.rtmp.youtube.com/live2",
    "stream_key": "yt-key-1234",
    "page_url": "https://youtube.com/@example/live",
}


@pytest.fixture
def tally() -> Generator[contract.Tally]:
    """Keep this test's checks out of the run's totals and mismatches."""
    saved = copy.deepcopy(contract.TALLY)
    yield contract.TALLY
    for name in ("requests", "responses", "outside", "tolerated", "tolerated_tests"):
        setattr(contract.TALLY, name, getattr(saved, name))
    contract.TALLY.mismatches.clear()


def request_problems(
    method: str,
    path: str,
    body: Any = None,
    *,
    query: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> list[str]:
    """Return how the document judges a request (a JSON body unless bytes)."""
    raw = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    return (
        contract.contract()
        .check_request(
            method,
            path,
            query or [],
            BEARER if headers is None else headers,
            raw,
            content_type,
        )
        .problems
    )


def response_problems(
    method: str,
    path: str,
    status: int,
    body: Any = b"",
    content_type: str | None = "application/json",
) -> list[str]:
    """Return how the document judges an answer (a JSON body unless bytes)."""
    operation, problems = contract.contract().find(method, path)
    assert operation is not None, problems
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return contract.contract().check_response(operation, status, raw, content_type)


# -- the document --------------------------------------------------------------------


def test_the_copy_is_the_shared_document() -> None:
    """tests/fixtures/zoom/meeting-api.yaml is ../shared/zoom/meeting-api.yaml, byte for byte."""
    if not contract.SHARED_DOCUMENT.is_file():
        pytest.skip(
            f"{contract.SHARED_DOCUMENT} does not exist here (a checkout without "
            "../shared, as on GitHub): nothing to compare the copy with"
        )
    assert contract.DOCUMENT.read_bytes() == contract.SHARED_DOCUMENT.read_bytes(), (
        "The shared document changed: copy it again with "
        "`cp ../shared/zoom/meeting-api.yaml tests/fixtures/zoom/`"
    )


def test_the_copy_names_its_source() -> None:
    """The copy's header says where Zoom's document comes from and what was cut."""
    header = contract.DOCUMENT.read_text(encoding="utf-8").split("openapi:")[0]
    assert "Source: Zoom's published Meeting API OpenAPI document" in header
    assert "konfig-sdks/zoom-meeting-java-sdk" in header
    assert "Trimmed to these operations" in header


def test_the_document_has_the_operations_the_client_calls() -> None:
    """All ten operations of the eight paths, and only those, are judged."""
    assert sorted(
        (op.method, op.template) for op in contract.contract().operations
    ) == [
        ("GET", "/meetings/{meetingId}"),
        ("GET", "/meetings/{meetingId}/livestream"),
        ("GET", "/users/{userId}/meetings"),
        ("GET", "/users/{userId}/webinars"),
        ("GET", "/webinars/{webinarId}"),
        ("GET", "/webinars/{webinarId}/livestream"),
        ("PATCH", "/meetings/{meetingId}/livestream"),
        ("PATCH", "/meetings/{meetingId}/livestream/status"),
        ("PATCH", "/webinars/{webinarId}/livestream"),
        ("PATCH", "/webinars/{webinarId}/livestream/status"),
    ]


def test_newer_facts_extend_only_a_meetings_start() -> None:
    """`layout` and `close_caption` (zoom-api.md) are added to meetings, not webinars."""
    schemas = contract.load_document()["components"]["schemas"]
    meeting = schemas["MeetingsLivestreamStatusUpdateRequest_settings"]["properties"]
    webinar = schemas["WebinarsUpdateLiveStreamStatusRequest_settings"]["properties"]
    assert meeting["layout"]["enum"] == ["follow_host", "gallery_view", "speaker_view"]
    assert meeting["close_caption"]["enum"] == ["burnt-in", "embedded", "off"]
    assert "layout" not in webinar
    assert "close_caption" not in webinar


# -- requests ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (MEETING_STATUS, {"action": "stop"}),
        (MEETING_STATUS, {"action": "start"}),
        (
            MEETING_STATUS,
            {
                "action": "start",
                "settings": LiveStreamStartSettings(
                    display_name="Town hall", active_speaker_name=True
                ).to_json(),
            },
        ),
        (
            MEETING_STATUS,
            {
                "action": "start",
                "settings": {"layout": "gallery_view", "close_caption": "burnt-in"},
            },
        ),
        (WEBINAR_STATUS, {"action": "start", "settings": {"display_name": "x" * 50}}),
        (
            MEETING_STREAM,
            LiveStreamConfig(
                TARGET["stream_url"],
                TARGET["stream_key"],
                TARGET["page_url"],
                Resolution.HD_1080,
            ).to_json(),
        ),
        (
            f"/v2/webinars/{WEBINAR_ID}/livestream",
            LiveStreamConfig(
                TARGET["stream_url"], TARGET["stream_key"], TARGET["page_url"]
            ).to_json(),
        ),
    ],
)
def test_the_clients_bodies_are_accepted(path: str, body: dict[str, Any]) -> None:
    """What the client's models send for a start, a stop and a target is valid."""
    assert request_problems("PATCH", path, body) == []


@pytest.mark.parametrize(
    ("path", "body", "problem"),
    [
        (
            MEETING_STATUS,
            {"action": "Start"},
            "'Start' is not one of ['start', 'stop']",
        ),
        (
            MEETING_STATUS,
            {"action": "start", "settings": "x"},
            "is not of type 'object'",
        ),
        (
            MEETING_STATUS,
            {"action": "start", "settings": {"display_name": ""}},
            "should be non-empty",
        ),
        (
            MEETING_STATUS,
            {"action": "start", "settings": {"display_name": "x" * 51}},
            "is too long",
        ),
        (
            MEETING_STATUS,
            {"action": "start", "settings": {"active_speaker_name": "yes"}},
            "'yes' is not of type 'boolean'",
        ),
        (
            MEETING_STATUS,
            {"action": "start", "settings": {"layout": "grid"}},
            "'grid' is not one of",
        ),
        (
            MEETING_STATUS,
            {"action": "start", "settings": {"close_caption": "on"}},
            "'on' is not one of",
        ),
        (
            MEETING_STATUS,
            {"action": "start", "settings": {"displayname": "Town hall"}},
            "('displayname' was unexpected)",
        ),
        (
            WEBINAR_STATUS,
            {"action": "start", "settings": {"layout": "speaker_view"}},
            "('layout' was unexpected)",
        ),
        (
            MEETING_STREAM,
            {"stream_url": TARGET["stream_url"], "stream_key": "k"},
            "'page_url' is a required property",
        ),
        (MEETING_STREAM, {**TARGET, "stream_key": "k" * 513}, "is too long"),
        (MEETING_STREAM, {**TARGET, "page_url": "not a URL"}, "is not a 'uri'"),
        (MEETING_STREAM, {**TARGET, "stream_key": 1234}, "is not of type 'string'"),
        (MEETING_STREAM, [TARGET], "is not of type 'object'"),
        (MEETING_STREAM, b"stream_url=rtmp", "the request body is not JSON"),
    ],
)
def test_a_wrong_request_body_is_rejected(path: str, body: Any, problem: str) -> None:
    """A body off the operation's schema is a mismatch that says what is wrong."""
    problems = request_problems("PATCH", path, body)
    assert any(problem in text for text in problems), problems


def test_a_body_must_be_sent_as_json() -> None:
    """The document's bodies are application/json, and GETs take none."""
    assert request_problems(
        "PATCH", MEETING_STATUS, {"action": "stop"}, content_type="text/plain"
    ) == ["request body sent as 'text/plain', not 'application/json'"]
    assert request_problems("GET", f"/v2/meetings/{MEETING_ID}", {"x": 1}) == [
        "the request has a body; GET takes none"
    ]


@pytest.mark.parametrize(
    ("path", "query", "problem"),
    [
        (f"/v2/meetings/{MEETING_ID}x", [], "meetingId='85746065432x': not an integer"),
        (f"/v2/meetings/{2**63}", [], "is not a 'int64'"),
        (
            f"/v2/meetings/{MEETING_ID}",
            [("show_previous_occurrences", "yes")],
            "not true or false",
        ),
        (LIST_MEETINGS, [("type", "past")], "'past' is not one of"),
        (LIST_MEETINGS, [("page_size", "301")], "greater than the maximum of 300"),
        (LIST_MEETINGS, [("page_size", "many")], "not an integer"),
        (LIST_MEETINGS, [("pagesize", "300")], "'pagesize' is not in the document"),
        (
            LIST_MEETINGS,
            [("type", "live"), ("type", "scheduled")],
            "'type' is sent 2 times",
        ),
        ("/v2/users/me/webinars", [("type", "live")], "'live' is not one of"),
    ],
)
def test_wrong_parameters_are_rejected(
    path: str, query: list[tuple[str, str]], problem: str
) -> None:
    """Path and query parameters are read as their types and checked."""
    problems = request_problems("GET", path, query=query)
    assert any(problem in text for text in problems), problems


def test_the_clients_queries_are_accepted() -> None:
    """A meeting list as the client asks for it, and an ID by email, are valid."""
    query = [("type", "live"), ("page_size", "300"), ("next_page_token", "t0k3n")]
    assert request_problems("GET", LIST_MEETINGS, query=query) == []
    assert (
        request_problems(
            "GET", "/v2/users/host%40example.com/webinars", query=[("page_size", "300")]
        )
        == []
    )


def test_a_request_without_a_token_is_rejected() -> None:
    """Every operation's security asks for the Authorization header."""
    assert request_problems("GET", f"/v2/meetings/{MEETING_ID}", headers={}) == [
        "no Authorization header (the document's security: openapi_oauth, or "
        "openapi_authorization in the Authorization header)"
    ]


def test_requests_outside_the_document() -> None:
    """Paths it does not have are not judged; a method it does not have is."""
    for method, path in (
        ("GET", "/v2/users/me"),
        ("GET", "/v2/users/user-xyz"),
        ("POST", "/oauth/token"),
        ("GET", "/v2/meetings/1/recordings"),
    ):
        operation, problems = contract.contract().find(method, path)
        assert (operation, problems) == (None, [])
    assert request_problems("DELETE", f"/v2/meetings/{MEETING_ID}") == [
        "the document has no DELETE for /meetings/{meetingId} (only GET)"
    ]


# -- answers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("PATCH", MEETING_STATUS, 200),
        ("PATCH", MEETING_STATUS, 409),
        ("GET", f"/v2/meetings/{MEETING_ID}", 204),
        ("GET", "/v2/users/me/webinars", 400),
        ("GET", f"/v2/webinars/{WEBINAR_ID}/livestream", 404),
        ("PATCH", WEBINAR_STATUS, 404),
    ],
)
def test_an_undocumented_status_is_rejected(
    method: str, path: str, status: int
) -> None:
    """A status the operation does not list is a mismatch naming those it does."""
    problems = response_problems(method, path, status, {"code": 300, "message": "x"})
    assert len(problems) == 1
    assert f"status {status} is not documented for {method}" in problems[0]


@pytest.mark.parametrize(
    ("method", "path", "status", "body"),
    [
        ("PATCH", MEETING_STATUS, 204, b""),
        ("PATCH", MEETING_STATUS, 400, {"code": 3000, "message": "Not live."}),
        ("PATCH", MEETING_STATUS, 404, {"code": 3001, "message": "No meeting."}),
        ("PATCH", WEBINAR_STATUS, 400, {"code": 3001, "message": "No webinar."}),
        ("GET", "/v2/users/me/webinars", 401, {"code": 124, "message": "Expired."}),
        ("GET", "/v2/users/me/webinars", 403, b""),
        ("GET", "/v2/users/me/webinars", 400, {"code": 4711, "message": "Scopes."}),
        ("GET", "/v2/users/me/webinars", 429, {"code": 429, "message": "Slow."}),
        ("GET", "/v2/users/me/webinars", 503, b"<html>down</html>"),
    ],
)
def test_documented_and_global_statuses_are_accepted(
    method: str, path: str, status: int, body: Any
) -> None:
    """The operation's own statuses, and those Zoom documents for every operation."""
    assert response_problems(method, path, status, body) == []


def test_any_400_answers_a_request_the_document_rejects() -> None:
    """Zoom's validation error (400, code 300) may answer any invalid request."""
    operation, _ = contract.contract().find("GET", "/v2/users/me/webinars")
    assert operation is not None
    body = b'{"code": 300, "message": "Invalid field."}'
    assert contract.contract().check_response(operation, 400, body, None) != []
    assert (
        contract.contract().check_response(
            operation, 400, body, None, request_valid=False
        )
        == []
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"meetings": "none"}, "'none' is not of type 'array'"),
        ({"meetings": [{"id": str(MEETING_ID)}]}, "is not of type 'integer'"),
        ({"meetings": [{"id": 2**64}]}, "is not a 'int64'"),
        ({"meetings": [{"id": 1, "type": 4}]}, "4 is not one of [1, 2, 3, 8]"),
        (
            {"meetings": [{"id": 1, "start_time": "tomorrow"}]},
            "'tomorrow' is not a 'date-time'",
        ),
        ({"next_page_token": None}, "None for not nullable"),
        ({"page_size": 301}, "greater than the maximum of 300"),
        ([], "is not of type 'object'"),
        (b"<html>", "body is not JSON"),
        (b"", "a 200 answer has no body"),
    ],
)
def test_a_wrong_answer_body_is_rejected(body: Any, problem: str) -> None:
    """A 2xx body off the operation's schema is a mismatch that says what is wrong."""
    problems = response_problems("GET", LIST_MEETINGS, 200, body)
    assert any(problem in text for text in problems), problems


def test_answers_must_be_labelled_and_bodiless_where_documented() -> None:
    """JSON comes as application/json; a 204 has no body."""
    assert response_problems("GET", LIST_MEETINGS, 200, {}, "text/plain") == [
        "a 200 answer is 'text/plain', not 'application/json'"
    ]
    assert response_problems("PATCH", MEETING_STATUS, 204, {}) == [
        "a 204 answer has a body; the document gives it none"
    ]


@pytest.mark.parametrize(
    "path", [MEETING_STREAM, f"/v2/webinars/{WEBINAR_ID}/livestream"]
)
@pytest.mark.parametrize("body", [b"", b"  ", {}])
def test_a_stream_target_read_may_be_empty(path: str, body: Any) -> None:
    """zoom-api.md: no target yet may answer 200 with an empty body (or `{}`)."""
    assert response_problems("GET", path, 200, body) == []


def test_only_a_stream_target_read_may_be_empty() -> None:
    """Other reads with a schema need their body."""
    assert response_problems("GET", f"/v2/meetings/{MEETING_ID}", 200, b"") == [
        "a 200 answer has no body; the document gives it one"
    ]


# -- the doubles report what the document rejects ----------------------------------


async def test_zoom_mock_reports_its_wrong_answers(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    zoom: ZoomMock,
    tally: contract.Tally,
) -> None:
    """What ZoomMock receives and answers is judged: here a wrong body and status."""
    session = aioclient_mock.create_session(hass.loop)
    client = ZoomClient(session, StaticTokenAuth("token-1"), api_base=API)
    zoom.livestream[MEETING_ID] = {**TARGET, "stream_key": 1234}
    zoom.fail("PATCH", f"/meetings/{MEETING_ID}/livestream/status", HTTPStatus.CONFLICT)
    requests, responses = tally.requests, tally.responses

    await client.async_get_live_stream(MeetingKind.MEETING, MEETING_ID)
    with pytest.raises(ZoomApiError):
        await client.async_stop_live_stream(MeetingKind.MEETING, MEETING_ID)
    await client.async_get_current_user()
    await session.close()

    assert (tally.requests - requests, tally.responses - responses) == (2, 2)
    assert tally.outside["GET /v2/users/me"] >= 1
    assert tally.mismatches == [
        f"ZoomMock answered GET {MEETING_STREAM} (Meetings_getLivestreamDetails): "
        "200 body['stream_key']: 1234 is not of type 'string'",
        f"ZoomMock answered PATCH {MEETING_STATUS} (Meetings_livestreamStatusUpdate): "
        "status 409 is not documented for PATCH /meetings/{meetingId}/livestream/status "
        "(Meetings_livestreamStatusUpdate); it lists 204, 400, 404 "
        "(and 401, 403, 429, 5xx for every operation)",
    ]
    # Expected here: they must not fail this test.
    tally.mismatches.clear()


async def test_zoom_mock_labels_injected_json(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    zoom: ZoomMock,
    tally: contract.Tally,
) -> None:
    """An injected JSON answer is application/json, as Zoom's are."""
    session = aioclient_mock.create_session(hass.loop)
    client = ZoomClient(session, StaticTokenAuth("token-1"), api_base=API)
    zoom.fail("GET", LIST_MEETINGS.removeprefix("/v2"), HTTPStatus.OK, {"meetings": []})

    assert await client.async_list_meetings() == []
    await session.close()

    assert tally.mismatches == []
    assert [call.method for call in zoom.calls] == ["GET"]


@pytest.mark.usefixtures("socket_enabled")
async def test_zoom_server_reports_the_clients_wrong_requests(
    tally: contract.Tally,
) -> None:
    """What the loopback ZoomServer receives and answers is judged too."""
    server = ZoomServer()
    await server.start()
    server.patch(MEETING_STATUS, status=204)
    try:
        async with aiohttp.ClientSession() as session:
            response = await session.patch(
                server.url(MEETING_STATUS), json={"action": "Start"}
            )
            assert response.status == 204
    finally:
        await server.close()

    assert tally.mismatches == [
        f"ZoomServer received PATCH {MEETING_STATUS}: no Authorization header (the "
        "document's security: openapi_oauth, or openapi_authorization in the "
        "Authorization header)",
        f"ZoomServer received PATCH {MEETING_STATUS}: request body['action']: "
        "'Start' is not one of ['start', 'stop']",
    ]
    # Expected here: they must not fail this test.
    tally.mismatches.clear()


# -- the plugin ----------------------------------------------------------------------


def test_mismatches_fail_the_test_with_all_of_them(tally: contract.Tally) -> None:
    """The test that caused mismatches fails, listing each once."""
    tally.mismatches.extend(["first problem", "second problem", "first problem"])
    with pytest.raises(pytest.fail.Exception) as failure:
        contract._fail_on_mismatches()  # noqa: SLF001
    assert str(failure.value) == (
        "Zoom's OpenAPI document (tests/fixtures/zoom/meeting-api.yaml) rejects "
        "3 request(s) or answer(s) of this test:\n  - first problem\n  - second problem"
    )
    assert tally.mismatches == []


def test_the_summary_line() -> None:
    """One line: requests and answers checked, and what is outside the document."""
    tally = contract.Tally(requests=12, responses=11)
    tally.outside.update({"POST /oauth/token": 3, "GET /v2/users/me": 2})
    assert tally.summary() == (
        "contract: 12 requests and 11 responses validated against Zoom's OpenAPI "
        "document (5 out of the document: GET /v2/users/me x2, POST /oauth/token x3)"
    )
    tally.answer_mismatch("tolerated nowhere")
    assert tally.mismatches == ["tolerated nowhere"]
    tally.start("tests/test_faults.py::test_deeply_nested_list_fails_the_poll_cleanly")
    tally.answer_mismatch("a list nested too deep")
    assert tally.mismatches == []
    assert tally.summary().endswith(
        "POST /oauth/token x3; 1 answers deliberately off it in 1 robustness tests)"
    )


@pytest.mark.parametrize(
    "key", [*contract.OFF_DOCUMENT_ANSWERS, *contract.CLIENT_MISMATCHES]
)
def test_registered_tests_exist(key: str) -> None:
    """Every test named in the registries of tests/contract.py exists."""
    path, _, test = key.partition("::")
    function = test.partition("[")[0]
    assert f"def {function}(" in (ROOT / path).read_text(encoding="utf-8"), key
