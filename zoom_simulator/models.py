"""The simulated Zoom's data: users, accounts, meetings, logged requests, faults.

Plain data in Zoom's JSON shapes. :mod:`zoom_simulator.events` and
:mod:`zoom_simulator.state` both build on it, so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

type MeetingKind = Literal["meeting", "webinar"]
type JsonObject = dict[str, Any]

DEFAULT_ACCOUNT_ID = "sim-account"
DEFAULT_USER_ID = "sim-user-1"
DEFAULT_USER_EMAIL = "host@example.com"

# Zoom's meeting type numbers: 2 scheduled, 8 recurring with a fixed time;
# webinars use 5 for a plain scheduled webinar.
MEETING_TYPE_SCHEDULED = 2
MEETING_TYPE_RECURRING = 8
WEBINAR_TYPE_SCHEDULED = 5

RESOLUTIONS = frozenset({"720p", "1080p"})


def iso_utc(moment: datetime) -> str:
    """Format a datetime the way Zoom does: ``2025-01-06T15:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_live_stream() -> dict[str, str]:
    """Return the live-stream configuration of a meeting that has none yet."""
    return {"stream_url": "", "stream_key": "", "page_url": "", "resolution": "720p"}


@dataclass(slots=True)
class SimulatedUser:
    """A user of a simulated account: the host of its meetings."""

    id: str = DEFAULT_USER_ID
    email: str = DEFAULT_USER_EMAIL
    first_name: str = "Sim"
    last_name: str = "Host"
    account_id: str = DEFAULT_ACCOUNT_ID
    type: int = 2
    timezone: str = "UTC"

    def as_json(self) -> JsonObject:
        """Return the body of ``GET /users/{userId}``."""
        return {
            "id": self.id,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "display_name": f"{self.first_name} {self.last_name}",
            "account_id": self.account_id,
            "type": self.type,
            "timezone": self.timezone,
            "status": "active",
        }

    def matches(self, user_id: str) -> bool:
        """Tell whether a ``{userId}`` path segment designates this user."""
        return user_id in ("me", self.id) or user_id.lower() == self.email.lower()


@dataclass(slots=True)
class SimulatedAccount:
    """Another Zoom account: its Server-to-Server app's credentials and its user.

    The state's own ``account_id``, ``client_id``, ``client_secret`` and ``user``
    form the first account; :meth:`SimulatorState.add_user` adds more.
    """

    account_id: str
    client_id: str
    client_secret: str
    user: SimulatedUser
    # Each Zoom app pushes to its own endpoint, signed with its own secret token.
    webhook_url: str | None = None
    webhook_secret: str | None = None

    def as_json(self) -> JsonObject:
        """Return the credentials and the user, for ``GET /_simulator/users``."""
        return {
            "account_id": self.account_id,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "user": self.user.as_json(),
            "webhook_url": self.webhook_url,
        }


@dataclass(slots=True)
class SimulatedMeeting:
    """A meeting or webinar, with its live-stream configuration and state."""

    id: int
    uuid: str
    topic: str
    kind: MeetingKind
    type: int
    start_time: str
    duration: int
    timezone: str
    join_url: str
    host_id: str
    created_at: str = ""
    password: str = ""
    started: bool = False
    live_stream: dict[str, str] = field(default_factory=default_live_stream)
    streaming: bool = False
    last_start_settings: dict[str, Any] | None = None

    def list_item(self) -> JsonObject:
        """Return the entry of a meeting or webinar list (no ``status``, like Zoom)."""
        return {
            "id": self.id,
            "uuid": self.uuid,
            "topic": self.topic,
            "type": self.type,
            "start_time": self.start_time,
            "duration": self.duration,
            "timezone": self.timezone,
            "join_url": self.join_url,
            "host_id": self.host_id,
            "created_at": self.created_at,
        }

    def details(self, host_email: str) -> JsonObject:
        """Return the body of ``GET /meetings/{id}`` or ``GET /webinars/{id}``."""
        body = self.list_item()
        body.update(
            host_email=host_email,
            agenda="",
            password=self.password,
            settings={"host_video": False, "auto_recording": "none"},
        )
        # Zoom documents ``status`` for meetings only.
        if self.kind == "meeting":
            body["status"] = "started" if self.started else "waiting"
        return body

    def snapshot(self) -> JsonObject:
        """Return everything, including simulator-only state, for control routes."""
        body = self.list_item()
        body.update(
            kind=self.kind,
            started=self.started,
            streaming=self.streaming,
            live_stream=dict(self.live_stream),
            last_start_settings=self.last_start_settings,
        )
        return body


@dataclass(slots=True, frozen=True)
class RecordedRequest:
    """One request received on a Zoom route (``/oauth`` or ``/v2``)."""

    method: str
    path: str
    query: dict[str, str]
    json: object | None
    headers: dict[str, str]

    def header(self, name: str) -> str | None:
        """Return a header by case-insensitive name, or None."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None

    def as_json(self) -> JsonObject:
        """Return a JSON-serialisable copy."""
        return {
            "method": self.method,
            "path": self.path,
            "query": dict(self.query),
            "json": self.json,
            "headers": dict(self.headers),
        }


@dataclass(slots=True)
class FaultRule:
    """A canned answer for the next ``remaining`` requests that match."""

    remaining: int
    status: int
    body: str | dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    path_prefix: str | None = None
    method: str | None = None

    def matches(self, method: str, path: str) -> bool:
        """Tell whether a request is one this rule answers."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


@dataclass(slots=True, frozen=True)
class PageCursor:
    """Where an opaque ``next_page_token`` resumes a listing."""

    listing: str
    offset: int
