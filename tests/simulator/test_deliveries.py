"""Pushed events as Zoom sends them: validated, retried, late, twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from zoom_simulator import SECOND_ACCOUNT_ID, SimulatedMeeting, SimulatorState
from zoom_simulator.events import sign

from .conftest import Client, Receiver, wait_until

pytestmark = pytest.mark.usefixtures("socket_enabled")

SECRET = "zm-secret"


def _hook(state: SimulatorState, receiver: Receiver) -> None:
    """Point the first account's events at the receiver (no validation)."""
    state.set_webhook(receiver.url(), SECRET)


def _meeting(state: SimulatorState, topic: str = "Sync") -> SimulatedMeeting:
    return state.add_meeting(topic)


async def _deliveries(client: Client) -> dict[str, Any]:
    body: dict[str, Any] = await (await client.get("/_simulator/deliveries")).json()
    return body


def _attempts(state: SimulatorState) -> list[tuple[Any, ...]]:
    return [
        (d["event"], d["kind"], d["status"], d["retry_in_minutes"])
        for d in state.deliveries
    ]


class _Clock:
    """A wall clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, 0, 250000, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


# -- endpoint.url_validation ---------------------------------------------------------


async def test_url_validation_passes_and_is_recorded(
    client: Client, state: SimulatorState, receiver: Receiver
) -> None:
    """Setting the URL sends Zoom's signed challenge; a right answer passes."""
    receiver.secret = SECRET
    resp = await client.post(
        "/_simulator/webhook", json={"url": receiver.url(), "secret": SECRET}
    )
    assert (await resp.json())["validated"] is True
    (challenge,) = receiver.received
    timestamp = challenge.headers["x-zm-request-timestamp"]
    assert challenge.headers["x-zm-signature"] == sign(
        SECRET, timestamp, challenge.body
    )
    assert challenge.event["event"] == "endpoint.url_validation"
    assert set(challenge.event["payload"]) == {"plainToken"}
    assert isinstance(challenge.event["event_ts"], int)

    (record,) = (await _deliveries(client))["deliveries"]
    assert (record["event"], record["kind"], record["validated"]) == (
        "endpoint.url_validation",
        "validation",
        True,
    )
    assert record["account_id"] == state.account_id
    users = await (await client.get("/_simulator/users")).json()
    assert users["users"][0]["webhook_validated"] is True
    snapshot = await (await client.get("/_simulator/state")).json()
    assert snapshot["users"][0]["webhook_validated"] is True


@pytest.mark.parametrize("answer_secret", [None, "another-secret"])
async def test_url_validation_fails_on_a_wrong_answer(
    client: Client, receiver: Receiver, answer_secret: str | None
) -> None:
    """An empty answer, or a token made with another secret, fails validation."""
    receiver.secret = answer_secret
    resp = await client.post(
        "/_simulator/webhook", json={"url": receiver.url(), "secret": SECRET}
    )
    assert (await resp.json())["validated"] is False
    users = await (await client.get("/_simulator/users")).json()
    assert users["users"][0]["webhook_validated"] is False


async def test_url_validation_again_and_errors(
    client: Client, state: SimulatorState, receiver: Receiver
) -> None:
    """Zoom revalidates every 72 hours: the control route does it on demand."""
    assert (await client.post("/_simulator/webhook/validate")).status == 409
    resp = await client.post(
        "/_simulator/webhook/validate", json={"account_id": "nope"}
    )
    assert resp.status == 404
    await client.post(
        "/_simulator/webhook", json={"url": receiver.url(), "secret": SECRET}
    )
    assert state.webhook_validated is False
    receiver.secret = SECRET
    resp = await client.post("/_simulator/webhook/validate")
    assert resp.status == 200
    assert (await resp.json())["validated"] is True
    assert state.webhook_validated is True
    # An endpoint that does not answer fails too, with the error recorded.
    resp = await client.post(
        "/_simulator/webhook", json={"url": "http://127.0.0.1:9/x", "secret": SECRET}
    )
    body = await resp.json()
    assert body["validated"] is False
    record = (await _deliveries(client))["deliveries"][-1]
    assert (record["status"], record["validated"]) == (None, False)
    assert record["error"]
    # Clearing the URL forgets the result; no challenge without a secret.
    resp = await client.post("/_simulator/webhook", json={"url": receiver.url()})
    assert (await resp.json())["validated"] is None
    assert state.webhook_validated is None


async def test_validation_of_another_account(
    client: Client, state: SimulatorState, receiver: Receiver
) -> None:
    """Each account's endpoint is validated with its own secret."""
    state.add_user(
        account_id=SECOND_ACCOUNT_ID,
        client_id="cid-2",
        client_secret="secret-2",
        user_id="user-2",
        email="two@example.com",
    )
    receiver.secret = "s2"
    resp = await client.post(
        "/_simulator/webhook",
        json={"url": receiver.url(), "secret": "s2", "account_id": SECOND_ACCOUNT_ID},
    )
    assert (await resp.json())["validated"] is True
    assert state.webhook_validated is None
    assert state.accounts()[1].webhook_validated is True


# -- event_ts ---------------------------------------------------------------------------


async def test_event_ts_is_when_it_happened(
    client: Client, state: SimulatorState, receiver: Receiver
) -> None:
    """event_ts is the moment of the change in ms, also on a late retry."""
    clock = _Clock()
    state.wall_clock = clock
    state.retry_scale = 60
    _hook(state, receiver)
    meeting = _meeting(state)
    receiver.answers = [503]
    await client.post(f"/_simulator/meetings/{meeting.id}/start")
    clock.now += timedelta(minutes=5)
    await client.post("/_simulator/deliveries/flush")
    first, retry = receiver.events()
    expected = int(datetime(2026, 3, 2, 9, 0, 0, 250000, tzinfo=UTC).timestamp() * 1000)
    assert first["event_ts"] == retry["event_ts"] == expected
    assert [d["event_ts"] for d in state.deliveries] == [expected, expected]


# -- retries ------------------------------------------------------------------------------


async def test_5xx_is_retried_after_5_and_20_minutes(
    client: Client, state: SimulatorState, receiver: Receiver
) -> None:
    """A 503 is retried on Zoom's schedule (scaled) until the receiver takes it."""
    state.retry_scale = 0.02
    _hook(state, receiver)
    meeting = _meeting(state)
    receiver.answers = [503, 500]
    await client.post(f"/_simulator/meetings/{meeting.id}/start")
    await wait_until(lambda: len(state.deliveries) == 3)
    assert _attempts(state) == [
        ("meeting.started", "first", 503, 5),
        ("meeting.started", "retry", 500, 20),
        ("meeting.started", "retry", 200, None),
    ]
    assert [d["attempt"] for d in state.deliveries] == [1, 2, 3]
    assert len({d["delivery_id"] for d in state.deliveries}) == 1
    assert len({item.body for item in receiver.received}) == 1
    assert (await _deliveries(client))["retries_waiting"] == 0


async def test_retries_stop_after_60_minutes(
    client: Client, state: SimulatorState, receiver: Receiver
) -> None:
    """Zoom retries three times at most: after 5, 20 and 60 minutes."""
    state.retry_scale = 0.001
    _hook(state, receiver)
    meeting = _meeting(state)
    receiver.answers = [500, 502, 503, 504, 500]
    await client.post(f"/_simulator/meetings/{meeting.id}/start")
    await wait_until(lambda: len(state.deliveries) == 4)
    await client.post("/_simulator/deliveries/flush")
    assert [(d["status"], d["retry_in_minutes"]) for d in state.deliveries] == [
        (500, 5),
        (502, 20),
        (503, 60),
        (504, None),
    ]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429])
async def test_4xx_is_never_retried(
    client: Client, state: SimulatorState, receiver: Receiver, status: int
) -> None:
    """A 4xx answer (a wrong signature, say) is final."""
    state.retry_scale = 0
    _hook(state, receiver)
    meeting = _meeting(state)
    receiver.answers = [status]
    await client.post(f"/_simulator/meetings/{meeting.id}/start")
    deliveries = await _deliveries(client)
    assert deliveries["retries_waiting"] == 0
    assert (await (await client.post("/_simulator/deliveries/flush")).json()) == {
        "sent": 0
    }
    assert _attempts(state) == [("meeting.started", "first", status, None)]


async def test_no_answer_within_the_timeout_is_retried(
    client: Client, state: SimulatorState, receiver: Receiver
) -> None:
    """Zoom waits 3 s (here 0.5 s); a receiver that takes longer gets a retry.

    Long enough that the retry, answered at once, is in time on a busy machine.
    """
    state.delivery_timeout = 0.5
    state.retry_scale = 60
    _hook(state, receiver)
    meeting = _meeting(state)
    receiver.answers = ["hang"]
    receiver.hang_seconds = 2.0
    await client.post(f"/_simulator/meetings/{meeting.id}/start")
    (first,) = state.deliveries
    assert (first["status"], first["retry_in_minutes"]) == (None, 5)
    assert "Timeout" in first["error"]
    assert (await _deliveries(client))["retries_waiting"] == 1
    assert (await (await client.post("/_simulator/deliveries/flush")).json()) == {
        "sent": 1
    }
    assert _attempts(state)[-1] == ("meeting.started", "retry", 200, None)


async def test_unreachable_endpoint_is_retried(
    client: Client, state: SimulatorState
) -> None:
    """No answer at all (connection refused) is retried like a timeout."""
    state.retry_scale = 60
    state.set_webhook("http://127.0.0.1:9/hook", SECRET)
    meeting = _meeting(state)
    await client.post(f"/_simulator/meetings/{meeting.id}/start")
    await client.post("/_simulator/deliveries/flush")
    assert [(d["kind"], d["status"]) for d in state.deliveries] == [
        ("first", None),
        ("retry", None),
    ]
    assert state.deliveries[0]["error"] == "ClientConnectorError"
    assert state.deliveries[1]["retry_in_minutes"] == 20


@pytest.mark.parametrize("policy", ["fresh", "original"])
async def test_retry_timestamp_policy(
    client: Client, state: SimulatorState, receiver: Receiver, policy: str
) -> None:
    """A retry is signed anew ("fresh") or repeats the first attempt's headers."""
    clock = _Clock()
    state.wall_clock = clock
    state.retry_scale = 60
    resp = await client.post("/_simulator/modes", json={"retry_timestamps": policy})
    assert (await resp.json())["retry_timestamps"] == policy
    _hook(state, receiver)
    meeting = _meeting(state)
    receiver.answers = [500]
    await client.post(f"/_simulator/meetings/{meeting.id}/start")
    clock.now += timedelta(minutes=5)
    await client.post("/_simulator/deliveries/flush")
    first, retry = receiver.received
    assert first.body == retry.body
    stamps = [int(item.headers["x-zm-request-timestamp"]) for item in receiver.received]
    for item in receiver.received:
        timestamp = item.headers["x-zm-request-timestamp"]
        assert item.headers["x-zm-signature"] == sign(SECRET, timestamp, item.body)
    if policy == "fresh":
        assert stamps[1] - stamps[0] == 300
        assert first.headers["x-zm-signature"] != retry.headers["x-zm-signature"]
    else:
        assert stamps[1] == stamps[0]
        assert first.headers["x-zm-signature"] == retry.headers["x-zm-signature"]
    assert [d["timestamp"] for d in state.deliveries] == [str(s) for s in stamps]


def test_fresh_timestamps_are_the_default(state: SimulatorState) -> None:
    """Fresh headers are the default: a retry then looks like a new delivery."""
    assert state.retry_timestamps == "fresh"
    assert state.retry_scale == 0.01


# -- out of order and twice ------------------------------------------------------------


async def test_held_delivery_arrives_after_the_next(
    client: Client, state: SimulatorState, receiver: Receiver
) -> None:
    """A held delivery is sent after the one that follows it."""
    _hook(state, receiver)
    meeting = _meeting(state)
    resp = await client.post("/_simulator/deliveries/hold", json={"count": 1})
    assert (await resp.json()) == {"hold_next": 1}
    await client.post(f"/_simulator/meetings/{meeting.id}/start")
    assert receiver.received == []
    assert (await _deliveries(client))["held"] == 1
    await client.post(f"/_simulator/meetings/{meeting.id}/end")
    events = receiver.events()
    assert [event["event"] for event in events] == ["meeting.ended", "meeting.started"]
    # The late one is older: its event_ts says so.
    assert events[1]["event_ts"] <= events[0]["event_ts"]
    assert [(d["event"], d["held"]) for d in state.deliveries] == [
        ("meeting.ended", False),
        ("meeting.started", True),
    ]
    assert (await _deliveries(client))["held"] == 0


async def test_flush_sends_a_held_delivery(
    client: Client, state: SimulatorState, receiver: Receiver
) -> None:
    """With no later event, flushing sends what is held."""
    _hook(state, receiver)
    meeting = _meeting(state)
    await client.post("/_simulator/deliveries/hold")
    await client.post(f"/_simulator/meetings/{meeting.id}/start")
    resp = await client.post("/_simulator/deliveries/flush")
    assert (await resp.json()) == {"sent": 1}
    assert [event["event"] for event in receiver.events()] == ["meeting.started"]


async def test_duplicate_delivery(
    client: Client, state: SimulatorState, receiver: Receiver
) -> None:
    """A duplicated delivery arrives twice with the same event; both recorded."""
    _hook(state, receiver)
    meeting = _meeting(state)
    resp = await client.post("/_simulator/deliveries/duplicate", json={"count": 1})
    assert (await resp.json()) == {"duplicate_next": 1}
    await client.post(f"/_simulator/meetings/{meeting.id}/start")
    await client.post(f"/_simulator/meetings/{meeting.id}/end")
    assert [event["event"] for event in receiver.events()] == [
        "meeting.started",
        "meeting.started",
        "meeting.ended",
    ]
    assert receiver.received[0].body == receiver.received[1].body
    assert [(d["event"], d["kind"], d["attempt"]) for d in state.deliveries] == [
        ("meeting.started", "first", 1),
        ("meeting.started", "duplicate", 2),
        ("meeting.ended", "first", 1),
    ]


async def test_delivery_controls_validate_and_clear(
    client: Client, state: SimulatorState, receiver: Receiver
) -> None:
    """Counts must be positive integers; the record can be emptied."""
    for route in ("hold", "duplicate"):
        for bad in ({"count": 0}, {"count": "2"}, {"count": True}):
            resp = await client.post(f"/_simulator/deliveries/{route}", json=bad)
            assert resp.status == 400
    _hook(state, receiver)
    await client.post(f"/_simulator/meetings/{_meeting(state).id}/start")
    assert state.deliveries
    assert (await client.delete("/_simulator/deliveries")).status == 204
    assert (await _deliveries(client))["deliveries"] == []
