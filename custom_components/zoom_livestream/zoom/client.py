"""The Zoom REST client: typed calls in, typed results out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from http import HTTPStatus
import logging
import re
from typing import Any
from urllib.parse import quote

import aiohttp

from .auth import AbstractAuth
from .connections import async_open_connections
from .exceptions import (
    ZoomApiError,
    ZoomAuthenticationError,
    ZoomConnectionError,
    ZoomNotFoundError,
    ZoomPermissionError,
    ZoomRateLimitError,
)
from .models import (
    LiveStreamConfig,
    LiveStreamStartSettings,
    Meeting,
    MeetingKind,
    MeetingListType,
    RateLimitInfo,
    ZoomUser,
)
from .responses import parse_retry_after, read_json_body
from .scopes import SCOPES, Operation, scope_names

_LOGGER = logging.getLogger(__name__)

PAGE_SIZE = 300
# A pager that never ends must not cost hundreds of requests a minute: 40 pages
# of 300 (12,000 meetings or webinars for one user) is beyond any real account.
MAX_PAGES = 40

# Zoom codes that mean "this account, plan, host or app may not do that".
_PERMISSION_CODES = frozenset({200, 1010, 3161})
# "Invalid access token, does not contain scopes:[a, b]" (4711, which names
# them) or "... does not contain scopes" (4700, which may not): a new token
# would not help, and neither would signing in again.
_SCOPE_CODES = frozenset({4700, 4711})
_SCOPE_WORDS = "does not contain scopes"
# The first bracketed list of its message: the scopes it names.
_SCOPE_LIST = re.compile(r"\[([^\]]*)\]")
# "Meeting/User does not exist" in any status.
_NOT_FOUND_CODES = frozenset({1001, 3001})
# For webinars Zoom documents code 300 as "Webinar Id does not exist" and "Invalid
# Webinar Id"; a request body failing validation carries its `errors` list too.
_WEBINAR_ID_CODE = 300
# aiohttp itself sends a request with one of these methods once more when the
# connection closes before an answer (RFC 9112 section 9.3.1); the client sends
# the others (PATCH) once more itself, so no request goes out more than twice.
_RESENT_BY_AIOHTTP = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
_WEBINAR_OPERATIONS = frozenset(
    {
        Operation.GET_WEBINAR,
        Operation.GET_WEBINAR_LIVE_STREAM,
        Operation.UPDATE_WEBINAR_LIVE_STREAM,
        Operation.UPDATE_WEBINAR_LIVE_STREAM_STATUS,
    }
)


class ZoomClient:
    """Calls the Zoom API with a token from `auth` over an injected session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        auth: AbstractAuth,
        *,
        api_base: str,
        use_token_api_url: bool = True,
        request_timeout: float = 10.0,
        admin_scopes: bool = True,
    ) -> None:
        """Use `api_base` (or the token's `api_url` when allowed) for every call.

        `admin_scopes`: an account-level (Server-to-Server) app, whose scopes end
        in `:admin`; False for a user-managed app.
        """
        self._session = session
        self._admin_scopes = admin_scopes
        self._auth = auth
        self._api_base = api_base.rstrip("/")
        self._use_token_api_url = use_token_api_url
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._connect_timeout = request_timeout
        self.rate_limit: RateLimitInfo | None = None

    @property
    def api_base(self) -> str:
        """The base URL requests go to now."""
        if self._use_token_api_url and (
            api_url := _normalise_api_url(self._auth.api_url)
        ):
            return api_url
        return self._api_base

    async def async_prepare(self, requests: int) -> None:
        """Get ready to send `requests` requests side by side.

        When a token must be asked for first, the connections the requests
        need open meanwhile, so their TCP and TLS handshakes overlap the token's
        round trips instead of following them. A token at hand: nothing to do
        (the requests open what they lack at once). The token's errors are
        raised as a request's would be.
        """
        if requests < 1 or self._auth.has_valid_token:
            return
        opening = asyncio.ensure_future(
            async_open_connections(
                self._session, self.api_base, requests, self._connect_timeout
            )
        )
        try:
            await self._auth.async_get_access_token()
        except BaseException:
            opening.cancel()
            await asyncio.gather(opening, return_exceptions=True)
            raise
        await opening

    async def async_get_current_user(self) -> ZoomUser:
        """Return the user the credentials act for (`GET /users/me`)."""
        return ZoomUser.from_json(
            await self._async_request("GET", "/users/me", operation=Operation.GET_USER)
        )

    async def async_get_user(self, user_id: str) -> ZoomUser:
        """Return a user of the account by ID or email (`GET /users/{userId}`)."""
        return ZoomUser.from_json(
            await self._async_request(
                "GET",
                f"/users/{quote(user_id, safe='@')}",
                operation=Operation.GET_USER,
            )
        )

    async def async_list_users(self) -> list[ZoomUser]:
        """Return the first page of the account's active users (`GET /users`).

        One page (up to 300) is enough to choose from; a user further on is typed.
        """
        users, _ = await self._async_list_page(
            "/users",
            "users",
            ZoomUser.from_json,
            {"status": "active"},
            "",
            Operation.LIST_USERS,
        )
        return users

    async def async_get_meeting(self, kind: MeetingKind, meeting_id: int) -> Meeting:
        """Return one meeting or webinar with its details (meetings carry `status`)."""
        return Meeting.from_json(
            await self._async_request(
                "GET",
                f"/{kind.path}/{meeting_id}",
                operation=Operation.GET_WEBINAR
                if kind is MeetingKind.WEBINAR
                else Operation.GET_MEETING,
            ),
            kind,
        )

    async def async_list_meetings(
        self,
        user_id: str = "me",
        list_type: MeetingListType = MeetingListType.SCHEDULED,
    ) -> list[Meeting]:
        """Return every meeting of a type, following all pages."""
        return await self._async_list_all(
            f"/users/{quote(user_id, safe='@')}/meetings",
            "meetings",
            lambda item: Meeting.from_json(item, MeetingKind.MEETING),
            {"type": list_type.value},
            Operation.LIST_MEETINGS,
        )

    async def async_list_webinars(self, user_id: str = "me") -> list[Meeting]:
        """Return every webinar of the user, following all pages."""
        return await self._async_list_all(
            f"/users/{quote(user_id, safe='@')}/webinars",
            "webinars",
            lambda item: Meeting.from_json(item, MeetingKind.WEBINAR),
            {},
            Operation.LIST_WEBINARS,
        )

    async def async_get_live_stream(
        self, kind: MeetingKind, meeting_id: int
    ) -> LiveStreamConfig:
        """Return where the meeting streams to (empty fields: no target yet).

        Zoom documents that "live streaming details must have been configured";
        for a meeting that never had a target it answers 200 without a body (as
        the one public client that handles the case receives; unconfirmed), or
        an empty object: either means no target yet.
        """
        body = await self._async_request(
            "GET",
            f"/{kind.path}/{meeting_id}/livestream",
            operation=Operation.GET_WEBINAR_LIVE_STREAM
            if kind is MeetingKind.WEBINAR
            else Operation.GET_LIVE_STREAM,
            empty_ok=True,
        )
        return LiveStreamConfig.from_json({} if body is None else body)

    async def async_update_live_stream(
        self, kind: MeetingKind, meeting_id: int, config: LiveStreamConfig
    ) -> None:
        """Replace the stream target (Zoom wants URL, key and page URL together)."""
        await self._async_request(
            "PATCH",
            f"/{kind.path}/{meeting_id}/livestream",
            json=config.to_json(),
            operation=Operation.UPDATE_WEBINAR_LIVE_STREAM
            if kind is MeetingKind.WEBINAR
            else Operation.UPDATE_LIVE_STREAM,
        )

    async def async_start_live_stream(
        self,
        kind: MeetingKind,
        meeting_id: int,
        settings: LiveStreamStartSettings | None = None,
    ) -> None:
        """Start streaming a meeting that is in progress."""
        body: dict[str, Any] = {"action": "start"}
        if settings is not None and (values := settings.to_json()):
            body["settings"] = values
        await self._async_request(
            "PATCH",
            f"/{kind.path}/{meeting_id}/livestream/status",
            json=body,
            operation=_status_operation(kind),
        )

    async def async_stop_live_stream(self, kind: MeetingKind, meeting_id: int) -> None:
        """Stop streaming."""
        await self._async_request(
            "PATCH",
            f"/{kind.path}/{meeting_id}/livestream/status",
            json={"action": "stop"},
            operation=_status_operation(kind),
        )

    async def _async_list_all[T](
        self,
        path: str,
        key: str,
        parse: Callable[[Any], T],
        params: Mapping[str, str],
        operation: Operation,
    ) -> list[T]:
        items: list[T] = []
        token = ""
        seen_tokens: set[str] = set()
        for _ in range(MAX_PAGES):
            page, token = await self._async_list_page(
                path, key, parse, params, token, operation
            )
            items.extend(page)
            if not token:
                return items
            if token in seen_tokens:
                _LOGGER.warning(
                    "Zoom repeated a page token while listing %s; keeping the %d "
                    "items read",
                    key,
                    len(items),
                )
                return items
            seen_tokens.add(token)
        _LOGGER.warning(
            "Zoom's list of %s did not end after %d pages; keeping the %d items read",
            key,
            MAX_PAGES,
            len(items),
        )
        return items

    async def _async_list_page[T](
        self,
        path: str,
        key: str,
        parse: Callable[[Any], T],
        params: Mapping[str, str],
        page_token: str,
        operation: Operation,
    ) -> tuple[list[T], str]:
        """Return one page's items and the token of the next ('' on the last)."""
        query = {**params, "page_size": str(PAGE_SIZE)}
        if page_token:
            query["next_page_token"] = page_token
        body = await self._async_request("GET", path, params=query, operation=operation)
        if not isinstance(body, dict):
            raise ZoomConnectionError("Unexpected list from Zoom: not a JSON object")
        raw_items = body.get(key)
        if raw_items is None:
            raw_items = []
        if not isinstance(raw_items, list):
            raise ZoomConnectionError(f"Unexpected list from Zoom: {key} is not a list")
        next_token = body.get("next_page_token")
        return (
            [parse(item) for item in raw_items],
            next_token if isinstance(next_token, str) else "",
        )

    async def _async_request(
        self,
        method: str,
        path: str,
        *,
        operation: Operation,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        empty_ok: bool = False,
    ) -> Any:
        """Send one request; renew the token and retry once after a 401.

        `empty_ok`: a 2xx without a JSON body is an answer (None), not a failure.
        """
        token = await self._auth.async_get_access_token()
        status, body, headers = await self._async_send(
            method, path, token, params, json
        )
        # A 401 for missing scopes is not cured by a new token.
        if status == HTTPStatus.UNAUTHORIZED and not _lacks_scopes(body):
            self._auth.invalidate(token)
            token = await self._auth.async_get_access_token()
            status, body, headers = await self._async_send(
                method, path, token, params, json
            )
            if status == HTTPStatus.UNAUTHORIZED and not _lacks_scopes(body):
                code, message = _error_details(body)
                raise ZoomAuthenticationError(
                    f"Zoom refused a fresh access token (code {code}: {message})"
                )
        # Zoom answers some invalid requests with status 300, so only 2xx is success.
        if status < HTTPStatus.MULTIPLE_CHOICES:
            if (
                status != HTTPStatus.NO_CONTENT
                and body is None
                and method == "GET"
                and not empty_ok
            ):
                raise ZoomConnectionError(
                    f"Zoom answered {method} {path} with no JSON body", status=status
                )
            return body
        raise self._error_for(status, body, headers, operation)

    def _error_for(
        self,
        status: int,
        body: Any,
        headers: Mapping[str, str],
        operation: Operation,
    ) -> Exception:
        """Classify Zoom's refusal by its status and code, never by its wording."""
        code, message = _error_details(body)
        if not message:
            try:
                message = HTTPStatus(status).phrase
            except ValueError:
                message = f"HTTP {status}"
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            return ZoomRateLimitError(
                message, retry_after=parse_retry_after(headers.get("Retry-After"))
            )
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            return ZoomConnectionError(f"Zoom answered HTTP {status}", status=status)
        if _lacks_scopes(body):
            # 4711 names the scopes; 4700 may not: then name what this call needs.
            granular, _ = scope_names(SCOPES[operation], admin=self._admin_scopes)
            return ZoomPermissionError(
                status,
                code,
                message,
                missing_scopes=_missing_scopes(message) or (granular,),
            )
        if (
            status == HTTPStatus.NOT_FOUND
            or code in _NOT_FOUND_CODES
            or (
                code == _WEBINAR_ID_CODE
                and operation in _WEBINAR_OPERATIONS
                and not _validation_errors(body)
            )
        ):
            return ZoomNotFoundError(status, code, message)
        if status == HTTPStatus.FORBIDDEN or code in _PERMISSION_CODES:
            return ZoomPermissionError(status, code, message)
        return ZoomApiError(status, code, message)

    async def _async_send(
        self,
        method: str,
        path: str,
        token: str,
        params: Mapping[str, str] | None,
        json: Any,
        *,
        resend: bool = True,
    ) -> tuple[int, Any, Mapping[str, str]]:
        """Send the request; once more if the connection closed before an answer."""
        url = f"{self.api_base}{path}"
        answered = False
        try:
            async with self._session.request(
                method,
                url,
                params=params,
                json=json,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Accept": "application/json",
                },
                timeout=self._timeout,
            ) as response:
                answered = True
                body = await read_json_body(response)
                _LOGGER.debug("%s %s answered HTTP %s", method, path, response.status)
                # From every answer: an account that sends none (Pro, without
                # daily limits) is unknown, not the last value some answer had.
                self.rate_limit = RateLimitInfo.from_headers(response.headers)
                return response.status, body, response.headers
        except TimeoutError as err:
            # Not sent again: Zoom may still be applying the request.
            raise ZoomConnectionError(f"Timed out: {method} {path}") from err
        except aiohttp.ClientError as err:
            if (
                answered
                or not resend
                or method in _RESENT_BY_AIOHTTP
                or not _closed_before_answer(err)
            ):
                raise ZoomConnectionError(
                    f"Cannot reach Zoom for {method} {path}: {type(err).__name__}"
                ) from err
            # The connection closed before any byte of an answer. Mostly it was a
            # kept-alive connection that Zoom (or a NAT on the way) had closed as
            # idle just as the request went out, so Zoom never read the request.
            # Rarely it broke after Zoom applied the request and before it could
            # answer. Either way a PATCH is safe to send once more: each one sets
            # a state (start, stop, or the whole stream target), so a second does
            # nothing the first did not, and without it the press fails although
            # Zoom is fine. A timeout, or an answer cut off, is never sent again.
            _LOGGER.debug(
                "%s %s: the connection closed before an answer (%s); sending it "
                "again on a new connection",
                method,
                path,
                type(err).__name__,
            )
        return await self._async_send(method, path, token, params, json, resend=False)


def _closed_before_answer(err: aiohttp.ClientError) -> bool:
    """Whether the connection was closed or reset with the request sent, unanswered.

    Called only for errors raised before the answer's headers were read. A
    connection that could not be made at all (refused, DNS, TLS) is not one.
    """
    return isinstance(
        err,
        aiohttp.ServerDisconnectedError
        | aiohttp.ClientOSError
        | aiohttp.ClientConnectionResetError,
    ) and not isinstance(err, aiohttp.ClientConnectorError)


def _normalise_api_url(api_url: str | None) -> str | None:
    """Turn the token's `api_url` (a host) into an API base; https only."""
    if not api_url or not api_url.startswith("https://"):
        return None
    base = api_url.rstrip("/")
    return base if base.endswith("/v2") else f"{base}/v2"


def _error_details(body: Any) -> tuple[int | None, str]:
    if isinstance(body, dict):
        code = body.get("code")
        message = body.get("message")
        return (
            code if isinstance(code, int) and not isinstance(code, bool) else None,
            message if isinstance(message, str) else "",
        )
    return None, ""


def _missing_scopes(message: str) -> tuple[str, ...]:
    # Zoom's 4711 message: "Invalid access token, does not contain scopes:[a, b]."
    if (listed := _SCOPE_LIST.search(message)) is None:
        return ()
    return tuple(scope.strip() for scope in listed[1].split(",") if scope.strip())


def _lacks_scopes(body: Any) -> bool:
    """Whether Zoom refused for a scope the app lacks (4700, 4711, or its words)."""
    code, message = _error_details(body)
    return code in _SCOPE_CODES or _SCOPE_WORDS in message.lower()


def _validation_errors(body: Any) -> bool:
    """Whether Zoom listed the request fields that failed validation."""
    return isinstance(body, dict) and isinstance(body.get("errors"), list)


def _status_operation(kind: MeetingKind) -> Operation:
    if kind is MeetingKind.WEBINAR:
        return Operation.UPDATE_WEBINAR_LIVE_STREAM_STATUS
    return Operation.UPDATE_LIVE_STREAM_STATUS
