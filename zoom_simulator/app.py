"""The simulator's HTTP layer: Zoom's OAuth and REST shapes plus control routes."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
import functools
import hmac
import json
import logging
from typing import Any, cast

import aiohttp
from aiohttp import hdrs, web

from .events import signed_delivery
from .state import (
    RESOLUTIONS,
    TOKEN_SCOPE,
    FaultRule,
    JsonObject,
    MeetingKind,
    RecordedRequest,
    SimulatedAccount,
    SimulatedMeeting,
    SimulatorState,
)

STATE_KEY: web.AppKey[SimulatorState] = web.AppKey(
    "zoom_simulator_state", SimulatorState
)

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ZOOM_PREFIXES = ("/oauth/", "/v2/")
CONTROL_PREFIX = "/_simulator/"

DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 300

LIGHT = "Light"
MEDIUM = "Medium"

# Zoom's own wording, so clients can be tested against the real messages.
MSG_INVALID_TOKEN = "Invalid access token."
MSG_VALIDATION = "Validation Failed."
MSG_BAD_JSON = "Request Body should be a valid JSON object."
MSG_NOT_CONFIGURED = "The meeting is not configured with a custom streaming service."
MSG_STREAMING_LOCKED = (
    "The live stream settings cannot be changed while live streaming."
)
MSG_DAILY_LIMIT = (
    "You have reached the maximum daily rate limit for this API. "
    "Refer to the response header for details on when you can make another request."
)

_LIVE_STREAM_LIMITS = {"stream_url": 1024, "stream_key": 512, "page_url": 1024}
_LAYOUTS = frozenset({"follow_host", "gallery_view", "speaker_view"})
_CLOSE_CAPTIONS = frozenset({"burnt-in", "embedded", "off"})
_MEETING_LIST_TYPES = frozenset({"scheduled", "live", "upcoming"})
_WEBINAR_LIST_TYPES = frozenset({"scheduled", "upcoming"})


class ZoomApiError(Exception):
    """An error answer in Zoom's ``{"code", "message"}`` shape."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        """Store the HTTP status and Zoom's error code and message."""
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def response(self) -> web.Response:
        """Render the error as Zoom does."""
        body: JsonObject = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return web.json_response(body, status=self.status)


class ControlError(Exception):
    """A bad request to a control route."""

    def __init__(self, status: int, message: str) -> None:
        """Store the HTTP status and message."""
        super().__init__(message)
        self.status = status
        self.message = message


def create_app(state: SimulatorState) -> web.Application:
    """Build the simulator application around ``state``."""
    app = web.Application(
        middlewares=[
            _chunked_json_middleware,
            _deliver_events_middleware,
            _zoom_middleware,
        ]
    )
    app[STATE_KEY] = state
    app.cleanup_ctx.append(_event_session)
    app.router.add_post("/oauth/token", _token)
    app.router.add_get("/v2/users/{user_id}", _get_user)
    app.router.add_get("/v2/users/{user_id}/meetings", _list_meetings)
    app.router.add_get("/v2/users/{user_id}/webinars", _list_webinars)
    kind = "{kind:meetings|webinars}"
    app.router.add_get(f"/v2/{kind}/{{meeting_id}}", _get_meeting)
    app.router.add_get(f"/v2/{kind}/{{meeting_id}}/livestream", _get_live_stream)
    app.router.add_patch(f"/v2/{kind}/{{meeting_id}}/livestream", _patch_live_stream)
    app.router.add_patch(
        f"/v2/{kind}/{{meeting_id}}/livestream/status", _patch_live_stream_status
    )
    _add_control_routes(app)
    return app


# -- middleware -----------------------------------------------------------------


LOGGER = logging.getLogger(__name__)
EVENT_SESSION_KEY = web.AppKey("event_session", aiohttp.ClientSession)


@web.middleware
async def _chunked_json_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Send a large JSON body the way a real server over a real network does.

    Zoom sends large bodies with chunked transfer encoding, and over the Internet
    they arrive in pieces; a client that reads only what has arrived so far sees
    a cut-off body. So a JSON body larger than ``state.chunk_size`` goes out in
    pieces of that size, with ``state.chunk_pause`` seconds after each.
    """
    response = await handler(request)
    state = request.app[STATE_KEY]
    size = state.chunk_size
    if (
        size <= 0
        or type(response) is not web.Response
        or response.content_type != "application/json"
    ):
        return response
    body = response.body
    if not isinstance(body, bytes) or len(body) <= size:
        return response
    headers = response.headers.copy()
    headers.popall(hdrs.CONTENT_LENGTH, None)
    chunked = web.StreamResponse(
        status=response.status, reason=response.reason, headers=headers
    )
    chunked.enable_chunked_encoding()
    await chunked.prepare(request)
    for start in range(0, len(body), size):
        await chunked.write(body[start : start + size])
        if state.chunk_pause > 0:
            await asyncio.sleep(state.chunk_pause)
    await chunked.write_eof()
    return chunked


@web.middleware
async def _deliver_events_middleware(
    request: web.Request,
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """Push the events a request caused, signed, once it has been answered."""
    response = await handler(request)
    state = request.app[STATE_KEY]
    events, state.pending_events = state.pending_events, []
    session = request.app[EVENT_SESSION_KEY]
    for event in events:
        # Each account's app pushes to its own endpoint with its own secret.
        if (target := state.webhook_of(event)) is not None:
            url, secret = target
            body, headers = signed_delivery(secret, event)
            try:
                async with session.post(
                    url,
                    data=body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=3),
                ) as delivery:
                    LOGGER.info(
                        "Delivered %s: HTTP %s", event["event"], delivery.status
                    )
                    state.record_delivery(event, url, delivery.status, None)
            except (aiohttp.ClientError, TimeoutError) as err:
                LOGGER.warning(
                    "Could not deliver %s: %s", event["event"], type(err).__name__
                )
                state.record_delivery(event, url, None, type(err).__name__)
    return response


async def _event_session(app: web.Application) -> AsyncIterator[None]:
    """Own the session events are pushed with, for the app's lifetime."""
    app[EVENT_SESSION_KEY] = aiohttp.ClientSession()
    yield
    await app[EVENT_SESSION_KEY].close()


@web.middleware
async def _zoom_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Log, delay, fault-inject and authenticate requests to the Zoom routes."""
    path = request.path
    if path.startswith(CONTROL_PREFIX):
        try:
            return await handler(request)
        except ControlError as err:
            return web.json_response({"error": err.message}, status=err.status)
    if not path.startswith(ZOOM_PREFIXES):
        return await handler(request)

    state = request.app[STATE_KEY]
    state.record(await _recorded(request))
    if state.delay > 0:
        await asyncio.sleep(state.delay)
    if (rule := state.take_fault(request.method, path)) is not None:
        return _fault_response(rule)
    try:
        if path.startswith("/v2/"):
            _authenticate(state, request)
        return await handler(request)
    except ZoomApiError as err:
        return err.response()
    except web.HTTPException as err:
        # Unknown routes answer in Zoom's JSON shape rather than aiohttp's text.
        if err.status < 400:
            raise
        return web.json_response(
            {"code": err.status, "message": err.reason}, status=err.status
        )


async def _recorded(request: web.Request) -> RecordedRequest:
    raw = await request.read()
    body: object | None = None
    if raw:
        try:
            body = json.loads(raw)
        except ValueError:
            # Forms and garbage are logged without a body; the handler reports them.
            body = None
    return RecordedRequest(
        method=request.method,
        path=request.path,
        query={key: request.query[key] for key in request.query},
        json=body,
        headers={key: request.headers[key] for key in request.headers},
    )


def _fault_response(rule: FaultRule) -> web.Response:
    if isinstance(rule.body, dict):
        response = web.json_response(rule.body, status=rule.status)
    else:
        looks_like_html = rule.body.lstrip().startswith("<")
        response = web.Response(
            text=rule.body,
            status=rule.status,
            content_type="text/html" if looks_like_html else "text/plain",
        )
    for name, value in rule.headers.items():
        response.headers[name] = value
    return response


def _authenticate(state: SimulatorState, request: web.Request) -> SimulatedAccount:
    """Return the account the request's bearer token was issued to."""
    scheme, _, token = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
    account = state.account_of_token(token.strip())
    if scheme.lower() != "bearer" or account is None:
        raise ZoomApiError(401, 124, MSG_INVALID_TOKEN)
    return account


def _rate_limited(category: str) -> Callable[[Handler], Handler]:
    """Count a handler's requests against a daily quota and report it in headers."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            state = request.app[STATE_KEY]
            limit, remaining = state.consume_quota(category)
            response: web.StreamResponse
            if remaining < 0 and state.enforce_daily_limits:
                response = ZoomApiError(429, 429, MSG_DAILY_LIMIT).response()
                response.headers[hdrs.RETRY_AFTER] = str(
                    state.seconds_until_quota_reset()
                )
            else:
                try:
                    response = await handler(request)
                except ZoomApiError as err:
                    response = err.response()
            response.headers["X-RateLimit-Category"] = category
            response.headers["X-RateLimit-Type"] = "Daily-limit"
            response.headers["X-RateLimit-Limit"] = str(limit)
            response.headers["X-RateLimit-Remaining"] = str(max(remaining, 0))
            return response

        return wrapper

    return decorate


# -- OAuth ----------------------------------------------------------------------


async def _token(request: web.Request) -> web.StreamResponse:
    """Server-to-Server OAuth: ``grant_type=account_credentials``."""
    state = request.app[STATE_KEY]
    params: dict[str, str] = dict(request.query)
    # Some clients send the grant in a form body instead of the query string.
    if request.content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        params.update(
            {key: value for key, value in form.items() if isinstance(value, str)}
        )

    account = _client_account(state, request.headers.get(hdrs.AUTHORIZATION, ""))
    if account is None:
        return web.json_response(
            {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
            status=401,
        )
    if params.get("grant_type") != "account_credentials":
        return web.json_response(
            {"reason": "Unsupported grant type", "error": "unsupported_grant_type"},
            status=400,
        )
    if params.get("account_id") != account.account_id:
        return web.json_response(
            {
                "reason": "Invalid request : Invalid account_id",
                "error": "invalid_request",
            },
            status=400,
        )
    body: JsonObject = {
        "access_token": state.issue_token(account.account_id),
        "token_type": "bearer",
        "expires_in": state.token_expires_in,
        "scope": TOKEN_SCOPE,
    }
    if state.token_api_url:
        body["api_url"] = state.token_api_url
    return web.json_response(body)


def _client_account(state: SimulatorState, header: str) -> SimulatedAccount | None:
    """Return the account whose app's client ID and secret the header carries."""
    found: SimulatedAccount | None = None
    for account in state.accounts():
        credentials = f"{account.client_id}:{account.client_secret}".encode()
        expected = "Basic " + base64.b64encode(credentials).decode("ascii")
        # Constant-time like a real server, so a client test never depends on
        # timing; every account is compared, whichever matches.
        if hmac.compare_digest(header.encode(), expected.encode()) and found is None:
            found = account
    return found


# -- users and lists --------------------------------------------------------------


def _account(request: web.Request) -> SimulatedAccount:
    """Return the account of the request's (already checked) access token."""
    return _authenticate(request.app[STATE_KEY], request)


def _user_or_404(account: SimulatedAccount, user_id: str) -> None:
    # An app sees the users of its own account only, like a real one.
    if not account.user.matches(user_id):
        raise ZoomApiError(404, 1001, f"User does not exist: {user_id}")


@_rate_limited(LIGHT)
async def _get_user(request: web.Request) -> web.StreamResponse:
    account = _account(request)
    _user_or_404(account, request.match_info["user_id"])
    return web.json_response(account.user.as_json())


@_rate_limited(MEDIUM)
async def _list_meetings(request: web.Request) -> web.StreamResponse:
    return _list(request, "meeting", "meetings", _MEETING_LIST_TYPES)


@_rate_limited(MEDIUM)
async def _list_webinars(request: web.Request) -> web.StreamResponse:
    return _list(request, "webinar", "webinars", _WEBINAR_LIST_TYPES)


def _list(
    request: web.Request, kind: MeetingKind, key: str, list_types: frozenset[str]
) -> web.Response:
    state = request.app[STATE_KEY]
    account = _account(request)
    _user_or_404(account, request.match_info["user_id"])
    list_type = request.query.get("type", "scheduled")
    if list_type not in list_types:
        raise ZoomApiError(400, 300, f"Invalid field: type {list_type}")
    page_size = _page_size(request.query.get("page_size"))

    items = state.listing(kind, host_id=account.user.id)
    # "scheduled" and "upcoming" coincide here: the simulator has no past meetings.
    if list_type == "live":
        items = [meeting for meeting in items if meeting.started]

    # The token only remembers which listing it belongs to and where it stopped.
    listing = f"{account.user.id}:{kind}:{list_type}"
    offset = 0
    if page_token := request.query.get("next_page_token"):
        cursor = state.page_cursors.get(page_token)
        if cursor is None or cursor.listing != listing:
            raise ZoomApiError(400, 300, "Invalid next_page_token.")
        offset = cursor.offset

    page = items[offset : offset + page_size]
    end = offset + len(page)
    next_token = state.new_page_token(listing, end) if end < len(items) else ""
    return web.json_response(
        {
            "page_size": page_size,
            "total_records": len(items),
            "next_page_token": next_token,
            key: [meeting.list_item() for meeting in page],
        }
    )


def _page_size(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise ZoomApiError(400, 300, f"Invalid field: page_size {raw}") from None
    if size < 1:
        raise ZoomApiError(400, 300, f"Invalid field: page_size {raw}")
    # Zoom silently caps oversized pages rather than rejecting them.
    return min(size, MAX_PAGE_SIZE)


# -- meetings, webinars and their live streams ------------------------------------


def _meeting_from_path(request: web.Request) -> SimulatedMeeting:
    state = request.app[STATE_KEY]
    kind: MeetingKind = (
        "meeting" if request.match_info["kind"] == "meetings" else "webinar"
    )
    raw_id = request.match_info["meeting_id"]
    if not raw_id.isdigit():
        raise ZoomApiError(400, 300, f"Invalid {kind} id.")
    meeting_id = int(raw_id)
    meeting = state.meetings.get(meeting_id)
    # Another account's meeting is as unknown as a meeting that does not exist.
    if (
        meeting is None
        or meeting.kind != kind
        or meeting.host_id != _account(request).user.id
    ):
        raise ZoomApiError(
            404, 3001, f"{kind.capitalize()} does not exist: {meeting_id}."
        )
    return meeting


async def _json_object(request: web.Request) -> JsonObject:
    try:
        body = json.loads(await request.read())
    except ValueError:
        raise ZoomApiError(400, 300, MSG_BAD_JSON) from None
    if not isinstance(body, dict):
        raise ZoomApiError(400, 300, MSG_BAD_JSON)
    return cast("JsonObject", body)


@_rate_limited(LIGHT)
async def _get_meeting(request: web.Request) -> web.StreamResponse:
    meeting = _meeting_from_path(request)
    return web.json_response(meeting.details(_account(request).user.email))


@_rate_limited(LIGHT)
async def _get_live_stream(request: web.Request) -> web.StreamResponse:
    meeting = _meeting_from_path(request)
    return web.json_response(dict(meeting.live_stream))


@_rate_limited(LIGHT)
async def _patch_live_stream(request: web.Request) -> web.StreamResponse:
    meeting = _meeting_from_path(request)
    body = await _json_object(request)
    errors = _live_stream_errors(body)
    if errors:
        raise ZoomApiError(400, 300, MSG_VALIDATION, errors)
    if meeting.streaming:
        raise ZoomApiError(400, 3000, MSG_STREAMING_LOCKED)
    for name in _LIVE_STREAM_LIMITS:
        meeting.live_stream[name] = body[name]
    if "resolution" in body:
        meeting.live_stream["resolution"] = body["resolution"]
    return web.Response(status=204)


def _live_stream_errors(body: JsonObject) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    for name, max_length in _LIVE_STREAM_LIMITS.items():
        value = body.get(name)
        if value is None:
            errors.append({"field": name, "message": f"{name} is required."})
        elif not isinstance(value, str):
            errors.append({"field": name, "message": f"{name} must be a string."})
        elif len(value) > max_length:
            errors.append(
                {
                    "field": name,
                    "message": f"{name} must be at most {max_length} characters.",
                }
            )
    if "resolution" in body and body["resolution"] not in RESOLUTIONS:
        errors.append(
            {"field": "resolution", "message": "resolution must be 720p or 1080p."}
        )
    return errors


@_rate_limited(LIGHT)
async def _patch_live_stream_status(request: web.Request) -> web.StreamResponse:
    """Start or stop the stream.

    Both need the meeting or webinar in progress, as a strict server would: a
    stop that always succeeds would hide a client that believes a stream is on
    after the meeting ended. Starting also needs a configured target.

    For a meeting that is not running the wording is deliberately not Zoom's
    documented webinar text ("has not started"), which is unconfirmed for
    meetings: a client must tell the cause from the code and what it knows of
    the meeting, not from the words.
    """
    meeting = _meeting_from_path(request)
    body = await _json_object(request)
    action = body.get("action")
    settings = body.get("settings")
    errors: list[dict[str, str]] = []
    # Zoom compares the action case-sensitively: "Start" fails validation.
    if action not in ("start", "stop"):
        errors.append({"field": "action", "message": "action must be start or stop."})
    if settings is not None:
        if isinstance(settings, dict):
            errors.extend(_settings_errors(settings))
        else:
            errors.append(
                {"field": "settings", "message": "settings must be an object."}
            )
    if errors:
        raise ZoomApiError(400, 300, MSG_VALIDATION, errors)

    state = request.app[STATE_KEY]
    if not meeting.started:
        if meeting.kind == "webinar":
            raise ZoomApiError(400, 200, f"Webinar {meeting.id} has not started.")
        raise ZoomApiError(400, 3000, f"Meeting {meeting.id} is not live yet.")
    if action == "stop":
        if meeting.streaming and meeting.kind == "meeting":
            state.emit("meeting.live_streaming_stopped", meeting)
        meeting.streaming = False
        return web.Response(status=204)

    if not meeting.live_stream["stream_url"] or not meeting.live_stream["stream_key"]:
        raise ZoomApiError(400, 3000, MSG_NOT_CONFIGURED)
    meeting.streaming = True
    meeting.last_start_settings = dict(settings) if settings is not None else None
    # Zoom documents no live-streaming events for webinars.
    if meeting.kind == "meeting":
        state.emit("meeting.live_streaming_started", meeting)
    return web.Response(status=204)


def _settings_errors(settings: dict[str, Any]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    if "active_speaker_name" in settings and not isinstance(
        settings["active_speaker_name"], bool
    ):
        errors.append(
            {
                "field": "settings.active_speaker_name",
                "message": "active_speaker_name must be a boolean.",
            }
        )
    if "display_name" in settings:
        name = settings["display_name"]
        if not isinstance(name, str) or not 1 <= len(name) <= 50:
            errors.append(
                {
                    "field": "settings.display_name",
                    "message": "display_name must be 1 to 50 characters.",
                }
            )
    if "layout" in settings and settings["layout"] not in _LAYOUTS:
        errors.append(
            {"field": "settings.layout", "message": "layout is not a valid value."}
        )
    if "close_caption" in settings and settings["close_caption"] not in _CLOSE_CAPTIONS:
        errors.append(
            {
                "field": "settings.close_caption",
                "message": "close_caption is not a valid value.",
            }
        )
    return errors


# -- control routes -----------------------------------------------------------------


def _add_control_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/_simulator/state", _control_state)
    router.add_post("/_simulator/meetings", _control_add_meetings)
    router.add_post("/_simulator/meetings/{meeting_id}/start", _control_start)
    router.add_post("/_simulator/meetings/{meeting_id}/end", _control_end)
    router.add_delete("/_simulator/meetings/{meeting_id}", _control_delete)
    router.add_get("/_simulator/requests", _control_requests)
    router.add_delete("/_simulator/requests", _control_clear_requests)
    router.add_post("/_simulator/fail", _control_fail)
    router.add_delete("/_simulator/fail", _control_clear_faults)
    router.add_post("/_simulator/delay", _control_delay)
    router.add_delete("/_simulator/tokens", _control_revoke_tokens)
    router.add_post("/_simulator/tokens/expire", _control_expire_tokens)
    router.add_post("/_simulator/webhook", _control_webhook)
    router.add_get("/_simulator/users", _control_users)
    router.add_get("/_simulator/deliveries", _control_deliveries)


async def _control_body(request: web.Request) -> JsonObject:
    raw = await request.read()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError(400, "Body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise ControlError(400, "Body must be a JSON object.")
    return cast("JsonObject", body)


def _typed[T](body: JsonObject, name: str, kind: type[T], default: T) -> T:
    value = body.get(name, default)
    # bool is an int subclass, but a flag is never a valid count or status.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ControlError(400, f"{name} must be of type {kind.__name__}.")
    return value


def _control_meeting(request: web.Request) -> SimulatedMeeting:
    state = request.app[STATE_KEY]
    raw_id = request.match_info["meeting_id"]
    if not raw_id.isdigit() or int(raw_id) not in state.meetings:
        raise ControlError(404, f"No meeting or webinar {raw_id}.")
    return state.meetings[int(raw_id)]


async def _control_state(request: web.Request) -> web.StreamResponse:
    return web.json_response(request.app[STATE_KEY].snapshot())


async def _control_add_meetings(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    body = await _control_body(request)
    kind = body.get("kind", "meeting")
    if kind not in ("meeting", "webinar"):
        raise ControlError(400, "kind must be meeting or webinar.")
    count = _typed(body, "count", int, 1)
    if not 1 <= count <= 100_000:
        raise ControlError(400, "count must be between 1 and 100000.")
    default_topic = "Simulated meeting" if kind == "meeting" else "Simulated webinar"
    topic = _typed(body, "topic", str, default_topic)
    host_id = _typed(body, "user_id", str, state.user.id)
    if state.account_of_user(host_id) is None:
        raise ControlError(404, f"No user {host_id}.")
    meeting_type = body.get("type")
    if meeting_type is not None and (
        not isinstance(meeting_type, int) or isinstance(meeting_type, bool)
    ):
        raise ControlError(400, "type must be of type int.")
    resolution = _typed(body, "resolution", str, "720p")
    if resolution not in RESOLUTIONS:
        raise ControlError(400, "resolution must be 720p or 1080p.")
    options: dict[str, Any] = {
        "kind": kind,
        "meeting_type": meeting_type,
        "started": _typed(body, "started", bool, False),
        "stream_url": _typed(body, "stream_url", str, ""),
        "stream_key": _typed(body, "stream_key", str, ""),
        "page_url": _typed(body, "page_url", str, ""),
        "resolution": resolution,
        "host_id": host_id,
    }
    topics = [topic] if count == 1 else [f"{topic} {n}" for n in range(1, count + 1)]
    created = [state.add_meeting(name, **options) for name in topics]
    return web.json_response(
        {"meetings": [meeting.snapshot() for meeting in created]}, status=201
    )


async def _control_start(request: web.Request) -> web.StreamResponse:
    meeting = _control_meeting(request)
    request.app[STATE_KEY].start_meeting(meeting.id)
    return web.json_response(meeting.snapshot())


async def _control_end(request: web.Request) -> web.StreamResponse:
    meeting = _control_meeting(request)
    request.app[STATE_KEY].end_meeting(meeting.id)
    return web.json_response(meeting.snapshot())


async def _control_delete(request: web.Request) -> web.StreamResponse:
    meeting = _control_meeting(request)
    request.app[STATE_KEY].delete_meeting(meeting.id)
    return web.Response(status=204)


async def _control_requests(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    return web.json_response(
        {"requests": [recorded.as_json() for recorded in state.requests]}
    )


async def _control_clear_requests(request: web.Request) -> web.StreamResponse:
    request.app[STATE_KEY].clear_log()
    return web.Response(status=204)


async def _control_fail(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    body = await _control_body(request)
    if "status" not in body:
        raise ControlError(400, "status is required.")
    status = _typed(body, "status", int, 500)
    if not 100 <= status <= 599:
        raise ControlError(400, "status must be an HTTP status code.")
    count = _typed(body, "count", int, 1)
    if count < 1:
        raise ControlError(400, "count must be at least 1.")
    fault_body = body.get("body", "")
    if not isinstance(fault_body, str | dict):
        raise ControlError(400, "body must be a string or an object.")
    headers = _typed(body, "headers", dict, {})
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


async def _control_clear_faults(request: web.Request) -> web.StreamResponse:
    request.app[STATE_KEY].clear_faults()
    return web.Response(status=204)


async def _control_delay(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    body = await _control_body(request)
    seconds = body.get("seconds")
    if (
        not isinstance(seconds, int | float)
        or isinstance(seconds, bool)
        or not 0 <= seconds <= 600
    ):
        raise ControlError(400, "seconds must be a number from 0 to 600.")
    state.delay = float(seconds)
    return web.json_response({"delay": state.delay})


async def _control_revoke_tokens(request: web.Request) -> web.StreamResponse:
    request.app[STATE_KEY].revoke_tokens()
    return web.Response(status=204)


async def _control_expire_tokens(request: web.Request) -> web.StreamResponse:
    request.app[STATE_KEY].expire_tokens()
    return web.Response(status=204)


async def _control_webhook(request: web.Request) -> web.StreamResponse:
    """Set (or, with empty values, clear) where an account's signed events go."""
    body = await _control_body(request)
    state = request.app[STATE_KEY]
    url = _typed(body, "url", str, "")
    secret = _typed(body, "secret", str, "")
    account_id = _typed(body, "account_id", str, state.account_id)
    try:
        state.set_webhook(url or None, secret or None, account_id)
    except KeyError:
        raise ControlError(404, f"No account {account_id}.") from None
    return web.json_response(
        {"account_id": account_id, "url": url or None, "secret_set": bool(secret)}
    )


async def _control_users(request: web.Request) -> web.StreamResponse:
    """List every account: its credentials, its user and where it pushes."""
    state = request.app[STATE_KEY]
    return web.json_response(
        {"users": [account.as_json() for account in state.accounts()]}
    )


async def _control_deliveries(request: web.Request) -> web.StreamResponse:
    """List the latest event deliveries and how the receiver answered them."""
    return web.json_response({"deliveries": request.app[STATE_KEY].deliveries})
