"""Callbacks kept per meeting, so a change wakes only that meeting's entities.

An account of 5,000 meetings has 20,000 of them: each is one list item and
one small object that removes it (one allocation, where a closure takes five).

Must not import Home Assistant, nor any integration module but the changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .changes import CommandRefusal, MeetingChange


class MeetingListeners[T]:
    """Items (callbacks) per meeting ID, in the order they were added."""

    __slots__ = ("_by_meeting",)

    def __init__(self) -> None:
        """Start with none."""
        self._by_meeting: dict[int, list[T]] = {}

    def add(self, meeting_id: int, item: T) -> Callable[[], None]:
        """Add `item` for the meeting; return what takes it out again."""
        self._by_meeting.setdefault(meeting_id, []).append(item)
        return _Remover(self._by_meeting, meeting_id, item)

    def of(self, meeting_id: int) -> list[T]:
        """Return a copy of the meeting's items (one may remove itself when called)."""
        return list(self._by_meeting.get(meeting_id, ()))

    def meetings(self) -> Iterable[int]:
        """Return the IDs of the meetings that have any."""
        return list(self._by_meeting)


class MeetingRouter:
    """Wakes each meeting's entities for its own changes, and reports them.

    With 5,000 meetings a poll or a toggle must not wake 15,000 entities: a
    dispatch wakes only the meetings changed since the last one (all of them
    after the first refresh, or when polls start or stop working).
    """

    __slots__ = ("_changed", "_polls_worked_shown", "reports", "updates")

    def __init__(self) -> None:
        """Start with no listener; the first dispatch wakes every meeting."""
        # Entities that registered with their meeting's ID as context.
        self.updates: MeetingListeners[Callable[[], None]] = MeetingListeners()
        # Who hears each real change or refusal of a meeting (its event entity).
        self.reports: MeetingListeners[
            Callable[[MeetingChange | CommandRefusal], None]
        ] = MeetingListeners()
        self._changed: set[int] | None = None
        self._polls_worked_shown = True

    def note_changed(self, meetings: Iterable[int] | None) -> None:
        """Remember what to wake at the next dispatch (None: every meeting)."""
        if meetings is None:
            self._changed = None
        elif self._changed is not None:
            self._changed.update(meetings)

    def report(self, meeting_id: int, report: MeetingChange | CommandRefusal) -> None:
        """Tell the meeting's listeners of a real change or a refusal."""
        for listener in self.reports.of(meeting_id):
            listener(report)

    def dispatch(self, polls_work: bool) -> None:
        """Wake the entities of the meetings changed since the last dispatch."""
        changed, self._changed = self._changed, set()
        if changed is None or polls_work is not self._polls_worked_shown:
            # Polls starting or stopping to work change what every entity shows.
            self._polls_worked_shown = polls_work
            changed = set(self.updates.meetings())
        for meeting_id in changed:
            for update_callback in self.updates.of(meeting_id):
                update_callback()


class _Remover[T]:
    """Takes one item out of a meeting's list when called."""

    __slots__ = ("_by_meeting", "_item", "_meeting_id")

    def __init__(
        self, by_meeting: dict[int, list[T]], meeting_id: int, item: T
    ) -> None:
        self._by_meeting = by_meeting
        self._meeting_id = meeting_id
        self._item = item

    def __call__(self) -> None:
        items = self._by_meeting[self._meeting_id]
        items.remove(self._item)
        if not items:
            del self._by_meeting[self._meeting_id]
