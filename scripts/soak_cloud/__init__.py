"""A stand-in for Home Assistant Cloud, for ./scripts/soak only.

Never part of the integration: ./scripts/soak copies this folder into its own
throwaway configuration directory (`custom_components/soak_cloud`) and loads it
from that directory's configuration.yaml.

Real Cloud needs a Nabu Casa account and the Internet. This stands in for
hass_nabucasa's `Cloud` object only: Home Assistant's own
`homeassistant.components.cloud` functions, which the integration calls
(`async_active_subscription`, `async_get_or_create_cloudhook`,
`async_listen_connection_change`, `async_delete_cloudhook`), run unchanged and
find a logged-in Cloud with an active subscription where Cloud keeps it
(`hass.data[DATA_CLOUD]`), and Cloud's own connection signal is sent. A
cloudhook's URL points to a relay view on this Home Assistant that hands each
delivery to the webhook, as Cloud's relay does, while Cloud is connected, and
answers 503 while it is not (Zoom then retries the delivery later).

Actions (no fields):
    soak_cloud.log_in       Cloud loaded and logged in, not connected yet
    soak_cloud.connect      connected: sends CLOUD_CONNECTED
    soak_cloud.disconnect   disconnected: sends CLOUD_DISCONNECTED
    soak_cloud.status       returns the counts below
"""

from __future__ import annotations

from dataclasses import dataclass, field
import importlib
import logging
import secrets
from typing import Any

from aiohttp import web

from homeassistant.components import webhook
from homeassistant.components.http import HomeAssistantView
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.typing import ConfigType
from homeassistant.util.hass_dict import HassKey

DOMAIN = "soak_cloud"
CLOUD = "cloud"
RELAY_PATH = "/api/soak_cloud/hooks"
LOGGER = logging.getLogger(__name__)


@dataclass
class _Iot:
    connected: bool = False


@dataclass
class _Prefs:
    # Home Assistant's `async_remote_ui_url` raises CloudNotAvailable without it.
    remote_enabled: bool = False
    remote_domain: str | None = None


@dataclass
class _Client:
    # What Cloud keeps of each cloudhook, by webhook ID (hass_nabucasa's shape).
    cloudhooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    prefs: _Prefs = field(default_factory=_Prefs)


class _Cloudhooks:
    """hass_nabucasa's `Cloudhooks`: create and delete, counted."""

    def __init__(self, cloud: StandInCloud) -> None:
        self._cloud = cloud

    async def async_create(self, webhook_id: str, managed: bool) -> dict[str, Any]:
        cloud = self._cloud
        if webhook_id in cloud.client.cloudhooks:
            raise ValueError("Hook is already enabled for the cloud.")
        cloudhook_id = secrets.token_hex(16)
        hook = {
            "webhook_id": webhook_id,
            "cloudhook_id": cloudhook_id,
            "cloudhook_url": f"{cloud.base_url}{RELAY_PATH}/{cloudhook_id}",
            "managed": managed,
        }
        cloud.client.cloudhooks[webhook_id] = hook
        cloud.created += 1
        return hook

    async def async_delete(self, webhook_id: str) -> None:
        cloud = self._cloud
        if webhook_id not in cloud.client.cloudhooks:
            raise ValueError("Hook is not enabled for the cloud.")
        del cloud.client.cloudhooks[webhook_id]
        cloud.deleted += 1


class StandInCloud:
    """What Home Assistant's Cloud functions read of hass_nabucasa's `Cloud`."""

    is_logged_in = True
    subscription_expired = False

    def __init__(self, base_url: str) -> None:
        """Relay cloudhooks through `base_url` (this Home Assistant)."""
        self.base_url = base_url.rstrip("/")
        self.iot = _Iot()
        self.client = _Client()
        self.cloudhooks = _Cloudhooks(self)
        self.created = 0
        self.deleted = 0
        self.relayed = 0
        self.refused = 0
        self.connects = 0
        self.disconnects = 0

    def webhook_of(self, cloudhook_id: str) -> str | None:
        """Return the webhook a cloudhook relays to."""
        return next(
            (
                hook["webhook_id"]
                for hook in self.client.cloudhooks.values()
                if hook["cloudhook_id"] == cloudhook_id
            ),
            None,
        )


STAND_IN: HassKey[StandInCloud] = HassKey(DOMAIN)


class CloudhookRelayView(HomeAssistantView):
    """Cloud's relay: a cloudhook delivery goes to the webhook, while connected."""

    url = RELAY_PATH + "/{cloudhook_id}"
    name = "api:soak_cloud:hooks"
    requires_auth = False

    def __init__(self, hass: HomeAssistant) -> None:
        """Relay into `hass`."""
        self._hass = hass

    async def post(self, request: web.Request, cloudhook_id: str) -> web.Response:
        """Hand the delivery to the webhook, or refuse it while disconnected."""
        cloud = self._hass.data.get(STAND_IN)
        if cloud is None or not cloud.iot.connected:
            if cloud is not None:
                cloud.refused += 1
            return web.Response(status=503)
        if (webhook_id := cloud.webhook_of(cloudhook_id)) is None:
            return web.Response(status=404)
        cloud.relayed += 1
        return await webhook.async_handle_webhook(self._hass, webhook_id, request)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the relay and the actions; Cloud stays unloaded until `log_in`."""
    hass.http.register_view(CloudhookRelayView(hass))

    async def log_in(call: ServiceCall) -> None:
        if STAND_IN in hass.data:
            return
        # Loaded Cloud has its module imported: do it off the event loop first,
        # as Home Assistant's loader would.
        cloud_module: Any = await hass.async_add_import_executor_job(
            importlib.import_module, "homeassistant.components.cloud"
        )
        const: Any = importlib.import_module("homeassistant.components.cloud.const")
        base_url = hass.config.external_url or hass.config.internal_url or ""
        stand_in = hass.data[STAND_IN] = StandInCloud(base_url)
        hass.data[const.DATA_CLOUD] = stand_in
        hass.config.components.add(CLOUD)
        LOGGER.info("Cloud stand-in: logged in, not connected (%s)", cloud_module)

    def _connection(connected: bool) -> None:
        cloud = hass.data[STAND_IN]
        cloud_module: Any = importlib.import_module("homeassistant.components.cloud")
        cloud.iot.connected = connected
        if connected:
            cloud.connects += 1
        else:
            cloud.disconnects += 1
        state = cloud_module.CloudConnectionState
        async_dispatcher_send(
            hass,
            cloud_module.SIGNAL_CLOUD_CONNECTION_STATE,
            state.CLOUD_CONNECTED if connected else state.CLOUD_DISCONNECTED,
        )
        LOGGER.info("Cloud stand-in: %s", "connected" if connected else "disconnected")

    async def connect(call: ServiceCall) -> None:
        _connection(True)

    async def disconnect(call: ServiceCall) -> None:
        _connection(False)

    async def status(call: ServiceCall) -> ServiceResponse:
        cloud = hass.data.get(STAND_IN)
        if cloud is None:
            return {"logged_in": False}
        return {
            "logged_in": True,
            "connected": cloud.iot.connected,
            "cloudhooks": sorted(
                hook["cloudhook_url"] for hook in cloud.client.cloudhooks.values()
            ),
            "created": cloud.created,
            "deleted": cloud.deleted,
            "relayed": cloud.relayed,
            "refused": cloud.refused,
            "connects": cloud.connects,
            "disconnects": cloud.disconnects,
        }

    hass.services.async_register(DOMAIN, "log_in", log_in)
    hass.services.async_register(DOMAIN, "connect", connect)
    hass.services.async_register(DOMAIN, "disconnect", disconnect)
    hass.services.async_register(
        DOMAIN, "status", status, supports_response=SupportsResponse.ONLY
    )
    return True
