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

# Zoom's meeting type numbers: 1 instant, 2 scheduled, 3 recurring with no fixed
# time, 4 the host's personal room (PMI), 8 recurring with a fixed time; webinars
# use 5 scheduled, 6 recurring with no fixed time and 9 recurring with a fixed time.
MEETING_TYPE_INSTANT = 1
MEETING_TYPE_SCHEDULED = 2
MEETING_TYPE_RECURRING_NO_FIXED_TIME = 3
MEETING_TYPE_PERSONAL_ROOM = 4
MEETING_TYPE_RECURRING = 8
WEBINAR_TYPE_SCHEDULED = 5
WEBINAR_TYPE_RECURRING_NO_FIXED_TIME = 6
WEBINAR_TYPE_RECURRING = 9
MEETING_TYPES = frozenset({1, 2, 3, 4, 8})
WEBINAR_TYPES = frozenset({5, 6, 9})
# "This API only supports scheduled meetings. This API does not return
# information about instant meetings." (List meetings): these two are never in a
# scheduled list, and by default not in the live one either.
UNSCHEDULED_TYPES = frozenset({MEETING_TYPE_INSTANT, MEETING_TYPE_PERSONAL_ROOM})
# Recurring with a fixed time: the types that have occurrences.
RECURRING_TYPES = frozenset({MEETING_TYPE_RECURRING, WEBINAR_TYPE_RECURRING})

RESOLUTIONS = frozenset({"720p", "1080p"})


def iso_utc(moment: datetime) -> str:
    """Format a datetime the way Zoom does: ``2025-01-06T15:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_utc(text: str) -> datetime:
    """Parse Zoom's ``2025-01-06T15:00:00Z``; raise ValueError for anything else."""
    if not text.endswith("Z"):
        raise ValueError(text)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, as Zoom's ``event_ts`` and occurrence IDs."""
    return int(moment.timestamp() * 1000)


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
        return user_id == "me" or self.named_by(user_id)

    def named_by(self, user_id: str) -> bool:
        """Tell whether a ``{userId}`` path segment is this user's ID or email."""
        return user_id == self.id or user_id.lower() == self.email.lower()


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
    # How the endpoint answered the last ``endpoint.url_validation``: None when
    # it was never validated since it was set.
    webhook_validated: bool | None = None

    @property
    def admin(self) -> SimulatedUser:
        """The account's admin, who owns the Server-to-Server app and hosts nothing.

        ``me`` means this user in the ``admin`` mode of ``s2s_me``.
        """
        local, _, domain = self.user.email.partition("@")
        return SimulatedUser(
            id=f"{self.user.id}-admin",
            email=f"admin+{local}@{domain}",
            first_name="Account",
            last_name="Admin",
            account_id=self.account_id,
            type=self.user.type,
            timezone=self.user.timezone,
        )

    def as_json(self) -> JsonObject:
        """Return the credentials and the user, for ``GET /_simulator/users``."""
        return {
            "account_id": self.account_id,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "user": self.user.as_json(),
            "admin": self.admin.as_json(),
            "webhook_url": self.webhook_url,
            "webhook_validated": self.webhook_validated,
        }


@dataclass(slots=True)
class Occurrence:
    """One occurrence of a recurring meeting or webinar.

    Its ID is its original start time in epoch milliseconds, as Zoom's are; it
    keeps that ID when the occurrence is moved.
    """

    occurrence_id: str
    start_time: str
    duration: int
    status: Literal["available", "deleted"] = "available"

    def as_json(self) -> JsonObject:
        """Return the item of a meeting's ``occurrences`` list."""
        return {
            "occurrence_id": self.occurrence_id,
            "start_time": self.start_time,
            "duration": self.duration,
            "status": self.status,
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
    agenda: str = ""
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def has_stream_target(self) -> bool:
        """Tell whether live-stream details were ever configured for it."""
        return any(
            self.live_stream[name] for name in ("stream_url", "stream_key", "page_url")
        )

    @property
    def scheduled(self) -> bool:
        """Tell whether Zoom's scheduled-meeting lists may show it at all."""
        return self.type not in UNSCHEDULED_TYPES

    def available_occurrences(self) -> list[Occurrence]:
        """Return the occurrences that were not deleted, in time order."""
        return sorted(
            (item for item in self.occurrences if item.status == "available"),
            key=lambda item: item.start_time,
        )

    def occurrence(self, occurrence_id: str) -> Occurrence | None:
        """Return one occurrence by ID, deleted or not, or None."""
        return next(
            (item for item in self.occurrences if item.occurrence_id == occurrence_id),
            None,
        )

    def current_start_time(self) -> str:
        """Return the start a list shows: a series' next occurrence, if any."""
        if available := self.available_occurrences():
            return available[0].start_time
        return self.start_time

    def list_item(self) -> JsonObject:
        """Return the entry of a meeting or webinar list (no ``status``, like Zoom)."""
        item: JsonObject = {
            "id": self.id,
            "uuid": self.uuid,
            "topic": self.topic,
            "type": self.type,
            "start_time": self.current_start_time(),
            "duration": self.duration,
            "timezone": self.timezone,
            "join_url": self.join_url,
            "host_id": self.host_id,
            "created_at": self.created_at,
        }
        # "Start time will not be returned if the meeting is an instant meeting."
        if self.type == MEETING_TYPE_INSTANT:
            del item["start_time"]
        return item

    def details(self, host_email: str) -> JsonObject:
        """Return the body of ``GET /meetings/{id}`` or ``GET /webinars/{id}``."""
        body = self.list_item()
        body.update(
            host_email=host_email,
            agenda=self.agenda,
            password=self.password,
            settings={"host_video": False, "auto_recording": "none"},
        )
        if self.type in RECURRING_TYPES:
            # Weekly on the first occurrence's weekday (Zoom numbers Sunday 1).
            first = parse_iso_utc(self.start_time)
            body["recurrence"] = {
                "type": 2,
                "repeat_interval": 1,
                "weekly_days": str(first.isoweekday() % 7 + 1),
                "end_times": len(self.occurrences),
            }
            body["occurrences"] = [item.as_json() for item in self.occurrences]
        # Zoom documents ``status`` for meetings only.
        if self.kind == "meeting":
            body["status"] = "started" if self.started else "waiting"
        return body

    def snapshot(self) -> JsonObject:
        """Return everything, including simulator-only state, for control routes."""
        body = self.list_item()
        body.update(
            start_time=self.start_time,
            kind=self.kind,
            started=self.started,
            streaming=self.streaming,
            live_stream=dict(self.live_stream),
            last_start_settings=self.last_start_settings,
        )
        if self.occurrences:
            body["occurrences"] = [item.as_json() for item in self.occurrences]
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
class AuthorizationCode:
    """A code ``/oauth/authorize`` gave out: whom it signs in, for which app."""

    user_id: str
    client_id: str
    redirect_uri: str
    expires_at: float


@dataclass(slots=True, frozen=True)
class PageCursor:
    """Where an opaque ``next_page_token`` resumes a listing."""

    listing: str
    offset: int
