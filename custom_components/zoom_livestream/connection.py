"""Build a Zoom client from a config entry's data."""

from __future__ import annotations

from collections.abc import Mapping
import ipaddress
from typing import Any

import aiohttp
from yarl import URL

from .const import (
    CONF_ACCOUNT_ID,
    CONF_API_BASE_URL,
    CONF_CLOUD,
    CONF_OAUTH_BASE_URL,
    REQUEST_TIMEOUT,
)
from .zoom import API_BASE_URLS, OAUTH_BASE_URLS, Cloud, ServerToServerAuth, ZoomClient

CONF_CLIENT_ID = "client_id"
CONF_CLIENT_SECRET = "client_secret"


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
