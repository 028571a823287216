"""Where the integration's requests go: Zoom, or the local simulator a contributor names.

Contributors point the integration at the local Zoom simulator with
`SIMULATOR_ENV` (./scripts/develop and the end-to-end tests set it). It is not a
user setting: no form shows it, and only a loopback address is accepted, so
neither credentials nor tokens can be sent anywhere but Zoom or this machine. It
covers every request: the Server-to-Server token, the API, and "Sign in with
Zoom" (the authorize page the browser opens and the token endpoint).
"""

from __future__ import annotations

import ipaddress
import os
from typing import Final

from yarl import URL

from .const import LOGGER
from .zoom import OAUTH_BASE_URLS, Cloud

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


def oauth_base_url(cloud: Cloud) -> str:
    """Return the OAuth base URL (authorize and token) for `cloud`, or the simulator's."""
    simulator = simulator_base_url()
    return f"{simulator}/oauth" if simulator else OAUTH_BASE_URLS[cloud]
