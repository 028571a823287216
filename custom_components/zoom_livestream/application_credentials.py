"""Application credentials for "Sign in with Zoom" (a Zoom OAuth app)."""

from __future__ import annotations

from homeassistant.components.application_credentials import (
    AuthorizationServer,
    ClientCredential,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.config_entry_oauth2_flow import (
    AbstractOAuth2Implementation,
    async_get_redirect_uri,
)

from .oauth import ZoomOAuth2Implementation, authorization_server
from .zoom import Cloud


async def async_get_authorization_server(hass: HomeAssistant) -> AuthorizationServer:
    """Return Zoom's global OAuth endpoints (the flow switches cloud when asked)."""
    return authorization_server(Cloud.GLOBAL)


async def async_get_auth_implementation(
    hass: HomeAssistant, auth_domain: str, credential: ClientCredential
) -> AbstractOAuth2Implementation:
    """Return the implementation that authenticates with HTTP Basic auth."""
    return ZoomOAuth2Implementation(hass, auth_domain, credential)


async def async_get_description_placeholders(hass: HomeAssistant) -> dict[str, str]:
    """Tell the user where to create the app and which redirect URL to give it."""
    return {
        "marketplace_url": "https://marketplace.zoom.us/develop/create",
        "redirect_url": async_get_redirect_uri(hass),
    }
