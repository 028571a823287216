"""Zoom event subscriptions pushed into Home Assistant through a webhook.

Owns the webhook: verify a delivery (size, signature, freshness, replay, account),
parse it, hand the change it names to the coordinator's one apply entry point,
and fire one bus event. The webhook URL is on the internet: anyone can post to
it. Nothing changes unless a delivery passes every check, rejections are logged
quietly, and a repair issue is raised only for deliveries that name the entry's
Zoom account.

Must not change the coordinator's data itself: every change goes through
`ZoomCoordinator.async_apply`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from http import HTTPStatus
import time
from typing import Any

from aiohttp import web

from homeassistant.components import webhook
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from . import issues
from .changes import (
    MeetingCreated,
    MeetingDeleted,
    MeetingLearned,
    MeetingRunning,
    MeetingUpdated,
    PushedEvent,
    StreamReported,
)
from .compat import async_get_entry_device
from .const import (
    CONF_INCLUDE_WEBINARS,
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    EVENT_ZOOM,
    LOGGER,
)
from .coordinator import ZoomConfigEntry, ZoomCoordinator
from .devices import meeting_device_identifier
from .state import can_create, is_outdated
from .webhook_health import Refusal, WebhookHealth
from .zoom import (
    URL_VALIDATION_EVENT,
    Meeting,
    MeetingKind,
    ZoomError,
    ZoomEvent,
    ZoomWebhookError,
    parse_event,
    parse_timestamp,
    signature_is_valid,
    url_validation_response,
)

# Zoom's deliveries are a few kilobytes; refuse anything that could tie up memory.
MAX_BODY_BYTES = 64 * 1024
# A delivery dated further ahead than this is forged (or its clock is wrong); one
# older than this is a retry or a replay: applied only if its event is new.
MAX_CLOCK_SKEW = 300.0
# Zoom retries a delivery that got a 5xx or no answer after 5, 20 and 60 minutes,
# perhaps with the first attempt's timestamp (unconfirmed): older ones are refused,
# and applied events are remembered this long, so each applies once.
MAX_RETRY_AGE = 2 * 3600.0
# Rejections are logged at debug level; a summary warning at most this often.
REJECTION_WARNING_INTERVAL = 3600.0

STREAMING_EVENTS = {
    "meeting.live_streaming_started": True,
    "meeting.live_streaming_stopped": False,
}
RUNNING_EVENTS = {
    "meeting.started": True,
    "meeting.ended": False,
    "webinar.started": True,
    "webinar.ended": False,
}
CREATED_EVENTS = frozenset({"meeting.created", "webinar.created"})
UPDATED_EVENTS = frozenset({"meeting.updated", "webinar.updated"})
DELETED_EVENTS = frozenset({"meeting.deleted", "webinar.deleted"})


class WebhookRejectedError(Exception):
    """A delivery refused with an HTTP status; the message is safe to log."""

    def __init__(
        self, status: HTTPStatus, reason: str, refusal: Refusal = Refusal.OTHER
    ) -> None:
        """Keep the status to answer, the reason to log and the kind to count."""
        super().__init__(reason)
        self.status = status
        self.refusal = refusal


class ZoomWebhookReceiver:
    """Verifies deliveries and applies them to the entry's state."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ZoomConfigEntry,
        coordinator: ZoomCoordinator,
        *,
        account_id: str,
        health: WebhookHealth,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Accept deliveries for `account_id`, signed with the entry's secret."""
        self._hass = hass
        self._entry = entry
        self._coordinator = coordinator
        self._health = health
        self._account_id = account_id
        # Looked up at each call (not bound at import) so tests can move time.
        self._clock = clock or (lambda: time.time())
        self._rejected = 0
        self._warned_at: float | None = None

    @property
    def secret(self) -> str | None:
        """The Zoom app's secret token, as the user entered it in the options."""
        value = self._entry.options.get(CONF_WEBHOOK_SECRET)
        return value if isinstance(value, str) and value else None

    async def async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Answer one delivery; nothing changes unless every check passes."""
        try:
            event, secret, signature = await self._async_verify(request)
        except WebhookRejectedError as err:
            self._log_rejection(err)
            return web.Response(status=err.status)
        if event.event == URL_VALIDATION_EVENT and event.plain_token is not None:
            self._health.async_validated()
            return web.json_response(url_validation_response(secret, event.plain_token))
        now = self._clock()
        store = self._coordinator.store
        # Deduplicated by the event itself, so that Zoom's retry (with a fresh or
        # the original timestamp) and a replayed copy apply once; answered 200 so
        # that Zoom stops retrying.
        key = event.key or f"signature|{signature}"
        if store.async_event_seen(key, now):
            LOGGER.debug("Zoom delivered %s again; it was applied once", event.event)
            self._health.async_refused(Refusal.REPLAY)
            return web.Response(status=HTTPStatus.OK)
        store.async_remember_event(
            key, now + (MAX_RETRY_AGE if event.key else 2 * MAX_CLOCK_SKEW)
        )
        # Before applying it: the update it causes finds it arrived.
        self._health.async_event(event.event, event.meeting_id)
        self._apply(event)
        return web.Response(status=HTTPStatus.OK)

    def _log_rejection(self, err: WebhookRejectedError) -> None:
        """Debug for each; a warning at most hourly, so strangers cannot flood the log."""
        LOGGER.debug(
            "Rejected a Zoom webhook delivery for %s: %s", self._entry.title, err
        )
        self._rejected += 1
        self._health.async_refused(err.refusal)
        now = time.monotonic()
        if (
            self._warned_at is None
            or now - self._warned_at >= REJECTION_WARNING_INTERVAL
        ):
            LOGGER.warning(
                "Rejected %d delivery(ies) to the Zoom webhook of %s (last: %s); "
                "if Zoom's events stop arriving, check the secret token in the options",
                self._rejected,
                self._entry.title,
                err,
            )
            self._rejected = 0
            self._warned_at = now

    async def _async_read_body(self, request: web.Request) -> bytes:
        if (
            request.content_length is not None
            and request.content_length > MAX_BODY_BYTES
        ):
            raise WebhookRejectedError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large"
            )
        # read(n) returns what has arrived so far: keep reading until the end.
        body = b""
        while len(body) <= MAX_BODY_BYTES and (
            chunk := await request.content.read(MAX_BODY_BYTES + 1 - len(body))
        ):
            body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise WebhookRejectedError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large"
            )
        return body

    async def _async_verify(self, request: web.Request) -> tuple[ZoomEvent, str, str]:
        """Return the verified event, the secret and the signature."""
        body = await self._async_read_body(request)
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        signature = request.headers.get("x-zm-signature", "")
        if (secret := self.secret) is None:
            if timestamp and signature and self._names_this_account(body):
                # Zoom is sending events, so push is set up there but not here.
                issues.async_raise(
                    self._hass, self._entry, issues.ISSUE_WEBHOOK_SECRET_MISSING
                )
            raise WebhookRejectedError(
                HTTPStatus.UNAUTHORIZED, "no secret token is set in the options"
            )
        if not timestamp or not signature:
            raise WebhookRejectedError(
                HTTPStatus.UNAUTHORIZED, "unsigned", Refusal.BAD_SIGNATURE
            )
        try:
            sent_at = parse_timestamp(timestamp)
        except ZoomWebhookError as err:
            raise WebhookRejectedError(HTTPStatus.UNAUTHORIZED, str(err)) from None
        age = self._clock() - sent_at
        if age < -MAX_CLOCK_SKEW:
            raise WebhookRejectedError(
                HTTPStatus.UNAUTHORIZED, "timestamp ahead", Refusal.STALE
            )
        if age > MAX_RETRY_AGE:
            raise WebhookRejectedError(
                HTTPStatus.UNAUTHORIZED, "stale timestamp", Refusal.STALE
            )
        # Nothing is remembered or changed before the signature is checked.
        if not signature_is_valid(secret, timestamp, body, signature):
            raise WebhookRejectedError(
                HTTPStatus.UNAUTHORIZED, "wrong signature", Refusal.BAD_SIGNATURE
            )
        try:
            event = parse_event(body)
        except ZoomWebhookError as err:
            raise WebhookRejectedError(HTTPStatus.BAD_REQUEST, str(err)) from None
        if event.event != URL_VALIDATION_EVENT and event.account_id != self._account_id:
            raise WebhookRejectedError(
                HTTPStatus.FORBIDDEN,
                "event of another Zoom account",
                Refusal.OTHER_ACCOUNT,
            )
        if (
            event.key is None
            and event.event != URL_VALIDATION_EVENT
            and age > MAX_CLOCK_SKEW
        ):
            # Without `event_ts` the event cannot be told from a replay of it.
            raise WebhookRejectedError(
                HTTPStatus.UNAUTHORIZED, "stale timestamp", Refusal.STALE
            )
        return event, secret, signature

    def _names_this_account(self, body: bytes) -> bool:
        """Whether an unverifiable delivery is an event of this entry's Zoom account.

        Anyone can post Zoom's headers and shape; the account ID is Zoom's (and
        the account's) to know: the webhook URL does not reveal it.
        """
        try:
            event = parse_event(body)
        except ZoomWebhookError:
            return False
        return bool(self._account_id) and event.account_id == self._account_id

    @callback
    def _apply(self, event: ZoomEvent) -> None:
        """Change only the meeting the event names, then tell automations once."""
        coordinator = self._coordinator
        meeting_id, name = event.meeting_id, event.event
        change = self._change_for(event)
        if change is not None:
            if is_outdated(coordinator.data, change):
                # Zoom delivered a newer event about this meeting already.
                LOGGER.debug("Ignoring %s: older than what Zoom said since", name)
                return
            coordinator.async_apply(change)
        data: dict[str, Any] = {
            "config_entry_id": self._entry.entry_id,
            "type": name,
            "meeting_id": meeting_id,
        }
        if meeting_id is not None:
            # The device lets its page's logbook tell the story.
            device = async_get_entry_device(
                self._hass,
                self._entry.entry_id,
                meeting_device_identifier(self._entry, meeting_id),
            )
            if device is not None:
                data[ATTR_DEVICE_ID] = device.id
            if (meeting := coordinator.data.meetings.get(meeting_id)) is not None:
                data["topic"] = meeting.topic
            elif event.topic is not None:
                data["topic"] = event.topic
        self._hass.bus.async_fire(EVENT_ZOOM, data)

    def _change_for(self, event: ZoomEvent) -> PushedEvent | None:
        """Return what the event changes, if anything; ask for lists when unsure."""
        meeting_id, name, at = event.meeting_id, event.event, event.event_ts
        if meeting_id is None:
            LOGGER.debug("Ignoring Zoom event %s without a meeting", name)
            return None
        if (running := RUNNING_EVENTS.get(name)) is not None:
            if running and event.meeting is not None and self._is_instant(event):
                # No list shows it: learn it from Zoom's details, then it is on.
                self._entry.async_create_background_task(
                    self._hass,
                    self._async_learn(event.meeting, at),
                    "zoom_livestream read of a meeting that started",
                )
                return None
            return MeetingRunning(meeting_id, running, at)
        if (streaming := STREAMING_EVENTS.get(name)) is not None:
            return StreamReported(meeting_id, streaming, at)
        if (
            name in CREATED_EVENTS | UPDATED_EVENTS | DELETED_EVENTS
            and event.single_occurrence
        ):
            # One occurrence of a recurring meeting changed or went: the series
            # stays (its device, entities, settings); the lists tell the rest.
            self._async_refresh_lists()
            return None
        if name in CREATED_EVENTS:
            return self._created(event)
        if name in UPDATED_EVENTS:
            return MeetingUpdated(meeting_id, event.topic, at)
        if name in DELETED_EVENTS:
            return MeetingDeleted(meeting_id, at)
        return None

    def _is_instant(self, event: ZoomEvent) -> bool:
        """Whether a started meeting is unknown here but hosted by a followed user.

        Zoom's list calls show scheduled meetings only ("This API does not return
        information about instant meetings"): instant and personal-room meetings
        are learned from their `meeting.started`.
        """
        meeting = event.meeting
        return (
            meeting is not None
            and meeting.kind is MeetingKind.MEETING
            and meeting.id not in self._coordinator.data.meetings
            and self._coordinator.lister.follows(meeting.host_id)
        )

    async def _async_learn(self, described: Meeting, event_ts: int | None) -> None:
        try:
            meeting = await self._coordinator.lister.async_read_meeting(described.id)
        except ZoomError as err:
            # Zoom did not answer (5xx, timeout, rate limit) and sends the event
            # once: take the event's word that it started; polls read it by ID.
            LOGGER.debug(
                "Zoom did not describe %s, which started: %s", described.id, err
            )
            meeting = replace(described, status="started")
        if meeting is not None:
            self._coordinator.async_apply(MeetingLearned(meeting, event_ts))

    def _created(self, event: ZoomEvent) -> MeetingCreated | None:
        meeting = event.meeting
        if meeting is None:
            return None
        if meeting.kind is MeetingKind.WEBINAR and not self._entry.options.get(
            CONF_INCLUDE_WEBINARS, True
        ):
            return None
        lister = self._coordinator.lister
        if not lister.follows(meeting.host_id):
            if not lister.knows_every_host:
                # A followed user known only by email may be this host: ask
                # Zoom once who they are, then decide.
                self._entry.async_create_background_task(
                    self._hass,
                    self._async_created_by_unknown_host(meeting, event.event_ts),
                    "zoom_livestream lookup of the other users",
                )
            # Anyone else's meeting is none of this entry's business.
            return None
        return self._created_change(meeting, event.event_ts)

    async def _async_created_by_unknown_host(
        self, meeting: Meeting, event_ts: int | None
    ) -> None:
        await self._coordinator.lister.async_resolve_hosts()
        if self._coordinator.lister.follows(meeting.host_id) and (
            change := self._created_change(meeting, event_ts)
        ):
            self._coordinator.async_apply(change)

    def _created_change(
        self, meeting: Meeting, event_ts: int | None
    ) -> MeetingCreated | None:
        if meeting.id not in self._coordinator.data.meetings and not can_create(
            self._coordinator.data
        ):
            # A burst: the lists, read once at the next poll, settle the rest.
            self._coordinator.async_request_full_refresh()
            return None
        return MeetingCreated(meeting, event_ts)

    @callback
    def _async_refresh_lists(self) -> None:
        """Read the lists at the next poll: a burst of events costs one list."""
        self._coordinator.async_request_full_refresh()


@callback
def async_setup_webhook(
    hass: HomeAssistant, entry: ZoomConfigEntry, receiver: ZoomWebhookReceiver
) -> CALLBACK_TYPE:
    """Register the entry's webhook; return what unregisters it."""
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    if receiver.secret is not None:
        issues.async_clear(hass, entry, issues.ISSUE_WEBHOOK_SECRET_MISSING)
    webhook.async_register(
        hass,
        DOMAIN,
        f"Zoom Live Stream ({entry.title})",
        webhook_id,
        receiver.async_handle,
        local_only=False,
        allowed_methods=["POST"],
    )
    return lambda: webhook.async_unregister(hass, webhook_id)
