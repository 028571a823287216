"""Zoom event subscriptions: signatures, URL validation and event parsing."""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
import hmac
import json
import math
from typing import Any

from .models import Meeting, MeetingKind, parse_meeting_id, shown_topic

URL_VALIDATION_EVENT = "endpoint.url_validation"


class ZoomWebhookError(Exception):
    """A delivery that must be rejected; the message is safe to log."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return Zoom's `x-zm-signature` for a delivery: v0=hex(HMAC-SHA256)."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_is_valid(
    secret: str, timestamp: str, body: bytes, signature: str
) -> bool:
    """Compare in constant time, so the signature cannot be guessed byte by byte."""
    # compare_digest raises TypeError on non-ASCII text: that is a wrong signature.
    return signature.isascii() and hmac.compare_digest(
        sign(secret, timestamp, body), signature
    )


def url_validation_response(secret: str, plain_token: str) -> dict[str, str]:
    """Answer Zoom's endpoint check: the plain token and its HMAC."""
    encrypted = hmac.new(
        secret.encode(), plain_token.encode(), hashlib.sha256
    ).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}


def parse_timestamp(value: str) -> float:
    """Read `x-zm-request-timestamp` (epoch seconds, or milliseconds) as seconds."""
    try:
        number = float(value)
    except ValueError:
        raise ZoomWebhookError("the timestamp is not a number") from None
    if not math.isfinite(number):
        # "nan" would pass every freshness check, so a copy could be replayed forever.
        raise ZoomWebhookError("the timestamp is not a finite number")
    return number / 1000 if number > 1e11 else number


@dataclass(frozen=True, slots=True)
class ZoomEvent:
    """One verified delivery, without its payload's secrets (no stream URL or key)."""

    event: str
    account_id: str
    meeting_id: int | None
    kind: MeetingKind | None
    plain_token: str | None = None
    # The meeting as the event describes it (created and started events), or None.
    meeting: Meeting | None = None
    # The new topic (created and updated events), when the event has one.
    topic: str | None = None
    # When the event happened at Zoom (milliseconds since the epoch).
    event_ts: int | None = None
    # Deleted events: "all" (the meeting) or "single" (one occurrence of it).
    operation: str | None = None
    # Updated events: "all" or "single" (one occurrence changed, not the series).
    scope: str | None = None

    @property
    def key(self) -> str | None:
        """What identifies the event itself, whatever delivery brought it.

        Zoom retries a delivery with the same event, object and `event_ts`; its
        timestamp header and signature may be new. None without `event_ts`.
        """
        if self.event_ts is None:
            return None
        return f"{self.event}|{self.meeting_id or '-'}|{self.event_ts}"

    @property
    def single_occurrence(self) -> bool:
        """Whether the event concerns one occurrence of a recurring meeting only."""
        return self.operation == "single" or self.scope == "single"


def parse_event(body: bytes) -> ZoomEvent:
    """Parse a delivery's JSON; keep only what the integration uses."""
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: nesting deep enough to exhaust the parser's stack.
        raise ZoomWebhookError("the body is not JSON") from None
    if not isinstance(data, dict) or not isinstance(event := data.get("event"), str):
        raise ZoomWebhookError("the body has no event")
    payload = data.get("payload")
    if not isinstance(payload, dict):
        raise ZoomWebhookError("the body has no payload")
    if event == URL_VALIDATION_EVENT:
        plain_token = payload.get("plainToken")
        if not isinstance(plain_token, str) or not plain_token:
            raise ZoomWebhookError("the URL validation has no plainToken")
        return ZoomEvent(event, "", None, None, plain_token)
    account_id = payload.get("account_id")
    obj = payload.get("object")
    meeting_id: int | None = None
    kind: MeetingKind | None = None
    if isinstance(obj, dict) and "id" in obj:
        try:
            # A string in started/ended events, a number in the live-streaming ones.
            meeting_id = parse_meeting_id(obj["id"])
        except ValueError:
            raise ZoomWebhookError("the meeting ID is not a number") from None
        kind = (
            MeetingKind.WEBINAR if event.startswith("webinar.") else MeetingKind.MEETING
        )
    meeting: Meeting | None = None
    topic: str | None = None
    if kind is not None and isinstance(obj, dict):
        if isinstance(value := obj.get("topic"), str) and meeting_id is not None:
            topic = shown_topic(value, meeting_id)
        if event.endswith((".created", ".started")):
            # Cannot fail: the object is a dict whose ID was read above, and every
            # other field is optional.
            meeting = Meeting.from_json(obj, kind)
    event_ts = data.get("event_ts")
    operation, scope = payload.get("operation"), payload.get("scope")
    return ZoomEvent(
        event,
        account_id if isinstance(account_id, str) else "",
        meeting_id,
        kind,
        meeting=meeting,
        topic=topic,
        event_ts=event_ts
        if isinstance(event_ts, int) and not isinstance(event_ts, bool) and event_ts > 0
        else None,
        operation=operation if isinstance(operation, str) else None,
        scope=scope if isinstance(scope, str) else None,
    )
