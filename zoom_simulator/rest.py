"""Zoom's REST routes (``/v2/…``) with Zoom's status codes, error codes and wording.

Where Zoom's behaviour is unconfirmed the state's modes choose the shape; the
default is the harsher documented one (see ``MODE_CHOICES`` in :mod:`.state`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import functools
import json
from typing import Any, cast

from aiohttp import hdrs, web

from .models import (
    RESOLUTIONS,
    JsonObject,
    MeetingKind,
    SimulatedAccount,
    SimulatedMeeting,
    SimulatedUser,
    iso_utc,
)
from .state import SimulatorState
from .web_common import STATE_KEY, Handler, ZoomApiError

DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 300

LIGHT = "Light"
MEDIUM = "Medium"

# Zoom's own wording, so clients can be tested against the real messages.
MSG_INVALID_TOKEN = "Invalid access token."
MSG_VALIDATION = "Validation Failed."
MSG_MISSING_SCOPES = "Invalid access token, does not contain scopes:[{}]."
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
# Zoom's Node SDK has these settings for meetings only.
_MEETING_ONLY_SETTINGS = ("layout", "close_caption")
# Every value of the documented enum; the simulator has no past meetings, so the
# previous ones are an empty list and the upcoming ones are the scheduled ones.
_MEETING_LIST_TYPES = frozenset(
    {"scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings"}
)
_WEBINAR_LIST_TYPES = frozenset({"scheduled", "upcoming"})


def add_routes(app: web.Application) -> None:
    """Add Zoom's REST routes."""
    app.router.add_get("/v2/users", _list_users)
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


# -- who is calling -------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Caller:
    """Whose token a request carries: an account's app, or a signed-in user."""

    account: SimulatedAccount
    # The signed-in user of a user-level token; None for a Server-to-Server one.
    signed_in: SimulatedUser | None

    @property
    def host(self) -> SimulatedUser:
        """The user whose meetings this token reaches."""
        return self.signed_in or self.account.user


def authenticate(state: SimulatorState, request: web.Request) -> Caller:
    """Return who the request's bearer token belongs to; 401 code 124 if nobody."""
    scheme, _, token = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
    token = token.strip()
    account = state.account_of_token(token)
    if scheme.lower() != "bearer" or account is None:
        raise ZoomApiError(401, 124, MSG_INVALID_TOKEN)
    signed_in: SimulatedUser | None = None
    if (user_id := state.user_of_token(token)) is not None:
        owner = state.account_of_user(user_id)
        if owner is None:
            raise ZoomApiError(401, 124, MSG_INVALID_TOKEN)
        signed_in = owner.user
    return Caller(account, signed_in)


def _caller(request: web.Request) -> Caller:
    return authenticate(request.app[STATE_KEY], request)


def _resolve_user(state: SimulatorState, caller: Caller, user_id: str) -> SimulatedUser:
    """Return the user a ``{userId}`` path segment names, as this token sees it.

    A user-level token reaches its signed-in user only (``me`` is that user). A
    Server-to-Server token reaches the users of its account, and ``me`` follows
    ``state.s2s_me``: the app's user, refused, or an admin who hosts nothing.
    """
    unknown = ZoomApiError(404, 1001, f"User does not exist: {user_id}")
    if caller.signed_in is not None:
        if user_id == "me" or caller.signed_in.named_by(user_id):
            return caller.signed_in
        raise unknown
    account = caller.account
    if user_id == "me":
        if state.s2s_me == "refused":
            raise unknown
        return account.admin if state.s2s_me == "admin" else account.user
    if account.user.named_by(user_id):
        return account.user
    if state.s2s_me == "admin" and account.admin.named_by(user_id):
        return account.admin
    raise unknown


# -- rate limits -------------------------------------------------------------------


def _rate_limited(category: str) -> Callable[[Handler], Handler]:
    """Count a handler's requests against a daily quota; headers as the mode says.

    Only the Free plan enforces the quota (live streaming needs Pro, which has no
    daily cap for these calls). Headers: none by default (Zoom documents none
    today); "full" sends X-RateLimit-Category, -Type, -Limit and -Remaining, and
    Retry-After (an ISO date) when the quota is spent; "no-type" sends what a
    real 429 quoted in Zoom's forum had: Category, Limit and Remaining only.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            state = request.app[STATE_KEY]
            limit, remaining = state.consume_quota(category)
            response: web.StreamResponse
            if remaining < 0 and state.plan == "free":
                response = ZoomApiError(429, 429, MSG_DAILY_LIMIT).response()
                if state.rate_limit_headers == "full":
                    response.headers[hdrs.RETRY_AFTER] = iso_utc(state.quota_reset())
            else:
                try:
                    response = await handler(request)
                except ZoomApiError as err:
                    response = err.response()
            if state.rate_limit_headers != "none":
                response.headers["X-RateLimit-Category"] = category
                if state.rate_limit_headers == "full":
                    response.headers["X-RateLimit-Type"] = "Daily-limit"
                response.headers["X-RateLimit-Limit"] = str(limit)
                response.headers["X-RateLimit-Remaining"] = str(max(remaining, 0))
            return response

        return wrapper

    return decorate


# -- users and lists --------------------------------------------------------------


@_rate_limited(MEDIUM)
async def _list_users(request: web.Request) -> web.StreamResponse:
    """List the account's users: an account-level (admin) call.

    A user-level token lacks ``user:read:list_users:admin`` and is refused the way
    Zoom refuses a missing scope. The account's admin is a user of the account in
    the ``admin`` mode of ``s2s_me``, where ``me`` resolves to them.
    """
    state = request.app[STATE_KEY]
    caller = _caller(request)
    if caller.signed_in is not None:
        raise ZoomApiError(
            400, 4711, MSG_MISSING_SCOPES.format("user:read:list_users:admin")
        )
    if request.query.get("status", "active") != "active":
        users: list[SimulatedUser] = []
    elif state.s2s_me == "admin":
        users = [caller.account.admin, caller.account.user]
    else:
        users = [caller.account.user]
    size = _page_size(request.query.get("page_size"))
    token = request.query.get("next_page_token", "")
    start = int(token) if token.isdigit() else 0
    end = start + size
    return web.json_response(
        {
            "page_size": size,
            "total_records": len(users),
            "next_page_token": str(end) if end < len(users) else "",
            "users": [user.as_json() for user in users[start:end]],
        }
    )


@_rate_limited(LIGHT)
async def _get_user(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    user = _resolve_user(state, _caller(request), request.match_info["user_id"])
    return web.json_response(user.as_json())


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
    user = _resolve_user(state, _caller(request), request.match_info["user_id"])
    list_type = request.query.get("type", "scheduled")
    if list_type not in list_types:
        raise ZoomApiError(400, 300, f"Invalid field: type {list_type}")
    page_size = _page_size(request.query.get("page_size"))

    if list_type == "previous_meetings":
        items: list[SimulatedMeeting] = []
    else:
        items = state.zoom_list(kind, user.id, list_type)

    # The token only remembers which listing it belongs to and where it stopped.
    listing = f"{user.id}:{kind}:{list_type}"
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


def _meeting_from_path(
    request: web.Request, *, live_stream: bool = False
) -> SimulatedMeeting:
    """Return the meeting or webinar the path names, if this token reaches it.

    An unknown one is 404 code 3001, but for a webinar's live-stream routes Zoom
    documents 400 code 3001 ("Webinar does not exist").
    """
    state = request.app[STATE_KEY]
    kind: MeetingKind = (
        "meeting" if request.match_info["kind"] == "meetings" else "webinar"
    )
    raw_id = request.match_info["meeting_id"]
    if not raw_id.isdigit():
        raise ZoomApiError(400, 300, f"Invalid {kind} id.")
    meeting_id = int(raw_id)
    meeting = state.meetings.get(meeting_id)
    # Another account's (or user's) meeting is as unknown as one that does not exist.
    if (
        meeting is None
        or meeting.kind != kind
        or meeting.host_id != _caller(request).host.id
    ):
        status = 400 if live_stream and kind == "webinar" else 404
        raise ZoomApiError(
            status, 3001, f"{kind.capitalize()} does not exist: {meeting_id}."
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
    state = request.app[STATE_KEY]
    host = state.account_of_user(meeting.host_id)
    email = host.user.email if host else _caller(request).host.email
    return web.json_response(meeting.details(email))


@_rate_limited(LIGHT)
async def _get_live_stream(request: web.Request) -> web.StreamResponse:
    """Return the stream target; for a meeting that never had one, see the mode.

    Zoom's prerequisite is that "live streaming details must have been
    configured"; the one public client that handles the other case receives 200
    with an empty body (unconfirmed), so that is the default, ``{}`` the option.
    """
    meeting = _meeting_from_path(request, live_stream=True)
    if not meeting.has_stream_target:
        if request.app[STATE_KEY].live_stream_without_target == "no-body":
            return web.Response(status=200, content_type="application/json")
        return web.json_response({})
    return web.json_response(dict(meeting.live_stream))


@_rate_limited(LIGHT)
async def _patch_live_stream(request: web.Request) -> web.StreamResponse:
    meeting = _meeting_from_path(request, live_stream=True)
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
    meeting = _meeting_from_path(request, live_stream=True)
    body = await _json_object(request)
    action = body.get("action")
    settings = body.get("settings")
    errors: list[dict[str, str]] = []
    # Zoom compares the action case-sensitively: "Start" fails validation.
    if action not in ("start", "stop"):
        errors.append({"field": "action", "message": "action must be start or stop."})
    if settings is not None:
        if isinstance(settings, dict):
            errors.extend(_settings_errors(settings, meeting.kind))
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


def _settings_errors(
    settings: dict[str, Any], kind: MeetingKind
) -> list[dict[str, str]]:
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
    if kind == "webinar":
        # Zoom's webinar start documents neither; only meetings have them.
        errors.extend(
            {
                "field": f"settings.{name}",
                "message": f"{name} is not a setting of a webinar's live stream.",
            }
            for name in _MEETING_ONLY_SETTINGS
            if name in settings
        )
        return errors
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
