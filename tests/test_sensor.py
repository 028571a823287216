"""Diagnostic sensors of the account: requests left today and the last error."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from homeassistant.const import STATE_UNKNOWN, EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er

from .conftest import MEETING_ID, USER_ID, ZoomMock, async_poll, state_of

REMAINING = "sensor.host_example_com_api_requests_left"
LAST_ERROR = "sensor.host_example_com_last_zoom_error"


async def _enable_sensors(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    registry = er.async_get(hass)
    for entity_id in (REMAINING, LAST_ERROR):
        registry.async_update_entity(entity_id, disabled_by=None)
    # Home Assistant reloads the entry itself, 30 s after an entity is enabled.
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def test_sensors_are_diagnostic_and_disabled_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """They exist in the registry, off until the user turns them on."""
    registry = er.async_get(hass)
    for entity_id, unique_id in (
        (REMAINING, f"{USER_ID}_requests_remaining"),
        (LAST_ERROR, f"{USER_ID}_last_error"),
    ):
        entry = registry.async_get(entity_id)
        assert entry is not None
        assert entry.unique_id == unique_id
        assert entry.entity_category is EntityCategory.DIAGNOSTIC
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert hass.states.get(entity_id) is None


async def test_requests_left_follows_zoom_headers(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """The value is Zoom's X-RateLimit-Remaining of the last answer."""
    await _enable_sensors(hass, freezer)
    # Zoom said how many requests are left with every answer so far.
    assert state_of(hass, REMAINING) == str(zoom.requests_left)
    zoom.fail(
        "GET",
        f"/users/{USER_ID}/meetings",
        HTTPStatus.OK,
        {"meetings": [], "next_page_token": ""},
        headers={
            "X-RateLimit-Category": "Medium",
            "X-RateLimit-Type": "QPS",
            "X-RateLimit-Limit": "2000",
            "X-RateLimit-Remaining": "1234",
        },
    )
    await async_poll(hass, freezer)
    assert state_of(hass, REMAINING) == "1234"


async def test_requests_left_unknown_without_zoom_headers(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """A Pro account's answers carry no daily limit: unknown, not a stale count."""
    await _enable_sensors(hass, freezer)
    assert state_of(hass, REMAINING) == str(zoom.requests_left)
    # The plan changed (or Zoom stopped sending them): no rate-limit headers.
    zoom.rate_limit_headers = False
    await async_poll(hass, freezer)
    assert state_of(hass, REMAINING) == STATE_UNKNOWN
    zoom.rate_limit_headers = True
    await async_poll(hass, freezer)
    assert state_of(hass, REMAINING) == str(zoom.requests_left)


async def test_last_error_from_polls_and_toggles(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """A failed poll or toggle shows up, and the sensor stays available meanwhile."""
    await _enable_sensors(hass, freezer)
    assert state_of(hass, LAST_ERROR) == STATE_UNKNOWN
    zoom.fail(
        "GET",
        f"/users/{USER_ID}/meetings",
        HTTPStatus.SERVICE_UNAVAILABLE,
        text="<html/>",
    )
    await async_poll(hass, freezer)
    assert state_of(hass, LAST_ERROR) == "Zoom answered HTTP 503"
    zoom.heal()
    await async_poll(hass, freezer)
    # The last error stays visible after Zoom recovers.
    assert state_of(hass, LAST_ERROR) == "Zoom answered HTTP 503"

    zoom.fail(
        "PATCH",
        f"/meetings/{MEETING_ID}/livestream/status",
        HTTPStatus.BAD_REQUEST,
        {"code": 3000, "message": f"Meeting {MEETING_ID} has not started."},
    )
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            Platform.SWITCH,
            "turn_on",
            {"entity_id": "switch.weekly_team_sync_live_stream"},
            blocking=True,
        )
    assert state_of(hass, LAST_ERROR) == (
        f"HTTP 400, code 3000: Meeting {MEETING_ID} has not started."
    )
