"""Damaged or foreign stored state stays bounded and visible, and never blocks setup.

What the store holds is read with the same rules as what a user types: a display
name the action would refuse is never sent to Zoom. A file written by a newer
version is set aside like any damaged file, and the entry loads.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zoom_livestream.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .conftest import MEETING_ID, ZoomMock

SWITCH = "switch.weekly_team_sync_live_stream"


async def start_and_read_settings(hass: HomeAssistant, zoom: ZoomMock) -> Any:
    """Start the stream; return the settings Zoom was sent."""
    zoom.clear_calls()
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": SWITCH}, blocking=True
    )
    (start,) = [call for call in zoom.api_calls if call.method == "PATCH"]
    return start.json.get("settings", {})


def damage_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the warnings about the stored state."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelname == "WARNING" and "stored state" in record.getMessage()
    ]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("x" * 10_000, id="ten_thousand_characters"),
        pytest.param("x" * 51, id="fifty_one_characters"),
        pytest.param("Live\x1b[31m now", id="control_character"),
        pytest.param("Line\nbreak", id="newline"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="only_spaces"),
        pytest.param("\u200b\u200b", id="only_zero_width"),
        pytest.param(42, id="not_a_string"),
    ],
)
async def test_damaged_display_name_is_never_sent(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    name: Any,
) -> None:
    """A stored name the action would refuse is dropped, with one warning."""
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": {
            "meetings": {
                str(MEETING_ID): {"display_name": name, "active_speaker_name": True}
            }
        },
    }
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert await start_and_read_settings(hass, zoom) == {"active_speaker_name": True}
    assert len(damage_warnings(caplog)) == 1
    # What failed is no longer stored; what was valid is.
    assert hass_storage[key]["data"]["meetings"] == {
        str(MEETING_ID): {"active_speaker_name": True}
    }


async def test_valid_stored_display_name_is_sent_as_stored(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Fifty characters with inner spaces are what the action accepts: kept."""
    name = "Sunday service " + "x" * 35
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": {"meetings": {str(MEETING_ID): {"display_name": name}}},
    }
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert await start_and_read_settings(hass, zoom) == {"display_name": name}
    assert damage_warnings(caplog) == []


async def test_store_of_a_newer_version_is_set_aside_and_the_entry_loads(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Written by a newer major version (a downgrade): kept aside, not fatal."""
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    newer = {"meetings": {str(MEETING_ID): {"display_name": "From the future"}}}
    hass_storage[key] = {"version": 2, "minor_version": 1, "key": key, "data": newer}
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert "Traceback" not in caplog.text
    assert len(damage_warnings(caplog)) == 1
    assert hass_storage[f"{key}.damaged"]["data"] == newer
    assert await start_and_read_settings(hass, zoom) == {}
