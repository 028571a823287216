"""Zoom's OAuth: Server-to-Server tokens and a user-level app's "Sign in with Zoom".

``POST /oauth/token`` grants ``account_credentials`` to an account's
Server-to-Server app, and ``authorization_code`` and ``refresh_token`` to the
user-level app. ``GET /oauth/authorize`` signs the state's OAuth user in at once
and redirects back (302) with ``code`` and ``state``: there is no page to click.
Refresh tokens rotate: every refresh returns a new one and the old one stops
working.
"""

from __future__ import annotations

import base64
import hmac

from aiohttp import hdrs, web
from yarl import URL

from .models import JsonObject
from .state import TOKEN_SCOPE, USER_TOKEN_SCOPE, SimulatedAccount, SimulatorState
from .web_common import STATE_KEY


def add_routes(app: web.Application) -> None:
    """Add the OAuth routes."""
    app.router.add_post("/oauth/token", _token)
    app.router.add_get("/oauth/authorize", _authorize)


def _error(status: int, error: str, reason: str) -> web.Response:
    return web.json_response({"reason": reason, "error": error}, status=status)


def _basic(client_id: str, client_secret: str) -> str:
    credentials = f"{client_id}:{client_secret}".encode()
    return "Basic " + base64.b64encode(credentials).decode("ascii")


def _same(header: str, expected: str) -> bool:
    # Constant-time like a real server, so a client test never depends on timing.
    return hmac.compare_digest(header.encode(), expected.encode())


async def _token(request: web.Request) -> web.StreamResponse:
    """Issue a token for whichever app's client ID and secret the request carries."""
    state = request.app[STATE_KEY]
    params: dict[str, str] = dict(request.query)
    # Some clients send the grant in a form body instead of the query string.
    if request.content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        params.update(
            {key: value for key, value in form.items() if isinstance(value, str)}
        )
    header = request.headers.get(hdrs.AUTHORIZATION, "")
    if _same(header, _basic(state.user_app_client_id, state.user_app_client_secret)):
        return _user_grant(state, params)

    account = _client_account(state, header)
    if account is None:
        return _error(401, "invalid_client", "Invalid client_id or client_secret")
    if params.get("grant_type") != "account_credentials":
        return _error(400, "unsupported_grant_type", "Unsupported grant type")
    if params.get("account_id") != account.account_id:
        return _error(400, "invalid_request", "Invalid request : Invalid account_id")
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
        # Every account is compared, whichever matches.
        if _same(header, _basic(account.client_id, account.client_secret)):
            found = found or account
    return found


def _user_grant(state: SimulatorState, params: dict[str, str]) -> web.Response:
    """Exchange a code, or rotate a refresh token, for the user-level app."""
    grant_type = params.get("grant_type")
    if grant_type == "authorization_code":
        user_id = state.redeem_authorization_code(
            params.get("code", ""),
            state.user_app_client_id,
            params.get("redirect_uri", ""),
        )
        if user_id is None:
            return _error(400, "invalid_grant", "Invalid authorization code")
    elif grant_type == "refresh_token":
        user_id = state.use_refresh_token(params.get("refresh_token", ""))
        if user_id is None:
            return _error(400, "invalid_grant", "Invalid Token!")
    else:
        return _error(400, "unsupported_grant_type", "Unsupported grant type")
    account = state.account_of_user(user_id)
    if account is None:
        return _error(400, "invalid_grant", "Invalid Token!")
    body: JsonObject = {
        "access_token": state.issue_token(account.account_id, user_id=user_id),
        "token_type": "bearer",
        "refresh_token": state.issue_refresh_token(user_id),
        "expires_in": state.token_expires_in,
        "scope": USER_TOKEN_SCOPE,
    }
    if state.token_api_url:
        body["api_url"] = state.token_api_url
    return web.json_response(body)


async def _authorize(request: web.Request) -> web.StreamResponse:
    """Sign the OAuth user in and redirect back at once with ``code`` and ``state``."""
    state = request.app[STATE_KEY]
    query = request.query
    if query.get("client_id") != state.user_app_client_id:
        return _page(400, "Invalid client_id.")
    redirect_uri = query.get("redirect_uri", "")
    target = URL(redirect_uri)
    if not target.is_absolute() or target.scheme not in ("http", "https"):
        return _page(400, "Invalid redirect_uri.")
    if query.get("response_type") != "code":
        # A redirect URI is known to be ours: report there, as OAuth asks.
        raise web.HTTPFound(
            target.update_query(
                {"error": "unsupported_response_type"}
                | ({"state": query["state"]} if "state" in query else {})
            )
        )
    code = state.issue_authorization_code(state.user_app_client_id, redirect_uri)
    answer = {"code": code}
    if "state" in query:
        answer["state"] = query["state"]
    raise web.HTTPFound(target.update_query(answer))


def _page(status: int, message: str) -> web.Response:
    return web.Response(
        status=status,
        text=f"<html><body><h1>Zoom</h1><p>{message}</p></body></html>",
        content_type="text/html",
    )
