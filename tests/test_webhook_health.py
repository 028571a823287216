"""Whether Zoom's events are set up, as the options, diagnostics and repairs tell.

Through the real webhook endpoint: Zoom's URL validation, signed events and
refused deliveries; time moves with the frozen clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from http import HTTPStatus
import json
import math
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.zoom_livestream.const import (
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
)
from custom_components.zoom_livestream.diagnostics import (
    async_get_config_entry_diagnostics,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .conftest import (
    MEETING_ID,
    OTHER_MEETING_ID,
    ZoomMock,
    async_poll,
    async_save_options,
    make_entry,
)
from .test_push import (
    SECRET,
    STREAM_KEY,
    Client,
    deliver,
    running_body,
    signed,
    streaming_body,
    zoom_signature,
)

EXTERNAL_URL = "https://ha.example.com"
NOT_VALIDATED = "webhook_not_validated"
EVENTS_STOPPED = "webhook_events_stopped"
SUBSCRIBED = (
    "meeting.started, meeting.ended, meeting.live_streaming_started, "
    "meeting.live_streaming_stopped, meeting.created, meeting.updated, "
    "meeting.deleted, webinar.started, webinar.ended, webinar.created, "
    "webinar.updated, webinar.deleted"
)


def validation_body(token: str = "plain-abc") -> bytes:
    """Zoom's endpoint check, as it posts it when the user clicks Validate."""
    return json.dumps(
        {
            "event": "endpoint.url_validation",
            "event_ts": int(dt_util.utcnow().timestamp() * 1000),
            "payload": {"plainToken": token},
        }
    ).encode()


def shown(moment: datetime) -> str:
    """How the options show a moment: local time, to the second."""
    return dt_util.as_local(moment).strftime("%Y-%m-%d %H:%M:%S")


async def _client(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> Client:
    result: Client = await hass_client_no_auth()
    return result


async def _setup(hass: HomeAssistant, options: dict[str, Any]) -> MockConfigEntry:
    entry = make_entry(options=options)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _placeholders(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    assert result["type"] is FlowResultType.FORM
    hass.config_entries.options.async_abort(result["flow_id"])
    return dict(result["description_placeholders"] or {})


def _issue(
    hass: HomeAssistant, kind: str, entry: MockConfigEntry
) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{entry.entry_id}")


async def _wait(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: float
) -> None:
    """Let `minutes` pass, a poll a minute, as Home Assistant runs."""
    for _ in range(int(minutes)):
        await async_poll(hass, freezer, timedelta(seconds=59))


async def _refuse_one_of_each(client: Client, webhook_id: str) -> None:
    """One delivery refused for each reason the options count."""
    body = streaming_body("meeting.live_streaming_started", OTHER_MEETING_ID)
    wrong = {**signed(body), "x-zm-signature": zoom_signature("guess", "1", body)}
    assert (await deliver(client, webhook_id, body, wrong)).status == 401
    stale = signed(body, offset=-3 * 3600)
    assert (await deliver(client, webhook_id, body, stale)).status == 401
    other = body.replace(b"acc-", b"acc-other-")
    assert (await deliver(client, webhook_id, other)).status == 403
    assert (await deliver(client, webhook_id, b"{not json")).status == 400


# -- item 6: the options and the diagnostics tell --------------------------------------


async def test_options_tell_validation_last_event_and_refusals(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Before anything arrives the options say so; then when, what and why."""
    entry = await _setup(hass, {CONF_WEBHOOK_SECRET: SECRET})
    before = await _placeholders(hass, entry)
    assert {
        key: before[key]
        for key in (
            "validated_at",
            "last_event",
            "last_event_at",
            "refused_signature",
            "refused_stale",
            "refused_replay",
            "refused_account",
            "refused_other",
        )
    } == {
        "validated_at": "-",
        "last_event": "-",
        "last_event_at": "-",
        "refused_signature": "0",
        "refused_stale": "0",
        "refused_replay": "0",
        "refused_account": "0",
        "refused_other": "0",
    }

    client = await _client(hass, hass_client_no_auth)
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    validated = dt_util.utcnow()
    response = await deliver(client, webhook_id, validation_body())
    assert response.status == HTTPStatus.OK
    freezer.tick(timedelta(minutes=3))
    arrived = dt_util.utcnow()
    body = running_body("meeting.started", OTHER_MEETING_ID)
    headers = signed(body)
    assert (await deliver(client, webhook_id, body, headers)).status == 200
    # The same delivery again (a replay, or Zoom's retry): applied once.
    assert (await deliver(client, webhook_id, body, headers)).status == 200
    await _refuse_one_of_each(client, webhook_id)

    after = await _placeholders(hass, entry)
    assert after["validated_at"] == shown(validated)
    assert after["last_event"] == "meeting.started"
    assert after["last_event_at"] == shown(arrived)
    assert [after[f"refused_{reason}"] for reason in REASONS] == ["1"] * 5
    assert SECRET not in json.dumps(after)


REASONS = ("signature", "stale", "replay", "account", "other")


async def test_validation_and_last_event_survive_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Zoom validates every 72 hours: a restart must not forget that it did."""
    entry = await _setup(hass, {CONF_WEBHOOK_SECRET: SECRET})
    client = await _client(hass, hass_client_no_auth)
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    validated = dt_util.utcnow()
    assert (await deliver(client, webhook_id, validation_body())).status == 200
    body = streaming_body("meeting.live_streaming_started", MEETING_ID)
    assert (await deliver(client, webhook_id, body)).status == 200
    await _refuse_one_of_each(client, webhook_id)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED

    placeholders = await _placeholders(hass, entry)
    assert placeholders["validated_at"] == shown(validated)
    assert placeholders["last_event"] == "meeting.live_streaming_started"
    # Refusals are counted since the entry loaded.
    assert [placeholders[f"refused_{reason}"] for reason in REASONS] == ["0"] * 5


async def test_diagnostics_tell_the_webhook_state_without_secrets(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Validation, last event and refusals by reason; no secret, no URL."""
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL_URL})
    entry = await _setup(hass, {CONF_WEBHOOK_SECRET: SECRET})
    client = await _client(hass, hass_client_no_auth)
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    validated = dt_util.utcnow()
    assert (await deliver(client, webhook_id, validation_body())).status == 200
    freezer.tick(timedelta(seconds=30))
    arrived = dt_util.utcnow()
    body = streaming_body("meeting.live_streaming_started", MEETING_ID)
    assert (await deliver(client, webhook_id, body)).status == 200
    await _refuse_one_of_each(client, webhook_id)

    # What the download holds (the download itself: tests/test_diagnostics.py).
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)

    assert diagnostics["push"] == {
        "secret_set": True,
        "url_available": True,
        "validated_at": validated.isoformat(timespec="seconds"),
        "last_event": "meeting.live_streaming_started",
        "last_event_at": arrived.isoformat(timespec="seconds"),
        "refused": {
            "bad_signature": 1,
            "stale": 1,
            "replay": 0,
            "other_account": 1,
            "other": 1,
        },
        "waiting_for_validation_since": None,
        "silent_meetings": [],
    }
    text = json.dumps(diagnostics)
    for secret in (SECRET, STREAM_KEY, webhook_id, "plain-abc"):
        assert secret not in text


# -- item 7: repairs that tell what to paste where -------------------------------------


@pytest.mark.parametrize(
    "arrival",
    [
        pytest.param(validation_body, id="validation"),
        pytest.param(
            lambda: running_body("meeting.started", OTHER_MEETING_ID), id="event"
        ),
    ],
)
async def test_repair_when_zoom_does_not_validate_after_saving(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    hass_client_no_auth: ClientSessionGenerator,
    arrival: Any,
) -> None:
    """Events turned on, nothing from Zoom: after a while, what to paste where."""
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL_URL})
    entry = await _setup(hass, {})
    await async_save_options(hass, entry, {"events": True, "webhook_secret": SECRET})
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    webhook_id = entry.data[CONF_WEBHOOK_ID]

    await _wait(hass, freezer, 9)
    assert _issue(hass, NOT_VALIDATED, entry) is None

    await _wait(hass, freezer, 2)
    issue = _issue(hass, NOT_VALIDATED, entry)
    assert issue is not None
    assert issue.translation_key == NOT_VALIDATED
    assert issue.translation_placeholders == {
        "title": entry.title,
        "url": f"{EXTERNAL_URL}/api/webhook/{webhook_id}",
        "events": SUBSCRIBED,
        "minutes": "10",
    }
    # The placeholders are not written to disk, and never hold the secret.
    assert not issue.is_persistent
    assert SECRET not in json.dumps(issue.translation_placeholders)

    client = await _client(hass, hass_client_no_auth)
    assert (await deliver(client, webhook_id, arrival())).status == 200
    await hass.async_block_till_done()
    assert _issue(hass, NOT_VALIDATED, entry) is None
    # Not raised again.
    await _wait(hass, freezer, 20)
    assert _issue(hass, NOT_VALIDATED, entry) is None


async def test_waiting_for_validation_survives_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
) -> None:
    """A restart while Zoom has not validated yet does not reset the wait."""
    entry = await _setup(hass, {})
    await async_save_options(hass, entry, {"events": True, "webhook_secret": SECRET})
    await hass.async_block_till_done()
    await _wait(hass, freezer, 6)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await _wait(hass, freezer, 5)
    issue = _issue(hass, NOT_VALIDATED, entry)
    assert issue is not None
    # Without an external URL or Cloud there is no URL to paste yet.
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["url"] == "-"

    # Events turned off: nothing to set up, the repair goes.
    await async_save_options(hass, entry, {"events": False})
    await hass.async_block_till_done()
    assert _issue(hass, NOT_VALIDATED, entry) is None


@pytest.mark.parametrize(
    "saved",
    [
        pytest.param({}, id="same_secret_saved_again"),
        pytest.param({"webhook_secret": "new-secret"}, id="secret_replaced"),
    ],
)
async def test_no_validation_repair_for_a_setup_that_worked(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    hass_client_no_auth: ClientSessionGenerator,
    saved: dict[str, Any],
) -> None:
    """Restarts and saved options of a working setup raise nothing.

    Zoom validates only when the URL is saved there, and every 72 hours: an
    account without meetings sends nothing for days.
    """
    entry = await _setup(hass, {CONF_WEBHOOK_SECRET: SECRET})
    await _wait(hass, freezer, 30)
    assert _issue(hass, NOT_VALIDATED, entry) is None

    client = await _client(hass, hass_client_no_auth)
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    assert (await deliver(client, webhook_id, validation_body())).status == 200
    await async_save_options(hass, entry, {"events": True, **saved})
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await _wait(hass, freezer, 30)
    assert _issue(hass, NOT_VALIDATED, entry) is None


async def test_repair_when_signed_events_stop_while_a_meeting_runs(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A meeting starts by the live poll and Zoom never says so: events stopped."""
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL_URL})
    entry = await _setup(hass, {CONF_WEBHOOK_SECRET: SECRET})
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    client = await _client(hass, hass_client_no_auth)
    assert (await deliver(client, webhook_id, validation_body())).status == 200

    zoom.live.add(OTHER_MEETING_ID)
    await _wait(hass, freezer, 29)
    assert _issue(hass, EVENTS_STOPPED, entry) is None
    await _wait(hass, freezer, 2)
    issue = _issue(hass, EVENTS_STOPPED, entry)
    assert issue is not None
    assert issue.translation_key == EVENTS_STOPPED
    assert issue.translation_placeholders == {
        "title": entry.title,
        "url": f"{EXTERNAL_URL}/api/webhook/{webhook_id}",
        "events": SUBSCRIBED,
        "minutes": "30",
        "name": "Product launch",
    }

    # Zoom delivers again: the repair goes, and that run raises it no more.
    body = streaming_body("meeting.live_streaming_started", MEETING_ID)
    assert (await deliver(client, webhook_id, body)).status == 200
    await hass.async_block_till_done()
    assert _issue(hass, EVENTS_STOPPED, entry) is None
    await _wait(hass, freezer, 40)
    assert _issue(hass, EVENTS_STOPPED, entry) is None


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({CONF_WEBHOOK_SECRET: SECRET}, id="started_event_arrived"),
        pytest.param({}, id="events_off"),
    ],
)
async def test_no_silence_repair_when_zoom_told_or_was_not_asked(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    hass_client_no_auth: ClientSessionGenerator,
    options: dict[str, Any],
) -> None:
    """The started event arrived (or events are off): a long meeting is fine.

    The meeting running when the entry loaded started at a time nobody knows:
    it never counts.
    """
    entry = await _setup(hass, options)
    assert MEETING_ID in zoom.live
    zoom.live.add(OTHER_MEETING_ID)
    if options:
        client = await _client(hass, hass_client_no_auth)
        body = running_body("meeting.started", OTHER_MEETING_ID)
        response = await deliver(client, entry.data[CONF_WEBHOOK_ID], body)
        assert response.status == 200
    await _wait(hass, freezer, 90)
    assert _issue(hass, EVENTS_STOPPED, entry) is None
    assert _issue(hass, NOT_VALIDATED, entry) is None


@pytest.mark.parametrize(
    ("push", "kept"),
    [
        pytest.param(
            {
                "validated_at": 1764000000.0,
                "event_at": math.inf,
                "event": 42,
                "secret": "not ours",
            },
            {"validated_at": 1764000000.0},
            id="damaged_values",
        ),
        pytest.param(["validated_at", 1764000000.0], {}, id="not_a_mapping"),
    ],
)
async def test_damaged_stored_webhook_state_is_dropped(
    hass: HomeAssistant,
    zoom: ZoomMock,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    push: Any,
    kept: dict[str, Any],
) -> None:
    """What cannot be a moment or an event type is dropped, with one warning."""
    entry = make_entry(options={CONF_WEBHOOK_SECRET: SECRET})
    key = f"{DOMAIN}.{entry.entry_id}"
    hass_storage[key] = {"version": 1, "key": key, "data": {"push": push}}
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED

    placeholders = await _placeholders(hass, entry)
    assert placeholders["validated_at"] == (
        shown(dt_util.utc_from_timestamp(1764000000.0)) if kept else "-"
    )
    assert (placeholders["last_event"], placeholders["last_event_at"]) == ("-", "-")
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.levelname == "WARNING" and "stored state" in record.getMessage()
    ]
    assert len(warnings) == 1
    assert hass_storage[key]["data"]["push"] == kept
