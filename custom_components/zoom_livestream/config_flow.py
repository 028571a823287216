"""Config flow: a Server-to-Server app's credentials, or "Sign in with Zoom"."""

from __future__ import annotations

from collections.abc import Mapping
import logging
import re
from typing import Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET
from homeassistant.core import callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.config_entry_oauth2_flow import AbstractOAuth2FlowHandler
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .commands import CommandRefusedError
from .compat import OptionsFlowWithReload, vol
from .connection import create_client, create_oauth_client
from .const import (
    ATTR_CLOSE_CAPTION,
    ATTR_LAYOUT,
    ATTR_PAGE_URL,
    ATTR_RESOLUTION,
    ATTR_STREAM_KEY,
    ATTR_STREAM_URL,
    AUTH_TYPE_OAUTH,
    AUTH_TYPE_SERVER_TO_SERVER,
    CONF_ACCOUNT_ID,
    CONF_AUTH_TYPE,
    CONF_CLOUD,
    CONF_EVENTS,
    CONF_EXTRA_MEETINGS,
    CONF_EXTRA_USERS,
    CONF_INCLUDE_WEBINARS,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    LOGGER,
)
from .errors import async_refused, form_error, translate_refusal
from .oauth import ZoomOAuth2Implementation
from .services import parse_settings_update
from .zoom import (
    CloseCaption,
    Cloud,
    Layout,
    Meeting,
    MeetingKind,
    Resolution,
    StaticTokenAuth,
    ZoomApiError,
    ZoomAuthenticationError,
    ZoomClient,
    ZoomConnectionError,
    ZoomError,
    ZoomNotFoundError,
    ZoomPermissionError,
    ZoomRateLimitError,
    ZoomUser,
)

STEP_STREAM_TARGET = "stream_target"
STEP_STREAM_TARGET_MEETING = "stream_target_meeting"
ATTR_MEETING = "meeting"
# The Server-to-Server entry's host: whose meetings it follows (a user ID or email).
CONF_HOST = "host"
TARGET_FIELDS = (
    ATTR_STREAM_URL,
    ATTR_STREAM_KEY,
    ATTR_PAGE_URL,
    ATTR_RESOLUTION,
    ATTR_LAYOUT,
    ATTR_CLOSE_CAPTION,
)
# What Zoom needs together for a stream target.
TARGET_PARTS = (ATTR_STREAM_URL, ATTR_STREAM_KEY, ATTR_PAGE_URL)

# A Zoom user ID (letters, digits, - and _) or an email address.
_USER = re.compile(r"[A-Za-z0-9_.+-]{1,64}(@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)?")

TEXT = TextSelector()
PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
CLOUD = SelectSelector(
    SelectSelectorConfig(
        options=[cloud.value for cloud in Cloud],
        mode=SelectSelectorMode.DROPDOWN,
        translation_key=CONF_CLOUD,
    )
)
LIST = TextSelector(TextSelectorConfig(multiple=True))
CLOUD_SCHEMA = vol.Schema({vol.Required(CONF_CLOUD, default=Cloud.GLOBAL.value): CLOUD})


class ZoomLiveStreamConfigFlow(AbstractOAuth2FlowHandler, domain=DOMAIN):
    """Add a Zoom user: with a Server-to-Server app, or by signing in with Zoom."""

    DOMAIN = DOMAIN
    VERSION = 1
    MINOR_VERSION = 3

    _cloud: Cloud = Cloud.GLOBAL
    # Between the Server-to-Server credentials step and the host step.
    _data: dict[str, Any]
    _client: ZoomClient
    _owner: ZoomUser | None = None
    _users: list[ZoomUser] | None = None

    @property
    def logger(self) -> logging.Logger:
        """Log OAuth steps with the integration's logger."""
        return LOGGER

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Options: webinars, extra users, extra meetings."""
        return ZoomOptionsFlow()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user choose how to sign in."""
        return self.async_show_menu(
            step_id="user", menu_options=[AUTH_TYPE_SERVER_TO_SERVER, AUTH_TYPE_OAUTH]
        )

    async def async_step_server_to_server(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the credentials and check them against Zoom."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_AUTH_TYPE: AUTH_TYPE_SERVER_TO_SERVER, **_clean(user_input)}
            # A flow's checks are a few requests, once: Home Assistant's shared
            # session serves them. The integration's own pool (websession.py) is
            # for loaded entries, whose polls keep its connection open; a flow
            # has no unload to close a pool of its own with.
            client = create_client(async_get_clientsession(self.hass), data)
            owner, errors = await self._async_token_owner(client)
            if not errors:
                self._data, self._client, self._owner = data, client, owner
                return await self.async_step_host()
        return self.async_show_form(
            step_id=AUTH_TYPE_SERVER_TO_SERVER,
            data_schema=self.add_suggested_values_to_schema(
                self._schema(with_cloud=True), user_input or {CONF_CLOUD: Cloud.GLOBAL}
            ),
            errors=errors,
        )

    async def async_step_host(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose whose meetings to follow: a user of the account, by ID or email.

        A Server-to-Server app acts for the whole account; `me` is documented for
        user-level apps, and for these tokens it is refused or means the app's
        owner (unconfirmed either way). So the host is chosen here, defaulting to
        the owner when Zoom names one, and the entry uses the host's user ID.
        """
        client = self._client
        errors: dict[str, str] = {}
        if user_input is not None:
            value = str(user_input[CONF_HOST]).strip()
            user, errors = await self._async_host(client, value)
            if user is not None:
                await self.async_set_unique_id(user.id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=user.email or user.id, data=self._data
                )
        if self._users is None:
            self._users = await self._async_account_users(client)
        owner = self._owner
        selector: TextSelector | SelectSelector = TEXT
        if self._users:
            selector = SelectSelector(
                SelectSelectorConfig(
                    options=[
                        SelectOptionDict(value=user.id, label=_user_label(user))
                        for user in self._users
                    ],
                    custom_value=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            )
        suggested = user_input or {}
        if owner is not None and not suggested:
            listed = any(user.id == owner.id for user in self._users)
            suggested = {CONF_HOST: owner.id if listed else owner.email or owner.id}
        return self.async_show_form(
            step_id="host",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_HOST): selector}), suggested
            ),
            errors=errors,
        )

    async def async_step_oauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the cloud, then sign in with Zoom in the browser."""
        if user_input is None:
            return self.async_show_form(
                step_id=AUTH_TYPE_OAUTH, data_schema=CLOUD_SCHEMA
            )
        self._cloud = Cloud(user_input[CONF_CLOUD])
        return await self.async_step_pick_implementation()

    async def async_step_auth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Send the user to the chosen cloud's Zoom sign-in page."""
        if isinstance(self.flow_impl, ZoomOAuth2Implementation):
            self.flow_impl = self.flow_impl.for_cloud(self._cloud)
        return await super().async_step_auth(user_input)

    async def async_oauth_create_entry(self, data: dict[str, Any]) -> ConfigFlowResult:
        """Signed in: find out who, then add or update the entry."""
        data = {CONF_AUTH_TYPE: AUTH_TYPE_OAUTH, CONF_CLOUD: self._cloud.value, **data}
        client = create_oauth_client(
            async_get_clientsession(self.hass),
            StaticTokenAuth(data["token"]["access_token"]),
            data,
        )
        user, errors = await self._async_fetch_user(client)
        if user is None:
            return self.async_abort(reason=errors["base"])
        data[CONF_ACCOUNT_ID] = user.account_id
        await self.async_set_unique_id(user.id)
        if self.source in (SOURCE_REAUTH, SOURCE_RECONFIGURE):
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            # Merged, not replaced: the entry's webhook ID (where Zoom posts its
            # events) and anything else it stores must survive a new sign-in.
            return self.async_update_reload_and_abort(
                self._entry_to_update(), data_updates=data
            )
        self._abort_if_unique_id_configured()
        return self.async_create_entry(title=user.email or user.id, data=data)

    def _entry_to_update(self) -> ConfigEntry:
        if self.source == SOURCE_REAUTH:
            return self._get_reauth_entry()
        return self._get_reconfigure_entry()

    def _is_oauth_entry(self) -> bool:
        return self._entry_to_update().data.get(CONF_AUTH_TYPE) == AUTH_TYPE_OAUTH

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Zoom refused the stored credentials: ask for new ones."""
        if entry_data.get(CONF_AUTH_TYPE) == AUTH_TYPE_OAUTH:
            self._cloud = Cloud(entry_data.get(CONF_CLOUD, Cloud.GLOBAL))
            return await self.async_step_reauth_oauth()
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_oauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Explain, then sign in with Zoom again."""
        if user_input is None:
            return self.async_show_form(
                step_id="reauth_oauth",
                description_placeholders={"title": self._get_reauth_entry().title},
            )
        return await self.async_step_pick_implementation()

    async def async_step_reconfigure_oauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the cloud, then sign in with Zoom as the same user."""
        if user_input is None:
            entry = self._get_reconfigure_entry()
            return self.async_show_form(
                step_id="reconfigure_oauth",
                data_schema=self.add_suggested_values_to_schema(
                    CLOUD_SCHEMA, entry.data
                ),
                description_placeholders={"title": entry.title},
            )
        self._cloud = Cloud(user_input[CONF_CLOUD])
        return await self.async_step_pick_implementation()

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
        if self._is_oauth_entry():
            return await self.async_step_reconfigure_oauth()
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
            # The followed user, by ID: `me` may be refused for these tokens.
            user, errors = await self._async_check(data, str(entry.unique_id))
            if errors.get("abort"):
                return self.async_abort(reason=errors["abort"])
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
        return vol.Schema(fields)

    async def _async_token_owner(
        self, client: ZoomClient
    ) -> tuple[ZoomUser | None, dict[str, str]]:
        """Check the credentials; return the token's owner when `me` names one."""
        try:
            return await client.async_get_current_user(), {}
        except ZoomAuthenticationError:
            return None, {"base": "invalid_auth"}
        except (ZoomConnectionError, ZoomRateLimitError):
            return None, {"base": "cannot_connect"}
        except ZoomApiError as err:
            # The token was granted (the credentials work): `me` is refused for
            # Server-to-Server tokens, or not readable. The user picks the host.
            LOGGER.debug("Zoom does not say whose token this is: %s", err)
            return None, {}

    async def _async_host(
        self, client: ZoomClient, value: str
    ) -> tuple[ZoomUser | None, dict[str, str]]:
        """Return the chosen host as Zoom knows them, or the form errors."""
        if not _USER.fullmatch(value):
            return None, {CONF_HOST: "invalid_user"}
        try:
            return await client.async_get_user(value), {}
        except ZoomNotFoundError:
            return None, {CONF_HOST: "user_not_found"}
        except ZoomPermissionError:
            return None, {CONF_HOST: "user_not_readable"}
        except ZoomAuthenticationError:
            return None, {"base": "invalid_auth"}
        except (ZoomConnectionError, ZoomRateLimitError):
            return None, {"base": "cannot_connect"}
        except ZoomError:
            LOGGER.exception("Unexpected answer from Zoom while reading the host")
            return None, {"base": "unknown"}

    async def _async_account_users(self, client: ZoomClient) -> list[ZoomUser]:
        """Return the account's users to choose from, where the app may list them."""
        try:
            return await client.async_list_users()
        except ZoomError as err:
            # Without user:read:list_users:admin the host is typed instead.
            LOGGER.debug("Cannot list the account's users: %s", err)
            return []

    async def _async_check(
        self, data: dict[str, Any], user_id: str
    ) -> tuple[ZoomUser | None, dict[str, str]]:
        """Return the entry's Zoom user as the new credentials reach them."""
        client = create_client(async_get_clientsession(self.hass), data)
        try:
            return await client.async_get_user(user_id), {}
        except ZoomNotFoundError:
            return None, {"abort": "wrong_account"}
        except ZoomPermissionError as err:
            if err.missing_scopes:
                return None, {"base": "invalid_auth"}
            # 1010: the user does not belong to these credentials' account.
            return None, {"abort": "wrong_account"}
        except ZoomAuthenticationError:
            return None, {"base": "invalid_auth"}
        except (ZoomConnectionError, ZoomRateLimitError):
            return None, {"base": "cannot_connect"}
        except ZoomError:
            LOGGER.exception("Unexpected answer from Zoom while checking credentials")
            return None, {"base": "unknown"}

    async def _async_fetch_user(
        self, client: ZoomClient
    ) -> tuple[ZoomUser | None, dict[str, str]]:
        """Ask Zoom who the credentials act for (`GET /users/me`)."""
        try:
            return await client.async_get_current_user(), {}
        except (ZoomAuthenticationError, ZoomPermissionError):
            return None, {"base": "invalid_auth"}
        except (ZoomConnectionError, ZoomRateLimitError):
            return None, {"base": "cannot_connect"}
        except ZoomError:
            LOGGER.exception("Unexpected answer from Zoom while checking credentials")
            return None, {"base": "unknown"}


def _user_label(user: ZoomUser) -> str:
    """Return how a user reads in a list: name and email, or what Zoom gave."""
    name = f"{user.first_name} {user.last_name}".strip()
    email = user.email or user.id
    return f"{name} ({email})" if name else email


def _clean(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Strip pasted whitespace."""
    return {
        key: value.strip() if isinstance(value, str) else value
        for key, value in user_input.items()
    }


class ZoomOptionsFlow(OptionsFlowWithReload):
    """Which meetings to expose, Zoom's events, and a meeting's stream target.

    Saving changed options reloads the entry (the settings step); a stream target
    is saved at Zoom and reloads nothing.
    """

    # The meeting whose stream target is shown, and the values shown for it.
    _meeting_id: int
    _shown: dict[str, str]

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose what to change; a stream target needs the entry loaded."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return await self.async_step_settings()
        return self.async_show_menu(
            step_id="init", menu_options=["settings", STEP_STREAM_TARGET]
        )

    async def async_step_stream_target(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the meeting whose stream target to show and set."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            # Unloaded (reloaded or disabled) since the menu or form was shown.
            return self.async_abort(reason="not_loaded")
        meetings = self.config_entry.runtime_data.coordinator.data.meetings
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            meeting_id = int(user_input[ATTR_MEETING])
            if meeting_id in meetings:
                self._meeting_id = meeting_id
                return await self.async_step_stream_target_meeting()
            # Gone from Zoom's lists since the form was shown.
            errors["base"] = "meeting_not_found"
            placeholders["value"] = str(user_input[ATTR_MEETING])
        schema = vol.Schema(
            {
                vol.Required(ATTR_MEETING): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(value=str(meeting_id), label=meeting.topic)
                            for meeting_id, meeting in sorted(
                                meetings.items(), key=lambda item: item[1].topic
                            )
                        ],
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id=STEP_STREAM_TARGET,
            data_schema=schema,
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_stream_target_meeting(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show where the meeting streams to, and set it with a key nothing keeps.

        The fields show Zoom's current stream URL, page URL and resolution; the
        key is never shown, and a field left empty keeps Zoom's value. Only what
        the user changed is sent, merged into Zoom's target as read again then.

        The `update_settings` action does the same, but Home Assistant records an
        action's data (the recorder's call_service events, and the debug log of
        homeassistant.core). A form's input is neither logged nor recorded, and
        the key is sent to Zoom only: it is stored nowhere in Home Assistant.
        """
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        coordinator = self.config_entry.runtime_data.coordinator
        meeting = coordinator.data.meetings.get(self._meeting_id)
        if meeting is None:
            # Zoom no longer lists it (deleted while the form was open).
            return self.async_abort(reason="meeting_gone")
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is None:
            suggested, errors, placeholders = await self._async_read_target(meeting)
        else:
            try:
                update = parse_settings_update(self._changed(user_input))
                await coordinator.commands.async_update_settings(meeting, update)
            except ServiceValidationError as err:
                field, key, placeholders = form_error(err, TARGET_FIELDS)
                errors[field] = key
            except CommandRefusedError as refusal:
                field, key, placeholders = form_error(
                    await async_refused(coordinator, refusal), TARGET_FIELDS
                )
                errors[field] = key
            if not errors:
                return self.async_abort(reason="stream_target_saved")
            # What was typed comes back on an error, except the key.
            suggested = {
                key: value
                for key, value in user_input.items()
                if key != ATTR_STREAM_KEY
            }
        fields: dict[vol.Marker, Any] = {
            vol.Optional(ATTR_STREAM_URL): TEXT,
            vol.Optional(ATTR_STREAM_KEY): PASSWORD,
            vol.Optional(ATTR_PAGE_URL): TEXT,
            vol.Optional(ATTR_RESOLUTION): SelectSelector(
                SelectSelectorConfig(
                    options=[resolution.value for resolution in Resolution],
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
        }
        if meeting.kind is not MeetingKind.WEBINAR:
            # Meetings only (Zoom's webinar streams take neither); stored and
            # sent with the next start.
            fields[vol.Optional(ATTR_LAYOUT)] = SelectSelector(
                SelectSelectorConfig(
                    options=[layout.value for layout in Layout],
                    mode=SelectSelectorMode.DROPDOWN,
                    translation_key=ATTR_LAYOUT,
                )
            )
            fields[vol.Optional(ATTR_CLOSE_CAPTION)] = SelectSelector(
                SelectSelectorConfig(
                    options=[caption.value for caption in CloseCaption],
                    mode=SelectSelectorMode.DROPDOWN,
                    translation_key=ATTR_CLOSE_CAPTION,
                )
            )
        return self.async_show_form(
            step_id=STEP_STREAM_TARGET_MEETING,
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields), suggested
            ),
            errors=errors,
            description_placeholders={**placeholders, "name": meeting.topic},
        )

    async def _async_read_target(
        self, meeting: Meeting
    ) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """Read the meeting's target at Zoom: suggested values, errors, placeholders.

        The key Zoom answers with is dropped here: it is never shown. A meeting
        without a target, or one Zoom does not let us read, still gets the form.
        """
        coordinator = self.config_entry.runtime_data.coordinator
        self._shown = {}
        try:
            current = await coordinator.client.async_get_live_stream(
                meeting.kind, meeting.id
            )
        except ZoomError as err:
            refused = translate_refusal(CommandRefusedError(meeting, None, err))
            _, key, placeholders = form_error(refused, ())
            return {}, {"base": key}, {**placeholders, "value": meeting.topic}
        shown = {
            ATTR_STREAM_URL: current.stream_url,
            ATTR_PAGE_URL: current.page_url,
            ATTR_RESOLUTION: current.resolution.value if current.resolution else "",
        }
        self._shown = {key: value for key, value in shown.items() if value}
        missing = current.missing_fields()
        errors: dict[str, str] = {}
        if len(missing) == len(TARGET_PARTS):
            errors["base"] = "no_stream_target"
        elif missing:
            errors["base"] = "incomplete_stream_target"
        return dict(self._shown), errors, {}

    def _changed(self, user_input: dict[str, Any]) -> dict[str, Any]:
        """Return what the user changed: not a value as shown, not an empty field."""
        return {
            key: value
            for key, value in user_input.items()
            if not (isinstance(value, str) and not value.strip())
            and self._shown.get(key) != value
        }

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and check the options; saving them reloads the entry."""
        entry = self.config_entry
        server_to_server = entry.data.get(CONF_AUTH_TYPE) != AUTH_TYPE_OAUTH
        stored_secret = entry.options.get(CONF_WEBHOOK_SECRET)
        errors: dict[str, str] = {}
        placeholders = {"value": ""}
        if user_input is not None:
            options: dict[str, Any] = {
                CONF_INCLUDE_WEBINARS: user_input[CONF_INCLUDE_WEBINARS],
                CONF_EXTRA_USERS: _unique_list(user_input.get(CONF_EXTRA_USERS, []))
                if server_to_server
                else [],
                CONF_EXTRA_MEETINGS: _unique_list(
                    str(value).replace(" ", "").replace("-", "")
                    for value in user_input.get(CONF_EXTRA_MEETINGS, [])
                ),
            }
            # The form never shows the stored secret: an empty field keeps it,
            # and turning events off removes it.
            if user_input.get(CONF_EVENTS, False):
                if secret := (
                    str(user_input.get(CONF_WEBHOOK_SECRET, "")).strip()
                    or stored_secret
                ):
                    options[CONF_WEBHOOK_SECRET] = secret
                else:
                    errors[CONF_WEBHOOK_SECRET] = "secret_required"
            if not errors:
                errors, placeholders["value"] = await self._async_check(options)
            if not errors:
                return self.async_create_entry(data=options)
        fields: dict[vol.Marker, Any] = {
            vol.Required(CONF_INCLUDE_WEBINARS, default=True): BooleanSelector()
        }
        if server_to_server:
            fields[vol.Optional(CONF_EXTRA_USERS)] = LIST
        fields[vol.Optional(CONF_EXTRA_MEETINGS)] = LIST
        fields[vol.Required(CONF_EVENTS, default=bool(stored_secret))] = (
            BooleanSelector()
        )
        fields[vol.Optional(CONF_WEBHOOK_SECRET)] = PASSWORD
        placeholders["webhook_url"] = (
            entry.runtime_data.webhook_url
            if entry.state is ConfigEntryState.LOADED and entry.runtime_data.webhook_url
            else "-"
        )
        # Whatever was typed or stored, the secret is never sent back to the browser.
        suggested = {
            key: value
            for key, value in (user_input or entry.options).items()
            if key != CONF_WEBHOOK_SECRET
        }
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields), suggested
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_check(self, options: dict[str, Any]) -> tuple[dict[str, str], str]:
        """Return form errors and the offending value, asking Zoom when it can.

        An entry that is not loaded (perhaps because of a bad option) has no
        client to ask: the options are saved and the reload checks them.
        """
        for value in options[CONF_EXTRA_MEETINGS]:
            # isascii: "²" or "①" pass isdigit() but are not meeting IDs.
            if not (value.isascii() and value.isdigit()) or not 0 < int(value) < 2**63:
                return {CONF_EXTRA_MEETINGS: "invalid_meeting_id"}, value
        for value in options[CONF_EXTRA_USERS]:
            # A user ID or an email: nothing else is sent to Zoom in a path.
            if not _USER.fullmatch(value):
                return {CONF_EXTRA_USERS: "invalid_user"}, value
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return {}, ""
        client = self.config_entry.runtime_data.coordinator.client
        try:
            for value in options[CONF_EXTRA_USERS]:
                try:
                    await client.async_get_user(value)
                except ZoomNotFoundError:
                    return {CONF_EXTRA_USERS: "user_not_found"}, value
            for value in options[CONF_EXTRA_MEETINGS]:
                if not await _async_meeting_exists(client, int(value)):
                    return {CONF_EXTRA_MEETINGS: "meeting_not_found"}, value
        except (ZoomConnectionError, ZoomRateLimitError):
            return {"base": "cannot_connect"}, ""
        except ZoomError:
            LOGGER.exception("Unexpected answer from Zoom while checking options")
            return {"base": "unknown"}, ""
        return {}, ""


async def _async_meeting_exists(client: ZoomClient, meeting_id: int) -> bool:
    for kind in MeetingKind:
        try:
            await client.async_get_meeting(kind, meeting_id)
        except ZoomNotFoundError:
            continue
        return True
    return False


def _unique_list(values: Any) -> list[str]:
    """Strip, drop empty entries and repeats, keep the order."""
    result: list[str] = []
    for value in values:
        if (text := str(value).strip()) and text not in result:
            result.append(text)
    return result
