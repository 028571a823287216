"""Setting up, unloading and removing a config entry."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
from typing import Any
from unittest.mock import patch

import aiohttp
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.zoom_livestream import async_remove_config_entry_device
from custom_components.zoom_livestream.const import DOMAIN, SERVICE_UPDATE_SETTINGS
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.storage import Store
from homeassistant.setup import async_setup_component

from .conftest import MEETING_ID, USER_EMAIL, USER_ID, ZoomMock, find_device


async def test_setup_and_unload(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """The entry loads with a device per meeting and unloads cleanly."""
    assert init_integration.state is ConfigEntryState.LOADED
    devices = dr.async_entries_for_config_entry(
        dr.async_get(hass), init_integration.entry_id
    )
    assert sorted((d.name, d.manufacturer, d.model) for d in devices) == [
        ("Product launch", "Zoom", "Meeting"),
        ("Quarterly all-hands", "Zoom", "Webinar"),
        ("Weekly team sync", "Zoom", "Meeting"),
        # The account's own device holds its diagnostic sensors.
        (USER_EMAIL, "Zoom", "Account"),
    ]
    # The join URL holds the meeting password: the device links the web portal instead.
    assert {d.configuration_url for d in devices} >= {
        f"https://zoom.us/meeting/{MEETING_ID}"
    }

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    # The action stays, so automations using it still validate.
    assert hass.services.has_service(DOMAIN, SERVICE_UPDATE_SETTINGS)


async def test_action_registered_without_entries(hass: HomeAssistant) -> None:
    """The action exists as soon as the integration is set up."""
    assert await async_setup_component(hass, DOMAIN, {})
    assert hass.services.has_service(DOMAIN, SERVICE_UPDATE_SETTINGS)


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("token", {"exc": aiohttp.ClientConnectionError()}),
        (
            "token",
            {"status": HTTPStatus.SERVICE_UNAVAILABLE, "text": "<html>busy</html>"},
        ),
        (f"/users/{USER_ID}/meetings", {"exc": TimeoutError()}),
        (
            f"/users/{USER_ID}/meetings",
            {"status": HTTPStatus.TOO_MANY_REQUESTS, "headers": {"Retry-After": "5"}},
        ),
        (
            f"/users/{USER_ID}/meetings",
            {
                "status": HTTPStatus.BAD_REQUEST,
                "body": {
                    "code": 4711,
                    "message": "Invalid access token, does not contain scopes:[meeting:read:admin].",
                },
            },
        ),
    ],
)
async def test_zoom_unavailable_at_start_is_retried(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    path: str,
    kwargs: dict[str, Any],
) -> None:
    """Zoom down (or refusing) at start: the entry is retried later."""
    zoom.fail("POST" if path == "token" else "GET", path, **kwargs)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_refused_credentials_start_reauth(
    hass: HomeAssistant, zoom: ZoomMock, mock_config_entry: MockConfigEntry
) -> None:
    """Refused credentials at start ask the user to sign in again."""
    zoom.fail(
        "POST",
        "token",
        HTTPStatus.UNAUTHORIZED,
        {"error": "invalid_client", "reason": "Invalid client_id or client_secret"},
    )
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == mock_config_entry.entry_id


async def test_zoom_back_after_start_failure(
    hass: HomeAssistant, zoom: ZoomMock, mock_config_entry: MockConfigEntry
) -> None:
    """An entry that could not start loads once Zoom answers again."""
    zoom.fail("POST", "token", exc=aiohttp.ClientConnectionError())
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    zoom.heal()
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert mock_config_entry.title == USER_EMAIL


async def test_removing_the_entry_deletes_stored_settings(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """Display settings are deleted with the entry."""
    await hass.services.async_call(
        DOMAIN,
        SERVICE_UPDATE_SETTINGS,
        {"entity_id": "switch.weekly_team_sync_live_stream", "display_name": "x"},
        blocking=True,
    )
    key = f"{DOMAIN}.{init_integration.entry_id}"
    assert key in hass_storage
    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


async def test_device_removal_only_for_meetings_zoom_no_longer_lists(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A listed meeting's device cannot be deleted by hand; a gone one can.

    The account's device holds the diagnostic sensors: it goes with the entry.
    """
    registry = dr.async_get(hass)
    device = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    assert device is not None
    assert not await async_remove_config_entry_device(hass, init_integration, device)
    account = find_device(hass, f"account_{USER_ID}")
    assert account is not None
    assert not await async_remove_config_entry_device(hass, init_integration, account)
    orphan = registry.async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, f"{USER_ID}_123")},
    )
    assert await async_remove_config_entry_device(hass, init_integration, orphan)


async def test_corrupt_stored_settings_are_ignored(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Unreadable stored values are skipped, valid ones kept."""
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{mock_config_entry.entry_id}",
        "data": {
            "meetings": {
                str(MEETING_ID): {"display_name": "Kept", "active_speaker_name": "yes"},
                "not-a-number": {"display_name": "Skipped"},
                "42": "not a dict",
            }
        },
    }
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    zoom.clear_calls()
    await hass.services.async_call(
        "switch",
        "turn_on",
        {"entity_id": "switch.weekly_team_sync_live_stream"},
        blocking=True,
    )
    assert zoom.api_calls[0].json == {
        "action": "start",
        "settings": {"display_name": "Kept"},
    }


async def test_meetings_and_the_account_are_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The UI lists meetings as devices, as the README says, not as services."""
    devices = dr.async_entries_for_config_entry(
        dr.async_get(hass), init_integration.entry_id
    )
    assert len(devices) == 4
    assert {device.entry_type for device in devices} == {None}


@pytest.mark.parametrize(
    "damaged",
    [
        ["not", "a", "mapping"],
        "a string",
        {"meetings": "a string"},
        {"meetings": [1, 2, 3]},
        {"meetings": {}, "streaming": "85746065432"},
        {"meetings": {}, "deliveries": ["v0=abc"]},
    ],
    ids=[
        "list",
        "string",
        "meetings_string",
        "meetings_list",
        "streaming",
        "deliveries",
    ],
)
async def test_damaged_storage_is_set_aside_and_the_entry_loads(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    damaged: Any,
) -> None:
    """Damaged stored data is logged, kept aside and replaced; the entry loads."""
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    hass_storage[key] = {"version": 1, "key": key, "data": damaged}
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert "is damaged" in caplog.text
    assert hass_storage[f"{key}.damaged"]["data"] == damaged
    assert isinstance(hass_storage[key]["data"]["meetings"], dict)
    # The action works on the replaced store.
    await hass.services.async_call(
        DOMAIN,
        SERVICE_UPDATE_SETTINGS,
        {"entity_id": "switch.weekly_team_sync_live_stream", "display_name": "x"},
        blocking=True,
    )
    assert hass_storage[key]["data"]["meetings"] == {
        str(MEETING_ID): {"display_name": "x"}
    }


async def test_unreadable_storage_file_is_moved_aside(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    """A file that is not JSON at all is moved aside for inspection; the entry loads."""
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    hass.config.config_dir = str(tmp_path)
    storage = tmp_path / ".storage"
    storage.mkdir()
    (storage / key).write_text("{ this is not json")
    original_load = Store.async_load

    async def load(store: Store[Any]) -> Any:
        if store.key == key:
            # What Home Assistant raises for a file it cannot decode.
            raise HomeAssistantError(f"Error while loading {store.path}")
        return await original_load(store)

    mock_config_entry.add_to_hass(hass)
    with patch.object(Store, "async_load", load):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert "is unreadable" in caplog.text
    assert not (storage / key).exists()
    assert (storage / f"{key}.damaged").read_text() == "{ this is not json"


async def test_meeting_device_removal_while_not_loaded_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Unloaded, the entry cannot tell whether Zoom still lists a meeting: it says so.

    Deleting the device in the UI then explains why instead of "Unknown error";
    the device stays.
    """
    entry = init_integration
    assert await async_setup_component(hass, "config", {})
    registry = dr.async_get(hass)
    orphan = registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, f"{USER_ID}_123")}
    )
    listed = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    assert listed is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_ws_client(hass)

    for device in (orphan, listed):
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": entry.entry_id,
                "device_id": device.id,
            }
        )
        response = await client.receive_json()

        assert not response["success"]
        assert response["error"]["code"] == "home_assistant_error"
        assert response["error"]["translation_key"] == "device_entry_not_loaded"
        assert response["error"]["message"] == (
            f"The Zoom account {USER_EMAIL} is not loaded, so Home Assistant cannot "
            "check whether Zoom still lists this meeting. Load it (or fix what keeps "
            "it from loading), then delete the device"
        )
        assert registry.async_get(device.id) is not None

    # Loaded again, the entry itself removes the device of the meeting Zoom no
    # longer lists; the listed meeting's stays.
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(orphan.id) is None
    assert registry.async_get(listed.id) is not None
