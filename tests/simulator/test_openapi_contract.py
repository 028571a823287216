"""Every answer on Zoom's eight paths keeps to Zoom's OpenAPI document, in every mode.

Two newer facts of zoom-api.md win over the 2024 document: a meeting's stream
start takes ``layout`` and ``close_caption``, and the live-stream read of a
meeting that never had a target may be 200 with no body.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from zoom_simulator import SimulatorState
from zoom_simulator.models import MeetingKind

from .conftest import Client
from .openapi import SPEC_PATH, Answer, OpenApi, template_of

pytestmark = [
    pytest.mark.usefixtures("socket_enabled"),
    pytest.mark.skipif(
        not SPEC_PATH.is_file(), reason=f"Zoom's OpenAPI document is not at {SPEC_PATH}"
    ),
]

TARGET = {"stream_url": "rtmp://x/live", "stream_key": "k", "page_url": "https://e/w"}

MODES: list[dict[str, Any]] = [
    {},
    {"live_stream_without_target": "empty-object", "live_lists_instant": True},
    {"rate_limit_headers": "full", "plan": "free"},
    {"rate_limit_headers": "no-type", "plan": "free"},
    {"s2s_me": "refused"},
    {"s2s_me": "admin"},
]


@pytest.fixture(scope="module")
def openapi() -> OpenApi:
    """Zoom's document, loaded once."""
    return OpenApi()


class Recorder:
    """Sends requests to the simulator and keeps every answer."""

    def __init__(self, client: Client, auth: dict[str, str]) -> None:
        """Send with ``client`` and these headers."""
        self.client = client
        self.auth = auth
        self.answers: list[Answer] = []

    async def __call__(
        self, method: str, path: str, *, auth: bool = True, **kwargs: Any
    ) -> Answer:
        """Send one request and record its answer."""
        resp = await self.client.request(
            method, path, headers=self.auth if auth else {}, **kwargs
        )
        answer = Answer(method, path, resp.status, resp.content_type, await resp.read())
        assert template_of(path) is not None, path
        self.answers.append(answer)
        return answer


def _targeted(state: SimulatorState, topic: str, kind: MeetingKind) -> int:
    return state.add_meeting(
        topic,
        kind=kind,
        started=True,
        stream_url=TARGET["stream_url"],
        stream_key=TARGET["stream_key"],
        page_url=TARGET["page_url"],
    ).id


def _arrange(state: SimulatorState) -> dict[str, int]:
    """Every kind of meeting and webinar the simulator has, in every state."""
    ids = {
        "live": _targeted(state, "Live", "meeting"),
        "bare": state.add_meeting("Bare").id,
        "recurring": state.add_meeting("Weekly", meeting_type=8).id,
        "no_fixed_time": state.add_meeting("Any time", meeting_type=3).id,
        "instant": state.add_meeting("Instant", meeting_type=1, started=True).id,
        "personal": state.add_meeting("Personal", meeting_type=4, started=True).id,
        "webinar": _targeted(state, "All-hands", "webinar"),
        "webinar_idle": state.add_meeting("Idle", kind="webinar").id,
        "webinar_series": state.add_meeting(
            "Series", kind="webinar", meeting_type=9
        ).id,
    }
    recurring = state.meetings[ids["recurring"]]
    state.delete_meeting(recurring.id, recurring.occurrences[0].occurrence_id)
    return ids


async def _walk(call: Recorder, state: SimulatorState) -> None:
    """Call each of the eight paths with good and bad requests."""
    ids = _arrange(state)
    for user in ("me", state.user.id, state.user.email, "ghost"):
        for list_type in (
            "scheduled",
            "live",
            "upcoming",
            "upcoming_meetings",
            "previous_meetings",
            "bogus",
        ):
            await call("GET", f"/v2/users/{user}/meetings", params={"type": list_type})
        for list_type in ("scheduled", "upcoming", "live"):
            await call("GET", f"/v2/users/{user}/webinars", params={"type": list_type})
    first = await call(
        "GET", f"/v2/users/{state.user.id}/meetings", params={"page_size": "1"}
    )
    if first.status == 200:
        token = json.loads(first.body)["next_page_token"]
        await call(
            "GET",
            f"/v2/users/{state.user.id}/meetings",
            params={"page_size": "1", "next_page_token": token},
        )
    await call("GET", "/v2/users/me/meetings", params={"page_size": "0"})
    await call("GET", "/v2/users/me/meetings", params={"next_page_token": "bogus"})
    for key in ("live", "bare", "recurring", "no_fixed_time", "instant", "personal"):
        await call("GET", f"/v2/meetings/{ids[key]}")
        await call("GET", f"/v2/meetings/{ids[key]}/livestream")
    for key in ("webinar", "webinar_idle", "webinar_series"):
        await call("GET", f"/v2/webinars/{ids[key]}")
        await call("GET", f"/v2/webinars/{ids[key]}/livestream")
    for kind in ("meetings", "webinars"):
        for bad in (
            "12345678901",
            "abc",
            str(ids["webinar" if kind == "meetings" else "live"]),
        ):
            await call("GET", f"/v2/{kind}/{bad}")
            await call("GET", f"/v2/{kind}/{bad}/livestream")
            await call("PATCH", f"/v2/{kind}/{bad}/livestream", json=TARGET)
            await call(
                "PATCH", f"/v2/{kind}/{bad}/livestream/status", json={"action": "stop"}
            )
    for kind, live, idle in (
        ("meetings", ids["live"], ids["bare"]),
        ("webinars", ids["webinar"], ids["webinar_idle"]),
    ):
        await call("PATCH", f"/v2/{kind}/{idle}/livestream", json={"stream_url": "x"})
        await call("PATCH", f"/v2/{kind}/{idle}/livestream", data=b"{nope")
        await call(
            "PATCH", f"/v2/{kind}/{idle}/livestream/status", json={"action": "start"}
        )
        settings = {"display_name": "Live", "active_speaker_name": True}
        if kind == "meetings":
            settings |= {"layout": "gallery_view", "close_caption": "burnt-in"}
        else:
            await call(
                "PATCH",
                f"/v2/{kind}/{live}/livestream/status",
                json={"action": "start", "settings": {"layout": "gallery_view"}},
            )
        await call(
            "PATCH", f"/v2/{kind}/{live}/livestream/status", json={"action": "Start"}
        )
        await call(
            "PATCH",
            f"/v2/{kind}/{live}/livestream/status",
            json={"action": "start", "settings": settings},
        )
        await call("PATCH", f"/v2/{kind}/{live}/livestream", json=TARGET)
        await call(
            "PATCH", f"/v2/{kind}/{live}/livestream/status", json={"action": "stop"}
        )
        await call(
            "PATCH",
            f"/v2/{kind}/{live}/livestream",
            json={**TARGET, "resolution": "1080p"},
        )
        await call("GET", f"/v2/{kind}/{idle}/livestream")
    # Not configured, then configured, on a running meeting without a target.
    state.start_meeting(ids["bare"])
    await call(
        "PATCH",
        f"/v2/meetings/{ids['bare']}/livestream/status",
        json={"action": "start"},
    )
    await call("PATCH", f"/v2/meetings/{ids['bare']}/livestream", json=TARGET)
    await call("GET", f"/v2/meetings/{ids['bare']}/livestream")
    await call("GET", f"/v2/meetings/{ids['live']}", auth=False)


@pytest.mark.parametrize(
    "modes",
    MODES,
    ids=lambda modes: (
        ",".join(f"{name}={value}" for name, value in modes.items()) or "default"
    ),
)
async def test_answers_keep_to_the_openapi_document(
    client: Client,
    state: SimulatorState,
    auth: dict[str, str],
    openapi: OpenApi,
    modes: dict[str, Any],
) -> None:
    """Documented statuses and body schemas only, whatever the mode."""
    state.set_modes(modes)
    # Spend the Free plan's list quota partway, so 429s are among the answers.
    state.daily_limits = {"Light": 1000, "Medium": 30}
    call = Recorder(client, auth)
    await _walk(call, state)
    problems = [
        problem
        for answer in call.answers
        for problem in openapi.problems(
            answer,
            empty_200=answer.method == "GET" and answer.path.endswith("/livestream"),
        )
    ]
    assert problems == []
    statuses = {answer.status for answer in call.answers}
    assert {200, 204, 400, 401} <= statuses
    if modes.get("plan") == "free":
        assert 429 in statuses
    else:
        assert 404 in statuses


async def test_the_checker_catches_what_it_should(openapi: OpenApi) -> None:
    """The checker itself: wrong types, statuses, enums and bodies are caught."""
    details = "/v2/meetings/85746065432"
    assert openapi.problems(
        Answer("GET", details, 200, "application/json", b'{"id": "85746065432"}')
    ) == [f"GET {details} -> 200: $.id is '85746065432', not integer"]
    assert openapi.problems(
        Answer("GET", details, 200, "application/json", b'{"status": "ended"}')
    )
    assert (
        openapi.problems(
            Answer("GET", details, 200, "application/json", b'{"type": 4}')
        )
        == []
    )
    assert openapi.problems(
        Answer("GET", details, 200, "application/json", b'{"type": 5}')
    )
    assert openapi.problems(
        Answer("GET", f"{details}/livestream", 200, "application/json", b"")
    )
    assert (
        openapi.problems(
            Answer("GET", f"{details}/livestream", 200, "application/json", b""),
            empty_200=True,
        )
        == []
    )
    assert openapi.problems(
        Answer(
            "GET",
            "/v2/webinars/1/livestream",
            404,
            "application/json",
            b'{"code": 3001, "message": "x"}',
        )
    ) == [
        "GET /v2/webinars/1/livestream -> 404: status not documented for /webinars/{webinarId}/livestream"
    ]
    assert openapi.problems(
        Answer("PATCH", f"{details}/livestream", 204, "application/json", b"{}")
    )
    assert openapi.problems(Answer("GET", details, 404, "text/html", b"<html></html>"))
    assert openapi.problems(
        Answer(
            "GET",
            "/v2/users/me/webinars",
            400,
            "application/json",
            b'{"code": 3161, "message": "x"}',
        )
    )
