"""User-level OAuth ("Sign in with Zoom") through Home Assistant's OAuth2 helpers."""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any, cast

import aiohttp

from homeassistant.components.application_credentials import (
    AuthImplementation,
    AuthorizationServer,
    ClientCredential,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.config_entry_oauth2_flow import OAuth2Session

from .compat import oauth_token_request_error
from .const import LOGGER
from .endpoints import oauth_base_url
from .zoom import (
    AbstractAuth,
    Cloud,
    ZoomAuthenticationError,
    ZoomConnectionError,
    basic_auth_header,
)


def authorization_server(cloud: Cloud) -> AuthorizationServer:
    """Return Zoom's authorize and token URLs for `cloud` (or the simulator's)."""
    base = oauth_base_url(cloud)
    return AuthorizationServer(
        authorize_url=f"{base}/authorize", token_url=f"{base}/token"
    )


class ZoomOAuth2Implementation(AuthImplementation):
    """Zoom wants the client credentials in HTTP Basic auth on its token endpoint."""

    def __init__(
        self,
        hass: HomeAssistant,
        auth_domain: str,
        credential: ClientCredential,
        cloud: Cloud = Cloud.GLOBAL,
    ) -> None:
        """Use `credential` against `cloud`'s OAuth endpoints."""
        super().__init__(hass, auth_domain, credential, authorization_server(cloud))
        self.credential = credential
        self.cloud = cloud

    def for_cloud(self, cloud: Cloud) -> ZoomOAuth2Implementation:
        """Return the same app credentials against another cloud."""
        if cloud is self.cloud:
            return self
        return ZoomOAuth2Implementation(self.hass, self.domain, self.credential, cloud)

    async def _token_request(self, data: dict[str, Any]) -> dict[str, Any]:
        """Send a token request with Basic client authentication."""
        session = async_get_clientsession(self.hass)
        try:
            async with session.post(
                self.token_url,
                data=data,
                headers={
                    "Authorization": basic_auth_header(
                        self.client_id, self.client_secret
                    ),
                    "Accept": "application/json",
                },
            ) as response:
                if response.status >= HTTPStatus.BAD_REQUEST:
                    await _log_refusal(response, data.get("grant_type"))
                response.raise_for_status()
                return cast("dict[str, Any]", await response.json(content_type=None))
        except aiohttp.ClientError as err:
            raise oauth_token_request_error(err, self.domain) from err


async def _log_refusal(response: aiohttp.ClientResponse, grant_type: Any) -> None:
    """Log why Zoom refused a token request; its error body never holds a token."""
    try:
        body = await response.json(content_type=None)
    except (aiohttp.ClientError, ValueError):
        body = {}
    LOGGER.error(
        "Zoom refused the %s token request: HTTP %s %s",
        grant_type,
        response.status,
        (body.get("reason") or body.get("error") or "")
        if isinstance(body, dict)
        else "",
    )


class OAuth2SessionAuth(AbstractAuth):
    """Tokens from a config entry's OAuth2 session (refreshed and stored by Home Assistant)."""

    def __init__(self, oauth_session: OAuth2Session) -> None:
        """Use the entry's stored token, refreshing it when it expires."""
        self._session = oauth_session
        self._refused: str | None = None
        # Zoom spends a refresh token on use: a request arriving during a forced
        # refresh must wait for the new token, not refresh again with the old one.
        self._lock = asyncio.Lock()
        # The refresh token Zoom refused: requests waiting meanwhile (a poll's
        # lists go side by side) do not send it again.
        self._dead_refresh_token: str | None = None

    @property
    def api_url(self) -> str | None:
        """The account's API host from the token, when Zoom named one."""
        value = self._session.token.get("api_url")
        return value if isinstance(value, str) and value else None

    @property
    def has_valid_token(self) -> bool:
        """Whether the stored token is good for a request without a refresh."""
        return self._session.valid_token and self._refused != self._token_value()

    async def async_get_access_token(self) -> str:
        """Return a valid access token; a refused refresh means sign in again."""
        async with self._lock:
            refresh_token = self._session.token.get("refresh_token")
            if refresh_token is not None and refresh_token == self._dead_refresh_token:
                raise ZoomAuthenticationError("Zoom refused to refresh the token")
            try:
                if self._refused is not None and self._refused == self._token_value():
                    await self._async_force_refresh()
                else:
                    await self._session.async_ensure_token_valid()
            except aiohttp.ClientResponseError as err:
                if (
                    HTTPStatus.BAD_REQUEST
                    <= err.status
                    < HTTPStatus.INTERNAL_SERVER_ERROR
                ):
                    self._dead_refresh_token = refresh_token
                    raise ZoomAuthenticationError(
                        f"Zoom refused to refresh the token (HTTP {err.status})"
                    ) from err
                raise self._unreachable(err) from err
            except (TimeoutError, aiohttp.ClientError) as err:
                raise self._unreachable(err) from err
        return self._token_value()

    @staticmethod
    def _unreachable(err: Exception) -> ZoomConnectionError:
        if isinstance(err, aiohttp.ClientResponseError):
            return ZoomConnectionError(
                f"Zoom's token endpoint answered HTTP {err.status}", status=err.status
            )
        return ZoomConnectionError(
            f"Cannot reach Zoom's token endpoint: {type(err).__name__}"
        )

    def invalidate(self, token: str) -> None:
        """Zoom refused `token` before its expiry: refresh on the next call."""
        self._refused = token

    def _token_value(self) -> str:
        return str(self._session.token["access_token"])

    async def _async_force_refresh(self) -> None:
        session = self._session
        new_token = await session.implementation.async_refresh_token(session.token)
        # Zoom's refresh tokens rotate: the old one is dead, store the new one now.
        session.hass.config_entries.async_update_entry(
            session.config_entry, data={**session.config_entry.data, "token": new_token}
        )
        self._refused = None
