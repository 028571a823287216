"""Whether Zoom's event subscription reaches the entry: options, diagnostics, repairs.

Setting up Zoom's events is where users get stuck: the URL Zoom never
validated (a URL copied wrong, Home Assistant not reachable from the internet),
the wrong secret token, a subscription that stopped. This module remembers what
Zoom last did (its URL validation, the last signed event and its type) and
counts the deliveries the receiver refused, by reason. It never holds a secret,
a signature or a payload.

Two repairs, each cleared as soon as Zoom validates the URL or delivers a
signed event:

- *not validated*: events were turned on in the options (or saved while Zoom
  never said anything) and Zoom neither validated the URL nor sent an event
  within `VALIDATION_GRACE`. Only saving the options starts that wait, and it
  is stored: a restart neither starts it (an account without meetings can be
  silent for days, and Zoom validates every 72 hours only) nor forgets it.
- *events stopped*: the live poll saw a meeting start while the entry was
  loaded, it has run for `SILENCE_LIMIT`, and no signed event about it arrived
  since shortly before it started. Meetings already running when the entry
  loaded never count: when they started, and whether Zoom told, is unknown.

The validation and last-event times are stored with the entry's state (see
`store.py`); the refusal counts are since the entry loaded.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
import math
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from . import issues
from .state import ZoomData
from .store import (
    PUSH_EVENT,
    PUSH_EVENT_AT,
    PUSH_VALIDATED_AT,
    PUSH_WAITING_SINCE,
    ZoomStore,
)

# How long after events are turned on Zoom has to validate the URL (the user
# copies the URL and the secret into Zoom's app, then clicks Validate).
VALIDATION_GRACE = timedelta(minutes=10)
# How long a meeting the live poll saw start may run without any signed event
# about it; Zoom's first retry comes 5 minutes after a failed delivery, the
# second 20 minutes later.
SILENCE_LIMIT = timedelta(minutes=30)
# How long before the poll saw a meeting running its started event may have
# arrived (the live list can lag behind Zoom's event).
EVENT_LEAD = timedelta(minutes=15)

# The events to subscribe to in the Zoom app, as Zoom names them.
SUBSCRIBED_EVENTS = (
    "meeting.started",
    "meeting.ended",
    "meeting.live_streaming_started",
    "meeting.live_streaming_stopped",
    "meeting.created",
    "meeting.updated",
    "meeting.deleted",
    "webinar.started",
    "webinar.ended",
    "webinar.created",
    "webinar.updated",
    "webinar.deleted",
)


class Refusal(StrEnum):
    """Why the receiver refused a delivery, as the options and diagnostics count."""

    BAD_SIGNATURE = "bad_signature"
    STALE = "stale"
    REPLAY = "replay"
    OTHER_ACCOUNT = "other_account"
    OTHER = "other"


# The options form's placeholder of each count.
REFUSAL_PLACEHOLDERS = {
    Refusal.BAD_SIGNATURE: "refused_signature",
    Refusal.STALE: "refused_stale",
    Refusal.REPLAY: "refused_replay",
    Refusal.OTHER_ACCOUNT: "refused_account",
    Refusal.OTHER: "refused_other",
}

# Stored keys (epoch seconds, and Zoom's event type).
VALIDATED_AT = PUSH_VALIDATED_AT
EVENT_AT = PUSH_EVENT_AT
EVENT = PUSH_EVENT
WAITING_SINCE = PUSH_WAITING_SINCE


def _moment(value: float | None) -> datetime | None:
    return None if value is None else dt_util.utc_from_timestamp(value)


def _shown(value: float | None) -> str:
    """Show a stored moment as the options do: local time to the second, or -."""
    if (moment := _moment(value)) is None:
        return "-"
    return dt_util.as_local(moment).strftime("%Y-%m-%d %H:%M:%S")


def _minutes(duration: timedelta) -> str:
    return str(int(duration.total_seconds() // 60))


def _iso(value: float | None) -> str | None:
    moment = _moment(value)
    return None if moment is None else moment.isoformat(timespec="seconds")


class PolledAccount(Protocol):
    """What the health needs of the coordinator (which imports this module's type)."""

    store: ZoomStore
    last_update_success: bool

    @property
    def data(self) -> ZoomData:
        """What the polls and events say."""

    @property
    def events_enabled(self) -> bool:
        """Whether Zoom pushes events here."""

    def async_add_listener(
        self, update_callback: CALLBACK_TYPE, context: Any = None
    ) -> CALLBACK_TYPE:
        """Listen for data updates."""


class WebhookHealth:
    """What Zoom's deliveries to one entry show about its event subscription."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, coordinator: PolledAccount
    ) -> None:
        """Read what Zoom last did from the entry's stored state."""
        self._hass = hass
        self._entry = entry
        self._coordinator = coordinator
        self._store = coordinator.store
        self.refused: dict[Refusal, int] = dict.fromkeys(Refusal, 0)
        # When a signed event about each meeting arrived (epoch seconds).
        self._arrivals: dict[int, float] = {}
        # Meetings the live poll saw start while loaded: since when.
        self._runs: dict[int, float] = {}
        self._live: frozenset[int] = frozenset()
        # Runs that brought no event and raised the repair (once each).
        self._silent: set[int] = set()
        self._cancel_wait: CALLBACK_TYPE | None = None

    # -- what the options and diagnostics show --------------------------------------

    def placeholders(self) -> dict[str, str]:
        """Return the options form's placeholders: moments shown locally, counts."""
        push = self._store.push_state()
        return {
            "validated_at": _shown(push.get(VALIDATED_AT)),
            "last_event": str(push.get(EVENT) or "-"),
            "last_event_at": _shown(push.get(EVENT_AT)),
            **{
                REFUSAL_PLACEHOLDERS[reason]: str(count)
                for reason, count in self.refused.items()
            },
        }

    def as_dict(self) -> dict[str, Any]:
        """Return what diagnostics show: moments in UTC, counts, silent meetings."""
        push = self._store.push_state()
        return {
            "validated_at": _iso(push.get(VALIDATED_AT)),
            "last_event": push.get(EVENT),
            "last_event_at": _iso(push.get(EVENT_AT)),
            "refused": {str(reason): count for reason, count in self.refused.items()},
            "waiting_for_validation_since": _iso(push.get(WAITING_SINCE)),
            "silent_meetings": sorted(self._silent),
        }

    # -- following the entry -----------------------------------------------------------

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow the polls and any wait for Zoom; return what stops that."""
        self._live = self._coordinator.data.live_meeting_ids
        if not self._coordinator.events_enabled:
            # Nothing to set up at Zoom: no wait, no repair about it.
            self._store.async_set_push({WAITING_SINCE: None})
            self._async_clear()
            return lambda: None
        self._async_schedule_wait()
        stop_listening = self._coordinator.async_add_listener(self._async_check_runs)

        @callback
        def stop() -> None:
            stop_listening()
            if self._cancel_wait is not None:
                self._cancel_wait()
                self._cancel_wait = None

        return stop

    @callback
    def async_expect_validation(self, *, turned_on: bool) -> None:
        """Events are being saved on: wait for Zoom, unless it is known to work.

        Called by the options flow before it saves. Turned on from off, Zoom
        must validate again (the subscription may have been removed there);
        saved while on, only when Zoom never said anything.
        """
        push = self._store.push_state()
        if not turned_on and (VALIDATED_AT in push or EVENT_AT in push):
            return
        self._store.async_set_push({WAITING_SINCE: dt_util.utcnow().timestamp()})
        self._async_schedule_wait()

    # -- what the receiver reports -----------------------------------------------------

    @callback
    def async_validated(self) -> None:
        """Zoom validated the URL: the subscription is set up."""
        self._store.async_set_push(
            {VALIDATED_AT: dt_util.utcnow().timestamp(), WAITING_SINCE: None}
        )
        self._async_clear()

    @callback
    def async_event(self, event_type: str, meeting_id: int | None) -> None:
        """Note a signed event of this account: the subscription works."""
        now = dt_util.utcnow().timestamp()
        self._store.async_set_push(
            {EVENT_AT: now, EVENT: event_type, WAITING_SINCE: None}
        )
        if meeting_id is not None:
            self._arrivals[meeting_id] = now
        self._async_clear()

    @callback
    def async_refused(self, reason: Refusal) -> None:
        """Count a refused delivery."""
        self.refused[reason] += 1

    # -- the repairs -------------------------------------------------------------------

    @callback
    def _async_clear(self) -> None:
        if self._cancel_wait is not None:
            self._cancel_wait()
            self._cancel_wait = None
        issues.async_clear(
            self._hass,
            self._entry,
            issues.ISSUE_WEBHOOK_NOT_VALIDATED,
            issues.ISSUE_WEBHOOK_EVENTS_STOPPED,
        )

    @callback
    def _async_schedule_wait(self) -> None:
        if (since := self._store.push_state().get(WAITING_SINCE)) is None:
            return
        if self._cancel_wait is not None:
            self._cancel_wait()
        left = since + VALIDATION_GRACE.total_seconds() - dt_util.utcnow().timestamp()
        self._cancel_wait = async_call_later(
            self._hass,
            max(left, 0.0),
            # Stored: Home Assistant stopping forgets nothing of the wait.
            HassJob(self._async_wait_over, cancel_on_shutdown=True),
        )

    @callback
    def _async_wait_over(self, _now: datetime) -> None:
        self._cancel_wait = None
        if self._store.push_state().get(WAITING_SINCE) is not None:
            issues.async_raise(
                self._hass,
                self._entry,
                issues.ISSUE_WEBHOOK_NOT_VALIDATED,
                {
                    **self._what_to_paste(),
                    "minutes": _minutes(VALIDATION_GRACE),
                },
            )

    @callback
    def _async_check_runs(self) -> None:
        """At each update: raise the repair for a meeting that ran without events."""
        coordinator = self._coordinator
        if not coordinator.last_update_success:
            # The live list is not read: which meetings run is not known.
            return
        live, now = coordinator.data.live_meeting_ids, dt_util.utcnow().timestamp()
        for meeting_id in live - self._live:
            self._runs.setdefault(meeting_id, now)
        for meeting_id in set(self._runs) - live:
            del self._runs[meeting_id]
            self._silent.discard(meeting_id)
        self._live = live
        silent = [
            meeting_id
            for meeting_id, since in self._runs.items()
            if meeting_id not in self._silent
            and now - since >= SILENCE_LIMIT.total_seconds()
            and self._arrivals.get(meeting_id, -math.inf)
            < since - EVENT_LEAD.total_seconds()
        ]
        if not silent:
            return
        self._silent.update(silent)
        meetings = coordinator.data.meetings
        names = [
            meetings[meeting_id].topic if meeting_id in meetings else str(meeting_id)
            for meeting_id in silent
        ]
        issues.async_raise(
            self._hass,
            self._entry,
            issues.ISSUE_WEBHOOK_EVENTS_STOPPED,
            {
                **self._what_to_paste(),
                "minutes": _minutes(SILENCE_LIMIT),
                "name": ", ".join(names),
            },
        )

    def _what_to_paste(self) -> dict[str, str]:
        """Return the URL and the events to enter in Zoom (never the secret)."""
        return {
            "url": self._entry.runtime_data.webhook_url or "-",
            "events": ", ".join(SUBSCRIBED_EVENTS),
        }
