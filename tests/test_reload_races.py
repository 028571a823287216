"""Presses while the entry reloads: what Zoom was last told is what the switch shows.

Saving the options or reloading the entry while a press is in flight (or while
presses wait for one another) must not lose what Zoom accepted: the reload waits
for the commands already asked for, and the new entry starts from their result.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zoom_livestream.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TOGGLE,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    Platform,
)
from homeassistant.core import HomeAssistant

from .conftest import MEETING_ID, ZoomMock, state_of

SWITCH = "switch.weekly_team_sync_live_stream"
STATUS = f"/meetings/{MEETING_ID}/livestream/status"


class HeldCommands:
    """Hold Zoom's answers to start/stop until released, one at a time."""

    def __init__(self, zoom: ZoomMock) -> None:
        """Gate `zoom`'s status requests."""
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()
        zoom.gate = self._gate

    async def _gate(self, method: str, path: str) -> None:
        if method == "PATCH" and path == STATUS:
            self.arrived.set()
            await self.release.wait()

    async def wait_in_flight(self) -> None:
        """Wait until a start or stop is at Zoom."""
        await asyncio.wait_for(self.arrived.wait(), 5)
        self.arrived.clear()


async def press(hass: HomeAssistant, service: str) -> None:
    """Press the switch (a press on an entity gone with the reload does nothing)."""
    await hass.services.async_call(
        Platform.SWITCH, service, {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )


async def test_press_in_flight_during_a_reload(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """A start Zoom accepts while the options are saved: on after the reload."""
    held = HeldCommands(zoom)
    pressing = hass.async_create_task(press(hass, SERVICE_TURN_ON))
    await held.wait_in_flight()
    reloading = hass.async_create_task(
        hass.config_entries.async_reload(init_integration.entry_id)
    )
    await asyncio.sleep(0.05)
    held.release.set()
    await pressing
    await reloading
    await hass.async_block_till_done()

    assert zoom.streaming == {MEETING_ID}
    assert init_integration.state is ConfigEntryState.LOADED
    assert state_of(hass, SWITCH) == STATE_ON


@pytest.mark.parametrize("seed", range(8))
async def test_quick_toggles_during_two_reloads(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    seed: int,
) -> None:
    """Five quick toggles and two reloads in any order: the switch shows Zoom."""
    order = random.Random(seed)
    zoom.gate = None
    release = asyncio.Event()

    async def slow(method: str, path: str) -> None:
        if method == "PATCH" and path == STATUS:
            await asyncio.sleep(order.uniform(0, 0.02))
            await release.wait()

    zoom.gate = slow
    tasks: list[asyncio.Task[Any]] = []
    steps = ["toggle"] * 5 + ["reload"] * 2
    order.shuffle(steps)
    for step in steps:
        if step == "toggle":
            tasks.append(hass.async_create_task(press(hass, SERVICE_TOGGLE)))
        else:
            tasks.append(
                hass.async_create_task(
                    hass.config_entries.async_reload(init_integration.entry_id)
                )
            )
        await asyncio.sleep(order.uniform(0, 0.01))
        if order.random() < 0.5:
            release.set()
            await asyncio.sleep(0)
            release.clear()
    release.set()
    await asyncio.gather(*tasks)
    await hass.async_block_till_done()

    assert init_integration.state is ConfigEntryState.LOADED
    expected = STATE_ON if MEETING_ID in zoom.streaming else STATE_OFF
    assert state_of(hass, SWITCH) == expected


async def test_unload_waits_for_zoom_no_longer_than_its_bound(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A command Zoom never answers does not hold the unload for ever."""
    held = HeldCommands(zoom)
    pressing = hass.async_create_task(press(hass, SERVICE_TURN_ON))
    await held.wait_in_flight()
    with patch(f"custom_components.{DOMAIN}.COMMAND_DRAIN_TIMEOUT", 0.05):
        assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert "while Zoom has not answered a command yet" in caplog.text
    held.release.set()
    await pressing
