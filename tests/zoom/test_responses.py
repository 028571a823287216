"""Tests of the HTTP helpers: Retry-After parsing and tolerant JSON bodies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
import json
import time
from typing import Any

import aiohttp
import pytest

from custom_components.zoom_livestream.zoom.responses import (
    MAX_BODY_BYTES,
    parse_retry_after,
    read_json_body,
)

from .zoom_server import ZoomServer

# 2015-10-21 07:28:00 UTC, the moment the dates below name.
MOMENT = datetime(2015, 10, 21, 7, 28, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        (" 5 ", 5.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("nan", None),
        ("inf", None),
        ("-inf", None),
        ("1e400", None),
        # From outside, so held to an hour: no overflow, no polling stopped for days.
        ("1e18", 3600.0),
        ("86400", 3600.0),
        ("Thu, 01 Jan 2099 00:00:00 GMT", 3600.0),
        (None, None),
        ("", None),
        ("   ", None),
        ("soon", None),
        ("Wed, 99 Foo 2015 99:99:99 GMT", None),
    ],
)
def test_parse_retry_after_seconds_and_junk(
    value: str | None, expected: float | None
) -> None:
    """Seconds are read as seconds, never negative; junk and NaN/inf give None."""
    assert parse_retry_after(value, now=MOMENT) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # HTTP dates (RFC 9110), with a zone and with the "unknown zone" -0000.
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:28:30 -0000", 30.0),
        ("Wed, 21 Oct 2015 09:28:30 +0200", 30.0),
        # A date in the past means "now".
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
        # ISO 8601 dates, aware or naive (taken as UTC).
        ("2015-10-21T07:28:45Z", 45.0),
        ("2015-10-21T09:28:45+02:00", 45.0),
        ("2015-10-21T07:28:45", 45.0),
        ("2015-10-21T07:00:00Z", 0.0),
    ],
)
def test_parse_retry_after_dates(value: str, expected: float) -> None:
    """A date is turned into the seconds left until it, measured from `now`."""
    assert parse_retry_after(value, now=MOMENT) == pytest.approx(expected)


def test_parse_retry_after_date_uses_the_wall_clock() -> None:
    """Without `now`, a date is measured from the current time."""
    in_two_minutes = datetime.fromtimestamp(time.time() + 120, tz=UTC).isoformat()

    retry_after = parse_retry_after(in_two_minutes)

    assert retry_after is not None
    assert 100.0 < retry_after <= 120.0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", None),
        (b"  \r\n ", None),
        (
            b'{"code": 3001, "message": "Meeting does not exist."}',
            {"code": 3001, "message": "Meeting does not exist."},
        ),
        (b"[1, 2]", [1, 2]),
        (b"null", None),
        (b"<html><body>502 Bad Gateway</body></html>", None),
        (b'{"message": "caf\xe9"}', None),
        (b'{"message": "' + b"x" * MAX_BODY_BYTES + b'"}', None),
        # Small, but nested deep enough to exhaust the parser's stack.
        (b"[" * 100_000 + b"]" * 100_000, None),
        (b'{"a":' * 200_000 + b"1" + b"}" * 200_000, None),
    ],
    ids=[
        "empty",
        "blank",
        "object",
        "array",
        "null",
        "html",
        "invalid-utf8",
        "too-large",
        "deep-array",
        "deep-object",
    ],
)
async def test_read_json_body(
    session: aiohttp.ClientSession, zoom: ZoomServer, body: bytes, expected: Any
) -> None:
    """JSON is decoded; empty, HTML, undecodable or oversized bodies give None."""
    zoom.get("/v2/anything", body=body)

    async with session.get(zoom.url("/v2/anything")) as response:
        assert await read_json_body(response) == expected


async def test_read_json_body_arriving_in_pieces(
    session: aiohttp.ClientSession, zoom: ZoomServer
) -> None:
    """A page of 300 meetings (about 150 KB) arrives in 1-4 KiB pieces: all of it is read."""
    page = {
        "next_page_token": "",
        "meetings": [
            {"id": 80000000000 + number, "topic": f"Meeting {number} " + "x" * 400}
            for number in range(300)
        ],
    }
    body = json.dumps(page).encode()
    assert len(body) > 100_000
    zoom.get("/v2/anything", body=body)

    async with session.get(zoom.url("/v2/anything")) as response:
        assert response.headers["Transfer-Encoding"] == "chunked"
        assert await read_json_body(response) == page


# Zones and their offsets from UTC at MOMENT (New York and Chatham on summer time).
ZONES = {
    "UTC": 0,
    "America/New_York": -4 * 3600,
    "Asia/Kolkata": 5 * 3600 + 1800,
    "Pacific/Chatham": 13 * 3600 + 2700,
}


@pytest.fixture(params=list(ZONES))
def machine_zone(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Run the test with the machine's clock in this time zone (TZ), then restore it."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:28:30 -0000", 30.0),
        ("2015-10-21T07:28:45Z", 45.0),
        # Without a zone: UTC, as Zoom's dates are, whatever the machine's zone.
        ("2015-10-21T07:28:45", 45.0),
    ],
)
def test_parse_retry_after_dates_in_any_machine_zone(
    machine_zone: str, value: str, expected: float
) -> None:
    """The machine's own time zone never shifts Zoom's date."""
    assert time.localtime(MOMENT).tm_gmtoff == ZONES[machine_zone]
    assert parse_retry_after(value, now=MOMENT) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected", "warning"),
    [
        (
            "86400",
            3600.0,
            "Zoom asked to wait 86400 s before the next request; waiting 3600 s",
        ),
        ("3600", 3600.0, None),
        ("3599.5", 3599.5, None),
    ],
)
def test_a_wait_over_an_hour_is_held_to_an_hour_and_said_so(
    caplog: pytest.LogCaptureFixture, value: str, expected: float, warning: str | None
) -> None:
    """A longer wait is cut to an hour with a warning; an hour itself is no news."""
    assert parse_retry_after(value) == expected

    assert [record.getMessage() for record in caplog.records] == (
        [warning] if warning else []
    )


@pytest.mark.parametrize(
    ("size", "parsed"),
    [(5 * 1024 * 1024, True), (5 * 1024 * 1024 + 1, False)],
    ids=["5_MiB", "5_MiB_and_a_byte"],
)
async def test_read_json_body_up_to_5_mib(
    session: aiohttp.ClientSession, zoom: ZoomServer, size: int, parsed: bool
) -> None:
    """Up to 5 MiB is read (a page of 300 meetings is a few hundred KB); no more.

    The bound is written out, not taken from the code: moving it goes noticed.
    """
    body = b'{"padding": "' + b"x" * (size - 15) + b'"}'
    assert len(body) == size
    zoom.get("/v2/anything", body=body)

    async with session.get(zoom.url("/v2/anything")) as response:
        result = await read_json_body(response)

    assert (result is not None) is parsed
