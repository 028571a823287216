"""Connections opened ahead of the requests that will use them.

A new connection costs TCP's handshake and TLS's, two round trips, before its
request can leave. When requests must first wait for something else (a token),
their connections can open meanwhile and wait in the session's pool, where the
requests find them. Nothing is sent on them until then: the server sees a TLS
session and no request.

aiohttp has no public call that opens a pooled connection without a request, so
this asks the session's connector as a request would. Whatever goes wrong (an
aiohttp that works otherwise, an unreachable host) only means the requests
open their own connections, as they would have anyway: it is never raised.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from yarl import URL

_LOGGER = logging.getLogger(__name__)


async def async_open_connections(
    session: aiohttp.ClientSession, url: str, count: int, timeout: float
) -> int:
    """Open `count` connections to `url`'s host into `session`'s pool.

    Returns how many opened; each waits in the pool for the session's next
    request to that host. One that is not open after `timeout` seconds is
    given up.
    """
    connector = session.connector
    if count < 1 or connector is None or connector.closed:
        return 0
    target = URL(url)
    connect_timeout = aiohttp.ClientTimeout(connect=timeout)

    async def _open_one() -> None:
        # As the session builds a request to `url` (its default TLS checks, no
        # proxy), so the connection waits where that request will look for one.
        request = aiohttp.ClientRequest("GET", target)
        connection = await connector.connect(request, [], connect_timeout)
        connection.release()

    results = await asyncio.gather(
        *(_open_one() for _ in range(count)), return_exceptions=True
    )
    if failed := [result for result in results if result is not None]:
        _LOGGER.debug(
            "Could not open %d of %d connections to %s ahead of time: %s",
            len(failed),
            count,
            target.host,
            type(failed[0]).__name__,
        )
    return count - len(failed)
