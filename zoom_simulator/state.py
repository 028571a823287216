"""In-memory model of one simulated Zoom account.

Everything the HTTP layer in :mod:`zoom_simulator.app` serves lives here, so tests
can arrange a scenario (meetings, tokens, faults) with plain method calls and then
assert on what the client under test did through :attr:`SimulatorState.requests`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import hashlib
import secrets
import time
from typing import Any, Literal, cast

from .events import created_event, deleted_event, meeting_event, updated_event
from .models import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_USER_EMAIL,
    DEFAULT_USER_ID,
    MEETING_TYPE_INSTANT,
    MEETING_TYPE_RECURRING,
    MEETING_TYPE_SCHEDULED,
    MEETING_TYPES,
    RECURRING_TYPES,
    RESOLUTIONS,
    WEBINAR_TYPE_SCHEDULED,
    WEBINAR_TYPES,
    AuthorizationCode,
    FaultRule,
    JsonObject,
    MeetingKind,
    Occurrence,
    PageCursor,
    RecordedRequest,
    SimulatedAccount,
    SimulatedMeeting,
    SimulatedUser,
    default_live_stream,
    epoch_ms,
    iso_utc,
    parse_iso_utc,
)

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_USER_EMAIL",
    "DEFAULT_USER_ID",
    "MEETING_TYPE_RECURRING",
    "MEETING_TYPE_SCHEDULED",
    "RESOLUTIONS",
    "WEBINAR_TYPE_SCHEDULED",
    "FaultRule",
    "JsonObject",
    "MeetingKind",
    "PageCursor",
    "RecordedRequest",
    "SimulatedAccount",
    "SimulatedMeeting",
    "SimulatedUser",
    "SimulatorState",
    "default_live_stream",
    "iso_utc",
    "seed_demo",
    "seed_users",
]

DEFAULT_CLIENT_ID = "sim-client-id"
DEFAULT_CLIENT_SECRET = "sim-client-secret"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_TOKEN_EXPIRES_IN = 3599

# The second user the command line seeds (``--users 2``, the default): its own
# account, Server-to-Server app and meetings, for trying several entries by hand.
SECOND_ACCOUNT_ID = "sim-account-2"
SECOND_CLIENT_ID = "sim-client-id-2"
SECOND_CLIENT_SECRET = "sim-client-secret-2"
SECOND_USER_ID = "sim-user-2"
SECOND_USER_EMAIL = "second@example.com"

# A user-level ("General", Sign in with Zoom) OAuth app. Any user can authorize
# it; by default the first user signs in (``oauth_user_id`` chooses another).
DEFAULT_USER_APP_CLIENT_ID = "sim-user-app-id"
DEFAULT_USER_APP_CLIENT_SECRET = "sim-user-app-secret"
# Authorization codes are single-use and short-lived, like Zoom's.
AUTHORIZATION_CODE_LIFETIME = 600

# Real servers send large JSON bodies with chunked transfer encoding, and over a
# real network they arrive in pieces: bodies larger than this many bytes are sent
# in pieces of this size with a pause after each (0 sends every body whole).
DEFAULT_CHUNK_SIZE = 4096
DEFAULT_CHUNK_PAUSE = 0.002

TOKEN_SCOPE = (
    "meeting:read:admin meeting:write:admin user:read:admin "
    "webinar:read:admin webinar:write:admin"
)
# What a user-level app gets: granular scopes without ``:admin``.
USER_TOKEN_SCOPE = (
    "user:read:user meeting:read:list_meetings meeting:read:meeting "
    "meeting:read:livestream meeting:update:livestream "
    "meeting:update:livestream_status webinar:read:list_webinars "
    "webinar:read:webinar webinar:read:livestream webinar:update:livestream "
    "webinar:update:livestream_status"
)

# Real IDs are 10-11 digits and routinely exceed 2**32; starting here makes any
# float or 32-bit truncation in a client visible at once.
FIRST_MEETING_ID = 85746065432
# How many occurrences a new recurring meeting gets (weekly).
DEFAULT_OCCURRENCES = 4

# Daily quotas of a Free account (zoom-api.md). Live streaming needs Pro, which has
# no daily cap for these calls, so they are enforced only with ``plan`` "free".
DEFAULT_DAILY_LIMITS: Mapping[str, int] = {"Light": 6000, "Medium": 2000}

# Zoom retries a delivery that got a 5xx or no answer this many minutes after the
# first attempt failed, then after the first retry failed, and so on.
RETRY_MINUTES = (5, 20, 60)
# Zoom waits this long for an answer before it counts a delivery as failed.
DEFAULT_DELIVERY_TIMEOUT = 3.0
# Seconds per Zoom minute between retries: 5, 20 and 60 minutes pass in 0.05,
# 0.2 and 0.6 s, so tests need not wait; 60 is Zoom's own timing.
DEFAULT_RETRY_SCALE = 0.01

# Bounds memory when a benchmark pages through thousands of lists.
_MAX_PAGE_CURSORS = 10_000
# How many recent event deliveries GET /_simulator/deliveries reports.
MAX_DELIVERIES = 100

# Where Zoom's behaviour is unconfirmed (or differs by plan), both shapes exist;
# the default is the harsher documented one. Values and defaults:
MODE_CHOICES: Mapping[str, tuple[str, ...]] = {
    # GET …/livestream of a meeting that never had a stream target: HTTP 200 with
    # no body (what the one public client that handles it receives), or ``{}``.
    "live_stream_without_target": ("no-body", "empty-object"),
    # X-RateLimit-* headers: none (Zoom's current page documents none), all four
    # (older pages), or Category/Limit/Remaining without Type and without
    # Retry-After (a real 429 quoted in Zoom's forum).
    "rate_limit_headers": ("none", "full", "no-type"),
    # The account's plan: "free" enforces the daily quotas (429 once spent).
    "plan": ("pro", "free"),
    # What ``me`` means for a Server-to-Server token: the app's user (who hosts
    # the meetings), refused (404 code 1001), or an admin who hosts nothing.
    "s2s_me": ("app-user", "refused", "admin"),
    # A retried delivery: new x-zm-request-timestamp and signature, or the first
    # attempt's headers unchanged.
    "retry_timestamps": ("fresh", "original"),
}
MODE_FLAGS = (
    # List running instant meetings under type=live (personal-room ones never:
    # the list's documented meeting types are 1, 2, 3 and 8).
    "live_lists_instant",
)
# Seconds per Zoom minute between delivery retries.
MODE_NUMBERS: Mapping[str, tuple[float, float]] = {"retry_scale": (0.0, 60.0)}

type LiveStreamWithoutTarget = Literal["no-body", "empty-object"]
type RateLimitHeaders = Literal["none", "full", "no-type"]
type Plan = Literal["pro", "free"]
type S2SMe = Literal["app-user", "refused", "admin"]
type RetryTimestamps = Literal["fresh", "original"]

# The fields of a meeting the control API can change (meeting.updated).
UPDATABLE_FIELDS = ("topic", "start_time", "duration", "timezone", "agenda")
# A single occurrence can be moved or lengthened; its topic and agenda are
# reported but never rename the series.
OCCURRENCE_FIELDS = ("topic", "start_time", "duration", "agenda")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _digest(meeting_id: int, salt: str) -> bytes:
    # Derived rather than random so a seeded scenario is identical on every run.
    return hashlib.sha256(f"{salt}:{meeting_id}".encode()).digest()


def _occurrences(start_time: str, duration: int, count: int) -> list[Occurrence]:
    """Weekly occurrences from ``start_time``, identified by their start in ms."""
    first = parse_iso_utc(start_time)
    starts = [first + timedelta(weeks=week) for week in range(count)]
    return [
        Occurrence(str(epoch_ms(start)), iso_utc(start), duration) for start in starts
    ]


@dataclass
class SimulatorState:
    """The simulated Zoom: accounts, meetings, tokens, request log and faults.

    The fields ``account_id`` … ``user`` are the first account (the one tests and
    the default credentials use); :meth:`add_user` adds other accounts, each with
    its own user and credentials. Meetings of every account share ``meetings``
    (Zoom's meeting IDs are unique across accounts); a token only reaches the
    meetings of the account it was issued to.
    """

    account_id: str = DEFAULT_ACCOUNT_ID
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    user: SimulatedUser = field(default_factory=SimulatedUser)
    meetings: dict[int, SimulatedMeeting] = field(default_factory=dict)
    # Both what the token endpoint reports and how long tokens really stay valid;
    # set it to 0 to make every new token expire immediately.
    token_expires_in: int = DEFAULT_TOKEN_EXPIRES_IN
    # Real Zoom may return ``api_url`` with the token; None leaves it out.
    token_api_url: str | None = None
    tokens: dict[str, float] = field(default_factory=dict)
    # Which account each token was issued to.
    token_accounts: dict[str, str] = field(default_factory=dict)
    # The signed-in user of each user-level token (authorization code grant).
    token_users: dict[str, str] = field(default_factory=dict)
    other_accounts: list[SimulatedAccount] = field(default_factory=list)
    # The user-level OAuth app, and who signs in at /oauth/authorize (None: the
    # first user).
    user_app_client_id: str = DEFAULT_USER_APP_CLIENT_ID
    user_app_client_secret: str = DEFAULT_USER_APP_CLIENT_SECRET
    oauth_user_id: str | None = None
    authorization_codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    # Each valid refresh token and the user it signs in; refreshing replaces it.
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: list[FaultRule] = field(default_factory=list)
    # Seconds every Zoom-route response waits before it is sent (timeout tests).
    delay: float = 0.0
    # JSON bodies larger than chunk_size are sent chunked, chunk_size bytes at a
    # time with chunk_pause seconds after each piece; chunk_size 0 sends them whole.
    chunk_size: int = DEFAULT_CHUNK_SIZE
    chunk_pause: float = DEFAULT_CHUNK_PAUSE
    daily_limits: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_DAILY_LIMITS)
    )
    daily_used: dict[str, int] = field(default_factory=dict)
    page_cursors: dict[str, PageCursor] = field(default_factory=dict)
    # Injectable so tests can move time without sleeping.
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], datetime] = _utcnow
    next_meeting_id: int = FIRST_MEETING_ID
    # Where to push signed events (a Home Assistant webhook URL), and the app's
    # secret token; events wait in `pending_events` until the app delivers them.
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_validated: bool | None = None
    pending_events: list[JsonObject] = field(default_factory=list)
    # The latest delivery attempts: event, meeting, URL and the receiver's answer.
    deliveries: list[JsonObject] = field(default_factory=list)
    # The next this many deliveries are held back and sent after the one that
    # follows them (out of order), or sent twice.
    hold_next: int = 0
    duplicate_next: int = 0
    delivery_timeout: float = DEFAULT_DELIVERY_TIMEOUT
    # Modes (see MODE_CHOICES): the defaults are Zoom's harsher documented shapes.
    live_stream_without_target: LiveStreamWithoutTarget = "no-body"
    live_lists_instant: bool = False
    rate_limit_headers: RateLimitHeaders = "none"
    plan: Plan = "pro"
    s2s_me: S2SMe = "app-user"
    retry_timestamps: RetryTimestamps = "fresh"
    retry_scale: float = DEFAULT_RETRY_SCALE
    _usage_day: str = ""

    def __post_init__(self) -> None:
        """Keep the user on the same account as the credentials."""
        self.user.account_id = self.account_id

    # -- modes --------------------------------------------------------------------

    def modes(self) -> JsonObject:
        """Return every mode and its value."""
        names = [*MODE_CHOICES, *MODE_FLAGS, *MODE_NUMBERS]
        return {name: getattr(self, name) for name in names}

    def set_modes(self, changes: Mapping[str, object]) -> None:
        """Change modes; raise ValueError, changing none, when one is invalid."""
        for name, value in changes.items():
            if name in MODE_CHOICES:
                if value not in MODE_CHOICES[name]:
                    choices = ", ".join(MODE_CHOICES[name])
                    raise ValueError(f"{name} must be one of: {choices}.")
            elif name in MODE_FLAGS:
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false.")
            elif name in MODE_NUMBERS:
                low, high = MODE_NUMBERS[name]
                if (
                    not isinstance(value, int | float)
                    or isinstance(value, bool)
                    or not low <= value <= high
                ):
                    raise ValueError(f"{name} must be a number from {low} to {high}.")
            else:
                raise ValueError(f"Unknown mode {name}.")
        for name, value in changes.items():
            setattr(
                self,
                name,
                float(cast("float", value)) if name in MODE_NUMBERS else value,
            )

    # -- accounts and users -------------------------------------------------------

    def add_user(
        self,
        *,
        account_id: str,
        client_id: str,
        client_secret: str,
        user_id: str,
        email: str,
        first_name: str = "Sim",
        last_name: str = "Host",
    ) -> SimulatedAccount:
        """Add another account with its own app credentials and user; return it."""
        if not all((account_id, client_id, client_secret, user_id, email)):
            raise ValueError("Every credential and the user's id and email are needed")
        for account in self.accounts():
            if account.account_id == account_id:
                raise ValueError(f"Account {account_id} already exists")
            if client_id in (account.client_id, self.user_app_client_id):
                raise ValueError(f"Client ID {client_id} is already used")
            if account.user.id == user_id or account.user.email == email:
                raise ValueError(f"User {user_id} <{email}> already exists")
        account = SimulatedAccount(
            account_id=account_id,
            client_id=client_id,
            client_secret=client_secret,
            user=SimulatedUser(
                id=user_id,
                email=email,
                first_name=first_name,
                last_name=last_name,
                account_id=account_id,
            ),
        )
        self.other_accounts.append(account)
        return account

    def primary_account(self) -> SimulatedAccount:
        """Return the first account (the state's own fields) as an account."""
        return SimulatedAccount(
            account_id=self.account_id,
            client_id=self.client_id,
            client_secret=self.client_secret,
            user=self.user,
            webhook_url=self.webhook_url,
            webhook_secret=self.webhook_secret,
            webhook_validated=self.webhook_validated,
        )

    def accounts(self) -> list[SimulatedAccount]:
        """Return every account, the first one first."""
        return [self.primary_account(), *self.other_accounts]

    def account(self, account_id: str) -> SimulatedAccount | None:
        """Return the account with this ID, or None."""
        return next(
            (item for item in self.accounts() if item.account_id == account_id), None
        )

    def account_of_user(self, user_id: str) -> SimulatedAccount | None:
        """Return the account a user (by ID) belongs to, or None."""
        return next((item for item in self.accounts() if item.user.id == user_id), None)

    def set_webhook(
        self, url: str | None, secret: str | None, account_id: str | None = None
    ) -> None:
        """Set (or with None, clear) where an account's events are pushed."""
        self._set_account_fields(
            account_id, webhook_url=url, webhook_secret=secret, webhook_validated=None
        )

    def set_webhook_validated(self, account_id: str, validated: bool) -> None:
        """Remember how an account's endpoint answered ``endpoint.url_validation``."""
        self._set_account_fields(account_id, webhook_validated=validated)

    def _set_account_fields(self, account_id: str | None, **values: Any) -> None:
        if account_id is None or account_id == self.account_id:
            target: object = self
        else:
            target = next(
                (item for item in self.other_accounts if item.account_id == account_id),
                None,
            )
            if target is None:
                raise KeyError(account_id)
        for name, value in values.items():
            setattr(target, name, value)

    # -- meetings ---------------------------------------------------------------

    def add_meeting(
        self,
        topic: str = "Simulated meeting",
        *,
        kind: MeetingKind = "meeting",
        meeting_type: int | None = None,
        meeting_id: int | None = None,
        start_time: str | None = None,
        duration: int = 60,
        timezone: str = "UTC",
        started: bool = False,
        stream_url: str = "",
        stream_key: str = "",
        page_url: str = "",
        resolution: str = "720p",
        host_id: str | None = None,
        occurrences: int = DEFAULT_OCCURRENCES,
    ) -> SimulatedMeeting:
        """Create a meeting or webinar and return it; no event is pushed.

        Its host is the first account's user unless ``host_id`` names another. A
        recurring one (type 8 or 9) gets ``occurrences`` weekly occurrences.
        """
        if host_id is None:
            host_id = self.user.id
        elif self.account_of_user(host_id) is None:
            raise ValueError(f"No user {host_id}")
        if meeting_type is None:
            meeting_type = (
                MEETING_TYPE_SCHEDULED if kind == "meeting" else WEBINAR_TYPE_SCHEDULED
            )
        if meeting_type not in (MEETING_TYPES if kind == "meeting" else WEBINAR_TYPES):
            raise ValueError(f"No {kind} type {meeting_type}")
        if meeting_id is None:
            meeting_id = self.next_meeting_id
        if meeting_id in self.meetings:
            raise ValueError(f"Meeting {meeting_id} already exists")
        self.next_meeting_id = max(self.next_meeting_id, meeting_id + 1)
        now = self.wall_clock()
        if start_time is None:
            # An instant meeting starts when it is created; others on the hour.
            start_time = (
                iso_utc(now)
                if meeting_type == MEETING_TYPE_INSTANT
                else iso_utc(now.replace(minute=0, second=0) + timedelta(hours=1))
            )
        password = base64.b32encode(_digest(meeting_id, "pwd")[:10]).decode().lower()
        meeting = SimulatedMeeting(
            id=meeting_id,
            uuid=base64.b64encode(_digest(meeting_id, "uuid")[:16]).decode(),
            topic=topic,
            kind=kind,
            type=meeting_type,
            start_time=start_time,
            duration=duration,
            timezone=timezone,
            join_url=f"https://zoom.us/{'j' if kind == 'meeting' else 'w'}/{meeting_id}?pwd={password}",
            host_id=host_id,
            created_at=iso_utc(now),
            password=password[:8],
            started=started,
            live_stream={
                "stream_url": stream_url,
                "stream_key": stream_key,
                "page_url": page_url,
                "resolution": resolution,
            },
        )
        if meeting_type in RECURRING_TYPES:
            meeting.occurrences = _occurrences(start_time, duration, occurrences)
        self.meetings[meeting_id] = meeting
        return meeting

    def add_meetings(
        self,
        count: int,
        *,
        topic_prefix: str | None = None,
        kind: MeetingKind = "meeting",
        started: bool = False,
        host_id: str | None = None,
    ) -> list[SimulatedMeeting]:
        """Create ``count`` meetings (or webinars) named "<prefix> <n>", for bulk tests."""
        prefix = topic_prefix or ("Meeting" if kind == "meeting" else "Webinar")
        return [
            self.add_meeting(
                f"{prefix} {number}", kind=kind, started=started, host_id=host_id
            )
            for number in range(1, count + 1)
        ]

    def get_meeting(self, meeting_id: int) -> SimulatedMeeting:
        """Return a meeting or webinar; raise KeyError when there is none."""
        return self.meetings[meeting_id]

    def now_ms(self) -> int:
        """Return the wall clock in epoch milliseconds (``event_ts``)."""
        return epoch_ms(self.wall_clock())

    def _account_of_meeting(self, meeting: SimulatedMeeting) -> SimulatedAccount:
        return self.account_of_user(meeting.host_id) or self.primary_account()

    def _queue(self, account: SimulatedAccount, event: JsonObject) -> None:
        # An account without an endpoint has no event subscription: nothing is sent.
        if account.webhook_url and account.webhook_secret:
            self.pending_events.append(event)

    def emit(self, name: str, meeting: SimulatedMeeting) -> None:
        """Queue a started, ended or live-streaming event about ``meeting``."""
        account = self._account_of_meeting(meeting)
        self._queue(
            account,
            meeting_event(
                name,
                account.account_id,
                meeting,
                event_ts=self.now_ms(),
                operator=account.user.email,
                date_time=iso_utc(self.wall_clock()),
            ),
        )

    def announce_created(self, meeting: SimulatedMeeting) -> None:
        """Queue ``meeting.created`` / ``webinar.created`` for a new meeting.

        Instant and personal-room meetings are not scheduled: clients learn them
        from ``meeting.started`` only.
        """
        if not meeting.scheduled:
            return
        account = self._account_of_meeting(meeting)
        self._queue(
            account,
            created_event(
                account.account_id,
                meeting,
                operator=account.user.email,
                operator_id=account.user.id,
                event_ts=self.now_ms(),
            ),
        )

    def update_meeting(
        self,
        meeting_id: int,
        changes: Mapping[str, Any],
        occurrence_id: str | None = None,
    ) -> SimulatedMeeting:
        """Change a meeting (or one occurrence) and queue ``*.updated``.

        Raise KeyError for an unknown meeting or occurrence and ValueError when
        the change is not possible or changes nothing.
        """
        meeting = self.meetings[meeting_id]
        allowed = UPDATABLE_FIELDS if occurrence_id is None else OCCURRENCE_FIELDS
        if unknown := sorted(set(changes) - set(allowed)):
            raise ValueError(f"Cannot change {', '.join(unknown)}.")
        if "start_time" in changes:
            parse_iso_utc(changes["start_time"])
        occurrence: Occurrence | None = None
        if occurrence_id is None:
            current: Mapping[str, Any] = {
                name: getattr(meeting, name) for name in changes
            }
        else:
            if meeting.type not in RECURRING_TYPES:
                raise ValueError(f"{meeting.id} has no occurrences.")
            occurrence = meeting.occurrence(occurrence_id)
            if occurrence is None or occurrence.status != "available":
                raise KeyError(occurrence_id)
            current = {
                "topic": meeting.topic,
                "agenda": meeting.agenda,
                "start_time": occurrence.start_time,
                "duration": occurrence.duration,
            }
        changed = {
            name: value for name, value in changes.items() if current[name] != value
        }
        if not changed:
            raise ValueError("Nothing changes.")
        previous = {name: current[name] for name in changed}
        if occurrence is not None:
            occurrence.start_time = changed.get("start_time", occurrence.start_time)
            occurrence.duration = changed.get("duration", occurrence.duration)
        else:
            if "start_time" in changed and meeting.occurrences:
                shift = parse_iso_utc(changed["start_time"]) - parse_iso_utc(
                    meeting.start_time
                )
                for item in meeting.occurrences:
                    item.start_time = iso_utc(parse_iso_utc(item.start_time) + shift)
            if "duration" in changed:
                for item in meeting.occurrences:
                    item.duration = changed["duration"]
            for name, value in changed.items():
                setattr(meeting, name, value)
        account = self._account_of_meeting(meeting)
        self._queue(
            account,
            updated_event(
                account.account_id,
                meeting,
                changed,
                previous,
                operator=account.user.email,
                operator_id=account.user.id,
                event_ts=self.now_ms(),
                occurrences=None if occurrence is None else [occurrence],
            ),
        )
        return meeting

    def record_delivery(
        self,
        event: JsonObject,
        url: str,
        status: int | None,
        error: str | None,
        **details: Any,
    ) -> JsonObject:
        """Remember one delivery attempt (``status`` None: no answer, see ``error``).

        ``details`` (attempt number, headers used, …) are kept with it.
        """
        payload = event["payload"]
        raw_id = payload.get("object", {}).get("id")
        record: JsonObject = {
            "event": event["event"],
            "event_ts": event["event_ts"],
            "meeting_id": None if raw_id is None else int(raw_id),
            "account_id": payload.get("account_id"),
            "url": url,
            "status": status,
            "error": error,
            **details,
        }
        self.deliveries.append(record)
        del self.deliveries[:-MAX_DELIVERIES]
        return record

    def webhook_of(self, event: JsonObject) -> tuple[str, str] | None:
        """Return where a queued event goes and the secret it is signed with."""
        account = self.account(str(event["payload"]["account_id"]))
        if account is None or not account.webhook_url or not account.webhook_secret:
            return None
        return account.webhook_url, account.webhook_secret

    def start_meeting(self, meeting_id: int) -> SimulatedMeeting:
        """Mark a meeting or webinar as in progress (the host joined)."""
        meeting = self.meetings[meeting_id]
        meeting.started = True
        if meeting.type == MEETING_TYPE_INSTANT:
            meeting.start_time = iso_utc(self.wall_clock())
        self.emit(f"{meeting.kind}.started", meeting)
        return meeting

    def end_meeting(self, meeting_id: int) -> SimulatedMeeting:
        """End a meeting or webinar; a live stream cannot outlive it."""
        meeting = self.meetings[meeting_id]
        if meeting.streaming and meeting.kind == "meeting":
            self.emit("meeting.live_streaming_stopped", meeting)
        meeting.started = False
        meeting.streaming = False
        self.emit(f"{meeting.kind}.ended", meeting)
        return meeting

    def delete_meeting(
        self, meeting_id: int, occurrence_id: str | None = None
    ) -> SimulatedMeeting:
        """Delete a meeting or webinar, or one occurrence of it; queue ``*.deleted``.

        Deleting one occurrence keeps the meeting (and its other occurrences).
        Raise KeyError for an unknown meeting or occurrence.
        """
        meeting = self.meetings[meeting_id]
        deleted: list[Occurrence] | None = None
        if occurrence_id is not None:
            occurrence = meeting.occurrence(occurrence_id)
            if occurrence is None or occurrence.status != "available":
                raise KeyError(occurrence_id)
            occurrence.status = "deleted"
            deleted = [occurrence]
        else:
            del self.meetings[meeting_id]
        account = self._account_of_meeting(meeting)
        self._queue(
            account,
            deleted_event(
                account.account_id,
                meeting,
                operator=account.user.email,
                operator_id=account.user.id,
                event_ts=self.now_ms(),
                occurrences=deleted,
            ),
        )
        return meeting

    def listing(
        self, kind: MeetingKind, host_id: str | None = None
    ) -> list[SimulatedMeeting]:
        """Return the meetings or the webinars (of one host), in creation order."""
        return [
            meeting
            for meeting in self.meetings.values()
            if meeting.kind == kind and (host_id is None or meeting.host_id == host_id)
        ]

    def zoom_list(
        self, kind: MeetingKind, host_id: str, list_type: str
    ) -> list[SimulatedMeeting]:
        """Return what Zoom's list of one host's meetings or webinars shows.

        Instant and personal-room meetings are never in a scheduled or upcoming
        list; with ``live_lists_instant`` a running instant meeting is in the live
        one. A personal-room meeting never is: the list's documented types are
        1, 2, 3 and 8. "scheduled" and "upcoming" coincide: the simulator has no
        past meetings.
        """
        items = self.listing(kind, host_id)
        if list_type == "live":
            return [
                meeting
                for meeting in items
                if meeting.started
                and (
                    meeting.scheduled
                    or (
                        self.live_lists_instant and meeting.type == MEETING_TYPE_INSTANT
                    )
                )
            ]
        return [meeting for meeting in items if meeting.scheduled]

    # -- tokens -----------------------------------------------------------------

    def issue_token(
        self, account_id: str | None = None, *, user_id: str | None = None
    ) -> str:
        """Issue a new access token valid for ``token_expires_in`` seconds.

        It belongs to ``account_id`` (by default the first account) and reaches
        that account's user and meetings only. With ``user_id`` it is a
        user-level token: ``me`` is that user, and only its meetings are reached.
        """
        now = self.clock()
        # Drop expired tokens so long runs do not grow without bound.
        self.tokens = {tok: exp for tok, exp in self.tokens.items() if exp > now}
        self.token_accounts = {
            tok: owner
            for tok, owner in self.token_accounts.items()
            if tok in self.tokens
        }
        self.token_users = {
            tok: owner for tok, owner in self.token_users.items() if tok in self.tokens
        }
        token = f"sim-{secrets.token_urlsafe(24)}"
        self.tokens[token] = now + self.token_expires_in
        self.token_accounts[token] = account_id or self.account_id
        if user_id is not None:
            self.token_users[token] = user_id
        return token

    def account_of_token(self, token: str) -> SimulatedAccount | None:
        """Return the account a valid token was issued to, or None."""
        if not self.is_token_valid(token):
            return None
        return self.account(self.token_accounts.get(token, self.account_id))

    def user_of_token(self, token: str) -> str | None:
        """Return the signed-in user of a user-level token; None for an app token."""
        return self.token_users.get(token)

    def is_token_valid(self, token: str) -> bool:
        """Tell whether a token was issued here and has not expired or been revoked."""
        expires_at = self.tokens.get(token)
        return expires_at is not None and self.clock() < expires_at

    def expire_tokens(self) -> None:
        """Make every issued token expired, as if its hour had passed."""
        now = self.clock()
        self.tokens = dict.fromkeys(self.tokens, now)

    def revoke_tokens(self) -> None:
        """Forget every issued token (an admin deactivated the app, say)."""
        self.tokens.clear()
        self.token_accounts.clear()
        self.token_users.clear()
        self.refresh_tokens.clear()

    # -- user-level OAuth -------------------------------------------------------

    def oauth_user(self) -> SimulatedUser:
        """Return the user who signs in at ``/oauth/authorize``."""
        if self.oauth_user_id is not None and (
            account := self.account_of_user(self.oauth_user_id)
        ):
            return account.user
        return self.user

    def issue_authorization_code(self, client_id: str, redirect_uri: str) -> str:
        """Return a single-use code that signs in :meth:`oauth_user`."""
        now = self.clock()
        self.authorization_codes = {
            code: grant
            for code, grant in self.authorization_codes.items()
            if grant.expires_at > now
        }
        code = secrets.token_urlsafe(24)
        self.authorization_codes[code] = AuthorizationCode(
            user_id=self.oauth_user().id,
            client_id=client_id,
            redirect_uri=redirect_uri,
            expires_at=now + AUTHORIZATION_CODE_LIFETIME,
        )
        return code

    def redeem_authorization_code(
        self, code: str, client_id: str, redirect_uri: str
    ) -> str | None:
        """Use up a code; return its user, or None if it cannot be used (any more)."""
        grant = self.authorization_codes.pop(code, None)
        if (
            grant is None
            or grant.expires_at <= self.clock()
            or grant.client_id != client_id
            or grant.redirect_uri != redirect_uri
        ):
            return None
        return grant.user_id

    def issue_refresh_token(self, user_id: str) -> str:
        """Return a new refresh token for ``user_id``."""
        token = f"sim-refresh-{secrets.token_urlsafe(24)}"
        self.refresh_tokens[token] = user_id
        return token

    def use_refresh_token(self, token: str) -> str | None:
        """Use up a refresh token (they rotate); return its user, or None."""
        return self.refresh_tokens.pop(token, None)

    # -- request log --------------------------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        """Append a request to the log."""
        self.requests.append(request)

    def clear_log(self) -> None:
        """Empty the request log."""
        self.requests.clear()

    def requests_to(
        self, path: str, method: str | None = None
    ) -> list[RecordedRequest]:
        """Return the logged requests for one exact path (and method, if given)."""
        return [
            req
            for req in self.requests
            if req.path == path and (method is None or req.method == method.upper())
        ]

    # -- fault injection ----------------------------------------------------------

    def fail_next(
        self,
        count: int,
        status: int,
        body: str | dict[str, Any],
        headers: dict[str, str] | None = None,
        path_prefix: str | None = None,
        method: str | None = None,
    ) -> FaultRule:
        """Answer the next ``count`` matching Zoom-route requests with this response.

        A dict body is sent as JSON; a string as HTML when it looks like markup
        (what a proxy in front of Zoom returns), else as plain text. Rules are
        consulted in the order they were added.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        rule = FaultRule(
            remaining=count,
            status=status,
            body=body,
            headers=dict(headers or {}),
            path_prefix=path_prefix,
            method=method,
        )
        self.faults.append(rule)
        return rule

    def take_fault(self, method: str, path: str) -> FaultRule | None:
        """Consume one use of the first rule matching a request, if any."""
        for rule in self.faults:
            if rule.matches(method, path):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.faults.remove(rule)
                return rule
        return None

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self.faults.clear()

    # -- rate limits ----------------------------------------------------------------

    def consume_quota(self, category: str) -> tuple[int, int]:
        """Count one request against a category's daily quota.

        Return ``(limit, remaining)``; ``remaining`` is -1 when the quota was
        already exhausted before this request.
        """
        day = self.wall_clock().date().isoformat()
        if day != self._usage_day:
            self._usage_day = day
            self.daily_used.clear()
        limit = self.daily_limits.get(category, 0)
        used = self.daily_used.get(category, 0)
        if used >= limit:
            return limit, -1
        self.daily_used[category] = used + 1
        return limit, limit - used - 1

    def quota_reset(self) -> datetime:
        """When the daily quotas reset: the next midnight UTC."""
        now = self.wall_clock().astimezone(UTC)
        return (now + timedelta(days=1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )

    def seconds_until_quota_reset(self) -> int:
        """Seconds until the daily quotas reset (midnight UTC)."""
        now = self.wall_clock().astimezone(UTC)
        return max(1, int((self.quota_reset() - now).total_seconds()))

    # -- paging ---------------------------------------------------------------------

    def new_page_token(self, listing: str, offset: int) -> str:
        """Return an opaque token that resumes ``listing`` at ``offset``."""
        if len(self.page_cursors) >= _MAX_PAGE_CURSORS:
            del self.page_cursors[next(iter(self.page_cursors))]
        token = secrets.token_urlsafe(16)
        self.page_cursors[token] = PageCursor(listing, offset)
        return token

    # -- snapshots ------------------------------------------------------------------

    def snapshot(self) -> JsonObject:
        """Return the whole state as JSON for ``GET /_simulator/state``."""
        return {
            "account_id": self.account_id,
            "user": self.user.as_json(),
            "users": [account.as_json() for account in self.accounts()],
            "meetings": [meeting.snapshot() for meeting in self.meetings.values()],
            "active_tokens": sum(
                1 for token in self.tokens if self.is_token_valid(token)
            ),
            "pending_faults": sum(rule.remaining for rule in self.faults),
            "delay": self.delay,
            "chunk_size": self.chunk_size,
            "chunk_pause": self.chunk_pause,
            "requests_logged": len(self.requests),
            "daily_used": dict(self.daily_used),
            "modes": self.modes(),
            "hold_next": self.hold_next,
            "duplicate_next": self.duplicate_next,
            "oauth_user_id": self.oauth_user().id,
        }


def seed_demo(
    state: SimulatorState,
    *,
    meetings: int = 3,
    webinars: int = 1,
    start_first: bool = True,
) -> list[SimulatedMeeting]:
    """Fill a state with readable demo meetings and webinars and return them.

    The first meeting gets a live-stream target so a newcomer can start the stream
    from Home Assistant right away; with ``start_first`` it is already in progress.
    """
    created = [
        state.add_meeting(topic)
        for topic in _topics(_DEMO_MEETING_TOPICS, meetings, "Demo meeting")
    ]
    created.extend(
        state.add_meeting(topic, kind="webinar")
        for topic in _topics(_DEMO_WEBINAR_TOPICS, webinars, "Demo webinar")
    )
    if meetings:
        first = created[0]
        first.live_stream.update(
            stream_url="rtmp://127.0.0.1/live",
            stream_key="demo-stream-key",
            page_url="https://example.com/live",
        )
        first.started = start_first
    return created


def seed_users(
    state: SimulatorState, users: int = 2, *, start_first: bool = True
) -> list[SimulatedAccount]:
    """Add accounts until there are ``users``, each with two demo meetings.

    The second user has the ``SECOND_*`` credentials; a third and later one
    ``sim-account-N``, ``sim-client-id-N``, ``sim-client-secret-N``. Each one's
    first meeting has a stream target, like the first user's, and with
    ``start_first`` it is in progress.
    """
    added: list[SimulatedAccount] = []
    for number in range(len(state.accounts()) + 1, users + 1):
        if number == 2:
            account = state.add_user(
                account_id=SECOND_ACCOUNT_ID,
                client_id=SECOND_CLIENT_ID,
                client_secret=SECOND_CLIENT_SECRET,
                user_id=SECOND_USER_ID,
                email=SECOND_USER_EMAIL,
                first_name="Second",
            )
        else:
            account = state.add_user(
                account_id=f"sim-account-{number}",
                client_id=f"sim-client-id-{number}",
                client_secret=f"sim-client-secret-{number}",
                user_id=f"sim-user-{number}",
                email=f"user{number}@example.com",
                first_name=f"User {number}",
            )
        suffix = "" if number == 2 else f" {number}"
        state.add_meeting(
            f"Sales kickoff{suffix}",
            host_id=account.user.id,
            started=start_first,
            stream_url="rtmp://127.0.0.1/live",
            stream_key=f"demo-stream-key-{number}",
            page_url="https://example.com/live",
        )
        state.add_meeting(f"Office hours{suffix}", host_id=account.user.id)
        added.append(account)
    return added


_DEMO_MEETING_TOPICS = (
    "Weekly team sync",
    "Product launch",
    "Community Q&A",
    "Design review",
    "Customer onboarding",
)
_DEMO_WEBINAR_TOPICS = ("Quarterly all-hands", "Release walkthrough")


def _topics(readable: Iterable[str], count: int, fallback: str) -> list[str]:
    names = list(readable)[:count]
    names.extend(f"{fallback} {number}" for number in range(len(names) + 1, count + 1))
    return names
