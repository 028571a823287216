"""The values that change the entry's state, and the reports of what changed.

A poll's result, each event Zoom pushes, and what a command does are plain
values here; `state.apply` is the one set of rules that turns them into new
data. Nothing here decides anything.

Must not import Home Assistant, nor any integration module but the Zoom client's
models.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .zoom.models import Meeting, RateLimitInfo

# Where a reported change came from (the event entity's `source` attribute).
SOURCE_HOME_ASSISTANT = "home_assistant"
SOURCE_POLL = "poll"
SOURCE_ZOOM_EVENT = "zoom_event"


@dataclass(frozen=True, slots=True)
class MeetingChange:
    """A real change of one meeting, reported once to whoever listens."""

    meeting: Meeting
    # started, ended, live_stream_started or live_stream_stopped
    kind: str
    # home_assistant, poll or zoom_event
    source: str


@dataclass(frozen=True, slots=True)
class CommandRefusal:
    """A command for one meeting refused, as the person who asked was told."""

    meeting_id: int
    # The raised error's translation key: what an automation can test.
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll read from Zoom."""

    # Whether this poll read the full lists (then meetings only they name stay).
    full: bool
    # The newest full lists, when this poll has some to apply; None keeps the data's.
    listed: Mapping[int, Meeting] | None
    live: Mapping[int, Meeting]
    extra: Mapping[int, Meeting]
    # When the live list was asked for (monotonic): changes after it win.
    started_at: float
    rate_limit: RateLimitInfo | None = None
    # Meetings learned from events, as read by ID now (running or not).
    learned: Mapping[int, Meeting] = field(default_factory=dict)
    # Meetings whose live state this poll could not read (Zoom refused their
    # user's list or their details): they keep what was known.
    unread: frozenset[int] = frozenset()
    # Extra meetings Zoom says no longer exist (neither meeting nor webinar).
    gone: frozenset[int] = frozenset()
    # Whether every meeting the entry follows is in this poll's lists: only then
    # do the devices and stored settings of the meetings it lacks go.
    complete: bool = True


@dataclass(frozen=True, slots=True)
class MeetingRunning:
    """Zoom pushed that a meeting or webinar started or ended."""

    meeting_id: int
    running: bool
    # When it happened at Zoom (ms): an older event never overwrites a newer.
    event_ts: int | None = None


@dataclass(frozen=True, slots=True)
class StreamReported:
    """Zoom pushed that a meeting's live stream started or stopped."""

    meeting_id: int
    streaming: bool
    # When it happened at Zoom (ms): an older event never overwrites a newer.
    event_ts: int | None = None


@dataclass(frozen=True, slots=True)
class MeetingCreated:
    """Zoom pushed a newly scheduled meeting or webinar of a followed user."""

    meeting: Meeting
    # When it happened at Zoom (ms): an older event never overwrites a newer.
    event_ts: int | None = None


@dataclass(frozen=True, slots=True)
class MeetingLearned:
    """A meeting no list shows (instant, personal room), known from Zoom's event.

    `meeting` is Zoom's details of it (with `status`), read after its
    `meeting.started`: polls keep it, reading it by ID, while it runs.
    """

    meeting: Meeting
    # When it happened at Zoom (ms): an older event never overwrites a newer.
    event_ts: int | None = None


@dataclass(frozen=True, slots=True)
class MeetingUpdated:
    """Zoom pushed that a meeting changed (its new topic, when it has one)."""

    meeting_id: int
    topic: str | None
    # When it happened at Zoom (ms): an older event never overwrites a newer.
    event_ts: int | None = None


@dataclass(frozen=True, slots=True)
class MeetingDeleted:
    """Zoom pushed that a meeting or webinar was deleted."""

    meeting_id: int
    # When it happened at Zoom (ms): an older event never overwrites a newer.
    event_ts: int | None = None


@dataclass(frozen=True, slots=True)
class CommandSending:
    """A command for a meeting is being sent (True: start), or is done (None)."""

    meeting_id: int
    streaming: bool | None


@dataclass(frozen=True, slots=True)
class StreamStarted:
    """Zoom accepted a start: the meeting runs and streams."""

    meeting: Meeting


@dataclass(frozen=True, slots=True)
class StreamStopped:
    """Zoom accepted a stop, or refused one because the meeting does not run."""

    meeting_id: int


@dataclass(frozen=True, slots=True)
class StreamsRestored:
    """What was known before a restart or a reload: streams on, events' times."""

    meeting_ids: frozenset[int]
    events_enabled: bool
    event_ts: Mapping[int, int] = field(default_factory=dict)
    # Whether each webinar ran, as Zoom's events last said (with events on only).
    live_webinars: Mapping[int, bool] = field(default_factory=dict)
    # Now, as Zoom counts event times (epoch ms): old news is not restored.
    now_ms: int = 0


@dataclass(frozen=True, slots=True)
class ErrorNoted:
    """The last error Zoom gave (already free of personal data)."""

    message: str


type PushedEvent = (
    MeetingRunning
    | StreamReported
    | MeetingCreated
    | MeetingLearned
    | MeetingUpdated
    | MeetingDeleted
)
type CommandResult = CommandSending | StreamStarted | StreamStopped
type Change = PollResult | PushedEvent | CommandResult | StreamsRestored | ErrorNoted
