"""Helpers of the tests that run automations against "Weekly team sync".

The blueprints' tests and the README examples' tests drive the same meeting
with a frozen clock: these let time pass, let Zoom be polled, and read what
was sent to Zoom about the meeting's stream.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.zoom_livestream.const import DOMAIN, SCAN_INTERVAL
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant, async_get_hass_or_none

from .conftest import MEETING_ID, ZoomMock, state_of

SWITCH = "switch.weekly_team_sync_live_stream"
SENSOR = "binary_sensor.weekly_team_sync_in_progress"
# Turns of the event loop that let a trigger, a service call and a mocked Zoom
# request run to their end (a few dozen are needed; see `async_settle`).
SETTLE_TURNS = 200
# Rounds of those turns while executor jobs keep making more work ready.
SETTLE_ROUNDS = 20
EXECUTOR_JOB_TIMEOUT = 10.0


async def async_settle() -> None:
    """Run everything that is ready: event handlers, service calls, mocked requests.

    Not `hass.async_block_till_done()`: it waits until an automation's run ends,
    and with the clock frozen a run that waits in its delay never ends. Zoom is
    mocked and nothing reads a socket, so everything that is ready runs within
    these turns of the event loop; the tests check how many runs are still
    running to know that a run really ended.
    """
    for _ in range(SETTLE_ROUNDS):
        for _ in range(SETTLE_TURNS):
            await asyncio.sleep(0)
        # Work handed to a thread (reading translations for a refusal's message)
        # ends in real time, which a busy machine stretches past any number of
        # turns: wait for it, then run what it made ready.
        if not (jobs := _executor_jobs()):
            return
        await asyncio.wait(jobs, timeout=EXECUTOR_JOB_TIMEOUT)


def _executor_jobs() -> list[asyncio.Future[Any]]:
    """Return the executor jobs of the test's Home Assistant still running."""
    hass = async_get_hass_or_none()
    if hass is None:
        return []
    return [
        job
        for job in (*hass._tasks, *hass._background_tasks)  # noqa: SLF001
        if not isinstance(job, asyncio.Task) and not job.done()
    ]


async def async_wait(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Let `seconds` pass: automations' delays and the integration's polls."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await async_settle()


async def async_poll_zoom(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let a poll's interval pass, also while an automation waits in a delay.

    The poll itself is asked for too: the one the interval's timer starts did
    not always end within the settling on a busy machine (one go-live test in
    a few runs on 2026.10). A second poll reads the same lists: harmless.
    """
    await async_wait(hass, freezer, SCAN_INTERVAL.total_seconds() + 1)
    (entry,) = hass.config_entries.async_loaded_entries(DOMAIN)
    await entry.runtime_data.coordinator.async_refresh()
    await async_settle()


async def async_meeting_starts(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, zoom: ZoomMock
) -> None:
    """End the live meeting, then start it again: In progress goes off, then on."""
    zoom.live.discard(MEETING_ID)
    await async_poll_zoom(hass, freezer)
    assert state_of(hass, SENSOR) == STATE_OFF
    zoom.live.add(MEETING_ID)
    await async_poll_zoom(hass, freezer)
    assert state_of(hass, SENSOR) == STATE_ON


def stream_requests(zoom: ZoomMock, meeting_id: int = MEETING_ID) -> list[Any]:
    """Return the start/stop bodies sent for a meeting's stream, in order."""
    path = f"/meetings/{meeting_id}/livestream/status"
    return [
        call.json for call in zoom.calls if (call.method, call.path) == ("PATCH", path)
    ]


def starts(zoom: ZoomMock) -> int:
    """Return how many stream starts of "Weekly team sync" were sent to Zoom."""
    return sum(1 for body in stream_requests(zoom) if body["action"] == "start")
