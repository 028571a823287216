"""Application credentials for "Sign in with Zoom" (a Zoom OAuth app)."""

from __future__ import annotations

from homeassistant.components.application_credentials import (
    AuthorizationServer,
    ClientCredential,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.config_entry_oauth2_flow import (
    AUTH_CALLBACK_PATH,
    MY_AUTH_CALLBACK_PATH,
    AbstractOAuth2Implementation,
)
from homeassistant.helpers.network import NoURLAvailableError, get_url

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
    """Tell the user where to create the app and which redirect URL to give it.

    Called outside any sign-in request (the credentials dialog asks over the
    websocket), so the address comes from the configuration, never the request.
    """
    if "my" in hass.config.components:
        redirect_url = MY_AUTH_CALLBACK_PATH
    else:
        try:
            base = get_url(hass, allow_internal=False, allow_ip=True)
        except NoURLAvailableError:
            base = "https://<your Home Assistant address>"
        redirect_url = f"{base}{AUTH_CALLBACK_PATH}"
    return {
        "marketplace_url": "https://marketplace.zoom.us/develop/create",
        "redirect_url": redirect_url,
    }
