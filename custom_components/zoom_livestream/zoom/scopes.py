"""The OAuth scopes each call of the client needs, as Zoom names them.

Apps created today get granular scopes only (`meeting:update:livestream_status`);
older apps have classic ones (`meeting:write`). Server-to-Server apps use the
account-level forms, which add `:admin`; user-managed ("Sign in with Zoom") apps
do not. The webinar granular names follow the confirmed
`webinar:update:livestream_status` (Zoom documents the others less clearly).
Source: Zoom's scope pages and API reference, as collected in zoom-api.md.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Operation(StrEnum):
    """Every kind of request the client sends."""

    GET_USER = "get_user"
    LIST_USERS = "list_users"
    LIST_MEETINGS = "list_meetings"
    GET_MEETING = "get_meeting"
    GET_LIVE_STREAM = "get_live_stream"
    UPDATE_LIVE_STREAM = "update_live_stream"
    UPDATE_LIVE_STREAM_STATUS = "update_live_stream_status"
    LIST_WEBINARS = "list_webinars"
    GET_WEBINAR = "get_webinar"
    GET_WEBINAR_LIVE_STREAM = "get_webinar_live_stream"
    UPDATE_WEBINAR_LIVE_STREAM = "update_webinar_live_stream"
    UPDATE_WEBINAR_LIVE_STREAM_STATUS = "update_webinar_live_stream_status"


class Scopes(NamedTuple):
    """One operation's scope, in today's granular and the older classic naming."""

    granular: str
    classic: str
    # Only an account-level (Server-to-Server) app can be granted it.
    admin_only: bool = False


SCOPES: dict[Operation, Scopes] = {
    Operation.GET_USER: Scopes("user:read:user", "user:read"),
    Operation.LIST_USERS: Scopes("user:read:list_users", "user:read", admin_only=True),
    Operation.LIST_MEETINGS: Scopes("meeting:read:list_meetings", "meeting:read"),
    Operation.GET_MEETING: Scopes("meeting:read:meeting", "meeting:read"),
    Operation.GET_LIVE_STREAM: Scopes("meeting:read:livestream", "meeting:read"),
    Operation.UPDATE_LIVE_STREAM: Scopes("meeting:update:livestream", "meeting:write"),
    Operation.UPDATE_LIVE_STREAM_STATUS: Scopes(
        "meeting:update:livestream_status", "meeting:write"
    ),
    Operation.LIST_WEBINARS: Scopes("webinar:read:list_webinars", "webinar:read"),
    Operation.GET_WEBINAR: Scopes("webinar:read:webinar", "webinar:read"),
    Operation.GET_WEBINAR_LIVE_STREAM: Scopes(
        "webinar:read:livestream", "webinar:read"
    ),
    Operation.UPDATE_WEBINAR_LIVE_STREAM: Scopes(
        "webinar:update:livestream", "webinar:write"
    ),
    Operation.UPDATE_WEBINAR_LIVE_STREAM_STATUS: Scopes(
        "webinar:update:livestream_status", "webinar:write"
    ),
}


def scope_names(scopes: Scopes, *, admin: bool) -> tuple[str, str]:
    """Return (granular, classic) names for an account-level or a user-level app."""
    suffix = ":admin" if admin else ""
    return f"{scopes.granular}{suffix}", f"{scopes.classic}{suffix}"


def needed_scopes(*, admin: bool, operations: set[Operation] | None = None) -> set[str]:
    """Return every granular and classic scope an app needs for `operations`."""
    names: set[str] = set()
    for operation in operations if operations is not None else set(SCOPES):
        scopes = SCOPES[operation]
        if scopes.admin_only and not admin:
            continue
        names.update(scope_names(scopes, admin=admin))
    return names
