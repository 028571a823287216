"""Faults: Zoom or the network failing in every way, and nothing lost afterwards.

Each test ends with the same check: the stored display settings and the
options survive, and no secret reached a log line.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import timedelta
from http import HTTPStatus
import logging
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.zoom_livestream.const import DOMAIN, SCAN_INTERVAL
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .conftest import (
    CLIENT_SECRET,
    MEETING_ID,
    USER_ID,
    ZoomMock,
    async_poll,
    make_entry,
    state_of,
)

SWITCH = "switch.weekly_team_sync_live_stream"
SENSOR = "binary_sensor.weekly_team_sync_in_progress"
STATUS = f"/meetings/{MEETING_ID}/livestream/status"
LIVE_LIST = f"/users/{USER_ID}/meetings"
OPTIONS = {"include_webinars": True, "extra_users": [], "extra_meetings": []}
HTML = "<html><body><h1>502 Bad Gateway</h1></body></html>"
SECRETS = (CLIENT_SECRET, "access-token-", "stream-key-kept-secret")


@pytest.fixture
async def entry(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    caplog: pytest.LogCaptureFixture,
    hass_storage: dict[str, Any],
) -> AsyncGenerator[MockConfigEntry]:
    """Set up an entry with options and stored display settings; check nothing is lost."""
    caplog.set_level(logging.DEBUG)
    entry = make_entry(options=dict(OPTIONS))
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN,
        "update_settings",
        {
            "entity_id": SWITCH,
            "display_name": "HA Live",
            "stream_key": "stream-key-kept-secret",
        },
        blocking=True,
    )
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]["meetings"]
    zoom.clear_calls()
    yield entry
    # No display setting is lost, whatever happened.
    await hass.async_block_till_done()
    assert hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]["meetings"] == stored
    assert dict(entry.options) == OPTIONS
    for secret in SECRETS:
        assert secret not in caplog.text, f"{secret} was logged"


async def _toggle(hass: HomeAssistant, service: str = "turn_on") -> None:
    await hass.services.async_call(
        Platform.SWITCH, service, {"entity_id": SWITCH}, blocking=True
    )


async def test_token_expired_between_calls(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    entry: MockConfigEntry,
) -> None:
    """An hour later the token is renewed before the toggle, not after a 401."""
    freezer.tick(timedelta(seconds=3600))
    await _toggle(hass)
    assert [(c.method, c.url.path) for c in zoom.calls] == [
        ("POST", "/oauth/token"),
        ("PATCH", f"/v2{STATUS}"),
    ]
    assert zoom.calls[1].headers["Authorization"] == "Bearer access-token-2"
    assert state_of(hass, SWITCH) == STATE_ON


async def test_token_endpoint_down(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    entry: MockConfigEntry,
) -> None:
    """No new token: the toggle explains, nothing changes, and the next one works."""
    freezer.tick(timedelta(seconds=3600))
    zoom.fail("POST", "token", HTTPStatus.SERVICE_UNAVAILABLE, text=HTML)
    with pytest.raises(HomeAssistantError) as err:
        await _toggle(hass)
    assert err.value.translation_key == "cannot_connect"
    assert state_of(hass, SWITCH) == STATE_OFF
    zoom.heal()
    await _toggle(hass)
    assert state_of(hass, SWITCH) == STATE_ON


@pytest.mark.parametrize(
    ("fault", "attempts"),
    [
        ({"status": HTTPStatus.INTERNAL_SERVER_ERROR, "text": HTML}, 1),
        ({"status": HTTPStatus.BAD_GATEWAY, "text": HTML}, 1),
        ({"status": HTTPStatus.SERVICE_UNAVAILABLE, "text": HTML}, 1),
        # Zoom may still be applying a PATCH it has not answered in time.
        ({"exc": TimeoutError()}, 1),
        # Closed before any answer, as a kept-alive connection Zoom closed as
        # idle is: sent once more (on a new connection), never a third time.
        ({"exc": aiohttp.ClientOSError(104, "Connection reset by peer")}, 2),
        ({"exc": aiohttp.ServerDisconnectedError()}, 2),
    ],
    ids=["500", "502", "503", "timeout", "reset", "disconnected"],
)
async def test_toggle_faults(
    hass: HomeAssistant,
    zoom: ZoomMock,
    entry: MockConfigEntry,
    fault: dict[str, Any],
    attempts: int,
) -> None:
    """Server errors and network faults: a clear error, state unchanged."""
    zoom.fail("PATCH", STATUS, **fault)
    with pytest.raises(HomeAssistantError) as err:
        await _toggle(hass)
    assert err.value.translation_key == "cannot_connect"
    assert [(call.method, call.url.path) for call in zoom.calls] == [
        ("PATCH", f"/v2{STATUS}")
    ] * attempts
    assert state_of(hass, SWITCH) == STATE_OFF


@pytest.mark.parametrize(
    "fault",
    [
        {"status": HTTPStatus.INTERNAL_SERVER_ERROR, "text": HTML},
        {"status": HTTPStatus.BAD_GATEWAY, "text": HTML},
        {"status": HTTPStatus.SERVICE_UNAVAILABLE, "text": HTML},
        {"exc": TimeoutError()},
        {"exc": aiohttp.ClientOSError(104, "Connection reset by peer")},
    ],
    ids=["500", "502", "503", "timeout", "reset"],
)
async def test_poll_faults_recover_without_reload(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    fault: dict[str, Any],
) -> None:
    """Unreachable while running: unavailable, one line each way, back by itself."""
    await _toggle(hass)
    zoom.fail("GET", LIVE_LIST, **fault)
    for _ in range(3):
        await async_poll(hass, freezer)
    assert state_of(hass, SWITCH) == STATE_UNAVAILABLE
    assert state_of(hass, SENSOR) == STATE_UNAVAILABLE
    zoom.heal()
    await async_poll(hass, freezer)
    assert state_of(hass, SENSOR) == STATE_ON
    # The stream state survives the outage: the meeting is still live.
    assert state_of(hass, SWITCH) == STATE_ON
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    recovered = [r for r in caplog.records if "recovered" in r.getMessage()]
    assert len(errors) == 1
    assert len(recovered) == 1
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "300"}, 300),
        ({"Retry-After": "Thu, 01 Jan 2099 00:00:00 GMT"}, None),
        ({}, 120),
    ],
    ids=["seconds", "http-date", "missing"],
)
async def test_rate_limited_poll_backs_off(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
    wait: int | None,
) -> None:
    """429 while polling: wait as Retry-After says (or 2 minutes), then poll again."""
    zoom.fail(
        "GET",
        LIVE_LIST,
        HTTPStatus.TOO_MANY_REQUESTS,
        {"code": 429, "message": "Too many requests."},
        headers=headers,
        times=1,
    )
    await async_poll(hass, freezer)
    coordinator = entry.runtime_data.coordinator
    assert coordinator.update_interval is not None
    if wait is None:
        # A date far away: back off, but at most an hour, and say so; polling
        # must not stop until a reload.
        assert coordinator.update_interval == timedelta(hours=1)
        assert "waiting 3600 s" in caplog.text
        zoom.clear_calls()
        await async_poll(hass, freezer, timedelta(hours=1))
        assert zoom.calls
        assert coordinator.update_interval == SCAN_INTERVAL
        return
    assert coordinator.update_interval == timedelta(seconds=wait)
    zoom.clear_calls()
    await async_poll(hass, freezer, timedelta(seconds=wait - 11))
    assert zoom.calls == []
    await async_poll(hass, freezer, timedelta(seconds=19))
    assert len(zoom.calls) == 1
    assert coordinator.update_interval == SCAN_INTERVAL


async def test_rate_limited_toggle_is_not_retried(
    hass: HomeAssistant, zoom: ZoomMock, entry: MockConfigEntry
) -> None:
    """429 on a toggle: one request, a message with the wait, no automatic retry."""
    zoom.fail(
        "PATCH",
        STATUS,
        HTTPStatus.TOO_MANY_REQUESTS,
        {"code": 429, "message": "Retry after 30 seconds."},
        headers={"Retry-After": "30"},
    )
    with pytest.raises(HomeAssistantError, match="Try again in 30 seconds"):
        await _toggle(hass)
    await hass.async_block_till_done()
    assert len(zoom.calls) == 1
    assert state_of(hass, SWITCH) == STATE_OFF


async def test_unreachable_at_startup_then_back(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Setup is retried by Home Assistant and succeeds once Zoom answers."""
    caplog.set_level(logging.DEBUG)
    entry = make_entry(options=dict(OPTIONS))
    entry.add_to_hass(hass)
    zoom.fail("POST", "token", exc=aiohttp.ClientConnectionError("Connection refused"))
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    zoom.heal()
    freezer.tick(timedelta(seconds=90))
    async_fire_time_changed(hass)
    # The retry runs as a background task.
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, SENSOR) == STATE_ON
    assert dict(entry.options) == OPTIONS
    assert CLIENT_SECRET not in caplog.text


# -- numbers and shapes from outside with no bound ------------------------------------

DEEP_JSON = "[" * 100_000 + "]" * 100_000


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing is logged as unexpected, with a traceback, at warning level or above.

    (Home Assistant 2026.x adds a debug "Full error" record with the traceback of
    every failed poll, whatever failed: that one is expected.)
    """
    assert "Unexpected error" not in caplog.text
    assert not [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING and record.exc_info
    ]


async def test_huge_retry_after_on_a_poll_backs_off_an_hour(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Retry-After: 1e18 is held to an hour, logged, and polling goes on."""
    zoom.fail(
        "GET",
        LIVE_LIST,
        HTTPStatus.TOO_MANY_REQUESTS,
        {"code": 429, "message": "Too many requests."},
        headers={"Retry-After": "1e18"},
        times=1,
    )
    await async_poll(hass, freezer)
    coordinator = entry.runtime_data.coordinator
    assert coordinator.update_interval == timedelta(hours=1)
    assert "waiting 3600 s" in caplog.text
    assert_no_traceback(caplog)
    zoom.clear_calls()
    await async_poll(hass, freezer, timedelta(hours=1))
    assert zoom.calls
    assert coordinator.last_update_success


async def test_huge_retry_after_on_a_toggle_is_explained(
    hass: HomeAssistant, zoom: ZoomMock, entry: MockConfigEntry
) -> None:
    """A toggle refused with Retry-After: 1e18 says an hour, not a 19-digit number."""
    zoom.fail(
        "PATCH",
        STATUS,
        HTTPStatus.TOO_MANY_REQUESTS,
        {"code": 429, "message": "Too many requests."},
        headers={"Retry-After": "1e18"},
    )
    with pytest.raises(HomeAssistantError) as err:
        await _toggle(hass)
    assert err.value.translation_key == "rate_limited_wait"
    assert "Try again in 3600 seconds" in str(err.value)


async def test_deeply_nested_error_body_is_just_a_refusal(
    hass: HomeAssistant, zoom: ZoomMock, entry: MockConfigEntry
) -> None:
    """Nesting that exhausts the JSON parser is a malformed body, not a RecursionError."""
    zoom.fail("PATCH", STATUS, HTTPStatus.BAD_REQUEST, text=DEEP_JSON)
    with pytest.raises(HomeAssistantError) as err:
        await _toggle(hass)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "api_error"
    assert state_of(hass, SWITCH) == STATE_OFF


async def test_deeply_nested_list_fails_the_poll_cleanly(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A live list nested too deep is a failed poll with one log line, no traceback."""
    zoom.fail("GET", LIVE_LIST, HTTPStatus.OK, text=DEEP_JSON)
    await async_poll(hass, freezer)
    assert state_of(hass, SWITCH) == STATE_UNAVAILABLE
    assert_no_traceback(caplog)
    assert "RecursionError" not in caplog.text
    zoom.heal()
    await async_poll(hass, freezer)
    assert state_of(hass, SWITCH) == STATE_OFF
