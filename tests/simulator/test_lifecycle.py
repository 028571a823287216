"""Instant, personal-room and recurring meetings, and the lifecycle events."""

from __future__ import annotations

from typing import Any

import pytest

from zoom_simulator import SimulatorState

from .conftest import Client, Receiver

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture
def hooked(state: SimulatorState, receiver: Receiver) -> Receiver:
    """Point the first account's events at the receiver; return it."""
    state.set_webhook(receiver.url(), "zm-secret")
    return receiver


async def _create(client: Client, **body: Any) -> dict[str, Any]:
    resp = await client.post("/_simulator/meetings", json=body)
    assert resp.status == 201, await resp.text()
    meeting: dict[str, Any] = (await resp.json())["meetings"][0]
    return meeting


async def _listed(
    client: Client, auth: dict[str, str], list_type: str, kind: str = "meetings"
) -> list[int]:
    resp = await client.get(
        f"/v2/users/me/{kind}", params={"type": list_type}, headers=auth
    )
    assert resp.status == 200
    return [item["id"] for item in (await resp.json())[kind]]


def _check_common(event: dict[str, Any], account_id: str) -> None:
    """Every event: event_ts in ms, payload.account_id, payload.object.id."""
    assert isinstance(event["event_ts"], int)
    assert event["event_ts"] > 1_600_000_000_000
    assert event["payload"]["account_id"] == account_id
    assert "id" in event["payload"]["object"]


# -- instant and personal-room meetings ------------------------------------------------


@pytest.mark.parametrize("meeting_type", [1, 4])
async def test_unscheduled_meetings_are_not_listed(
    client: Client,
    state: SimulatorState,
    auth: dict[str, str],
    hooked: Receiver,
    meeting_type: int,
) -> None:
    """Instant and personal-room meetings are known from events and details only."""
    scheduled = state.add_meeting("Scheduled", started=True)
    created = await _create(client, topic="Ad hoc", type=meeting_type, started=True)
    meeting_id = created["id"]
    for list_type in ("scheduled", "upcoming", "live"):
        listed = await _listed(client, auth, list_type)
        assert meeting_id not in listed
        assert scheduled.id in listed
    # Its start is pushed (no meeting.created: it was never scheduled) ...
    (event,) = hooked.events()
    assert event["event"] == "meeting.started"
    assert event["payload"]["object"]["id"] == str(meeting_id)
    assert event["payload"]["object"]["type"] == meeting_type
    _check_common(event, state.account_id)
    # ... and its details say it runs.
    details = await (
        await client.get(f"/v2/meetings/{meeting_id}", headers=auth)
    ).json()
    assert (details["type"], details["status"]) == (meeting_type, "started")
    # "Start time will not be returned if the meeting is an instant meeting."
    assert ("start_time" in details) is (meeting_type != 1)


async def test_live_list_of_instant_meetings_is_a_mode(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """With live_lists_instant, running instant meetings are in the live list.

    Personal-room meetings stay out: the list's documented types are 1, 2, 3, 8.
    """
    resp = await client.post("/_simulator/modes", json={"live_lists_instant": True})
    assert (await resp.json())["live_lists_instant"] is True
    instant = state.add_meeting("Instant", meeting_type=1, started=True)
    idle = state.add_meeting("Instant, not yet", meeting_type=1)
    state.add_meeting("Personal room", meeting_type=4, started=True)
    assert await _listed(client, auth, "live") == [instant.id]
    assert await _listed(client, auth, "scheduled") == []
    state.start_meeting(idle.id)
    assert await _listed(client, auth, "live") == [instant.id, idle.id]
    item = (
        await (
            await client.get(
                "/v2/users/me/meetings", params={"type": "live"}, headers=auth
            )
        ).json()
    )["meetings"][0]
    assert item["type"] == 1
    assert "start_time" not in item


async def test_starting_an_instant_meeting_pushes_meeting_started(
    client: Client, state: SimulatorState, hooked: Receiver
) -> None:
    """An instant meeting created idle pushes meeting.started when it starts."""
    created = await _create(client, type=1)
    assert hooked.events() == []
    resp = await client.post(f"/_simulator/meetings/{created['id']}/start")
    assert resp.status == 200
    (event,) = hooked.events()
    assert (event["event"], event["payload"]["object"]["id"]) == (
        "meeting.started",
        str(created["id"]),
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": 5}, "type of a meeting must be one of 1, 2, 3, 4, 8."),
        ({"kind": "webinar", "type": 2}, "type of a webinar must be one of 5, 6, 9."),
        ({"type": "1"}, "type of a meeting must be one of 1, 2, 3, 4, 8."),
        ({"type": 8, "occurrences": 0}, "occurrences must be between 1 and 50."),
        ({"start_time": "tomorrow"}, "start_time must look like 2025-01-06T15:00:00Z."),
        ({"duration": 0}, "duration must be at least 1."),
    ],
)
async def test_create_validation(
    client: Client, body: dict[str, Any], message: str
) -> None:
    """The control route creates only what Zoom has."""
    resp = await client.post("/_simulator/meetings", json=body)
    assert resp.status == 400
    assert (await resp.json()) == {"error": message}


# -- created ------------------------------------------------------------------------------


async def test_created_events(
    client: Client, state: SimulatorState, hooked: Receiver
) -> None:
    """Creating pushes meeting.created / webinar.created with a numeric ID."""
    meeting = await _create(
        client, topic="Board", start_time="2030-01-07T15:00:00Z", duration=45
    )
    webinar = await _create(client, topic="Launch", kind="webinar")
    created, webinar_created = hooked.events()
    assert created["event"] == "meeting.created"
    obj = created["payload"]["object"]
    assert obj["id"] == meeting["id"]
    assert (obj["topic"], obj["type"], obj["start_time"], obj["duration"]) == (
        "Board",
        2,
        "2030-01-07T15:00:00Z",
        45,
    )
    assert obj["host_id"] == state.user.id
    assert created["payload"]["operator"] == state.user.email
    assert created["payload"]["operator_id"] == state.user.id
    assert webinar_created["event"] == "webinar.created"
    assert webinar_created["payload"]["object"]["id"] == webinar["id"]
    for event in (created, webinar_created):
        _check_common(event, state.account_id)


async def test_events_keep_their_id_types(
    client: Client, state: SimulatorState, auth: dict[str, str], hooked: Receiver
) -> None:
    """started/ended carry the ID as a string; live streaming and lifecycle a number."""
    meeting = await _create(
        client, started=True, stream_url="rtmp://x/live", stream_key="k"
    )
    await client.patch(
        f"/v2/meetings/{meeting['id']}/livestream/status",
        json={"action": "start"},
        headers=auth,
    )
    await client.post(f"/_simulator/meetings/{meeting['id']}/end")
    await client.delete(f"/_simulator/meetings/{meeting['id']}")
    ids = {
        event["event"]: event["payload"]["object"]["id"] for event in hooked.events()
    }
    assert ids == {
        "meeting.created": meeting["id"],
        "meeting.started": str(meeting["id"]),
        "meeting.live_streaming_started": meeting["id"],
        "meeting.live_streaming_stopped": meeting["id"],
        "meeting.ended": str(meeting["id"]),
        "meeting.deleted": meeting["id"],
    }
    for event in hooked.events():
        _check_common(event, state.account_id)


# -- updated ------------------------------------------------------------------------------


async def test_rename_pushes_meeting_updated(
    client: Client, state: SimulatorState, auth: dict[str, str], hooked: Receiver
) -> None:
    """The object has the ID and the changed fields; old_object their old values."""
    meeting = state.add_meeting("Sync", duration=30)
    resp = await client.patch(
        f"/_simulator/meetings/{meeting.id}",
        json={"topic": "Weekly sync", "duration": 30, "agenda": "Numbers"},
    )
    assert resp.status == 200
    assert (await resp.json())["topic"] == "Weekly sync"
    (event,) = hooked.events()
    assert event["event"] == "meeting.updated"
    payload = event["payload"]
    assert payload["scope"] == "all"
    # The duration did not change, so it is not reported.
    assert payload["object"] == {
        "id": meeting.id,
        "topic": "Weekly sync",
        "agenda": "Numbers",
    }
    assert payload["old_object"] == {"id": meeting.id, "topic": "Sync", "agenda": ""}
    assert payload["time_stamp"] == event["event_ts"]
    _check_common(event, state.account_id)
    details = await (
        await client.get(f"/v2/meetings/{meeting.id}", headers=auth)
    ).json()
    assert (details["topic"], details["agenda"]) == ("Weekly sync", "Numbers")


async def test_webinar_updated(
    client: Client, state: SimulatorState, hooked: Receiver
) -> None:
    """Webinars push webinar.updated."""
    webinar = state.add_meeting("All-hands", kind="webinar")
    await client.patch(
        f"/_simulator/meetings/{webinar.id}",
        json={"start_time": "2031-05-05T10:00:00Z"},
    )
    (event,) = hooked.events()
    assert event["event"] == "webinar.updated"
    assert event["payload"]["object"] == {
        "id": webinar.id,
        "start_time": "2031-05-05T10:00:00Z",
    }


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"topic": "Sync"}, 400),
        ({}, 400),
        ({"host_id": "x"}, 400),
        ({"topic": ""}, 400),
        ({"topic": 5}, 400),
        ({"duration": 0}, 400),
        ({"start_time": "soon"}, 400),
        ({"topic": "New", "occurrence_id": "1"}, 400),
        ({"topic": "New", "occurrence_id": 1}, 400),
    ],
)
async def test_update_validation(
    client: Client,
    state: SimulatorState,
    hooked: Receiver,
    body: dict[str, Any],
    status: int,
) -> None:
    """Nothing that changes nothing, no unknown field, no occurrence of a one-off."""
    meeting = state.add_meeting("Sync")
    resp = await client.patch(f"/_simulator/meetings/{meeting.id}", json=body)
    assert resp.status == status
    assert "error" in await resp.json()
    assert meeting.topic == "Sync"
    assert hooked.events() == []


async def test_update_unknown_meeting(client: Client) -> None:
    """An unknown meeting is a 404."""
    resp = await client.patch("/_simulator/meetings/1", json={"topic": "x"})
    assert resp.status == 404


# -- recurring meetings, occurrences and deletion -----------------------------------------


async def test_recurring_meeting_has_occurrences(
    client: Client, auth: dict[str, str]
) -> None:
    """A type 8 meeting has weekly occurrences, each with ID, start and status."""
    created = await _create(
        client, topic="Weekly", type=8, start_time="2030-01-07T15:00:00Z"
    )
    details = await (
        await client.get(f"/v2/meetings/{created['id']}", headers=auth)
    ).json()
    assert details["type"] == 8
    assert details["recurrence"]["type"] == 2
    assert [item["start_time"] for item in details["occurrences"]] == [
        "2030-01-07T15:00:00Z",
        "2030-01-14T15:00:00Z",
        "2030-01-21T15:00:00Z",
        "2030-01-28T15:00:00Z",
    ]
    first = details["occurrences"][0]
    assert first == {
        "occurrence_id": "1894028400000",
        "start_time": "2030-01-07T15:00:00Z",
        "duration": 60,
        "status": "available",
    }


async def test_delete_one_occurrence(
    client: Client, state: SimulatorState, auth: dict[str, str], hooked: Receiver
) -> None:
    """Deleting one occurrence keeps the meeting: meeting.deleted, operation single."""
    meeting = state.add_meeting(
        "Weekly", meeting_type=8, start_time="2030-01-07T15:00:00Z"
    )
    first, second = meeting.occurrences[:2]
    resp = await client.delete(
        f"/_simulator/meetings/{meeting.id}",
        params={"occurrence_id": first.occurrence_id},
    )
    assert resp.status == 204
    (event,) = hooked.events()
    assert event["event"] == "meeting.deleted"
    payload = event["payload"]
    assert payload["operation"] == "single"
    assert payload["object"]["id"] == meeting.id
    assert payload["object"]["occurrences"] == [
        {"occurrence_id": first.occurrence_id, "start_time": first.start_time}
    ]
    _check_common(event, state.account_id)
    # Still listed, now starting at its next occurrence.
    listed = await (await client.get("/v2/users/me/meetings", headers=auth)).json()
    (item,) = listed["meetings"]
    assert (item["id"], item["start_time"]) == (meeting.id, second.start_time)
    details = await (
        await client.get(f"/v2/meetings/{meeting.id}", headers=auth)
    ).json()
    assert [o["status"] for o in details["occurrences"]] == [
        "deleted",
        "available",
        "available",
        "available",
    ]
    # Gone is gone; a made-up occurrence is unknown.
    for occurrence_id in (first.occurrence_id, "123"):
        resp = await client.delete(
            f"/_simulator/meetings/{meeting.id}",
            params={"occurrence_id": occurrence_id},
        )
        assert resp.status == 404


async def test_delete_whole_meeting_and_webinar(
    client: Client, state: SimulatorState, auth: dict[str, str], hooked: Receiver
) -> None:
    """Deleting the whole meeting pushes operation all; it is gone from Zoom."""
    meeting = state.add_meeting("Weekly", meeting_type=8)
    webinar = state.add_meeting("Town hall", kind="webinar")
    assert (await client.delete(f"/_simulator/meetings/{meeting.id}")).status == 204
    assert (await client.delete(f"/_simulator/meetings/{webinar.id}")).status == 204
    deleted, webinar_deleted = hooked.events()
    assert (deleted["event"], deleted["payload"]["operation"]) == (
        "meeting.deleted",
        "all",
    )
    assert "occurrences" not in deleted["payload"]["object"]
    assert deleted["payload"]["object"]["id"] == meeting.id
    assert (webinar_deleted["event"], webinar_deleted["payload"]["operation"]) == (
        "webinar.deleted",
        "all",
    )
    assert (await client.get(f"/v2/meetings/{meeting.id}", headers=auth)).status == 404
    assert await _listed(client, auth, "scheduled") == []


async def test_occurrence_of_a_one_off_meeting(
    client: Client, state: SimulatorState
) -> None:
    """A meeting without occurrences cannot lose one."""
    meeting = state.add_meeting("Once")
    resp = await client.delete(
        f"/_simulator/meetings/{meeting.id}", params={"occurrence_id": "1"}
    )
    assert resp.status == 400
    assert meeting.id in state.meetings


async def test_move_one_occurrence(
    client: Client, state: SimulatorState, auth: dict[str, str], hooked: Receiver
) -> None:
    """A single-occurrence change says scope single and does not rename the series."""
    meeting = state.add_meeting(
        "Weekly", meeting_type=8, start_time="2030-01-07T15:00:00Z"
    )
    second = meeting.occurrences[1]
    resp = await client.patch(
        f"/_simulator/meetings/{meeting.id}",
        json={
            "occurrence_id": second.occurrence_id,
            "start_time": "2030-01-15T09:00:00Z",
            "topic": "Weekly (moved)",
        },
    )
    assert resp.status == 200
    (event,) = hooked.events()
    payload = event["payload"]
    assert (event["event"], payload["scope"]) == ("meeting.updated", "single")
    assert payload["object"]["occurrences"] == [
        {"occurrence_id": second.occurrence_id, "start_time": "2030-01-15T09:00:00Z"}
    ]
    assert payload["object"]["topic"] == "Weekly (moved)"
    assert payload["old_object"] == {
        "id": meeting.id,
        "start_time": "2030-01-14T15:00:00Z",
        "topic": "Weekly",
    }
    details = await (
        await client.get(f"/v2/meetings/{meeting.id}", headers=auth)
    ).json()
    assert details["topic"] == "Weekly"
    moved = next(
        o for o in details["occurrences"] if o["occurrence_id"] == second.occurrence_id
    )
    assert moved["start_time"] == "2030-01-15T09:00:00Z"


async def test_move_the_whole_series(
    client: Client, state: SimulatorState, hooked: Receiver
) -> None:
    """Moving the series moves every occurrence; scope all."""
    meeting = state.add_meeting(
        "Weekly", meeting_type=8, start_time="2030-01-07T15:00:00Z", duration=30
    )
    await client.patch(
        f"/_simulator/meetings/{meeting.id}",
        json={"start_time": "2030-01-07T16:00:00Z", "duration": 45},
    )
    assert [o.start_time[11:16] for o in meeting.occurrences] == ["16:00"] * 4
    assert {o.duration for o in meeting.occurrences} == {45}
    (event,) = hooked.events()
    assert event["payload"]["scope"] == "all"
    assert event["payload"]["object"] == {
        "id": meeting.id,
        "start_time": "2030-01-07T16:00:00Z",
        "duration": 45,
    }


async def test_no_events_without_a_webhook(
    client: Client, state: SimulatorState
) -> None:
    """An account without an endpoint has no subscription: nothing is queued."""
    await _create(client, topic="Quiet")
    meeting = state.add_meeting("Sync")
    await client.patch(f"/_simulator/meetings/{meeting.id}", json={"topic": "x"})
    await client.delete(f"/_simulator/meetings/{meeting.id}")
    assert state.pending_events == []
    assert state.deliveries == []
