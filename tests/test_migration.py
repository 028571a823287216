"""Entries from older versions, and several Zoom accounts side by side."""

from __future__ import annotations

import base64
from http import HTTPStatus
import re

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from yarl import URL

from custom_components.zoom_livestream.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .conftest import (
    ACCOUNT_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    ENTRY_DATA,
    MEETING_ID,
    TOKEN_URL,
    USER_EMAIL,
    USER_ID,
    ZoomMock,
    meeting_json,
    state_of,
)

# The second account is on Zoom for Government, so its requests go to other hosts.
SECOND_API = "https://api.zoomgov.com/v2"
SECOND_OAUTH = "https://zoomgov.com/oauth"
SECOND_URL = re.compile(r"^https://(api\.)?zoomgov\.com/")
SECOND_USER_ID = "user-second"
SECOND_EMAIL = "second@example.com"
SECOND_ACCOUNT_ID = "acc-456"
SECOND_CLIENT_ID = "client-second"
SECOND_CLIENT_SECRET = "second-secret-value"
SECOND_MEETING_ID = 81234567890


async def async_setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add the entry and set it up."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def basic_auth(client_id: str, client_secret: str) -> str:
    """Return the Authorization header of a Server-to-Server token request."""
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


async def test_version_1_1_entry_is_migrated(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A 1.1 entry predates "Sign in with Zoom": it becomes a Server-to-Server 1.3."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=USER_EMAIL,
        unique_id=USER_ID,
        data=ENTRY_DATA,
        version=1,
        minor_version=1,
    )
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 3)
    assert entry.data["auth_type"] == "server_to_server"
    assert {key: entry.data[key] for key in ENTRY_DATA} == ENTRY_DATA
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_ON


async def test_version_1_2_entry_forgets_the_simulator_addresses(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Addresses saved by the old advanced mode are dropped: 1.3 uses Zoom's own."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=USER_EMAIL,
        unique_id=USER_ID,
        data={
            "auth_type": "server_to_server",
            **ENTRY_DATA,
            "api_base_url": "http://127.0.0.1:8765/v2",
            "oauth_base_url": "http://127.0.0.1:8765/oauth",
        },
        version=1,
        minor_version=2,
    )
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 3)
    assert {key: entry.data[key] for key in entry.data if key != "webhook_id"} == {
        "auth_type": "server_to_server",
        **ENTRY_DATA,
    }
    assert {call.url.host for call in zoom.calls} == {"zoom.us", "api.zoom.us"}


async def test_newer_minor_version_loads_unchanged(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A newer minor version stays compatible: it loads as it is."""
    data = {"auth_type": "server_to_server", **ENTRY_DATA}
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=USER_EMAIL,
        unique_id=USER_ID,
        data=data,
        version=1,
        minor_version=4,
    )
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 4)
    assert {key: entry.data[key] for key in data} == data


async def test_version_2_entry_is_not_loaded(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """An entry a newer version of the integration wrote is left alone."""
    data = {"auth_type": "server_to_server", **ENTRY_DATA}
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=USER_EMAIL,
        unique_id=USER_ID,
        data=data,
        version=2,
        minor_version=1,
    )
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert (entry.version, entry.minor_version) == (2, 1)
    assert dict(entry.data) == data
    assert zoom.calls == []


def second_account(aioclient_mock: AiohttpClientMocker, zoom: ZoomMock) -> ZoomMock:
    """Serve another Zoom account, with its own user and meetings, on another host."""
    second = ZoomMock(aioclient_mock)
    # Creating it replaced the first account's routes: put them back, add its own.
    zoom.register()
    for method in ("GET", "POST", "PATCH", "DELETE"):
        aioclient_mock.request(
            method,
            SECOND_URL,
            side_effect=second.answer,
        )
    second.user = {
        "id": SECOND_USER_ID,
        "email": SECOND_EMAIL,
        "account_id": SECOND_ACCOUNT_ID,
        "type": 2,
    }
    second.meetings = {
        SECOND_MEETING_ID: {
            **meeting_json(SECOND_MEETING_ID, "Second standup"),
            "host_id": SECOND_USER_ID,
        }
    }
    second.webinars = {}
    second.live = set()
    second.livestream = {}
    second.fail(
        "POST",
        "token",
        HTTPStatus.OK,
        {"access_token": "second-token", "token_type": "bearer", "expires_in": 3599},
    )
    return second


async def test_two_accounts_side_by_side(
    hass: HomeAssistant,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Two Zoom users load together, each with its own token, requests and entities."""
    second_account(aioclient_mock, zoom)
    # An older (1.1) entry for the second account, next to a current one.
    second_entry = MockConfigEntry(
        domain=DOMAIN,
        title=SECOND_EMAIL,
        unique_id=SECOND_USER_ID,
        data={
            "account_id": SECOND_ACCOUNT_ID,
            "client_id": SECOND_CLIENT_ID,
            "client_secret": SECOND_CLIENT_SECRET,
            "cloud": "government",
        },
        version=1,
        minor_version=1,
    )
    await async_setup(hass, mock_config_entry)
    await async_setup(hass, second_entry)

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert second_entry.state is ConfigEntryState.LOADED
    assert second_entry.minor_version == 3
    assert second_entry.data["auth_type"] == "server_to_server"
    assert mock_config_entry.data["webhook_id"] != second_entry.data["webhook_id"]

    # Each account asked for its own token, with its own app's credentials.
    tokens = [c for c in zoom.calls if c.url.path == "/oauth/token"]
    assert [
        (c.url.with_query(None), c.url.query.get("account_id")) for c in tokens
    ] == [
        (URL(TOKEN_URL), ACCOUNT_ID),
        (URL(f"{SECOND_OAUTH}/token"), SECOND_ACCOUNT_ID),
    ]
    assert [c.headers["Authorization"] for c in tokens] == [
        basic_auth(CLIENT_ID, CLIENT_SECRET),
        basic_auth(SECOND_CLIENT_ID, SECOND_CLIENT_SECRET),
    ]
    # ... and sent it to its own API only.
    by_host: dict[str, set[str]] = {}
    for call in zoom.api_calls:
        assert call.url.host is not None
        by_host.setdefault(call.url.host, set()).add(call.headers["Authorization"])
    assert by_host == {
        "api.zoom.us": {"Bearer access-token-1"},
        "api.zoomgov.com": {"Bearer second-token"},
    }

    # Each entry has its own devices and entities.
    registry = dr.async_get(hass)
    first_devices = {
        d.name
        for d in dr.async_entries_for_config_entry(registry, mock_config_entry.entry_id)
    }
    second_devices = {
        d.name
        for d in dr.async_entries_for_config_entry(registry, second_entry.entry_id)
    }
    assert first_devices == {
        USER_EMAIL,
        "Weekly team sync",
        "Product launch",
        "Quarterly all-hands",
    }
    assert second_devices == {SECOND_EMAIL, "Second standup"}
    standup = entity_registry.async_get("switch.second_standup_live_stream")
    assert standup is not None
    assert standup.config_entry_id == second_entry.entry_id
    assert standup.unique_id == f"{SECOND_USER_ID}_{SECOND_MEETING_ID}_live_stream"
    sync = entity_registry.async_get("switch.weekly_team_sync_live_stream")
    assert sync is not None
    assert sync.config_entry_id == mock_config_entry.entry_id
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_ON
    assert state_of(hass, "binary_sensor.second_standup_in_progress") == STATE_OFF
    assert set(second_entry.runtime_data.coordinator.data.meetings) == {
        SECOND_MEETING_ID
    }
    assert MEETING_ID in mock_config_entry.runtime_data.coordinator.data.meetings

    # Unloading one leaves the other running.
    assert await hass.config_entries.async_unload(second_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_ON
