"""Tests of Zoom event subscriptions: signatures, URL validation and parsing."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from custom_components.zoom_livestream.zoom import (
    URL_VALIDATION_EVENT,
    Meeting,
    MeetingKind,
    ZoomEvent,
    ZoomWebhookError,
    parse_event,
    parse_timestamp,
    sign,
    signature_is_valid,
    url_validation_response,
)

SECRET = "webhook-secret-token"
TIMESTAMP = "1714557600"
BODY = b'{"event": "meeting.started", "payload": {}}'


def zoom_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Zoom's documented formula: v0= + hex(HMAC-SHA256(secret, v0:ts:body))."""
    message = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_sign_matches_zoom() -> None:
    """The signature is the one Zoom sends in x-zm-signature."""
    assert sign(SECRET, TIMESTAMP, BODY) == zoom_signature(SECRET, TIMESTAMP, BODY)


@pytest.mark.parametrize(
    ("timestamp", "body", "secret", "valid"),
    [
        (TIMESTAMP, BODY, SECRET, True),
        ("1714557601", BODY, SECRET, False),
        (TIMESTAMP, BODY + b" ", SECRET, False),
        (TIMESTAMP, BODY, "another-secret", False),
    ],
)
def test_signature_is_valid(
    timestamp: str, body: bytes, secret: str, valid: bool
) -> None:
    """Only the signature of this secret, timestamp and exact body is accepted."""
    signature = zoom_signature(secret, timestamp, body)

    assert signature_is_valid(SECRET, TIMESTAMP, BODY, signature) is valid


def test_signature_of_another_form_is_refused() -> None:
    """A signature without the v0= prefix, or empty, is refused."""
    signature = zoom_signature(SECRET, TIMESTAMP, BODY)

    assert not signature_is_valid(SECRET, TIMESTAMP, BODY, signature[3:])
    assert not signature_is_valid(SECRET, TIMESTAMP, BODY, "")


def test_url_validation_response() -> None:
    """The endpoint check is answered with the plain token and its HMAC."""
    assert url_validation_response(SECRET, "qgg8vlvZRS6UYooatFL8Aw") == {
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": hmac.new(
            SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256
        ).hexdigest(),
    }


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1714557600", 1714557600.0),
        ("1714557600123", 1714557600.123),
        ("1714557600.5", 1714557600.5),
    ],
)
def test_parse_timestamp(value: str, seconds: float) -> None:
    """The timestamp is read in seconds, or in milliseconds when that large."""
    assert parse_timestamp(value) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "the timestamp is not a number"),
        ("yesterday", "the timestamp is not a number"),
        ("0x10", "the timestamp is not a number"),
        ("nan", "the timestamp is not a finite number"),
        ("-inf", "the timestamp is not a finite number"),
    ],
)
def test_parse_timestamp_refuses_junk(value: str, reason: str) -> None:
    """A timestamp that is not a finite number is rejected, with the reason logged."""
    with pytest.raises(ZoomWebhookError) as exc_info:
        parse_timestamp(value)
    # The whole reason: it is what the debug log says of the rejected delivery.
    assert str(exc_info.value) == reason


def _body(data: Any) -> bytes:
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {
                "event": "meeting.started",
                "event_ts": 1714557600000,
                "payload": {
                    "account_id": "acc-123",
                    "object": {"id": "9876543210123", "topic": "Town hall"},
                },
            },
            ZoomEvent(
                "meeting.started",
                "acc-123",
                9876543210123,
                MeetingKind.MEETING,
                # A started meeting may be an instant one no list shows.
                meeting=Meeting(9876543210123, MeetingKind.MEETING, "Town hall"),
                topic="Town hall",
                event_ts=1714557600000,
            ),
        ),
        (
            {
                "event": "meeting.live_streaming_started",
                "payload": {
                    "account_id": "acc-123",
                    "object": {
                        "id": 9876543210123,
                        "live_streaming": {"stream_key": "key-1"},
                    },
                },
            },
            ZoomEvent(
                "meeting.live_streaming_started",
                "acc-123",
                9876543210123,
                MeetingKind.MEETING,
            ),
        ),
        (
            {"event": "webinar.ended", "payload": {"object": {"id": "91234567890"}}},
            ZoomEvent("webinar.ended", "", 91234567890, MeetingKind.WEBINAR),
        ),
        (
            {"event": "user.updated", "payload": {"account_id": 7, "object": {}}},
            ZoomEvent("user.updated", "", None, None),
        ),
        (
            {"event": "app.deauthorized", "payload": {"account_id": "acc-123"}},
            ZoomEvent("app.deauthorized", "acc-123", None, None),
        ),
        (
            {"event": URL_VALIDATION_EVENT, "payload": {"plainToken": "plain-1"}},
            ZoomEvent(URL_VALIDATION_EVENT, "", None, None, "plain-1"),
        ),
    ],
)
def test_parse_event(data: dict[str, Any], expected: ZoomEvent) -> None:
    """Deliveries keep the event, account and meeting ID (string or number)."""
    event = parse_event(_body(data))

    assert event == expected
    assert "key-1" not in repr(event)


REASONS = {
    "not JSON": "the body is not JSON",
    "no event": "the body has no event",
    "no payload": "the body has no payload",
    "no plainToken": "the URL validation has no plainToken",
    "meeting ID is not a number": "the meeting ID is not a number",
}


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"", "not JSON"),
        (b"<xml/>", "not JSON"),
        (b'{"event": "\xff"}', "not JSON"),
        (_body([]), "no event"),
        (_body({"payload": {}}), "no event"),
        (_body({"event": 5, "payload": {}}), "no event"),
        (_body({"event": "meeting.started"}), "no payload"),
        (_body({"event": "meeting.started", "payload": []}), "no payload"),
        (_body({"event": URL_VALIDATION_EVENT, "payload": {}}), "no plainToken"),
        (
            _body({"event": URL_VALIDATION_EVENT, "payload": {"plainToken": ""}}),
            "no plainToken",
        ),
        (
            _body({"event": "meeting.ended", "payload": {"object": {"id": "abc"}}}),
            "meeting ID is not a number",
        ),
        (
            _body({"event": "meeting.ended", "payload": {"object": {"id": None}}}),
            "meeting ID is not a number",
        ),
    ],
)
def test_parse_event_rejects(body: bytes, match: str) -> None:
    """Deliveries of the wrong shape are rejected with a loggable reason."""
    with pytest.raises(ZoomWebhookError) as exc_info:
        parse_event(body)
    # The whole reason: it is what the debug log says of the rejected delivery.
    assert str(exc_info.value) == REASONS[match]


@pytest.mark.parametrize(
    ("payload", "operation", "scope", "single"),
    [
        ({"operation": "single", "object": {"id": 1}}, "single", None, True),
        ({"operation": "all", "object": {"id": 1}}, "all", None, False),
        ({"scope": "single", "object": {"id": 1}}, None, "single", True),
        ({"scope": "all", "object": {"id": 1}}, None, "all", False),
        ({"operation": 5, "scope": ["single"], "object": {"id": 1}}, None, None, False),
    ],
)
def test_parse_occurrence_events(
    payload: dict[str, Any], operation: str | None, scope: str | None, single: bool
) -> None:
    """Deleted events say `operation`, updated ones `scope`: one occurrence or all."""
    event = parse_event(
        _body({"event": "meeting.deleted", "event_ts": 5, "payload": payload})
    )
    assert (event.operation, event.scope, event.single_occurrence) == (
        operation,
        scope,
        single,
    )


@pytest.mark.parametrize(
    ("event_ts", "key"),
    [
        (1714557600000, "meeting.ended|1|1714557600000"),
        (None, None),
        ("1714557600000", None),
        (True, None),
        (0, None),
        (-5, None),
    ],
)
def test_event_key(event_ts: Any, key: str | None) -> None:
    """An event is identified by itself (event, object, event_ts), not its delivery."""
    data: dict[str, Any] = {"event": "meeting.ended", "payload": {"object": {"id": 1}}}
    if event_ts is not None:
        data["event_ts"] = event_ts
    assert parse_event(_body(data)).key == key


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        ("meeting.created", MeetingKind.MEETING),
        ("webinar.created", MeetingKind.WEBINAR),
    ],
)
def test_parse_created_event_describes_the_meeting(
    event: str, kind: MeetingKind
) -> None:
    """A created event carries the new meeting or webinar as Zoom lists it."""
    obj = {
        "id": 85746065432,
        "uuid": "new==",
        "host_id": "user-xyz",
        "topic": "Board meeting",
        "type": 2,
        "start_time": "2026-12-01T10:00:00Z",
        "duration": 60,
        "timezone": "Europe/London",
    }
    data = {
        "event": event,
        # The smallest `event_ts` that identifies the event.
        "event_ts": 1,
        "payload": {
            "account_id": "acc-123",
            "operator": "host@example.com",
            "object": obj,
        },
    }

    parsed = parse_event(_body(data))

    assert parsed == ZoomEvent(
        event,
        "acc-123",
        85746065432,
        kind,
        meeting=Meeting.from_json(obj, kind),
        topic="Board meeting",
        event_ts=1,
    )
    assert parsed.meeting is not None
    assert parsed.meeting.host_id == "user-xyz"
    assert parsed.key == f"{event}|85746065432|1"


@pytest.mark.parametrize("event", ["meeting.created", "meeting.updated"])
def test_parse_event_object_without_id(event: str) -> None:
    """An object without an ID names no meeting: no meeting, no topic from it."""
    data = {
        "event": event,
        "payload": {"account_id": "acc-123", "object": {"topic": "Board meeting"}},
    }

    assert parse_event(_body(data)) == ZoomEvent(event, "acc-123", None, None)


@pytest.mark.parametrize(
    "obj",
    [
        {"id": 85746065432, "topic": 5, "type": "2", "start_time": "soon"},
        {"id": "85746065432", "host_id": None, "duration": "1h"},
    ],
    ids=["odd_fields", "no_topic"],
)
def test_parse_created_event_with_odd_fields(obj: dict[str, Any]) -> None:
    """Only the ID is required: other fields Zoom sends oddly are left out."""
    data = {"event": "meeting.created", "payload": {"account_id": "a", "object": obj}}

    parsed = parse_event(_body(data))

    assert parsed.meeting == Meeting(
        85746065432, MeetingKind.MEETING, "Meeting 85746065432"
    )
    assert parsed.topic is None


def test_signature_is_compared_in_constant_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The signature goes through hmac.compare_digest, never `==`.

    A plain comparison stops at the first differing character, so its timing
    tells a forger how much of a guessed signature is right.
    """
    compared: list[tuple[str, str]] = []
    real_compare = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    good = zoom_signature(SECRET, TIMESTAMP, BODY)
    wrong = "v0=" + "0" * 64

    assert signature_is_valid(SECRET, TIMESTAMP, BODY, good)
    assert not signature_is_valid(SECRET, TIMESTAMP, BODY, wrong)
    assert compared == [(good, good), (good, wrong)]


@pytest.mark.parametrize("topic", ["   ", "\u200b\u200e", "\t\n"])
def test_renamed_to_an_invisible_topic_names_the_meeting(topic: str) -> None:
    """A topic with nothing visible in it is shown as "Meeting <ID>", as in lists."""
    data = {
        "event": "meeting.updated",
        "payload": {
            "account_id": "acc-123",
            "object": {"id": 85746065432, "topic": topic},
        },
    }

    parsed = parse_event(_body(data))

    assert parsed.topic == "Meeting 85746065432"
