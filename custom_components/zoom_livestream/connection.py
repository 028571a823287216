"""Build a Zoom client from a config entry: Server-to-Server or user OAuth."""

from __future__ import annotations

from collections.abc import Mapping
import ipaddress
import os
from typing import Any, Final

import aiohttp
from yarl import URL

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET
from homeassistant.core import HomeAssistant
from homeassistant.helpers.config_entry_oauth2_flow import (
    OAuth2Session,
    async_get_config_entry_implementation,
)

from .const import (
    AUTH_TYPE_OAUTH,
    CONF_ACCOUNT_ID,
    CONF_AUTH_TYPE,
    CONF_CLOUD,
    LOGGER,
    REQUEST_TIMEOUT,
)
from .oauth import OAuth2SessionAuth, ZoomOAuth2Implementation
from .websession import async_get_entry_session
from .zoom import (
    API_BASE_URLS,
    OAUTH_BASE_URLS,
    AbstractAuth,
    Cloud,
    ServerToServerAuth,
    ZoomClient,
)

# Contributors point the integration at the local Zoom simulator with this
# variable (./scripts/develop and the end-to-end tests set it). It is not a user
# setting: no form shows it, and only a loopback address is accepted, so neither
# credentials nor tokens can be sent anywhere but Zoom or this machine.
SIMULATOR_ENV: Final = "ZOOM_LIVESTREAM_SIMULATOR_URL"


def is_loopback_url(value: str) -> bool:
    """Return whether `value` is an http(s) URL of this machine."""
    try:
        url = URL(value)
    except ValueError:
        return False
    if url.scheme not in ("http", "https") or not url.host:
        return False
    if url.host == "localhost":
        return True
    try:
        return ipaddress.ip_address(url.host).is_loopback
    except ValueError:
        return False


def simulator_base_url() -> str | None:
    """Return the local Zoom simulator's URL when a contributor set one."""
    value = os.environ.get(SIMULATOR_ENV, "").strip().rstrip("/")
    if not value:
        return None
    if not is_loopback_url(value):
        LOGGER.warning(
            "Ignoring %s: only an http(s) URL of this machine is accepted",
            SIMULATOR_ENV,
        )
        return None
    LOGGER.debug("Using the Zoom simulator at %s instead of Zoom", value)
    return value


def create_client(
    session: aiohttp.ClientSession, data: Mapping[str, Any]
) -> ZoomClient:
    """Return a client for the credentials and cloud stored in `data`."""
    cloud = Cloud(data.get(CONF_CLOUD, Cloud.GLOBAL))
    simulator = simulator_base_url()
    auth = ServerToServerAuth(
        session,
        account_id=data[CONF_ACCOUNT_ID],
        client_id=data[CONF_CLIENT_ID],
        client_secret=data[CONF_CLIENT_SECRET],
        oauth_base=f"{simulator}/oauth" if simulator else OAUTH_BASE_URLS[cloud],
        request_timeout=REQUEST_TIMEOUT,
    )
    return _create(session, auth, cloud, simulator, admin_scopes=True)


def create_oauth_client(
    session: aiohttp.ClientSession, auth: AbstractAuth, data: Mapping[str, Any]
) -> ZoomClient:
    """Return a client that takes its tokens from `auth` (user OAuth)."""
    cloud = Cloud(data.get(CONF_CLOUD, Cloud.GLOBAL))
    # A user-managed app: its scopes have no `:admin` forms.
    return _create(session, auth, cloud, simulator_base_url(), admin_scopes=False)


def _create(
    session: aiohttp.ClientSession,
    auth: AbstractAuth,
    cloud: Cloud,
    simulator: str | None,
    *,
    admin_scopes: bool,
) -> ZoomClient:
    return ZoomClient(
        session,
        auth,
        api_base=f"{simulator}/v2" if simulator else API_BASE_URLS[cloud],
        # The simulator wins over the api_url a token names.
        use_token_api_url=simulator is None,
        request_timeout=REQUEST_TIMEOUT,
        admin_scopes=admin_scopes,
    )


async def async_create_entry_client(
    hass: HomeAssistant, entry: ConfigEntry
) -> ZoomClient:
    """Return the client for a config entry, whichever way it signs in.

    It uses the integration's own connection pool (websession.py), which keeps
    a connection to Zoom open between polls, so a press does not wait for a new
    one. The config flow's one-off checks use Home Assistant's shared session.
    """
    session = async_get_entry_session(hass, entry)
    if entry.data.get(CONF_AUTH_TYPE) != AUTH_TYPE_OAUTH:
        return create_client(session, entry.data)
    implementation = await async_get_config_entry_implementation(hass, entry)
    if isinstance(implementation, ZoomOAuth2Implementation):
        implementation = implementation.for_cloud(
            Cloud(entry.data.get(CONF_CLOUD, Cloud.GLOBAL))
        )
    auth = OAuth2SessionAuth(OAuth2Session(hass, entry, implementation))
    return create_oauth_client(session, auth, entry.data)
