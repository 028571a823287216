"""Build a Zoom client from a config entry: Server-to-Server or user OAuth."""

from __future__ import annotations

from collections.abc import Mapping
import ipaddress
from typing import Any

import aiohttp
from yarl import URL

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.config_entry_oauth2_flow import (
    OAuth2Session,
    async_get_config_entry_implementation,
)

from .const import (
    AUTH_TYPE_OAUTH,
    CONF_ACCOUNT_ID,
    CONF_API_BASE_URL,
    CONF_AUTH_TYPE,
    CONF_CLOUD,
    CONF_OAUTH_BASE_URL,
    REQUEST_TIMEOUT,
)
from .oauth import OAuth2SessionAuth, ZoomOAuth2Implementation
from .zoom import (
    API_BASE_URLS,
    OAUTH_BASE_URLS,
    AbstractAuth,
    Cloud,
    ServerToServerAuth,
    ZoomClient,
)


def is_allowed_base_url(value: str) -> bool:
    """Return whether a custom base URL is https, or http to this machine only.

    Plain http would send the client secret and tokens in the clear, so it is
    only accepted for a loopback host such as the local simulator.
    """
    try:
        url = URL(value)
    except ValueError:
        return False
    if not url.host or url.scheme not in ("http", "https"):
        return False
    if url.scheme == "https":
        return True
    if url.host == "localhost":
        return True
    try:
        return ipaddress.ip_address(url.host).is_loopback
    except ValueError:
        return False


def create_client(
    session: aiohttp.ClientSession, data: Mapping[str, Any]
) -> ZoomClient:
    """Return a client for the credentials and cloud stored in `data`."""
    cloud = Cloud(data.get(CONF_CLOUD, Cloud.GLOBAL))
    api_base: str | None = data.get(CONF_API_BASE_URL)
    auth = ServerToServerAuth(
        session,
        account_id=data[CONF_ACCOUNT_ID],
        client_id=data[CONF_CLIENT_ID],
        client_secret=data[CONF_CLIENT_SECRET],
        oauth_base=data.get(CONF_OAUTH_BASE_URL) or OAUTH_BASE_URLS[cloud],
        request_timeout=REQUEST_TIMEOUT,
    )
    return ZoomClient(
        session,
        auth,
        api_base=api_base or API_BASE_URLS[cloud],
        # A base URL the user chose (the simulator) wins over the token's api_url.
        use_token_api_url=not api_base,
        request_timeout=REQUEST_TIMEOUT,
    )


def create_oauth_client(
    session: aiohttp.ClientSession, auth: AbstractAuth, data: Mapping[str, Any]
) -> ZoomClient:
    """Return a client that takes its tokens from `auth` (user OAuth)."""
    cloud = Cloud(data.get(CONF_CLOUD, Cloud.GLOBAL))
    return ZoomClient(
        session,
        auth,
        api_base=API_BASE_URLS[cloud],
        request_timeout=REQUEST_TIMEOUT,
    )


async def async_create_entry_client(
    hass: HomeAssistant, entry: ConfigEntry
) -> ZoomClient:
    """Return the client for a config entry, whichever way it signs in."""
    session = async_get_clientsession(hass)
    if entry.data.get(CONF_AUTH_TYPE) != AUTH_TYPE_OAUTH:
        return create_client(session, entry.data)
    implementation = await async_get_config_entry_implementation(hass, entry)
    if isinstance(implementation, ZoomOAuth2Implementation):
        implementation = implementation.for_cloud(
            Cloud(entry.data.get(CONF_CLOUD, Cloud.GLOBAL))
        )
    auth = OAuth2SessionAuth(OAuth2Session(hass, entry, implementation))
    return create_oauth_client(session, auth, entry.data)
