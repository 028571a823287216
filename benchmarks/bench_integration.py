"""Benchmarks: the real integration inside Home Assistant against the simulator.

Everything runs over real loopback HTTP on 127.0.0.1, as in
tests/test_simulator_e2e.py; items 6 and 7 put TLS 1.3 and a 40 ms delay each
way between the integration and the simulator (benchmarks/network.py), and wait
in real time (about two minutes) for idle connections to age.
This module is not part of the test suite
(pyproject's testpaths is ["tests"]); `./scripts/bench` runs it by name.

Each measurement is its own test so that one failure does not hide the others.
Asserts only check correctness (the toggle reached the simulator, the refresh
was the kind being measured); timings are reported, never judged by pytest.
When the module ends, the results are printed as a Markdown table and written
to benchmarks/results.md.

The simulator shares Home Assistant's event loop, so its own CPU time is part
of every figure; the bare-aiohttp baseline pays the same server cost, which is
why the latency ratio, not the absolute time, is the integration's overhead.
benchmarks/conftest.py runs the loop without debug mode and logs at WARNING,
as a real instance does: the harness's defaults made everything ~5x slower.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import gc
import math
import os
from pathlib import Path
import platform
import ssl
import statistics
import sys
import time
import tracemalloc
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from aiohttp.typedefs import Handler
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.zoom_livestream.const import (
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    LIVE_STREAM_KEY,
    SCAN_INTERVAL,
    SERVICE_UPDATE_SETTINGS,
)
from custom_components.zoom_livestream.coordinator import ZoomCoordinator
from custom_components.zoom_livestream.endpoints import SIMULATOR_ENV
from custom_components.zoom_livestream.state import MAX_CREATED_UNLISTED
from custom_components.zoom_livestream.zoom import basic_auth_header
from custom_components.zoom_livestream.zoom.client import PAGE_SIZE
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    Platform,
    __version__ as HA_VERSION,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.aiohttp_client import SERVER_SOFTWARE
from homeassistant.setup import async_setup_component
from tests.simulated_entries import simulated_entry
from zoom_simulator import SimulatedMeeting, SimulatorState, create_app
from zoom_simulator.events import created_event, signed_delivery
from zoom_simulator.state import DEFAULT_USER_ID

from .floor import FloorMeeting, floor_entry
from .network import DelayingProxy, TlsSite, async_serve_tls, tls_contexts

RESULTS_FILE = Path(__file__).parent / "results.md"
FLOOR_SWITCH = "switch.floor"

# Sample sizes: large enough for stable medians, small enough that the whole
# module (5,000-meeting setups included) stays within ~3 minutes on 2 cores.
WARMUP_TOGGLES = 10
LATENCY_TOGGLES = 200
SINGLE_TOGGLES = 40
SCALE_TOGGLES = 40
BATCH_SIZE = 50
BATCH_ROUNDS = 5
# 0: loopback as is (CPU only); 20: a Zoom that takes 20 ms to answer (real round
# trips are longer), so the batch shows whether the requests wait in parallel.
BATCH_ZOOM_DELAYS_MS = (0, 20)
POLL_SIZES = (1, 100, 1_000, 5_000)
# A live-only refresh takes about a millisecond: many runs, for a steady median.
LIVE_RUNS = 25
SETUP_SIZES = (1_000, 5_000)

# -- results --------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """One line of the results table."""

    item: int
    measurement: str
    result: str
    target: str = ""
    # None when the row has no target to meet (a plain figure).
    met: bool | None = None


@dataclass(slots=True)
class Section:
    """The rows one benchmark test reported."""

    item: int
    test: str
    rows: list[Row] = field(default_factory=list)
    finished: bool = False

    def add(
        self,
        measurement: str,
        result: str,
        target: str = "",
        met: bool | None = None,
    ) -> None:
        """Add a row to the table."""
        self.rows.append(Row(self.item, measurement, result, target, met))


@dataclass(slots=True)
class Results:
    """Everything the module measured, in the order the tests ran."""

    started: float = field(default_factory=time.perf_counter)
    sections: list[Section] = field(default_factory=list)
    # Median full-refresh time per account size, for the linearity row.
    full_refresh_seconds: dict[int, float] = field(default_factory=dict)
    # Median toggle time per account size, for the scaling row.
    toggle_seconds: dict[int, float] = field(default_factory=dict)
    # Median live-only refresh time per account size, for its scaling row.
    live_refresh_seconds: dict[int, float] = field(default_factory=dict)
    # Setup time samples and memory kept, per (floor or integration, meetings).
    setup_seconds: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    setup_memory: dict[tuple[str, int], float] = field(default_factory=dict)

    def markdown(self) -> str:
        """Return the machine description and the results table."""
        lines = [
            "# Zoom Live Stream benchmark",
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
            f"{time.perf_counter() - self.started:.1f} s for the benchmark module.",
            "",
            *machine_description(),
            "",
            "| # | Measurement | Result | Target | Met |",
            "|---|---|---|---|---|",
        ]
        rows = [row for section in self.sections for row in section.rows]
        rows.extend(self._linearity_rows())
        rows.sort(key=lambda row: row.item)
        lines.extend(
            f"| {row.item} | {row.measurement} | {row.result} | {row.target} "
            f"| {_met(row.met)} |"
            for row in rows
        )
        failed = [section.test for section in self.sections if not section.finished]
        if failed:
            lines.extend(["", "Did not finish (see the pytest output):", ""])
            lines.extend(f"- `{test}`" for test in failed)
        return "\n".join(lines) + "\n"

    def _linearity_rows(self) -> list[Row]:
        # Derived across the parametrized poll tests, which each know one size.
        times = self.full_refresh_seconds
        rows: list[Row] = []
        for small, large in ((100, 1_000), (1_000, 5_000)):
            if small in times and large in times:
                ratio = times[large] / times[small]
                rows.append(
                    Row(
                        3,
                        f"Full refresh time, {large:,} vs {small:,} meetings",
                        f"{ratio:.1f}×",
                        f"roughly linear (≈ {large // small}×)",
                    )
                )
        live = self.live_refresh_seconds
        if (fewest := min(live, default=None)) is not None and max(live) != fewest:
            ratio = live[max(live)] / live[fewest]
            rows.append(
                Row(
                    3,
                    f"Live-only refresh that finds nothing new, {max(live):,} vs "
                    f"{plural(fewest, 'meeting')}",
                    f"{ratio:.2f}×",
                    "≤ 1.5× (costs what changed, not every meeting)",
                    ratio <= 1.5,
                )
            )
        toggles = self.toggle_seconds
        if (smallest := min(toggles, default=None)) is not None:
            largest = max(toggles)
            if largest != smallest:
                ratio = toggles[largest] / toggles[smallest]
                rows.append(
                    Row(
                        3,
                        f"Toggle in an account of {largest:,} vs "
                        f"{plural(smallest, 'meeting')}",
                        f"{ratio:.2f}×",
                        "≤ 1.5× (a toggle touches one meeting)",
                        ratio <= 1.5,
                    )
                )
        return rows


def _met(met: bool | None) -> str:
    if met is None:
        return ""
    return "yes" if met else "**no**"


def machine_description() -> list[str]:
    """Return the facts that make two runs comparable, as Markdown list items."""
    memory = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    return [
        f"- Machine: {platform.platform()}, {os.cpu_count()} CPUs, {memory} memory",
        f"- Python {platform.python_version()} ({sys.implementation.name}), "
        f"Home Assistant {HA_VERSION}, aiohttp {aiohttp.__version__}",
    ]


@pytest.fixture(scope="module", autouse=True)
def results(request: pytest.FixtureRequest) -> Iterator[Results]:
    """Collect every test's rows; print and save the table when the module ends.

    A run of some rows only (`./scripts/bench -k burst`) prints its table and
    leaves benchmarks/results.md, the whole table, as it is.
    """
    collected = Results()
    yield collected
    text = collected.markdown()
    config = request.config
    if config.getoption("keyword") or config.getoption("markexpr"):
        where = "Not written to benchmarks/results.md: only some rows ran"
    else:
        RESULTS_FILE.write_text(text, encoding="utf-8")
        where = f"Written to {RESULTS_FILE}"
    # Printing the table is this module's purpose (run with -s to see it).
    print(f"\n\n{text}\n{where}")  # noqa: T201


@pytest.fixture
def report(request: pytest.FixtureRequest, results: Results) -> Section:
    """Give a test its section of the table; flag it when the test did not finish."""
    marker = request.node.get_closest_marker("item")
    assert marker is not None, "every benchmark names its item: @pytest.mark.item(n)"
    section = Section(item=marker.args[0], test=request.node.name)
    results.sections.append(section)
    return section


def finish(section: Section) -> None:
    """Mark the test's measurements complete (the last line of every test)."""
    section.finished = True


# -- simulator and entry ------------------------------------------------------------


@dataclass(slots=True)
class Simulator:
    """A simulated Zoom account served on a loopback port."""

    state: SimulatorState
    base: str
    # Seconds the simulator spent answering, in this process: Zoom's time, not
    # the integration's (the live list scans every simulated meeting).
    answering: list[float] = field(default_factory=list)


@pytest.fixture
async def simulator(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Simulator]:
    """Serve an empty simulator on a free loopback port (a real socket)."""
    state = SimulatorState()
    # Large pages still go out chunked, but without the pauses that stand for a
    # real network: these figures are the integration's own costs.
    state.chunk_pause = 0.0
    answering: list[float] = []

    @web.middleware
    async def timed(request: web.Request, handler: Handler) -> web.StreamResponse:
        start = time.perf_counter()
        try:
            return await handler(request)
        finally:
            answering.append(time.perf_counter() - start)

    app = create_app(state)
    app.middlewares.append(timed)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    # The integration reaches the simulator as a contributor's does.
    monkeypatch.setenv(SIMULATOR_ENV, base)
    try:
        yield Simulator(state, base, answering)
    finally:
        await server.close()


def add_streamable(state: SimulatorState, topic: str) -> SimulatedMeeting:
    """Add a running meeting with a stream target, so Zoom accepts a start."""
    return state.add_meeting(
        topic,
        started=True,
        stream_url="rtmp://127.0.0.1/live",
        stream_key="k",
        page_url="https://example.com",
    )


@contextlib.asynccontextmanager
async def loaded_entry(
    hass: HomeAssistant,
    simulator: Simulator,
    options: dict[str, Any] | None = None,
) -> AsyncIterator[tuple[MockConfigEntry, float]]:
    """Set up a fresh entry; yield it with its setup time; unload it afterwards.

    Unloading cancels the coordinator's timer, which the test harness would
    otherwise report as lingering.
    """
    state = simulator.state
    entry = simulated_entry(state, options or {})
    entry.add_to_hass(hass)
    start = time.perf_counter()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    elapsed = time.perf_counter() - start
    assert entry.state is ConfigEntryState.LOADED
    try:
        yield entry, elapsed
    finally:
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


def switch_of(hass: HomeAssistant, meeting: SimulatedMeeting) -> str:
    """Return the entity ID of a meeting's live-stream switch."""
    entity_id = er.async_get(hass).async_get_entity_id(
        Platform.SWITCH, DOMAIN, f"{DEFAULT_USER_ID}_{meeting.id}_{LIVE_STREAM_KEY}"
    )
    assert entity_id is not None, f"no switch for meeting {meeting.id}"
    return entity_id


async def async_toggle(hass: HomeAssistant, entity_ids: list[str], on: bool) -> float:
    """Turn switches on or off through the service layer; return the seconds taken."""
    start = time.perf_counter()
    await hass.services.async_call(
        Platform.SWITCH,
        SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
        {ATTR_ENTITY_ID: entity_ids},
        blocking=True,
    )
    return time.perf_counter() - start


def status_path(meeting: SimulatedMeeting) -> str:
    """Return the path that starts and stops a meeting's stream."""
    return f"/v2/meetings/{meeting.id}/livestream/status"


def toggle_body(on: bool) -> dict[str, Any]:
    """Return the body the integration sends when no display settings are stored."""
    return {"action": "start" if on else "stop"}


def ms(seconds: float) -> str:
    """Format seconds as milliseconds."""
    return f"{seconds * 1000:.2f} ms"


def plural(count: int, noun: str) -> str:
    """Return "1 meeting", "1,000 meetings"."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def p95(samples: list[float]) -> float:
    """Return the 95th percentile (the tail a user notices now and then)."""
    return statistics.quantiles(samples, n=20)[-1]


# -- 1. requests per action ------------------------------------------------------------


@pytest.mark.item(1)
async def test_requests_per_action(
    hass: HomeAssistant, simulator: Simulator, report: Section
) -> None:
    """A toggle costs one request with a valid token; a target change two."""
    state = simulator.state
    meeting = add_streamable(state, "Bench requests")
    async with loaded_entry(hass, simulator):
        switch = switch_of(hass, meeting)
        # Warm-up, so the token exists and is cached (setup fetched it already).
        await async_toggle(hass, [switch], on=True)
        await async_toggle(hass, [switch], on=False)

        for on in (True, False):
            state.clear_log()
            await async_toggle(hass, [switch], on=on)
            sent = [(r.method, r.path, r.json) for r in state.requests]
            # Correctness: the toggle reached Zoom and changed the stream.
            assert ("PATCH", status_path(meeting), toggle_body(on)) in sent
            assert meeting.streaming is on
            report.add(
                f"HTTP requests per `switch.{'turn_on' if on else 'turn_off'}` "
                "(valid token)",
                f"{len(sent)} ({', '.join(method for method, _, _ in sent)})",
                "exactly 1",
                len(sent) == 1,
            )

        # The stream is stopped, so Zoom accepts a new target.
        state.clear_log()
        await hass.services.async_call(
            DOMAIN,
            SERVICE_UPDATE_SETTINGS,
            {ATTR_ENTITY_ID: switch, "stream_url": "rtmp://127.0.0.1/other"},
            blocking=True,
        )
        methods = [request.method for request in state.requests]
        assert meeting.live_stream["stream_url"] == "rtmp://127.0.0.1/other"
        report.add(
            "HTTP requests per `update_settings` changing part of the stream target",
            f"{len(methods)} ({', '.join(methods)})",
            "2 (GET + PATCH)",
            methods == ["GET", "PATCH"],
        )

        # URL, key and page URL together: nothing to merge, nothing to read.
        state.clear_log()
        await hass.services.async_call(
            DOMAIN,
            SERVICE_UPDATE_SETTINGS,
            {
                ATTR_ENTITY_ID: switch,
                "stream_url": "rtmp://127.0.0.1/whole",
                "stream_key": "whole-key",
                "page_url": "https://127.0.0.1/whole",
            },
            blocking=True,
        )
        methods = [request.method for request in state.requests]
        assert meeting.live_stream["stream_url"] == "rtmp://127.0.0.1/whole"
        report.add(
            "HTTP requests per `update_settings` setting the whole stream target",
            f"{len(methods)} ({', '.join(methods)})",
            "1 (PATCH)",
            methods == ["PATCH"],
        )
    finish(report)


# -- 2. added latency per toggle -----------------------------------------------------


async def async_fetch_token(
    session: aiohttp.ClientSession, simulator: Simulator
) -> str:
    """Get a bearer token from the simulator the way the integration does."""
    state = simulator.state
    async with session.post(
        f"{simulator.base}/oauth/token",
        params={"grant_type": "account_credentials", "account_id": state.account_id},
        headers={
            "Authorization": basic_auth_header(state.client_id, state.client_secret)
        },
    ) as response:
        assert response.status == 200
        body = await response.json()
    token = body["access_token"]
    assert isinstance(token, str)
    return token


async def async_bare_patch(
    session: aiohttp.ClientSession, url: str, token: str, on: bool
) -> float:
    """Send the same PATCH with plain aiohttp; return the seconds taken."""
    start = time.perf_counter()
    async with session.patch(
        url,
        json=toggle_body(on),
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    ) as response:
        # Read the (empty) body as the integration does, so both finish alike.
        await response.read()
        assert response.status == 204
    return time.perf_counter() - start


@pytest.mark.item(2)
async def test_added_latency_per_toggle(
    hass: HomeAssistant, simulator: Simulator, report: Section
) -> None:
    """A toggle through Home Assistant against the same PATCH sent bare."""
    state = simulator.state
    meeting = add_streamable(state, "Bench latency")
    # A second meeting for the bare requests, so they never change the state
    # the integration's switch relies on.
    bare_meeting = add_streamable(state, "Bench bare")
    url = simulator.base + status_path(bare_meeting)
    # Home Assistant's own part of any toggle: a switch that only writes its
    # state, through the same service call.
    assert await async_setup_component(
        hass,
        Platform.SWITCH,
        {
            Platform.SWITCH: [
                {
                    "platform": "template",
                    "switches": {"floor": {"turn_on": [], "turn_off": []}},
                }
            ]
        },
    )
    await hass.async_block_till_done()
    async with loaded_entry(hass, simulator), aiohttp.ClientSession() as session:
        switch = switch_of(hass, meeting)
        token = await async_fetch_token(session, simulator)
        through_ha: list[float] = []
        bare: list[float] = []
        floor: list[float] = []
        # Interleaved, so drift (CPU frequency, GC, log growth) hits all alike.
        for index in range(WARMUP_TOGGLES + LATENCY_TOGGLES):
            on = index % 2 == 0
            ha_seconds = await async_toggle(hass, [switch], on=on)
            bare_seconds = await async_bare_patch(session, url, token, on)
            floor_seconds = await async_toggle(hass, [FLOOR_SWITCH], on=on)
            if index >= WARMUP_TOGGLES:
                through_ha.append(ha_seconds)
                bare.append(bare_seconds)
                floor.append(floor_seconds)
            if index % 50 == 0:
                # The log is only needed below; keep it from growing all run long.
                state.clear_log()
        # Correctness: both sides sent the same body to the same route.
        last_two = [(r.method, r.path, r.json) for r in state.requests[-2:]]
        assert last_two == [
            ("PATCH", status_path(meeting), toggle_body(False)),
            ("PATCH", status_path(bare_meeting), toggle_body(False)),
        ]
        assert not meeting.streaming
        floor_state = hass.states.get(FLOOR_SWITCH)
        assert floor_state is not None
        assert floor_state.state == "off"

    ha_median = statistics.median(through_ha)
    bare_median = statistics.median(bare)
    floor_median = statistics.median(floor)
    ratio = ha_median / bare_median
    report.add(
        f"Toggle via `switch.turn_on/off`, median of {LATENCY_TOGGLES}",
        f"{ms(ha_median)} (p95 {ms(p95(through_ha))})",
    )
    report.add(
        f"Bare aiohttp PATCH to the same endpoint, median of {LATENCY_TOGGLES}",
        f"{ms(bare_median)} (p95 {ms(p95(bare))})",
    )
    report.add(
        "Integration's added latency: toggle / bare PATCH",
        f"{ratio:.3f}× (+{ms(ha_median - bare_median)})",
        "≤ 1.5×",
        ratio <= 1.5,
    )
    report.add(
        "Home Assistant's own part: `switch.turn_on/off` of a template switch "
        f"that only writes its state, median of {LATENCY_TOGGLES}",
        f"{ms(floor_median)} (p95 {ms(p95(floor))})",
    )
    report.add(
        "The integration's own code: toggle − bare PATCH − that part",
        ms(ha_median - bare_median - floor_median),
    )
    finish(report)


# -- 3. polls ------------------------------------------------------------------------


def expected_poll_requests(meetings: int) -> int:
    """Return the requests of a full refresh: meeting pages, webinars, live."""
    return max(1, math.ceil(meetings / PAGE_SIZE)) + 1 + 1


async def async_time_refreshes(
    hass: HomeAssistant,
    coordinator: ZoomCoordinator,
    simulator: Simulator,
    runs: int,
    *,
    full: bool,
) -> tuple[float, int]:
    """Return the median time and the most requests of `runs` refreshes.

    The time is the integration's: what the simulator spent answering, in
    this same process, is taken off.
    """
    state = simulator.state
    seconds: list[float] = []
    requests = 0
    for _ in range(runs):
        state.clear_log()
        simulator.answering.clear()
        start = time.perf_counter()
        await coordinator.async_refresh()
        seconds.append(time.perf_counter() - start - sum(simulator.answering))
        requests = max(requests, len(state.requests))
        # Correctness: the refresh succeeded and was the kind being measured.
        assert coordinator.last_update_success
        read_lists = any(r.query.get("type") == "scheduled" for r in state.requests)
        assert read_lists is full
        await hass.async_block_till_done()
    return statistics.median(seconds), requests


@pytest.mark.item(3)
@pytest.mark.parametrize("meetings", POLL_SIZES)
async def test_poll(
    hass: HomeAssistant,
    simulator: Simulator,
    report: Section,
    results: Results,
    meetings: int,
) -> None:
    """Requests and time of a full and of a live-only refresh, and of a toggle."""
    state = simulator.state
    state.add_meetings(meetings - 1)
    streamable = add_streamable(state, "Bench toggle")
    # Fewer runs for the large account: every refresh writes 10,002 states.
    runs = 3 if meetings >= 5_000 else 5
    async with loaded_entry(hass, simulator) as (entry, _):
        coordinator: ZoomCoordinator = entry.runtime_data.coordinator
        assert len(coordinator.data.meetings) == meetings
        # Setup's first refresh is a full one; its token request is not polling.
        first_refresh = sum(r.path.startswith("/v2/") for r in state.requests)
        # The lists are re-read once LIST_REFRESH_INTERVAL has passed: with
        # zero, every refresh is a full one, like the first.
        with patch(
            "custom_components.zoom_livestream.listing.LIST_REFRESH_INTERVAL",
            timedelta(0),
        ):
            full_seconds, full_requests = await async_time_refreshes(
                hass, coordinator, simulator, runs, full=True
            )
        # Within 15 minutes of the last full refresh, only the live list is read.
        live_seconds, live_requests = await async_time_refreshes(
            hass, coordinator, simulator, LIVE_RUNS, full=False
        )
        # A toggle must not cost more because the account has more meetings.
        switch = switch_of(hass, streamable)
        toggles = [
            await async_toggle(hass, [switch], on=index % 2 == 0)
            for index in range(WARMUP_TOGGLES + SCALE_TOGGLES)
        ][WARMUP_TOGGLES:]
        assert not streamable.streaming
    results.full_refresh_seconds[meetings] = full_seconds
    results.live_refresh_seconds[meetings] = live_seconds
    results.toggle_seconds[meetings] = statistics.median(toggles)
    expected = expected_poll_requests(meetings)
    pages = expected - 2
    # Per meeting only where the fixed cost of three requests no longer dominates.
    per_meeting = (
        f" ({full_seconds / meetings * 1e6:.0f} µs/meeting)" if meetings >= 100 else ""
    )
    report.add(
        f"Full refresh, {plural(meetings, 'meeting')} (median of {runs}; the simulator's own time taken off)",
        f"{plural(full_requests, 'request')}, {ms(full_seconds)}{per_meeting}; "
        f"first refresh at setup: {plural(first_refresh, 'request')}",
        f"{expected} ({plural(pages, 'page')} of {PAGE_SIZE} + webinars + live)",
        full_requests == expected == first_refresh,
    )
    report.add(
        f"Live-only refresh, {plural(meetings, 'meeting')} (median of {LIVE_RUNS}; the simulator's own time taken off)",
        f"{plural(live_requests, 'request')}, {ms(live_seconds)}",
        "1",
        live_requests == 1,
    )
    report.add(
        f"Toggle in an account of {plural(meetings, 'meeting')}, "
        f"median of {SCALE_TOGGLES}",
        ms(results.toggle_seconds[meetings]),
    )
    finish(report)


# -- 4. setup time and memory ------------------------------------------------------


SETUP_KINDS = ("floor", "integration")
# Five rounds: on a shared machine one round in several is slowed as a whole.
SETUP_ROUNDS = 5
MEMORY_ROUNDS = 2
# The integration's setup time and memory, each against the floor of the same run.
SETUP_TARGET = 1.2


async def async_set_up(
    hass: HomeAssistant, simulator: Simulator, kind: str, meetings: int
) -> tuple[float, int, int]:
    """Set up the integration or the floor; return (seconds, entities, devices).

    The simulator's meetings exist first either way, so neither pays for them.
    """
    listed = simulator.state.add_meetings(meetings)
    if kind == "floor":
        entry = floor_entry(
            hass, [FloorMeeting(meeting.id, meeting.topic) for meeting in listed]
        )
        with _settled_heap():
            start = time.perf_counter()
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            seconds = time.perf_counter() - start
        counts = _registry_counts(hass, entry.entry_id)
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        return seconds, *counts
    with _settled_heap():
        async with loaded_entry(hass, simulator) as (entry, seconds):
            coordinator: ZoomCoordinator = entry.runtime_data.coordinator
            assert len(coordinator.data.meetings) == meetings
            return seconds, *_registry_counts(hass, entry.entry_id)


@contextlib.contextmanager
def _settled_heap() -> Iterator[None]:
    """Time a setup without the collector scanning what earlier tests left.

    Python's full collections walk every object alive, so one that falls into
    a setup costs more the more earlier rounds left behind: the same setup
    measured 0.45 to 0.88 s. Collected and frozen first, both the floor and
    the integration pay only for their own objects.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _registry_counts(hass: HomeAssistant, entry_id: str) -> tuple[int, int]:
    entities = len(er.async_entries_for_config_entry(er.async_get(hass), entry_id))
    devices = len(dr.async_entries_for_config_entry(dr.async_get(hass), entry_id))
    return entities, devices


def _floor_row(
    report: Section, what: str, meetings: int, ours: float, floor: float, unit: str
) -> None:
    ratio = ours / floor
    report.add(
        f"{what}, {meetings:,} meetings: the integration / Home Assistant's floor "
        "(a minimal platform adding the same entities and devices, same run)",
        f"{ours:.2f} {unit} / {floor:.2f} {unit} = {ratio:.2f}×",
        f"≤ {SETUP_TARGET}×",
        ratio <= SETUP_TARGET,
    )


@pytest.mark.item(4)
@pytest.mark.parametrize("kind", SETUP_KINDS)
@pytest.mark.parametrize("setup_round", range(SETUP_ROUNDS))
@pytest.mark.parametrize("meetings", SETUP_SIZES)
async def test_setup_time(
    hass: HomeAssistant,
    simulator: Simulator,
    report: Section,
    results: Results,
    meetings: int,
    kind: str,
    setup_round: int,
) -> None:
    """Setup time of a large account, without tracemalloc slowing it down.

    Each round sets up the floor and the integration in a Home Assistant of its
    own, one right after the other, so a busy spell slows both alike; the ratio
    is the median of the rounds' own ratios.
    """
    seconds, entities, devices = await async_set_up(hass, simulator, kind, meetings)
    samples = results.setup_seconds.setdefault((kind, meetings), [])
    samples.append(seconds)
    if kind == "integration" and setup_round == SETUP_ROUNDS - 1:
        median = statistics.median(samples)
        report.add(
            f"Setup, {meetings:,} meetings ({entities:,} entities, "
            f"{devices:,} devices), median of {len(samples)}",
            f"{median:.2f} s ({median / meetings * 1e3:.2f} ms/meeting)",
        )
        if floor := results.setup_seconds.get(("floor", meetings)):
            _paired_floor_row(report, meetings, samples, floor)
    finish(report)


def _paired_floor_row(
    report: Section, meetings: int, ours: list[float], floor: list[float]
) -> None:
    """Add the setup-time row: each round's integration against its floor."""
    ratios = sorted(o / f for o, f in zip(ours, floor, strict=True))
    ratio = statistics.median(ratios)
    report.add(
        f"Setup time, {meetings:,} meetings: the integration / Home Assistant's floor "
        "(a minimal platform adding the same entities and devices, set up right "
        f"before it in each of {len(ratios)} rounds; median of the rounds' ratios)",
        f"{statistics.median(ours):.2f} s / {statistics.median(floor):.2f} s; "
        f"**{ratio:.2f}×** (rounds {ratios[0]:.2f}–{ratios[-1]:.2f}×)",
        f"≤ {SETUP_TARGET}×",
        ratio <= SETUP_TARGET,
    )


@pytest.mark.item(4)
@pytest.mark.parametrize("kind", SETUP_KINDS)
@pytest.mark.parametrize("memory_round", range(MEMORY_ROUNDS))
@pytest.mark.parametrize("meetings", SETUP_SIZES)
async def test_setup_memory(
    hass: HomeAssistant,
    simulator: Simulator,
    report: Section,
    results: Results,
    meetings: int,
    memory_round: int,
    kind: str,
) -> None:
    """Memory a large account's entry keeps, traced in a Home Assistant of its own.

    A separate test from the setup time: tracemalloc slows setup several times.
    What is kept is measured while the entry is loaded. The least of the rounds
    counts: the first round of the process also keeps what it imported.
    """
    listed = simulator.state.add_meetings(meetings)
    mib = 1024**2
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        if kind == "floor":
            entry = floor_entry(
                hass, [FloorMeeting(meeting.id, meeting.topic) for meeting in listed]
            )
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            gc.collect()
            after, peak = tracemalloc.get_traced_memory()
            assert await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done()
        else:
            async with loaded_entry(hass, simulator) as (zoom_entry, _):
                gc.collect()
                after, peak = tracemalloc.get_traced_memory()
                coordinator: ZoomCoordinator = zoom_entry.runtime_data.coordinator
                assert len(coordinator.data.meetings) == meetings
    finally:
        tracemalloc.stop()
    kept = min(
        (after - before) / mib, results.setup_memory.get((kind, meetings), math.inf)
    )
    results.setup_memory[(kind, meetings)] = kept
    if kind == "integration" and memory_round == MEMORY_ROUNDS - 1:
        report.add(
            f"Memory kept after setup, {meetings:,} meetings (tracemalloc)",
            f"+{kept:.1f} MiB ({kept * 1024 / meetings:.1f} KiB/meeting), least of "
            f"{MEMORY_ROUNDS} rounds",
        )
        if (floor := results.setup_memory.get(("floor", meetings))) is not None:
            _floor_row(report, "Memory kept", meetings, kept, floor, "MiB")
    finish(report)


# -- 5. many toggles at once ---------------------------------------------------------


@pytest.mark.item(5)
@pytest.mark.parametrize("zoom_delay_ms", BATCH_ZOOM_DELAYS_MS)
async def test_batch_toggle(
    hass: HomeAssistant, simulator: Simulator, report: Section, zoom_delay_ms: int
) -> None:
    """One service call toggling 50 meetings against single toggles.

    Client and simulator share one event loop and one core, so with instant
    answers only CPU is left and 50 toggles cost about 50 toggles' CPU however
    concurrent they are. A simulated Zoom response time shows whether the
    requests' waits overlap (about 1×) or add up (about 50×).
    """
    state = simulator.state
    meetings = [
        add_streamable(state, f"Bench batch {number}")
        for number in range(1, BATCH_SIZE + 1)
    ]
    async with loaded_entry(hass, simulator):
        switches = [switch_of(hass, meeting) for meeting in meetings]
        # After setup, so only the toggles wait.
        state.delay = zoom_delay_ms / 1000
        single: list[float] = []
        # An even count, so the first switch ends off like the others.
        for index in range(WARMUP_TOGGLES + SINGLE_TOGGLES):
            seconds = await async_toggle(hass, switches[:1], on=index % 2 == 0)
            if index >= WARMUP_TOGGLES:
                single.append(seconds)
        batch_on: list[float] = []
        batch_off: list[float] = []
        for _ in range(BATCH_ROUNDS):
            state.clear_log()
            batch_on.append(await async_toggle(hass, switches, on=True))
            # Correctness: one start request per meeting, and all of them stream.
            assert len(state.requests) == BATCH_SIZE
            assert all(meeting.streaming for meeting in meetings)
            batch_off.append(await async_toggle(hass, switches, on=False))
            assert not any(meeting.streaming for meeting in meetings)
        state.delay = 0

    single_median = statistics.median(single)
    on_median = statistics.median(batch_on)
    ratio = on_median / single_median
    answer = f"Zoom answering after {zoom_delay_ms} ms"
    report.add(
        f"Single toggle, {answer}, median of {SINGLE_TOGGLES}",
        ms(single_median),
    )
    report.add(
        f"{BATCH_SIZE} meetings in one `switch.turn_on` / `turn_off`, {answer}, "
        f"median of {BATCH_ROUNDS}",
        f"{ms(on_median)} / {ms(statistics.median(batch_off))}",
    )
    if zoom_delay_ms:
        report.add(
            f"{BATCH_SIZE} at once / single toggle, {answer}",
            f"{ratio:.1f}×",
            f"well under {BATCH_SIZE}× (≤ {BATCH_SIZE // 5}×)",
            ratio <= BATCH_SIZE / 5,
        )
    else:
        report.add(
            f"{BATCH_SIZE} at once / single toggle, {answer}",
            f"{ratio:.1f}×",
            "none: no wait to overlap, CPU-bound on one loop",
        )
    finish(report)


# -- 6. a press with Zoom 40 ms away, over TLS ----------------------------------------

# The one-way delay to Zoom: a round trip is twice this.
ONE_WAY_S = 0.040
# A press is "within the floor" when Zoom has it at most this much later than
# the one-way delay itself (Home Assistant, the integration, TLS, the proxy).
FLOOR_MARGIN_S = 0.005
WARM_PRESSES = 10
# Shorter than the 60 s poll (no poll in between), then longer than it. The
# long one ends just before a poll, when Zoom has been idle longest: at least
# QUIET_S after its last request (the poll before).
SHORT_IDLE_S = 20.0
LONG_IDLE_S = 90.0
QUIET_S = 55.0
STARTUP_MEETINGS = 20
STARTUP_RUNS = 5


@dataclass(slots=True)
class FarZoom:
    """The simulator behind TLS and a delaying proxy: one Zoom, one idle timeout."""

    site: TlsSite
    proxy: DelayingProxy

    @property
    def base(self) -> str:
        """The URL the integration is pointed at (through the proxy)."""
        return f"https://127.0.0.1:{self.proxy.port}"

    async def close(self) -> None:
        """Stop the proxy and the server."""
        await self.proxy.close()
        await self.site.close()


async def async_far_zoom(
    state: SimulatorState, server_context: ssl.SSLContext, *, server_keepalive: float
) -> FarZoom:
    """Serve `state` with TLS 1.3, behind a proxy adding ONE_WAY_S each way."""
    site = await async_serve_tls(
        create_app(state), server_context, keepalive_timeout=server_keepalive
    )
    proxy = DelayingProxy(site.port, ONE_WAY_S)
    await proxy.start()
    return FarZoom(site, proxy)


@dataclass(slots=True)
class Press:
    """One press, as Zoom and the proxy saw it."""

    # From the service call to the PATCH's arrival at Zoom.
    to_zoom: float
    # Since Zoom's last request (a poll, or the last press), at the press.
    idle: float
    # Requests Zoom had from the entry since its last press (polls).
    between: int
    requests: int
    connections: int
    tls_handshakes: int


@dataclass(slots=True)
class PressScenario:
    """An entry whose presses are measured, and the Zoom it talks to."""

    label: str
    zoom: FarZoom
    entry: MockConfigEntry
    switch: str
    on: bool = False
    # How many requests Zoom had received at the end of the last press.
    seen: int = 0
    # Whether a keep-warm runs beside it (its requests come between presses).
    keep_warm: bool = False

    async def async_press(self, hass: HomeAssistant) -> Press:
        """Toggle the switch; return what reaching Zoom cost."""
        arrivals = self.zoom.site.arrivals
        seen = len(arrivals)
        connections = self.zoom.proxy.connections
        handshakes = self.zoom.proxy.tls_handshakes
        start = time.perf_counter()
        self.on = not self.on
        await async_toggle(hass, [self.switch], on=self.on)
        new = arrivals[seen:]
        patches = [when for when, method, _ in new if method == "PATCH"]
        # Correctness: the press reached Zoom, once.
        assert len(patches) == 1, f"{self.label}: {len(patches)} PATCH requests"
        between = seen - self.seen
        self.seen = len(arrivals)
        return Press(
            to_zoom=patches[0] - start,
            idle=start - arrivals[seen - 1][0],
            between=between,
            requests=len(new),
            connections=self.zoom.proxy.connections - connections,
            tls_handshakes=self.zoom.proxy.tls_handshakes - handshakes,
        )


def shared_pool_session(client_context: ssl.SSLContext) -> aiohttp.ClientSession:
    """Return a session pooled as Home Assistant's shared one: 15 s keep-alive.

    Home Assistant's shared connector sets no keep-alive, so aiohttp's default
    applies; the rest of it (limits, mDNS) does not change a press.
    """
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=client_context),
        headers={"User-Agent": SERVER_SOFTWARE},
    )


def press_result(presses: list[Press]) -> str:
    """Format presses: median time to Zoom (and to the floor), slowest, cost."""
    median = statistics.median(press.to_zoom for press in presses)
    slowest = max(press.to_zoom for press in presses)
    requests = "/".join(str(count) for count in sorted({p.requests for p in presses}))
    return (
        f"{ms(median)} ({median / ONE_WAY_S:.2f}× the {ONE_WAY_S * 1000:.0f} ms "
        f"one-way floor; slowest {ms(slowest)}); in {len(presses)} presses "
        f"{sum(press.connections for press in presses)} new connections, "
        f"{sum(press.tls_handshakes for press in presses)} TLS handshakes; "
        f"{requests} {'request' if requests == '1' else 'requests'} per press"
    )


def press_met(presses: list[Press]) -> bool:
    """Whether presses reach Zoom within the floor + 5 ms, on kept connections.

    The time is judged by the median (a loaded machine delays a press now and
    then); connections and requests by every press.
    """
    return (
        statistics.median(press.to_zoom for press in presses)
        <= ONE_WAY_S + FLOOR_MARGIN_S
        and all(press.connections == 0 for press in presses)
        and all(press.requests == 1 for press in presses)
    )


async def async_idle_presses(
    hass: HomeAssistant, scenario: PressScenario
) -> tuple[Press, Press]:
    """Press after SHORT_IDLE_S without a request, then LONG_IDLE_S without a press.

    The second press also waits until Zoom has had no request for QUIET_S, so it
    comes shortly before a poll, not just after one. The scenarios' warm presses
    ran one after another, so their idle presses do not meet.
    """
    arrivals = scenario.zoom.site.arrivals
    await async_sleep_until(arrivals[-1][0] + SHORT_IDLE_S)
    short = await scenario.async_press(hass)
    pressed = time.perf_counter()
    # A poll while this sleeps moves the quiet bound on: sleep again. A
    # keep-warm never lets Zoom be quiet that long: its entry waits the time.
    while (
        until := max(
            pressed + LONG_IDLE_S,
            pressed if scenario.keep_warm else arrivals[-1][0] + QUIET_S,
        )
    ) > time.perf_counter():
        await async_sleep_until(until)
    long = await scenario.async_press(hass)
    return short, long


async def async_sleep_until(when: float) -> None:
    """Sleep until time.perf_counter() reaches `when`."""
    await asyncio.sleep(max(when - time.perf_counter(), 0.0))


@dataclass(frozen=True, slots=True)
class PressShape:
    """Which pool the integration uses, and how long Zoom keeps idle connections.

    `keep_warm`: the seconds of silence after which the benchmark's keep-warm
    (`async_keep_warm`) sends a request, or None without one.
    """

    label: str
    server_keepalive: float
    own_pool: bool
    keep_warm: float | None = None


# A keep-warm must speak before Zoom's idle time ends, the request's one-way
# trip and a margin for a busy loop included.
KEEP_WARM_S = 8.0
PRESS_SHAPES = (
    PressShape("own pool, Zoom keeps idle connections 75 s", 75.0, own_pool=True),
    PressShape("own pool, Zoom keeps idle connections 10 s", 10.0, own_pool=True),
    PressShape(
        f"own pool and a keep-warm (a request after {KEEP_WARM_S:.0f} s of "
        "silence while a meeting is live), Zoom keeps idle connections 10 s",
        10.0,
        own_pool=True,
        keep_warm=KEEP_WARM_S,
    ),
    PressShape(
        "Home Assistant's shared pool (15 s), Zoom keeps idle connections 75 s",
        75.0,
        own_pool=False,
    ),
)


@dataclass(slots=True)
class KeepWarm:
    """What a keep-warm sent, and over how long."""

    requests: int = 0
    seconds: float = 0.0

    @property
    def per_hour(self) -> float:
        """Requests an hour at the measured rate."""
        return self.requests / self.seconds * 3600 if self.seconds else 0.0


async def async_keep_warm(
    scenario: PressScenario, user_id: str, silence: float, kept: KeepWarm
) -> None:
    """Keep the entry's pooled connection open: the keep-warm this measures.

    Not part of the integration (see the README): whenever Zoom has had no
    request from the entry for `silence` seconds, one cheap request (Get a
    user, the entry's own) goes through the entry's client and pool. The
    meeting is live throughout, so it never pauses. Runs until cancelled.
    """
    client = scenario.entry.runtime_data.coordinator.client
    arrivals = scenario.zoom.site.arrivals
    started = time.perf_counter()
    try:
        while True:
            due = arrivals[-1][0] + silence
            if time.perf_counter() < due:
                await async_sleep_until(due)
                continue
            await client.async_get_user(user_id)
            kept.requests += 1
    finally:
        kept.seconds = time.perf_counter() - started


# Entries per shape, each with a Zoom of its own: the idle presses' samples.
ENTRIES_PER_SHAPE = 3


@pytest.mark.item(6)
async def test_press_latency_far_away(
    hass: HomeAssistant,
    socket_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
    report: Section,
) -> None:
    """Press → PATCH at a Zoom 40 ms away over TLS: kept connection or a new one.

    Entries wait side by side in real time, each against a Zoom of its own: the
    integration's pool with a Zoom that keeps idle connections 75 s (nginx's
    and aiohttp's default) and with one that keeps them 10 s (Zoom's own time
    is unknown), and, for comparison, a pool like Home Assistant's shared one
    (15 s). Each is pressed warm, after 20 s or more without a request, and 90 s
    or more after that press, just before a poll (the 60 s poll runs as usual).
    """
    server_context, client_context = tls_contexts()
    state = SimulatorState()
    state.chunk_pause = 0.0
    for number in range(2, len(PRESS_SHAPES) * ENTRIES_PER_SHAPE + 1):
        state.add_user(
            account_id=f"bench-account-{number}",
            client_id=f"bench-client-{number}",
            client_secret=f"bench-secret-{number}",
            user_id=f"bench-user-{number}",
            email=f"host{number}@example.com",
        )
    shapes = [shape for shape in PRESS_SHAPES for _ in range(ENTRIES_PER_SHAPE)]
    shared_session = shared_pool_session(client_context)
    scenarios: list[PressScenario] = []
    try:
        with patch(
            "custom_components.zoom_livestream.websession.get_default_context",
            return_value=client_context,
        ):
            for shape, account in zip(shapes, state.accounts(), strict=True):
                meeting = state.add_meeting(
                    f"Bench press {account.user.id}",
                    started=True,
                    stream_url="rtmp://127.0.0.1/live",
                    stream_key="k",
                    page_url="https://example.com",
                    host_id=account.user.id,
                )
                zoom = await async_far_zoom(
                    state, server_context, server_keepalive=shape.server_keepalive
                )
                monkeypatch.setenv(SIMULATOR_ENV, zoom.base)
                entry = simulated_entry(account)
                entry.add_to_hass(hass)
                with contextlib.ExitStack() as stack:
                    if not shape.own_pool:
                        stack.enter_context(
                            patch(
                                "custom_components.zoom_livestream.connection."
                                "async_get_entry_session",
                                return_value=shared_session,
                            )
                        )
                    assert await hass.config_entries.async_setup(entry.entry_id)
                    await hass.async_block_till_done()
                scenarios.append(
                    PressScenario(
                        shape.label,
                        zoom,
                        entry,
                        switch_for(hass, account.user.id, meeting),
                        keep_warm=shape.keep_warm is not None,
                    )
                )
            warm: list[list[Press]] = []
            for scenario in scenarios:
                presses = [
                    await scenario.async_press(hass)
                    for _ in range(WARMUP_TOGGLES // 5 + WARM_PRESSES)
                ]
                warm.append(presses[WARMUP_TOGGLES // 5 :])
            kept = [KeepWarm() for _ in scenarios]
            keeping = [
                asyncio.create_task(
                    async_keep_warm(scenario, account.user.id, shape.keep_warm, kept[i])
                )
                for i, (scenario, shape, account) in enumerate(
                    zip(scenarios, shapes, state.accounts(), strict=True)
                )
                if shape.keep_warm is not None
            ]
            try:
                idle = await asyncio.gather(
                    *(async_idle_presses(hass, scenario) for scenario in scenarios)
                )
            finally:
                for task in keeping:
                    task.cancel()
                await asyncio.gather(*keeping, return_exceptions=True)
    finally:
        for scenario in scenarios:
            await hass.config_entries.async_unload(scenario.entry.entry_id)
            await scenario.zoom.close()
        await hass.async_block_till_done()
        await shared_session.close()

    for shape in PRESS_SHAPES:
        mine = [index for index, item in enumerate(shapes) if item is shape]
        warm_presses = [press for index in mine for press in warm[index]]
        short = [idle[index][0] for index in mine]
        long = [idle[index][1] for index in mine]
        # Correctness: no poll in the short idle, at least one in the long one
        # (with a keep-warm, its requests come in both).
        if shape.keep_warm is None:
            assert all(press.between == 0 for press in short), shape.label
        assert all(press.between > 0 for press in long), shape.label
        if shape.keep_warm is None:
            short_label = f"after {idle_range(short)} without a request"
            long_label = (
                f"over {LONG_IDLE_S:.0f} s after the last press, just before a poll "
                f"({idle_range(long)} after the last)"
            )
        else:
            short_label = (
                f"{SHORT_IDLE_S:.0f} s after the last press "
                f"({idle_range(short)} after the keep-warm's last request)"
            )
            long_label = (
                f"over {LONG_IDLE_S:.0f} s after the last press "
                f"({idle_range(long)} after the keep-warm's last request)"
            )
        for measurement, presses in (
            (f"warm, median of {len(warm_presses)}", warm_presses),
            (f"{short_label}, median of {len(short)}", short),
            (f"{long_label}, median of {len(long)}", long),
        ):
            report.add(
                f"Press → PATCH at Zoom, {shape.label}: {measurement}",
                press_result(presses),
                f"≤ floor + {FLOOR_MARGIN_S * 1000:.0f} ms (median), 0 new connections"
                if shape.own_pool
                else "(today's shape, for comparison)",
                press_met(presses) if shape.own_pool else None,
            )
        if shape.keep_warm is not None:
            mine_kept = [kept[index] for index in mine]
            report.add(
                f"Cost of the keep-warm above (the meeting live throughout), "
                f"{len(mine_kept)} entries",
                f"{statistics.median(k.per_hour for k in mine_kept):.0f} requests "
                f"an hour per entry ({sum(k.requests for k in mine_kept)} requests "
                f"in {sum(k.seconds for k in mine_kept):.0f} s), besides the "
                f"{3600 / SCAN_INTERVAL.total_seconds():.0f} polls",
            )
    finish(report)


def idle_range(presses: list[Press]) -> str:
    """Format how long Zoom had had no request when the presses began."""
    low = round(min(press.idle for press in presses))
    high = round(max(press.idle for press in presses))
    return f"{low} s" if low == high else f"{low}–{high} s"


def switch_for(hass: HomeAssistant, user_id: str, meeting: SimulatedMeeting) -> str:
    """Return the entity ID of the live-stream switch of `user_id`'s meeting."""
    entity_id = er.async_get(hass).async_get_entity_id(
        Platform.SWITCH, DOMAIN, f"{user_id}_{meeting.id}_{LIVE_STREAM_KEY}"
    )
    assert entity_id is not None, f"no switch for meeting {meeting.id}"
    return entity_id


# -- 7. start-up held up by an entry, Zoom 40 ms away ----------------------------------


@pytest.mark.item(7)
async def test_startup_far_away(
    hass: HomeAssistant,
    socket_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
    report: Section,
) -> None:
    """How long setting up the integration holds up Home Assistant's start.

    Without an entry, the integration only registers its actions. With one, its
    setup (the token, then the lists side by side) is what start waits for;
    the pool is empty then, so the token's request opens a connection and the
    lists' connections open while it is asked for. Measured on the first setup
    and on repeated ones (each unload closes the pool again). The simulator
    serves the token and the API on one host, so the token's connection is one
    more in the pool than the lists need; Zoom's token comes from another host.
    """
    server_context, client_context = tls_contexts()
    state = SimulatorState()
    state.chunk_pause = 0.0
    state.add_meetings(STARTUP_MEETINGS - 1)
    add_streamable(state, "Bench start-up")
    zoom = await async_far_zoom(state, server_context, server_keepalive=75.0)
    monkeypatch.setenv(SIMULATOR_ENV, zoom.base)
    round_trip = 2 * ONE_WAY_S
    try:
        with patch(
            "custom_components.zoom_livestream.websession.get_default_context",
            return_value=client_context,
        ):
            start = time.perf_counter()
            assert await async_setup_component(hass, DOMAIN, {})
            await hass.async_block_till_done()
            without = time.perf_counter() - start

            entry = simulated_entry(state.primary_account())
            entry.add_to_hass(hass)
            setups: list[float] = []
            costs: list[tuple[int, int, int]] = []
            for _ in range(STARTUP_RUNS):
                seen = len(zoom.site.arrivals)
                connections = zoom.proxy.connections
                handshakes = zoom.proxy.tls_handshakes
                start = time.perf_counter()
                assert await hass.config_entries.async_setup(entry.entry_id)
                await hass.async_block_till_done()
                setups.append(time.perf_counter() - start)
                assert entry.state is ConfigEntryState.LOADED
                assert len(entry.runtime_data.coordinator.data.meetings) == (
                    STARTUP_MEETINGS
                )
                costs.append(
                    (
                        len(zoom.site.arrivals) - seen,
                        zoom.proxy.connections - connections,
                        zoom.proxy.tls_handshakes - handshakes,
                    )
                )
                assert await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_block_till_done()
    finally:
        await zoom.close()

    held = statistics.median(setups)
    requests, connections, handshakes = max(costs)
    # The token on a new connection (TCP, TLS, the request), then two round trips.
    target_round_trips = 3 + 2
    report.add(
        "Home Assistant start: the integration set up without an entry",
        ms(without),
    )
    report.add(
        f"Home Assistant start held up by an entry ({STARTUP_MEETINGS} meetings), "
        f"Zoom {ONE_WAY_S * 1000:.0f} ms away over TLS 1.3, median of "
        f"{STARTUP_RUNS} setups (first: {setups[0]:.2f} s)",
        f"+{held:.2f} s = {held / round_trip:.1f} round trips; the token, then "
        f"{plural(requests - 1, 'list')} side by side; "
        f"{plural(connections, 'new connection')}, "
        f"{plural(handshakes, 'TLS handshake')}",
        f"≤ the token + 2 round trips ({target_round_trips} round trips, "
        f"{target_round_trips * round_trip:.2f} s)",
        held <= target_round_trips * round_trip + FLOOR_MARGIN_S,
    )
    finish(report)


# -- 8. a burst of signed created events ----------------------------------------------

BURST_EVENTS = 10_000
BURST_LISTED = 100
# Deliveries in flight at once, as Zoom sends from several workers.
BURST_CONCURRENCY = 10
BURST_SECRET = "bench-webhook-secret"


@pytest.mark.item(8)
async def test_created_burst(
    hass: HomeAssistant,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    report: Section,
) -> None:
    """10,000 signed `meeting.created` deliveries through the real webhook receiver.

    The followed user's meetings, created by a bulk tool and deleted again: Zoom
    sent each created event, and its lists no longer show them. The entry adds
    at most MAX_CREATED_UNLISTED ahead of the lists, asks for one list read at
    the next poll, and then holds what Zoom lists. Timed from the first POST to
    the last answer and Home Assistant idle again.
    """
    state = simulator.state
    state.add_meetings(BURST_LISTED - 1)
    running = add_streamable(state, "Bench burst running")
    account = state.primary_account()
    deliveries: list[tuple[bytes, dict[str, str]]] = []
    for number in range(1, BURST_EVENTS + 1):
        meeting = state.add_meeting(f"Bench burst {number}")
        event = created_event(
            account.account_id,
            meeting,
            operator=account.user.email,
            operator_id=account.user.id,
            event_ts=state.now_ms(),
        )
        # Deleted again: no event is queued (the simulator pushes nothing here).
        state.delete_meeting(meeting.id)
        deliveries.append(signed_delivery(BURST_SECRET, event))
    async with loaded_entry(hass, simulator, {CONF_WEBHOOK_SECRET: BURST_SECRET}) as (
        entry,
        _,
    ):
        coordinator: ZoomCoordinator = entry.runtime_data.coordinator
        assert running.id in coordinator.data.live_meeting_ids
        devices = dr.async_get(hass)
        entities = er.async_get(hass)

        def counts() -> tuple[int, int]:
            return (
                len(dr.async_entries_for_config_entry(devices, entry.entry_id)),
                len(er.async_entries_for_config_entry(entities, entry.entry_id)),
            )

        before_devices, before_entities = counts()
        per_meeting = len(
            er.async_entries_for_device(
                entities,
                next(
                    device.id
                    for device in dr.async_entries_for_config_entry(
                        devices, entry.entry_id
                    )
                    if any(str(running.id) in ident for _, ident in device.identifiers)
                ),
            )
        )
        client = await hass_client_no_auth()
        url = f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"
        queue = iter(deliveries)
        answers: list[int] = []
        latencies: list[float] = []

        async def sender() -> None:
            for body, headers in queue:
                sent = time.perf_counter()
                async with client.post(url, data=body, headers=headers) as response:
                    await response.read()
                    answers.append(response.status)
                latencies.append(time.perf_counter() - sent)

        state.clear_log()
        start = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(BURST_CONCURRENCY)))
        await hass.async_block_till_done()
        burst_seconds = time.perf_counter() - start
        during = len(state.requests)
        after_devices, after_entities = counts()

        # The next poll reads the lists once, and the entry holds what they say.
        start = time.perf_counter()
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        poll_seconds = time.perf_counter() - start
        assert coordinator.last_update_success
        requests = len(state.requests)
        lists = sum(r.query.get("type") == "scheduled" for r in state.requests)
        settled_devices, settled_entities = counts()
        await client.close()

    # Correctness: every delivery was accepted, none was taken for a replay.
    assert answers.count(200) == BURST_EVENTS, sorted(set(answers))
    device_bound = before_devices + MAX_CREATED_UNLISTED
    entity_bound = before_entities + MAX_CREATED_UNLISTED * per_meeting
    full_list = expected_poll_requests(BURST_LISTED)
    report.add(
        f"{BURST_EVENTS:,} signed `meeting.created` deliveries through the webhook "
        f"receiver, {BURST_CONCURRENCY} at a time, {BURST_LISTED} meetings listed "
        "(the created ones deleted again)",
        f"{burst_seconds:.2f} s ({burst_seconds / BURST_EVENTS * 1e3:.2f} ms per "
        f"delivery; latency median {ms(statistics.median(latencies))}, "
        f"p95 {ms(p95(latencies))}); all answered 200",
    )
    report.add(
        f"Devices / entities after the {BURST_EVENTS:,} created events",
        f"{after_devices} / {after_entities} (before: {before_devices} / "
        f"{before_entities})",
        f"≤ listed + running + MAX_CREATED_UNLISTED ({device_bound} / {entity_bound})",
        after_devices <= device_bound and after_entities <= entity_bound,
    )
    report.add(
        "Devices / entities after the next poll",
        f"{settled_devices} / {settled_entities}; poll {ms(poll_seconds)}",
        f"what Zoom lists ({before_devices} / {before_entities})",
        (settled_devices, settled_entities) == (before_devices, before_entities),
    )
    report.add(
        "Zoom requests the burst caused (during it / with the next poll)",
        f"{during} / {requests} ({lists} list read)",
        f"≤ one list refresh ({full_list} requests)",
        during == 0 and requests <= full_list and lists == 1,
    )
    finish(report)
