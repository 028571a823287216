"""The simulator's HTTP layer: middleware around Zoom's routes and control routes.

:mod:`.oauth` serves ``/oauth/…``, :mod:`.rest` ``/v2/…`` and :mod:`.control`
``/_simulator/…``; :mod:`.delivery` pushes the events they cause.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json
import logging

import aiohttp
from aiohttp import hdrs, web

from . import control, oauth, rest
from .control import DELIVERER_KEY
from .delivery import Deliverer
from .models import FaultRule, RecordedRequest
from .rest import authenticate
from .state import SimulatorState
from .web_common import STATE_KEY, ControlError, Handler, ZoomApiError

__all__ = ["STATE_KEY", "create_app"]

ZOOM_PREFIXES = ("/oauth/", "/v2/")
CONTROL_PREFIX = "/_simulator/"


def create_app(state: SimulatorState) -> web.Application:
    """Build the simulator application around ``state``."""
    app = web.Application(
        middlewares=[
            _chunked_json_middleware,
            _deliver_events_middleware,
            _zoom_middleware,
        ]
    )
    app[STATE_KEY] = state
    app.cleanup_ctx.append(_event_session)
    oauth.add_routes(app)
    rest.add_routes(app)
    control.add_routes(app)
    return app


# -- middleware -----------------------------------------------------------------


LOGGER = logging.getLogger(__name__)


@web.middleware
async def _chunked_json_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Send a large JSON body the way a real server over a real network does.

    Zoom sends large bodies with chunked transfer encoding, and over the Internet
    they arrive in pieces; a client that reads only what has arrived so far sees
    a cut-off body. So a JSON body larger than ``state.chunk_size`` goes out in
    pieces of that size, with ``state.chunk_pause`` seconds after each.
    """
    response = await handler(request)
    state = request.app[STATE_KEY]
    size = state.chunk_size
    if (
        size <= 0
        or type(response) is not web.Response
        or response.content_type != "application/json"
    ):
        return response
    body = response.body
    if not isinstance(body, bytes) or len(body) <= size:
        return response
    headers = response.headers.copy()
    headers.popall(hdrs.CONTENT_LENGTH, None)
    chunked = web.StreamResponse(
        status=response.status, reason=response.reason, headers=headers
    )
    chunked.enable_chunked_encoding()
    await chunked.prepare(request)
    for start in range(0, len(body), size):
        await chunked.write(body[start : start + size])
        if state.chunk_pause > 0:
            await asyncio.sleep(state.chunk_pause)
    await chunked.write_eof()
    return chunked


@web.middleware
async def _deliver_events_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Push the events a request caused, signed, before it is answered."""
    response = await handler(request)
    await request.app[DELIVERER_KEY].deliver_pending()
    return response


async def _event_session(app: web.Application) -> AsyncIterator[None]:
    """Own the session events are pushed with, and their retries, for the app's life."""
    session = aiohttp.ClientSession()
    app[DELIVERER_KEY] = Deliverer(app[STATE_KEY], session)
    yield
    await app[DELIVERER_KEY].close()
    await session.close()


@web.middleware
async def _zoom_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Log, delay, fault-inject and authenticate requests to the Zoom routes."""
    path = request.path
    if path.startswith(CONTROL_PREFIX):
        try:
            return await handler(request)
        except ControlError as err:
            return web.json_response({"error": err.message}, status=err.status)
    if not path.startswith(ZOOM_PREFIXES):
        return await handler(request)

    state = request.app[STATE_KEY]
    state.record(await _recorded(request))
    if state.delay > 0:
        await asyncio.sleep(state.delay)
    if (rule := state.take_fault(request.method, path)) is not None:
        return _fault_response(rule)
    try:
        if path.startswith("/v2/"):
            authenticate(state, request)
        return await handler(request)
    except ZoomApiError as err:
        return err.response()
    except web.HTTPException as err:
        # Unknown routes answer in Zoom's JSON shape rather than aiohttp's text.
        if err.status < 400:
            raise
        return web.json_response(
            {"code": err.status, "message": err.reason}, status=err.status
        )


async def _recorded(request: web.Request) -> RecordedRequest:
    raw = await request.read()
    body: object | None = None
    if raw:
        try:
            body = json.loads(raw)
        except ValueError:
            # Forms and garbage are logged without a body; the handler reports them.
            body = None
    return RecordedRequest(
        method=request.method,
        path=request.path,
        query={key: request.query[key] for key in request.query},
        json=body,
        headers={key: request.headers[key] for key in request.headers},
    )


def _fault_response(rule: FaultRule) -> web.Response:
    if isinstance(rule.body, dict):
        response = web.json_response(rule.body, status=rule.status)
    else:
        looks_like_html = rule.body.lstrip().startswith("<")
        response = web.Response(
            text=rule.body,
            status=rule.status,
            content_type="text/html" if looks_like_html else "text/plain",
        )
    for name, value in rule.headers.items():
        response.headers[name] = value
    return response
