"""Zoom webhook signatures, URL validation and event parsing, without Home Assistant."""

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

SECRET = "zm-secret"
TIMESTAMP = "1763892000"
BODY = b'{"event":"meeting.started","payload":{"account_id":"acc-123"}}'
# Real Zoom meeting IDs exceed 32 bits.
MEETING_ID = 85746065432


def _hmac_hex(key: str, message: bytes) -> str:
    """HMAC-SHA256 as Zoom documents it, computed independently of the code."""
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


# -- sign / signature_is_valid -------------------------------------------------------


def test_sign_matches_zooms_definition() -> None:
    """The signature is v0= + hex(HMAC-SHA256(secret, "v0:{ts}:{body}"))."""
    expected = "v0=" + _hmac_hex(SECRET, f"v0:{TIMESTAMP}:".encode() + BODY)
    assert sign(SECRET, TIMESTAMP, BODY) == expected


def test_sign_known_vector() -> None:
    """A fixed vector guards against both sides drifting together."""
    assert sign("secret", "1", b"{}") == ("v0=" + _hmac_hex("secret", b"v0:1:{}"))
    assert sign("secret", "1", b"{}").startswith("v0=")
    assert len(sign("secret", "1", b"{}")) == 3 + 64


def test_sign_uses_the_raw_body_bytes() -> None:
    """Non-ASCII bodies are signed byte for byte, not re-encoded."""
    body = '{"topic":"Réunion ✓"}'.encode()
    expected = "v0=" + _hmac_hex(SECRET, b"v0:" + TIMESTAMP.encode() + b":" + body)
    assert sign(SECRET, TIMESTAMP, body) == expected


def test_signature_is_valid_accepts_the_right_signature() -> None:
    """A delivery signed with the secret over its timestamp and body verifies."""
    signature = "v0=" + _hmac_hex(SECRET, f"v0:{TIMESTAMP}:".encode() + BODY)
    assert signature_is_valid(SECRET, TIMESTAMP, BODY, signature)


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "signature"),
    [
        pytest.param("other-secret", TIMESTAMP, BODY, None, id="other_secret"),
        pytest.param(SECRET, "1763892001", BODY, None, id="other_timestamp"),
        pytest.param(SECRET, TIMESTAMP, BODY + b" ", None, id="other_body"),
        pytest.param(SECRET, TIMESTAMP, BODY, "", id="empty"),
        pytest.param(SECRET, TIMESTAMP, BODY, "v0=" + "0" * 64, id="zeros"),
        pytest.param(SECRET, TIMESTAMP, BODY, "upper", id="uppercase_hex"),
        pytest.param(SECRET, TIMESTAMP, BODY, "no_prefix", id="without_v0"),
        pytest.param(SECRET, TIMESTAMP, BODY, "v1", id="other_version"),
    ],
)
def test_signature_is_valid_rejects(
    secret: str, timestamp: str, body: bytes, signature: str | None
) -> None:
    """Any change of secret, timestamp, body or signature text fails."""
    good = "v0=" + _hmac_hex(SECRET, f"v0:{TIMESTAMP}:".encode() + BODY)
    if signature is None:
        signature = good
    elif signature == "upper":
        signature = "v0=" + good[3:].upper()
    elif signature == "no_prefix":
        signature = good[3:]
    elif signature == "v1":
        signature = "v1=" + good[3:]
    assert not signature_is_valid(secret, timestamp, body, signature)


@pytest.mark.parametrize(
    "signature",
    ["v0=\u00e9", "v0=\udcff", "\u2603" * 67],
    ids=["latin1", "surrogate", "snowmen"],
)
def test_signature_is_valid_non_ascii_signature(signature: str) -> None:
    """A non-ASCII signature header is simply wrong, not an exception."""
    assert not signature_is_valid(SECRET, TIMESTAMP, BODY, signature)


# -- url_validation_response ---------------------------------------------------------


def test_url_validation_response() -> None:
    """Zoom's endpoint check: the plain token and hex(HMAC-SHA256(secret, token))."""
    assert url_validation_response(SECRET, "abc") == {
        "plainToken": "abc",
        "encryptedToken": _hmac_hex(SECRET, b"abc"),
    }


def test_url_validation_response_depends_on_secret() -> None:
    """Another secret gives another encrypted token."""
    assert (
        url_validation_response("other", "abc")["encryptedToken"]
        != url_validation_response(SECRET, "abc")["encryptedToken"]
    )


# -- parse_timestamp -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1763892000", 1763892000.0),
        ("1763892000123", 1763892000.123),
        ("1763892000.5", 1763892000.5),
        ("0", 0.0),
        # The largest value still read as seconds, the smallest read as milliseconds.
        ("100000000000", 100000000000.0),
        ("100000000001", 100000000.001),
    ],
)
def test_parse_timestamp(value: str, expected: float) -> None:
    """Seconds stay seconds; milliseconds (> 1e11) are converted to seconds."""
    assert parse_timestamp(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", ["", "abc", "12:00", "0x10", "nan", "inf", "-inf"])
def test_parse_timestamp_rejects(value: str) -> None:
    """A timestamp that is not a finite number is refused."""
    with pytest.raises(ZoomWebhookError, match="timestamp"):
        parse_timestamp(value)


# -- parse_event ---------------------------------------------------------------------


def test_parse_url_validation() -> None:
    """The endpoint check keeps only its plain token."""
    body = _body({"event": URL_VALIDATION_EVENT, "payload": {"plainToken": "abc"}})
    assert parse_event(body) == ZoomEvent(URL_VALIDATION_EVENT, "", None, None, "abc")


@pytest.mark.parametrize(
    "payload",
    [{}, {"plainToken": ""}, {"plainToken": 5}, {"plainToken": None}],
    ids=["missing", "empty", "number", "null"],
)
def test_parse_url_validation_without_token(payload: dict[str, Any]) -> None:
    """An endpoint check without a usable plain token is refused."""
    body = _body({"event": URL_VALIDATION_EVENT, "payload": payload})
    with pytest.raises(ZoomWebhookError, match="plainToken"):
        parse_event(body)


def test_parse_meeting_started_with_string_id() -> None:
    """started/ended events carry the meeting ID as a string."""
    body = _body(
        {
            "event": "meeting.started",
            "event_ts": 1763892000000,
            "payload": {
                "account_id": "acc-123",
                "object": {"id": str(MEETING_ID), "uuid": "u==", "topic": "Sync"},
            },
        }
    )
    assert parse_event(body) == ZoomEvent(
        "meeting.started",
        "acc-123",
        MEETING_ID,
        MeetingKind.MEETING,
        meeting=Meeting(MEETING_ID, MeetingKind.MEETING, "Sync", uuid="u=="),
        topic="Sync",
        event_ts=1763892000000,
    )


def test_parse_live_streaming_event_drops_the_stream_key() -> None:
    """Live-streaming events carry a numeric ID and the stream key: only the ID stays."""
    body = _body(
        {
            "event": "meeting.live_streaming_started",
            "payload": {
                "account_id": "acc-123",
                "object": {
                    "id": MEETING_ID,
                    "live_streaming": {
                        "service": "Custom_Live_Streaming_Service",
                        "custom_live_streaming_settings": {
                            "stream_url": "rtmp://example/live",
                            "stream_key": "very-secret-key",
                            "page_url": "https://example/live",
                        },
                    },
                },
            },
        }
    )
    event = parse_event(body)
    assert event == ZoomEvent(
        "meeting.live_streaming_started", "acc-123", MEETING_ID, MeetingKind.MEETING
    )
    assert "very-secret-key" not in repr(event)


@pytest.mark.parametrize("event_type", ["webinar.started", "webinar.ended"])
def test_parse_webinar_event(event_type: str) -> None:
    """webinar.* events are about webinars."""
    body = _body(
        {
            "event": event_type,
            "payload": {"account_id": "acc-123", "object": {"id": "91234567890"}},
        }
    )
    event = parse_event(body)
    assert (event.event, event.account_id, event.meeting_id, event.kind) == (
        event_type,
        "acc-123",
        91234567890,
        MeetingKind.WEBINAR,
    )
    # A started webinar is described (for one no list shows); an ended one not.
    assert (event.meeting is not None) is event_type.endswith(".started")


@pytest.mark.parametrize(
    "payload",
    [
        {"account_id": "acc-123"},
        {"account_id": "acc-123", "object": {"uuid": "abc=="}},
        {"account_id": "acc-123", "object": "not an object"},
        {"account_id": "acc-123", "object": None},
    ],
    ids=["no_object", "object_without_id", "object_string", "object_null"],
)
def test_parse_event_without_meeting(payload: dict[str, Any]) -> None:
    """Events without a meeting object parse, with no meeting."""
    body = _body({"event": "recording.completed", "payload": payload})
    assert parse_event(body) == ZoomEvent("recording.completed", "acc-123", None, None)


@pytest.mark.parametrize(
    "account_id", [None, 5, ["acc-123"]], ids=["missing", "number", "list"]
)
def test_parse_event_account_id_not_a_string(account_id: Any) -> None:
    """An account ID that is not a string reads as empty (and will not match)."""
    payload: dict[str, Any] = {"object": {"id": MEETING_ID}}
    if account_id is not None:
        payload["account_id"] = account_id
    body = _body({"event": "meeting.ended", "payload": payload})
    assert parse_event(body).account_id == ""


@pytest.mark.parametrize(
    "meeting_id",
    ["abc", "", "12a", None, True, 1.5, -5, 0, 2**63, "-5", [MEETING_ID]],
    ids=[
        "letters",
        "empty",
        "mixed",
        "null",
        "bool",
        "float",
        "negative",
        "zero",
        "too_big",
        "negative_string",
        "list",
    ],
)
def test_parse_event_bad_meeting_id(meeting_id: Any) -> None:
    """A meeting ID that is not a positive 64-bit integer is refused."""
    body = _body(
        {
            "event": "meeting.started",
            "payload": {"account_id": "acc-123", "object": {"id": meeting_id}},
        }
    )
    with pytest.raises(ZoomWebhookError, match="meeting ID"):
        parse_event(body)


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"not json", b"\xff\xfe\x00", b"{'event': 1}"],
    ids=["empty", "truncated", "text", "binary", "single_quotes"],
)
def test_parse_event_not_json(body: bytes) -> None:
    """A body that is not JSON is refused."""
    with pytest.raises(ZoomWebhookError, match="not JSON"):
        parse_event(body)


@pytest.mark.parametrize(
    "value",
    [[], "meeting.started", 5, None, {}, {"event": 5}, {"event": None}],
    ids=["list", "string", "number", "null", "no_event", "event_number", "event_null"],
)
def test_parse_event_without_event(value: Any) -> None:
    """A body that is not an object with an event name is refused."""
    with pytest.raises(ZoomWebhookError, match="no event"):
        parse_event(_body(value))


@pytest.mark.parametrize(
    "value",
    [
        {"event": "meeting.started"},
        {"event": "meeting.started", "payload": None},
        {"event": "meeting.started", "payload": []},
        {"event": URL_VALIDATION_EVENT, "payload": "abc"},
    ],
    ids=["missing", "null", "list", "url_validation_string"],
)
def test_parse_event_without_payload(value: Any) -> None:
    """A body without a payload object is refused."""
    with pytest.raises(ZoomWebhookError, match="no payload"):
        parse_event(_body(value))


def test_errors_are_safe_to_log() -> None:
    """Error messages never repeat the body (which may hold a stream key)."""
    body = b'{"event": "meeting.started", "payload": {"object": {"id": "key-123"}}}'
    with pytest.raises(ZoomWebhookError) as err:
        parse_event(body)
    assert "key-123" not in str(err.value)
