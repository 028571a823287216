"""Small HTTP helpers shared by the token and API requests."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import json
import math
import time
from typing import Any

import aiohttp

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
    except (ValueError, UnicodeDecodeError):
        return None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Read `Retry-After` as seconds: a number, an HTTP date or an ISO 8601 date."""
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
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)
