"""A Zoom far away, on loopback: TLS 1.3 in front of the simulator, and a delay.

Loopback answers in microseconds, which hides what a real network charges: each
new TCP connection costs a round trip before the first byte can leave, and each
new TLS 1.3 session one more. `DelayingProxy` sits between the integration and
the simulator's TLS port and holds every byte for a one-way delay in each
direction. A new connection also waits the round trip TCP's handshake would
have cost (SYN, SYN-ACK) before its first byte moves on, so a press on a new
connection pays TCP, TLS and the request (five one-way trips) and a press on a
kept connection pays the request alone (one). TLS is end to end: the proxy
sees only ciphertext, and counts connections and TLS handshakes (ClientHello
records) as they pass.

The certificate comes from a throwaway CA made at run time. Only the benchmark
trusts it (it patches the SSL context the integration's pool is built with);
the integration still verifies the certificate and the address it names.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import socket
import ssl
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from zoom_simulator.tls import tls_contexts as simulator_tls_contexts

# A TLS record of type handshake (22) whose first message is a ClientHello (1).
_HANDSHAKE_RECORD = 0x16
_CLIENT_HELLO = 0x01
_READ_SIZE = 64 * 1024


def tls_contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """Return a TLS 1.3 server context for 127.0.0.1, and a client one trusting it.

    The client context is a default one (certificate and host name checks on)
    that trusts only the throwaway CA.
    """
    server, client = simulator_tls_contexts(["127.0.0.1"])
    server.minimum_version = ssl.TLSVersion.TLSv1_3
    return server, client


@dataclass(slots=True)
class TlsSite:
    """An aiohttp application served with TLS on a loopback port."""

    runner: web.AppRunner
    port: int
    # When each request arrived (time.perf_counter), with its method and path.
    arrivals: list[tuple[float, str, str]] = field(default_factory=list)

    async def close(self) -> None:
        """Stop serving; open connections are closed."""
        await self.runner.cleanup()


async def async_serve_tls(
    app: web.Application, context: ssl.SSLContext, *, keepalive_timeout: float
) -> TlsSite:
    """Serve `app` with TLS; close idle connections after `keepalive_timeout`.

    Arrivals are recorded by a middleware in front of the application's own,
    as the request's headers are read.
    """
    arrivals: list[tuple[float, str, str]] = []

    @web.middleware
    async def _record_arrival(
        request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        arrivals.append((time.perf_counter(), request.method, request.path))
        return await handler(request)

    app.middlewares.insert(0, _record_arrival)
    runner = web.AppRunner(
        app,
        keepalive_timeout=keepalive_timeout,
        access_log=None,
        handler_cancellation=True,
        shutdown_timeout=0.5,
    )
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock, ssl_context=context).start()
    return TlsSite(runner, sock.getsockname()[1], arrivals)


class DelayingProxy:
    """A TCP proxy on loopback that delays each direction by `one_way` seconds."""

    def __init__(self, upstream_port: int, one_way: float) -> None:
        """Forward to 127.0.0.1:`upstream_port`; `start` opens the listening port."""
        self._upstream_port = upstream_port
        self.one_way = one_way
        self.connections = 0
        self.tls_handshakes = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        accepted = asyncio.get_running_loop().time()
        self.connections += 1
        server_reader, server_writer = await asyncio.open_connection(
            "127.0.0.1", self._upstream_port
        )
        self._writers.update((client_writer, server_writer))
        # Over a real network the client's first byte could leave only after
        # SYN and SYN-ACK, one round trip after it began to connect.
        handshake_done = accepted + 2 * self.one_way
        for source, sink, not_before, inspect in (
            (client_reader, server_writer, handshake_done, True),
            (server_reader, client_writer, 0.0, False),
        ):
            task = asyncio.create_task(self._pump(source, sink, not_before, inspect))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        not_before: float,
        inspect: bool,
    ) -> None:
        """Move bytes from `source` to `sink`, each `one_way` after it arrived."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        writer = asyncio.create_task(self._deliver(queue, sink))
        self._tasks.add(writer)
        writer.add_done_callback(self._tasks.discard)
        first = True
        while True:
            try:
                data = await source.read(_READ_SIZE)
            except ConnectionError:
                data = b""
            if first and inspect and len(data) > 5:
                if data[0] == _HANDSHAKE_RECORD and data[5] == _CLIENT_HELLO:
                    self.tls_handshakes += 1
            first = False
            queue.put_nowait((max(loop.time(), not_before) + self.one_way, data))
            if not data:
                return

    @staticmethod
    async def _deliver(
        queue: asyncio.Queue[tuple[float, bytes]], sink: asyncio.StreamWriter
    ) -> None:
        """Write what the pump queued, in order, each at its time; b"" ends it."""
        loop = asyncio.get_running_loop()
        while True:
            due, data = await queue.get()
            await asyncio.sleep(max(due - loop.time(), 0.0))
            try:
                if not data:
                    # The other side closed: pass its FIN on.
                    if sink.can_write_eof():
                        sink.write_eof()
                    else:
                        sink.close()
                    return
                sink.write(data)
                await sink.drain()
            except ConnectionError:
                sink.close()
                return
