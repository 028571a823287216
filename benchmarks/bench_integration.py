"""Benchmarks: the real integration inside Home Assistant against the simulator.

Everything runs over real loopback HTTP on 127.0.0.1, as in
tests/test_simulator_e2e.py. This module is not part of the test suite
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

from collections.abc import AsyncIterator, Iterator
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import gc
import math
import os
from pathlib import Path
import platform
import statistics
import sys
import time
import tracemalloc
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp.test_utils import TestServer
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zoom_livestream.connection import SIMULATOR_ENV
from custom_components.zoom_livestream.const import (
    DOMAIN,
    LIVE_STREAM_KEY,
    SERVICE_UPDATE_SETTINGS,
)
from custom_components.zoom_livestream.coordinator import ZoomCoordinator
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
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from zoom_simulator import SimulatedMeeting, SimulatorState, create_app
from zoom_simulator.state import DEFAULT_USER_ID

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
def results() -> Iterator[Results]:
    """Collect every test's rows; print and save the table when the module ends."""
    collected = Results()
    yield collected
    text = collected.markdown()
    RESULTS_FILE.write_text(text, encoding="utf-8")
    # Printing the table is this module's purpose (run with -s to see it).
    print(f"\n\n{text}\nWritten to {RESULTS_FILE}")  # noqa: T201


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


@pytest.fixture
async def simulator(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Simulator]:
    """Serve an empty simulator on a free loopback port (a real socket)."""
    state = SimulatorState()
    # Large pages still go out chunked, but without the pauses that stand for a
    # real network: these figures are the integration's own costs.
    state.chunk_pause = 0.0
    server = TestServer(create_app(state), host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    # The integration reaches the simulator as a contributor's does.
    monkeypatch.setenv(SIMULATOR_ENV, base)
    try:
        yield Simulator(state, base)
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
    hass: HomeAssistant, simulator: Simulator
) -> AsyncIterator[tuple[MockConfigEntry, float]]:
    """Set up a fresh entry; yield it with its setup time; unload it afterwards.

    Unloading cancels the coordinator's timer, which the test harness would
    otherwise report as lingering.
    """
    state = simulator.state
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=state.user.email,
        unique_id=state.user.id,
        data={
            "auth_type": "server_to_server",
            "account_id": state.account_id,
            "client_id": state.client_id,
            "client_secret": state.client_secret,
            "cloud": "global",
        },
        version=1,
        minor_version=3,
    )
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
    state: SimulatorState,
    runs: int,
    *,
    full: bool,
) -> tuple[float, int]:
    """Return the median time and the most requests of `runs` refreshes."""
    seconds: list[float] = []
    requests = 0
    for _ in range(runs):
        state.clear_log()
        start = time.perf_counter()
        await coordinator.async_refresh()
        seconds.append(time.perf_counter() - start)
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
                hass, coordinator, state, runs, full=True
            )
        # Within 15 minutes of the last full refresh, only the live list is read.
        live_seconds, live_requests = await async_time_refreshes(
            hass, coordinator, state, runs, full=False
        )
        # A toggle must not cost more because the account has more meetings.
        switch = switch_of(hass, streamable)
        toggles = [
            await async_toggle(hass, [switch], on=index % 2 == 0)
            for index in range(WARMUP_TOGGLES + SCALE_TOGGLES)
        ][WARMUP_TOGGLES:]
        assert not streamable.streaming
    results.full_refresh_seconds[meetings] = full_seconds
    results.toggle_seconds[meetings] = statistics.median(toggles)
    expected = expected_poll_requests(meetings)
    pages = expected - 2
    # Per meeting only where the fixed cost of three requests no longer dominates.
    per_meeting = (
        f" ({full_seconds / meetings * 1e6:.0f} µs/meeting)" if meetings >= 100 else ""
    )
    report.add(
        f"Full refresh, {plural(meetings, 'meeting')} (median of {runs})",
        f"{plural(full_requests, 'request')}, {ms(full_seconds)}{per_meeting}; "
        f"first refresh at setup: {plural(first_refresh, 'request')}",
        f"{expected} ({plural(pages, 'page')} of {PAGE_SIZE} + webinars + live)",
        full_requests == expected == first_refresh,
    )
    report.add(
        f"Live-only refresh, {plural(meetings, 'meeting')} (median of {runs})",
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


@pytest.mark.item(4)
@pytest.mark.parametrize("meetings", SETUP_SIZES)
async def test_setup_time(
    hass: HomeAssistant, simulator: Simulator, report: Section, meetings: int
) -> None:
    """Setup time of a large account, without tracemalloc slowing it down."""
    simulator.state.add_meetings(meetings)
    async with loaded_entry(hass, simulator) as (entry, setup_seconds):
        coordinator: ZoomCoordinator = entry.runtime_data.coordinator
        assert len(coordinator.data.meetings) == meetings
        entities = len(
            er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        )
    report.add(
        f"Setup, {meetings:,} meetings ({entities:,} entities)",
        f"{setup_seconds:.2f} s ({setup_seconds / meetings * 1e3:.2f} ms/meeting)",
    )
    finish(report)


@pytest.mark.item(4)
@pytest.mark.parametrize("meetings", SETUP_SIZES)
async def test_setup_memory(
    hass: HomeAssistant, simulator: Simulator, report: Section, meetings: int
) -> None:
    """Memory a large account's entry keeps, traced in a Home Assistant of its own.

    A separate test from the setup time: tracemalloc slows setup several times.
    """
    # The simulator's meetings exist before tracing starts: they are not Home
    # Assistant's memory. Collected first, so earlier garbage is not counted.
    simulator.state.add_meetings(meetings)
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        async with loaded_entry(hass, simulator) as (entry, _):
            gc.collect()
            after, peak = tracemalloc.get_traced_memory()
            coordinator: ZoomCoordinator = entry.runtime_data.coordinator
            assert len(coordinator.data.meetings) == meetings
    finally:
        tracemalloc.stop()
    mib = 1024**2
    report.add(
        f"Memory kept after setup, {meetings:,} meetings (tracemalloc)",
        f"+{(after - before) / mib:.1f} MiB "
        f"({(after - before) / meetings / 1024:.1f} KiB/meeting), "
        f"peak +{(peak - before) / mib:.1f} MiB",
    )
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
