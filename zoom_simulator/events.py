"""Zoom-shaped event deliveries, signed like Zoom signs them.

Every event carries ``event_ts``, when it happened in epoch milliseconds (a late
delivery keeps it), and ``payload.account_id``. ``payload.object.id`` is the
meeting ID: a string in ``*.started`` / ``*.ended``, a number in the
live-streaming and lifecycle events, as Zoom sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
import hashlib
import hmac
import json
import time
from typing import Any, Literal

from .models import RECURRING_TYPES, JsonObject, Occurrence, SimulatedMeeting

URL_VALIDATION = "endpoint.url_validation"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the `x-zm-signature` header: v0=hex(HMAC-SHA256(secret, v0:ts:body))."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def encrypted_token(secret: str, plain_token: str) -> str:
    """Return the answer Zoom expects to ``endpoint.url_validation``."""
    return hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()


def encode(event: JsonObject) -> bytes:
    """Return the body of a delivery of ``event``."""
    return json.dumps(event, separators=(",", ":")).encode()


def signed_headers(secret: str, body: bytes, now: float) -> dict[str, str]:
    """Return the headers of one delivery attempt made at ``now`` (epoch seconds)."""
    timestamp = str(int(now))
    return {
        "Content-Type": "application/json",
        "x-zm-request-timestamp": timestamp,
        "x-zm-signature": sign(secret, timestamp, body),
    }


def signed_delivery(
    secret: str, event: JsonObject, *, now: float | None = None
) -> tuple[bytes, dict[str, str]]:
    """Return the body and headers of one delivery (made now, by default)."""
    body = encode(event)
    return body, signed_headers(secret, body, time.time() if now is None else now)


def url_validation_event(plain_token: str, event_ts: int) -> JsonObject:
    """Build the challenge Zoom sends when an endpoint URL is set or revalidated."""
    return {
        "event": URL_VALIDATION,
        "event_ts": event_ts,
        "payload": {"plainToken": plain_token},
    }


def meeting_event(
    name: str,
    account_id: str,
    meeting: SimulatedMeeting,
    *,
    event_ts: int,
    operator: str = "",
    date_time: str = "",
) -> JsonObject:
    """Build `meeting.*` / `webinar.*` started, ended and live-streaming events.

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
            "date_time": date_time,
        }
        payload["operator"] = operator
    else:
        obj["id"] = str(meeting.id)
    return {"event": name, "event_ts": event_ts, "payload": payload}


def _occurrence_refs(occurrences: list[Occurrence]) -> list[JsonObject]:
    return [
        {"occurrence_id": item.occurrence_id, "start_time": item.start_time}
        for item in occurrences
    ]


def _lifecycle(
    name: str, account_id: str, operator: str, operator_id: str, event_ts: int
) -> tuple[JsonObject, JsonObject]:
    payload: JsonObject = {
        "account_id": account_id,
        "operator": operator,
        "operator_id": operator_id,
    }
    return {"event": name, "event_ts": event_ts, "payload": payload}, payload


def created_event(
    account_id: str,
    meeting: SimulatedMeeting,
    *,
    operator: str,
    operator_id: str,
    event_ts: int,
) -> JsonObject:
    """Build ``meeting.created`` / ``webinar.created``: the whole new object."""
    event, payload = _lifecycle(
        f"{meeting.kind}.created", account_id, operator, operator_id, event_ts
    )
    obj = meeting.list_item()
    obj.update(password=meeting.password, agenda=meeting.agenda)
    if meeting.type in RECURRING_TYPES:
        obj["occurrences"] = [item.as_json() for item in meeting.occurrences]
    payload["object"] = obj
    return event


def updated_event(
    account_id: str,
    meeting: SimulatedMeeting,
    changed: Mapping[str, Any],
    previous: Mapping[str, Any],
    *,
    operator: str,
    operator_id: str,
    event_ts: int,
    occurrences: list[Occurrence] | None = None,
) -> JsonObject:
    """Build ``meeting.updated`` / ``webinar.updated``.

    ``object`` has the ID and the changed fields, ``old_object`` the ID and their
    previous values. With ``occurrences`` the change concerns those occurrences
    only (``scope`` "single"), and does not rename or move the series.
    """
    event, payload = _lifecycle(
        f"{meeting.kind}.updated", account_id, operator, operator_id, event_ts
    )
    scope: Literal["all", "single"] = "all" if occurrences is None else "single"
    obj: JsonObject = {"id": meeting.id, **changed}
    old: JsonObject = {"id": meeting.id, **previous}
    if occurrences is not None:
        obj["occurrences"] = _occurrence_refs(occurrences)
    payload.update(scope=scope, object=obj, old_object=old, time_stamp=event_ts)
    return event


def deleted_event(
    account_id: str,
    meeting: SimulatedMeeting,
    *,
    operator: str,
    operator_id: str,
    event_ts: int,
    occurrences: list[Occurrence] | None = None,
) -> JsonObject:
    """Build ``meeting.deleted`` / ``webinar.deleted``.

    ``operation`` is "all" for the whole meeting, or "single" with the deleted
    ``occurrences``: then the meeting itself stays.
    """
    event, payload = _lifecycle(
        f"{meeting.kind}.deleted", account_id, operator, operator_id, event_ts
    )
    obj: JsonObject = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": meeting.type,
        "start_time": meeting.start_time,
        "duration": meeting.duration,
        "timezone": meeting.timezone,
    }
    if occurrences is not None:
        obj["occurrences"] = _occurrence_refs(occurrences)
    payload.update(operation="all" if occurrences is None else "single", object=obj)
    return event
