"""The address Zoom posts its events to: a Home Assistant Cloud cloudhook, if any.

While events are on, and Home Assistant Cloud is loaded with an active
subscription, the entry's webhook gets a cloudhook, and the options show its URL;
otherwise (or until then) the external URL. At boot Cloud is usually logged in
but not yet connected: the cloudhook is asked for again each time Cloud
connects, so its URL appears without a restart.

Nothing Cloud does may fail the entry's setup or removal. Its errors differ
between Home Assistant versions (aiohttp's errors and timeouts in 2025.4, Nabu
Casa's own later, `ValueError` in both): any of them leaves the external URL and
one warning, which names the error's kind only (never a URL: the webhook ID in
it is what lets anyone post to the webhook).

`homeassistant.components.cloud` is imported only when Cloud is loaded: it pulls
in many requirements of its own.
"""

from __future__ import annotations

import asyncio

from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError

from .const import CONF_WEBHOOK_ID, CONF_WEBHOOK_SECRET, LOGGER
from .coordinator import ZoomConfigEntry, ZoomRuntimeData

CLOUD = "cloud"


def external_webhook_url(hass: HomeAssistant, webhook_id: str) -> str | None:
    """Return the webhook's URL on the external URL, if one is set."""
    try:
        return webhook.async_generate_url(hass, webhook_id, allow_internal=False)
    except NoURLAvailableError:
        return None


class EntryCloudhook:
    """The entry's cloudhook, asked for at setup and each time Cloud connects."""

    def __init__(
        self, hass: HomeAssistant, entry: ZoomConfigEntry, runtime: ZoomRuntimeData
    ) -> None:
        """Show the external URL until Cloud gives a cloudhook."""
        self._hass = hass
        self._entry = entry
        self._runtime = runtime
        self._webhook_id: str = entry.data[CONF_WEBHOOK_ID]
        # Events off: Zoom posts nothing, so Cloud is not asked for a cloudhook.
        self._wanted = (
            bool(entry.options.get(CONF_WEBHOOK_SECRET))
            and CLOUD in hass.config.components
        )
        self._lock = asyncio.Lock()
        self._url: str | None = None
        self._warned = False
        runtime.webhook_url = external_webhook_url(hass, self._webhook_id)

    async def async_update(self) -> None:
        """Ask Cloud for the cloudhook, unless it gave one; raise only cancellation."""
        if not self._wanted:
            return
        from homeassistant.components import cloud  # noqa: PLC0415

        async with self._lock:
            if self._url is not None:
                # The URL Zoom was given stays, also while Cloud is disconnected.
                return
            try:
                if not cloud.async_active_subscription(self._hass):
                    return
                url = await cloud.async_get_or_create_cloudhook(
                    self._hass, self._webhook_id
                )
            except cloud.CloudNotAvailable:
                # Logged in but not connected yet (as at boot): asked again then.
                LOGGER.debug(
                    "Home Assistant Cloud is not connected for %s", self._entry.title
                )
                return
            except Exception as err:  # noqa: BLE001
                # Cloud's client lets its own errors through, and they differ
                # between Home Assistant versions; none may break the entry.
                if not self._warned:
                    self._warned = True
                    LOGGER.warning(
                        "Home Assistant Cloud could not make the cloudhook for Zoom's "
                        "events of %s (%s); until Cloud connects again, the options "
                        "show the external URL, if there is one",
                        self._entry.title,
                        type(err).__name__,
                    )
                return
            self._url = self._runtime.webhook_url = url

    @callback
    def async_follow_connection(self) -> CALLBACK_TYPE:
        """Ask again each time Cloud connects; return what stops following it."""
        if not self._wanted:
            return lambda: None
        from homeassistant.components import cloud  # noqa: PLC0415

        @callback
        def connection_changed(state: cloud.CloudConnectionState) -> None:
            if state is cloud.CloudConnectionState.CLOUD_CONNECTED:
                # Tied to the entry: unloading cancels it.
                self._entry.async_create_background_task(
                    self._hass,
                    self.async_update(),
                    "zoom_livestream cloudhook after Cloud connected",
                )

        return cloud.async_listen_connection_change(self._hass, connection_changed)


async def async_delete_cloudhook(hass: HomeAssistant, entry: ZoomConfigEntry) -> None:
    """Delete the entry's cloudhook, if Cloud has one; never fail the removal."""
    if CONF_WEBHOOK_ID not in entry.data or CLOUD not in hass.config.components:
        return
    from homeassistant.components import cloud  # noqa: PLC0415

    try:
        await cloud.async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
    except (cloud.CloudNotAvailable, ValueError):
        # Cloud is not set up, or the entry never had a cloudhook (events off).
        LOGGER.debug("No cloudhook to delete for %s", entry.title)
    except Exception as err:  # noqa: BLE001
        # As when creating one: Cloud's errors differ between versions.
        LOGGER.warning(
            "Home Assistant Cloud could not delete the cloudhook of %s (%s)",
            entry.title,
            type(err).__name__,
        )
