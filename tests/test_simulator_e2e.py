"""The integration against the local Zoom simulator, over real loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import timedelta

import aiohttp
from aiohttp.test_utils import TestServer
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.zoom_livestream.const import (
    DOMAIN,
    SCAN_INTERVAL,
    SERVICE_UPDATE_SETTINGS,
)
from custom_components.zoom_livestream.endpoints import SIMULATOR_ENV
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from zoom_simulator import SimulatorState, create_app, seed_demo

from .conftest import state_of
from .simulated_entries import simulated_entry

SWITCH = "switch.weekly_team_sync_live_stream"
OTHER_SWITCH = "switch.product_launch_live_stream"


@pytest.fixture
async def simulator(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[tuple[SimulatorState, str]]:
    """Serve a seeded simulator on a free loopback port (a real socket).

    The integration reaches it the way a contributor's does: through the
    environment variable, not through anything a user could enter.
    """
    state = SimulatorState()
    seed_demo(state)
    server = TestServer(create_app(state), host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    monkeypatch.setenv(SIMULATOR_ENV, base)
    try:
        yield state, base
    finally:
        await server.close()


@pytest.fixture
async def sim_entry(
    hass: HomeAssistant, simulator: tuple[SimulatorState, str]
) -> MockConfigEntry:
    """Set the integration up against the simulator."""
    state, _ = simulator
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
    return entry


@pytest.mark.parametrize(
    ("s2s_me", "suggested"),
    [
        pytest.param("app-user", "host", id="me_is_the_host"),
        pytest.param("refused", None, id="me_refused"),
        pytest.param("admin", "admin", id="me_is_an_admin_who_hosts_nothing"),
    ],
)
async def test_config_flow_against_the_simulator(
    hass: HomeAssistant,
    simulator: tuple[SimulatorState, str],
    s2s_me: str,
    suggested: str | None,
) -> None:
    """The user's own flow adds the host's account, whatever `me` means to Zoom.

    The host is chosen from the account's users; the entry then reads the host's
    meetings by user ID, never through `me`.
    """
    state, _ = simulator
    state.set_modes({"s2s_me": s2s_me})
    host, admin = state.user, state.primary_account().admin
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "server_to_server"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "account_id": state.account_id,
            "client_id": state.client_id,
            "client_secret": state.client_secret,
            "cloud": "global",
        },
    )
    assert result["step_id"] == "host"
    schema = result["data_schema"]
    assert schema is not None
    (field,) = schema.schema
    expected = {"host": host.id, "admin": admin.id, None: None}[suggested]
    assert (field.description or {}).get("suggested_value") == expected

    state.clear_log()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": host.id}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == host.email
    assert result["result"].unique_id == host.id
    await hass.async_block_till_done()

    # Set up: the host's meetings, read by ID.
    assert state_of(hass, SWITCH) == STATE_OFF
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_ON
    paths = [request.path for request in state.requests]
    assert f"/v2/users/{host.id}/meetings" in paths
    assert not [path for path in paths if path.startswith("/v2/users/me")]


@pytest.mark.parametrize("s2s_me", ["refused", "admin"])
async def test_existing_entry_follows_its_host_whatever_me_means(
    hass: HomeAssistant, simulator: tuple[SimulatorState, str], s2s_me: str
) -> None:
    """An entry added by an earlier version keeps working, with nothing to redo.

    Its unique ID is the host's user ID (what `me` answered when it was added),
    so that ID is the path whether Zoom refuses `me` or means the app's admin.
    """
    state, _ = simulator
    state.set_modes({"s2s_me": s2s_me})
    entry = simulated_entry(state)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert entry.data["client_secret"] == state.client_secret
    assert state_of(hass, SWITCH) == STATE_OFF
    assert state_of(hass, OTHER_SWITCH) == STATE_OFF
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_ON
    paths = {request.path for request in state.requests}
    assert f"/v2/users/{state.user.id}/meetings" in paths
    assert not [path for path in paths if path.startswith("/v2/users/me")]


async def test_toggle_and_configure_over_http(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: tuple[SimulatorState, str],
    sim_entry: MockConfigEntry,
) -> None:
    """Start, refuse, configure and end, as Zoom (simulated) sees it."""
    state, _ = simulator
    meetings = {m.topic: m for m in state.meetings.values()}
    sync, launch = meetings["Weekly team sync"], meetings["Product launch"]
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_ON

    # Display settings first (stored here), then one request starts the stream.
    await hass.services.async_call(
        DOMAIN,
        SERVICE_UPDATE_SETTINGS,
        {
            ATTR_ENTITY_ID: SWITCH,
            "display_name": "HA Live",
            "active_speaker_name": True,
        },
        blocking=True,
    )
    state.clear_log()
    await hass.services.async_call(
        Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    assert [(r.method, r.path, r.json) for r in state.requests] == [
        (
            "PATCH",
            f"/v2/meetings/{sync.id}/livestream/status",
            {
                "action": "start",
                "settings": {"active_speaker_name": True, "display_name": "HA Live"},
            },
        )
    ]
    assert sync.streaming
    assert state_of(hass, SWITCH) == STATE_ON

    # The simulator refuses a meeting that is not running, in words the client has
    # no pattern for: the code and the meeting's known state explain it.
    with pytest.raises(
        ServiceValidationError, match="Product launch has not started"
    ) as refused:
        await hass.services.async_call(
            Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: OTHER_SWITCH}, blocking=True
        )
    assert refused.value.translation_key == "meeting_not_started"
    assert state_of(hass, OTHER_SWITCH) == STATE_OFF

    # A whole stream target for the stopped meeting: nothing to read, one write.
    state.clear_log()
    await hass.services.async_call(
        DOMAIN,
        SERVICE_UPDATE_SETTINGS,
        {
            ATTR_ENTITY_ID: OTHER_SWITCH,
            "stream_url": "rtmps://live.example/app",
            "stream_key": "sim-key",
            "page_url": "https://live.example/watch",
            "resolution": "1080p",
        },
        blocking=True,
    )
    assert [r.method for r in state.requests] == ["PATCH"]
    assert launch.live_stream == {
        "stream_url": "rtmps://live.example/app",
        "stream_key": "sim-key",
        "page_url": "https://live.example/watch",
        "resolution": "1080p",
    }

    # The meeting ends in Zoom: the next poll turns the stream and sensor off.
    state.end_meeting(sync.id)
    state.clear_log()
    freezer.tick(SCAN_INTERVAL + timedelta(seconds=1))
    async_fire_time_changed(hass)
    # The timed refresh is a background task; real I/O lets it outlive one loop turn.
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [(r.path, r.query.get("type")) for r in state.requests] == [
        (f"/v2/users/{state.user.id}/meetings", "live")
    ]
    assert state_of(hass, SWITCH) == STATE_OFF
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_OFF


async def test_stop_after_the_meeting_ended_turns_the_switch_off(
    hass: HomeAssistant,
    simulator: tuple[SimulatorState, str],
    sim_entry: MockConfigEntry,
) -> None:
    """The meeting ended in Zoom before a poll noticed: the refused stop means off."""
    state, _ = simulator
    sync = next(m for m in state.meetings.values() if m.topic == "Weekly team sync")
    await hass.services.async_call(
        Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    assert state_of(hass, SWITCH) == STATE_ON
    state.end_meeting(sync.id)
    state.clear_log()
    await hass.services.async_call(
        Platform.SWITCH, "turn_off", {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    assert [(r.method, r.path) for r in state.requests] == [
        ("PATCH", f"/v2/meetings/{sync.id}/livestream/status")
    ]
    assert state_of(hass, SWITCH) == STATE_OFF


async def test_expired_token_is_renewed_against_the_simulator(
    hass: HomeAssistant,
    simulator: tuple[SimulatorState, str],
    sim_entry: MockConfigEntry,
) -> None:
    """A token the simulator no longer accepts is renewed and the toggle succeeds."""
    state, _ = simulator
    state.revoke_tokens()
    state.clear_log()
    await hass.services.async_call(
        Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    assert [(r.method, r.path) for r in state.requests] == [
        ("PATCH", f"/v2/meetings/{next(iter(state.meetings))}/livestream/status"),
        ("POST", "/oauth/token"),
        ("PATCH", f"/v2/meetings/{next(iter(state.meetings))}/livestream/status"),
    ]
    assert state_of(hass, SWITCH) == STATE_ON


async def test_simulator_pushes_signed_events(
    hass: HomeAssistant,
    simulator: tuple[SimulatorState, str],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Events the simulator signs reach the webhook and change state without a poll."""
    state, base = simulator
    entry = simulated_entry(state, {"webhook_secret": "zm-secret"})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    state.webhook_url = str(client.make_url(f"/api/webhook/{entry.data['webhook_id']}"))
    state.webhook_secret = "zm-secret"
    sync = next(m for m in state.meetings.values() if m.topic == "Weekly team sync")
    launch = next(m for m in state.meetings.values() if m.topic == "Product launch")
    events = async_capture_events(hass, "zoom_livestream_event")

    # Pushed state: the switch is no longer assumed.
    switch = hass.states.get(SWITCH)
    assert switch is not None
    assert not switch.attributes.get("assumed_state")

    await hass.services.async_call(
        Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{base}/_simulator/meetings/{launch.id}/start"
        ) as response:
            assert response.status == 200
        await hass.async_block_till_done()
        assert state_of(hass, "binary_sensor.product_launch_in_progress") == STATE_ON

        async with session.post(
            f"{base}/_simulator/meetings/{sync.id}/end"
        ) as response:
            assert response.status == 200
        await hass.async_block_till_done()
    # No poll ran: the events alone ended the stream and the meeting.
    assert state_of(hass, SWITCH) == STATE_OFF
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_OFF
    assert [(e.data["type"], e.data["meeting_id"]) for e in events] == [
        ("meeting.live_streaming_started", sync.id),
        ("meeting.started", launch.id),
        ("meeting.live_streaming_stopped", sync.id),
        ("meeting.ended", sync.id),
    ]
