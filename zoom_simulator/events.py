"""Zoom-shaped event deliveries, signed like Zoom signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from .models import JsonObject, SimulatedMeeting


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the `x-zm-signature` header: v0=hex(HMAC-SHA256(secret, v0:ts:body))."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_delivery(
    secret: str, event: JsonObject, *, now: float | None = None
) -> tuple[bytes, dict[str, str]]:
    """Return the body and headers of one delivery."""
    timestamp = str(int(time.time() if now is None else now))
    body = json.dumps(event, separators=(",", ":")).encode()
    return body, {
        "Content-Type": "application/json",
        "x-zm-request-timestamp": timestamp,
        "x-zm-signature": sign(secret, timestamp, body),
    }


def meeting_event(
    name: str, account_id: str, meeting: SimulatedMeeting, *, operator: str = ""
) -> JsonObject:
    """Build `meeting.*` / `webinar.*` events as Zoom sends them.

    The started/ended events carry the ID as a string, the live-streaming events
    as a number, and the latter include the stream target, key included.
    """
    obj: JsonObject = {
        "uuid": meeting.uuid,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": meeting.type,
        "start_time": meeting.start_time,
        "timezone": meeting.timezone,
        "duration": meeting.duration,
    }
    payload: JsonObject = {"account_id": account_id, "object": obj}
    if "live_streaming" in name:
        obj["id"] = meeting.id
        obj["live_streaming"] = {
            "service": "Custom_Live_Streaming_Service",
            "custom_live_streaming_settings": dict(meeting.live_stream),
            "date_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        payload["operator"] = operator
    else:
        obj["id"] = str(meeting.id)
    return {"event": name, "event_ts": int(time.time() * 1000), "payload": payload}
