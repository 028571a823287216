"""The integration's own connection pool to Zoom, shared by all its entries.

Home Assistant's shared pool keeps an idle connection for aiohttp's default
15 seconds. Zoom is polled every 60, so every poll, and every press more than
15 s after the last request, first opened a new TCP connection and a new TLS
session: two more round trips before the request could leave. This pool keeps
idle connections longer than the poll interval, so the poll keeps one open for
the next press. One pool serves every entry; it closes when Home Assistant
closes or the last entry unloads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Final

import aiohttp

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_CLOSE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import SERVER_SOFTWARE
from homeassistant.helpers.json import json_dumps
from homeassistant.util.hass_dict import HassKey
from homeassistant.util.ssl import get_default_context

from .const import DOMAIN, SCAN_INTERVAL

# Longer than the poll interval, so each poll finds the connection the last one
# left. A server closes idle connections after its own time (nginx's default is
# 75 s); a connection it closed is replaced, and a request that meets one just
# as it closes is sent again (zoom/client.py).
KEEPALIVE_TIMEOUT: Final = SCAN_INTERVAL.total_seconds() * 1.5


@dataclass(slots=True)
class ConnectionPool:
    """The session of the pool, and the entries that use it."""

    session: aiohttp.ClientSession
    entry_ids: set[str] = field(default_factory=set)
    stop_listener: CALLBACK_TYPE | None = None


DATA_POOL: HassKey[ConnectionPool] = HassKey(f"{DOMAIN}_connection_pool")


def create_session() -> aiohttp.ClientSession:
    """Return a session on a pool of its own, with Home Assistant's TLS settings.

    The SSL context is the one Home Assistant's own sessions use (its CA bundle,
    certificate and host name checks). The resolver is aiohttp's default, the
    same asynchronous DNS resolver Home Assistant's builds on; Home Assistant
    adds mDNS for `.local` names, which Zoom's hosts are not, and offers its
    resolver to no other pool.
    """
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            ssl=get_default_context(), keepalive_timeout=KEEPALIVE_TIMEOUT
        ),
        # Zoom sees the same client as from Home Assistant's shared session.
        headers={"User-Agent": SERVER_SOFTWARE},
        json_serialize=json_dumps,
    )


@callback
def async_get_entry_session(
    hass: HomeAssistant, entry: ConfigEntry
) -> aiohttp.ClientSession:
    """Return the pool's session for `entry`; the last entry to unload closes it."""
    pool = hass.data.get(DATA_POOL)
    if pool is None:
        pool = ConnectionPool(create_session())
        hass.data[DATA_POOL] = pool
        pool.stop_listener = hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_CLOSE, partial(_async_close_at_stop, hass, pool)
        )
    pool.entry_ids.add(entry.entry_id)
    # Also run when a setup fails, so an entry that never loads holds no pool.
    entry.async_on_unload(partial(_async_release, hass, pool, entry.entry_id))
    return pool.session


async def _async_release(
    hass: HomeAssistant, pool: ConnectionPool, entry_id: str
) -> None:
    pool.entry_ids.discard(entry_id)
    if pool.entry_ids:
        return
    if pool.stop_listener is not None:
        pool.stop_listener()
        pool.stop_listener = None
    await _async_close(hass, pool)


async def _async_close_at_stop(
    hass: HomeAssistant, pool: ConnectionPool, _event: Event
) -> None:
    # The listener has fired: it must not be removed again.
    pool.stop_listener = None
    await _async_close(hass, pool)


async def _async_close(hass: HomeAssistant, pool: ConnectionPool) -> None:
    if hass.data.get(DATA_POOL) is pool:
        del hass.data[DATA_POOL]
    await pool.session.close()
