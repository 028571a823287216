"""Fixtures: a config entry and Zoom mocked at the HTTP boundary."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from datetime import timedelta
from http import HTTPStatus
import json
import logging
from pathlib import Path
import re
from typing import Any, Literal
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
    mock_aiohttp_client,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation
from yarl import URL

from custom_components.zoom_livestream.const import (
    CONF_ACCOUNT_ID,
    CONF_CLOUD,
    DOMAIN,
    SCAN_INTERVAL,
)
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    __version__ as HA_VERSION,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, frame

from . import contract

API = "https://api.zoom.us/v2"
OAUTH = "https://zoom.us/oauth"
TOKEN_URL = f"{OAUTH}/token"
ZOOM_URL = re.compile(r"^https://(api\.)?zoom\.us/")

ACCOUNT_ID = "acc-123"
CLIENT_ID = "client-abc"
CLIENT_SECRET = "super-secret-value"
USER_ID = "user-xyz"
USER_EMAIL = "host@example.com"
ADMIN_ID = "admin-abc"
ADMIN_EMAIL = "admin@example.com"
ACCESS_TOKEN = "access-token-1"

# Real Zoom meeting IDs are 10-11 digits; some exceed 32 bits.
MEETING_ID = 85746065432
OTHER_MEETING_ID = 98765432101
WEBINAR_ID = 91234567890

ENTRY_DATA = {
    CONF_ACCOUNT_ID: ACCOUNT_ID,
    CONF_CLIENT_ID: CLIENT_ID,
    CONF_CLIENT_SECRET: CLIENT_SECRET,
    CONF_CLOUD: "global",
}


def pytest_configure(config: pytest.Config) -> None:
    """Check every request and answer of the Zoom doubles against Zoom's document."""
    config.pluginmanager.register(contract.ContractPlugin(), "zoom-contract")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    enable_custom_integrations: None,
) -> None:
    """Load the integration from custom_components in every test."""
    return


# Home Assistant reports what will stop working in a later release ("Detected that
# custom integration 'zoom_livestream' … This will stop working in Home Assistant
# 2026.12.0") with a log record of its frame helper, not with a DeprecationWarning.
USAGE_REPORT_LOGGER = "homeassistant.helpers.frame"
USAGE_REPORT_TEXT = f"Detected that custom integration '{DOMAIN}'"


class UsageReports(logging.Handler):
    """Collects Home Assistant's reports of wrong or deprecated use during a test."""

    def __init__(self) -> None:
        """Collect from every logger; `emit` keeps only the reports."""
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep a record of the frame helper, or one that names the integration."""
        if record.name.startswith(USAGE_REPORT_LOGGER) or (
            USAGE_REPORT_TEXT in record.getMessage()
        ):
            self.records.append(record)


@pytest.fixture(autouse=True)
def usage_reports() -> Generator[UsageReports]:
    """Fail any test during which Home Assistant reports a wrong or deprecated use.

    Home Assistant reports each kind of use once per process: the memory of what
    was reported is cleared, so every test that does it is caught, not only the
    first one.
    """
    reports = UsageReports()
    root = logging.getLogger()
    root.addHandler(reports)
    reported: set[str] = getattr(frame, "_REPORTED_INTEGRATIONS", set())
    reported.clear()
    try:
        yield reports
    finally:
        root.removeHandler(reports)
        reported.clear()
    if reports.records:
        pytest.fail(
            "Home Assistant reported a wrong or deprecated use:\n"
            + "\n".join(record.getMessage() for record in reports.records),
            pytrace=False,
        )


def meeting_json(meeting_id: int, topic: str, meeting_type: int = 2) -> dict[str, Any]:
    """Return a list item as Zoom sends it."""
    return {
        "id": meeting_id,
        "uuid": f"uuid-{meeting_id}==",
        "topic": topic,
        "type": meeting_type,
        "start_time": "2026-11-23T10:00:00Z",
        "duration": 60,
        "timezone": "UTC",
        "join_url": f"https://zoom.us/j/{meeting_id}?pwd=SECRETPWD",
        "host_id": USER_ID,
        "created_at": "2026-11-01T10:00:00Z",
    }


@dataclass
class RecordedCall:
    """One request the integration sent."""

    method: str
    url: URL
    json: Any
    headers: dict[str, str]

    @property
    def path(self) -> str:
        """Return the path after the API base, e.g. `/users/me`."""
        return self.url.path.removeprefix("/v2")


@dataclass
class Failure:
    """An answer that replaces the normal one for matching requests."""

    method: str
    path: str
    status: int
    body: Any = None
    text: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    exc: Exception | None = None
    times: int | None = None


class ZoomMock:
    """A small stateful Zoom on top of Home Assistant's aiohttp client mock."""

    def __init__(self, aioclient_mock: AiohttpClientMocker) -> None:
        """Start with two meetings (one live) and one webinar."""
        self.mock = aioclient_mock
        self.meetings: dict[int, dict[str, Any]] = {
            MEETING_ID: meeting_json(MEETING_ID, "Weekly team sync"),
            OTHER_MEETING_ID: meeting_json(OTHER_MEETING_ID, "Product launch", 8),
        }
        self.webinars: dict[int, dict[str, Any]] = {
            WEBINAR_ID: meeting_json(WEBINAR_ID, "Quarterly all-hands", 5)
        }
        self.live: set[int] = {MEETING_ID}
        # Instant and personal-room meetings: no list shows them (Zoom: "This API
        # only supports scheduled meetings"), only their details do.
        self.instant: dict[int, dict[str, Any]] = {}
        # Webinars have no live list; a test starts one by adding it here.
        self.live_webinars: set[int] = set()
        self.streaming: set[int] = set()
        self.requests_left = 6000
        # Zoom "may" send the daily-limit headers: paid plans, with no daily
        # limit on these APIs, answer without them.
        self.rate_limit_headers = True
        self.livestream: dict[int, dict[str, Any]] = {
            MEETING_ID: {
                "stream_url": "rtmp://a.rtmp.youtube.com/live2",
                "stream_key": "yt-key-1234",
                "page_url": "https://youtube.com/@example/live",
                "resolution": "720p",
            }
        }
        self.failures: list[Failure] = []
        # Awaited before answering (method, path): lets a test hold requests in flight.
        self.gate: Callable[[str, str], Awaitable[None]] | None = None
        self.token_counter = 0
        self.user: dict[str, Any] = {
            "id": USER_ID,
            "email": USER_EMAIL,
            "account_id": ACCOUNT_ID,
            "first_name": "Ada",
            "last_name": "Host",
            "type": 2,
            "timezone": "UTC",
        }
        # What `me` means for a Server-to-Server token (unconfirmed at Zoom): the
        # app's user (the host), refused, or the admin who owns the app and hosts
        # nothing. A user-level token's `me` is always the signed-in user.
        self.me: Literal["app-user", "refused", "admin"] = "app-user"
        # Other users of the account (by ID), whose meetings carry their host_id.
        self.colleagues: dict[str, dict[str, Any]] = {}
        self.admin: dict[str, Any] = {
            **self.user,
            "id": ADMIN_ID,
            "email": ADMIN_EMAIL,
            "first_name": "Account",
            "last_name": "Admin",
        }
        self.register()

    # -- what the integration sent -------------------------------------------------
    @property
    def calls(self) -> list[RecordedCall]:
        """Every request, token requests included."""
        return [
            RecordedCall(
                method.upper(), URL(str(url)), _decode(data), dict(headers or {})
            )
            for method, url, data, headers in self.mock.mock_calls
        ]

    @property
    def api_calls(self) -> list[RecordedCall]:
        """The API requests (not the token requests)."""
        return [call for call in self.calls if call.url.path.startswith("/v2/")]

    def clear_calls(self) -> None:
        """Forget the requests made so far."""
        self.mock.mock_calls.clear()

    # -- changing Zoom's answers -----------------------------------------------------
    def fail(
        self,
        method: str,
        path: str,
        status: int = HTTPStatus.BAD_REQUEST,
        body: Any = None,
        *,
        text: str | None = None,
        headers: dict[str, str] | None = None,
        exc: Exception | None = None,
        times: int | None = None,
    ) -> None:
        """Answer `method path` (path under /v2, or 'token') with an error."""
        self.failures.append(
            Failure(method.upper(), path, status, body, text, headers or {}, exc, times)
        )

    def heal(self) -> None:
        """Answer normally again."""
        self.failures.clear()

    # -- wiring ----------------------------------------------------------------------
    def register(self) -> None:
        """Route every request through `answer`."""
        self.mock.clear_requests()
        for method in ("GET", "POST", "PATCH", "DELETE"):
            self.mock.request(method, ZOOM_URL, side_effect=self.answer)

    async def answer(
        self, method: str, url: URL, data: Any
    ) -> AiohttpClientMockResponse:
        """Answer one request as Zoom would (also usable for another mocked host).

        Zoom's OpenAPI document checks the request and the answer (tests/contract.py).
        """
        body, content_type = _sent_body(data)
        exchange = contract.received(
            "ZoomMock",
            method,
            url.raw_path,
            url.query.items(),
            self._sent_headers(method, url),
            body,
            content_type,
        )
        response = await self._answer(method, url, data)
        exchange.answered(
            response.status, response.response, response.headers.get("Content-Type")
        )
        return response

    def _sent_headers(self, method: str, url: URL) -> dict[str, str]:
        """Return the headers the client sent with the request being answered."""
        for sent_method, sent_url, _, headers in reversed(self.mock.mock_calls):
            if sent_method.upper() == method.upper() and sent_url == url:
                return dict(headers or {})
        return {}

    async def _answer(
        self, method: str, url: URL, data: Any
    ) -> AiohttpClientMockResponse:
        method = method.upper()
        path = "token" if url.path == "/oauth/token" else url.path.removeprefix("/v2")
        if self.gate is not None:
            await self.gate(method, path)
        for failure in self.failures:
            if failure.method == method and failure.path == path:
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times <= 0:
                        self.failures.remove(failure)
                if failure.exc is not None:
                    raise failure.exc
                headers = dict(failure.headers)
                if failure.body is not None and not any(
                    name.lower() == "content-type" for name in headers
                ):
                    # Zoom labels its JSON, errors included.
                    headers["Content-Type"] = "application/json"
                return AiohttpClientMockResponse(
                    method,
                    url,
                    status=failure.status,
                    json=failure.body,
                    text=failure.text,
                    headers=headers,
                )
        if path == "token":
            self.token_counter += 1
            return self._json(
                method,
                url,
                {
                    "access_token": f"access-token-{self.token_counter}",
                    "token_type": "bearer",
                    "expires_in": 3599,
                    "scope": "meeting:read:admin meeting:write:admin",
                },
            )
        response = self._route(method, url, path, _decode(data))
        if not self.rate_limit_headers:
            return response
        # Like Zoom on a daily-limited plan, every API answer says how many
        # requests are left today.
        self.requests_left -= 1
        response.headers.update(
            {
                "X-RateLimit-Category": "Light",
                "X-RateLimit-Type": "Daily-limit",
                "X-RateLimit-Limit": "6000",
                "X-RateLimit-Remaining": str(self.requests_left),
            }
        )
        return response

    def _route(
        self, method: str, url: URL, path: str, body: Any
    ) -> AiohttpClientMockResponse:
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/users":
            # The account's users (Server-to-Server apps with user:read:list_users).
            return self._page(
                method, url, "users", [self.admin, self.user, *self.colleagues.values()]
            )
        if (
            method == "GET"
            and parts[0] == "users"
            and (colleague := self._colleague(parts[1]))
        ):
            return self._user_route(method, url, parts, colleague)
        if method == "GET" and parts[0] == "users" and self._is_admin(parts[1]):
            if len(parts) == 2:
                return self._json(method, url, self.admin)
            # The admin hosts nothing.
            return self._page(method, url, parts[2], [])
        if method == "GET" and parts[0] == "users" and not self._is_user(parts[1]):
            # Another user of the account: this Zoom knows none.
            return AiohttpClientMockResponse(
                method,
                url,
                status=HTTPStatus.NOT_FOUND,
                json={"code": 1001, "message": f"User does not exist: {parts[1]}."},
                headers={"Content-Type": "application/json"},
            )
        if method == "GET" and parts[0] == "users":
            return self._user_route(method, url, parts, self.user)
        if method == "GET" and parts[0] in ("meetings", "webinars") and len(parts) == 2:
            return self._details(method, url, parts[0], int(parts[1]))
        if parts[0] in ("meetings", "webinars") and parts[-1] == "livestream":
            meeting_id = int(parts[1])
            if method == "GET":
                if meeting_id not in self.livestream:
                    # A meeting that never had a stream target: Zoom answers 200
                    # without a body (as the one public client that handles the
                    # case receives; zoom-api.md, unconfirmed). Not empty fields.
                    return AiohttpClientMockResponse(
                        method, url, status=HTTPStatus.OK, text=""
                    )
                return self._json(method, url, self.livestream[meeting_id])
            if meeting_id in self.streaming:
                # Zoom takes a new target only while the stream is stopped.
                return self._error(
                    method,
                    url,
                    3000,
                    "The live stream settings cannot be changed while live streaming.",
                )
            self.livestream[meeting_id] = body
            return AiohttpClientMockResponse(method, url, status=HTTPStatus.NO_CONTENT)
        if parts[0] in ("meetings", "webinars") and parts[-1] == "status":
            return self._status(method, url, parts[0], int(parts[1]), body)
        raise AssertionError(f"Unexpected request {method} {url}")

    def add_colleague(self, user_id: str, email: str) -> dict[str, Any]:
        """Add another user of the account; their meetings carry their host_id."""
        colleague = {
            **self.user,
            "id": user_id,
            "email": email,
            "first_name": email.partition("@")[0].title(),
            "last_name": "Colleague",
        }
        self.colleagues[user_id] = colleague
        return colleague

    def _colleague(self, user: str) -> dict[str, Any] | None:
        """Return the colleague a path's user names (ID or email)."""
        return next(
            (c for c in self.colleagues.values() if user in (c["id"], c["email"])),
            None,
        )

    def _user_route(
        self, method: str, url: URL, parts: list[str], user: dict[str, Any]
    ) -> AiohttpClientMockResponse:
        """Answer a user, or the meetings or webinars they host."""
        if len(parts) == 2:
            return self._json(method, url, user)
        hosted = {
            "meetings": [m for m in self.meetings.values() if self._hosts(user, m)],
            "webinars": [w for w in self.webinars.values() if self._hosts(user, w)],
        }[parts[2]]
        if parts[2] == "meetings" and url.query.get("type") == "live":
            hosted = [m for m in hosted if m["id"] in self.live]
        return self._page(method, url, parts[2], hosted)

    def _hosts(self, user: dict[str, Any], meeting: dict[str, Any]) -> bool:
        """Whether `user` hosts `meeting` (the signed-in user hosts all but theirs)."""
        host = meeting.get("host_id")
        if user is self.user:
            return host not in self.colleagues
        return bool(host == user["id"])

    def _is_user(self, user: str) -> bool:
        """Whether a path's user is the host: `me` (as the mode says), ID or email."""
        if user == "me":
            return self.me == "app-user"
        return user in (self.user["id"], self.user.get("email"))

    def _is_admin(self, user: str) -> bool:
        """Whether a path's user is the account's admin, who owns the app."""
        if user == "me":
            return self.me == "admin"
        return user in (self.admin["id"], self.admin["email"])

    def _details(
        self, method: str, url: URL, collection: str, meeting_id: int
    ) -> AiohttpClientMockResponse:
        """Answer a meeting's details (with its status) or a webinar's (without)."""
        if collection == "webinars":
            if meeting_id in self.webinars:
                return self._json(method, url, self.webinars[meeting_id])
        elif meeting_id in self.meetings or meeting_id in self.instant:
            status = "started" if meeting_id in self.live else "waiting"
            details = self.meetings.get(meeting_id) or self.instant[meeting_id]
            return self._json(method, url, {**details, "status": status})
        kind = "Webinar" if collection == "webinars" else "Meeting"
        return AiohttpClientMockResponse(
            method,
            url,
            status=HTTPStatus.NOT_FOUND,
            json={"code": 3001, "message": f"{kind} does not exist: {meeting_id}."},
            headers={"Content-Type": "application/json"},
        )

    def _status(
        self, method: str, url: URL, collection: str, meeting_id: int, body: Any
    ) -> AiohttpClientMockResponse:
        """Start or stop, refused as Zoom refuses when nothing runs."""
        webinar = collection == "webinars"
        running = meeting_id in (self.live_webinars if webinar else self.live)
        if not running:
            # Zoom's own answers for a meeting or webinar that is not running.
            if webinar:
                return self._error(
                    method, url, 200, f"Webinar {meeting_id} has not started."
                )
            return self._error(
                method, url, 3000, f"Meeting {meeting_id} has not started."
            )
        settings = body.get("settings") or {}
        if webinar and {"layout", "close_caption"} & set(settings):
            # Zoom's webinar streams take neither: its validation failure lists them.
            return AiohttpClientMockResponse(
                method,
                url,
                status=HTTPStatus.BAD_REQUEST,
                json={
                    "code": 300,
                    "message": "Validation Failed.",
                    "errors": [
                        {"field": f"settings.{name}", "message": "Invalid field."}
                        for name in sorted({"layout", "close_caption"} & set(settings))
                    ],
                },
                headers={"Content-Type": "application/json"},
            )
        if body.get("action") == "start":
            self.streaming.add(meeting_id)
        else:
            self.streaming.discard(meeting_id)
        return AiohttpClientMockResponse(method, url, status=HTTPStatus.NO_CONTENT)

    @staticmethod
    def _error(
        method: str, url: URL, code: int, message: str
    ) -> AiohttpClientMockResponse:
        return AiohttpClientMockResponse(
            method,
            url,
            status=HTTPStatus.BAD_REQUEST,
            json={"code": code, "message": message},
            headers={"Content-Type": "application/json"},
        )

    def _page(
        self, method: str, url: URL, key: str, items: list[dict[str, Any]]
    ) -> AiohttpClientMockResponse:
        size = int(url.query.get("page_size", "30"))
        start = int(url.query.get("next_page_token") or 0)
        end = start + size
        return self._json(
            method,
            url,
            {
                "page_size": size,
                "total_records": len(items),
                "next_page_token": str(end) if end < len(items) else "",
                key: items[start:end],
            },
        )

    @staticmethod
    def _json(method: str, url: URL, body: Any) -> AiohttpClientMockResponse:
        return AiohttpClientMockResponse(
            method, url, json=body, headers={"Content-Type": "application/json"}
        )


def _sent_body(data: Any) -> tuple[bytes | None, str | None]:
    """Return the body the client sent (`data` or `json`) as bytes, and its type."""
    if data is None:
        return None, None
    if isinstance(data, bytes):
        return data, None
    if isinstance(data, str):
        return data.encode(), None
    # A `json=` body: the session serialises it and labels it as JSON.
    return contract.encode_json(data), "application/json"


def _decode(data: Any) -> Any:
    if isinstance(data, bytes | str) and data:
        try:
            return json.loads(data)
        except ValueError:
            return data
    return data


class VersionedSnapshotExtension(HomeAssistantSnapshotExtension):  # type: ignore[misc]
    """Home Assistant's serializer, with one snapshot folder per tested release.

    What Home Assistant itself puts in a state or registry entry changes between
    releases (2026.x added `object_id_base` and `suggested_object_id`), so each
    tested release keeps its own full snapshots: nothing is left out of either.
    """

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        """Return `tests/snapshots/<major.minor of the running Home Assistant>`."""
        release = ".".join(HA_VERSION.split(".")[:2])
        return str(Path(test_location.filepath).parent / "snapshots" / release)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots with Home Assistant's serializer (stable ids and times)."""
    return snapshot.use_extension(VersionedSnapshotExtension)


async def async_poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    delta: timedelta = SCAN_INTERVAL,
) -> None:
    """Move time past `delta` (one poll by default) and let the refresh finish.

    A scheduled refresh is one of Home Assistant's background tasks: waited for
    too, since its independent requests run side by side.
    """
    freezer.tick(delta + timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def make_entry(options: dict[str, Any] | None = None, **data: Any) -> MockConfigEntry:
    """Return a current (1.3) Server-to-Server entry, with extra data or options."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=USER_EMAIL,
        unique_id=USER_ID,
        data={"auth_type": "server_to_server", **ENTRY_DATA, **data},
        options=options or {},
        version=1,
        minor_version=3,
    )


async def async_save_options(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> ConfigFlowResult:
    """Save the options' settings as a user does; saving changed options reloads."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    if result["type"] is FlowResultType.MENU:
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": "settings"}
        )
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"include_webinars": True, **user_input}
    )


def find_device(hass: HomeAssistant, identifier: str) -> dr.DeviceEntry | None:
    """Return the integration's device with this identifier, if it exists.

    Not `async_get_device` nor `registry.devices` as a mapping: from 2026.10
    identifiers are unique per config entry only, and both are deprecated.
    """
    registry = dr.async_get(hass)
    return next(
        (
            device
            for entry in hass.config_entries.async_entries(DOMAIN)
            for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
            if (DOMAIN, identifier) in device.identifiers
        ),
        None,
    )


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """Return the entity's state, failing the test when it does not exist."""
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} does not exist"
    return state.state


@pytest.fixture
def aioclient_mock() -> Generator[AiohttpClientMocker]:
    """Home Assistant's HTTP mock, which also answers the integration's own pool.

    Loaded entries talk to Zoom through the integration's connection pool
    (websession.py), not Home Assistant's shared session; the mock is behind both.
    The mock answers requests without connections, so the connections a first
    poll opens ahead of its requests (zoom/connections.py) are not opened:
    tests/test_websession.py tests them against a real server.
    """
    with (
        mock_aiohttp_client() as mocker,
        patch(
            "custom_components.zoom_livestream.websession.create_session",
            side_effect=lambda: mocker.create_session(asyncio.get_running_loop()),
        ),
        patch(
            "custom_components.zoom_livestream.zoom.client.async_open_connections",
            return_value=0,
        ),
    ):
        yield mocker


@pytest.fixture
def zoom(aioclient_mock: AiohttpClientMocker) -> ZoomMock:
    """Zoom, mocked at the HTTP boundary."""
    return ZoomMock(aioclient_mock)


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """Return a configured Zoom account."""
    return make_entry()


type SetupIntegration = Callable[[], Awaitable[MockConfigEntry]]


@pytest.fixture
def setup_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, zoom: ZoomMock
) -> SetupIntegration:
    """Return a function that sets the entry up and waits until it is done."""

    async def _setup() -> MockConfigEntry:
        mock_config_entry.add_to_hass(hass)
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        return mock_config_entry

    return _setup


@pytest.fixture
async def init_integration(
    setup_integration: SetupIntegration,
) -> MockConfigEntry:
    """Set the integration up against the mocked Zoom."""
    return await setup_integration()


@pytest.fixture
def mock_setup_entry() -> Generator[Any]:
    """Skip entry setup (config flow tests)."""
    with patch(
        f"custom_components.{DOMAIN}.async_setup_entry", return_value=True
    ) as mock_setup:
        yield mock_setup
