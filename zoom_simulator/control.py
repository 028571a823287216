"""The unauthenticated ``/_simulator/`` routes that arrange and inspect a scenario.

Changes made here push the events Zoom would send: ``*.created`` on creation,
``*.updated``, ``*.deleted`` (``operation`` "all" or "single" for one
occurrence), ``*.started`` and ``*.ended``.
"""

from __future__ import annotations

from typing import Any, cast

from aiohttp import web

from .delivery import Deliverer
from .models import (
    MEETING_TYPES,
    RECURRING_TYPES,
    RESOLUTIONS,
    WEBINAR_TYPES,
    SimulatedMeeting,
    parse_iso_utc,
)
from .web_common import STATE_KEY, ControlError, control_body, typed

DELIVERER_KEY: web.AppKey[Deliverer] = web.AppKey("zoom_simulator_deliverer", Deliverer)

# Zoom allows up to 50 occurrences for a recurring webinar (and more for meetings).
MAX_OCCURRENCES = 50


def add_routes(app: web.Application) -> None:
    """Add the control routes."""
    router = app.router
    router.add_get("/_simulator/state", _state)
    router.add_post("/_simulator/meetings", _add_meetings)
    router.add_patch("/_simulator/meetings/{meeting_id}", _update)
    router.add_post("/_simulator/meetings/{meeting_id}/start", _start)
    router.add_post("/_simulator/meetings/{meeting_id}/end", _end)
    router.add_delete("/_simulator/meetings/{meeting_id}", _delete)
    router.add_get("/_simulator/requests", _requests)
    router.add_delete("/_simulator/requests", _clear_requests)
    router.add_post("/_simulator/fail", _fail)
    router.add_delete("/_simulator/fail", _clear_faults)
    router.add_post("/_simulator/delay", _delay)
    router.add_delete("/_simulator/tokens", _revoke_tokens)
    router.add_post("/_simulator/tokens/expire", _expire_tokens)
    router.add_post("/_simulator/webhook", _webhook)
    router.add_post("/_simulator/webhook/validate", _validate_webhook)
    router.add_get("/_simulator/users", _users)
    router.add_get("/_simulator/deliveries", _deliveries)
    router.add_delete("/_simulator/deliveries", _clear_deliveries)
    router.add_post("/_simulator/deliveries/hold", _hold)
    router.add_post("/_simulator/deliveries/duplicate", _duplicate)
    router.add_post("/_simulator/deliveries/flush", _flush)
    router.add_get("/_simulator/modes", _modes)
    router.add_post("/_simulator/modes", _set_modes)
    router.add_post("/_simulator/oauth/login", _oauth_login)


def _meeting(request: web.Request) -> SimulatedMeeting:
    state = request.app[STATE_KEY]
    raw_id = request.match_info["meeting_id"]
    if not raw_id.isdigit() or int(raw_id) not in state.meetings:
        raise ControlError(404, f"No meeting or webinar {raw_id}.")
    return state.meetings[int(raw_id)]


def _count(body: dict[str, Any], low: int, high: int, default: int = 1) -> int:
    count = typed(body, "count", int, default)
    if not low <= count <= high:
        raise ControlError(400, f"count must be between {low} and {high}.")
    return count


async def _state(request: web.Request) -> web.StreamResponse:
    return web.json_response(request.app[STATE_KEY].snapshot())


# -- meetings -----------------------------------------------------------------------


async def _add_meetings(request: web.Request) -> web.StreamResponse:
    """Create meetings; push ``*.created`` (not for instant or personal-room ones)."""
    state = request.app[STATE_KEY]
    body = await control_body(request)
    kind = body.get("kind", "meeting")
    if kind not in ("meeting", "webinar"):
        raise ControlError(400, "kind must be meeting or webinar.")
    count = _count(body, 1, 100_000)
    default_topic = "Simulated meeting" if kind == "meeting" else "Simulated webinar"
    topic = typed(body, "topic", str, default_topic)
    host_id = typed(body, "user_id", str, state.user.id)
    if state.account_of_user(host_id) is None:
        raise ControlError(404, f"No user {host_id}.")
    meeting_type = body.get("type")
    types = MEETING_TYPES if kind == "meeting" else WEBINAR_TYPES
    if meeting_type is not None and (
        not isinstance(meeting_type, int)
        or isinstance(meeting_type, bool)
        or meeting_type not in types
    ):
        allowed = ", ".join(str(number) for number in sorted(types))
        raise ControlError(400, f"type of a {kind} must be one of {allowed}.")
    resolution = typed(body, "resolution", str, "720p")
    if resolution not in RESOLUTIONS:
        raise ControlError(400, "resolution must be 720p or 1080p.")
    occurrences = typed(body, "occurrences", int, 4)
    if not 1 <= occurrences <= MAX_OCCURRENCES:
        raise ControlError(400, f"occurrences must be between 1 and {MAX_OCCURRENCES}.")
    start_time = body.get("start_time")
    if start_time is not None:
        _check_start_time(start_time)
    duration = typed(body, "duration", int, 60)
    if duration < 1:
        raise ControlError(400, "duration must be at least 1.")
    started = typed(body, "started", bool, False)
    options: dict[str, Any] = {
        "kind": kind,
        "meeting_type": meeting_type,
        "started": started,
        "stream_url": typed(body, "stream_url", str, ""),
        "stream_key": typed(body, "stream_key", str, ""),
        "page_url": typed(body, "page_url", str, ""),
        "resolution": resolution,
        "host_id": host_id,
        "start_time": start_time,
        "duration": duration,
        "occurrences": occurrences,
    }
    topics = [topic] if count == 1 else [f"{topic} {n}" for n in range(1, count + 1)]
    created = [state.add_meeting(name, **options) for name in topics]
    for meeting in created:
        state.announce_created(meeting)
        if started:
            # An instant meeting is created by starting it: clients learn it here.
            state.emit(f"{meeting.kind}.started", meeting)
    return web.json_response(
        {"meetings": [meeting.snapshot() for meeting in created]}, status=201
    )


def _check_start_time(value: object) -> str:
    if not isinstance(value, str):
        raise ControlError(400, "start_time must be of type str.")
    try:
        parse_iso_utc(value)
    except ValueError:
        raise ControlError(
            400, "start_time must look like 2025-01-06T15:00:00Z."
        ) from None
    return value


async def _update(request: web.Request) -> web.StreamResponse:
    """Change a meeting, or with ``occurrence_id`` one occurrence; push ``*.updated``."""
    state = request.app[STATE_KEY]
    meeting = _meeting(request)
    body = await control_body(request)
    occurrence_id = body.pop("occurrence_id", None)
    if not isinstance(occurrence_id, str | None):
        raise ControlError(400, "occurrence_id must be of type str.")
    for name, kind in (
        ("topic", str),
        ("timezone", str),
        ("agenda", str),
        ("duration", int),
    ):
        if name in body:
            typed(body, name, kind, "")
    if "start_time" in body:
        _check_start_time(body["start_time"])
    if not 1 <= len(body.get("topic", "x")) <= 200:
        raise ControlError(400, "topic must be 1 to 200 characters.")
    if body.get("duration", 1) < 1:
        raise ControlError(400, "duration must be at least 1.")
    try:
        state.update_meeting(meeting.id, body, occurrence_id)
    except KeyError:
        raise ControlError(404, f"No occurrence {occurrence_id}.") from None
    except ValueError as err:
        raise ControlError(400, str(err)) from None
    return web.json_response(meeting.snapshot())


async def _start(request: web.Request) -> web.StreamResponse:
    meeting = _meeting(request)
    request.app[STATE_KEY].start_meeting(meeting.id)
    return web.json_response(meeting.snapshot())


async def _end(request: web.Request) -> web.StreamResponse:
    meeting = _meeting(request)
    request.app[STATE_KEY].end_meeting(meeting.id)
    return web.json_response(meeting.snapshot())


async def _delete(request: web.Request) -> web.StreamResponse:
    """Delete a meeting, or with ``?occurrence_id=`` one occurrence of it."""
    state = request.app[STATE_KEY]
    meeting = _meeting(request)
    occurrence_id = request.query.get("occurrence_id")
    if occurrence_id is not None and meeting.type not in RECURRING_TYPES:
        raise ControlError(400, f"{meeting.id} has no occurrences.")
    try:
        state.delete_meeting(meeting.id, occurrence_id)
    except KeyError:
        raise ControlError(404, f"No occurrence {occurrence_id}.") from None
    return web.Response(status=204)


# -- request log, faults, delay, tokens ------------------------------------------------


async def _requests(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    return web.json_response(
        {"requests": [recorded.as_json() for recorded in state.requests]}
    )


async def _clear_requests(request: web.Request) -> web.StreamResponse:
    request.app[STATE_KEY].clear_log()
    return web.Response(status=204)


async def _fail(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    body = await control_body(request)
    if "status" not in body:
        raise ControlError(400, "status is required.")
    status = typed(body, "status", int, 500)
    if not 100 <= status <= 599:
        raise ControlError(400, "status must be an HTTP status code.")
    count = typed(body, "count", int, 1)
    if count < 1:
        raise ControlError(400, "count must be at least 1.")
    fault_body = body.get("body", "")
    if not isinstance(fault_body, str | dict):
        raise ControlError(400, "body must be a string or an object.")
    headers = typed(body, "headers", dict, {})
    if not all(isinstance(value, str) for value in headers.values()):
        raise ControlError(400, "headers must map names to strings.")
    path_prefix = body.get("path_prefix")
    method = body.get("method")
    if not isinstance(path_prefix, str | None) or not isinstance(method, str | None):
        raise ControlError(400, "path_prefix and method must be strings.")
    state.fail_next(
        count,
        status,
        cast("str | dict[str, Any]", fault_body),
        headers=cast("dict[str, str]", headers),
        path_prefix=path_prefix,
        method=method,
    )
    return web.json_response(
        {"pending_faults": sum(rule.remaining for rule in state.faults)}, status=201
    )


async def _clear_faults(request: web.Request) -> web.StreamResponse:
    request.app[STATE_KEY].clear_faults()
    return web.Response(status=204)


async def _delay(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    body = await control_body(request)
    seconds = body.get("seconds")
    if (
        not isinstance(seconds, int | float)
        or isinstance(seconds, bool)
        or not 0 <= seconds <= 600
    ):
        raise ControlError(400, "seconds must be a number from 0 to 600.")
    state.delay = float(seconds)
    return web.json_response({"delay": state.delay})


async def _revoke_tokens(request: web.Request) -> web.StreamResponse:
    request.app[STATE_KEY].revoke_tokens()
    return web.Response(status=204)


async def _expire_tokens(request: web.Request) -> web.StreamResponse:
    request.app[STATE_KEY].expire_tokens()
    return web.Response(status=204)


# -- webhooks and deliveries ----------------------------------------------------------


async def _webhook(request: web.Request) -> web.StreamResponse:
    """Set (or, with empty values, clear) where an account's signed events go.

    Like saving an event subscription in Zoom, setting a URL and secret sends the
    signed ``endpoint.url_validation`` first; ``validated`` says whether the
    endpoint answered it right. Events are pushed either way.
    """
    body = await control_body(request)
    state = request.app[STATE_KEY]
    url = typed(body, "url", str, "")
    secret = typed(body, "secret", str, "")
    account_id = typed(body, "account_id", str, state.account_id)
    try:
        state.set_webhook(url or None, secret or None, account_id)
    except KeyError:
        raise ControlError(404, f"No account {account_id}.") from None
    validated: bool | None = None
    if url and secret and (account := state.account(account_id)) is not None:
        validated = (await request.app[DELIVERER_KEY].validate(account))["validated"]
    return web.json_response(
        {
            "account_id": account_id,
            "url": url or None,
            "secret_set": bool(secret),
            "validated": validated,
        }
    )


async def _validate_webhook(request: web.Request) -> web.StreamResponse:
    """Validate an account's endpoint again, as Zoom does every 72 hours."""
    body = await control_body(request)
    state = request.app[STATE_KEY]
    account_id = typed(body, "account_id", str, state.account_id)
    account = state.account(account_id)
    if account is None:
        raise ControlError(404, f"No account {account_id}.")
    if not account.webhook_url or not account.webhook_secret:
        raise ControlError(409, f"Account {account_id} has no webhook URL and secret.")
    return web.json_response(await request.app[DELIVERER_KEY].validate(account))


async def _users(request: web.Request) -> web.StreamResponse:
    """List every account: its credentials, its user and where it pushes."""
    state = request.app[STATE_KEY]
    return web.json_response(
        {
            "users": [account.as_json() for account in state.accounts()],
            "user_app": {
                "client_id": state.user_app_client_id,
                "client_secret": state.user_app_client_secret,
                "signs_in": state.oauth_user().id,
            },
        }
    )


async def _deliveries(request: web.Request) -> web.StreamResponse:
    """List the latest delivery attempts and how the receiver answered them."""
    state = request.app[STATE_KEY]
    deliverer = request.app[DELIVERER_KEY]
    return web.json_response(
        {
            "deliveries": state.deliveries,
            "held": deliverer.held,
            "retries_waiting": deliverer.retries_waiting,
            "hold_next": state.hold_next,
            "duplicate_next": state.duplicate_next,
        }
    )


async def _clear_deliveries(request: web.Request) -> web.StreamResponse:
    request.app[STATE_KEY].deliveries.clear()
    return web.Response(status=204)


async def _hold(request: web.Request) -> web.StreamResponse:
    """Hold the next ``count`` deliveries back: each goes after the one after it."""
    state = request.app[STATE_KEY]
    state.hold_next += _count(await control_body(request), 1, 1000)
    return web.json_response({"hold_next": state.hold_next})


async def _duplicate(request: web.Request) -> web.StreamResponse:
    """Send the next ``count`` deliveries twice."""
    state = request.app[STATE_KEY]
    state.duplicate_next += _count(await control_body(request), 1, 1000)
    return web.json_response({"duplicate_next": state.duplicate_next})


async def _flush(request: web.Request) -> web.StreamResponse:
    """Send held deliveries and waiting retries now, without waiting for them."""
    return web.json_response({"sent": await request.app[DELIVERER_KEY].flush()})


# -- modes and OAuth ------------------------------------------------------------------


async def _modes(request: web.Request) -> web.StreamResponse:
    return web.json_response(request.app[STATE_KEY].modes())


async def _set_modes(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    try:
        state.set_modes(await control_body(request))
    except ValueError as err:
        raise ControlError(400, str(err)) from None
    return web.json_response(state.modes())


async def _oauth_login(request: web.Request) -> web.StreamResponse:
    """Choose who signs in at ``/oauth/authorize`` (any user may authorize the app)."""
    state = request.app[STATE_KEY]
    user_id = typed(await control_body(request), "user_id", str, state.user.id)
    if state.account_of_user(user_id) is None:
        raise ControlError(404, f"No user {user_id}.")
    state.oauth_user_id = user_id
    return web.json_response({"user_id": user_id})
