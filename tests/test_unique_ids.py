"""Two entries that see one meeting, and entries from before IDs were scoped."""

from __future__ import annotations

import re

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.zoom_livestream.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)

from .conftest import (
    MEETING_ID,
    USER_ID,
    ZoomMock,
    find_device,
    make_entry,
    meeting_json,
    state_of,
)

SECOND_USER_ID = "user-second"
SECOND_URL = re.compile(r"^https://(api\.)?zoomgov\.com/")


def second_account(aioclient_mock: AiohttpClientMocker, zoom: ZoomMock) -> ZoomMock:
    """Serve a second Zoom account (on Zoom for Government) that sees MEETING_ID too."""
    second = ZoomMock(aioclient_mock)
    zoom.register()
    for method in ("GET", "POST", "PATCH", "DELETE"):
        aioclient_mock.request(method, SECOND_URL, side_effect=second.answer)
    second.user = {**second.user, "id": SECOND_USER_ID, "email": "second@example.com"}
    # The same meeting, added there as an extra meeting ID.
    second.meetings = {MEETING_ID: meeting_json(MEETING_ID, "Weekly team sync")}
    second.webinars = {}
    return second


async def test_two_entries_see_the_same_meeting(
    hass: HomeAssistant,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each entry gets its own device and entities for the meeting both see."""
    second_account(aioclient_mock, zoom)
    first = make_entry()
    second = MockConfigEntry(
        domain=DOMAIN,
        title="second@example.com",
        unique_id=SECOND_USER_ID,
        data={**first.data, "cloud": "government"},
        options={"extra_meetings": [str(MEETING_ID)]},
        version=1,
        minor_version=3,
    )
    for entry in (first, second):
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED

    assert "does not generate unique IDs" not in caplog.text
    switches = {
        entity.config_entry_id: entity
        for entity in entity_registry.entities.values()
        if entity.platform == DOMAIN
        and entity.domain == Platform.SWITCH
        and entity.unique_id.endswith(f"_{MEETING_ID}_live_stream")
    }
    assert set(switches) == {first.entry_id, second.entry_id}
    assert switches[first.entry_id].unique_id == f"{USER_ID}_{MEETING_ID}_live_stream"
    assert (
        switches[second.entry_id].unique_id
        == f"{SECOND_USER_ID}_{MEETING_ID}_live_stream"
    )
    first_device = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    second_device = find_device(hass, f"{SECOND_USER_ID}_{MEETING_ID}")
    assert first_device is not None
    assert second_device is not None
    assert first_device.id != second_device.id

    # The action finds each meeting through its own switch.
    second_switch = switches[second.entry_id].entity_id
    await hass.services.async_call(
        DOMAIN,
        "update_settings",
        {ATTR_ENTITY_ID: second_switch, "display_name": "Second"},
        blocking=True,
    )
    await hass.services.async_call(
        Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: second_switch}, blocking=True
    )
    assert state_of(hass, second_switch) == STATE_ON


async def test_ids_from_before_1_3_are_scoped_and_customisations_kept(
    hass: HomeAssistant,
    zoom: ZoomMock,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    area_registry: ar.AreaRegistry,
) -> None:
    """A 1.2 entry's unique IDs and identifiers move under its user; nothing else."""
    entry = make_entry()
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, minor_version=2)
    studio = area_registry.async_create("Studio")
    device = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, str(MEETING_ID))},
        name="Weekly team sync",
    )
    device_registry.async_update_device(device.id, area_id=studio.id)
    switch = entity_registry.async_get_or_create(
        Platform.SWITCH,
        DOMAIN,
        f"{MEETING_ID}_live_stream",
        config_entry=entry,
        device_id=device.id,
        suggested_object_id="team_stream",
    )
    entity_registry.async_update_entity(switch.entity_id, name="Team stream")
    account_sensor = entity_registry.async_get_or_create(
        Platform.SENSOR, DOMAIN, f"{USER_ID}_last_error", config_entry=entry
    )

    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 3)
    migrated = entity_registry.async_get(switch.entity_id)
    assert migrated is not None
    assert migrated.unique_id == f"{USER_ID}_{MEETING_ID}_live_stream"
    assert migrated.entity_id == "switch.team_stream"
    assert migrated.name == "Team stream"
    assert state_of(hass, "switch.team_stream") == "off"
    sensor = entity_registry.async_get(account_sensor.entity_id)
    assert sensor is not None
    assert sensor.unique_id == f"{USER_ID}_last_error"
    moved = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    assert moved is not None
    assert moved.id == device.id
    assert moved.area_id == studio.id
    assert find_device(hass, str(MEETING_ID)) is None
