"""Fixtures of the Zoom client tests: a real session talking to a real Zoom double."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from .zoom_server import ZoomServer


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: these tests need no Home Assistant."""


@pytest.fixture
async def zoom(socket_enabled: None) -> AsyncIterator[ZoomServer]:
    """Run the Zoom double on loopback; fail the test if it got unexpected requests.

    Overrides the package-wide `zoom` (Home Assistant's mocked session): the
    client here talks to a real server over a real socket.
    """
    server = ZoomServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()
    assert not server.unmatched, "requests no answer was registered for: " + ", ".join(
        f"{request.method} {request.url}" for request in server.unmatched
    )


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Open a real aiohttp session, as Home Assistant would inject one."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session
