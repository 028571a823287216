"""Home Assistant's start is not held up longer than needed.

After the token, the first refresh's list requests are independent of one
another: they go to Zoom at once, so the entry is set up in two round trips (the
token's and the lists'), however many lists it reads.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .conftest import ZoomMock, make_entry, meeting_json

ROUND_TRIP = 0.05


class RoundTrips:
    """Answer every request after a delay; count how many were at Zoom at once."""

    def __init__(self, zoom: ZoomMock) -> None:
        """Delay `zoom`'s answers."""
        self.in_flight = 0
        self.most = 0
        self.paths: list[str] = []
        zoom.gate = self._gate

    async def _gate(self, method: str, path: str) -> None:
        self.paths.append(path)
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            await asyncio.sleep(ROUND_TRIP)
        finally:
            self.in_flight -= 1


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up and wait until it is done."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_first_refresh_sends_its_lists_at_once(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Meetings, webinars and the live list go together after the token."""
    trips = RoundTrips(zoom)
    await setup(hass, make_entry())
    assert trips.paths[0] == "token"
    assert sorted(trips.paths[1:]) == sorted(
        ["/users/user-xyz/meetings", "/users/user-xyz/webinars"] * 1
        + ["/users/user-xyz/meetings"]
    )
    assert trips.most == 3


async def test_every_list_of_the_options_goes_at_once(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Other users and extra meetings too, within a bound kind to Zoom's limits."""
    zoom.add_colleague("jane-id", "jane@example.com")
    zoom.instant[11122233344] = {**meeting_json(11122233344, "Partner"), "host_id": "x"}
    trips = RoundTrips(zoom)
    await setup(
        hass,
        make_entry(
            {"extra_users": ["jane@example.com"], "extra_meetings": ["11122233344"]}
        ),
    )
    # Own and Jane's meetings, webinars and live lists, and the extra meeting.
    assert len(trips.paths) == 1 + 7
    assert trips.most == 7


async def test_a_refused_list_still_fails_setup_cleanly(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """The own user's list refused: setup is retried, nothing half-done stays."""
    zoom.fail(
        "GET", "/users/user-xyz/webinars", HTTPStatus.SERVICE_UNAVAILABLE, text="x"
    )
    trips = RoundTrips(zoom)
    entry = make_entry()
    await setup(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert trips.in_flight == 0


@pytest.mark.parametrize("users", [12])
async def test_parallel_requests_are_bounded(
    hass: HomeAssistant, zoom: ZoomMock, users: int
) -> None:
    """Many other users do not send dozens of requests to Zoom at one moment."""
    emails = [f"user{number}@example.com" for number in range(users)]
    for number, email in enumerate(emails):
        zoom.add_colleague(f"user-{number}", email)
    trips = RoundTrips(zoom)
    await setup(hass, make_entry({"extra_users": emails}))
    assert len(trips.paths) == 1 + 3 * (users + 1)
    assert trips.most == 8
