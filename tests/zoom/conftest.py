"""Fixtures of the Zoom client tests: a real session, Zoom mocked by aioresponses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
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
