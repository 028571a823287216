"""Constants and helpers shared by the Zoom client tests."""

from __future__ import annotations

import base64
from typing import Any

# Paths on the Zoom double (tests/zoom/zoom_server.py), whose `api_base` and
# `oauth_base` end in these, as Zoom's https://api.zoom.us/v2 and
# https://zoom.us/oauth do.
API = "/v2"
OAUTH = "/oauth"
ACCOUNT_ID = "acc-123"
CLIENT_ID = "client-abc"
CLIENT_SECRET = "super-secret-value-0xC0FFEE"
TOKEN_URL = f"{OAUTH}/token?account_id={ACCOUNT_ID}&grant_type=account_credentials"
BASIC_AUTH = (
    "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
)


def token_payload(token: str = "token-1", **extra: Any) -> dict[str, Any]:
    """Return a Server-to-Server token response."""
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": 3599,
        "scope": "meeting:read:admin meeting:write:admin user:read:admin",
        **extra,
    }


def bearer(token: str) -> dict[str, str]:
    """Return the headers of an API call made with `token`."""
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}
