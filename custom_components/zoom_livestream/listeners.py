"""Callbacks kept per meeting, so a change wakes only that meeting's entities.

An account of 5,000 meetings has 20,000 of them: each is one list item and
one small object that removes it (one allocation, where a closure takes five).

Must not import Home Assistant or any integration module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


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
