"""Pushing events to webhook endpoints as Zoom does: signed, retried, late or twice.

Zoom waits 3 seconds for an answer and retries a delivery that got a 5xx or no
answer after 5, 20 and 60 minutes (``state.retry_scale`` seconds per minute
here), never one that got a 4xx. Whether a retry carries new
``x-zm-request-timestamp`` and signature headers is unconfirmed, so
``state.retry_timestamps`` chooses. Controls hold a delivery back until the next
one was sent (out of order) or send one twice; every attempt is recorded in
``state.deliveries``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import hmac
import json
import logging
import secrets

import aiohttp

from .events import encode, encrypted_token, signed_headers, url_validation_event
from .models import JsonObject, SimulatedAccount
from .state import RETRY_MINUTES, SimulatorState

LOGGER = logging.getLogger(__package__)


@dataclass(slots=True)
class Delivery:
    """One event on its way to one endpoint, over all its attempts."""

    id: int
    event: JsonObject
    url: str
    secret: str
    body: bytes
    # The first attempt's headers, which "original" retries send again.
    first_headers: dict[str, str] | None = None
    attempts: int = 0
    retries: int = 0
    held: bool = False


class Deliverer:
    """Sends the state's queued events and keeps their retries for later."""

    def __init__(self, state: SimulatorState, session: aiohttp.ClientSession) -> None:
        """Deliver the events of ``state`` with ``session``."""
        self._state = state
        self._session = session
        self._next_id = 1
        self._held: list[Delivery] = []
        # Retries waiting for their time, by delivery ID.
        self._waiting: dict[int, tuple[asyncio.Task[None], Delivery]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def held(self) -> int:
        """How many deliveries are held back, waiting for the next one."""
        return len(self._held)

    @property
    def retries_waiting(self) -> int:
        """How many deliveries wait for a retry."""
        return len(self._waiting)

    async def deliver_pending(self) -> None:
        """Send every queued event (or hold it back, as the controls ask)."""
        state = self._state
        events, state.pending_events = state.pending_events, []
        for event in events:
            # Each account's app pushes to its own endpoint with its own secret.
            if (target := state.webhook_of(event)) is None:
                continue
            url, secret = target
            delivery = Delivery(self._next_id, event, url, secret, encode(event))
            self._next_id += 1
            if state.hold_next > 0:
                state.hold_next -= 1
                delivery.held = True
                self._held.append(delivery)
                continue
            duplicate = state.duplicate_next > 0
            if duplicate:
                state.duplicate_next -= 1
            await self._attempt(delivery, "first")
            if duplicate:
                await self._attempt(delivery, "duplicate")
            # What was held back arrives after this later event: out of order.
            held, self._held = self._held, []
            for late in held:
                await self._attempt(late, "first")

    async def flush(self) -> int:
        """Send held deliveries and every waiting retry now; return how many."""
        held, self._held = self._held, []
        waiting, self._waiting = self._waiting, {}
        # Cancel every sleeping retry before any await lets one of them wake up.
        for task, _ in waiting.values():
            task.cancel()
        for delivery in held:
            await self._attempt(delivery, "first")
        for _, delivery in waiting.values():
            delivery.retries += 1
            await self._attempt(delivery, "retry")
        return len(held) + len(waiting)

    async def close(self) -> None:
        """Drop held deliveries and cancel every retry (the simulator stops)."""
        self._held.clear()
        self._waiting.clear()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def validate(self, account: SimulatedAccount) -> JsonObject:
        """Send ``endpoint.url_validation`` to the account's endpoint; record the result.

        The endpoint passes when it answers 200 with ``plainToken`` and
        ``encryptedToken`` = hex(HMAC-SHA256(secret token, plainToken)).
        """
        state = self._state
        if not account.webhook_url or not account.webhook_secret:
            raise ValueError("The account has no webhook URL and secret token.")
        url, secret = account.webhook_url, account.webhook_secret
        plain_token = secrets.token_urlsafe(16)
        event = url_validation_event(plain_token, state.now_ms())
        body = encode(event)
        headers = signed_headers(secret, body, state.wall_clock().timestamp())
        status: int | None = None
        error: str | None = None
        answer: object = None
        try:
            async with self._session.post(
                url,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=state.delivery_timeout),
            ) as response:
                status = response.status
                raw = await response.read()
            answer = json.loads(raw) if raw else None
        except (aiohttp.ClientError, TimeoutError) as err:
            error = type(err).__name__
        except ValueError:
            answer = None
        expected = encrypted_token(secret, plain_token)
        validated = (
            status == 200
            and isinstance(answer, dict)
            and answer.get("plainToken") == plain_token
            and isinstance(answer.get("encryptedToken"), str)
            and hmac.compare_digest(answer["encryptedToken"], expected)
        )
        state.set_webhook_validated(account.account_id, validated)
        LOGGER.info(
            "URL validation of %s's endpoint: %s",
            account.account_id,
            "passed" if validated else f"failed ({status or error})",
        )
        return state.record_delivery(
            event,
            url,
            status,
            error,
            account_id=account.account_id,
            kind="validation",
            attempt=1,
            timestamp=headers["x-zm-request-timestamp"],
            validated=validated,
        )

    async def _attempt(self, delivery: Delivery, kind: str) -> None:
        """POST the delivery once; schedule the next retry if Zoom would retry."""
        state = self._state
        delivery.attempts += 1
        now = state.wall_clock().timestamp()
        if delivery.first_headers is None:
            headers = delivery.first_headers = signed_headers(
                delivery.secret, delivery.body, now
            )
        elif state.retry_timestamps == "original":
            headers = delivery.first_headers
        else:
            headers = signed_headers(delivery.secret, delivery.body, now)
        status: int | None = None
        error: str | None = None
        try:
            async with self._session.post(
                delivery.url,
                data=delivery.body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=state.delivery_timeout),
            ) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as err:
            error = type(err).__name__
        # A duplicate is Zoom's mistake, not a failure it would act on.
        retry_in: int | None = None
        failed = status is None or status >= 500
        if failed and kind != "duplicate" and delivery.retries < len(RETRY_MINUTES):
            retry_in = RETRY_MINUTES[delivery.retries]
        state.record_delivery(
            delivery.event,
            delivery.url,
            status,
            error,
            delivery_id=delivery.id,
            attempt=delivery.attempts,
            kind=kind,
            held=delivery.held,
            timestamp=headers["x-zm-request-timestamp"],
            retry_in_minutes=retry_in,
        )
        event_name = delivery.event["event"]
        if status is not None:
            LOGGER.info("Delivered %s (%s): HTTP %s", event_name, kind, status)
        else:
            LOGGER.warning("Could not deliver %s (%s): %s", event_name, kind, error)
        if retry_in is not None:
            self._schedule(delivery, retry_in * state.retry_scale)

    def _schedule(self, delivery: Delivery, delay: float) -> None:
        task = asyncio.create_task(self._retry_later(delivery, delay))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._waiting[delivery.id] = (task, delivery)

    async def _retry_later(self, delivery: Delivery, delay: float) -> None:
        await asyncio.sleep(delay)
        self._waiting.pop(delivery.id, None)
        delivery.retries += 1
        await self._attempt(delivery, "retry")
