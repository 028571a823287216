"""Fixtures of the simulator tests: a simulated Zoom on loopback, no Home Assistant."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
import pytest

from custom_components.zoom_livestream.zoom import basic_auth_header
from zoom_simulator import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    SimulatorState,
    create_app,
)

type Client = TestClient[web.Request, web.Application]

BASIC = basic_auth_header(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
TOKEN_QUERY = {"grant_type": "account_credentials", "account_id": DEFAULT_ACCOUNT_ID}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the repository-wide fixture: these tests need no Home Assistant."""


@pytest.fixture
def state() -> SimulatorState:
    """Return a fresh simulated account."""
    return SimulatorState()


@pytest.fixture
async def client(state: SimulatorState) -> AsyncGenerator[Client]:
    """Serve the simulator on 127.0.0.1 and yield a client of it."""
    async with TestClient(TestServer(create_app(state))) as test_client:
        yield test_client


async def get_token(
    client: Client,
    *,
    basic: str = BASIC,
    account_id: str = DEFAULT_ACCOUNT_ID,
) -> str:
    """Fetch an access token with these app credentials."""
    resp = await client.post(
        "/oauth/token",
        params={"grant_type": "account_credentials", "account_id": account_id},
        headers={"Authorization": basic},
    )
    assert resp.status == 200
    token: str = (await resp.json())["access_token"]
    return token


@pytest.fixture
async def auth(client: Client) -> dict[str, str]:
    """Headers carrying a valid access token."""
    return {"Authorization": f"Bearer {await get_token(client)}"}
