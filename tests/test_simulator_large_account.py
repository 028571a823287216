"""A large account against the simulator: pages arrive chunked, in pieces.

Real servers send a page of 300 meetings (about 100 KB) with chunked transfer
encoding, and over a real network it arrives in pieces; the simulator does the
same (4 KiB pieces, a pause after each), so a client that reads only what has
arrived so far sees a cut-off page here too.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from aiohttp.test_utils import TestServer
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zoom_livestream.const import DOMAIN
from custom_components.zoom_livestream.endpoints import SIMULATOR_ENV
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from zoom_simulator import SimulatorState, create_app

from .conftest import state_of

MEETINGS = 650
# The meeting toggled: on the second page.
STREAMED = 500
SWITCH = f"switch.meeting_{STREAMED}_live_stream"


@pytest.fixture
async def simulator(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[SimulatorState]:
    """Serve an account of 650 meetings on a free loopback port (a real socket)."""
    state = SimulatorState()
    meetings = state.add_meetings(MEETINGS)
    streamed = meetings[STREAMED - 1]
    streamed.started = True
    streamed.live_stream.update(stream_url="rtmp://127.0.0.1/live", stream_key="key")
    server = TestServer(create_app(state), host="127.0.0.1")
    await server.start_server()
    monkeypatch.setenv(SIMULATOR_ENV, str(server.make_url("")).rstrip("/"))
    try:
        yield state
    finally:
        await server.close()


async def test_650_meetings_in_chunked_pages(
    hass: HomeAssistant, simulator: SimulatorState
) -> None:
    """All 650 meetings load from pages of 300 sent in pieces; a toggle is one PATCH."""
    state = simulator
    # The simulator really sends the pages in pieces (the default settings).
    assert (state.chunk_size, state.chunk_pause) == (4096, 0.002)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=state.user.email,
        unique_id=state.user.id,
        data={
            "account_id": state.account_id,
            "client_id": state.client_id,
            "client_secret": state.client_secret,
            "cloud": "global",
        },
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED, entry.reason
    pages = state.requests_to(f"/v2/users/{state.user.id}/meetings", "GET")
    scheduled = [r for r in pages if r.query.get("type", "scheduled") == "scheduled"]
    assert [r.query["page_size"] for r in scheduled] == ["300", "300", "300"]
    registry = er.async_get(hass)
    switches = [
        item
        for item in er.async_entries_for_config_entry(registry, entry.entry_id)
        if item.domain == Platform.SWITCH
    ]
    assert len(switches) == MEETINGS
    assert all(hass.states.get(item.entity_id) is not None for item in switches)
    assert state_of(hass, SWITCH) == STATE_OFF

    streamed = next(
        m for m in state.meetings.values() if m.topic == f"Meeting {STREAMED}"
    )
    state.clear_log()
    await hass.services.async_call(
        Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    assert [(r.method, r.path) for r in state.requests] == [
        ("PATCH", f"/v2/meetings/{streamed.id}/livestream/status")
    ]
    assert streamed.streaming
    assert state_of(hass, SWITCH) == STATE_ON
