"""The live-stream switch: exact requests, errors, parallelism, restore."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
import gc
from http import HTTPStatus
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.zoom_livestream.const import (
    DOMAIN,
    LIST_REFRESH_INTERVAL,
    SCAN_INTERVAL,
)
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import (
    ATTR_ENTITY_ID,
    MAJOR_VERSION,
    MINOR_VERSION,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component

from .conftest import (
    MEETING_ID,
    OTHER_MEETING_ID,
    USER_ID,
    WEBINAR_ID,
    SetupIntegration,
    ZoomMock,
    async_poll,
    meeting_json,
    state_of,
)

SWITCH = "switch.weekly_team_sync_live_stream"
OTHER_SWITCH = "switch.product_launch_live_stream"
WEBINAR_SWITCH = "switch.quarterly_all_hands_live_stream"
STATUS_PATH = f"/meetings/{MEETING_ID}/livestream/status"


async def _switch(
    hass: HomeAssistant, service: str, entity_id: str | list[str]
) -> None:
    await hass.services.async_call(
        Platform.SWITCH, service, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


@pytest.mark.parametrize(
    ("entity_id", "service", "path", "action", "state"),
    [
        (SWITCH, SERVICE_TURN_ON, STATUS_PATH, "start", STATE_ON),
        (SWITCH, SERVICE_TURN_OFF, STATUS_PATH, "stop", STATE_OFF),
        (
            WEBINAR_SWITCH,
            SERVICE_TURN_ON,
            f"/webinars/{WEBINAR_ID}/livestream/status",
            "start",
            STATE_ON,
        ),
    ],
    ids=["turn_on", "turn_off", "webinar_turn_on"],
)
@pytest.mark.usefixtures("init_integration")
async def test_each_command_sends_one_request(
    hass: HomeAssistant,
    zoom: ZoomMock,
    entity_id: str,
    service: str,
    path: str,
    action: str,
    state: str,
) -> None:
    """On or off sends exactly one PATCH with the action, and shows the result.

    The stop follows a start (so the stream is on); webinars go to /webinars/.
    """
    zoom.live_webinars.add(WEBINAR_ID)
    if service == SERVICE_TURN_OFF:
        await _switch(hass, SERVICE_TURN_ON, entity_id)
    zoom.clear_calls()
    await _switch(hass, service, entity_id)

    assert [(c.method, c.path, c.json) for c in zoom.calls] == [
        ("PATCH", path, {"action": action})
    ]
    call = zoom.calls[0]
    assert call.url.host == "api.zoom.us"
    assert call.headers["Authorization"] == "Bearer access-token-1"
    assert state_of(hass, entity_id) == state


# What the user can fix (the meeting's state, the stream target, the account's
# settings) is a ServiceValidationError: Home Assistant shows it without logging a
# traceback. Failures of Zoom or the network stay HomeAssistantError.
USER_FIXABLE = ServiceValidationError
ZOOM_FAILED = HomeAssistantError


@pytest.mark.parametrize(
    ("status", "body", "headers", "exc", "translation_key", "in_message", "kind"),
    [
        pytest.param(
            HTTPStatus.BAD_REQUEST,
            {"code": 3000, "message": f"Meeting {MEETING_ID} has not started."},
            None,
            None,
            "meeting_not_started",
            "has not started",
            USER_FIXABLE,
            id="not_started",
        ),
        pytest.param(
            HTTPStatus.NOT_FOUND,
            {"code": 3001, "message": f"Meeting does not exist: {MEETING_ID}."},
            None,
            None,
            "meeting_not_found",
            "does not exist",
            USER_FIXABLE,
            id="not_found",
        ),
        pytest.param(
            HTTPStatus.BAD_REQUEST,
            {"code": 3000, "message": "Not allowed to start live streaming."},
            None,
            None,
            "streaming_not_allowed",
            "Not allowed to start live streaming",
            USER_FIXABLE,
            id="host_setting_off",
        ),
        pytest.param(
            HTTPStatus.BAD_REQUEST,
            {"code": 200, "message": "Custom live streaming is not enabled."},
            None,
            None,
            "streaming_not_allowed",
            "Pro (or higher) host",
            USER_FIXABLE,
            id="plan",
        ),
        pytest.param(
            HTTPStatus.BAD_REQUEST,
            {
                "code": 3000,
                "message": "The meeting is not configured with a custom streaming "
                "service.",
            },
            None,
            None,
            "stream_target_missing",
            "zoom_livestream.update_settings",
            USER_FIXABLE,
            id="no_target",
        ),
        pytest.param(
            HTTPStatus.TOO_MANY_REQUESTS,
            {"code": 429, "message": "Retry after 30 seconds."},
            {"Retry-After": "30"},
            None,
            "rate_limited_wait",
            "Try again in 30 seconds",
            ZOOM_FAILED,
            id="rate_limited_30s",
        ),
        pytest.param(
            HTTPStatus.TOO_MANY_REQUESTS,
            {"code": 429, "message": "Too many requests."},
            None,
            None,
            "rate_limited",
            "Wait a little",
            ZOOM_FAILED,
            id="rate_limited_no_wait",
        ),
        pytest.param(
            HTTPStatus.BAD_REQUEST,
            {"code": 300, "message": "Validation Failed."},
            None,
            None,
            "api_error",
            "Validation Failed.",
            ZOOM_FAILED,
            id="validation",
        ),
        pytest.param(
            HTTPStatus.BAD_GATEWAY,
            None,
            None,
            None,
            "cannot_connect",
            "Cannot reach Zoom",
            ZOOM_FAILED,
            id="bad_gateway",
        ),
        pytest.param(
            0,
            None,
            None,
            aiohttp.ClientConnectionError(),
            "cannot_connect",
            "Cannot reach",
            ZOOM_FAILED,
            id="connection",
        ),
        pytest.param(
            0,
            None,
            None,
            TimeoutError(),
            "cannot_connect",
            "Cannot reach",
            ZOOM_FAILED,
            id="timeout",
        ),
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_refused_start_explains_and_keeps_state(
    hass: HomeAssistant,
    zoom: ZoomMock,
    status: int,
    body: Any,
    headers: dict[str, str] | None,
    exc: Exception | None,
    translation_key: str,
    in_message: str,
    kind: type[HomeAssistantError],
) -> None:
    """A refused start raises a translated error naming the reason; the switch stays off."""
    zoom.fail("PATCH", STATUS_PATH, status, body, headers=headers, exc=exc)
    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, SERVICE_TURN_ON, SWITCH)
    assert type(err.value) is kind
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == translation_key
    assert in_message in str(err.value)
    assert "Weekly team sync" in str(err.value)
    # Zoom named no wait: none is invented.
    assert translation_key != "rate_limited" or "seconds" not in str(err.value)
    assert state_of(hass, SWITCH) == STATE_OFF


@pytest.mark.usefixtures("init_integration")
async def test_refused_stop_keeps_stream_on(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A refused stop leaves the switch on."""
    await _switch(hass, SERVICE_TURN_ON, SWITCH)
    zoom.fail("PATCH", STATUS_PATH, exc=aiohttp.ServerDisconnectedError())
    with pytest.raises(HomeAssistantError):
        await _switch(hass, SERVICE_TURN_OFF, SWITCH)
    assert state_of(hass, SWITCH) == STATE_ON


@pytest.mark.usefixtures("init_integration")
async def test_auth_failure_starts_reauth(hass: HomeAssistant, zoom: ZoomMock) -> None:
    """Zoom refusing the credentials during a toggle asks the user to sign in again."""
    zoom.fail(
        "PATCH",
        STATUS_PATH,
        HTTPStatus.UNAUTHORIZED,
        {"code": 124, "message": "Invalid access token."},
    )
    zoom.fail(
        "token",
        "token",
        HTTPStatus.UNAUTHORIZED,
        {"error": "invalid_client", "reason": "Invalid client_id or client_secret"},
    )
    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, SERVICE_TURN_ON, SWITCH)
    assert err.value.translation_key == "auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


@pytest.mark.usefixtures("init_integration")
async def test_expired_token_is_renewed_once(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A 401 renews the token and repeats the request once."""
    zoom.fail(
        "PATCH",
        STATUS_PATH,
        HTTPStatus.UNAUTHORIZED,
        {"code": 124, "message": "Invalid access token."},
        times=1,
    )
    zoom.clear_calls()
    await _switch(hass, SERVICE_TURN_ON, SWITCH)
    assert [(c.method, c.path) for c in zoom.calls] == [
        ("PATCH", STATUS_PATH),
        ("POST", "/oauth/token"),
        ("PATCH", STATUS_PATH),
    ]
    assert zoom.calls[2].headers["Authorization"] == "Bearer access-token-2"
    assert state_of(hass, SWITCH) == STATE_ON


@pytest.mark.usefixtures("init_integration")
async def test_toggles_of_different_meetings_run_in_parallel(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Two meetings' start requests are in flight at the same time."""
    zoom.live.add(OTHER_MEETING_ID)
    both_arrived = asyncio.Event()
    arrived: list[str] = []

    async def gate(method: str, path: str) -> None:
        arrived.append(path)
        if len(arrived) == 2:
            both_arrived.set()
        # Serial toggles would never get the second request here: time out and fail.
        await asyncio.wait_for(both_arrived.wait(), timeout=2)

    zoom.gate = gate
    await _switch(hass, SERVICE_TURN_ON, [SWITCH, OTHER_SWITCH])
    assert sorted(arrived) == sorted(
        [STATUS_PATH, f"/meetings/{OTHER_MEETING_ID}/livestream/status"]
    )
    assert state_of(hass, SWITCH) == STATE_ON
    assert state_of(hass, OTHER_SWITCH) == STATE_ON


@pytest.mark.usefixtures("init_integration")
async def test_toggles_of_one_meeting_never_interleave(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """On and off of the same meeting run one after the other, in call order."""
    in_flight = 0
    most_in_flight = 0
    order: list[str] = []

    async def gate(method: str, path: str) -> None:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1

    zoom.gate = gate
    zoom.clear_calls()
    await asyncio.gather(
        _switch(hass, SERVICE_TURN_ON, SWITCH),
        _switch(hass, SERVICE_TURN_OFF, SWITCH),
        _switch(hass, SERVICE_TURN_ON, SWITCH),
    )
    order = [c.json["action"] for c in zoom.calls]
    assert most_in_flight == 1
    assert order == ["start", "stop", "start"]
    assert state_of(hass, SWITCH) == STATE_ON


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(("presses", "expected"), [(10, STATE_OFF), (9, STATE_ON)])
async def test_ten_quick_presses_of_a_toggle_button(
    hass: HomeAssistant, zoom: ZoomMock, presses: int, expected: str
) -> None:
    """A Stream Deck key pressed ten times in a second: each press flips the stream.

    Each press counts from the state the presses before it asked for, not from
    the state Zoom has confirmed so far; one request at a time, none lost, in order.
    """
    in_flight = 0
    most_in_flight = 0

    async def gate(method: str, path: str) -> None:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1

    zoom.gate = gate
    zoom.clear_calls()
    presses_done = [
        hass.async_create_task(
            hass.services.async_call(
                Platform.SWITCH, "toggle", {"entity_id": SWITCH}, blocking=True
            )
        )
        for _ in range(presses)
    ]
    await asyncio.gather(*presses_done)
    actions = [c.json["action"] for c in zoom.api_calls]
    assert actions == ["start", "stop"] * (presses // 2) + ["start"] * (presses % 2)
    assert most_in_flight == 1
    assert state_of(hass, SWITCH) == expected
    assert (MEETING_ID in zoom.streaming) is (expected == STATE_ON)


async def test_goes_off_when_the_meeting_ends(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """When a later poll no longer lists the meeting as live, the stream is off."""
    await _switch(hass, SERVICE_TURN_ON, SWITCH)
    zoom.live.discard(MEETING_ID)
    await async_poll(hass, freezer)
    assert state_of(hass, SWITCH) == STATE_OFF
    assert state_of(hass, "binary_sensor.weekly_team_sync_in_progress") == STATE_OFF


async def test_a_poll_sent_before_the_start_does_not_end_it(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """A poll already in flight when the stream started cannot tell that it ended."""
    poll_sent = asyncio.Event()
    release_poll = asyncio.Event()

    async def gate(method: str, path: str) -> None:
        if path.endswith("/meetings") and method == "GET":
            poll_sent.set()
            await release_poll.wait()

    zoom.gate = gate
    # The meeting starts just after the live list was read.
    zoom.live.discard(MEETING_ID)
    freezer.tick(SCAN_INTERVAL + timedelta(seconds=1))
    async_fire_time_changed(hass)
    await poll_sent.wait()
    zoom.live.add(MEETING_ID)
    freezer.tick(timedelta(seconds=1))
    await _switch(hass, SERVICE_TURN_ON, SWITCH)
    # The stale answer still lacks the meeting.
    zoom.live.discard(MEETING_ID)
    release_poll.set()
    await hass.async_block_till_done()
    assert state_of(hass, SWITCH) == STATE_ON


@pytest.mark.parametrize(
    ("live", "expected"),
    [(True, STATE_ON), (False, STATE_OFF)],
)
async def test_restart_restores_stream_while_meeting_runs(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    setup_integration: SetupIntegration,
    hass_storage: dict[str, Any],
    live: bool,
    expected: str,
) -> None:
    """After a restart the switch is on again only if the meeting still runs."""
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{mock_config_entry.entry_id}",
        "data": {"meetings": {}, "streaming": [MEETING_ID]},
    }
    if not live:
        zoom.live.discard(MEETING_ID)
    await setup_integration()
    assert state_of(hass, SWITCH) == expected
    # Nothing is sent to Zoom to restore it.
    assert not [c for c in zoom.api_calls if c.method == "PATCH"]


async def test_stream_survives_an_outage_and_a_reload(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Zoom unreachable, then the entry reloads: the stream that still runs is on.

    The switch was unavailable when the entry unloaded, so its last state tells
    nothing; the stream state is kept with the entry instead.
    """
    await _switch(hass, SERVICE_TURN_ON, SWITCH)
    zoom.fail(
        "GET", f"/users/{USER_ID}/meetings", HTTPStatus.SERVICE_UNAVAILABLE, text="down"
    )
    await async_poll(hass, freezer)
    assert state_of(hass, SWITCH) == STATE_UNAVAILABLE
    zoom.heal()
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, SWITCH) == STATE_ON
    assert MEETING_ID in zoom.streaming


async def test_unavailable_while_zoom_is_down(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """The switch is unavailable while polls fail and comes back by itself."""
    zoom.fail(
        "GET",
        f"/users/{USER_ID}/meetings",
        HTTPStatus.SERVICE_UNAVAILABLE,
        text="<html>down</html>",
    )
    await async_poll(hass, freezer)
    assert state_of(hass, SWITCH) == STATE_UNAVAILABLE
    zoom.heal()
    await async_poll(hass, freezer)
    assert state_of(hass, SWITCH) == STATE_OFF


@pytest.mark.usefixtures("init_integration")
async def test_turn_off_while_off_still_asks_zoom(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """The state is assumed, so off is always sent: the stream may run anyway."""
    zoom.clear_calls()
    await _switch(hass, SERVICE_TURN_OFF, SWITCH)
    assert [(c.method, c.json) for c in zoom.calls] == [("PATCH", {"action": "stop"})]
    assert state_of(hass, SWITCH) == STATE_OFF


async def test_unchanged_poll_writes_no_state(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """A poll that learns nothing new leaves every entity's state alone (cheap at scale)."""
    before = hass.states.get(SWITCH)
    assert before is not None
    # Home Assistant updates last_reported in place on a write of the same state.
    reported = before.last_reported
    await async_poll(hass, freezer)
    after = hass.states.get(SWITCH)
    assert after is not None
    assert after.last_reported == reported


async def test_stream_ends_when_two_polls_miss_the_meeting(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Started between two polls that both miss the meeting: the second one ends it.

    Both polls' answers are equal, so this needs every poll to be looked at, not
    only polls that changed something.
    """
    # Zoom's live list lags: the meeting runs (so the start works) but is missing.
    zoom.fail("GET", f"/users/{USER_ID}/meetings", HTTPStatus.OK, {"meetings": []})
    await async_poll(hass, freezer)
    await _switch(hass, SERVICE_TURN_ON, SWITCH)
    assert state_of(hass, SWITCH) == STATE_ON
    await async_poll(hass, freezer)
    assert state_of(hass, SWITCH) == STATE_OFF


def _live_locks() -> int:
    """Count the asyncio locks alive in the process."""
    gc.collect()
    return sum(1 for item in gc.get_objects() if isinstance(item, asyncio.Lock))


async def test_no_lock_outlives_its_meeting(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Meetings come and go for years: what ordered their commands goes with them.

    Each meeting's commands wait for one another (one lock per meeting); a lock
    nobody holds or waits for is dropped, so memory does not grow per meeting.
    """
    await _switch(hass, SERVICE_TURN_ON, SWITCH)
    await _switch(hass, SERVICE_TURN_OFF, SWITCH)
    before = _live_locks()
    new_ids = range(82000000000, 82000000012)
    for number, meeting_id in enumerate(new_ids):
        zoom.meetings[meeting_id] = meeting_json(meeting_id, f"Class {number}")
        zoom.live.add(meeting_id)
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    for number in range(len(new_ids)):
        entity_id = f"switch.class_{number}_live_stream"
        await _switch(hass, SERVICE_TURN_ON, entity_id)
        await hass.services.async_call(
            DOMAIN,
            "update_settings",
            {ATTR_ENTITY_ID: entity_id, "display_name": "Class"},
            blocking=True,
        )
        await _switch(hass, SERVICE_TURN_OFF, entity_id)
    for meeting_id in new_ids:
        del zoom.meetings[meeting_id]
        zoom.live.discard(meeting_id)
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    assert hass.states.get("switch.class_0_live_stream") is None

    assert _live_locks() == before


# -- what a refused press looks like to each client -------------------------------------

NOT_STARTED = (
    "Weekly team sync has not started. Start the meeting in Zoom first, then start "
    "the live stream"
)


def refuse_start(zoom: ZoomMock) -> None:
    """Let Zoom refuse the next start as before the host joined."""
    zoom.fail(
        "PATCH",
        STATUS_PATH,
        HTTPStatus.BAD_REQUEST,
        {"code": 3000, "message": f"Meeting {MEETING_ID} has not started."},
        times=1,
    )


async def test_refused_toggle_over_the_websocket_api(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A Stream Deck plugin calling the action gets the error, key and placeholders."""
    client = await hass_ws_client(hass)
    refuse_start(zoom)
    await client.send_json_auto_id(
        {
            "type": "call_service",
            "domain": "switch",
            "service": "toggle",
            "target": {"entity_id": SWITCH},
        }
    )
    response = await client.receive_json()

    assert response["success"] is False
    assert response["error"] == {
        "code": "service_validation_error",
        "message": f"Validation error: {NOT_STARTED}",
        "translation_domain": DOMAIN,
        "translation_key": "meeting_not_started",
        "translation_placeholders": {
            "name": "Weekly team sync",
            "code": "3000",
            "message": f"Meeting {MEETING_ID} has not started.",
        },
    }


@pytest.mark.parametrize(
    ("fail", "status", "message"),
    [
        pytest.param(refuse_start, HTTPStatus.BAD_REQUEST, NOT_STARTED, id="fixable"),
        pytest.param(
            lambda zoom: zoom.fail(
                "PATCH", STATUS_PATH, HTTPStatus.SERVICE_UNAVAILABLE, times=1
            ),
            HTTPStatus.INTERNAL_SERVER_ERROR,
            "Cannot reach Zoom for Weekly team sync",
            id="zoom_down",
        ),
    ],
)
async def test_refused_toggle_over_the_rest_api(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    fail: Callable[[ZoomMock], None],
    status: HTTPStatus,
    message: str,
) -> None:
    """Home Assistant 2025.4 answers any refusal with a bare 500; 2026.10 explains.

    On 2026.10 a refusal the user can fix is a 400 and Zoom's or the network's
    failure a 500, each with the message in JSON.
    """
    assert await async_setup_component(hass, "api", {})
    client = await hass_client()
    fail(zoom)

    response = await client.post(
        "/api/services/switch/toggle", json={"entity_id": SWITCH}
    )

    if (MAJOR_VERSION, MINOR_VERSION) == (2025, 4):
        # aiohttp's own page (a traceback in tests), no JSON and no message field.
        assert response.status == HTTPStatus.INTERNAL_SERVER_ERROR
        assert response.content_type == "text/plain"
    else:
        assert response.status == status
        body = await response.json()
        assert body["message"].startswith(message)
    assert state_of(hass, SWITCH) == STATE_OFF
