"""What every HTTP module of the simulator shares: the state key and error answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from typing import cast

from aiohttp import web

from .models import JsonObject
from .state import SimulatorState

STATE_KEY: web.AppKey[SimulatorState] = web.AppKey(
    "zoom_simulator_state", SimulatorState
)

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ZoomApiError(Exception):
    """An error answer in Zoom's ``{"code", "message"}`` shape."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        """Store the HTTP status and Zoom's error code and message."""
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def response(self) -> web.Response:
        """Render the error as Zoom does."""
        body: JsonObject = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return web.json_response(body, status=self.status)


class ControlError(Exception):
    """A bad request to a control route."""

    def __init__(self, status: int, message: str) -> None:
        """Store the HTTP status and message."""
        super().__init__(message)
        self.status = status
        self.message = message


async def control_body(request: web.Request) -> JsonObject:
    """Return a control route's JSON object body ({} when there is none)."""
    raw = await request.read()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError(400, "Body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise ControlError(400, "Body must be a JSON object.")
    return cast("JsonObject", body)


def typed[T](body: JsonObject, name: str, kind: type[T], default: T) -> T:
    """Return ``body[name]`` (or ``default``); a ControlError if of another type."""
    value = body.get(name, default)
    # bool is an int subclass, but a flag is never a valid count or status.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ControlError(400, f"{name} must be of type {kind.__name__}.")
    return value
