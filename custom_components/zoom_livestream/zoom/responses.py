"""Small HTTP helpers shared by the token and API requests."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import json
import logging
import math
import time
from typing import Any

import aiohttp

_LOGGER = logging.getLogger(__name__)

# Zoom's waits are seconds to minutes; anything from outside is held to this, so
# a far-future date or a huge number cannot stop polling, or overflow a timer.
MAX_RETRY_AFTER = 3600.0

# A page of 300 meetings is a few hundred kilobytes; anything far larger is not
# Zoom's JSON, and reading it whole could tie up memory.
MAX_BODY_BYTES = 5 * 1024 * 1024


async def read_json_body(response: aiohttp.ClientResponse) -> Any:
    """Return the decoded JSON body, or None for an empty, oversized or non-JSON body."""
    # Read to the end: over a real network the body arrives in pieces, and a
    # single read returns only what has arrived so far.
    raw = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            return None
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: nesting deep enough to exhaust the parser's stack.
        return None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Read `Retry-After` as seconds (a number, an HTTP or ISO 8601 date), at most an hour."""
    seconds = _retry_after_seconds(value, now)
    if seconds is not None and seconds > MAX_RETRY_AFTER:
        _LOGGER.warning(
            "Zoom asked to wait %.0f s before the next request; waiting %.0f s",
            seconds,
            MAX_RETRY_AFTER,
        )
        return MAX_RETRY_AFTER
    return seconds


def _retry_after_seconds(value: str | None, now: float | None) -> float | None:
    if value is None or not (text := value.strip()):
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    when: datetime | None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            # Python reads a "Z" zone since 3.11.
            when = datetime.fromisoformat(text)
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)
