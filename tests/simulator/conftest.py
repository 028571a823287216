"""Fixtures of the simulator tests: a simulated Zoom on loopback, no Home Assistant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
import hashlib
import hmac
import json
import time
from typing import Any

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


@dataclass
class Received:
    """One request a webhook receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        """The delivered event."""
        event: dict[str, Any] = json.loads(self.body)
        return event


@dataclass
class Receiver:
    """A webhook endpoint on loopback that answers as a test tells it to.

    ``answers`` are used up one per event delivery: an HTTP status, or "hang"
    to answer only after ``hang_seconds``; once empty it answers 200. It answers
    ``endpoint.url_validation`` right when it knows the ``secret``.
    """

    base: str = ""
    secret: str | None = None
    answers: list[int | str] = field(default_factory=list)
    hang_seconds: float = 0.5
    received: list[Received] = field(default_factory=list)

    def url(self, hook: str = "hook") -> str:
        """Return the URL of one of its endpoints."""
        return f"{self.base}/{hook}"

    def events(self) -> list[dict[str, Any]]:
        """Return the events received, validation challenges left out."""
        return [
            item.event
            for item in self.received
            if item.event["event"] != "endpoint.url_validation"
        ]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Record a delivery and answer it."""
        raw = await request.read()
        self.received.append(Received(request.path, dict(request.headers), raw))
        event = json.loads(raw)
        if event["event"] == "endpoint.url_validation":
            if self.secret is None:
                return web.Response()
            plain = event["payload"]["plainToken"]
            digest = hmac.new(self.secret.encode(), plain.encode(), hashlib.sha256)
            return web.json_response(
                {"plainToken": plain, "encryptedToken": digest.hexdigest()}
            )
        answer = self.answers.pop(0) if self.answers else 200
        if answer == "hang":
            await asyncio.sleep(self.hang_seconds)
            return web.Response()
        return web.Response(status=int(answer))


@pytest.fixture
async def receiver() -> AsyncGenerator[Receiver]:
    """Serve a webhook receiver on a free loopback port."""
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/{hook}", receiver.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    receiver.base = str(server.make_url("")).rstrip("/")
    try:
        yield receiver
    finally:
        await server.close()


async def wait_until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    """Wait until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for a condition")
        await asyncio.sleep(0.01)
