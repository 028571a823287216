"""Access tokens for the Zoom API."""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
import base64
from collections.abc import Callable
from http import HTTPStatus
import logging
import math
import time
from typing import Any

import aiohttp

from .exceptions import ZoomAuthenticationError, ZoomConnectionError, ZoomRateLimitError
from .models import AccessToken
from .responses import parse_retry_after, read_json_body

_LOGGER = logging.getLogger(__name__)

# Renew this long before Zoom's expiry, so a token never expires mid-request.
TOKEN_EXPIRY_MARGIN = 60.0


def basic_auth_header(client_id: str, client_secret: str) -> str:
    """Return the `Authorization` value for HTTP Basic client authentication."""
    # aiohttp's BasicAuth is deprecated from aiohttp 3.14; this is all it did here.
    credentials = f"{client_id}:{client_secret}".encode()
    return "Basic " + base64.b64encode(credentials).decode("ascii")


class AbstractAuth(ABC):
    """Supplies a valid bearer token to the client."""

    @abstractmethod
    async def async_get_access_token(self) -> str:
        """Return a token that is valid now."""

    @abstractmethod
    def invalidate(self, token: str) -> None:
        """Forget `token`: Zoom refused it (401), the next call must renew."""

    @property
    def api_url(self) -> str | None:
        """The account's API host, when the token response named one."""
        return None

    @property
    @abstractmethod
    def has_valid_token(self) -> bool:
        """Whether a token is at hand: the next request needs no token request."""


class StaticTokenAuth(AbstractAuth):
    """A token obtained elsewhere (an OAuth flow), used as it is."""

    def __init__(self, token: str) -> None:
        """Use `token` for every request."""
        self._token = token

    async def async_get_access_token(self) -> str:
        """Return the token."""
        return self._token

    def invalidate(self, token: str) -> None:
        """Nothing to renew: a refused token fails the next request too."""

    @property
    def has_valid_token(self) -> bool:
        """Always: the token is used as it is."""
        return True


class ServerToServerAuth(AbstractAuth):
    """Server-to-Server OAuth: account credentials, no refresh token.

    The token is cached until shortly before it expires; concurrent callers
    share a single token request.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        account_id: str,
        client_id: str,
        client_secret: str,
        oauth_base: str,
        request_timeout: float = 10.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Keep the credentials; nothing is requested until a token is needed."""
        self._session = session
        self._account_id = account_id
        self._basic_auth = basic_auth_header(client_id, client_secret)
        self._token_url = f"{oauth_base.rstrip('/')}/token"
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        # Looked up at each call (not bound at import) so tests can move time.
        self._clock = clock or (lambda: time.monotonic())
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()

    @property
    def api_url(self) -> str | None:
        """The `api_url` of the last token response, if any."""
        return self._token.api_url if self._token else None

    @property
    def has_valid_token(self) -> bool:
        """Whether the cached token is still good for a request."""
        return self._valid_token() is not None

    def _valid_token(self) -> str | None:
        token = self._token
        if token is not None and self._clock() < token.expires_at - TOKEN_EXPIRY_MARGIN:
            return token.value
        return None

    async def async_get_access_token(self) -> str:
        """Return the cached token, or request one (once for all waiting callers)."""
        if (value := self._valid_token()) is not None:
            return value
        async with self._lock:
            # Another caller may have renewed it while this one waited.
            if (value := self._valid_token()) is not None:
                return value
            self._token = await self._async_request_token()
            return self._token.value

    def invalidate(self, token: str) -> None:
        """Drop the cached token if it is the one Zoom refused."""
        if self._token is not None and self._token.value == token:
            self._token = None

    async def _async_request_token(self) -> AccessToken:
        requested_at = self._clock()
        try:
            async with self._session.post(
                self._token_url,
                params={
                    "grant_type": "account_credentials",
                    "account_id": self._account_id,
                },
                headers={
                    "Authorization": self._basic_auth,
                    "Accept": "application/json",
                },
                timeout=self._timeout,
            ) as response:
                status = response.status
                body = await read_json_body(response)
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
        except TimeoutError as err:
            raise ZoomConnectionError(
                "Timed out requesting a Zoom access token"
            ) from err
        except aiohttp.ClientError as err:
            raise ZoomConnectionError(
                f"Cannot reach Zoom's token endpoint: {type(err).__name__}"
            ) from err

        _LOGGER.debug("Token request answered HTTP %s", status)
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            raise ZoomRateLimitError(
                "Zoom rate-limited the token request", retry_after=retry_after
            )
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise ZoomConnectionError(
                f"Zoom's token endpoint answered HTTP {status}", status=status
            )
        if status != HTTPStatus.OK:
            raise ZoomAuthenticationError(
                f"Zoom refused the credentials (HTTP {status}: {_reason(body)})"
            )
        return _parse_token(body, requested_at)


def _reason(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("reason", "error", "message"):
            if isinstance(value := body.get(key), str) and value:
                return value
    return "no reason given"


def _parse_token(body: Any, requested_at: float) -> AccessToken:
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise ZoomConnectionError("Zoom's token response has no access token")
    expires_in = body.get("expires_in")
    # Python's JSON accepts NaN and Infinity; a token that never or already
    # expired would mean a token request on every call.
    if (
        isinstance(expires_in, bool)
        or not isinstance(expires_in, int | float)
        or not math.isfinite(expires_in)
        or expires_in <= 0
    ):
        expires_in = 3599
    api_url = body.get("api_url")
    return AccessToken(
        value=body["access_token"],
        # Measured from when the request was sent: the safe side of Zoom's clock.
        expires_at=requested_at + float(expires_in),
        scope=body["scope"] if isinstance(body.get("scope"), str) else "",
        api_url=api_url if isinstance(api_url, str) and api_url else None,
    )
