"""Random and malformed input at every boundary, from a fixed seed.

- 1,000 deliveries to the public webhook, through Home Assistant's HTTP server,
  malformed ones mixed with signed valid ones: no traceback, each valid one
  applied once, nothing else changes.
- The action's and the options' fields: only translated validation errors, and
  no request to Zoom for refused input.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
import random
import string
import time
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.zoom_livestream.const import (
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    EVENT_ZOOM,
)
from custom_components.zoom_livestream.zoom import sign
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError

from .conftest import ACCOUNT_ID, MEETING_ID, ZoomMock, make_entry, state_of
from .test_push import entity_states

STRINGS_EXCEPTIONS = json.loads(
    (
        Path(__file__).parent.parent
        / "custom_components"
        / "zoom_livestream"
        / "strings.json"
    ).read_text()
)["exceptions"]

# Fixed, so a failure can be replayed: change it only on purpose.
SEED = 20261201
SECRET = "zm-fuzz-secret"
SWITCH = "switch.weekly_team_sync_live_stream"

# Characters that make values "not what they look like".
NASTY = "\x00\n\r\t\x1b\x7f\u200b\u202e ²①١٢ é/\\?#%&=:@[]{}\"'<>"
EVENTS = [
    "meeting.started",
    "meeting.ended",
    "meeting.live_streaming_started",
    "meeting.live_streaming_stopped",
    "meeting.created",
    "meeting.updated",
    "meeting.deleted",
    "webinar.started",
    "endpoint.url_validation",
    "meeting.participant_joined",
]


def random_text(rng: random.Random, length: int) -> str:
    """Return printable and nasty characters mixed."""
    alphabet = string.ascii_letters + string.digits + NASTY
    return "".join(rng.choice(alphabet) for _ in range(length))


def header_text(rng: random.Random, length: int) -> str:
    """Return odd text that is still a valid HTTP header value (printable ASCII).

    Anything else is refused by the HTTP server itself, before any webhook code.
    """
    alphabet = string.ascii_letters + string.digits + string.punctuation + " "
    return "".join(rng.choice(alphabet) for _ in range(length))


def random_json(rng: random.Random, depth: int = 0) -> Any:
    """Return a random JSON value of any shape."""
    kind = rng.randrange(7 if depth < 4 else 4)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -1, 2**63, 2**64 + 1, 1e308, rng.randrange(10**12)])
    if kind == 2:
        return random_text(rng, rng.randrange(0, 30))
    if kind == 3:
        return str(rng.randrange(10**12))
    if kind == 4:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {
        rng.choice(
            ["event", "payload", "object", "id", "account_id", random_text(rng, 5)]
        ): (random_json(rng, depth + 1))
        for _ in range(rng.randrange(5))
    }


def malformed(
    rng: random.Random, valid: list[tuple[bytes, dict[str, str]]]
) -> tuple[bytes, dict[str, str]]:
    """Return one delivery that must change nothing."""
    now = int(time.time())
    choice = rng.randrange(12)
    body = json.dumps(
        {
            "event": rng.choice(EVENTS),
            "event_ts": rng.randrange(10**13),
            "payload": {
                "account_id": ACCOUNT_ID,
                "object": {"id": MEETING_ID, "uuid": "u=="},
            },
        }
    ).encode()
    if choice == 0:  # random bytes, unsigned
        return rng.randbytes(rng.randrange(0, 300)), {}
    if choice == 1:  # random JSON, signed: it parses but means nothing
        junk = json.dumps(random_json(rng)).encode()
        ts = str(now)
        return junk, {
            "x-zm-request-timestamp": ts,
            "x-zm-signature": sign(SECRET, ts, junk),
        }
    if choice == 2:  # signed with another secret
        ts = str(now)
        return body, {
            "x-zm-request-timestamp": ts,
            "x-zm-signature": sign("other", ts, body),
        }
    if choice == 3:  # stale or future timestamp
        ts = str(now + rng.choice([-1, 1]) * rng.randrange(301, 10**9))
        return body, {
            "x-zm-request-timestamp": ts,
            "x-zm-signature": sign(SECRET, ts, body),
        }
    if choice == 4:  # odd timestamps
        ts = rng.choice(
            ["nan", "inf", "-inf", "", "1e999", "0x10", header_text(rng, 8)]
        )
        return body, {"x-zm-request-timestamp": ts, "x-zm-signature": "v0=" + "0" * 64}
    if choice == 5:  # odd signatures
        ts = str(now)
        return body, {
            "x-zm-request-timestamp": ts,
            "x-zm-signature": rng.choice(["", "v0=", "v1=abc", header_text(rng, 70)]),
        }
    if choice == 6:  # a replay of a valid delivery already applied
        if valid:
            return rng.choice(valid)
        return b"", {}
    if choice == 7:  # another account, signed
        other = json.dumps(
            {
                "event": "meeting.live_streaming_started",
                "event_ts": rng.randrange(10**13),
                "payload": {"account_id": "someone-else", "object": {"id": MEETING_ID}},
            }
        ).encode()
        ts = str(now)
        return other, {
            "x-zm-request-timestamp": ts,
            "x-zm-signature": sign(SECRET, ts, other),
        }
    if choice == 8:  # deeply nested, signed, under the size cap
        deep = b'{"event": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
        ts = str(now)
        return deep, {
            "x-zm-request-timestamp": ts,
            "x-zm-signature": sign(SECRET, ts, deep),
        }
    if choice == 9:  # over the size cap
        big = b'{"event": "' + b"x" * 70_000 + b'"}'
        ts = str(now)
        return big, {
            "x-zm-request-timestamp": ts,
            "x-zm-signature": sign(SECRET, ts, big),
        }
    if choice == 10:  # signed events with an odd meeting ID
        odd = json.dumps(
            {
                "event": "meeting.ended",
                "event_ts": rng.randrange(10**13),
                "payload": {
                    "account_id": ACCOUNT_ID,
                    "object": {
                        "id": rng.choice(["12a", -5, 0, 2**70, None, [1], "１２３"])
                    },
                },
            }
        ).encode()
        ts = str(now)
        return odd, {
            "x-zm-request-timestamp": ts,
            "x-zm-signature": sign(SECRET, ts, odd),
        }
    # unsigned but shaped like Zoom's
    return body, {}


async def test_a_thousand_deliveries(
    hass: HomeAssistant,
    zoom: ZoomMock,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Only the valid deliveries change anything, each exactly once."""
    caplog.set_level(logging.DEBUG)
    entry = make_entry(options={CONF_WEBHOOK_SECRET: SECRET})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    url = f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"
    zoom.clear_calls()
    applied: list[Event[Any]] = []
    hass.bus.async_listen(
        EVENT_ZOOM,
        callback(
            lambda event: applied.append(event)
            if str(event.data["type"]).startswith("meeting.live_streaming")
            else None
        ),
    )
    others_before = {
        entity_id: value
        for entity_id, value in entity_states(hass).items()
        if entity_id != SWITCH
    }

    rng = random.Random(SEED)
    valid: list[tuple[bytes, dict[str, str]]] = []
    streaming = False
    for number in range(1000):
        if rng.random() < 0.1:
            streaming = not streaming
            event = (
                "meeting.live_streaming_started"
                if streaming
                else "meeting.live_streaming_stopped"
            )
            body = json.dumps(
                {
                    "event": event,
                    "event_ts": number,
                    "payload": {"account_id": ACCOUNT_ID, "object": {"id": MEETING_ID}},
                }
            ).encode()
            ts = str(int(time.time()))
            headers = {
                "x-zm-request-timestamp": ts,
                "x-zm-signature": sign(SECRET, ts, body),
            }
            response = await client.post(url, data=body, headers=headers)
            assert response.status == 200, number
            valid.append((body, headers))
            await hass.async_block_till_done()
            assert state_of(hass, SWITCH) == (STATE_ON if streaming else STATE_OFF)
            continue
        body, headers = malformed(rng, valid)
        response = await client.post(url, data=body, headers=headers)
        assert response.status >= 400 or response.status == 200, number
        await hass.async_block_till_done()
        assert state_of(hass, SWITCH) == (STATE_ON if streaming else STATE_OFF), number

    assert len(applied) == len(valid)
    assert {
        entity_id: value
        for entity_id, value in entity_states(hass).items()
        if entity_id != SWITCH
    } == others_before
    assert zoom.calls == []
    assert not [record for record in caplog.records if record.exc_info]
    assert "Traceback" not in caplog.text
    assert SECRET not in caplog.text


# -- the action -----------------------------------------------------------------------


def random_setting(rng: random.Random, field: str) -> Any:
    """Return a plausible-looking, often wrong value for an action field."""
    prefix = rng.choice(["rtmp://", "rtmps://", "https://", "http://", "", "ftp://"])
    host = rng.choice(
        ["a.rtmp.youtube.com", "example.com", "[::1]", "exa mple.com", ""]
    )
    tail = random_text(rng, rng.randrange(0, 40))
    if field in ("stream_url", "page_url"):
        value = f"{prefix}{host}/{tail}"
        return value * rng.choice([1, 1, 1, 200])
    if field == "stream_key":
        return random_text(rng, rng.choice([0, 1, 10, 512, 513]))
    if field == "display_name":
        return random_text(rng, rng.choice([0, 1, 20, 50, 51]))
    return rng.choice(["720p", "1080p", "4k", "", random_text(rng, 5)])


async def _refusal(
    hass: HomeAssistant, data: dict[str, Any]
) -> ServiceValidationError | None:
    """Call the action; return its validation error, or None when it was accepted."""
    try:
        await hass.services.async_call(
            DOMAIN, "update_settings", {ATTR_ENTITY_ID: SWITCH, **data}, blocking=True
        )
    except ServiceValidationError as err:
        return err
    return None


@pytest.mark.usefixtures("init_integration")
async def test_fuzzed_action_fields(hass: HomeAssistant, zoom: ZoomMock) -> None:
    """Refused input reaches nobody; accepted input is sent exactly as validated."""
    rng = random.Random(SEED)
    fields = ["stream_url", "stream_key", "page_url", "resolution", "display_name"]
    refused = accepted = 0
    for _ in range(300):
        data = {
            field: random_setting(rng, field)
            for field in rng.sample(fields, rng.randrange(1, len(fields) + 1))
        }
        zoom.clear_calls()
        if (err := await _refusal(hass, data)) is not None:
            refused += 1
            assert err.translation_domain == DOMAIN
            assert err.translation_key in STRINGS_EXCEPTIONS, err.translation_key
            # Zoom's own refusals come after a request; input refusals before any.
            if err.translation_key != "incomplete_stream_target":
                assert zoom.calls == [], data
            continue
        accepted += 1
        sent = [call.json for call in zoom.api_calls if call.method == "PATCH"]
        for body in sent:
            for field in ("stream_url", "stream_key", "page_url"):
                if field in data:
                    assert body[field] == data[field].strip()
                value = body[field]
                assert value.isprintable() and " " not in value, (field, value)
    assert refused > 100
    assert accepted > 5


async def test_fuzzed_options(
    hass: HomeAssistant, zoom: ZoomMock, init_integration: MockConfigEntry
) -> None:
    """Odd meeting IDs and users are refused on the form, before asking Zoom."""
    rng = random.Random(SEED)
    errors_seen: set[str] = set()
    for _ in range(150):
        meetings = [
            random_text(rng, rng.randrange(0, 14)) for _ in range(rng.randrange(3))
        ]
        users = [
            random_text(rng, rng.randrange(0, 20)) for _ in range(rng.randrange(2))
        ]
        result = await hass.config_entries.options.async_init(init_integration.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": "settings"}
        )
        zoom.clear_calls()
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            {
                "include_webinars": True,
                "extra_meetings": meetings,
                "extra_users": users,
            },
        )
        if result["type"] is FlowResultType.CREATE_ENTRY:
            # Accepted only after Zoom knew every value, each sent as checked.
            for value in result["data"]["extra_meetings"]:
                assert value.isascii() and value.isdigit()
            await hass.async_block_till_done()
            continue
        assert result["type"] is FlowResultType.FORM
        errors = result["errors"]
        assert errors
        errors_seen.update(errors.values())
        if set(errors.values()) <= {"invalid_meeting_id", "invalid_user"}:
            assert zoom.calls == [], (meetings, users)
    assert {"invalid_meeting_id", "invalid_user"} <= errors_seen
