"""The integration's own connection pool: shared by its entries, kept between polls."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from time import monotonic as clock
from unittest.mock import patch

import aiohttp
from aiohttp.test_utils import TestServer
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zoom_livestream import websession
from custom_components.zoom_livestream.const import DOMAIN, SCAN_INTERVAL
from custom_components.zoom_livestream.endpoints import SIMULATOR_ENV
from custom_components.zoom_livestream.zoom import StaticTokenAuth, ZoomClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_CLOSE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import SERVER_SOFTWARE
from zoom_simulator import SimulatorState, create_app, seed_demo

from .simulated_entries import simulated_entry
from .zoom.common import API, token_payload
from .zoom.zoom_server import Answer, RecordedRequest, ZoomServer

# aiohttp's default, which Home Assistant's shared pool keeps.
SHARED_POOL_KEEPALIVE = 15.0


@pytest.fixture
async def simulator(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[SimulatorState]:
    """Serve a simulator with two accounts on a loopback port."""
    state = SimulatorState()
    seed_demo(state)
    state.add_user(
        account_id="acc-second",
        client_id="client-second",
        client_secret="secret-second",
        user_id="user-second",
        email="second@example.com",
    )
    server = TestServer(create_app(state), host="127.0.0.1")
    await server.start_server()
    monkeypatch.setenv(SIMULATOR_ENV, str(server.make_url("")).rstrip("/"))
    try:
        yield state
    finally:
        await server.close()


@pytest.fixture
def created() -> Iterator[list[aiohttp.ClientSession]]:
    """Record every session the integration creates for its pool."""
    sessions: list[aiohttp.ClientSession] = []
    create = websession.create_session

    def _create() -> aiohttp.ClientSession:
        sessions.append(create())
        return sessions[-1]

    with patch.object(websession, "create_session", side_effect=_create):
        yield sessions


async def _setup(hass: HomeAssistant, *entries: MockConfigEntry) -> None:
    for entry in entries:
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED


async def test_entries_share_one_pool_until_the_last_unloads(
    hass: HomeAssistant,
    simulator: SimulatorState,
    created: list[aiohttp.ClientSession],
) -> None:
    """One pool for all entries; closed when the last one unloads, not before."""
    first, second = (simulated_entry(account) for account in simulator.accounts())
    await _setup(hass, first, second)
    assert len(created) == 1
    # Zoom sees Home Assistant's client, as from Home Assistant's shared session.
    assert {request.header("User-Agent") for request in simulator.requests} == {
        SERVER_SOFTWARE
    }

    assert await hass.config_entries.async_unload(first.entry_id)
    await hass.async_block_till_done()
    assert not created[0].closed
    # The other entry still reaches Zoom through it.
    simulator.clear_log()
    await second.runtime_data.coordinator.async_refresh()
    assert second.runtime_data.coordinator.last_update_success
    assert simulator.requests

    assert await hass.config_entries.async_unload(second.entry_id)
    await hass.async_block_till_done()
    assert created[0].closed

    # Loaded again: a new pool.
    assert await hass.config_entries.async_setup(first.entry_id)
    await hass.async_block_till_done()
    assert first.state is ConfigEntryState.LOADED
    assert len(created) == 2
    assert not created[1].closed


async def test_pool_closes_when_home_assistant_closes(
    hass: HomeAssistant,
    simulator: SimulatorState,
    created: list[aiohttp.ClientSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Closing Home Assistant closes the pool; an unload after that is quiet."""
    entry = simulated_entry(simulator.primary_account())
    await _setup(hass, entry)

    hass.bus.async_fire(EVENT_HOMEASSISTANT_CLOSE)
    await hass.async_block_till_done()
    assert created[0].closed

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert "Unable to remove unknown" not in caplog.text


async def test_failed_setup_holds_no_pool(
    hass: HomeAssistant,
    simulator: SimulatorState,
    created: list[aiohttp.ClientSession],
) -> None:
    """An entry that cannot reach Zoom yet (retried later) leaves no pool open."""
    simulator.fail_next(
        100, 503, "<html>Service Unavailable</html>", path_prefix="/v2/", method="GET"
    )
    entry = simulated_entry(simulator.primary_account())
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert created
    assert all(session.closed for session in created)


async def test_pool_keeps_a_connection_longer_than_the_poll_interval(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """A request a poll interval after the last one reuses its connection.

    Home Assistant's shared pool would have closed it after 15 s. The pool's
    clock is moved on instead of waiting; Zoom's side keeps the connection
    (aiohttp's server: 75 s).
    """
    idle = SCAN_INTERVAL.total_seconds() + 5
    assert SHARED_POOL_KEEPALIVE < idle < 75
    zoom = ZoomServer()
    await zoom.start()
    session = websession.create_session()
    try:
        client = ZoomClient(session, StaticTokenAuth("token"), api_base=zoom.api_base)
        zoom.get(f"{API}/users/me", payload={"id": "user-xyz"}, repeat=True)
        await client.async_get_current_user()

        # aiohttp's pool reads time.monotonic as it keeps and picks connections.
        with patch("aiohttp.connector.monotonic", side_effect=lambda: clock() + idle):
            await client.async_get_current_user()
    finally:
        await session.close()
        await zoom.close()

    first, second = zoom.requests
    assert second.connection == first.connection


# What a Server-to-Server entry's first refresh sends side by side after its token:
# the user's meetings, webinars and live meetings.
FIRST_REFRESH_LISTS = 3


def _entry(user_id: str) -> MockConfigEntry:
    """Return a Server-to-Server entry for `user_id`, whose token is not asked yet."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="host@example.com",
        unique_id=user_id,
        data={
            "auth_type": "server_to_server",
            "account_id": "acc-123",
            "client_id": "client-id",
            "client_secret": "client-secret",
            "cloud": "global",
        },
        version=1,
        minor_version=3,
    )


def _serve_first_refresh(zoom: ZoomServer, user_id: str) -> None:
    """Answer the first refresh's lists, each empty, as often as asked."""
    empty = {"page_size": 300, "total_records": 0, "next_page_token": ""}
    for kind in ("meetings", "webinars"):
        zoom.get(
            f"/v2/users/{user_id}/{kind}",
            payload={**empty, kind: []},
            repeat=True,
            any_query=True,
        )


async def test_first_refresh_finds_its_connections_open_after_the_token(
    hass: HomeAssistant, socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lists after the token wait for no new connection of their own.

    Each new connection costs TCP's handshake (and TLS's): opened while the token
    is asked for, they overlap its round trips instead of following them, so the
    start Home Assistant waits for is the token and one round trip. Zoom answers
    the token once the connections the lists need are open, or after a second.
    """
    zoom = ZoomServer()
    await zoom.start()
    monkeypatch.setenv(SIMULATOR_ENV, zoom.origin)
    accepted_at_token: list[int] = []

    async def token(_request: RecordedRequest) -> Answer:
        accepted_at_token.append(
            await zoom.wait_for_connections(1 + FIRST_REFRESH_LISTS, timeout=1.0)
        )
        return Answer(payload=token_payload(expires_in=3599))

    zoom.post("/oauth/token", callback=token, repeat=True, any_query=True)
    entry = _entry("user-xyz")
    _serve_first_refresh(zoom, "user-xyz")
    try:
        await _setup(hass, entry)
        api = [r for r in zoom.requests if r.path.startswith("/v2/")]
        assert len(api) == FIRST_REFRESH_LISTS, zoom.unmatched
        (accepted,) = accepted_at_token
        # Every list went on a connection that was open when the token came back.
        assert [r.connection <= accepted for r in api] == [True] * len(api)
        assert zoom.connections_accepted == accepted
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    finally:
        await zoom.close()
