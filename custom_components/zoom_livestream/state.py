"""What the entities show, and the pure rules that change it.

Owns `ZoomData`, the coordinator's data: the meetings, the last full lists, which
meetings and webinars run, which streams are on, Zoom's rate limit and the last
error, together with the race bookkeeping (when a command or an event last
changed each meeting's live state, and what each meeting's command is sending).
Every change is a value of `changes` (a poll's result, a pushed event, a
command's result) that `apply` turns into new data; `diff` says which meetings
changed and what to report. Rules that keep the state honest under races:

- a poll that started before a command or an event cannot undo it;
- an event changes only the meeting it names;
- Zoom pushing the very change a command is sending is that command's doing.

Must not import Home Assistant, nor any integration module but `changes` and the
Zoom client's models: every rule is a function of its arguments, tested without
`hass`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .changes import (
    SOURCE_HOME_ASSISTANT,
    SOURCE_POLL,
    SOURCE_ZOOM_EVENT,
    Change,
    CommandResult,
    CommandSending,
    ErrorNoted,
    MeetingChange,
    MeetingCreated,
    MeetingDeleted,
    MeetingLearned,
    MeetingRunning,
    MeetingUpdated,
    PollResult,
    PushedEvent,
    StreamReported,
    StreamsRestored,
    StreamStarted,
    StreamStopped,
)
from .zoom.models import Meeting, MeetingKind, RateLimitInfo

# The longest a Zoom meeting or webinar can run (paid plans: 30 hours): what an
# event said longer ago than this is no longer believed after a restart.
MAX_RUN_MS = 30 * 3600 * 1000
# Meetings Zoom's created events may add before a full list confirms them: a
# burst beyond this waits for the lists (one refresh), so what the entry holds
# stays what Zoom lists, plus what runs, plus at most this many.
MAX_CREATED_UNLISTED = 20


@dataclass(frozen=True, slots=True)
class ZoomData:
    """Everything the entities show, and what the rules need to keep it right."""

    meetings: Mapping[int, Meeting] = field(default_factory=dict)
    # Meetings in progress: from the live list, or from pushed events.
    live_meeting_ids: frozenset[int] = frozenset()
    # Webinars have no live list: only events (and a start Zoom accepted) tell.
    live_webinars: Mapping[int, bool] = field(default_factory=dict)
    # Streams on, by meeting ID, with when they started (monotonic seconds).
    streaming: Mapping[int, float] = field(default_factory=dict)
    rate_limit: RateLimitInfo | None = None
    last_error: str | None = None
    # The last full meeting and webinar lists, as events amended them since.
    listed: Mapping[int, Meeting] = field(default_factory=dict)
    # When a command or an event last changed a meeting's live state (monotonic
    # seconds): a poll sent before that moment cannot undo it.
    changed_at: Mapping[int, float] = field(default_factory=dict)
    # The command each meeting is sending (True: start). Zoom may push its event
    # about it before it answers: that change is still Home Assistant's.
    sending: Mapping[int, bool] = field(default_factory=dict)
    # When the newest event applied to each meeting happened at Zoom (ms): of
    # its live state (started, ended, stream started or stopped) here, of its
    # details (created, updated, deleted) in `details_ts`. Each is ordered on
    # its own: a newer rename says nothing of a late "stream stopped".
    event_ts: Mapping[int, int] = field(default_factory=dict)
    details_ts: Mapping[int, int] = field(default_factory=dict)
    # Meetings no list shows (instant, personal room), known from Zoom's events:
    # each poll reads them by ID while they run.
    learned: frozenset[int] = frozenset()
    # Meetings Zoom's created events added since the last full list, with when
    # (monotonic seconds): the next full list confirms or removes them.
    created: Mapping[int, float] = field(default_factory=dict)

    def in_progress(self, meeting: Meeting) -> bool | None:
        """Return whether the meeting runs; None when Zoom cannot tell (webinars)."""
        if meeting.kind is MeetingKind.WEBINAR:
            return self.live_webinars.get(meeting.id)
        return meeting.id in self.live_meeting_ids

    def is_streaming(self, meeting_id: int) -> bool:
        """Return whether the meeting's stream is on, as far as is known."""
        return meeting_id in self.streaming


# -- rules -----------------------------------------------------------------------


_FIELDS = tuple(name for name in ZoomData.__dataclass_fields__)


def evolve(data: ZoomData, **changes: Any) -> ZoomData:
    """Return `data` with `changes`: `dataclasses.replace`, at a third of the cost.

    A toggle makes two new ZoomData; on a loop shared with Home Assistant the
    generic replace's introspection was a measurable part of a toggle.
    """
    new = object.__new__(ZoomData)
    for name in _FIELDS:
        object.__setattr__(
            new, name, changes[name] if name in changes else getattr(data, name)
        )
    return new


def apply(data: ZoomData, change: Change, now: float) -> ZoomData:
    """Return the data after `change`; the same object when nothing changed."""
    match change:
        case PollResult():
            return apply_poll(data, change)
        case CommandSending() | StreamStarted() | StreamStopped():
            return apply_command(data, change, now)
        case StreamsRestored():
            return restore_streams(data, change)
        case ErrorNoted(message):
            return (
                data if data.last_error == message else evolve(data, last_error=message)
            )
        case _:
            return apply_event(data, change, now)


def source_of(data: ZoomData, change: Change) -> str:
    """Return who made `change`, for the reports it causes."""
    match change:
        case PollResult():
            return SOURCE_POLL
        case StreamReported(meeting_id, streaming) if (
            data.sending.get(meeting_id) is streaming
        ):
            # Zoom reporting the very command Home Assistant is sending.
            return SOURCE_HOME_ASSISTANT
        case (
            MeetingRunning()
            | StreamReported()
            | MeetingCreated()
            | MeetingUpdated()
            | MeetingDeleted()
        ):
            return SOURCE_ZOOM_EVENT
        case _:
            return SOURCE_HOME_ASSISTANT


def apply_poll(data: ZoomData, poll: PollResult) -> ZoomData:
    """Combine a poll's answers with what commands and events changed since it began.

    Instant and personal-room meetings are only listed while they run: a
    live-only poll keeps them (ended, so off) until a full list no longer has
    them. Unchanged meetings stay the same mapping object, so that whoever
    compares them skips 5,000 meetings at once.
    """
    listed = poll.listed if poll.listed is not None else data.listed
    created = data.created
    if poll.listed is not None and created:
        # The lists settle what events created, except what they could not know.
        created = {i: at for i, at in created.items() if at > poll.started_at}
        listed = {
            **listed,
            **{i: data.listed[i] for i in created if i in data.listed},
        }
    previous = data.meetings
    # Learned meetings that still run stay; one that ended goes like any ended
    # instant meeting (kept, off, until a full list no longer has it). One learned
    # while this poll ran was not read by it: it stays as it is.
    running_learned: dict[int, Meeting] = {}
    read_running: set[int] = set()
    for meeting_id in data.learned:
        read = poll.learned.get(meeting_id)
        if read is not None and read.status == "started":
            running_learned[meeting_id] = read
            read_running.add(meeting_id)
        elif (
            data.changed_at.get(meeting_id, 0.0) > poll.started_at
            and meeting_id in data.meetings
        ):
            running_learned[meeting_id] = data.meetings[meeting_id]
    learned = running_learned.keys()
    meetings: Mapping[int, Meeting]
    if poll.listed is None:
        meetings = _updated_meetings(data, poll, running_learned)
    else:
        meetings = {**listed, **poll.extra, **running_learned, **poll.live}
        if not poll.full:
            # Lists read by an earlier, failed poll: instant meetings stay.
            meetings = {
                **{i: m for i, m in previous.items() if m.kind is MeetingKind.MEETING},
                **meetings,
            }
        if meetings == previous:
            meetings = previous
    live_ids = set(poll.live) | read_running
    # What this poll could not read (Zoom refused it) keeps what was known.
    live_ids |= poll.unread & data.live_meeting_ids
    # Events and commands newer than this poll win over its live list; older
    # ones are settled by it and need not be remembered.
    changed_at = {
        meeting_id: at
        for meeting_id, at in data.changed_at.items()
        if at > poll.started_at
    }
    for meeting_id in changed_at.keys() & meetings.keys():
        if meeting_id in data.live_meeting_ids:
            live_ids.add(meeting_id)
        else:
            live_ids.discard(meeting_id)
    streaming = {
        meeting_id: started
        for meeting_id, started in data.streaming.items()
        if meeting_id in meetings
        and (
            meetings[meeting_id].kind is MeetingKind.WEBINAR
            or meeting_id in live_ids
            or meeting_id in poll.unread
            or started > poll.started_at
        )
    }
    live_webinars = {
        meeting_id: running
        for meeting_id, running in data.live_webinars.items()
        if meeting_id in meetings
    }
    event_ts, details_ts = (
        (
            {i: at for i, at in data.event_ts.items() if i in meetings},
            {i: at for i, at in data.details_ts.items() if i in meetings},
        )
        if poll.full
        else (data.event_ts, data.details_ts)
    )
    return evolve(
        data,
        meetings=meetings,
        live_meeting_ids=frozenset(live_ids),
        live_webinars=live_webinars,
        streaming=streaming,
        rate_limit=poll.rate_limit,
        listed=listed,
        changed_at=changed_at,
        event_ts=event_ts,
        details_ts=details_ts,
        learned=data.learned if learned == data.learned else frozenset(learned),
        created=created,
    )


def _updated_meetings(
    data: ZoomData, poll: PollResult, running_learned: Mapping[int, Meeting]
) -> Mapping[int, Meeting]:
    """Return the meetings after a live-only poll, in the time of what it read.

    Only what the poll read can differ (the live list, extra and learned
    meetings), and a meeting no longer live shows its listed description again:
    with 5,000 meetings and one live, a poll touches one, not 5,000.
    """
    previous = data.meetings
    updates: dict[int, Meeting] = {}
    for meeting_id in data.live_meeting_ids - poll.live.keys():
        listed = data.listed.get(meeting_id)
        current = previous.get(meeting_id)
        if listed is not None and current is not listed and current != listed:
            updates[meeting_id] = listed
    for source in (poll.extra, running_learned, poll.live):
        for meeting_id, meeting in source.items():
            current = updates.get(meeting_id, previous.get(meeting_id))
            if current is not meeting and current != meeting:
                updates[meeting_id] = meeting
    gone = poll.gone & previous.keys()
    if gone:
        return {i: m for i, m in {**previous, **updates}.items() if i not in gone}
    return {**previous, **updates} if updates else previous


def touched_by(old: ZoomData, poll: PollResult) -> frozenset[int] | None:
    """Return the meetings a live-only poll may have changed; None: any of them."""
    if poll.listed is not None:
        return None
    return (
        frozenset(poll.live.keys() | poll.extra.keys() | poll.learned.keys())
        | old.live_meeting_ids
        | poll.gone
    )


def can_create(data: ZoomData) -> bool:
    """Whether a created event may still add a meeting before the lists confirm."""
    return len(data.created) < MAX_CREATED_UNLISTED


def event_meeting_id(event: PushedEvent) -> int:
    """Return the meeting a pushed event names."""
    if isinstance(event, MeetingCreated | MeetingLearned):
        return event.meeting.id
    return event.meeting_id


def _about_details(event: PushedEvent) -> bool:
    """Whether an event is about a meeting's details, not its live state."""
    return isinstance(event, MeetingCreated | MeetingUpdated | MeetingDeleted)


def is_outdated(data: ZoomData, event: PushedEvent) -> bool:
    """Whether Zoom sent a newer event about the same meeting already.

    Deliveries arrive late, retried or out of order; `event_ts` says when each
    happened, so a late "stream started" cannot undo a "stream stopped". Events
    about the details are ordered among themselves only.
    """
    times = data.details_ts if _about_details(event) else data.event_ts
    known = times.get(event_meeting_id(event))
    return event.event_ts is not None and known is not None and event.event_ts < known


def apply_event(data: ZoomData, event: PushedEvent, now: float) -> ZoomData:
    """Apply what Zoom pushed to the meeting it names, and only to that one."""
    if is_outdated(data, event):
        return data
    new = _apply_event(data, event, now)
    meeting_id = event_meeting_id(event)
    details = _about_details(event)
    times = data.details_ts if details else data.event_ts
    if event.event_ts is None or times.get(meeting_id) == event.event_ts:
        return new
    newer = {**times, meeting_id: event.event_ts}
    return evolve(new, details_ts=newer) if details else evolve(new, event_ts=newer)


def _apply_event(data: ZoomData, event: PushedEvent, now: float) -> ZoomData:
    match event:
        case MeetingRunning(meeting_id, running, _):
            return _set_running(data, meeting_id, running, now)
        case StreamReported(meeting_id, streaming, _):
            if meeting_id not in data.meetings:
                return data
            if not streaming:
                return _set_stopped(data, meeting_id, now)
            if data.is_streaming(meeting_id):
                return data
            return evolve(
                data,
                live_meeting_ids=data.live_meeting_ids | {meeting_id},
                streaming={**data.streaming, meeting_id: now},
                changed_at={**data.changed_at, meeting_id: now},
            )
        case MeetingCreated(meeting, _):
            if meeting.id in data.meetings or not can_create(data):
                return data
            return evolve(
                data,
                meetings={**data.meetings, meeting.id: meeting},
                listed={**data.listed, meeting.id: meeting},
                created={**data.created, meeting.id: now},
            )
        case MeetingLearned(meeting, _):
            running = meeting.status == "started"
            known = data.meetings.get(meeting.id)
            learned = evolve(
                data,
                # What a list says of a meeting it shows is not replaced.
                meetings=data.meetings
                if known is not None
                else {**data.meetings, meeting.id: meeting},
                learned=data.learned | {meeting.id}
                if running and known is None
                else data.learned,
            )
            return _set_running(learned, meeting.id, running, now)
        case MeetingUpdated(meeting_id, topic, _):
            current = data.meetings.get(meeting_id)
            if topic is None or current is None or current.topic == topic:
                return data
            renamed = replace(current, topic=topic)
            return evolve(
                data,
                meetings={**data.meetings, meeting_id: renamed},
                listed={**data.listed, meeting_id: renamed}
                if meeting_id in data.listed
                else data.listed,
            )
        case MeetingDeleted(meeting_id, _):
            if meeting_id not in data.meetings:
                return data
            return evolve(
                data,
                meetings=_without(data.meetings, meeting_id),
                live_meeting_ids=data.live_meeting_ids - {meeting_id},
                live_webinars=_without(data.live_webinars, meeting_id),
                streaming=_without(data.streaming, meeting_id),
                listed=_without(data.listed, meeting_id),
                created=_without(data.created, meeting_id)
                if meeting_id in data.created
                else data.created,
            )


def apply_command(data: ZoomData, result: CommandResult, now: float) -> ZoomData:
    """Apply what a command is doing, or what Zoom accepted."""
    match result:
        case CommandSending(meeting_id, streaming):
            if streaming is None:
                return evolve(data, sending=_without(data.sending, meeting_id))
            return evolve(data, sending={**data.sending, meeting_id: streaming})
        case StreamStarted(meeting):
            # Zoom only starts streams of running meetings: whatever said it had
            # ended is stale. A webinar's In progress is only what Zoom's events
            # say (it has no live list): a command never sets it.
            webinar = meeting.kind is MeetingKind.WEBINAR
            return evolve(
                data,
                live_meeting_ids=data.live_meeting_ids
                if webinar
                else data.live_meeting_ids | {meeting.id},
                streaming={**data.streaming, meeting.id: now},
                changed_at={**data.changed_at, meeting.id: now},
                # Zoom answered: the command is no longer being sent.
                sending=_without(data.sending, meeting.id)
                if meeting.id in data.sending
                else data.sending,
            )
        case StreamStopped(meeting_id):
            return _set_stopped(data, meeting_id, now, answered=True)


def restore_streams(data: ZoomData, restored: StreamsRestored) -> ZoomData:
    """Take back streams that were on before a restart or reload, if still live.

    A meeting's stream is restored while Zoom lists the meeting as live (the
    next poll that misses it ends it). A webinar has no live list: its stream
    is restored only when Zoom pushes events, which will say when it ends.
    """
    streams = {
        # "As old as can be": any later poll that misses the meeting ends it.
        meeting_id: 0.0
        for meeting_id in restored.meeting_ids
        if (meeting := data.meetings.get(meeting_id)) is not None
        and not data.is_streaming(meeting_id)
        and (
            meeting_id in data.live_meeting_ids
            if meeting.kind is MeetingKind.MEETING
            else restored.events_enabled
            and data.live_webinars.get(meeting_id) is not False
        )
    }
    event_ts = {
        meeting_id: at
        for meeting_id, at in restored.event_ts.items()
        if meeting_id in data.meetings and at > data.event_ts.get(meeting_id, 0)
    }
    # What the events said of each webinar, unless it is older than any meeting
    # can run or something newer is known.
    live_webinars = {
        meeting_id: running
        for meeting_id, running in restored.live_webinars.items()
        if restored.events_enabled
        and (meeting := data.meetings.get(meeting_id)) is not None
        and meeting.kind is MeetingKind.WEBINAR
        and meeting_id not in data.live_webinars
        and restored.now_ms - restored.event_ts.get(meeting_id, 0) < MAX_RUN_MS
    }
    if not streams and not event_ts and not live_webinars:
        return data
    return evolve(
        data,
        streaming={**data.streaming, **streams},
        event_ts={**data.event_ts, **event_ts},
        live_webinars={**data.live_webinars, **live_webinars}
        if live_webinars
        else data.live_webinars,
    )


def _set_running(
    data: ZoomData, meeting_id: int, running: bool, now: float
) -> ZoomData:
    if (meeting := data.meetings.get(meeting_id)) is None:
        return data
    changed_at = {**data.changed_at, meeting_id: now}
    if meeting.kind is MeetingKind.WEBINAR:
        new = evolve(
            data,
            live_webinars={**data.live_webinars, meeting_id: running},
            changed_at=changed_at,
        )
    elif running:
        new = evolve(
            data,
            live_meeting_ids=data.live_meeting_ids | {meeting_id},
            changed_at=changed_at,
        )
    else:
        new = evolve(
            data,
            live_meeting_ids=data.live_meeting_ids - {meeting_id},
            changed_at=changed_at,
        )
    if not running:
        # An ended meeting streams no more.
        new = evolve(new, streaming=_without(new.streaming, meeting_id))
    return new


def _set_stopped(
    data: ZoomData, meeting_id: int, now: float, *, answered: bool = False
) -> ZoomData:
    return evolve(
        data,
        streaming=_without(data.streaming, meeting_id)
        if meeting_id in data.streaming
        else data.streaming,
        changed_at={**data.changed_at, meeting_id: now},
        # A stop Zoom answered is no longer being sent (an event says nothing
        # of what Home Assistant sends).
        sending=_without(data.sending, meeting_id)
        if answered and meeting_id in data.sending
        else data.sending,
    )


# -- what changed ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Diff:
    """What a change means to the entities."""

    # The meetings whose entities may show something new (None: every meeting).
    meetings: frozenset[int] | None
    # Real changes, each reported once.
    reports: tuple[MeetingChange, ...] = ()
    # Which streams are on changed (the store keeps them across restarts).
    streaming_changed: bool = False
    # What the account's entities or the platforms show changed: the meeting
    # lists, the rate limit or the last error.
    account_changed: bool = False

    @property
    def is_empty(self) -> bool:
        """Whether nothing any entity shows changed."""
        return not (
            self.meetings is None
            or self.meetings
            or self.reports
            or self.streaming_changed
            or self.account_changed
        )


def diff(
    old: ZoomData | None,
    new: ZoomData,
    source: str,
    touched: frozenset[int] | None = None,
) -> Diff:
    """Return which meetings changed from `old` to `new`, and what to report.

    A command or an event keeps the lists it did not touch: their comparison,
    which walks every meeting, is skipped then. A live-only poll says which
    meetings it may have `touched`: only those are compared.
    """
    if old is None:
        # The first data: everything is new, nothing is a change to report (and
        # the streams to keep are the store's until they are restored).
        return Diff(None, account_changed=True)
    streaming_changed = old.streaming.keys() != new.streaming.keys()
    state_changed = (old.live_meeting_ids ^ new.live_meeting_ids) | (
        old.streaming.keys() ^ new.streaming.keys()
    )
    if old.live_webinars is not new.live_webinars:
        state_changed |= {
            meeting_id
            for meeting_id in old.live_webinars.keys() | new.live_webinars.keys()
            if old.live_webinars.get(meeting_id) != new.live_webinars.get(meeting_id)
        }
    changed = set(state_changed)
    if old.meetings is not new.meetings and touched is not None:
        changed.update(
            meeting_id
            for meeting_id in touched
            if old.meetings.get(meeting_id) is not new.meetings.get(meeting_id)
        )
    elif old.meetings is not new.meetings:
        changed |= old.meetings.keys() ^ new.meetings.keys()
        changed.update(
            meeting_id
            for meeting_id, meeting in new.meetings.items()
            if old.meetings.get(meeting_id, meeting) is not meeting
            and old.meetings[meeting_id] != meeting
        )
    reports: list[MeetingChange] = []
    for meeting_id in state_changed & old.meetings.keys() & new.meetings.keys():
        meeting = new.meetings[meeting_id]
        before, after = old.in_progress(meeting), new.in_progress(meeting)
        if before is not after and after is not None:
            reports.append(
                MeetingChange(meeting, "started" if after else "ended", source)
            )
        was, now = old.is_streaming(meeting_id), new.is_streaming(meeting_id)
        if was != now:
            kind = "live_stream_started" if now else "live_stream_stopped"
            reports.append(MeetingChange(meeting, kind, source))
    return Diff(
        frozenset(changed),
        tuple(reports),
        streaming_changed,
        account_changed=old.meetings is not new.meetings
        or old.rate_limit != new.rate_limit
        or old.last_error != new.last_error,
    )


def _without[K, V](mapping: Mapping[K, V], key: K) -> dict[K, V]:
    return {k: v for k, v in mapping.items() if k != key}
