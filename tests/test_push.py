"""Zoom's event subscriptions: real signed HTTP deliveries through the webhook."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
import hashlib
import hmac
from http import HTTPStatus
import json
import logging
import math
import time
from typing import Any
from unittest.mock import AsyncMock, patch

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.zoom_livestream.const import (
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    EVENT_ZOOM,
    LIST_REFRESH_INTERVAL,
    LOGGER,
)
from custom_components.zoom_livestream.state import MAX_CREATED_UNLISTED
from homeassistant.components import cloud, webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_ASSUMED_STATE,
    ATTR_ENTITY_ID,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component

from .conftest import (
    ACCOUNT_ID,
    MEETING_ID,
    OTHER_MEETING_ID,
    USER_ID,
    WEBINAR_ID,
    SetupIntegration,
    ZoomMock,
    async_poll,
    async_save_options,
    find_device,
    make_entry,
    meeting_json,
    state_of,
)

SECRET = "zm-secret"
STREAM_KEY = "push-stream-key-7f3a9c"
UNKNOWN_MEETING_ID = 11122233344
EXTERNAL_URL = "https://ha.example.com"
CLOUDHOOK_URL = "https://hooks.nabu.casa/abc"

SWITCH = "switch.weekly_team_sync_live_stream"
SENSOR = "binary_sensor.weekly_team_sync_in_progress"
OTHER_SWITCH = "switch.product_launch_live_stream"
OTHER_SENSOR = "binary_sensor.product_launch_in_progress"
WEBINAR_SWITCH = "switch.quarterly_all_hands_live_stream"
WEBINAR_SENSOR = "binary_sensor.quarterly_all_hands_in_progress"

type Client = TestClient[web.Request, web.Application]
type Headers = dict[str, str]


# -- building deliveries as Zoom does --------------------------------------------------


def zoom_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Zoom's x-zm-signature: v0= + hex(HMAC-SHA256(secret, "v0:{ts}:{body}"))."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def make_body(
    event: str,
    obj: dict[str, Any] | None = None,
    *,
    account_id: str | None = ACCOUNT_ID,
    event_ts: int | None = None,
    **extra: Any,
) -> bytes:
    """Return a delivery's JSON body, with the fields Zoom sends (happened now)."""
    payload: dict[str, Any] = {}
    if account_id is not None:
        payload["account_id"] = account_id
    if obj is not None:
        payload["object"] = obj
    payload.update(extra)
    happened = event_ts if event_ts is not None else int(time.time() * 1000)
    return json.dumps(
        {"event": event, "event_ts": happened, "payload": payload}
    ).encode()


def streaming_body(event: str, meeting_id: int, event_ts: int | None = None) -> bytes:
    """Return a live-streaming event: numeric ID, stream URL and key."""
    return make_body(
        event,
        event_ts=event_ts,
        obj={
            "id": meeting_id,
            "uuid": f"uuid-{meeting_id}==",
            "host_id": "user-xyz",
            "topic": "Weekly team sync",
            "type": 2,
            "start_time": "2026-11-23T10:00:00Z",
            "timezone": "UTC",
            "duration": 60,
            "live_streaming": {
                "service": "Custom_Live_Streaming_Service",
                "custom_live_streaming_settings": {
                    "stream_url": "rtmp://a.rtmp.youtube.com/live2",
                    "stream_key": STREAM_KEY,
                    "page_url": "https://youtube.com/@example/live",
                    "resolution": "720p",
                },
                "date_time": "2026-11-23T10:05:00Z",
            },
        },
    )


def running_body(event: str, meeting_id: int, host_id: str = "user-xyz") -> bytes:
    """Return a started/ended event: the ID is a string there."""
    return make_body(
        event,
        {
            "id": str(meeting_id),
            "uuid": f"uuid-{meeting_id}==",
            "host_id": host_id,
            "topic": "Some meeting",
            "type": 2,
            "start_time": "2026-11-23T10:00:00Z",
        },
    )


def signed(
    body: bytes,
    *,
    secret: str = SECRET,
    timestamp: str | None = None,
    offset: float = 0,
) -> Headers:
    """Headers of a delivery signed now (plus `offset` seconds)."""
    ts = timestamp if timestamp is not None else str(int(time.time() + offset))
    return {
        "x-zm-request-timestamp": ts,
        "x-zm-signature": zoom_signature(secret, ts, body),
        "Content-Type": "application/json",
    }


async def deliver(
    client: Client, webhook_id: str, body: bytes, headers: Headers | None = None
) -> ClientResponse:
    """POST one delivery to the entry's webhook (signed now, unless headers given)."""
    return await client.post(
        f"/api/webhook/{webhook_id}",
        data=body,
        headers=signed(body) if headers is None else headers,
    )


def _to_whole_second(freezer: FrozenDateTimeFactory) -> None:
    """Move the frozen clock to a whole second, so that ages are exact."""
    now = time.time()
    freezer.tick(math.ceil(now) - now)
    assert time.time() == int(time.time())


def entity_states(hass: HomeAssistant) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every state and attribute of the integration's platforms."""
    return {
        state.entity_id: (state.state, dict(state.attributes))
        for state in hass.states.async_all(
            [Platform.SWITCH, Platform.BINARY_SENSOR, Platform.SENSOR]
        )
    }


def event_data(events: list[Event]) -> list[dict[str, Any]]:
    """Return what identifies each captured zoom_livestream_event event.

    Events of known meetings also carry the meeting's topic and device ID (for the
    logbook); tests/test_logbook.py checks those.
    """
    return [
        {key: event.data[key] for key in ("config_entry_id", "type", "meeting_id")}
        for event in events
    ]


def requests_of(zoom: ZoomMock) -> list[tuple[str, str]]:
    """Return (method, path) of the API requests made so far."""
    return [(call.method, call.path) for call in zoom.api_calls]


async def _turn_on(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        Platform.SWITCH, SERVICE_TURN_ON, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


# -- fixtures --------------------------------------------------------------------------


@pytest.fixture
def mock_config_entry(request: pytest.FixtureRequest) -> MockConfigEntry:
    """Return the conftest entry, with the secret set (or `param` options)."""
    options: dict[str, Any] = getattr(request, "param", {CONF_WEBHOOK_SECRET: SECRET})
    return make_entry(options=options)


@pytest.fixture
def webhook_id(init_integration: MockConfigEntry) -> str:
    """Return the webhook ID the set-up entry stored."""
    value: str = init_integration.data[CONF_WEBHOOK_ID]
    return value


@pytest.fixture
async def client(
    webhook_id: str, hass_client_no_auth: ClientSessionGenerator
) -> Client:
    """Return an HTTP client to Home Assistant, unauthenticated like Zoom."""
    result: Client = await hass_client_no_auth()
    return result


@pytest.fixture
def events(hass: HomeAssistant) -> list[Event]:
    """Capture the zoom_livestream_event events."""
    captured: list[Event] = async_capture_events(hass, EVENT_ZOOM)
    return captured


NO_SECRET = pytest.mark.parametrize("mock_config_entry", [{}], indirect=True)


# -- URL validation ----------------------------------------------------------------------


async def test_url_validation(
    hass: HomeAssistant, client: Client, webhook_id: str, zoom: ZoomMock
) -> None:
    """Zoom's endpoint check is answered with the HMAC of the plain token."""
    before = entity_states(hass)
    zoom.clear_calls()
    body = json.dumps(
        {
            "event": "endpoint.url_validation",
            "event_ts": 1763892000000,
            "payload": {"plainToken": "abc"},
        }
    ).encode()

    response = await deliver(client, webhook_id, body)

    assert response.status == HTTPStatus.OK
    assert response.content_type == "application/json"
    assert await response.json() == {
        "plainToken": "abc",
        "encryptedToken": hmac.new(b"zm-secret", b"abc", hashlib.sha256).hexdigest(),
    }
    await hass.async_block_till_done()
    assert entity_states(hass) == before
    assert zoom.calls == []


# -- live streaming events -------------------------------------------------------------


async def test_live_streaming_started_and_stopped(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    events: list[Event],
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The switch follows Zoom at once, without a poll or a request to Zoom."""
    caplog.set_level(logging.DEBUG)
    assert state_of(hass, SWITCH) == STATE_OFF
    zoom.clear_calls()

    response = await deliver(
        client,
        webhook_id,
        streaming_body("meeting.live_streaming_started", MEETING_ID),
    )
    assert response.status == HTTPStatus.OK
    # Written before the answer: no block_till_done, no poll.
    assert state_of(hass, SWITCH) == STATE_ON
    assert state_of(hass, OTHER_SWITCH) == STATE_OFF

    response = await deliver(
        client,
        webhook_id,
        streaming_body("meeting.live_streaming_stopped", MEETING_ID),
    )
    assert response.status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_OFF

    await hass.async_block_till_done()
    assert zoom.calls == []
    assert event_data(events) == [
        {
            "config_entry_id": mock_config_entry.entry_id,
            "type": "meeting.live_streaming_started",
            "meeting_id": MEETING_ID,
        },
        {
            "config_entry_id": mock_config_entry.entry_id,
            "type": "meeting.live_streaming_stopped",
            "meeting_id": MEETING_ID,
        },
    ]
    assert STREAM_KEY not in caplog.text
    assert STREAM_KEY not in repr(events)
    assert STREAM_KEY not in repr(hass.states.async_all())


async def test_meeting_started_and_ended(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    events: list[Event],
    mock_config_entry: MockConfigEntry,
) -> None:
    """started/ended (string IDs) drive the in-progress sensor; ended stops the stream."""
    assert state_of(hass, OTHER_SENSOR) == STATE_OFF
    zoom.clear_calls()

    response = await deliver(
        client, webhook_id, running_body("meeting.started", OTHER_MEETING_ID)
    )
    assert response.status == HTTPStatus.OK
    assert state_of(hass, OTHER_SENSOR) == STATE_ON
    assert state_of(hass, SENSOR) == STATE_ON

    freezer.tick(1)
    response = await deliver(
        client,
        webhook_id,
        streaming_body("meeting.live_streaming_started", OTHER_MEETING_ID),
    )
    assert response.status == HTTPStatus.OK
    assert state_of(hass, OTHER_SWITCH) == STATE_ON

    freezer.tick(1)
    response = await deliver(
        client, webhook_id, running_body("meeting.ended", OTHER_MEETING_ID)
    )
    assert response.status == HTTPStatus.OK
    assert state_of(hass, OTHER_SENSOR) == STATE_OFF
    assert state_of(hass, OTHER_SWITCH) == STATE_OFF
    # The other meeting is untouched.
    assert state_of(hass, SENSOR) == STATE_ON

    await hass.async_block_till_done()
    assert zoom.calls == []
    assert [(e["type"], e["meeting_id"]) for e in event_data(events)] == [
        ("meeting.started", OTHER_MEETING_ID),
        ("meeting.live_streaming_started", OTHER_MEETING_ID),
        ("meeting.ended", OTHER_MEETING_ID),
    ]
    assert all(
        e["config_entry_id"] == mock_config_entry.entry_id for e in event_data(events)
    )


async def test_meeting_ended_when_the_switch_started_the_stream(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
) -> None:
    """A stream started from Home Assistant ends with Zoom's meeting.ended."""
    await _turn_on(hass, SWITCH)
    assert state_of(hass, SWITCH) == STATE_ON

    freezer.tick(1)
    response = await deliver(
        client, webhook_id, running_body("meeting.ended", MEETING_ID)
    )
    assert response.status == HTTPStatus.OK
    assert state_of(hass, SENSOR) == STATE_OFF
    assert state_of(hass, SWITCH) == STATE_OFF


async def test_webinar_started_and_ended(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    events: list[Event],
) -> None:
    """Only the events tell whether a webinar runs; a start does not change that."""
    zoom.live_webinars.add(WEBINAR_ID)
    assert state_of(hass, WEBINAR_SENSOR) == STATE_UNKNOWN

    response = await deliver(
        client, webhook_id, running_body("webinar.started", WEBINAR_ID)
    )
    assert response.status == HTTPStatus.OK
    assert state_of(hass, WEBINAR_SENSOR) == STATE_ON

    await _turn_on(hass, WEBINAR_SWITCH)
    assert state_of(hass, WEBINAR_SWITCH) == STATE_ON

    freezer.tick(1)
    response = await deliver(
        client, webhook_id, running_body("webinar.ended", WEBINAR_ID)
    )
    assert response.status == HTTPStatus.OK
    assert state_of(hass, WEBINAR_SENSOR) == STATE_OFF
    assert state_of(hass, WEBINAR_SWITCH) == STATE_OFF
    # Meetings are not affected by webinar events.
    assert state_of(hass, SENSOR) == STATE_ON

    # A start Zoom accepts turns the stream on; In progress stays what the
    # events said (a command never sets it).
    zoom.clear_calls()
    await _turn_on(hass, WEBINAR_SWITCH)
    assert [(c.method, c.path) for c in zoom.api_calls] == [
        ("PATCH", f"/webinars/{WEBINAR_ID}/livestream/status")
    ]
    assert state_of(hass, WEBINAR_SWITCH) == STATE_ON
    assert state_of(hass, WEBINAR_SENSOR) == STATE_OFF

    await hass.async_block_till_done()
    assert [(e["type"], e["meeting_id"]) for e in event_data(events)] == [
        ("webinar.started", WEBINAR_ID),
        ("webinar.ended", WEBINAR_ID),
    ]


@NO_SECRET
async def test_webinar_in_progress_is_unknown_without_events(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Without events nothing can tell whether a webinar runs: a start does not."""
    zoom.live_webinars.add(WEBINAR_ID)
    await _turn_on(hass, WEBINAR_SWITCH)
    assert state_of(hass, WEBINAR_SWITCH) == STATE_ON
    assert state_of(hass, WEBINAR_SENSOR) == STATE_UNKNOWN
    await async_poll(hass, freezer)
    await async_poll(hass, freezer, timedelta(minutes=15))
    assert state_of(hass, WEBINAR_SENSOR) == STATE_UNKNOWN


async def test_webinar_in_progress_survives_a_reload_with_events(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    init_integration: MockConfigEntry,
) -> None:
    """What Zoom's events said of a webinar is kept by a reload, not forgotten."""
    await deliver(client, webhook_id, running_body("webinar.started", WEBINAR_ID))
    assert state_of(hass, WEBINAR_SENSOR) == STATE_ON

    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, WEBINAR_SENSOR) == STATE_ON

    freezer.tick(1)
    await deliver(client, webhook_id, running_body("webinar.ended", WEBINAR_ID))
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, WEBINAR_SENSOR) == STATE_OFF


async def test_webinar_in_progress_older_than_any_webinar_is_not_restored(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    init_integration: MockConfigEntry,
) -> None:
    """A "started" from longer ago than a Zoom meeting may last is not believed."""
    await deliver(client, webhook_id, running_body("webinar.started", WEBINAR_ID))
    await hass.config_entries.async_unload(init_integration.entry_id)
    freezer.tick(timedelta(hours=31))
    await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, WEBINAR_SENSOR) == STATE_UNKNOWN


async def test_pushed_state_survives_an_unchanged_poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
) -> None:
    """A webinar's pushed state is kept by the next polls (Zoom has no live list)."""
    await deliver(client, webhook_id, running_body("webinar.started", WEBINAR_ID))
    assert state_of(hass, WEBINAR_SENSOR) == STATE_ON
    await deliver(
        client,
        webhook_id,
        streaming_body("meeting.live_streaming_started", MEETING_ID),
    )
    assert state_of(hass, SWITCH) == STATE_ON

    await async_poll(hass, freezer)
    await async_poll(hass, freezer, timedelta(minutes=15))

    assert state_of(hass, WEBINAR_SENSOR) == STATE_ON
    # The meeting is still live at Zoom: the stream stays on.
    assert state_of(hass, SWITCH) == STATE_ON


# -- other events ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "meeting_id"),
    [
        pytest.param(
            running_body("meeting.participant_joined", MEETING_ID),
            MEETING_ID,
            id="participant_joined",
        ),
        pytest.param(
            make_body("recording.completed", {"uuid": "abc==", "topic": "Sync"}),
            None,
            id="recording_completed",
        ),
        pytest.param(make_body("app.deauthorized", None), None, id="without_object"),
        # Of a host the entry does not follow (that of a followed host is read:
        # test_instant_meeting_is_learned_from_its_started_event).
        pytest.param(
            running_body("meeting.started", UNKNOWN_MEETING_ID, "another-host"),
            UNKNOWN_MEETING_ID,
            id="unknown_meeting_started",
        ),
        pytest.param(
            streaming_body("meeting.live_streaming_started", UNKNOWN_MEETING_ID),
            UNKNOWN_MEETING_ID,
            id="unknown_meeting_streaming",
        ),
        pytest.param(
            running_body("webinar.ended", UNKNOWN_MEETING_ID),
            UNKNOWN_MEETING_ID,
            id="unknown_webinar_ended",
        ),
    ],
)
async def test_events_without_state_change(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    events: list[Event],
    mock_config_entry: MockConfigEntry,
    body: bytes,
    meeting_id: int | None,
) -> None:
    """Other events and unknown meetings: accepted, told to automations, no change."""
    before = entity_states(hass)
    zoom.clear_calls()

    response = await deliver(client, webhook_id, body)

    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert entity_states(hass) == before
    assert zoom.calls == []
    assert event_data(events) == [
        {
            "config_entry_id": mock_config_entry.entry_id,
            "type": json.loads(body)["event"],
            "meeting_id": meeting_id,
        }
    ]
    # No entity was created for the unknown meeting either.
    assert not any(str(UNKNOWN_MEETING_ID) in entity for entity in entity_states(hass))


# -- timestamps ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "offset",
    [-300, 300, 0],
    ids=["300s_old", "300s_ahead", "now"],
)
async def test_timestamp_within_skew_accepted(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    events: list[Event],
    offset: int,
) -> None:
    """Clocks may differ by up to five minutes."""
    _to_whole_second(freezer)
    body = streaming_body("meeting.live_streaming_started", MEETING_ID)
    response = await deliver(client, webhook_id, body, signed(body, offset=offset))
    assert response.status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_ON
    await hass.async_block_till_done()
    assert len(events) == 1


async def test_millisecond_timestamp_accepted(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    events: list[Event],
) -> None:
    """Zoom's timestamp in milliseconds is read as such."""
    body = streaming_body("meeting.live_streaming_started", MEETING_ID)
    timestamp = str(int(time.time() * 1000))
    response = await deliver(
        client, webhook_id, body, signed(body, timestamp=timestamp)
    )
    assert response.status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_ON
    await hass.async_block_till_done()
    assert len(events) == 1


# -- rejected deliveries -------------------------------------------------------------


def _accepted_body() -> bytes:
    """Return a delivery that would turn the switch on if it were accepted."""
    return streaming_body("meeting.live_streaming_started", MEETING_ID)


def _without(header: str) -> Callable[[], tuple[bytes, Headers]]:
    def build() -> tuple[bytes, Headers]:
        body = _accepted_body()
        headers = signed(body)
        del headers[header]
        return body, headers

    return build


def _with_signature(
    signature: Callable[[bytes, str], str],
) -> Callable[[], tuple[bytes, Headers]]:
    def build() -> tuple[bytes, Headers]:
        body = _accepted_body()
        headers = signed(body)
        headers["x-zm-signature"] = signature(body, headers["x-zm-request-timestamp"])
        return body, headers

    return build


def _signed_body(body: bytes, **kwargs: Any) -> Callable[[], tuple[bytes, Headers]]:
    def build() -> tuple[bytes, Headers]:
        return body, signed(body, **kwargs)

    return build


def _stale(
    offset: float, *, millis: bool = False
) -> Callable[[], tuple[bytes, Headers]]:
    def build() -> tuple[bytes, Headers]:
        body = _accepted_body()
        sent = time.time() + offset
        timestamp = str(int(sent * 1000)) if millis else str(int(sent))
        return body, signed(body, timestamp=timestamp)

    return build


def _padded(size: int) -> bytes:
    body = json.loads(_accepted_body())
    body["payload"]["padding"] = ""
    base = len(json.dumps(body).encode())
    body["payload"]["padding"] = "x" * (size - base)
    result = json.dumps(body).encode()
    assert len(result) == size
    return result


REJECTED = [
    pytest.param(
        _without("x-zm-signature"), HTTPStatus.UNAUTHORIZED, id="no_signature"
    ),
    pytest.param(
        _without("x-zm-request-timestamp"), HTTPStatus.UNAUTHORIZED, id="no_timestamp"
    ),
    pytest.param(
        _with_signature(lambda body, ts: ""), HTTPStatus.UNAUTHORIZED, id="empty_sig"
    ),
    pytest.param(
        _with_signature(lambda body, ts: "v0=" + "0" * 64),
        HTTPStatus.UNAUTHORIZED,
        id="wrong_signature",
    ),
    pytest.param(
        _with_signature(lambda body, ts: zoom_signature("other-secret", ts, body)),
        HTTPStatus.UNAUTHORIZED,
        id="other_secret",
    ),
    pytest.param(
        _with_signature(lambda body, ts: zoom_signature(SECRET, ts, body + b" ")),
        HTTPStatus.UNAUTHORIZED,
        id="other_body",
    ),
    pytest.param(
        _with_signature(
            lambda body, ts: zoom_signature(SECRET, ts, body)
            .upper()
            .replace("V0", "v0")
        ),
        HTTPStatus.UNAUTHORIZED,
        id="uppercase_signature",
    ),
    pytest.param(
        _with_signature(lambda body, ts: "v0=\u00e9" + "0" * 63),
        HTTPStatus.UNAUTHORIZED,
        id="non_ascii_signature",
    ),
    # Older than Zoom's last retry (60 minutes after the 20 after the 5).
    pytest.param(_stale(-7201), HTTPStatus.UNAUTHORIZED, id="2h_old"),
    pytest.param(_stale(301), HTTPStatus.UNAUTHORIZED, id="301s_ahead"),
    pytest.param(
        _stale(-7201, millis=True), HTTPStatus.UNAUTHORIZED, id="2h_old_millis"
    ),
    pytest.param(_stale(-86400 * 365), HTTPStatus.UNAUTHORIZED, id="a_year_old"),
    pytest.param(
        _signed_body(_accepted_body(), timestamp="yesterday"),
        HTTPStatus.UNAUTHORIZED,
        id="timestamp_not_a_number",
    ),
    pytest.param(
        _signed_body(_accepted_body(), timestamp="nan"),
        HTTPStatus.UNAUTHORIZED,
        id="timestamp_nan",
    ),
    pytest.param(
        _signed_body(_accepted_body(), timestamp="inf"),
        HTTPStatus.UNAUTHORIZED,
        id="timestamp_inf",
    ),
    pytest.param(
        _signed_body(b'{"event": "meeting.live_streaming_started", '),
        HTTPStatus.BAD_REQUEST,
        id="malformed_json",
    ),
    pytest.param(_signed_body(b""), HTTPStatus.BAD_REQUEST, id="empty_body"),
    pytest.param(
        _signed_body(json.dumps({"payload": {"account_id": ACCOUNT_ID}}).encode()),
        HTTPStatus.BAD_REQUEST,
        id="no_event",
    ),
    pytest.param(
        _signed_body(json.dumps({"event": "meeting.started"}).encode()),
        HTTPStatus.BAD_REQUEST,
        id="no_payload",
    ),
    pytest.param(
        _signed_body(json.dumps([1, 2]).encode()),
        HTTPStatus.BAD_REQUEST,
        id="json_list",
    ),
    pytest.param(
        _signed_body(
            make_body("meeting.live_streaming_started", {"id": "85746O65432"})
        ),
        HTTPStatus.BAD_REQUEST,
        id="non_numeric_meeting_id",
    ),
    pytest.param(
        _signed_body(
            json.dumps(
                {"event": "endpoint.url_validation", "payload": {"plainToken": ""}}
            ).encode()
        ),
        HTTPStatus.BAD_REQUEST,
        id="url_validation_without_token",
    ),
    pytest.param(
        _signed_body(_padded(64 * 1024 + 1)),
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        id="body_over_64kib",
    ),
    pytest.param(
        _signed_body(
            streaming_body("meeting.live_streaming_started", MEETING_ID).replace(
                ACCOUNT_ID.encode(), b"acc-999"
            )
        ),
        HTTPStatus.FORBIDDEN,
        id="other_account",
    ),
    pytest.param(
        _signed_body(
            make_body(
                "meeting.live_streaming_started", {"id": MEETING_ID}, account_id=None
            )
        ),
        HTTPStatus.FORBIDDEN,
        id="no_account",
    ),
]


@pytest.mark.parametrize(("build", "status"), REJECTED)
async def test_rejected(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    events: list[Event],
    caplog: pytest.LogCaptureFixture,
    build: Callable[[], tuple[bytes, Headers]],
    status: HTTPStatus,
) -> None:
    """Nothing changes and nothing is fired unless every check passes."""
    caplog.set_level(logging.DEBUG)
    before = entity_states(hass)
    zoom.clear_calls()
    body, headers = build()

    response = await deliver(client, webhook_id, body, headers)

    assert response.status == status
    await hass.async_block_till_done()
    assert entity_states(hass) == before
    assert state_of(hass, SWITCH) == STATE_OFF
    assert events == []
    assert zoom.calls == []
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("Rejected a Zoom webhook delivery" in m for m in debug), debug
    # The integration's own lines (aiohttp 3.14's access log trips over the
    # frozen clock of some tests, which is no concern of the webhook).
    warnings = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith(LOGGER.name)
    ]
    # Anyone can post to the webhook: at most one summary line, never a flood.
    assert len(warnings) <= 1
    assert SECRET not in caplog.text
    assert STREAM_KEY not in caplog.text


async def test_rejection_does_not_block_the_real_delivery(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    events: list[Event],
) -> None:
    """A forged copy (wrong signature) is not remembered as seen."""
    body = _accepted_body()
    headers = signed(body)
    forged = {**headers, "x-zm-signature": "v0=" + "1" * 64}
    assert (await deliver(client, webhook_id, body, forged)).status == 401
    assert (await deliver(client, webhook_id, body, headers)).status == 200
    assert state_of(hass, SWITCH) == STATE_ON
    await hass.async_block_till_done()
    assert len(events) == 1


async def test_replay_is_applied_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    events: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The same signed delivery again: acknowledged, never applied twice.

    Deduplicated by the event itself (event, meeting, event_ts), not by arrival:
    answered 200 so that Zoom stops retrying; until Zoom's retries are over, then
    the copy is too old to accept at all.
    """
    caplog.set_level(logging.DEBUG)
    _to_whole_second(freezer)
    started = _accepted_body()
    started_headers = signed(started)
    assert (await deliver(client, webhook_id, started, started_headers)).status == 200
    freezer.tick(1)
    stopped = streaming_body("meeting.live_streaming_stopped", MEETING_ID)
    assert (await deliver(client, webhook_id, stopped)).status == 200
    assert state_of(hass, SWITCH) == STATE_OFF
    await hass.async_block_till_done()
    assert len(events) == 2

    # Replaying "started" never turns the switch back on, fresh or not.
    for wait in (0, 100, 198, 3600, 3000):
        freezer.tick(wait)
        response = await deliver(client, webhook_id, started, started_headers)
        assert response.status == HTTPStatus.OK
        assert state_of(hass, SWITCH) == STATE_OFF
    assert "it was applied once" in caplog.text

    # After Zoom's last retry (two hours on) the copy is refused as too old.
    freezer.tick(7201 - 6899)
    response = await deliver(client, webhook_id, started, started_headers)
    assert response.status == HTTPStatus.UNAUTHORIZED
    assert state_of(hass, SWITCH) == STATE_OFF
    await hass.async_block_till_done()
    assert len(events) == 2


async def test_replay_of_a_delivery_from_a_clock_ahead(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    events: list[Event],
) -> None:
    """A delivery dated ahead (allowed skew), replayed later: applied once."""
    started = _accepted_body()
    started_headers = signed(started, offset=250)
    assert (await deliver(client, webhook_id, started, started_headers)).status == 200
    freezer.tick(1)
    stopped = streaming_body("meeting.live_streaming_stopped", MEETING_ID)
    assert (await deliver(client, webhook_id, stopped)).status == 200
    assert state_of(hass, SWITCH) == STATE_OFF

    freezer.tick(399)
    response = await deliver(client, webhook_id, started, started_headers)
    assert response.status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_OFF
    await hass.async_block_till_done()
    assert len(events) == 2


@pytest.mark.parametrize("policy", ["original", "fresh"])
@pytest.mark.parametrize("late", [301, 5 * 60 + 20 * 60, 85 * 60])
async def test_zoom_retry_applies_once_whatever_its_timestamp(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    events: list[Event],
    policy: str,
    late: int,
) -> None:
    """Zoom retries after 5, 20 and 60 minutes, perhaps with the original timestamp.

    Home Assistant did not answer the first attempt (down, or slow): the retry
    is applied, with either timestamp, and a second retry is not applied again.
    Zoom never retries a 4xx, so refusing the late one would lose the event.
    """
    _to_whole_second(freezer)
    body = _accepted_body()
    original = signed(body)
    freezer.tick(late)
    retry = original if policy == "original" else signed(body)
    assert (await deliver(client, webhook_id, body, retry)).status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_ON
    freezer.tick(60)
    again = original if policy == "original" else signed(body)
    assert (await deliver(client, webhook_id, body, again)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert event_data(events) == [
        {
            "config_entry_id": events[0].data["config_entry_id"],
            "type": "meeting.live_streaming_started",
            "meeting_id": MEETING_ID,
        }
    ]


async def test_late_stream_started_after_stopped_changes_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    init_integration: MockConfigEntry,
    events: list[Event],
) -> None:
    """Delivered out of order: the older "started" never undoes the newer "stopped".

    Also after a reload: when each meeting's newest event happened is kept.
    """
    now_ms = int(time.time() * 1000)
    started = streaming_body("meeting.live_streaming_started", MEETING_ID, now_ms)
    stopped = streaming_body(
        "meeting.live_streaming_stopped", MEETING_ID, now_ms + 5000
    )
    assert (await deliver(client, webhook_id, started)).status == HTTPStatus.OK
    assert (await deliver(client, webhook_id, stopped)).status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_OFF
    late = streaming_body("meeting.live_streaming_started", MEETING_ID, now_ms + 2000)
    assert (await deliver(client, webhook_id, late)).status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_OFF

    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    later = streaming_body("meeting.live_streaming_started", MEETING_ID, now_ms + 4000)
    assert (await deliver(client, webhook_id, later)).status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_OFF
    newer = streaming_body("meeting.live_streaming_started", MEETING_ID, now_ms + 6000)
    assert (await deliver(client, webhook_id, newer)).status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_ON
    await hass.async_block_till_done()
    # The late ones are not reported as if they had just happened.
    assert [event.data["type"] for event in events] == [
        "meeting.live_streaming_started",
        "meeting.live_streaming_stopped",
        "meeting.live_streaming_started",
    ]


async def test_chunked_delivery_accepted(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    events: list[Event],
) -> None:
    """A body that arrives in several pieces (no Content-Length) is read whole."""
    body = _padded(20_000)

    async def pieces() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]
            await asyncio.sleep(0.001)

    response = await client.post(
        f"/api/webhook/{webhook_id}", data=pieces(), headers=signed(body)
    )
    assert response.status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_ON
    await hass.async_block_till_done()
    assert len(events) == 1


async def test_chunked_body_over_64kib_rejected(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    events: list[Event],
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without a Content-Length, the size is still limited while reading."""
    caplog.set_level(logging.DEBUG)
    body = _padded(64 * 1024 + 1)

    async def pieces() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]
            await asyncio.sleep(0.001)

    response = await client.post(
        f"/api/webhook/{webhook_id}", data=pieces(), headers=signed(body)
    )
    assert response.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert state_of(hass, SWITCH) == STATE_OFF
    await hass.async_block_till_done()
    assert events == []
    assert _integration_debug(caplog) == [
        f"Rejected a Zoom webhook delivery for {mock_config_entry.title}: "
        "body too large"
    ]


async def test_body_of_exactly_64kib_accepted(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    events: list[Event],
) -> None:
    """The limit itself is allowed."""
    body = _padded(64 * 1024)
    assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_ON


async def test_get_not_allowed(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    events: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Only POST reaches the receiver."""
    before = entity_states(hass)
    response = await client.get(f"/api/webhook/{webhook_id}")
    assert response.status == HTTPStatus.METHOD_NOT_ALLOWED
    await hass.async_block_till_done()
    assert entity_states(hass) == before
    assert events == []
    assert "only supports POST" in caplog.text
    assert SECRET not in caplog.text


# -- without a secret ------------------------------------------------------------------


@NO_SECRET
async def test_without_secret_everything_is_rejected(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    events: list[Event],
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No secret: nothing can be verified, so nothing is accepted; a repair says why."""
    before = entity_states(hass)
    validation = json.dumps(
        {"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}
    ).encode()
    for body in (_accepted_body(), validation):
        response = await deliver(client, webhook_id, body)
        assert response.status == HTTPStatus.UNAUTHORIZED
    await hass.async_block_till_done()
    assert entity_states(hass) == before
    assert events == []
    assert "no secret token is set" in caplog.text
    issue = issue_registry.async_get_issue(
        DOMAIN, f"webhook_secret_missing_{mock_config_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "webhook_secret_missing"

    # Entering the secret clears the repair and verifies deliveries again.
    await async_save_options(
        hass, mock_config_entry, {"events": True, CONF_WEBHOOK_SECRET: SECRET}
    )
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert mock_config_entry.data[CONF_WEBHOOK_ID] == webhook_id
    assert (
        issue_registry.async_get_issue(
            DOMAIN, f"webhook_secret_missing_{mock_config_entry.entry_id}"
        )
        is None
    )
    response = await deliver(client, webhook_id, _accepted_body())
    assert response.status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_ON


@NO_SECRET
async def test_assumed_state_without_secret(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Without events the switch only knows what it did last."""
    for entity_id in (SWITCH, OTHER_SWITCH, WEBINAR_SWITCH):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.attributes.get(ATTR_ASSUMED_STATE) is True


async def test_no_assumed_state_with_secret(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """With events the switch follows Zoom."""
    for entity_id in (SWITCH, OTHER_SWITCH, WEBINAR_SWITCH):
        state = hass.states.get(entity_id)
        assert state is not None
        assert not state.attributes.get(ATTR_ASSUMED_STATE, False)


# -- webhook id and URL ----------------------------------------------------------------


async def test_webhook_id_is_stored_and_kept(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The ID is created once and survives a reload."""
    webhook_id = init_integration.data[CONF_WEBHOOK_ID]
    assert isinstance(webhook_id, str)
    assert len(webhook_id) >= 32
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.data[CONF_WEBHOOK_ID] == webhook_id


async def _options_form(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    assert result["type"] is FlowResultType.FORM
    placeholders: dict[str, Any] = dict(result["description_placeholders"] or {})
    placeholders["flow_id"] = result["flow_id"]
    return placeholders


async def test_options_show_external_webhook_url(
    hass: HomeAssistant, setup_integration: SetupIntegration
) -> None:
    """The URL to paste into Zoom uses the external URL."""
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL_URL})
    entry = await setup_integration()
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    placeholders = await _options_form(hass, entry)
    assert placeholders["webhook_url"] == f"{EXTERNAL_URL}/api/webhook/{webhook_id}"


async def test_options_without_external_url(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """No reachable URL: the form says so instead of showing a local one."""
    placeholders = await _options_form(hass, init_integration)
    assert placeholders["webhook_url"] == "-"


async def test_options_keep_or_replace_the_secret(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    mock_config_entry: MockConfigEntry,
    events: list[Event],
) -> None:
    """An empty field keeps the stored secret; a new value replaces it."""
    placeholders = await _options_form(hass, mock_config_entry)
    result = await hass.config_entries.options.async_configure(
        placeholders["flow_id"], {CONF_WEBHOOK_SECRET: ""}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert mock_config_entry.options[CONF_WEBHOOK_SECRET] == SECRET

    placeholders = await _options_form(hass, mock_config_entry)
    result = await hass.config_entries.options.async_configure(
        placeholders["flow_id"], {CONF_WEBHOOK_SECRET: "  new-secret  "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert mock_config_entry.options[CONF_WEBHOOK_SECRET] == "new-secret"
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert mock_config_entry.data[CONF_WEBHOOK_ID] == webhook_id

    # The old secret no longer verifies; the new one does.
    body = _accepted_body()
    response = await deliver(client, webhook_id, body, signed(body))
    assert response.status == HTTPStatus.UNAUTHORIZED
    response = await deliver(
        client, webhook_id, body, signed(body, secret="new-secret")
    )
    assert response.status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_ON
    await hass.async_block_till_done()
    assert len(events) == 1


async def test_webhook_unregistered_after_unload(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    mock_config_entry: MockConfigEntry,
    events: list[Event],
) -> None:
    """After unloading, deliveries reach nothing (Home Assistant answers 200 anyway)."""
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    before = entity_states(hass)

    response = await deliver(client, webhook_id, _accepted_body())

    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert entity_states(hass) == before
    assert events == []

    # Loading again registers the same webhook.
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    response = await deliver(client, webhook_id, _accepted_body())
    assert response.status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_ON


# -- Home Assistant Cloud ---------------------------------------------------------------


@pytest.fixture
async def cloud_loaded(hass: HomeAssistant) -> None:
    """Home Assistant Cloud loaded, and an external URL to fall back to."""
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL_URL})
    hass.config.components.add("cloud")


@pytest.mark.parametrize(
    ("subscribed", "cloudhook", "shown", "delete"),
    [
        # With a Cloud subscription the cloudhook is shown; removing deletes it.
        (True, AsyncMock(return_value=CLOUDHOOK_URL), "cloudhook", AsyncMock()),
        # Cloud not connected: the external URL is shown instead; no cloudhook to
        # delete is not an error.
        (
            True,
            AsyncMock(side_effect=cloud.CloudNotAvailable),
            "external",
            AsyncMock(side_effect=ValueError),
        ),
        # Cloud loaded but not subscribed: no cloudhook is created.
        (False, AsyncMock(), "external", AsyncMock()),
    ],
    ids=["cloudhook", "cloud_not_available", "without_subscription"],
)
@pytest.mark.usefixtures("cloud_loaded")
async def test_cloudhook(
    hass: HomeAssistant,
    setup_integration: SetupIntegration,
    subscribed: bool,
    cloudhook: AsyncMock,
    shown: str,
    delete: AsyncMock,
) -> None:
    """Which webhook URL the options show with Cloud, and what removal deletes."""
    with (
        patch.object(cloud, "async_active_subscription", return_value=subscribed),
        patch.object(cloud, "async_get_or_create_cloudhook", cloudhook),
    ):
        entry = await setup_integration()
    assert entry.state is ConfigEntryState.LOADED
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    if subscribed:
        cloudhook.assert_awaited_once_with(hass, webhook_id)
    else:
        cloudhook.assert_not_awaited()
    placeholders = await _options_form(hass, entry)
    assert placeholders["webhook_url"] == (
        CLOUDHOOK_URL
        if shown == "cloudhook"
        else f"{EXTERNAL_URL}/api/webhook/{webhook_id}"
    )

    with patch.object(cloud, "async_delete_cloudhook", delete):
        assert await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
    delete.assert_awaited_once_with(hass, webhook_id)


# -- events and the poll schedule -------------------------------------------------------


def live_polls(zoom: ZoomMock) -> int:
    """Return how many live lists were requested (one per poll)."""
    return sum(
        1
        for call in zoom.api_calls
        if call.path == f"/users/{USER_ID}/meetings"
        and call.url.query.get("type") == "live"
    )


async def test_events_never_postpone_polling(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
) -> None:
    """An event every 50 s for 10 minutes: the polls still run every minute.

    Ended meetings, list refreshes and device clean-up all depend on them.
    """
    zoom.clear_calls()
    for tick in range(60):
        freezer.tick(timedelta(seconds=10))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        if tick % 5 == 0:
            event = "meeting.started" if tick % 10 == 0 else "meeting.ended"
            response = await deliver(
                client, webhook_id, running_body(event, OTHER_MEETING_ID)
            )
            assert response.status == HTTPStatus.OK
            await hass.async_block_till_done()
    # 600 s in steps of 10 s: a poll every 60-70 s.
    assert live_polls(zoom) >= 8


async def test_event_during_an_outage_keeps_entities_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
) -> None:
    """Polls fail: one pushed event must not bring back every entity with stale data."""
    zoom.fail(
        "GET", f"/users/{USER_ID}/meetings", HTTPStatus.SERVICE_UNAVAILABLE, text="down"
    )
    await async_poll(hass, freezer)
    assert state_of(hass, SENSOR) == STATE_UNAVAILABLE

    response = await deliver(
        client, webhook_id, running_body("meeting.started", OTHER_MEETING_ID)
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert state_of(hass, SENSOR) == STATE_UNAVAILABLE
    assert state_of(hass, OTHER_SENSOR) == STATE_UNAVAILABLE

    # When Zoom answers again, the pushed state is there.
    zoom.heal()
    zoom.live.add(OTHER_MEETING_ID)
    await async_poll(hass, freezer)
    assert state_of(hass, OTHER_SENSOR) == STATE_ON


async def test_event_a_poll_overrides_is_redrawn(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
) -> None:
    """An event older than a refresh's live list is settled by it, on screen too.

    "Ended" arrives while a full refresh reads the lists; Zoom's live list, read
    after it, still has the meeting. Without daily-limit headers (paid plans)
    the data then ends the refresh as it was before it: the sensor must follow.
    """
    zoom.rate_limit_headers = False
    await async_poll(hass, freezer)
    assert state_of(hass, SENSOR) == STATE_ON

    async def deliver_ended_while_listing(method: str, path: str) -> None:
        if path == f"/users/{USER_ID}/webinars":
            zoom.gate = None
            response = await deliver(
                client, webhook_id, running_body("meeting.ended", MEETING_ID)
            )
            assert response.status == HTTPStatus.OK
            assert state_of(hass, SENSOR) == STATE_OFF

    zoom.gate = deliver_ended_while_listing
    # A full refresh, as `homeassistant.update_entity` asks for one (of another
    # meeting's entity: the service writes the state of the one it names).
    await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: OTHER_SENSOR}, blocking=True
    )
    assert zoom.gate is None, "the refresh read no lists"
    assert state_of(hass, SENSOR) == STATE_ON


async def test_meeting_ended_changes_only_the_meeting_it_names(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
) -> None:
    """A's end never ends B's stream, even when B started after the last poll."""
    zoom.live.add(OTHER_MEETING_ID)
    await async_poll(hass, freezer)
    freezer.tick(5)
    await _turn_on(hass, SWITCH)
    await _turn_on(hass, OTHER_SWITCH)

    response = await deliver(
        client, webhook_id, running_body("meeting.ended", OTHER_MEETING_ID)
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert state_of(hass, OTHER_SWITCH) == STATE_OFF
    assert state_of(hass, SWITCH) == STATE_ON
    assert state_of(hass, SENSOR) == STATE_ON


# -- meetings created, renamed and deleted in Zoom ----------------------------------------

NEW_MEETING_ID = 83333444455


def lifecycle_body(event: str, obj: dict[str, Any]) -> bytes:
    """Return a meeting.created/updated/deleted delivery."""
    return make_body(event, obj, operator="host@example.com")


async def test_created_updated_deleted_apply_at_once(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Zoom says a meeting was scheduled, renamed, deleted: no wait for the lists."""
    zoom.clear_calls()
    created = meeting_json(NEW_MEETING_ID, "Board meeting")
    response = await deliver(
        client, webhook_id, lifecycle_body("meeting.created", created)
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert state_of(hass, "switch.board_meeting_live_stream") == STATE_OFF
    assert state_of(hass, "binary_sensor.board_meeting_in_progress") == STATE_OFF

    response = await deliver(
        client,
        webhook_id,
        make_body(
            "meeting.updated",
            {"id": NEW_MEETING_ID, "topic": "Board meeting (moved)"},
            old_object={"id": NEW_MEETING_ID, "topic": "Board meeting"},
        ),
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    device = find_device(hass, f"{USER_ID}_{NEW_MEETING_ID}")
    assert device is not None
    assert device.name == "Board meeting (moved)"
    # The entity ID automations use stays.
    assert state_of(hass, "switch.board_meeting_live_stream") == STATE_OFF

    response = await deliver(
        client,
        webhook_id,
        lifecycle_body("meeting.deleted", {"id": NEW_MEETING_ID, "uuid": "u=="}),
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert find_device(hass, f"{USER_ID}_{NEW_MEETING_ID}") is None
    assert hass.states.get("switch.board_meeting_live_stream") is None
    # All of it without a single request to Zoom.
    assert zoom.calls == []


@pytest.mark.parametrize(
    ("topic", "shown"),
    [
        pytest.param("\u200b \u200b", f"Meeting {MEETING_ID}", id="invisible"),
        pytest.param("Sync " * 11_000, ("Sync " * 40)[:199] + "…", id="huge"),
    ],
)
async def test_renamed_by_zoom_to_an_odd_topic(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    events: list[Event],
    topic: str,
    shown: str,
) -> None:
    """A signed rename is shown bounded and visible; its bus event is bounded too."""
    response = await deliver(
        client,
        webhook_id,
        make_body("meeting.updated", {"id": MEETING_ID, "topic": topic}),
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    device = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    assert device is not None
    assert device.name == shown
    (event,) = events
    assert event.data["topic"] == shown


async def test_one_occurrence_deleted_or_changed_keeps_the_series(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Deleting or moving one occurrence of a weekly meeting is no deletion of it.

    Zoom's `meeting.deleted` says `operation: "single"` with the occurrence, its
    `meeting.updated` `scope: "single"`: the series, its device, entities, entity
    IDs and stored display settings stay, and the lists are read again.
    """
    registry = er.async_get(hass)
    await hass.services.async_call(
        DOMAIN,
        "update_settings",
        {ATTR_ENTITY_ID: SWITCH, "display_name": "Weekly"},
        blocking=True,
    )
    registry.async_update_entity(SWITCH, new_entity_id="switch.my_weekly_stream")
    await hass.async_block_till_done()
    device = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    assert device is not None
    zoom.clear_calls()

    occurrence = {
        "occurrence_id": "1764669600000",
        "start_time": "2026-12-02T10:00:00Z",
    }
    for body in (
        make_body(
            "meeting.deleted",
            {"id": MEETING_ID, "uuid": "u==", "occurrences": [occurrence]},
            operation="single",
        ),
        make_body(
            "meeting.updated",
            {"id": MEETING_ID, "topic": "Moved once", "occurrences": [occurrence]},
            old_object={"id": MEETING_ID, "topic": "Weekly team sync"},
            scope="single",
        ),
    ):
        assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
        await hass.async_block_till_done()

    assert find_device(hass, f"{USER_ID}_{MEETING_ID}") == device
    assert device.name == "Weekly team sync"
    assert state_of(hass, "switch.my_weekly_stream") == STATE_OFF
    assert hass.states.get(SWITCH) is None
    stored = hass_storage[f"{DOMAIN}.{init_integration.entry_id}"]["data"]
    assert stored["meetings"][str(MEETING_ID)] == {"display_name": "Weekly"}
    # The lists are read again at the next poll (the occurrence is Zoom's to
    # list or not); two such events cost one list.
    await async_poll(hass, freezer)
    assert [(c.method, c.path, c.url.query.get("type")) for c in zoom.api_calls].count(
        ("GET", f"/users/{USER_ID}/meetings", "scheduled")
    ) == 1
    assert ("GET", f"/users/{USER_ID}/meetings", "scheduled") in [
        (c.method, c.path, c.url.query.get("type")) for c in zoom.api_calls
    ]


INSTANT_ID = 84444555566
INSTANT_SWITCH = "switch.ad_hoc_call_live_stream"
INSTANT_SENSOR = "binary_sensor.ad_hoc_call_in_progress"


def instant_started(host_id: str = USER_ID) -> bytes:
    """Return `meeting.started` of an instant meeting (type 1): the ID a string."""
    return make_body(
        "meeting.started",
        {
            "id": str(INSTANT_ID),
            "uuid": "instant==",
            "host_id": host_id,
            "topic": "Ad hoc call",
            "type": 1,
            "start_time": "2026-12-05T10:00:00Z",
        },
    )


async def test_instant_meeting_is_learned_from_its_started_event(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """No list shows an instant meeting; its `meeting.started` does.

    One `GET /meetings/{id}` adds it; polls keep it, reading it by ID, while it
    runs; it goes off when it ends and is removed at the next full list.
    """
    # An instant meeting has no start time (Zoom leaves the field out).
    zoom.instant[INSTANT_ID] = {
        key: value
        for key, value in meeting_json(INSTANT_ID, "Ad hoc call", 1).items()
        if key != "start_time"
    }
    zoom.live.add(INSTANT_ID)
    zoom.clear_calls()
    assert (await deliver(client, webhook_id, instant_started())).status == 200
    await hass.async_block_till_done()
    assert requests_of(zoom) == [("GET", f"/meetings/{INSTANT_ID}")]
    assert state_of(hass, INSTANT_SENSOR) == STATE_ON
    await _turn_on(hass, INSTANT_SWITCH)
    assert state_of(hass, INSTANT_SWITCH) == STATE_ON

    # Polls read it by ID (no list has it) and keep it while it runs.
    zoom.clear_calls()
    await async_poll(hass, freezer)
    assert ("GET", f"/meetings/{INSTANT_ID}") in requests_of(zoom)
    assert state_of(hass, INSTANT_SWITCH) == STATE_ON
    assert state_of(hass, INSTANT_SENSOR) == STATE_ON

    # It ends: off, not unavailable, and no longer read.
    zoom.live.discard(INSTANT_ID)
    zoom.streaming.discard(INSTANT_ID)
    await async_poll(hass, freezer)
    assert state_of(hass, INSTANT_SENSOR) == STATE_OFF
    assert state_of(hass, INSTANT_SWITCH) == STATE_OFF
    zoom.clear_calls()
    await async_poll(hass, freezer)
    assert ("GET", f"/meetings/{INSTANT_ID}") not in requests_of(zoom)

    # The next full list no longer has it: its device goes.
    await async_poll(hass, freezer, LIST_REFRESH_INTERVAL)
    assert find_device(hass, f"{USER_ID}_{INSTANT_ID}") is None


def _instant_meeting_runs(zoom: ZoomMock) -> None:
    """Have Zoom run the instant meeting "Ad hoc call", which no list shows."""
    zoom.instant[INSTANT_ID] = {
        key: value
        for key, value in meeting_json(INSTANT_ID, "Ad hoc call", 1).items()
        if key != "start_time"
    }
    zoom.live.add(INSTANT_ID)


async def test_running_instant_meeting_survives_a_reload(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """A reload (or a restart) keeps a running instant meeting and its stream.

    No list shows it and Zoom sends its `meeting.started` once: the entry keeps
    which meetings it learned, and the first poll reads them by ID again.
    """
    _instant_meeting_runs(zoom)
    assert (await deliver(client, webhook_id, instant_started())).status == 200
    await hass.async_block_till_done()
    await _turn_on(hass, INSTANT_SWITCH)
    assert state_of(hass, INSTANT_SWITCH) == STATE_ON

    zoom.clear_calls()
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert ("GET", f"/meetings/{INSTANT_ID}") in requests_of(zoom)
    assert find_device(hass, f"{USER_ID}_{INSTANT_ID}") is not None
    assert state_of(hass, INSTANT_SENSOR) == STATE_ON
    assert state_of(hass, INSTANT_SWITCH) == STATE_ON

    # Once it ended, the next reload no longer asks for it.
    zoom.live.discard(INSTANT_ID)
    zoom.streaming.discard(INSTANT_ID)
    await async_poll(hass, freezer)
    assert state_of(hass, INSTANT_SWITCH) == STATE_OFF
    zoom.clear_calls()
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert ("GET", f"/meetings/{INSTANT_ID}") not in requests_of(zoom)
    assert find_device(hass, f"{USER_ID}_{INSTANT_ID}") is None


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (
            HTTPStatus.SERVICE_UNAVAILABLE,
            "<html><body>Service Unavailable</body></html>",
        ),
        (HTTPStatus.INTERNAL_SERVER_ERROR, None),
    ],
)
async def test_instant_meeting_learned_when_zoom_fails_to_describe_it(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    status: HTTPStatus,
    text: str | None,
) -> None:
    """Zoom answers 5xx for the details of a meeting its event says started.

    The event's own description adds it (Zoom sends `meeting.started` once,
    and no list shows the meeting); the next poll reads its details by ID.
    """
    caplog.set_level(logging.DEBUG)
    _instant_meeting_runs(zoom)
    zoom.fail("GET", f"/meetings/{INSTANT_ID}", status, text=text, times=1)
    assert (await deliver(client, webhook_id, instant_started())).status == 200
    await hass.async_block_till_done()
    assert state_of(hass, INSTANT_SENSOR) == STATE_ON
    # Debug logging says why the meeting was taken from the event alone.
    assert (
        f"Zoom did not describe {INSTANT_ID}, which started: "
        f"Zoom answered HTTP {status.value}"
    ) in _integration_debug(caplog)
    await _turn_on(hass, INSTANT_SWITCH)
    assert state_of(hass, INSTANT_SWITCH) == STATE_ON

    zoom.clear_calls()
    await async_poll(hass, freezer)
    assert ("GET", f"/meetings/{INSTANT_ID}") in requests_of(zoom)
    assert state_of(hass, INSTANT_SWITCH) == STATE_ON
    assert "Traceback" not in caplog.text


async def test_a_newer_rename_never_hides_a_late_stream_event(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    init_integration: MockConfigEntry,
) -> None:
    """Streams and names keep their own order of events.

    Zoom retried "stream stopped" after it had sent a newer "meeting updated"
    (a rename): the rename says nothing of the stream, so the stop still
    applies. A rename is only older than another rename.
    """
    now_ms = int(time.time() * 1000)

    def renamed(topic: str, event_ts: int) -> bytes:
        return make_body(
            "meeting.updated",
            {"id": MEETING_ID, "topic": topic},
            event_ts=event_ts,
            old_object={"id": MEETING_ID, "topic": "Weekly team sync"},
        )

    def device_name() -> str | None:
        device = find_device(hass, f"{USER_ID}_{MEETING_ID}")
        assert device is not None
        return device.name

    started = streaming_body("meeting.live_streaming_started", MEETING_ID, now_ms)
    assert (await deliver(client, webhook_id, started)).status == HTTPStatus.OK
    body = renamed("Weekly sync (moved)", now_ms + 5000)
    assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
    late = streaming_body("meeting.live_streaming_stopped", MEETING_ID, now_ms + 2000)
    assert (await deliver(client, webhook_id, late)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert state_of(hass, SWITCH) == STATE_OFF
    assert device_name() == "Weekly sync (moved)"

    # The other way round: a rename later than the last one, delivered after a
    # newer stream event, renames; one older than the last rename does not.
    restarted = streaming_body(
        "meeting.live_streaming_started", MEETING_ID, now_ms + 8000
    )
    assert (await deliver(client, webhook_id, restarted)).status == HTTPStatus.OK
    body = renamed("Weekly sync (final)", now_ms + 6000)
    assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
    body = renamed("Weekly sync (stale)", now_ms + 4000)
    assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert state_of(hass, SWITCH) == STATE_ON
    assert device_name() == "Weekly sync (final)"


async def test_started_meeting_of_someone_else_is_not_learned(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Another host's meeting (the account's event subscription sends all) stays out."""
    zoom.clear_calls()
    body = instant_started(host_id="someone-else")
    assert (await deliver(client, webhook_id, body)).status == 200
    await hass.async_block_till_done()
    assert zoom.calls == []
    assert hass.states.get(INSTANT_SWITCH) is None


async def test_created_for_a_host_not_followed_costs_nothing(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
) -> None:
    """A meeting a colleague the entry does not follow scheduled: ignored, no list."""
    zoom.clear_calls()
    created = {**meeting_json(NEW_MEETING_ID, "Not mine"), "host_id": "someone-else"}
    response = await deliver(
        client, webhook_id, lifecycle_body("meeting.created", created)
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert hass.states.get("switch.not_mine_live_stream") is None
    assert zoom.calls == []


COLLEAGUE_ID = "jane-id"
COLLEAGUE = "jane@example.com"


@pytest.mark.parametrize(
    "mock_config_entry",
    [{CONF_WEBHOOK_SECRET: SECRET, "extra_users": [COLLEAGUE]}],
    indirect=True,
)
async def test_created_events_of_colleagues_cost_one_lookup(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    hass_client_no_auth: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Thirty meetings of colleagues over ten minutes cost the polls and one lookup.

    The followed colleague (given by email, no meeting yet) is looked up once;
    then their new meeting shows at once, and others' meetings are ignored.
    """
    zoom.add_colleague(COLLEAGUE_ID, COLLEAGUE)
    for number in range(7):
        zoom.add_colleague(f"colleague-{number}", f"colleague{number}@example.com")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    webhook_id = mock_config_entry.data[CONF_WEBHOOK_ID]
    zoom.clear_calls()

    for number in range(30):
        created = {
            **meeting_json(NEW_MEETING_ID + number, f"Other {number}"),
            "host_id": f"colleague-{number % 7}",
        }
        # Zoom lists it for its host from now on.
        zoom.meetings[created["id"]] = created
        body = lifecycle_body("meeting.created", created)
        assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
        await async_poll(hass, freezer, timedelta(seconds=19))
    jane = {**meeting_json(UNKNOWN_MEETING_ID, "Jane's class"), "host_id": COLLEAGUE_ID}
    zoom.meetings[UNKNOWN_MEETING_ID] = jane
    body = lifecycle_body("meeting.created", jane)
    assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
    await hass.async_block_till_done()

    assert state_of(hass, "switch.jane_s_class_live_stream") == STATE_OFF
    assert not [s for s in hass.states.async_entity_ids() if "other_" in s]
    paths = [(c.method, c.path) for c in zoom.api_calls]
    # Ten minutes of polls (two live lists each), one full list, one lookup.
    assert len(paths) <= 10 * 2 + 2 * 2 + 1
    assert paths.count(("GET", f"/users/{COLLEAGUE}")) == 1


@pytest.mark.parametrize(
    "mock_config_entry",
    [{CONF_WEBHOOK_SECRET: SECRET, "extra_users": [COLLEAGUE]}],
    indirect=True,
)
async def test_first_meeting_of_a_colleague_known_by_email_shows_at_once(
    hass: HomeAssistant,
    zoom: ZoomMock,
    hass_client_no_auth: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The followed colleague's first meeting: Zoom is asked who they are, then it shows.

    It shows as the event described it, and a rename Zoom made before it was
    created, delivered late, changes nothing.
    """
    zoom.add_colleague(COLLEAGUE_ID, COLLEAGUE)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    webhook_id = mock_config_entry.data[CONF_WEBHOOK_ID]
    zoom.clear_calls()
    now_ms = int(time.time() * 1000)
    jane = {**meeting_json(UNKNOWN_MEETING_ID, "Jane's class"), "host_id": COLLEAGUE_ID}
    zoom.meetings[UNKNOWN_MEETING_ID] = jane
    created = _at(lifecycle_body("meeting.created", jane), now_ms)

    assert (await deliver(client, webhook_id, created)).status == HTTPStatus.OK
    await hass.async_block_till_done()

    assert state_of(hass, "switch.jane_s_class_live_stream") == STATE_OFF
    paths = [(c.method, c.path) for c in zoom.api_calls]
    assert paths.count(("GET", f"/users/{COLLEAGUE}")) == 1

    renamed = lifecycle_body(
        "meeting.updated", {"id": UNKNOWN_MEETING_ID, "topic": "Old name"}
    )
    late = _at(renamed, now_ms - 5000)
    assert (await deliver(client, webhook_id, late)).status == HTTPStatus.OK
    await hass.async_block_till_done()

    device = find_device(hass, f"{USER_ID}_{UNKNOWN_MEETING_ID}")
    assert device is not None
    assert device.name == "Jane's class"


async def test_burst_of_created_meetings_is_bounded(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
) -> None:
    """Hundreds of created events add a bounded number; one list settles the rest."""
    devices_before = len(dr.async_get(hass).devices)
    zoom.clear_calls()
    for number in range(300):
        created = meeting_json(NEW_MEETING_ID + number, f"Batch {number}")
        body = lifecycle_body("meeting.created", created)
        assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    added = len(dr.async_get(hass).devices) - devices_before
    assert 0 < added <= MAX_CREATED_UNLISTED
    assert zoom.calls == []

    # Zoom's lists have none of them (a bulk tool deleted them again): the next
    # poll reads the lists once, and the entry holds what they say.
    await async_poll(hass, freezer)
    assert len(dr.async_get(hass).devices) == devices_before
    lists = [c for c in zoom.api_calls if c.url.query.get("type") == "scheduled"]
    assert len(lists) == 1


# -- replays across a reload ----------------------------------------------------------------


async def test_replay_refused_after_a_reload(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    init_integration: MockConfigEntry,
    events: list[Event],
) -> None:
    """A delivery applied before an options save (a reload) is not applied after it."""
    body = streaming_body("meeting.live_streaming_started", MEETING_ID)
    headers = signed(body)
    assert (await deliver(client, webhook_id, body, headers)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    stopped = streaming_body("meeting.live_streaming_stopped", MEETING_ID)
    assert (await deliver(client, webhook_id, stopped)).status == HTTPStatus.OK

    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    freezer.tick(60)
    assert (await deliver(client, webhook_id, body, headers)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert state_of(hass, SWITCH) == STATE_OFF
    assert len(events) == 2


# -- strangers ------------------------------------------------------------------------------


async def test_fifty_unsigned_posts_log_one_warning(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The webhook is on the internet: strangers must not flood the log."""
    for number in range(50):
        response = await client.post(
            f"/api/webhook/{webhook_id}", data=f"hello {number}".encode()
        )
        assert response.status == HTTPStatus.UNAUTHORIZED
    # The integration's own lines (aiohttp 3.14's access log trips over the
    # frozen clock of some tests, which is no concern of the webhook).
    warnings = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith(LOGGER.name)
    ]
    assert len(warnings) == 1


@NO_SECRET
async def test_without_secret_only_zoom_like_deliveries_raise_the_repair(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A stranger's post raises no repair; a delivery shaped like Zoom's does."""
    issue_id = f"webhook_secret_missing_{init_integration.entry_id}"
    for junk in (b"", b"hello", b'{"event": 1}', b"[1, 2]"):
        response = await client.post(f"/api/webhook/{webhook_id}", data=junk)
        assert response.status == HTTPStatus.UNAUTHORIZED
    unsigned = running_body("meeting.started", MEETING_ID)
    response = await client.post(f"/api/webhook/{webhook_id}", data=unsigned)
    assert response.status == HTTPStatus.UNAUTHORIZED
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    response = await deliver(client, webhook_id, unsigned)
    assert response.status == HTTPStatus.UNAUTHORIZED
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None


# -- deliveries from the internet ------------------------------------------------------------


async def test_delivery_relayed_from_the_internet_is_accepted(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    setup_integration: SetupIntegration,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Zoom posts from the internet: a delivery from a public address is applied.

    Home Assistant behind a reverse proxy on loopback sees the address the proxy
    forwards (a documentation address here). A webhook registered local-only
    would answer 200 and drop every delivery of Zoom's, as the probe shows.
    """
    assert await async_setup_component(
        hass,
        "http",
        {"http": {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1"]}},
    )
    await setup_integration()
    probed: list[str | None] = []

    async def probe(hass: HomeAssistant, webhook_id: str, request: web.Request) -> None:
        probed.append(request.remote)

    webhook.async_register(hass, "test", "probe", "probe", probe, local_only=True)
    client = await hass_client_no_auth()
    from_zoom = {"X-Forwarded-For": "203.0.113.7"}

    response = await client.post("/api/webhook/probe", headers=from_zoom)
    assert response.status == HTTPStatus.OK
    assert probed == []  # The address is not local: a local-only webhook drops it.
    response = await client.post("/api/webhook/probe")
    assert probed == ["127.0.0.1"]

    body = _accepted_body()
    response = await client.post(
        f"/api/webhook/{mock_config_entry.data[CONF_WEBHOOK_ID]}",
        data=body,
        headers={**signed(body), **from_zoom},
    )
    assert response.status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_ON


# -- what a refused delivery leaves behind ---------------------------------------------------


@pytest.mark.parametrize(("build", "status"), REJECTED)
async def test_rejected_delivery_leaves_the_stored_state_untouched(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
    build: Callable[[], tuple[bytes, Headers]],
    status: HTTPStatus,
) -> None:
    """A refused delivery is not remembered: forged posts cannot fill the store.

    Neither written (the store saves a second after a change) nor pending (an
    unload writes what is pending).
    """
    key = f"{DOMAIN}.{init_integration.entry_id}"
    await _saved(hass, freezer)
    before = json.dumps(hass_storage.get(key), sort_keys=True)
    body, headers = build()

    response = await deliver(client, webhook_id, body, headers)

    assert response.status == status
    await _saved(hass, freezer)
    assert json.dumps(hass_storage.get(key), sort_keys=True) == before
    await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert json.dumps(hass_storage.get(key), sort_keys=True) == before


async def _saved(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the store write what it has pending (it waits a second)."""
    freezer.tick(timedelta(seconds=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    "mock_config_entry",
    [{CONF_WEBHOOK_SECRET: ""}, {CONF_WEBHOOK_SECRET: 12345}],
    indirect=True,
    ids=["empty", "number"],
)
async def test_an_empty_or_odd_secret_verifies_nothing(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    mock_config_entry: MockConfigEntry,
    events: list[Event],
) -> None:
    """A stored secret that is empty or not text (a hand-edited entry) is none.

    Anyone can sign with an empty key: such a delivery must not be applied.
    """
    secret = str(mock_config_entry.options[CONF_WEBHOOK_SECRET])
    body = _accepted_body()

    response = await deliver(client, webhook_id, body, signed(body, secret=secret))

    assert response.status == HTTPStatus.UNAUTHORIZED
    assert state_of(hass, SWITCH) == STATE_OFF
    await hass.async_block_till_done()
    assert events == []


# -- the "no secret token" repair --------------------------------------------------------


def _zoom_headers(body: bytes) -> Headers:
    """Headers as Zoom sends them, signed with a secret this entry does not have."""
    return signed(body, secret="whatever-zoom-has")


WITHOUT_SECRET_NO_REPAIR = [
    pytest.param(b"", id="empty"),
    pytest.param(b"hello", id="text"),
    pytest.param(b"[1, 2]", id="json_list"),
    pytest.param(b'"meeting.started"', id="json_string"),
    pytest.param(b"\xff\xfe", id="binary"),
    pytest.param(b"[" * 30_000 + b"]" * 30_000, id="deep_nesting"),
    pytest.param(b'{"event": 1, "payload": {}}', id="event_number"),
    pytest.param(b'{"event": "meeting.started"}', id="no_payload"),
    pytest.param(b'{"event": "meeting.started", "payload": []}', id="payload_list"),
    pytest.param(
        json.dumps(
            {"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}
        ).encode(),
        id="url_validation",
    ),
    # Shaped like Zoom's, but naming no account or another one: anyone can post
    # that; only Zoom knows the entry's account.
    pytest.param(
        running_body("meeting.started", MEETING_ID).replace(
            f'"account_id": "{ACCOUNT_ID}", '.encode(), b""
        ),
        id="no_account",
    ),
    pytest.param(
        running_body("meeting.started", MEETING_ID).replace(
            ACCOUNT_ID.encode(), b"acc-999"
        ),
        id="other_account",
    ),
    pytest.param(
        json.dumps({"event": "meeting.started", "payload": {}}).encode(),
        id="empty_payload",
    ),
]


@NO_SECRET
@pytest.mark.parametrize("body", WITHOUT_SECRET_NO_REPAIR)
async def test_without_secret_a_strangers_post_raises_no_repair(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
) -> None:
    """A post with Zoom's headers is no proof that Zoom sends events here.

    The repair asks the user to act: only a delivery naming the entry's Zoom
    account (which the webhook URL does not reveal) raises it. Whatever the
    body, the answer is a refusal, never a server error.
    """
    response = await deliver(client, webhook_id, body, _zoom_headers(body))

    assert response.status == HTTPStatus.UNAUTHORIZED
    issue_id = f"webhook_secret_missing_{init_integration.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# -- webinars scheduled, renamed and deleted -------------------------------------------------


NEW_WEBINAR_ID = 92222333344


@pytest.mark.parametrize("include_webinars", [True, False])
async def test_webinar_created_updated_deleted_apply_at_once(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    include_webinars: bool,
) -> None:
    """Webinars are scheduled, renamed and deleted like meetings, unless left out."""
    if not include_webinars:
        await async_save_options(
            hass,
            init_integration,
            {"include_webinars": False, "events": True, CONF_WEBHOOK_SECRET: SECRET},
        )
        await hass.async_block_till_done()
    zoom.clear_calls()
    created = meeting_json(NEW_WEBINAR_ID, "Investor webinar", 5)
    response = await deliver(
        client, webhook_id, lifecycle_body("webinar.created", created)
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    switch = "switch.investor_webinar_live_stream"
    if not include_webinars:
        assert hass.states.get(switch) is None
        assert find_device(hass, f"{USER_ID}_{NEW_WEBINAR_ID}") is None
        assert zoom.calls == []
        return
    assert state_of(hass, switch) == STATE_OFF

    response = await deliver(
        client,
        webhook_id,
        make_body(
            "webinar.updated",
            {"id": NEW_WEBINAR_ID, "topic": "Investor webinar (moved)"},
            old_object={"id": NEW_WEBINAR_ID, "topic": "Investor webinar"},
        ),
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    device = find_device(hass, f"{USER_ID}_{NEW_WEBINAR_ID}")
    assert device is not None
    assert device.name == "Investor webinar (moved)"

    response = await deliver(
        client,
        webhook_id,
        lifecycle_body("webinar.deleted", {"id": NEW_WEBINAR_ID, "uuid": "w=="}),
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert find_device(hass, f"{USER_ID}_{NEW_WEBINAR_ID}") is None
    assert hass.states.get(switch) is None
    assert zoom.calls == []


@pytest.mark.parametrize(
    ("obj", "status"),
    [
        pytest.param({"id": "85746O65432", "topic": "Typo"}, 400, id="id_not_a_number"),
        pytest.param({"id": None, "topic": "Null"}, 400, id="id_null"),
        pytest.param({"topic": "No ID", "host_id": USER_ID}, 200, id="no_id"),
        pytest.param("a meeting", 200, id="not_an_object"),
    ],
)
async def test_created_without_a_usable_meeting_changes_nothing(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
    events: list[Event],
    caplog: pytest.LogCaptureFixture,
    obj: Any,
    status: int,
) -> None:
    """A signed `meeting.created` whose object names no meeting adds none.

    An unreadable ID is refused (Zoom's IDs are numbers); an object without one
    is acknowledged and changes nothing. Never a server error.
    """
    before = entity_states(hass)
    zoom.clear_calls()
    body = make_body("meeting.created", obj)

    response = await deliver(client, webhook_id, body)

    assert response.status == status
    await hass.async_block_till_done()
    assert entity_states(hass) == before
    assert zoom.calls == []
    assert len(events) == (status == 200)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_created_with_odd_fields_adds_the_meeting(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
) -> None:
    """Only the ID of a created meeting is required; odd fields are left out."""
    zoom.clear_calls()
    obj = {"id": NEW_MEETING_ID, "host_id": USER_ID, "type": "2", "start_time": 5}

    response = await deliver(client, webhook_id, lifecycle_body("meeting.created", obj))

    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    # Named by its ID, as a meeting without a topic is everywhere.
    assert state_of(hass, f"switch.meeting_{NEW_MEETING_ID}_live_stream") == STATE_OFF
    assert zoom.calls == []


# -- what the bus event says --------------------------------------------------------------


async def test_event_of_an_unknown_meeting_names_its_topic(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    events: list[Event],
) -> None:
    """A meeting this entry does not show still has its topic, from the event.

    Known meetings are named as Home Assistant shows them (their device too).
    """
    unknown = make_body(
        "meeting.ended", {"id": str(UNKNOWN_MEETING_ID), "topic": "Someone's call"}
    )
    known = make_body(
        "meeting.ended", {"id": str(MEETING_ID), "topic": "Renamed at Zoom"}
    )
    untitled = make_body("meeting.ended", {"id": str(UNKNOWN_MEETING_ID + 1)})
    for body in (unknown, known, untitled):
        assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
    await hass.async_block_till_done()

    device = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    assert device is not None
    assert [dict(event.data) for event in events] == [
        {
            "config_entry_id": events[0].data["config_entry_id"],
            "type": "meeting.ended",
            "meeting_id": UNKNOWN_MEETING_ID,
            "topic": "Someone's call",
        },
        {
            "config_entry_id": events[0].data["config_entry_id"],
            "type": "meeting.ended",
            "meeting_id": MEETING_ID,
            "device_id": device.id,
            "topic": "Weekly team sync",
        },
        {
            "config_entry_id": events[0].data["config_entry_id"],
            "type": "meeting.ended",
            "meeting_id": UNKNOWN_MEETING_ID + 1,
        },
    ]


async def test_rejections_are_summed_up_once_an_hour(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The first refusal is told at once; the next ones an hour later, counted."""

    def warnings() -> list[str]:
        return [
            r.getMessage()
            for r in caplog.records
            if r.levelno >= logging.WARNING and r.name.startswith(LOGGER.name)
        ]

    async def post(count: int) -> None:
        for number in range(count):
            response = await client.post(
                f"/api/webhook/{webhook_id}", data=f"hello {number}".encode()
            )
            assert response.status == HTTPStatus.UNAUTHORIZED

    hint = "if Zoom's events stop arriving, check the secret token in the options"
    title = mock_config_entry.title
    await post(1)
    assert warnings() == [
        f"Rejected 1 delivery(ies) to the Zoom webhook of {title} (last: unsigned); "
        + hint
    ]
    caplog.clear()
    await post(20)
    # An hour, as the README promises (not the constant: it could change unnoticed).
    freezer.tick(3599)
    await post(9)
    assert warnings() == []

    freezer.tick(1)
    await post(1)
    assert warnings() == [
        f"Rejected 30 delivery(ies) to the Zoom webhook of {title} (last: unsigned); "
        + hint
    ]


# -- what the log says -----------------------------------------------------------------------


def _integration_debug(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the integration's own debug lines (not the client's requests)."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.DEBUG and record.name == LOGGER.name
    ]


def _keyless(offset: float) -> Callable[[], tuple[bytes, Headers]]:
    """Return a delivery without `event_ts`, signed `offset` seconds from now."""

    def build() -> tuple[bytes, Headers]:
        body = json.dumps(
            {
                "event": "meeting.live_streaming_started",
                "payload": {"account_id": ACCOUNT_ID, "object": {"id": MEETING_ID}},
            }
        ).encode()
        return body, signed(body, timestamp=str(int(time.time() + offset)))

    return build


UNAUTHORIZED = HTTPStatus.UNAUTHORIZED


@pytest.mark.parametrize(
    ("build", "reason", "status", "counted"),
    [
        pytest.param(
            _without("x-zm-signature"),
            "unsigned",
            UNAUTHORIZED,
            "bad_signature",
            id="no_signature",
        ),
        pytest.param(
            _without("x-zm-request-timestamp"),
            "unsigned",
            UNAUTHORIZED,
            "bad_signature",
            id="no_timestamp",
        ),
        pytest.param(
            _with_signature(lambda body, ts: "v0=" + "0" * 64),
            "wrong signature",
            UNAUTHORIZED,
            "bad_signature",
            id="wrong_signature",
        ),
        pytest.param(
            _stale(301), "timestamp ahead", UNAUTHORIZED, "stale", id="301s_ahead"
        ),
        pytest.param(
            _stale(-7201), "stale timestamp", UNAUTHORIZED, "stale", id="2h_old"
        ),
        pytest.param(
            _keyless(-301),
            "stale timestamp",
            UNAUTHORIZED,
            "stale",
            id="301s_old_without_event_ts",
        ),
        pytest.param(
            _signed_body(_accepted_body(), timestamp="yesterday"),
            "the timestamp is not a number",
            UNAUTHORIZED,
            "other",
            id="timestamp_not_a_number",
        ),
        pytest.param(
            _signed_body(b'{"event": "meeting.live_streaming_started", '),
            "the body is not JSON",
            HTTPStatus.BAD_REQUEST,
            "other",
            id="malformed_json",
        ),
        pytest.param(
            _signed_body(_padded(64 * 1024 + 1)),
            "body too large",
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "other",
            id="over_64kib",
        ),
        pytest.param(
            _signed_body(_accepted_body().replace(ACCOUNT_ID.encode(), b"acc-999")),
            "event of another Zoom account",
            HTTPStatus.FORBIDDEN,
            "other_account",
            id="other_account",
        ),
    ],
)
async def test_rejection_reason_is_logged(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    build: Callable[[], tuple[bytes, Headers]],
    reason: str,
    status: HTTPStatus,
    counted: str,
) -> None:
    """Debug logging tells why a delivery was refused (the secret never).

    Zoom gets the status that says it, and diagnostics count it by its kind.
    """
    caplog.set_level(logging.DEBUG)
    _to_whole_second(freezer)
    body, headers = build()

    response = await deliver(client, webhook_id, body, headers)

    assert response.status == status
    assert _integration_debug(caplog) == [
        f"Rejected a Zoom webhook delivery for {mock_config_entry.title}: {reason}"
    ]
    health = mock_config_entry.runtime_data.webhook_health.as_dict()
    assert {kind: n for kind, n in health["refused"].items() if n} == {counted: 1}


@NO_SECRET
async def test_without_secret_the_reason_is_logged(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A delivery refused for want of a secret says so, and the warning points there."""
    caplog.set_level(logging.DEBUG)

    response = await deliver(client, webhook_id, _accepted_body())

    assert response.status == HTTPStatus.UNAUTHORIZED
    reason = "no secret token is set in the options"
    assert _integration_debug(caplog) == [
        f"Rejected a Zoom webhook delivery for {mock_config_entry.title}: {reason}"
    ]


@pytest.mark.parametrize(
    ("offset", "status"),
    [(-300, HTTPStatus.OK), (-301, HTTPStatus.UNAUTHORIZED)],
    ids=["300s_old", "301s_old"],
)
async def test_delivery_without_event_ts_is_fresh_for_five_minutes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    offset: int,
    status: HTTPStatus,
) -> None:
    """Without `event_ts` a late copy cannot be told from a replay: five minutes."""
    _to_whole_second(freezer)
    body, headers = _keyless(offset)()

    response = await deliver(client, webhook_id, body, headers)

    assert response.status == status
    assert state_of(hass, SWITCH) == (
        STATE_ON if status == HTTPStatus.OK else STATE_OFF
    )


async def test_delivery_without_event_ts_is_applied_once_while_fresh(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    events: list[Event],
) -> None:
    """Dated five minutes ahead, it stays fresh for ten: a copy then changes nothing."""
    _to_whole_second(freezer)
    body, headers = _keyless(300)()
    assert (await deliver(client, webhook_id, body, headers)).status == HTTPStatus.OK
    freezer.tick(1)
    stopped = streaming_body("meeting.live_streaming_stopped", MEETING_ID)
    assert (await deliver(client, webhook_id, stopped)).status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_OFF

    freezer.tick(598)
    assert (await deliver(client, webhook_id, body, headers)).status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_OFF
    await hass.async_block_till_done()
    assert len(events) == 2


async def test_delivery_without_event_ts_is_forgotten_once_it_cannot_be_fresh(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Kept ten minutes (its freshness, either way of now), not Zoom's two hours.

    A copy older than that is refused as stale before the memory is asked, so
    keeping it longer would only let a stream of such deliveries grow the store.
    An event with `event_ts` is kept for Zoom's retries, two hours.
    """
    _to_whole_second(freezer)
    store = mock_config_entry.runtime_data.coordinator.store
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    body, headers = _keyless(0)()
    keyless = f"signature|{headers['x-zm-signature']}"
    assert (await deliver(client, webhook_id, body, headers)).status == HTTPStatus.OK

    freezer.tick(599)
    keyed = streaming_body("meeting.live_streaming_stopped", MEETING_ID)
    assert (await deliver(client, webhook_id, keyed)).status == HTTPStatus.OK
    await store.async_flush()
    assert keyless in hass_storage[key]["data"]["deliveries"]

    freezer.tick(2)
    keyed = streaming_body("meeting.live_streaming_started", MEETING_ID)
    assert (await deliver(client, webhook_id, keyed)).status == HTTPStatus.OK
    await store.async_flush()
    remembered = hass_storage[key]["data"]["deliveries"]
    assert keyless not in remembered
    # Both keyed events, each for two hours from its arrival.
    now = time.time()
    assert sorted(until - now for until in remembered.values()) == [7198.0, 7200.0]


async def test_oldest_retry_is_accepted(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
) -> None:
    """Zoom's last retry may carry a timestamp two hours old: still applied."""
    _to_whole_second(freezer)
    body = _accepted_body()

    response = await deliver(client, webhook_id, body, signed(body, offset=-7200))

    assert response.status == HTTPStatus.OK
    assert state_of(hass, SWITCH) == STATE_ON


async def test_what_debug_logging_tells_of_accepted_deliveries(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A copy, a late event and an event without a meeting each say why nothing changed."""
    caplog.set_level(logging.DEBUG)
    now_ms = int(time.time() * 1000)
    started = streaming_body("meeting.live_streaming_started", MEETING_ID, now_ms)
    stopped = streaming_body("meeting.live_streaming_stopped", MEETING_ID, now_ms + 9)
    late = streaming_body("meeting.live_streaming_started", MEETING_ID, now_ms + 5)
    for body in (started, started, stopped, late, make_body("app.deauthorized")):
        assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK

    assert _integration_debug(caplog) == [
        "Zoom delivered meeting.live_streaming_started again; it was applied once",
        "Ignoring meeting.live_streaming_started: older than what Zoom said since",
        "Ignoring Zoom event app.deauthorized without a meeting",
    ]
    # Each answered without an error of its own (Home Assistant would still say 200).
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_webhook_is_listed_for_zoom(
    hass: HomeAssistant,
    webhook_id: str,
    mock_config_entry: MockConfigEntry,
    hass_ws_client: Any,
) -> None:
    """Home Assistant lists the webhook by the entry's name, open to the internet, POST only."""
    ws = await hass_ws_client(hass)
    await ws.send_json({"id": 1, "type": "webhook/list"})
    result = await ws.receive_json()

    assert result["success"]
    listed = [hook for hook in result["result"] if hook["webhook_id"] == webhook_id]
    assert listed == [
        {
            "webhook_id": webhook_id,
            "domain": DOMAIN,
            "name": f"Zoom Live Stream ({mock_config_entry.title})",
            "local_only": False,
            "allowed_methods": ["POST"],
        }
    ]


# -- late events about lifecycle and running state ---------------------------------------------


def _at(body: bytes, event_ts: int) -> bytes:
    """Return the delivery `body` as if its event happened at `event_ts` (ms)."""
    data = json.loads(body)
    data["event_ts"] = event_ts
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("newer", "older", "state"),
    [
        ("meeting.ended", "meeting.started", STATE_OFF),
        ("meeting.started", "meeting.ended", STATE_ON),
    ],
)
async def test_late_started_or_ended_changes_nothing(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    newer: str,
    older: str,
    state: str,
) -> None:
    """A started or ended that happened before the last event applied is stale."""
    now_ms = int(time.time() * 1000)
    first = _at(running_body(newer, OTHER_MEETING_ID), now_ms + 5000)
    late = _at(running_body(older, OTHER_MEETING_ID), now_ms)

    assert (await deliver(client, webhook_id, first)).status == HTTPStatus.OK
    assert (await deliver(client, webhook_id, late)).status == HTTPStatus.OK

    assert state_of(hass, OTHER_SENSOR) == state


async def test_late_rename_of_a_created_meeting_changes_nothing(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
) -> None:
    """A rename that happened before the meeting was created (as Zoom says) is stale."""
    now_ms = int(time.time() * 1000)
    created = lifecycle_body(
        "meeting.created", meeting_json(NEW_MEETING_ID, "Board meeting")
    )
    renamed = make_body("meeting.updated", {"id": NEW_MEETING_ID, "topic": "Old name"})
    for body in (_at(created, now_ms + 5000), _at(renamed, now_ms)):
        assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
    await hass.async_block_till_done()

    device = find_device(hass, f"{USER_ID}_{NEW_MEETING_ID}")
    assert device is not None
    assert device.name == "Board meeting"


async def test_late_end_of_a_learned_instant_meeting_changes_nothing(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    zoom: ZoomMock,
) -> None:
    """An instant meeting learned from its start keeps when that start happened."""
    zoom.instant[INSTANT_ID] = meeting_json(INSTANT_ID, "Ad hoc call", 1)
    zoom.live.add(INSTANT_ID)
    now_ms = int(time.time() * 1000)
    started = _at(instant_started(), now_ms + 5000)
    assert (await deliver(client, webhook_id, started)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert state_of(hass, INSTANT_SENSOR) == STATE_ON

    ended = _at(running_body("meeting.ended", INSTANT_ID, USER_ID), now_ms)
    assert (await deliver(client, webhook_id, ended)).status == HTTPStatus.OK

    assert state_of(hass, INSTANT_SENSOR) == STATE_ON


async def test_meetings_are_created_when_webinars_are_left_out(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
    init_integration: MockConfigEntry,
) -> None:
    """Leaving webinars out leaves meetings in."""
    await async_save_options(
        hass,
        init_integration,
        {"include_webinars": False, "events": True, CONF_WEBHOOK_SECRET: SECRET},
    )
    await hass.async_block_till_done()
    created = lifecycle_body(
        "meeting.created", meeting_json(NEW_MEETING_ID, "Board meeting")
    )

    assert (await deliver(client, webhook_id, created)).status == HTTPStatus.OK

    await hass.async_block_till_done()
    assert state_of(hass, "switch.board_meeting_live_stream") == STATE_OFF


async def test_late_created_after_deleted_does_not_bring_the_meeting_back(
    hass: HomeAssistant,
    client: Client,
    webhook_id: str,
) -> None:
    """Zoom's retry of a "created" arriving after the "deleted" adds no ghost."""
    now_ms = int(time.time() * 1000)
    deleted = lifecycle_body("meeting.deleted", {"id": NEW_MEETING_ID, "uuid": "u=="})
    created = lifecycle_body(
        "meeting.created", meeting_json(NEW_MEETING_ID, "Board meeting")
    )
    for body in (_at(deleted, now_ms + 5000), _at(created, now_ms)):
        assert (await deliver(client, webhook_id, body)).status == HTTPStatus.OK
    await hass.async_block_till_done()

    assert find_device(hass, f"{USER_ID}_{NEW_MEETING_ID}") is None
    assert hass.states.get("switch.board_meeting_live_stream") is None


async def test_copy_of_the_newest_event_an_hour_later_is_applied_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: Client,
    webhook_id: str,
    events: list[Event],
) -> None:
    """Zoom's last retry comes 85 minutes on: the event is still remembered then."""
    _to_whole_second(freezer)
    body = _accepted_body()
    headers = signed(body)
    assert (await deliver(client, webhook_id, body, headers)).status == HTTPStatus.OK

    freezer.tick(85 * 60)
    assert (await deliver(client, webhook_id, body, headers)).status == HTTPStatus.OK

    await hass.async_block_till_done()
    assert len(events) == 1
