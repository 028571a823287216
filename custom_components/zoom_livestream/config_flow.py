"""Config flow: Zoom Server-to-Server OAuth credentials, tested before saving."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol

from homeassistant.config_entries import SOURCE_REAUTH, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .connection import create_client, is_allowed_base_url
from .const import (
    CONF_ACCOUNT_ID,
    CONF_API_BASE_URL,
    CONF_CLOUD,
    CONF_OAUTH_BASE_URL,
    DOMAIN,
    LOGGER,
)
from .zoom import (
    Cloud,
    ZoomAuthenticationError,
    ZoomConnectionError,
    ZoomError,
    ZoomPermissionError,
    ZoomRateLimitError,
    ZoomUser,
)

TEXT = TextSelector()
PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
CLOUD = SelectSelector(
    SelectSelectorConfig(
        options=[cloud.value for cloud in Cloud],
        mode=SelectSelectorMode.DROPDOWN,
        translation_key=CONF_CLOUD,
    )
)
URL_FIELDS = (CONF_API_BASE_URL, CONF_OAUTH_BASE_URL)


class ZoomLiveStreamConfigFlow(ConfigFlow, domain=DOMAIN):
    """Ask for the credentials of a Zoom Server-to-Server OAuth app."""

    VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the credentials, check them against Zoom, and add the account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _clean(user_input)
            user, errors = await self._async_check(data)
            if user is not None:
                await self.async_set_unique_id(user.id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=user.email or user.id, data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                self._schema(with_cloud=True), user_input or {CONF_CLOUD: Cloud.GLOBAL}
            ),
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Zoom refused the stored credentials: ask for new ones."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for working credentials of the same Zoom user."""
        return await self._async_step_update(
            "reauth_confirm", user_input, with_cloud=False
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the credentials or cloud of the same Zoom user."""
        return await self._async_step_update("reconfigure", user_input, with_cloud=True)

    async def _async_step_update(
        self, step_id: str, user_input: dict[str, Any] | None, *, with_cloud: bool
    ) -> ConfigFlowResult:
        entry = (
            self._get_reauth_entry()
            if self.source == SOURCE_REAUTH
            else self._get_reconfigure_entry()
        )
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _clean({**entry.data, **user_input})
            if with_cloud and self.show_advanced_options:
                # Cleared fields go back to Zoom's own hosts.
                for field in URL_FIELDS:
                    if field not in user_input:
                        data.pop(field, None)
            user, errors = await self._async_check(data)
            if user is not None:
                await self.async_set_unique_id(user.id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(entry, data=data)
        suggested = {k: v for k, v in entry.data.items() if k != CONF_CLIENT_SECRET}
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                self._schema(with_cloud=with_cloud), user_input or suggested
            ),
            description_placeholders={"title": entry.title},
            errors=errors,
        )

    def _schema(self, *, with_cloud: bool) -> vol.Schema:
        fields: dict[vol.Marker, Any] = {
            vol.Required(CONF_ACCOUNT_ID): TEXT,
            vol.Required(CONF_CLIENT_ID): TEXT,
            vol.Required(CONF_CLIENT_SECRET): PASSWORD,
        }
        if with_cloud:
            fields[vol.Required(CONF_CLOUD)] = CLOUD
            if self.show_advanced_options:
                fields[vol.Optional(CONF_API_BASE_URL)] = URL_SELECTOR
                fields[vol.Optional(CONF_OAUTH_BASE_URL)] = URL_SELECTOR
        return vol.Schema(fields)

    async def _async_check(
        self, data: dict[str, Any]
    ) -> tuple[ZoomUser | None, dict[str, str]]:
        """Return the Zoom user the credentials act for, or the form errors."""
        errors = {
            field: "invalid_url"
            for field in URL_FIELDS
            if field in data and not is_allowed_base_url(data[field])
        }
        if errors:
            return None, errors
        client = create_client(async_get_clientsession(self.hass), data)
        try:
            return await client.async_get_current_user(), {}
        except (ZoomAuthenticationError, ZoomPermissionError):
            return None, {"base": "invalid_auth"}
        except (ZoomConnectionError, ZoomRateLimitError):
            return None, {"base": "cannot_connect"}
        except ZoomError:
            LOGGER.exception("Unexpected answer from Zoom while checking credentials")
            return None, {"base": "unknown"}


def _clean(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Strip pasted whitespace; drop empty optional URLs."""
    data = {
        key: value.strip() if isinstance(value, str) else value
        for key, value in user_input.items()
    }
    for field in URL_FIELDS:
        if not data.get(field):
            data.pop(field, None)
        else:
            data[field] = data[field].rstrip("/")
    return data
