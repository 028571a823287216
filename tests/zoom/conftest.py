"""Fixtures of the Zoom client tests: a real session, Zoom mocked by aioresponses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import aiohttp
from aiohttp import web
from aioresponses import aioresponses
import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: these tests need no Home Assistant."""


@pytest.fixture
def mock_zoom() -> Iterator[aioresponses]:
    """Answer every aiohttp request from registered responses; nothing leaves."""
    with aioresponses() as mock:
        yield mock


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Open a real aiohttp session, as Home Assistant would inject one."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def piecemeal_server(
    socket_enabled: None,
) -> AsyncIterator[Callable[[bytes], Awaitable[str]]]:
    """Serve bodies the way a real server over a real network delivers them.

    Chunked transfer encoding, 4 KiB at a time, with a pause after each piece, so
    the client sees the body arrive in many pieces (as over a WAN), not whole.
    Returns a function that serves one body and gives its URL.
    """
    runners: list[web.AppRunner] = []

    async def serve(body: bytes) -> str:
        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "application/json"})
            response.enable_chunked_encoding()
            await response.prepare(request)
            for start in range(0, len(body), 4096):
                await response.write(body[start : start + 4096])
                await asyncio.sleep(0.002)
            await response.write_eof()
            return response

        app = web.Application()
        app.router.add_get("/v2/anything", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}/v2/anything"

    yield serve
    for runner in runners:
        await runner.cleanup()
