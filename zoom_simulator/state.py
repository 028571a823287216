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
from typing import Any

from .events import meeting_event
from .models import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_USER_EMAIL,
    DEFAULT_USER_ID,
    MEETING_TYPE_RECURRING,
    MEETING_TYPE_SCHEDULED,
    RESOLUTIONS,
    WEBINAR_TYPE_SCHEDULED,
    FaultRule,
    JsonObject,
    MeetingKind,
    PageCursor,
    RecordedRequest,
    SimulatedAccount,
    SimulatedMeeting,
    SimulatedUser,
    default_live_stream,
    iso_utc,
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

# Real servers send large JSON bodies with chunked transfer encoding, and over a
# real network they arrive in pieces: bodies larger than this many bytes are sent
# in pieces of this size with a pause after each (0 sends every body whole).
DEFAULT_CHUNK_SIZE = 4096
DEFAULT_CHUNK_PAUSE = 0.002

TOKEN_SCOPE = (
    "meeting:read:admin meeting:write:admin user:read:admin "
    "webinar:read:admin webinar:write:admin"
)

# Real IDs are 10-11 digits and routinely exceed 2**32; starting here makes any
# float or 32-bit truncation in a client visible at once.
FIRST_MEETING_ID = 85746065432


# Daily quotas of a Free account (docs/zoom-api.md); only reported in headers unless
# ``enforce_daily_limits`` is set, because long benchmarks would otherwise hit them.
DEFAULT_DAILY_LIMITS: Mapping[str, int] = {"Light": 6000, "Medium": 2000}

# Bounds memory when a benchmark pages through thousands of lists.
_MAX_PAGE_CURSORS = 10_000
# How many recent event deliveries GET /_simulator/deliveries reports.
MAX_DELIVERIES = 100


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _digest(meeting_id: int, salt: str) -> bytes:
    # Derived rather than random so a seeded scenario is identical on every run.
    return hashlib.sha256(f"{salt}:{meeting_id}".encode()).digest()


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
    other_accounts: list[SimulatedAccount] = field(default_factory=list)
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
    enforce_daily_limits: bool = False
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
    pending_events: list[JsonObject] = field(default_factory=list)
    # The latest deliveries: event, meeting, URL and Home Assistant's answer.
    deliveries: list[JsonObject] = field(default_factory=list)
    _usage_day: str = ""

    def __post_init__(self) -> None:
        """Keep the user on the same account as the credentials."""
        self.user.account_id = self.account_id

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
            if account.client_id == client_id:
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
        if account_id is None or account_id == self.account_id:
            self.webhook_url, self.webhook_secret = url, secret
            return
        account = next(
            (item for item in self.other_accounts if item.account_id == account_id),
            None,
        )
        if account is None:
            raise KeyError(account_id)
        account.webhook_url, account.webhook_secret = url, secret

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
    ) -> SimulatedMeeting:
        """Create a meeting or webinar and return it.

        Its host is the first account's user unless ``host_id`` names another.
        """
        if host_id is None:
            host_id = self.user.id
        elif self.account_of_user(host_id) is None:
            raise ValueError(f"No user {host_id}")
        if meeting_id is None:
            meeting_id = self.next_meeting_id
        if meeting_id in self.meetings:
            raise ValueError(f"Meeting {meeting_id} already exists")
        self.next_meeting_id = max(self.next_meeting_id, meeting_id + 1)
        if meeting_type is None:
            meeting_type = (
                MEETING_TYPE_SCHEDULED if kind == "meeting" else WEBINAR_TYPE_SCHEDULED
            )
        now = self.wall_clock()
        if start_time is None:
            start_time = iso_utc(now.replace(minute=0, second=0) + timedelta(hours=1))
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

    def emit(self, name: str, meeting: SimulatedMeeting) -> None:
        """Queue a Zoom event about ``meeting`` when its account has a webhook."""
        account = self.account_of_user(meeting.host_id) or self.primary_account()
        if account.webhook_url and account.webhook_secret:
            self.pending_events.append(
                meeting_event(
                    name, account.account_id, meeting, operator=account.user.email
                )
            )

    def record_delivery(
        self, event: JsonObject, url: str, status: int | None, error: str | None
    ) -> None:
        """Remember how a delivery went (``status`` None: no answer, see ``error``)."""
        self.deliveries.append(
            {
                "event": event["event"],
                "meeting_id": int(event["payload"]["object"]["id"]),
                "account_id": event["payload"]["account_id"],
                "url": url,
                "status": status,
                "error": error,
            }
        )
        del self.deliveries[:-MAX_DELIVERIES]

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

    def delete_meeting(self, meeting_id: int) -> SimulatedMeeting:
        """Remove a meeting or webinar and return it."""
        return self.meetings.pop(meeting_id)

    def listing(
        self, kind: MeetingKind, host_id: str | None = None
    ) -> list[SimulatedMeeting]:
        """Return the meetings or the webinars (of one host), in creation order."""
        return [
            meeting
            for meeting in self.meetings.values()
            if meeting.kind == kind and (host_id is None or meeting.host_id == host_id)
        ]

    # -- tokens -----------------------------------------------------------------

    def issue_token(self, account_id: str | None = None) -> str:
        """Issue a new access token valid for ``token_expires_in`` seconds.

        It belongs to ``account_id`` (by default the first account) and reaches
        that account's user and meetings only.
        """
        now = self.clock()
        # Drop expired tokens so long runs do not grow without bound.
        self.tokens = {tok: exp for tok, exp in self.tokens.items() if exp > now}
        self.token_accounts = {
            tok: owner
            for tok, owner in self.token_accounts.items()
            if tok in self.tokens
        }
        token = f"sim-{secrets.token_urlsafe(24)}"
        self.tokens[token] = now + self.token_expires_in
        self.token_accounts[token] = account_id or self.account_id
        return token

    def account_of_token(self, token: str) -> SimulatedAccount | None:
        """Return the account a valid token was issued to, or None."""
        if not self.is_token_valid(token):
            return None
        return self.account(self.token_accounts.get(token, self.account_id))

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

    def seconds_until_quota_reset(self) -> int:
        """Seconds until the daily quotas reset (midnight UTC)."""
        now = self.wall_clock().astimezone(UTC)
        midnight = (now + timedelta(days=1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        return max(1, int((midnight - now).total_seconds()))

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
