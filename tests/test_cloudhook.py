"""Home Assistant Cloud: the cloudhook follows Cloud's connection and never breaks setup.

Cloud is doubled at its API (`homeassistant.components.cloud`), behaving as the
real one does: not connected yet at boot (`CloudNotConnected`), connection
changes announced through its own dispatcher signal, one cloudhook per webhook,
and the errors its client lets through (`ValueError`, aiohttp errors, timeouts,
Nabu Casa's own errors).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from http import HTTPStatus
import logging
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp import RequestInfo
import hass_nabucasa
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.zoom_livestream.const import (
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
)
from homeassistant.components import cloud
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .conftest import CLIENT_SECRET, ZoomMock, async_save_options, make_entry

SECRET = "zm-secret"
EXTERNAL_URL = "https://ha.example.com"
HOOKS = "https://hooks.nabu.casa"
CLOUD_API = URL("https://webhooks-api.nabucasa.com/generate")


class FakeCloud:
    """Home Assistant Cloud as `homeassistant.components.cloud` exposes it.

    Logged in with a subscription, but (as at boot) not yet connected.
    """

    def __init__(self, hass: HomeAssistant) -> None:
        """Start logged in, subscribed and disconnected, with no cloudhook."""
        self.hass = hass
        self.logged_in = True
        self.subscribed = True
        self.connected = False
        # webhook ID -> cloudhook URL, as Cloud stores them.
        self.hooks: dict[str, str] = {}
        self.created = 0
        # Raised by the next creations (the request to Nabu Casa), then cleared.
        self.error: BaseException | None = None
        self.delete_error: BaseException | None = None

    @property
    def patches(self) -> Iterator[Any]:
        """Replace Cloud's API functions by this double's."""
        yield patch.object(cloud, "async_active_subscription", self.active)
        yield patch.object(cloud, "async_is_connected", self.is_connected)
        yield patch.object(cloud, "async_get_or_create_cloudhook", self.get_or_create)
        yield patch.object(cloud, "async_create_cloudhook", self.create)
        yield patch.object(cloud, "async_delete_cloudhook", self.delete)

    def active(self, hass: HomeAssistant) -> bool:
        """`async_active_subscription`: logged in and not expired."""
        return self.logged_in and self.subscribed

    def is_connected(self, hass: HomeAssistant) -> bool:
        """`async_is_connected`."""
        return self.connected

    async def get_or_create(self, hass: HomeAssistant, webhook_id: str) -> str:
        """`async_get_or_create_cloudhook`: the stored one, or a new one."""
        if not self.connected:
            raise cloud.CloudNotConnected
        if not self.logged_in:
            raise cloud.CloudNotAvailable
        if webhook_id in self.hooks:
            return self.hooks[webhook_id]
        return await self.create(hass, webhook_id)

    async def create(self, hass: HomeAssistant, webhook_id: str) -> str:
        """`async_create_cloudhook`: a request to Nabu Casa, then stored."""
        if not self.connected:
            raise cloud.CloudNotConnected
        if not self.logged_in:
            raise cloud.CloudNotAvailable
        if webhook_id in self.hooks:
            raise ValueError("Hook is already enabled for the cloud.")
        await asyncio.sleep(0)
        if (error := self.error) is not None:
            raise error
        self.created += 1
        url = self.hooks[webhook_id] = f"{HOOKS}/hook-{self.created}"
        return url

    async def delete(self, hass: HomeAssistant, webhook_id: str) -> None:
        """`async_delete_cloudhook`: Cloud is set up; the hook must exist."""
        await asyncio.sleep(0)
        if (error := self.delete_error) is not None:
            raise error
        if webhook_id not in self.hooks:
            raise ValueError("Hook is not enabled for the cloud.")
        del self.hooks[webhook_id]

    async def async_connect(self) -> None:
        """Cloud connects: it says so with its own signal."""
        self.connected = True
        async_dispatcher_send(
            self.hass,
            cloud.SIGNAL_CLOUD_CONNECTION_STATE,
            cloud.CloudConnectionState.CLOUD_CONNECTED,
        )
        await self.hass.async_block_till_done()

    async def async_disconnect(self) -> None:
        """Cloud loses its connection (the cloudhooks stay stored)."""
        self.connected = False
        async_dispatcher_send(
            self.hass,
            cloud.SIGNAL_CLOUD_CONNECTION_STATE,
            cloud.CloudConnectionState.CLOUD_DISCONNECTED,
        )
        await self.hass.async_block_till_done()


@pytest.fixture
async def fake_cloud(hass: HomeAssistant) -> Any:
    """Home Assistant Cloud loaded (logged in, not yet connected); an external URL."""
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL_URL})
    hass.config.components.add("cloud")
    fake = FakeCloud(hass)
    patches = list(fake.patches)
    for item in patches:
        item.start()
    yield fake
    for item in reversed(patches):
        item.stop()


def events_entry(*, events: bool = True) -> MockConfigEntry:
    """Return an entry with Zoom's events on (a secret token is set) or off."""
    return make_entry(options={CONF_WEBHOOK_SECRET: SECRET} if events else {})


async def async_load(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add the entry and set it up, as Home Assistant does at boot."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def async_shown_url(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Return the endpoint URL the options' settings show to paste into Zoom."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    if result["type"] is FlowResultType.MENU:
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": "settings"}
        )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "settings"
    placeholders = result["description_placeholders"] or {}
    hass.config_entries.options.async_abort(result["flow_id"])
    return str(placeholders["webhook_url"])


def external(entry: MockConfigEntry) -> str:
    """Return the entry's webhook URL on the external URL."""
    return f"{EXTERNAL_URL}/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"


def our_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Return the integration's warnings (and worse) logged so far."""
    return [
        record
        for record in caplog.records
        if record.name.startswith(f"custom_components.{DOMAIN}")
        and record.levelno >= logging.WARNING
    ]


def bad_gateway() -> aiohttp.ClientResponseError:
    """Nabu Casa's webhook API answering 502 (2025.4's client raises this)."""
    info = RequestInfo(CLOUD_API, "POST", {}, CLOUD_API)  # type: ignore[arg-type]
    return aiohttp.ClientResponseError(
        info, (), status=HTTPStatus.BAD_GATEWAY, message="Bad Gateway"
    )


# -- a failing cloudhook never breaks setup -----------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(bad_gateway(), id="502"),
        pytest.param(TimeoutError(), id="timeout"),
        pytest.param(aiohttp.ClientConnectionError("connection reset"), id="client"),
        pytest.param(ValueError("Cloud is not connected"), id="value_error"),
        pytest.param(
            # Exported by the package from 2.x on only (0.94 keeps it in `auth`).
            hass_nabucasa.CloudError(  # type: ignore[attr-defined,unused-ignore]
                "webhook_generate failed"
            ),
            id="nabu",
        ),
    ],
)
async def test_a_failing_cloudhook_never_breaks_setup(
    hass: HomeAssistant,
    zoom: ZoomMock,
    fake_cloud: FakeCloud,
    caplog: pytest.LogCaptureFixture,
    error: BaseException,
) -> None:
    """The entry loads with the external URL and one warning; reloads work.

    Before, the error escaped setup: the entry stayed in "setup error" (never
    retried) with its webhook registered, so every reload failed with "Handler is
    already defined!" until Home Assistant restarted.
    """
    caplog.set_level(logging.DEBUG)
    fake_cloud.connected = True
    fake_cloud.error = error
    entry = events_entry()
    await async_load(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert fake_cloud.hooks == {}
    assert await async_shown_url(hass, entry) == external(entry)
    warnings = our_warnings(caplog)
    assert len(warnings) == 1
    assert "Home Assistant Cloud" in warnings[0].getMessage()
    # The webhook ID is the secret part of both URLs; nothing else secret either.
    for secret in (entry.data[CONF_WEBHOOK_ID], SECRET, CLIENT_SECRET):
        assert secret not in caplog.text

    # Nabu Casa answers again: a reload gets the cloudhook, with no leftover webhook.
    fake_cloud.error = None
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert "Handler is already defined" not in caplog.text
    assert await async_shown_url(hass, entry) == f"{HOOKS}/hook-1"


async def test_setup_stopped_while_cloud_answers_leaves_no_webhook(
    hass: HomeAssistant,
    zoom: ZoomMock,
    fake_cloud: FakeCloud,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Setup cut short after the webhook was registered unregisters it.

    Home Assistant stopping during startup cancels the entry's setup while Cloud
    creates the cloudhook; the entry fails to set up, and a later setup works.
    """
    fake_cloud.connected = True
    fake_cloud.error = asyncio.CancelledError()
    entry = events_entry()
    await async_load(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_ERROR

    fake_cloud.error = None
    caplog.clear()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert "Handler is already defined" not in caplog.text
    # Nothing of the failed setup is left (its platforms were not set up either).
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert entry.state is ConfigEntryState.LOADED
    assert await async_shown_url(hass, entry) == f"{HOOKS}/hook-1"
    assert hass.states.get("switch.weekly_team_sync_live_stream") is not None


# -- the cloudhook follows Cloud's connection ---------------------------------------


async def test_cloud_connecting_after_setup_shows_the_cloudhook(
    hass: HomeAssistant, zoom: ZoomMock, fake_cloud: FakeCloud
) -> None:
    """At boot Cloud is logged in but not connected: its URL comes when it connects.

    Before, the external URL stayed in the options until Home Assistant restarted.
    """
    entry = events_entry()
    await async_load(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert fake_cloud.hooks == {}
    assert await async_shown_url(hass, entry) == external(entry)

    await fake_cloud.async_connect()

    assert fake_cloud.hooks == {entry.data[CONF_WEBHOOK_ID]: f"{HOOKS}/hook-1"}
    assert await async_shown_url(hass, entry) == f"{HOOKS}/hook-1"

    # Losing the connection keeps the URL Zoom was given; reconnecting reuses it.
    await fake_cloud.async_disconnect()
    assert await async_shown_url(hass, entry) == f"{HOOKS}/hook-1"
    await fake_cloud.async_connect()
    assert fake_cloud.created == 1
    assert await async_shown_url(hass, entry) == f"{HOOKS}/hook-1"


async def test_cloud_connecting_without_a_url_to_fall_back_to(
    hass: HomeAssistant, zoom: ZoomMock, fake_cloud: FakeCloud
) -> None:
    """Without an external URL the form shows "-" until Cloud connects."""
    hass.config.external_url = None
    entry = events_entry()
    await async_load(hass, entry)
    assert await async_shown_url(hass, entry) == "-"

    await fake_cloud.async_connect()

    assert await async_shown_url(hass, entry) == f"{HOOKS}/hook-1"


async def test_cloud_failing_when_it_connects_keeps_the_external_url(
    hass: HomeAssistant,
    zoom: ZoomMock,
    fake_cloud: FakeCloud,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An error at a later connection warns once; each connection retries."""
    entry = events_entry()
    await async_load(hass, entry)
    fake_cloud.error = bad_gateway()

    await fake_cloud.async_connect()
    await fake_cloud.async_disconnect()
    fake_cloud.error = TimeoutError()
    await fake_cloud.async_connect()

    assert entry.state is ConfigEntryState.LOADED
    assert await async_shown_url(hass, entry) == external(entry)
    assert len(our_warnings(caplog)) == 1
    assert entry.data[CONF_WEBHOOK_ID] not in caplog.text

    fake_cloud.error = None
    await fake_cloud.async_disconnect()
    await fake_cloud.async_connect()
    assert await async_shown_url(hass, entry) == f"{HOOKS}/hook-1"


async def test_without_subscription_no_cloudhook(
    hass: HomeAssistant, zoom: ZoomMock, fake_cloud: FakeCloud
) -> None:
    """Logged in without an active subscription: the external URL, no cloudhook."""
    fake_cloud.subscribed = False
    entry = events_entry()
    await async_load(hass, entry)
    await fake_cloud.async_connect()

    assert fake_cloud.hooks == {}
    assert await async_shown_url(hass, entry) == external(entry)


async def test_unloaded_entry_ignores_cloud(
    hass: HomeAssistant, zoom: ZoomMock, fake_cloud: FakeCloud
) -> None:
    """After unloading, Cloud connecting creates nothing for the entry."""
    entry = events_entry()
    await async_load(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    await fake_cloud.async_connect()

    assert fake_cloud.hooks == {}


# -- only with events, and gone with the entry -------------------------------------


async def test_cloudhook_only_while_events_are_on_and_deleted_with_the_entry(
    hass: HomeAssistant, zoom: ZoomMock, fake_cloud: FakeCloud
) -> None:
    """Events off: no cloudhook. Turning them on creates it; removal deletes it."""
    fake_cloud.connected = True
    entry = events_entry(events=False)
    await async_load(hass, entry)
    await fake_cloud.async_disconnect()
    await fake_cloud.async_connect()

    assert fake_cloud.hooks == {}
    assert await async_shown_url(hass, entry) == external(entry)

    result = await async_save_options(
        hass, entry, {"events": True, CONF_WEBHOOK_SECRET: SECRET}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    assert fake_cloud.hooks == {webhook_id: f"{HOOKS}/hook-1"}
    assert await async_shown_url(hass, entry) == f"{HOOKS}/hook-1"

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert fake_cloud.hooks == {}


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(cloud.CloudNotAvailable(), id="cloud_not_set_up"),
        pytest.param(OSError("No space left on device"), id="storage"),
    ],
)
async def test_removal_survives_cloud_errors(
    hass: HomeAssistant,
    zoom: ZoomMock,
    fake_cloud: FakeCloud,
    caplog: pytest.LogCaptureFixture,
    error: BaseException,
) -> None:
    """Removing the entry completes however Cloud fails to delete the cloudhook."""
    fake_cloud.connected = True
    entry = events_entry()
    await async_load(hass, entry)
    assert fake_cloud.hooks
    fake_cloud.delete_error = error

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()

    assert hass.config_entries.async_get_entry(entry.entry_id) is None
    assert "Error calling entry remove callback" not in caplog.text
    assert entry.data[CONF_WEBHOOK_ID] not in caplog.text


async def test_removal_without_cloudhook(
    hass: HomeAssistant,
    zoom: ZoomMock,
    fake_cloud: FakeCloud,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An entry that never had a cloudhook is removed without a warning."""
    entry = events_entry(events=False)
    await async_load(hass, entry)

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()

    assert hass.config_entries.async_get_entry(entry.entry_id) is None
    assert not [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and record.name.startswith(
            ("homeassistant.config_entries", "custom_components")
        )
    ]
