"""Zoom event subscriptions pushed into Home Assistant through a webhook."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
import time

from aiohttp import web

from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError

from . import issues
from .const import CONF_WEBHOOK_ID, CONF_WEBHOOK_SECRET, DOMAIN, EVENT_ZOOM, LOGGER
from .coordinator import ZoomCoordinator
from .data import ZoomConfigEntry
from .live_stream import LiveStreamController
from .zoom import (
    URL_VALIDATION_EVENT,
    ZoomEvent,
    ZoomWebhookError,
    parse_event,
    parse_timestamp,
    signature_is_valid,
    url_validation_response,
)

# Zoom's deliveries are a few kilobytes; refuse anything that could tie up memory.
MAX_BODY_BYTES = 64 * 1024
# Deliveries older or newer than this are replays or forgeries.
MAX_CLOCK_SKEW = 300.0

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


class WebhookRejectedError(Exception):
    """A delivery refused with an HTTP status; the message is safe to log."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        """Keep the status to answer and the reason to log."""
        super().__init__(reason)
        self.status = status


class ZoomWebhookReceiver:
    """Verifies deliveries and applies them to the entry's state."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ZoomConfigEntry,
        coordinator: ZoomCoordinator,
        controller: LiveStreamController,
        *,
        account_id: str,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Accept deliveries for `account_id`, signed with the entry's secret."""
        self._hass = hass
        self._entry = entry
        self._coordinator = coordinator
        self._controller = controller
        self._account_id = account_id
        # Looked up at each call (not bound at import) so tests can move time.
        self._clock = clock or (lambda: time.time())
        # Signatures of fresh deliveries, with their timestamps: a repeat is a replay.
        self._seen: dict[str, float] = {}

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
            event, secret = await self._async_verify(request)
        except WebhookRejectedError as err:
            LOGGER.warning(
                "Rejected a Zoom webhook delivery for %s: %s", self._entry.title, err
            )
            return web.Response(status=err.status)
        if event.event == URL_VALIDATION_EVENT:
            assert self.secret is not None and event.plain_token is not None
            return web.json_response(
                url_validation_response(self.secret, event.plain_token)
            )
        self._apply(event)
        return web.Response(status=HTTPStatus.OK)

    async def _async_verify(self, request: web.Request) -> tuple[ZoomEvent, str]:
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
        if (secret := self.secret) is None:
            # Zoom is sending events, so push is set up there but not here.
            issues.async_raise(
                self._hass, self._entry, issues.ISSUE_WEBHOOK_SECRET_MISSING
            )
            raise WebhookRejectedError(
                HTTPStatus.UNAUTHORIZED, "no secret token is set in the options"
            )
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        signature = request.headers.get("x-zm-signature", "")
        if not timestamp or not signature:
            raise WebhookRejectedError(HTTPStatus.UNAUTHORIZED, "unsigned")
        try:
            sent_at = parse_timestamp(timestamp)
        except ZoomWebhookError as err:
            raise WebhookRejectedError(HTTPStatus.UNAUTHORIZED, str(err)) from None
        now = self._clock()
        if abs(now - sent_at) > MAX_CLOCK_SKEW:
            raise WebhookRejectedError(HTTPStatus.UNAUTHORIZED, "stale timestamp")
        if not signature_is_valid(secret, timestamp, body, signature):
            raise WebhookRejectedError(HTTPStatus.UNAUTHORIZED, "wrong signature")
        # Remember each signature for as long as its timestamp stays fresh (a
        # delivery dated ahead stays fresh for longer than the skew after receipt).
        self._seen = {
            sig: at for sig, at in self._seen.items() if abs(now - at) <= MAX_CLOCK_SKEW
        }
        if signature in self._seen:
            raise WebhookRejectedError(HTTPStatus.CONFLICT, "replayed delivery")
        self._seen[signature] = sent_at
        try:
            event = parse_event(body)
        except ZoomWebhookError as err:
            raise WebhookRejectedError(HTTPStatus.BAD_REQUEST, str(err)) from None
        if event.event != URL_VALIDATION_EVENT and event.account_id != self._account_id:
            raise WebhookRejectedError(
                HTTPStatus.FORBIDDEN, "event of another Zoom account"
            )
        return event, secret

    @callback
    def _apply(self, event: ZoomEvent) -> None:
        """Change state at once, then tell automations."""
        meeting_id, kind = event.meeting_id, event.kind
        if meeting_id is not None and kind is not None:
            if meeting_id in self._coordinator.data.meetings:
                if (running := RUNNING_EVENTS.get(event.event)) is not None:
                    self._coordinator.async_set_pushed_in_progress(
                        kind, meeting_id, running
                    )
                elif (streaming := STREAMING_EVENTS.get(event.event)) is not None:
                    self._controller.async_set_pushed_streaming(meeting_id, streaming)
        else:
            LOGGER.debug("Ignoring Zoom event %s without a meeting", event.event)
        self._hass.bus.async_fire(
            EVENT_ZOOM,
            {
                "config_entry_id": self._entry.entry_id,
                "type": event.event,
                "meeting_id": meeting_id,
            },
        )


async def async_setup_webhook(
    hass: HomeAssistant, entry: ZoomConfigEntry, receiver: ZoomWebhookReceiver
) -> str | None:
    """Register the entry's webhook; return the URL to paste into Zoom, if any."""
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
    entry.async_on_unload(lambda: webhook.async_unregister(hass, webhook_id))
    if "cloud" in hass.config.components:
        # Only imported when loaded: Cloud pulls in many requirements of its own.
        from homeassistant.components import cloud  # noqa: PLC0415

        if cloud.async_active_subscription(hass):
            try:
                return await cloud.async_get_or_create_cloudhook(hass, webhook_id)
            except cloud.CloudNotAvailable:
                LOGGER.debug("Home Assistant Cloud is not available for the webhook")
    try:
        return webhook.async_generate_url(hass, webhook_id, allow_internal=False)
    except NoURLAvailableError:
        return None
