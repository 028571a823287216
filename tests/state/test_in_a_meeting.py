"""Whether the entry's Zoom user is in a meeting: the account's In a meeting sensor.

The same rules as each meeting's In progress, over the meetings and webinars the
user hosts: on while any of them runs, unknown while none does and one of them
cannot be known (a webinar before Zoom's events said), off otherwise. Plain
values, no Home Assistant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from custom_components.zoom_livestream import state
from custom_components.zoom_livestream.changes import (
    MeetingDeleted,
    MeetingLearned,
    MeetingRunning,
    MeetingUpdated,
    PollResult,
    StreamReported,
    StreamStarted,
)
from custom_components.zoom_livestream.state import InAMeeting, ZoomData
from custom_components.zoom_livestream.zoom import Meeting, MeetingKind

USER = "user-xyz"
COLLEAGUE = "colleague-1"

SYNC = Meeting(85746065432, MeetingKind.MEETING, "Weekly team sync", host_id=USER)
LAUNCH = Meeting(98765432101, MeetingKind.MEETING, "Product launch", host_id=USER)
ALL_HANDS = Meeting(
    91234567890, MeetingKind.WEBINAR, "Quarterly all-hands", host_id=USER
)
# Followed through the options (another user, an extra meeting ID): not the user's.
THEIRS = Meeting(
    55544433322, MeetingKind.MEETING, "Colleague's call", host_id=COLLEAGUE
)
THEIR_WEBINAR = Meeting(
    66655544433, MeetingKind.WEBINAR, "Colleague's webinar", host_id=COLLEAGUE
)
# An extra meeting ID the user hosts is the user's like any other.
EXTRA_OWN = Meeting(77766655544, MeetingKind.MEETING, "Board meeting", host_id=USER)
INSTANT = Meeting(11122233344, MeetingKind.MEETING, "Instant meeting", host_id=USER)


def poll(
    *live: Meeting,
    at: float,
    listed: Mapping[int, Meeting] | None = None,
    extra: Mapping[int, Meeting] | None = None,
) -> PollResult:
    """Return a poll that listed `listed` (None: live only) and saw `live` running."""
    return PollResult(
        full=listed is not None,
        listed=listed,
        live={m.id: m for m in live},
        extra=extra or {},
        started_at=at,
    )


def data_with(*meetings: Meeting, live: tuple[Meeting, ...] = ()) -> ZoomData:
    """Return the data after a first full poll of `meetings`, `live` running."""
    return state.apply_poll(
        ZoomData(), poll(*live, at=0.0, listed={m.id: m for m in meetings})
    )


def busy(data: ZoomData, host_id: str = USER) -> InAMeeting:
    """Return the sensor's value as the entity reads it (its webinars found once)."""
    value = state.in_a_meeting(
        data, host_id, state.hosted_webinars(data.meetings, host_id)
    )
    # Without the webinars given, they are found from the data: the same value.
    assert state.in_a_meeting(data, host_id) == value
    return value


def test_off_while_none_of_the_users_meetings_runs() -> None:
    """Meetings only (no webinar): what the live list says is all there is."""
    value = busy(data_with(SYNC, LAUNCH))
    assert value.is_on is False
    assert value.running == ()


def test_on_with_the_meetings_that_run_in_id_order() -> None:
    """Which meetings run is said, each once, ordered by meeting ID."""
    value = busy(data_with(SYNC, LAUNCH, live=(LAUNCH, SYNC)))
    assert value.is_on is True
    assert value.running == (SYNC, LAUNCH)


def test_other_users_meetings_are_not_the_users() -> None:
    """A followed colleague's running meeting, or their unknown webinar, says nothing."""
    data = data_with(SYNC, THEIRS, THEIR_WEBINAR, live=(THEIRS,))
    assert data.in_progress(THEIRS) is True
    assert data.in_progress(THEIR_WEBINAR) is None
    value = busy(data)
    assert value.is_on is False
    assert value.running == ()
    # As the colleague's own entry sees it: busy, and only with their meeting.
    theirs = busy(data, COLLEAGUE)
    assert theirs.is_on is True
    assert theirs.running == (THEIRS,)


def test_a_meeting_without_host_is_nobodys() -> None:
    """Zoom did not say who hosts it: it cannot be called the user's."""
    nameless = Meeting(12312312312, MeetingKind.MEETING, "Unknown host")
    value = busy(data_with(nameless, live=(nameless,)))
    assert value.is_on is False
    assert busy(data_with(nameless, live=(nameless,)), "").is_on is False


def test_an_extra_meeting_the_user_hosts_counts() -> None:
    """An extra meeting ID of the options is the user's when Zoom says they host it."""
    data = state.apply_poll(
        ZoomData(),
        poll(
            replace(EXTRA_OWN, status="started"),
            at=0.0,
            listed={SYNC.id: SYNC},
            extra={EXTRA_OWN.id: EXTRA_OWN},
        ),
    )
    value = busy(data)
    assert value.is_on is True
    assert [m.id for m in value.running] == [EXTRA_OWN.id]


def test_a_webinar_before_events_makes_it_unknown_unless_something_runs() -> None:
    """In progress of a webinar is unknown without events: so is In a meeting, then.

    A meeting that runs is known to run: on wins over unknown.
    """
    data = data_with(SYNC, ALL_HANDS)
    assert data.in_progress(ALL_HANDS) is None
    value = busy(data)
    assert value.is_on is None
    assert value.running == ()
    assert value.unknown is True

    running = busy(data_with(SYNC, ALL_HANDS, live=(SYNC,)))
    assert running.is_on is True
    assert running.running == (SYNC,)


def test_webinar_events_settle_it() -> None:
    """Webinar started: on with the webinar; Webinar ended: off (it is known now)."""
    data = data_with(SYNC, ALL_HANDS)
    started = state.apply(data, MeetingRunning(ALL_HANDS.id, True), 1.0)
    assert busy(started).is_on is True
    assert busy(started).running == (ALL_HANDS,)
    ended = state.apply(started, MeetingRunning(ALL_HANDS.id, False), 2.0)
    assert busy(ended).is_on is False
    assert busy(ended).running == ()


def test_a_webinar_stream_does_not_say_it_runs() -> None:
    """As for In progress: a started stream, reported or commanded, sets no webinar."""
    data = data_with(ALL_HANDS)
    reported = state.apply(data, StreamReported(ALL_HANDS.id, True), 1.0)
    assert ALL_HANDS.id in reported.live_meeting_ids
    assert busy(reported).is_on is None
    commanded = state.apply(data, StreamStarted(ALL_HANDS), 1.0)
    assert busy(commanded).is_on is None


def test_meeting_events_and_polls() -> None:
    """A pushed start turns it on at once; the poll that misses the meeting, off."""
    data = data_with(SYNC, LAUNCH)
    started = state.apply(data, MeetingRunning(SYNC.id, True), 1.0)
    assert busy(started).running == (SYNC,)
    # A poll sent before the event cannot undo it.
    assert busy(state.apply_poll(started, poll(at=0.5))).running == (SYNC,)
    ended = state.apply_poll(started, poll(at=2.0))
    assert busy(ended).is_on is False


def test_an_instant_meeting_learned_from_events() -> None:
    """No list shows it: learned from Meeting started, it is the user's too."""
    data = data_with(SYNC)
    learned = state.apply(data, MeetingLearned(replace(INSTANT, status="started")), 1.0)
    assert [m.id for m in busy(learned).running] == [INSTANT.id]
    ended = state.apply(learned, MeetingRunning(INSTANT.id, False), 2.0)
    assert busy(ended).is_on is False


def test_the_running_meeting_follows_renames_and_deletions() -> None:
    """What it names is the meeting as it is now."""
    data = data_with(SYNC, live=(SYNC,))
    renamed = state.apply(data, MeetingUpdated(SYNC.id, "Daily stand-up"), 1.0)
    assert [m.topic for m in busy(renamed).running] == ["Daily stand-up"]
    deleted = state.apply(renamed, MeetingDeleted(SYNC.id), 2.0)
    assert busy(deleted).is_on is False


def test_hosted_webinars_are_only_the_users_webinars() -> None:
    """The only meetings whose In progress can be unknown, found once per list."""
    meetings = {m.id: m for m in (SYNC, ALL_HANDS, THEIR_WEBINAR)}
    assert state.hosted_webinars(meetings, USER) == {ALL_HANDS.id}
    assert state.hosted_webinars(meetings, COLLEAGUE) == {THEIR_WEBINAR.id}
    assert state.hosted_webinars(meetings, "") == frozenset()
