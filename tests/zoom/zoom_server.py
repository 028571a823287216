"""A test double of Zoom that is a real HTTP server on loopback.

The client under test talks to it with a real aiohttp session over a real socket,
so it meets what a real network does to it: bodies arrive chunked and in pieces,
connections are reset or dropped, servers stall. Answers are registered per
method and path, every request received is recorded for the tests to assert on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from itertools import cycle
import json
import socket
import ssl
import struct
from typing import Any, Final, NoReturn, TypedDict, Unpack
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from tests import contract
from zoom_simulator.tls import tls_contexts

# Body pieces vary in size (1-4 KiB) and are separated by a pause, so the client
# receives a body as many reads, as over a WAN, never whole in one.
PIECE_SIZES: Final = (1024, 3072, 4096, 1536, 2560)
PIECE_PAUSE: Final = 0.001
# Past this many bytes of a body the pieces come as from a fast link after TCP's
# slow start: without a timed pause, the loop turning once per 64 KiB, so the
# client reads them in bunches. A pause per piece would make 5 MiB take seconds.
PAUSED_BYTES: Final = 256 * 1024
BUNCH_BYTES: Final = 64 * 1024

# Headers aiohttp's session puts on every request by itself (framing, identity,
# the body's type): the ones a request's caller chose are all the others.
SESSION_HEADERS: Final = frozenset(
    {"host", "user-agent", "accept-encoding", "content-length", "content-type"}
)

_NO_PAYLOAD: Final[Any] = object()
# Statuses that carry no body at all (RFC 9110).
_BODILESS: Final = frozenset({204, 304})


class Fault(Enum):
    """How the server fails instead of answering: what a real network does."""

    # Close the connection with a TCP reset, without answering.
    RESET = "reset"
    # Close the connection cleanly (FIN), without answering.
    CLOSE = "close"
    # Never answer; the client's timeout has to end the wait.
    STALL = "stall"
    # Send the status, headers and part of the body, then close the connection.
    CUT = "cut"


@dataclass(frozen=True, kw_only=True)
class Answer:
    """One response: a status, a JSON payload or a raw body, headers, or a fault."""

    status: int = 200
    payload: Any = _NO_PAYLOAD
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    fault: Fault | None = None

    def encoded_body(self) -> bytes:
        """Return the body as sent: the payload as JSON, else the raw body."""
        if self.payload is not _NO_PAYLOAD:
            return json.dumps(self.payload).encode()
        return self.body.encode() if isinstance(self.body, str) else self.body


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    scheme: str
    host: str
    # As sent on the wire: percent-encoded, without the query.
    path: str
    query: MultiDictProxy[str]
    headers: CIMultiDictProxy[str]
    body: bytes
    # Which connection it came on: 1 for the server's first, 2 for the next...
    connection: int = 0

    @property
    def url(self) -> str:
        """The URL the client sent the request to, query excluded."""
        return f"{self.scheme}://{self.host}{self.path}"

    @property
    def json(self) -> Any:
        """The body decoded as JSON; None when there is no body."""
        return json.loads(self.body) if self.body else None

    @property
    def client_headers(self) -> dict[str, str]:
        """The headers the caller chose, without those the session adds itself.

        A header sent twice shows as its values joined by commas, as HTTP reads it.
        """
        return {
            name: ", ".join(self.headers.getall(name))
            for name in self.headers
            if name.lower() not in SESSION_HEADERS
        }


type Callback = Callable[[RecordedRequest], Answer | Awaitable[Answer]]


class AnswerOptions(TypedDict, total=False):
    """The keyword arguments of `ZoomServer.add`, for its per-method shortcuts."""

    status: int
    payload: Any
    body: bytes | str
    headers: Mapping[str, str]
    content_type: str
    fault: Fault
    callback: Callback
    times: int
    repeat: bool
    any_query: bool


@dataclass(kw_only=True)
class _Route:
    method: str
    path: str
    query: tuple[tuple[str, str], ...] | None
    answer: Answer | Callback
    remaining: int | None


def _split(path_and_query: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Split `/path?a=1` into the path and its query, order-insensitive."""
    path, _, query = path_and_query.partition("?")
    return path, tuple(sorted(parse_qsl(query, keep_blank_values=True)))


def _pieces(body: bytes) -> Iterator[bytes]:
    """Cut `body` into pieces of 1 to 4 KiB."""
    start = 0
    for size in cycle(PIECE_SIZES):
        if start >= len(body):
            return
        yield body[start : start + size]
        start += size


class ZoomServer:
    """Zoom on loopback: registered answers, recorded requests, real sockets.

    Register answers with `get`, `post`, `patch` (or `add`) by path, optionally
    with a query; a path without one only matches requests without one, unless
    `any_query`. Answers with the same method and path are used in the order
    registered, each `times` times (or forever with `repeat`). A request that no
    answer matches gets HTTP 501 and is kept in `unmatched`.
    """

    def __init__(self) -> None:
        """Create the server; `start` opens its socket."""
        self.requests: list[RecordedRequest] = []
        self.unmatched: list[RecordedRequest] = []
        # Requests that arrived on a connection the server had already closed
        # as idle (see `close_idle_connections`): never answered, never handled.
        self.dropped: list[RecordedRequest] = []
        # Every connection, numbered in the order the server accepted it (a
        # connection the client opened ahead of a request counts as it opens).
        self._connections: dict[asyncio.BaseTransport, int] = {}
        self._accepted = asyncio.Event()
        # The connections that have carried a request.
        self._served: set[asyncio.BaseTransport] = set()
        self._idle_closes = 0
        self._routes: list[_Route] = []
        self._runner: web.ServerRunner | None = None
        self._port = 0
        self._sessions: list[aiohttp.ClientSession] = []
        self._refusing: socket.socket | None = None

    async def start(self) -> None:
        """Listen on a free loopback port."""
        # When the client goes (a timeout), a stalled handler is cancelled too.
        # No access log: `requests` records more, and logging each costs time.
        server = _AcceptingServer(
            self._accept, self._handle, handler_cancellation=True, access_log=None
        )
        self._runner = web.ServerRunner(server, shutdown_timeout=0.5)
        await self._runner.setup()
        self._port = await self._listen(None)

    async def close(self) -> None:
        """Close the sessions it made, then the server and its sockets."""
        for session in self._sessions:
            await session.close()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._refusing is not None:
            self._refusing.close()

    async def _listen(self, ssl_context: ssl.SSLContext | None) -> int:
        assert self._runner is not None, "start() the server first"
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(self._runner, sock, ssl_context=ssl_context)
        await site.start()
        port: int = sock.getsockname()[1]
        return port

    def _accept(self, transport: asyncio.BaseTransport) -> None:
        self._connections.setdefault(transport, len(self._connections) + 1)
        self._accepted.set()

    @property
    def connections_accepted(self) -> int:
        """How many connections the server has accepted so far."""
        return len(self._connections)

    async def wait_for_connections(self, count: int, timeout: float) -> int:
        """Wait until `count` connections were accepted, or `timeout` passed.

        Returns how many were accepted then.
        """
        try:
            async with asyncio.timeout(timeout):
                while len(self._connections) < count:
                    self._accepted.clear()
                    await self._accepted.wait()
        except TimeoutError:
            pass
        return len(self._connections)

    @property
    def origin(self) -> str:
        """The scheme, host and port of the server."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        """The `api_base` of a client that calls this server."""
        return f"{self.origin}/v2"

    @property
    def oauth_base(self) -> str:
        """The `oauth_base` of a token source that calls this server."""
        return f"{self.origin}/oauth"

    def url(self, path: str) -> str:
        """Return the URL of `path` on this server."""
        return f"{self.origin}{path}"

    @property
    def refused_origin(self) -> str:
        """An origin on loopback where nothing listens: connections are refused."""
        if self._refusing is None:
            # Bound, so no other test takes the port, but not listening.
            self._refusing = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._refusing.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{self._refusing.getsockname()[1]}"

    async def https_session(self, *hostnames: str) -> aiohttp.ClientSession:
        """Return a session that reaches this server as `https://<hostname>`.

        The server listens with TLS on another port, with a certificate for the
        hostnames from a throwaway CA; the session trusts only that CA and
        resolves the hostnames (port 443) to that port. Other names do not
        resolve. The session is closed with the server.
        """
        server_context, client_context = tls_contexts(hostnames)
        port = await self._listen(server_context)
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                ssl=client_context,
                resolver=_LoopbackResolver(dict.fromkeys(hostnames, port)),
            )
        )
        self._sessions.append(session)
        return session

    def close_idle_connections(self, times: int = 1) -> None:
        """Close the next `times` kept-alive connections as idle, as a request comes.

        A server closes a connection that has been idle for its keep-alive time;
        a client that sends its next request just then (or that never saw the
        close: a NAT or load balancer forgot the connection) sends it into a
        closed connection. Here a request that arrives on a connection that
        already served one is not handled: the connection is closed (FIN) with
        no answer, and the request is kept in `dropped`, not in `requests`.
        """
        self._idle_closes = times

    def add(
        self,
        method: str,
        path: str,
        *,
        status: int = 200,
        payload: Any = _NO_PAYLOAD,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
        content_type: str = "application/json",
        fault: Fault | None = None,
        callback: Callback | None = None,
        times: int = 1,
        repeat: bool = False,
        any_query: bool = False,
    ) -> None:
        """Answer `method path` (`path` may end in `?query`) this way.

        A `callback` sees the request and returns the `Answer`; it replaces the
        status, payload, body, headers, content type and fault given here.
        """
        answer: Answer | Callback = callback or Answer(
            status=status,
            payload=payload,
            body=body,
            headers=headers or {},
            content_type=content_type,
            fault=fault,
        )
        route_path, query = _split(path)
        self._routes.append(
            _Route(
                method=method,
                path=route_path,
                query=None if any_query else query,
                answer=answer,
                remaining=None if repeat else times,
            )
        )

    def get(self, path: str, **options: Unpack[AnswerOptions]) -> None:
        """Answer `GET path`; see `add`."""
        self.add("GET", path, **options)

    def post(self, path: str, **options: Unpack[AnswerOptions]) -> None:
        """Answer `POST path`; see `add`."""
        self.add("POST", path, **options)

    def patch(self, path: str, **options: Unpack[AnswerOptions]) -> None:
        """Answer `PATCH path`; see `add`."""
        self.add("PATCH", path, **options)

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        """Return the requests received for `method path`, query exactly as given."""
        route_path, query = _split(path)
        return [
            request
            for request in self.requests
            if request.method == method
            and request.path == route_path
            and tuple(sorted(request.query.items())) == query
        ]

    def _route_for(self, request: RecordedRequest) -> _Route | None:
        query = tuple(sorted(request.query.items()))
        for route in self._routes:
            if (
                route.method == request.method
                and route.path == request.path
                and route.query in (None, query)
                and (route.remaining is None or route.remaining > 0)
            ):
                if route.remaining is not None:
                    route.remaining -= 1
                return route
        return None

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        path, _, _ = request.raw_path.partition("?")
        transport = request.transport
        assert transport is not None
        reused = transport in self._served
        self._served.add(transport)
        connection = self._connections.setdefault(transport, len(self._connections) + 1)
        recorded = RecordedRequest(
            method=request.method,
            scheme=request.scheme,
            host=request.host,
            path=path,
            query=MultiDictProxy(MultiDict(request.query)),
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
            body=await request.read(),
            connection=connection,
        )
        if reused and self._idle_closes:
            self._idle_closes -= 1
            self.dropped.append(recorded)
            self._drop(request)
            await _until_cancelled()
        self.requests.append(recorded)
        # Zoom's OpenAPI document checks the request and the answer (tests/contract.py).
        exchange = contract.received(
            "ZoomServer",
            recorded.method,
            recorded.path,
            recorded.query.items(),
            recorded.headers,
            recorded.body,
            recorded.headers.get("Content-Type"),
        )
        if (route := self._route_for(recorded)) is None:
            self.unmatched.append(recorded)
            return web.Response(
                status=501, text=f"No answer for {request.method} {request.raw_path}"
            )
        if isinstance(route.answer, Answer):
            answer = route.answer
        else:
            result = route.answer(recorded)
            answer = await result if isinstance(result, Awaitable) else result
        if answer.fault in (None, Fault.CUT):
            # A cut answer is checked as it would have been sent whole: the network
            # cuts it, not Zoom.
            exchange.answered(
                answer.status,
                b"" if answer.status in _BODILESS else answer.encoded_body(),
                CIMultiDict(answer.headers).get("Content-Type", answer.content_type),
            )
        if answer.fault is not None:
            await self._fail(request, answer)
        return await self._send(request, answer)

    async def _send(
        self, request: web.BaseRequest, answer: Answer, *, cut: bool = False
    ) -> web.StreamResponse:
        """Send the answer chunked, in pieces; with `cut`, drop after half the body."""
        headers = CIMultiDict(answer.headers)
        if answer.status in _BODILESS:
            return web.Response(status=answer.status, headers=headers)
        headers.setdefault("Content-Type", answer.content_type)
        response = web.StreamResponse(status=answer.status, headers=headers)
        response.enable_chunked_encoding()
        await response.prepare(request)
        body = answer.encoded_body()
        if cut:
            body = body[: max(len(body) // 2, 1)]
        sent = 0
        for piece in _pieces(body):
            await response.write(piece)
            sent += len(piece)
            if sent <= PAUSED_BYTES:
                await asyncio.sleep(PIECE_PAUSE)
            elif sent % BUNCH_BYTES < len(piece):
                await asyncio.sleep(0)
        if cut:
            self._drop(request)
            await _until_cancelled()
        await response.write_eof()
        return response

    async def _fail(self, request: web.BaseRequest, answer: Answer) -> NoReturn:
        if answer.fault is Fault.CUT:
            await self._send(request, answer, cut=True)
        elif answer.fault in (Fault.RESET, Fault.CLOSE):
            self._drop(request, reset=answer.fault is Fault.RESET)
        # A stalled answer waits until the client gives up and closes the connection.
        await _until_cancelled()

    def _drop(self, request: web.BaseRequest, *, reset: bool = False) -> None:
        """Close the connection; with `reset`, abortively (a TCP RST, not a FIN)."""
        transport = request.transport
        assert transport is not None
        if reset:
            # Linger on with a timeout of 0: close() discards the connection with
            # a reset, as a crashed server or a middlebox does.
            transport.get_extra_info("socket").setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
        transport.close()


async def _until_cancelled() -> NoReturn:
    """Wait until the handler is cancelled: its connection closed (or the server)."""
    await asyncio.Future()
    raise AssertionError("a handler outlived its connection")


class _AcceptingServer(web.Server):
    """aiohttp's low-level server, telling `on_accept` of each new connection."""

    def __init__(
        self,
        on_accept: Callable[[asyncio.BaseTransport], None],
        handler: Callable[[web.BaseRequest], Awaitable[web.StreamResponse]],
        **kwargs: Any,
    ) -> None:
        super().__init__(handler, **kwargs)
        self._on_accept = on_accept

    def connection_made(self, handler: Any, transport: asyncio.Transport) -> None:
        """Record the connection (after its TLS handshake, with TLS)."""
        super().connection_made(handler, transport)
        self._on_accept(transport)


class _LoopbackResolver(AbstractResolver):
    """Resolve some hostnames (port 443) to a port on loopback, and nothing else."""

    def __init__(self, ports: Mapping[str, int]) -> None:
        self._ports = ports

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host not in self._ports or port != 443:
            raise OSError(f"{host}:{port} does not resolve in these tests")
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=self._ports[host],
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        """Nothing to release."""
