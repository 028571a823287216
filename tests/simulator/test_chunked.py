"""Large JSON bodies go out chunked and arrive in pieces, as over a real network."""

from __future__ import annotations

import json
import time

import pytest

from zoom_simulator import SimulatorState

from .conftest import Client

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def _pieces(
    client: Client, path: str, auth: dict[str, str]
) -> tuple[dict[str, str], list[bytes]]:
    """GET `path` and return its headers and the pieces its body arrived in."""
    resp = await client.get(path, params={"page_size": "300"}, headers=auth)
    assert resp.status == 200
    pieces = [piece async for piece in resp.content.iter_any()]
    return dict(resp.headers), pieces


async def test_large_page_arrives_chunked_in_pieces(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """A page of 300 meetings comes in ~4 KiB pieces, each after a pause."""
    state.rate_limit_headers = "full"
    state.add_meetings(300)
    started = time.monotonic()
    headers, pieces = await _pieces(client, "/v2/users/me/meetings", auth)
    elapsed = time.monotonic() - started
    body = b"".join(pieces)
    assert headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in headers
    assert headers["Content-Type"].startswith("application/json")
    # The rate-limit headers of the handler survive the re-framing.
    assert headers["X-RateLimit-Category"] == "Medium"
    assert len(body) > 20 * 4096
    assert len(json.loads(body)["meetings"]) == 300
    # The client sees many pieces, none larger than one chunk, not one whole body.
    assert len(pieces) >= len(body) // 4096
    assert max(len(piece) for piece in pieces) <= 4096
    assert elapsed >= (len(body) // 4096) * state.chunk_pause


async def test_small_bodies_and_errors_are_sent_whole(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Bodies up to the chunk size keep their Content-Length."""
    state.add_meetings(2)
    headers, pieces = await _pieces(client, "/v2/users/me/meetings", auth)
    assert "Transfer-Encoding" not in headers
    assert int(headers["Content-Length"]) == len(b"".join(pieces)) <= 4096
    resp = await client.get("/v2/meetings/1", headers=auth)
    assert resp.status == 404
    assert "Content-Length" in resp.headers


async def test_large_error_and_control_bodies_are_chunked(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Every large JSON body is chunked: faults with JSON and control answers too."""
    state.add_meetings(100)
    state.fail_next(1, 503, {"code": 503, "message": "x" * 10_000})
    resp = await client.get("/v2/users/me", headers=auth)
    assert resp.status == 503
    assert resp.headers["Transfer-Encoding"] == "chunked"
    assert len((await resp.json())["message"]) == 10_000
    # Text and HTML bodies are not JSON: a proxy's page is sent as it is.
    state.fail_next(1, 502, "<html>" + "x" * 10_000 + "</html>")
    resp = await client.get("/v2/users/me", headers=auth)
    assert "Transfer-Encoding" not in resp.headers
    resp = await client.get("/_simulator/state")
    assert resp.headers["Transfer-Encoding"] == "chunked"
    assert len((await resp.json())["meetings"]) == 100


@pytest.mark.parametrize(("size", "pause"), [(0, 0.002), (1024, 0.0)])
async def test_chunking_is_configurable(
    client: Client,
    state: SimulatorState,
    auth: dict[str, str],
    size: int,
    pause: float,
) -> None:
    """Size 0 sends bodies whole; any other size is chunked, with or without pause."""
    state.chunk_size, state.chunk_pause = size, pause
    state.add_meetings(50)
    headers, pieces = await _pieces(client, "/v2/users/me/meetings", auth)
    body = b"".join(pieces)
    assert len(json.loads(body)["meetings"]) == 50
    if size == 0:
        assert int(headers["Content-Length"]) == len(body)
    else:
        # Without a pause the pieces may reach the client together; the framing
        # is chunked all the same.
        assert headers["Transfer-Encoding"] == "chunked"
        assert "Content-Length" not in headers
