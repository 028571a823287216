"""The rules of `state`: each change's effect, races, and what a change reports.

Plain values in, plain values out: no Home Assistant, no event loop.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
import sys

import pytest

from custom_components.zoom_livestream import state
from custom_components.zoom_livestream.changes import (
    SOURCE_HOME_ASSISTANT,
    SOURCE_POLL,
    SOURCE_ZOOM_EVENT,
    Change,
    CommandSending,
    ErrorNoted,
    MeetingChange,
    MeetingCreated,
    MeetingDeleted,
    MeetingLearned,
    MeetingRunning,
    MeetingUpdated,
    PollResult,
    StreamReported,
    StreamsRestored,
    StreamStarted,
    StreamStopped,
)
from custom_components.zoom_livestream.state import ZoomData
from custom_components.zoom_livestream.zoom import Meeting, MeetingKind, RateLimitInfo

INTEGRATION = Path(__file__).parents[2] / "custom_components" / "zoom_livestream"

SYNC = Meeting(85746065432, MeetingKind.MEETING, "Weekly team sync")
LAUNCH = Meeting(98765432101, MeetingKind.MEETING, "Product launch")
ALL_HANDS = Meeting(91234567890, MeetingKind.WEBINAR, "Quarterly all-hands")
INSTANT = Meeting(11122233344, MeetingKind.MEETING, "Instant meeting")
LISTED = {m.id: m for m in (SYNC, LAUNCH, ALL_HANDS)}


def poll(
    *live: Meeting,
    at: float,
    listed: Mapping[int, Meeting] | None = None,
    full: bool | None = None,
    rate_limit: RateLimitInfo | None = None,
) -> PollResult:
    """Return a poll that listed `listed` (None: live only) and saw `live` running."""
    return PollResult(
        full=listed is not None if full is None else full,
        listed=listed,
        live={m.id: m for m in live},
        extra={},
        started_at=at,
        rate_limit=rate_limit,
    )


def first_data(*live: Meeting) -> ZoomData:
    """Return the data after the first (full) poll at time 0."""
    return state.apply_poll(ZoomData(), poll(*live, at=0.0, listed=LISTED))


# -- modules ---------------------------------------------------------------------


@pytest.mark.parametrize("module", ["state.py", "changes.py"])
def test_rules_import_nothing_of_home_assistant(module: str) -> None:
    """The rules and their values stand alone: stdlib, `changes` and Zoom's models."""
    tree = ast.parse((INTEGRATION / module).read_text())
    relative: set[str] = set()
    absolute: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            relative.add(str(node.module))
        elif isinstance(node, ast.ImportFrom):
            absolute.add(str(node.module).split(".")[0])
        elif isinstance(node, ast.Import):
            absolute.update(alias.name.split(".")[0] for alias in node.names)
    assert relative <= {"changes", "zoom.models"}
    assert absolute <= set(sys.stdlib_module_names) | {"__future__"}


# -- polls -----------------------------------------------------------------------


def test_first_poll_lists_meetings_and_who_is_live() -> None:
    """The first full poll: every listed meeting, the live ones in progress."""
    data = first_data(SYNC)
    assert data.meetings == LISTED
    assert data.listed == LISTED
    assert data.live_meeting_ids == {SYNC.id}
    assert data.in_progress(SYNC) is True
    assert data.in_progress(LAUNCH) is False
    # Webinars have no live list: unknown.
    assert data.in_progress(ALL_HANDS) is None


def test_live_only_poll_keeps_the_lists_and_ended_instant_meetings() -> None:
    """An instant meeting is listed only while live; it stays (off) until a full list."""
    data = state.apply_poll(first_data(), poll(INSTANT, at=1.0))
    assert INSTANT.id in data.meetings
    assert data.in_progress(INSTANT) is True
    data = state.apply_poll(data, poll(at=2.0))
    assert INSTANT.id in data.meetings
    assert data.in_progress(INSTANT) is False
    data = state.apply_poll(data, poll(at=3.0, listed=LISTED))
    assert INSTANT.id not in data.meetings


def test_unchanged_meetings_stay_the_same_object() -> None:
    """Whoever compares the meetings skips them all at once."""
    data = first_data(SYNC)
    again = state.apply_poll(data, poll(SYNC, at=1.0, listed=dict(LISTED)))
    assert again.meetings is data.meetings


def test_live_only_poll_touches_only_what_it_read() -> None:
    """Nothing new: the same meetings mapping; what changed is what the poll read."""
    live_version = replace(SYNC, duration=45)
    data = first_data()
    data = state.apply_poll(data, poll(live_version, at=1.0))
    assert data.meetings[SYNC.id] is live_version
    # No longer live: its listed description is shown again.
    after = state.apply_poll(data, poll(at=2.0))
    assert after.meetings[SYNC.id] is SYNC
    quiet = state.apply_poll(after, poll(at=3.0))
    assert quiet.meetings is after.meetings
    for old, new, at in ((first_data(), data, 1.0), (data, after, 2.0)):
        read = poll(
            *(m for m in new.meetings.values() if m.id in new.live_meeting_ids), at=at
        )
        touched = state.touched_by(old, read)
        assert touched is not None
        assert state.diff(old, new, SOURCE_POLL, touched) == state.diff(
            old, new, SOURCE_POLL
        )


def test_an_extra_meeting_zoom_deleted_goes_at_once() -> None:
    """A live-only poll drops an extra meeting Zoom says does not exist."""
    data = state.apply_poll(
        ZoomData(),
        replace(poll(at=0.0, listed=LISTED), extra={INSTANT.id: INSTANT}),
    )
    assert INSTANT.id in data.meetings
    data = state.apply_poll(data, replace(poll(at=1.0), gone=frozenset({INSTANT.id})))
    assert INSTANT.id not in data.meetings
    assert set(data.meetings) == set(LISTED)


def test_a_poll_sent_before_a_start_cannot_end_it() -> None:
    """Started at 10; a poll asked at 5 misses the meeting; one asked at 15 ends it."""
    data = state.apply_command(first_data(), StreamStarted(LAUNCH), now=10.0)
    assert data.is_streaming(LAUNCH.id)
    older = state.apply_poll(data, poll(at=5.0))
    assert older.is_streaming(LAUNCH.id)
    assert LAUNCH.id in older.live_meeting_ids
    newer = state.apply_poll(older, poll(at=15.0))
    assert not newer.is_streaming(LAUNCH.id)
    assert LAUNCH.id not in newer.live_meeting_ids
    # Settled: no longer remembered.
    assert LAUNCH.id not in newer.changed_at


def test_a_poll_sent_before_an_event_cannot_undo_it() -> None:
    """Zoom pushed "ended" at 10; a poll asked at 5 still saw the meeting live."""
    data = state.apply_event(first_data(SYNC), MeetingRunning(SYNC.id, False), 10.0)
    data = state.apply_poll(data, poll(SYNC, at=5.0))
    assert SYNC.id not in data.live_meeting_ids


def test_polls_never_end_a_webinar_stream() -> None:
    """A webinar has no live list: only an event or a refused stop ends its stream."""
    data = state.apply_command(first_data(), StreamStarted(ALL_HANDS), now=1.0)
    data = state.apply_poll(data, poll(at=2.0, listed=LISTED))
    assert data.is_streaming(ALL_HANDS.id)
    assert data.in_progress(ALL_HANDS) is None


def test_what_a_poll_could_not_read_keeps_what_was_known() -> None:
    """Zoom refused a meeting's list: its live state and stream stay as known."""
    data = state.apply_command(first_data(SYNC), StreamStarted(SYNC), now=1.0)
    refused = replace(poll(at=2.0), unread=frozenset({SYNC.id}))
    data = state.apply_poll(data, refused)
    assert data.in_progress(SYNC) is True
    assert data.is_streaming(SYNC.id)
    # Read again, and no longer live: ended.
    data = state.apply_poll(data, poll(at=3.0))
    assert data.in_progress(SYNC) is False
    assert not data.is_streaming(SYNC.id)


def test_deleted_meetings_lose_their_state() -> None:
    """A full list without a meeting drops its stream and webinar state."""
    data = state.apply_command(first_data(), StreamStarted(ALL_HANDS), now=1.0)
    data = state.apply_poll(data, poll(at=2.0, listed={SYNC.id: SYNC}))
    assert data.streaming == {}
    assert data.live_webinars == {}


def test_poll_carries_the_rate_limit_and_keeps_the_last_error() -> None:
    """The rate limit is the poll's; the last error stays until the next one."""
    limits = RateLimitInfo("Light", "Daily-limit", 6000, 5999)
    data = replace(first_data(), last_error="HTTP 503")
    data = state.apply_poll(data, poll(at=1.0, rate_limit=limits))
    assert data.rate_limit == limits
    assert data.last_error == "HTTP 503"


def test_lists_read_by_a_failed_poll_apply_at_the_next() -> None:
    """`listed` without `full`: new lists, but instant meetings stay as in a live poll."""
    data = state.apply_poll(first_data(), poll(INSTANT, at=1.0))
    data = state.apply_poll(
        data, poll(at=2.0, listed={SYNC.id: SYNC, LAUNCH.id: LAUNCH}, full=False)
    )
    assert ALL_HANDS.id not in data.meetings
    assert INSTANT.id in data.meetings


# -- pushed events ---------------------------------------------------------------


def test_running_events_change_only_the_named_meeting() -> None:
    """started/ended apply to that meeting; an ended meeting streams no more."""
    data = state.apply_command(first_data(SYNC), StreamStarted(SYNC), now=1.0)
    ended = state.apply_event(data, MeetingRunning(SYNC.id, False), 2.0)
    assert ended.live_meeting_ids == frozenset()
    assert not ended.is_streaming(SYNC.id)
    started = state.apply_event(ended, MeetingRunning(LAUNCH.id, True), 3.0)
    assert started.live_meeting_ids == {LAUNCH.id}
    webinar = state.apply_event(started, MeetingRunning(ALL_HANDS.id, True), 4.0)
    assert webinar.in_progress(ALL_HANDS) is True


@pytest.mark.parametrize(
    "event",
    [
        MeetingRunning(INSTANT.id, True),
        StreamReported(INSTANT.id, True),
        MeetingUpdated(INSTANT.id, "Renamed"),
        MeetingDeleted(INSTANT.id),
        MeetingUpdated(SYNC.id, None),
        MeetingUpdated(SYNC.id, SYNC.topic),
        MeetingCreated(SYNC),
    ],
    ids=lambda event: type(event).__name__,
)
def test_events_that_change_nothing_return_the_same_data(event: Change) -> None:
    """Unknown meetings, unchanged topics, known meetings created again: no change."""
    data = first_data(SYNC)
    assert state.apply(data, event, 1.0) is data


def test_stream_events() -> None:
    """A started stream means a running meeting; reporting it again changes nothing."""
    data = first_data()
    started = state.apply_event(data, StreamReported(SYNC.id, True), 1.0)
    assert started.is_streaming(SYNC.id)
    assert SYNC.id in started.live_meeting_ids
    assert state.apply_event(started, StreamReported(SYNC.id, True), 2.0) is started
    stopped = state.apply_event(started, StreamReported(SYNC.id, False), 3.0)
    assert not stopped.is_streaming(SYNC.id)
    assert stopped.changed_at[SYNC.id] == 3.0


def test_created_updated_deleted() -> None:
    """Lifecycle events change the meetings and the lists a live-only poll keeps."""
    data = state.apply_event(first_data(), MeetingCreated(INSTANT), 1.0)
    assert data.meetings[INSTANT.id] == INSTANT
    assert data.listed[INSTANT.id] == INSTANT
    data = state.apply_event(data, MeetingUpdated(SYNC.id, "Daily sync"), 2.0)
    assert data.meetings[SYNC.id].topic == "Daily sync"
    assert data.listed[SYNC.id].topic == "Daily sync"
    data = state.apply_command(data, StreamStarted(SYNC), now=3.0)
    data = state.apply_event(data, MeetingDeleted(SYNC.id), 4.0)
    assert SYNC.id not in data.meetings
    assert SYNC.id not in data.listed
    assert not data.is_streaming(SYNC.id)
    assert SYNC.id not in data.live_meeting_ids
    # A live-only poll keeps what the events said.
    data = state.apply_poll(data, poll(at=5.0))
    assert INSTANT.id in data.meetings
    assert SYNC.id not in data.meetings


def test_created_events_add_a_bounded_number_until_the_lists_confirm() -> None:
    """At most MAX_CREATED_UNLISTED; a full list keeps only what it lists."""
    data = first_data()
    for number in range(state.MAX_CREATED_UNLISTED + 5):
        meeting = Meeting(70_000 + number, MeetingKind.MEETING, f"New {number}")
        data = state.apply_event(data, MeetingCreated(meeting), float(number))
    assert len(data.meetings) == len(LISTED) + state.MAX_CREATED_UNLISTED
    assert not state.can_create(data)
    confirmed = Meeting(70_000, MeetingKind.MEETING, "New 0")
    # A list asked for at 3.5 confirms New 0, drops 1-3, and cannot know 4-19.
    data = state.apply_poll(
        data, poll(at=3.5, listed={**LISTED, confirmed.id: confirmed})
    )
    assert set(data.meetings) - set(LISTED) == {
        70_000,
        *range(70_004, 70_000 + state.MAX_CREATED_UNLISTED),
    }
    assert set(data.created) == set(range(70_004, 70_000 + state.MAX_CREATED_UNLISTED))
    assert state.can_create(data)
    # A deleted one is no longer pending either.
    data = state.apply_event(data, MeetingDeleted(70_004), 30.0)
    assert 70_004 not in data.created


def test_a_rename_of_an_unlisted_meeting_keeps_the_lists() -> None:
    """A live instant meeting renamed: the lists are not touched."""
    data = state.apply_poll(first_data(), poll(INSTANT, at=1.0))
    renamed = state.apply_event(data, MeetingUpdated(INSTANT.id, "Renamed"), 2.0)
    assert renamed.meetings[INSTANT.id].topic == "Renamed"
    assert renamed.listed is data.listed


# -- commands --------------------------------------------------------------------


def test_sending_is_bookkeeping() -> None:
    """What a command sends is kept while it runs, and forgotten after."""
    data = first_data(SYNC)
    sending = state.apply_command(data, CommandSending(SYNC.id, True), now=1.0)
    assert sending.sending == {SYNC.id: True}
    done = state.apply_command(sending, CommandSending(SYNC.id, None), now=2.0)
    assert done.sending == {}
    assert state.diff(data, sending, SOURCE_HOME_ASSISTANT).is_empty
    assert state.diff(sending, done, SOURCE_HOME_ASSISTANT).is_empty


def test_zoom_answering_ends_the_sending_an_event_does_not() -> None:
    """Once Zoom answered a command, its later events are no longer ours."""
    data = state.apply_command(first_data(SYNC), CommandSending(SYNC.id, True), 1.0)
    started = state.apply_command(data, StreamStarted(SYNC), now=2.0)
    assert started.sending == {}
    stopping = state.apply_command(started, CommandSending(SYNC.id, False), 3.0)
    # Zoom pushes the stop before it answers: still Home Assistant's stop.
    pushed = state.apply_event(stopping, StreamReported(SYNC.id, False), 4.0)
    assert pushed.sending == {SYNC.id: False}
    answered = state.apply_command(pushed, StreamStopped(SYNC.id), now=5.0)
    assert answered.sending == {}


def test_start_of_a_webinar_does_not_say_it_runs() -> None:
    """A webinar's In progress is only what Zoom's events say."""
    data = state.apply_command(first_data(), StreamStarted(ALL_HANDS), now=1.0)
    assert data.in_progress(ALL_HANDS) is None
    assert ALL_HANDS.id not in data.live_meeting_ids
    ended = state.apply_event(first_data(), MeetingRunning(ALL_HANDS.id, False), 1.0)
    data = state.apply_command(ended, StreamStarted(ALL_HANDS), now=2.0)
    assert data.in_progress(ALL_HANDS) is False


HOUR_MS = 3600 * 1000


@pytest.mark.parametrize(
    ("events_enabled", "age_ms", "expected"),
    [
        (True, HOUR_MS, True),
        (True, 29 * HOUR_MS, True),
        (True, 31 * HOUR_MS, None),
        (False, HOUR_MS, None),
    ],
)
def test_restore_what_events_said_of_webinars(
    events_enabled: bool, age_ms: int, expected: bool | None
) -> None:
    """Kept across a reload with events on, unless older than a meeting may run."""
    restored = StreamsRestored(
        frozenset(),
        events_enabled,
        {ALL_HANDS.id: 1_000_000},
        {ALL_HANDS.id: True, SYNC.id: True, 42: True},
        1_000_000 + age_ms,
    )
    data = state.restore_streams(first_data(), restored)
    assert data.in_progress(ALL_HANDS) is expected
    # Only webinars it knows; a meeting's In progress is the live list's.
    assert set(data.live_webinars) <= {ALL_HANDS.id}
    assert data.in_progress(SYNC) is False


def test_stop_of_a_stream_that_is_off_only_notes_when() -> None:
    """Nothing to redraw, but a poll older than the stop cannot start it again."""
    data = first_data(SYNC)
    stopped = state.apply_command(data, StreamStopped(SYNC.id), now=1.0)
    assert stopped.streaming is data.streaming
    assert stopped.changed_at == {SYNC.id: 1.0}
    assert state.diff(data, stopped, SOURCE_HOME_ASSISTANT).is_empty


# -- restore ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events_enabled", "webinar_known", "restored"),
    [
        (False, None, {SYNC.id}),
        (True, None, {SYNC.id, ALL_HANDS.id}),
        (True, False, {SYNC.id}),
    ],
)
def test_restore_streams(
    events_enabled: bool, webinar_known: bool | None, restored: set[int]
) -> None:
    """A meeting's stream comes back while it is live; a webinar's only with events."""
    data = first_data(SYNC)
    if webinar_known is not None:
        data = replace(data, live_webinars={ALL_HANDS.id: webinar_known})
    ids = frozenset({SYNC.id, LAUNCH.id, ALL_HANDS.id, INSTANT.id})
    after = state.restore_streams(data, StreamsRestored(ids, events_enabled))
    assert set(after.streaming) == restored
    # "As old as can be": the next poll that misses the meeting ends it.
    assert set(after.streaming.values()) == {0.0}
    assert state.restore_streams(after, StreamsRestored(ids, events_enabled)) is after


# -- sources and reports -----------------------------------------------------------


def test_zoom_reporting_our_own_command_is_ours() -> None:
    """Zoom may push the stream event before it answers the start that caused it."""
    data = state.apply_command(first_data(SYNC), CommandSending(SYNC.id, True), now=1.0)
    assert state.source_of(data, StreamReported(SYNC.id, True)) == SOURCE_HOME_ASSISTANT
    assert state.source_of(data, StreamReported(SYNC.id, False)) == SOURCE_ZOOM_EVENT
    assert state.source_of(data, StreamReported(LAUNCH.id, True)) == SOURCE_ZOOM_EVENT
    assert state.source_of(data, MeetingDeleted(SYNC.id)) == SOURCE_ZOOM_EVENT
    assert state.source_of(data, poll(at=2.0)) == SOURCE_POLL
    assert state.source_of(data, StreamStarted(SYNC)) == SOURCE_HOME_ASSISTANT


def test_first_data_redraws_everything_and_reports_nothing() -> None:
    """Nothing is a change the first time; every entity draws itself."""
    changes = state.diff(None, first_data(SYNC), SOURCE_POLL)
    assert changes.meetings is None
    assert changes.reports == ()
    assert not changes.streaming_changed
    assert not changes.is_empty


def test_reports_name_each_real_change_once() -> None:
    """A start of a stopped meeting: it started, and its stream started."""
    old = first_data()
    new = state.apply_command(old, StreamStarted(SYNC), now=1.0)
    changes = state.diff(old, new, SOURCE_HOME_ASSISTANT)
    assert changes.meetings == {SYNC.id}
    assert changes.streaming_changed
    assert changes.reports == (
        MeetingChange(SYNC, "started", SOURCE_HOME_ASSISTANT),
        MeetingChange(SYNC, "live_stream_started", SOURCE_HOME_ASSISTANT),
    )
    ended = state.apply_event(new, MeetingRunning(SYNC.id, False), 2.0)
    assert state.diff(new, ended, SOURCE_ZOOM_EVENT).reports == (
        MeetingChange(SYNC, "ended", SOURCE_ZOOM_EVENT),
        MeetingChange(SYNC, "live_stream_stopped", SOURCE_ZOOM_EVENT),
    )


def test_webinar_becoming_known_reports_only_when_known() -> None:
    """Unknown to running is "started"; running to unknown reports nothing."""
    old = first_data()
    new = state.apply_event(old, MeetingRunning(ALL_HANDS.id, True), 1.0)
    assert state.diff(old, new, SOURCE_ZOOM_EVENT).reports == (
        MeetingChange(ALL_HANDS, "started", SOURCE_ZOOM_EVENT),
    )
    assert state.diff(new, old, SOURCE_POLL).reports == ()
    assert state.diff(new, old, SOURCE_POLL).meetings == {ALL_HANDS.id}


def test_new_renamed_and_gone_meetings_are_changed() -> None:
    """A list change redraws the meetings it adds, renames or removes."""
    old = first_data()
    lists = {SYNC.id: replace(SYNC, topic="Daily sync"), INSTANT.id: INSTANT}
    new = state.apply_poll(old, poll(at=1.0, listed=lists))
    changes = state.diff(old, new, SOURCE_POLL)
    assert changes.meetings == {SYNC.id, INSTANT.id, LAUNCH.id, ALL_HANDS.id}
    assert changes.account_changed
    assert changes.reports == ()


def test_rate_limit_and_last_error_are_the_accounts() -> None:
    """Only the account's entities show them."""
    old = first_data()
    new = state.apply(old, ErrorNoted("HTTP 503"), 1.0)
    assert new.last_error == "HTTP 503"
    assert state.apply(new, ErrorNoted("HTTP 503"), 2.0) is new
    changes = state.diff(old, new, SOURCE_HOME_ASSISTANT)
    assert changes.meetings == frozenset()
    assert changes.account_changed
    assert not changes.is_empty


def test_an_older_event_never_overwrites_a_newer_one() -> None:
    """Per meeting by `event_ts`; other meetings and events without one are unaffected."""
    data = first_data(SYNC)
    started = state.apply_event(data, StreamReported(SYNC.id, True, 100), 1.0)
    stopped = state.apply_event(started, StreamReported(SYNC.id, False, 300), 2.0)
    assert stopped.event_ts == {SYNC.id: 300}
    late = StreamReported(SYNC.id, True, 200)
    assert state.is_outdated(stopped, late)
    assert state.apply_event(stopped, late, 3.0) is stopped
    # The same moment is not older; another meeting has its own order.
    assert not state.is_outdated(stopped, MeetingRunning(SYNC.id, False, 300))
    other = state.apply_event(stopped, StreamReported(LAUNCH.id, True, 200), 4.0)
    assert other.is_streaming(LAUNCH.id)
    # No event_ts: applied as it comes.
    assert state.apply_event(stopped, StreamReported(SYNC.id, True), 5.0).is_streaming(
        SYNC.id
    )


def test_event_times_survive_a_restart_and_go_with_their_meetings() -> None:
    """Restored with the streams (newer wins); a full list forgets gone meetings."""
    data = first_data(SYNC)
    restored = state.restore_streams(
        data,
        StreamsRestored(frozenset(), False, {SYNC.id: 500, INSTANT.id: 900}),
    )
    assert restored.event_ts == {SYNC.id: 500}
    assert state.is_outdated(restored, StreamReported(SYNC.id, True, 400))
    # They order the live state only: a meeting's details have their own order.
    assert not state.is_outdated(restored, MeetingCreated(SYNC, 400))
    kept = state.apply_poll(restored, poll(at=1.0))
    assert kept.event_ts == {SYNC.id: 500}
    gone = state.apply_poll(kept, poll(at=2.0, listed={LAUNCH.id: LAUNCH}))
    assert gone.event_ts == {}


def test_a_meeting_learned_from_its_event_is_read_by_polls_while_it_runs() -> None:
    """No list shows it: a poll keeps it while Zoom's details say it runs."""
    running = replace(INSTANT, status="started")
    data = state.apply_event(first_data(), MeetingLearned(running, 100), 1.0)
    assert data.learned == {INSTANT.id}
    assert data.in_progress(INSTANT) is True
    # A poll that started before it was learned did not read it: kept as it is.
    during = state.apply_poll(data, poll(at=0.5, listed=LISTED))
    assert INSTANT.id in during.meetings
    assert during.learned == {INSTANT.id}
    assert during.in_progress(INSTANT) is True
    # A later full poll reads it running by ID: kept although no list has it.
    read = PollResult(True, LISTED, {}, {}, 2.0, learned={INSTANT.id: running})
    later = state.apply_poll(during, read)
    assert later.in_progress(INSTANT) is True
    # It ended: off, no longer read, kept until a full list no longer has it.
    ended = PollResult(False, None, {}, {}, 3.0, learned={INSTANT.id: INSTANT})
    off = state.apply_poll(later, ended)
    assert off.in_progress(INSTANT) is False
    assert off.learned == frozenset()
    assert INSTANT.id in off.meetings
    assert INSTANT.id not in state.apply_poll(off, poll(at=4.0, listed=LISTED)).meetings


def test_learning_a_listed_meeting_keeps_the_lists_description() -> None:
    """A started event of a listed meeting: it runs; it is not a learned one."""
    data = first_data()
    learned = state.apply_event(
        data, MeetingLearned(replace(SYNC, topic="Other", status="started")), 1.0
    )
    assert learned.meetings[SYNC.id] is data.meetings[SYNC.id]
    assert learned.learned == frozenset()
    assert learned.in_progress(SYNC) is True
