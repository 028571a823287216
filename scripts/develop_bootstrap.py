"""Prepare and check the development Home Assistant that scripts/develop starts.

    prepare --config DIR --port PORT
                           before Home Assistant starts: the files the
                           configuration includes, onboarding set so that it
                           adds no integrations of its own (see `seed_onboarding`),
                           and Home Assistant's HTTP server on 127.0.0.1:PORT the
                           way the running release wants it (`configure_http`)
    run                    once Home Assistant starts: waits for it, creates the
                           user `dev` (password `dev`) through onboarding the first
                           time, stores the simulator's user-level app as the
                           application credentials ("Sign in with Zoom" then
                           works in the UI), adds the Zoom Live Stream entry,
                           points the
                           simulator's pushed events at the entry's webhook (every
                           run: a new simulator knows nothing), then prints
                           "develop: Ready"
    verify                 checks a running instance: the entry is loaded, only
                           this project's integrations are there, a pushed event
                           changes a sensor at once, a switch starts and stops a
                           stream in the simulator, and automations can be saved
    sign-in                signs the simulator's second user in with "Sign in
                           with Zoom" on a running instance, through Home
                           Assistant's OAuth2 flow as a browser does: the
                           authorize link (the simulator's), its redirect back
                           with a code, Home Assistant's callback, the entry;
                           then a switch of that user's meeting starts and
                           stops its stream in the simulator
    walk                   walks every flow a user has on a running instance:
                           options saved with events on, reconfigure,
                           re-authentication after Zoom refused the credentials,
                           the action, a pushed event, and the entry's removal
    check-log --log FILE   fails on any warning, error, traceback or deprecation
                           in Home Assistant's log that mentions the integration
                           (`--after-walk`: except the one warning `walk` causes)

Everything goes through Home Assistant's own HTTP APIs, as the UI does.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
import importlib
import json
import os
from pathlib import Path
import re
import sys
import time
from typing import Any, NoReturn

import aiohttp
from yarl import URL

USERNAME = "dev"
PASSWORD = "dev"
DOMAIN = "zoom_livestream"
# Signs the simulator's events; also saved in the entry's options.
WEBHOOK_SECRET = "dev-webhook-secret"
# The simulator's default credentials (zoom_simulator.state).
SIMULATOR_CREDENTIALS = {
    "account_id": "sim-account",
    "client_id": "sim-client-id",
    "client_secret": "sim-client-secret",
}
SIMULATOR_EMAIL = "host@example.com"
# Who `sign-in` signs in: the simulator's second user (the first one has the
# Server-to-Server entry already, and an account is added once).
OAUTH_USER_ID = "sim-user-2"
# The name of the application credentials `run` stores for the simulator's app.
CREDENTIALS_NAME = "Zoom simulator"

# Finishing the `core_config` onboarding step starts config flows for these
# (homeassistant/components/onboarding/views.py, CoreConfigOnboardingView): a
# contributor would find Radio Browser ("Failed setup" without Internet), Google
# Translate TTS, Shopping list and Met weather beside the integration.
ONBOARDING_INTEGRATIONS = frozenset(
    {"google_translate", "met", "radio_browser", "shopping_list"}
)
# Home Assistant's onboarding store (homeassistant/components/onboarding).
ONBOARDING_STORE = {"version": 4, "minor_version": 1, "key": "onboarding"}
# The files configuration.yaml includes, with what a default configuration writes.
INCLUDED_FILES = {"automations.yaml": "[]\n", "scripts.yaml": "", "scenes.yaml": ""}

PROGRESS_EVERY = 15.0
# Without `prepare`, how long onboarding's own config flows may keep adding
# entries after the last one.
ONBOARDING_SETTLE = 5.0
# A first start installs the frontend package; later starts take seconds.
HASS_START_TIMEOUT = 900.0
REQUEST_TIMEOUT = 900.0
# One look at whether a process answers yet.
POLL_TIMEOUT = aiohttp.ClientTimeout(total=10)
ENTRY_LOAD_TIMEOUT = 90.0
PUSH_TIMEOUT = 10.0


def say(message: str) -> None:
    """Tell the person at the terminal, at once (output may go to a pipe)."""
    print(f"develop: {message}", flush=True)


def fail(message: str) -> NoReturn:
    """Stop with a message that says what to do."""
    sys.exit(f"develop: {message}")


@dataclass(frozen=True)
class Expected:
    """A log record a run provokes on purpose, and how often it must be there."""

    # Matched against the record's first line.
    header: re.Pattern[str]
    low: int = 1
    high: int = 1
    # A record with a traceback is expected only when its last line matches.
    traceback_ends: re.Pattern[str] | None = None

    def matches(self, record: list[str]) -> bool:
        """Tell whether a record (its lines) is this one."""
        if not self.header.search(record[0]):
            return False
        if self.traceback_ends is None:
            return not any("Traceback" in line for line in record)
        return self.traceback_ends.search(record[-1]) is not None


# -- prepare ------------------------------------------------------------------------


def create_included_files(config: Path) -> list[str]:
    """Create the files configuration.yaml includes, if missing; return their names."""
    created = []
    for name, content in INCLUDED_FILES.items():
        path = config / name
        if not path.exists():
            path.write_text(content, encoding="utf-8")
            created.append(name)
    return created


def seed_onboarding(config: Path) -> bool:
    """Mark onboarding's `core_config` step done before Home Assistant starts.

    Our configuration.yaml already sets what that step asks for (location, units,
    time zone). Posting the step would add the integrations in
    `ONBOARDING_INTEGRATIONS`; with the step done, onboarding leaves them out and
    still asks for the user, analytics and integration steps, which `run` posts.
    Returns whether the store was changed. Home Assistant must not be running.
    """
    store = config / ".storage" / "onboarding"
    if store.exists():
        content = json.loads(store.read_text(encoding="utf-8"))
        done = content["data"]["done"]
        if "core_config" in done:
            return False
        done.append("core_config")
    else:
        content = {**ONBOARDING_STORE, "data": {"done": ["core_config"]}}
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_text(json.dumps(content, indent=2), encoding="utf-8")
    return True


# Home Assistant 2026.11 keeps its HTTP server's configuration in .storage/http.
# An `http:` block in configuration.yaml is migrated once into an unconfirmed
# "pending" trial (with the repair "HTTP YAML configuration is deprecated") that is
# reverted after 5 minutes by a restart on the default port on all interfaces, and
# is ignored from then on. Older releases read only the YAML.
HTTP_PACKAGE = "develop_http.yaml"
LOOPBACK = "127.0.0.1"


def configure_http(config: Path, port: int) -> str:
    """Serve Home Assistant on LOOPBACK:port, as its release wants; say how.

    With a stored HTTP configuration (2026.11 and later) the store gets a confirmed
    ("stable") configuration built by Home Assistant's own schema, no pending trial
    and the YAML migration marked done. Older releases get an `http:` block in a
    package file that configuration.yaml includes.
    """
    package = config / "packages" / HTTP_PACKAGE
    package.parent.mkdir(parents=True, exist_ok=True)
    try:
        http_config: Any = importlib.import_module(
            "homeassistant.components.http.config"
        )
    except ImportError:
        http_config = None
    if http_config is None or not hasattr(http_config, "HTTPConfigStore"):
        package.write_text(
            "# Written by scripts/develop_bootstrap.py prepare at every start.\n"
            f"http:\n  server_host: {LOOPBACK}\n  server_port: {port}\n",
            encoding="utf-8",
        )
        return f"http: in {package.relative_to(config)}"
    package.unlink(missing_ok=True)
    stable = dict(
        http_config.HTTP_STORAGE_SCHEMA(
            {"server_host": [LOOPBACK], "server_port": port}
        )
    )
    stable.update(
        created_at=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        error=None,
        error_message=None,
    )
    store = config / ".storage" / http_config.STORAGE_KEY
    current: dict[str, Any] = {}
    if store.exists():
        current = json.loads(store.read_text(encoding="utf-8")).get("data", {})
    wanted = {"stable": stable, "pending": None, "yaml_migration_done": True}

    def settings(slot: Any) -> Any:
        meta = ("created_at", "error", "error_message")
        return {k: v for k, v in slot.items() if k not in meta} if slot else slot

    if (
        settings(current.get("stable")) == settings(stable)
        and current.get("pending") is None
        and current.get("yaml_migration_done") is True
    ):
        return f"stored HTTP configuration in .storage/{http_config.STORAGE_KEY}"
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_text(
        json.dumps(
            {
                "version": http_config.STORAGE_VERSION,
                "minor_version": http_config.STORAGE_MINOR_VERSION,
                "key": http_config.STORAGE_KEY,
                "data": wanted,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    store.chmod(0o600)
    return f"stored HTTP configuration in .storage/{http_config.STORAGE_KEY} (written)"


def yaml_has_http(config: Path) -> bool:
    """Tell whether configuration.yaml itself still has a top-level `http:` block."""
    path = config / "configuration.yaml"
    if not path.exists():
        return False
    return any(
        re.match(r"^http\s*:", line) for line in path.read_text("utf-8").splitlines()
    )


def prepare(config: Path, port: int) -> None:
    """Make a configuration directory ready for Home Assistant's start."""
    for name in create_included_files(config):
        say(f"created an empty {config / name}")
    if seed_onboarding(config):
        say("onboarding will add no integrations besides this one")
    how = configure_http(config, port)
    say(f"Home Assistant will serve {LOOPBACK}:{port} ({how})")
    if yaml_has_http(config):
        say(
            f"{config / 'configuration.yaml'} has its own http: block: remove it. "
            "./scripts/develop sets the address and port itself, and Home Assistant "
            "2026.11 turns that block into a 5-minute trial that ends with a restart "
            "on port 8123 on all interfaces"
        )


# -- HTTP helpers -------------------------------------------------------------------


def process_alive(pid: int | None) -> bool:
    """Tell whether a process runs (a zombie, dead but not yet reaped, does not)."""
    if pid is None:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    # The state follows the command name, which is in parentheses.
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def log_tail(path: Path | None, lines: int = 25) -> str:
    """Return the last lines of a log file, indented, for an error message."""
    if path is None or not path.exists():
        return ""
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return f"\nLast lines of {path}:\n" + "\n".join(f"  {line}" for line in text)


class Instance:
    """A running Home Assistant and simulator, and the processes behind them."""

    def __init__(
        self, session: aiohttp.ClientSession, args: argparse.Namespace
    ) -> None:
        """Keep the session and the addresses, PIDs and logs from the command line."""
        self.session = session
        self.hass: str = args.hass.rstrip("/")
        self.simulator: str = args.simulator.rstrip("/")
        self.client_id = f"{self.hass}/"
        self.hass_pid: int | None = args.hass_pid
        self.simulator_pid: int | None = args.simulator_pid
        self.hass_log: Path | None = args.hass_log
        self.simulator_log: Path | None = args.simulator_log
        self.headers: dict[str, str] = {}
        self.posted_core_config = False

    def check_processes(self) -> None:
        """Stop at once, with the log's end, when a process has died."""
        if not process_alive(self.hass_pid):
            fail(f"Home Assistant exited.{log_tail(self.hass_log)}")
        if not process_alive(self.simulator_pid):
            fail(f"the Zoom simulator exited.{log_tail(self.simulator_log)}")

    async def request(
        self, method: str, url: str, *, expect: Sequence[int] = (200,), **kwargs: Any
    ) -> Any:
        """Send a request; return the JSON answer (None when empty) or stop.

        Some answers take minutes: the first config flow makes Home Assistant
        install the requirements of the integration's dependencies (on a bare
        Home Assistant, those of `cloud` and everything it depends on). So the
        wait is long, and said every PROGRESS_EVERY seconds.
        """

        async def send() -> tuple[int, str]:
            async with self.session.request(method, url, **kwargs) as response:
                return response.status, await response.text()

        started = time.monotonic()
        task = asyncio.ensure_future(send())
        while not (await asyncio.wait({task}, timeout=PROGRESS_EVERY))[0]:
            self.check_processes()
            say(
                f"still waiting for {method} {url.removeprefix(self.hass)} "
                f"({time.monotonic() - started:.0f} s; Home Assistant may be "
                "installing packages)"
            )
        status, text = task.result()
        if status not in expect:
            fail(f"{method} {url} answered {status}: {text[:500]}")
        return json.loads(text) if text else None

    async def hass_api(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call Home Assistant's API as the dev user."""
        return await self.request(
            method, f"{self.hass}{path}", headers=self.headers, **kwargs
        )

    async def state_of(self, entity_id: str) -> dict[str, Any] | None:
        """Return an entity's state, or None when it does not exist."""
        state = await self.hass_api(
            "GET", f"/api/states/{entity_id}", expect=(200, 404)
        )
        return state if isinstance(state, dict) and "state" in state else None

    async def entity_of(self, domain: str, topic: str) -> str:
        """Return the entity of a platform whose name starts with a meeting's topic."""
        states = await self.hass_api("GET", "/api/states")
        entity_id = next(
            (
                s["entity_id"]
                for s in states
                if s["entity_id"].startswith(f"{domain}.")
                and str(s["attributes"].get("friendly_name", "")).startswith(topic)
            ),
            None,
        )
        if entity_id is None:
            fail(f"no {domain} entity for the meeting {topic!r}")
        return str(entity_id)

    async def simulator_api(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call one of the simulator's control routes."""
        return await self.request(
            method, f"{self.simulator}/_simulator/{path}", **kwargs
        )

    async def websocket(self, command: str, **data: Any) -> tuple[bool, Any]:
        """Send one WebSocket command as the dev user; return (success, result or error)."""
        token = self.headers["Authorization"].removeprefix("Bearer ")
        async with self.session.ws_connect(f"{self.hass}/api/websocket") as socket:
            await socket.receive_json()
            await socket.send_json({"type": "auth", "access_token": token})
            if (reply := await socket.receive_json()).get("type") != "auth_ok":
                fail(f"the WebSocket API refused the dev user: {reply}")
            await socket.send_json({"id": 1, "type": command, **data})
            while True:
                message = await socket.receive_json()
                if message.get("id") == 1 and message.get("type") == "result":
                    break
        if message["success"]:
            return True, message.get("result")
        return False, message.get("error")

    async def our_entry(self) -> dict[str, Any]:
        """Return the simulator user's Zoom Live Stream entry."""
        entry = next(
            (e for e in await self.entries(DOMAIN) if e["title"] == SIMULATOR_EMAIL),
            None,
        )
        if entry is None:
            fail(f"no Zoom Live Stream entry for {SIMULATOR_EMAIL}")
        return entry

    # -- waiting for the processes ---------------------------------------------------

    async def wait_for_simulator(self, timeout: float = 60) -> None:
        """Wait until the simulator answers."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_processes()
            try:
                async with self.session.get(
                    f"{self.simulator}/_simulator/state", timeout=POLL_TIMEOUT
                ) as response:
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                fail(f"the simulator did not answer within {timeout:.0f} s")
            await asyncio.sleep(0.25)

    async def wait_for_hass(self) -> list[dict[str, Any]] | None:
        """Wait until Home Assistant serves HTTP; return onboarding's steps.

        None means onboarding is finished: Home Assistant then no longer serves
        /api/onboarding at all (404), so that is an answer too, not a wait.
        """
        started = time.monotonic()
        next_note = started + PROGRESS_EVERY
        while True:
            self.check_processes()
            try:
                async with self.session.get(
                    f"{self.hass}/api/onboarding", timeout=POLL_TIMEOUT
                ) as response:
                    if response.status == 200:
                        steps: list[dict[str, Any]] = await response.json()
                        return steps
                    if response.status == 404:
                        return None
            except (aiohttp.ClientError, TimeoutError):
                pass
            now = time.monotonic()
            if now - started > HASS_START_TIMEOUT:
                fail(
                    f"Home Assistant did not answer within {HASS_START_TIMEOUT:.0f} s."
                    f"{log_tail(self.hass_log)}"
                )
            if now >= next_note:
                say(
                    f"waiting for Home Assistant to start ({now - started:.0f} s; "
                    "a first start installs the frontend package, which takes a "
                    "few minutes)"
                )
                next_note = now + PROGRESS_EVERY
            await asyncio.sleep(0.25)

    # -- users and onboarding ----------------------------------------------------------

    async def token_from_code(self, code: str) -> None:
        """Exchange an authorization code for an access token and keep it."""
        body = await self.request(
            "POST",
            f"{self.hass}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
        )
        self.headers = {"Authorization": f"Bearer {body['access_token']}"}

    async def log_in(self) -> None:
        """Log in as the dev user."""
        flow = await self.request(
            "POST",
            f"{self.hass}/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.client_id,
            },
        )
        result = await self.request(
            "POST",
            f"{self.hass}/auth/login_flow/{flow['flow_id']}",
            json={
                "client_id": self.client_id,
                "username": USERNAME,
                "password": PASSWORD,
            },
        )
        if result.get("type") != "create_entry":
            fail(
                f"cannot log in as {USERNAME}/{PASSWORD}: this configuration was "
                "onboarded with another user. Delete its .storage folder to start "
                "afresh."
            )
        await self.token_from_code(result["result"])

    async def onboard(self, steps: list[dict[str, Any]] | None) -> None:
        """Finish what onboarding still asks for, and log in as the dev user."""
        if steps is None:
            await self.log_in()
            return
        done = {step["step"] for step in steps if step["done"]}
        if "user" in done:
            await self.log_in()
        else:
            result = await self.request(
                "POST",
                f"{self.hass}/api/onboarding/users",
                json={
                    "client_id": self.client_id,
                    "name": "Developer",
                    "username": USERNAME,
                    "password": PASSWORD,
                    "language": "en",
                },
            )
            await self.token_from_code(result["auth_code"])
            say(f"created the user {USERNAME} (password {PASSWORD})")
        # Normally done by `prepare`; posting it adds ONBOARDING_INTEGRATIONS,
        # which remove_onboarding_entries takes away again.
        for step, body in (
            ("core_config", {}),
            ("analytics", {}),
            (
                "integration",
                {"client_id": self.client_id, "redirect_uri": self.client_id},
            ),
        ):
            if step not in done:
                await self.hass_api("POST", f"/api/onboarding/{step}", json=body)
                self.posted_core_config |= step == "core_config"

    async def entries(self, domain: str | None = None) -> list[dict[str, Any]]:
        """Return the config entries (of one domain)."""
        params = {"domain": domain} if domain else {}
        entries: list[dict[str, Any]] = await self.hass_api(
            "GET", "/api/config/config_entries/entry", params=params
        )
        return entries

    async def remove_onboarding_entries(self) -> None:
        """Remove what an onboarding added, so only this project shows.

        When this run posted `core_config` itself, onboarding's config flows are
        still running in the background: keep looking until none has added an
        entry for ONBOARDING_SETTLE seconds.
        """
        quiet_since = time.monotonic()
        while True:
            for entry in await self.entries():
                if (
                    entry["domain"] in ONBOARDING_INTEGRATIONS
                    and entry.get("source") == "onboarding"
                ):
                    await self.hass_api(
                        "DELETE",
                        f"/api/config/config_entries/entry/{entry['entry_id']}",
                    )
                    say(f"removed {entry['title']!r}, added by onboarding")
                    quiet_since = time.monotonic()
            if (
                not self.posted_core_config
                or time.monotonic() - quiet_since > ONBOARDING_SETTLE
            ):
                return
            await asyncio.sleep(0.5)

    # -- the integration ---------------------------------------------------------------

    async def ensure_credentials(self) -> None:
        """Store the simulator's user-level app as application credentials, once."""
        app = (await self.simulator_api("GET", "users"))["user_app"]
        ok, stored = await self.websocket("application_credentials/list")
        if not ok:
            fail(f"application_credentials/list failed: {stored}")
        if any(
            c["domain"] == DOMAIN and c["client_id"] == app["client_id"] for c in stored
        ):
            return
        ok, created = await self.websocket(
            "application_credentials/create",
            domain=DOMAIN,
            client_id=app["client_id"],
            client_secret=app["client_secret"],
            name=CREDENTIALS_NAME,
        )
        if not ok:
            fail(f"storing the simulator's app as credentials failed: {created}")
        say(
            f"stored the simulator's user-level app ({app['client_id']}) as "
            "application credentials for Sign in with Zoom"
        )

    async def ensure_entry(self) -> str:
        """Add the Zoom Live Stream entry of the simulator unless it exists."""
        existing = await self.entries(DOMAIN)
        if existing:
            # A second entry a contributor added by hand stays untouched.
            chosen = next(
                (e for e in existing if e["title"] == SIMULATOR_EMAIL), existing[0]
            )
            return str(chosen["entry_id"])
        flow = await self.hass_api(
            "POST", "/api/config/config_entries/flow", json={"handler": DOMAIN}
        )
        # The first step is a menu: choose the Server-to-Server form.
        await self.hass_api(
            "POST",
            f"/api/config/config_entries/flow/{flow['flow_id']}",
            json={"next_step_id": "server_to_server"},
        )
        form = await self.hass_api(
            "POST",
            f"/api/config/config_entries/flow/{flow['flow_id']}",
            json={**SIMULATOR_CREDENTIALS, "cloud": "global"},
        )
        if form.get("step_id") != "host":
            fail(f"adding the integration failed: {form.get('errors') or form}")
        # Whose meetings: the account's users are listed, the token's owner suggested.
        (field,) = form["data_schema"]
        listed = [o["value"] for o in field["selector"]["select"]["options"]]
        host = field.get("description", {}).get("suggested_value")
        if host not in listed:
            fail(f"the host step suggests {host!r} among {listed}")
        say(f"host step: {len(listed)} user(s) of the account listed, {host} suggested")
        result = await self.hass_api(
            "POST",
            f"/api/config/config_entries/flow/{flow['flow_id']}",
            json={"host": host},
        )
        if result.get("type") != "create_entry":
            fail(f"adding the integration failed: {result.get('errors')}")
        say(f"added Zoom Live Stream for {result['title']}")
        return str(result["result"]["entry_id"])

    async def wait_until_loaded(self, entry_id: str) -> None:
        """Wait until the entry is loaded; stop with its state and reason if not."""
        deadline = time.monotonic() + ENTRY_LOAD_TIMEOUT
        while True:
            self.check_processes()
            entry = next(
                (e for e in await self.entries(DOMAIN) if e["entry_id"] == entry_id),
                None,
            )
            if entry is None:
                fail(f"the entry {entry_id} disappeared")
            if entry["state"] == "loaded":
                return
            if time.monotonic() > deadline:
                fail(
                    f"the Zoom Live Stream entry is {entry['state']}, not loaded, after "
                    f"{ENTRY_LOAD_TIMEOUT:.0f} s: {entry.get('reason')}"
                    f"{log_tail(self.hass_log)}"
                )
            await asyncio.sleep(0.5)

    async def settings_form(self, entry_id: str) -> dict[str, Any]:
        """Open the entry's options on the settings form (the webhook URL's place)."""
        form: dict[str, Any] = await self.hass_api(
            "POST",
            "/api/config/config_entries/options/flow",
            json={"handler": entry_id},
        )
        if form.get("type") == "menu":
            # A loaded entry's options open on a menu: the settings hold the events.
            form = await self.hass_api(
                "POST",
                f"/api/config/config_entries/options/flow/{form['flow_id']}",
                json={"next_step_id": "settings"},
            )
        return form

    async def ensure_push(self, entry_id: str) -> str:
        """Store the webhook secret if needed and point the simulator at the webhook.

        Every run: the simulator keeps its settings in memory only, so a new one
        (after a restart or a crash) would otherwise push nothing.
        """
        form = await self.settings_form(entry_id)
        webhook_url = str(form["description_placeholders"]["webhook_url"])
        if not webhook_url.startswith("http"):
            fail(f"the entry has no webhook URL: {webhook_url}")
        # Submit the form as it stands, with events on and the secret token: the
        # form does not show a stored secret, so it is saved again every run.
        values: dict[str, Any] = {}
        for field in form["data_schema"]:
            value = field.get("description", {}).get("suggested_value")
            if value is None:
                value = field.get("default")
            if value is not None:
                values[field["name"]] = value
        if any(field["name"] == "events" for field in form["data_schema"]):
            values["events"] = True
        values["webhook_secret"] = WEBHOOK_SECRET
        result = await self.hass_api(
            "POST",
            f"/api/config/config_entries/options/flow/{form['flow_id']}",
            json=values,
        )
        if result.get("type") != "create_entry":
            fail(f"saving the webhook secret failed: {result.get('errors')}")
        # Saving the options reloads the entry.
        await self.wait_until_loaded(entry_id)
        await self.simulator_api(
            "POST", "webhook", json={"url": webhook_url, "secret": WEBHOOK_SECRET}
        )
        return webhook_url


async def run(args: argparse.Namespace) -> None:
    """Bring the instance to a usable state and say so."""
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        instance = Instance(session, args)
        await instance.wait_for_simulator()
        steps = await instance.wait_for_hass()
        await instance.onboard(steps)
        await instance.remove_onboarding_entries()
        await instance.ensure_credentials()
        entry_id = await instance.ensure_entry()
        await instance.wait_until_loaded(entry_id)
        webhook_url = await instance.ensure_push(entry_id)
    elapsed = f" after {time.time() - args.since:.0f} s" if args.since else ""
    print(
        f"develop: the simulator pushes signed Zoom events to {webhook_url}\n"
        f"develop: Ready{elapsed}: Home Assistant {args.hass} (log in as "
        f"{USERNAME} / {PASSWORD}), Zoom simulator {args.simulator}\n"
        "  Settings -> Devices & services -> Zoom Live Stream -> 'Weekly team sync':\n"
        "  turn on 'Live stream', then see it in the simulator:\n"
        f"    curl -s {args.simulator}/_simulator/state\n"
        "  Ctrl+C stops Home Assistant and the simulator.",
        flush=True,
    )


# -- verify -------------------------------------------------------------------------


async def wait_for_state(
    instance: Instance, entity_id: str, wanted: str, timeout: float
) -> float:
    """Wait until an entity has a state; return how long it took."""
    started = time.monotonic()
    while True:
        state = await instance.hass_api(
            "GET", f"/api/states/{entity_id}", expect=(200, 404)
        )
        if state is not None and state.get("state") == wanted:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            fail(f"{entity_id} is {state and state.get('state')}, not {wanted}")
        await asyncio.sleep(0.1)


async def wait_for_delivery(
    instance: Instance, seen: int, event: str, meeting_id: int
) -> dict[str, Any]:
    """Wait for the simulator to deliver an event; return how it went."""
    deadline = time.monotonic() + PUSH_TIMEOUT
    while True:
        body = await instance.simulator_api("GET", "deliveries")
        for delivery in body["deliveries"][seen:]:
            if delivery["event"] == event and delivery["meeting_id"] == meeting_id:
                return dict(delivery)
        if time.monotonic() > deadline:
            fail(f"the simulator delivered no {event} within {PUSH_TIMEOUT:.0f} s")
        await asyncio.sleep(0.1)


async def check_push(instance: Instance) -> None:
    """Start and end a meeting in the simulator; its sensor must follow at once."""
    state = await instance.simulator_api("GET", "state")
    user_id = state["user"]["id"]
    meeting = next(
        (m for m in state["meetings"] if m["host_id"] == user_id and not m["started"]),
        None,
    )
    if meeting is None:
        fail("the simulator has no meeting that is not in progress to start")
    sensor = await instance.entity_of("binary_sensor", meeting["topic"])
    for action, event, wanted in (
        ("start", "meeting.started", "on"),
        ("end", "meeting.ended", "off"),
    ):
        seen = len((await instance.simulator_api("GET", "deliveries"))["deliveries"])
        await instance.simulator_api("POST", f"meetings/{meeting['id']}/{action}")
        delivery = await wait_for_delivery(instance, seen, event, meeting["id"])
        if delivery["status"] != 200:
            fail(
                f"Home Assistant answered the pushed {event} with "
                f"{delivery['status'] or delivery['error']}, not 200"
            )
        took = await wait_for_state(instance, sensor, wanted, PUSH_TIMEOUT)
        say(f"pushed {event} -> HTTP 200, {sensor} = {wanted} after {took:.1f} s")


async def check_stream(instance: Instance, user_id: str | None = None) -> None:
    """Turn a stream on and off through the REST API; the simulator must follow.

    The meeting is one of `user_id`'s (default: the simulator's first user).
    """
    state = await instance.simulator_api("GET", "state")
    user_id = user_id or state["user"]["id"]
    meeting = next(
        (
            m
            for m in state["meetings"]
            if m["host_id"] == user_id
            and m["kind"] == "meeting"
            and m["started"]
            and m["live_stream"]["stream_url"]
            and m["live_stream"]["stream_key"]
        ),
        None,
    )
    if meeting is None:
        fail("the simulator has no meeting in progress with a stream target")
    switch = await instance.entity_of("switch", meeting["topic"])
    for service, streaming, wanted in (
        ("turn_on", True, "on"),
        ("turn_off", False, "off"),
    ):
        await instance.hass_api(
            "POST", f"/api/services/switch/{service}", json={"entity_id": switch}
        )
        deadline = time.monotonic() + PUSH_TIMEOUT
        while True:
            state = await instance.simulator_api("GET", "state")
            now = next(m for m in state["meetings"] if m["id"] == meeting["id"])
            if now["streaming"] is streaming:
                break
            if time.monotonic() > deadline:
                fail(
                    f"switch.{service} of {switch}: the simulator is not streaming={streaming}"
                )
            await asyncio.sleep(0.1)
        await wait_for_state(instance, switch, wanted, PUSH_TIMEOUT)
        say(
            f"POST /api/services/switch/{service} {switch} -> the simulator shows "
            f"{meeting['topic']!r} streaming={str(streaming).lower()}"
        )


async def check_automation_saving(instance: Instance) -> None:
    """Save an automation as the editor does; it must load, then delete it."""
    automation_id = "develop_check"
    config = {
        "id": automation_id,
        "alias": "Develop check",
        "description": "",
        "triggers": [{"trigger": "homeassistant", "event": "start"}],
        "conditions": [],
        "actions": [],
        "mode": "single",
    }
    path = f"/api/config/automation/config/{automation_id}"
    await instance.hass_api("POST", path, json=config)
    try:
        await wait_for_state(instance, "automation.develop_check", "on", 10)
    finally:
        await instance.hass_api("DELETE", path)
    say("the automation editor can save automations")


# Repairs the http integration raises for an `http:` block in configuration.yaml.
HTTP_YAML_ISSUES = frozenset(
    {
        "deprecated_yaml",
        "deprecated_yaml_import_error",
        "yaml_still_present_after_migration",
    }
)


async def check_http(instance: Instance) -> None:
    """Home Assistant serves loopback only, with no HTTP trial or deprecation pending."""
    ok, issues = await instance.websocket("repairs/list_issues")
    if not ok:
        fail(f"repairs/list_issues failed: {issues}")
    yaml_issues = sorted(
        issue["issue_id"]
        for issue in issues["issues"]
        if issue["domain"] == "http" and issue["issue_id"] in HTTP_YAML_ISSUES
    )
    if yaml_issues:
        fail(f"Home Assistant raised the HTTP repairs {yaml_issues}")
    ok, config = await instance.websocket("http/config")
    if not ok:
        # Before 2026.11 there is no stored HTTP configuration: YAML it is.
        say("HTTP configuration from YAML (this release stores none); no HTTP repair")
        return
    stable = config["stable"]
    port = int(instance.hass.rsplit(":", 1)[1])
    problems = [
        f"{name} is {value!r}, not {wanted!r}"
        for name, value, wanted in (
            ("active_config_type", config["active_config_type"], "stable"),
            ("pending", config["pending"], None),
            ("revert_at", config["revert_at"], None),
            ("server_host", stable.get("server_host"), [LOOPBACK]),
            ("server_port", stable.get("server_port"), port),
        )
        if value != wanted
    ]
    if problems:
        fail(
            "the HTTP configuration is not the confirmed loopback one: "
            + "; ".join(problems)
        )
    say(
        f"stored HTTP configuration: {LOOPBACK}:{port}, confirmed (stable), no trial "
        "pending, no HTTP repair"
    )


# -- walk ---------------------------------------------------------------------------

# The log records `walk` provokes on purpose, and nothing else: Zoom refusing the
# credentials at a reload is what starts re-authentication.
WALK_RECORDS = (
    Expected(
        re.compile(
            rf"WARNING .*Config entry '{re.escape(SIMULATOR_EMAIL)}' for {DOMAIN} "
            "integration could not authenticate"
        )
    ),
)


async def submit_flow(
    instance: Instance, path: str, flow_id: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Submit one step of a config or options flow; return its result."""
    result: dict[str, Any] = await instance.hass_api(
        "POST", f"{path}/{flow_id}", json=values
    )
    return result


async def walk_options(instance: Instance, entry_id: str) -> None:
    """Save changed options with events on: the entry reloads once, then back."""
    path = "/api/config/config_entries/options/flow"
    webinar_switch = await instance.entity_of("switch", "Quarterly all-hands")
    for include_webinars, present in ((False, False), (True, True)):
        form = await instance.hass_api("POST", path, json={"handler": entry_id})
        form = await submit_flow(
            instance, path, form["flow_id"], {"next_step_id": "settings"}
        )
        result = await submit_flow(
            instance,
            path,
            form["flow_id"],
            {
                "include_webinars": include_webinars,
                "events": True,
                "webhook_secret": WEBHOOK_SECRET,
            },
        )
        if result.get("type") != "create_entry":
            fail(f"saving the options failed: {result}")
        await instance.wait_until_loaded(entry_id)
        deadline = time.monotonic() + ENTRY_LOAD_TIMEOUT
        while True:
            state = await instance.state_of(webinar_switch)
            if (state is not None and state["state"] != "unavailable") is present:
                break
            if time.monotonic() > deadline:
                fail(f"after saving include_webinars={include_webinars}: {state}")
            await asyncio.sleep(0.2)
        say(
            f"options saved (include_webinars={str(include_webinars).lower()}, events "
            f"on) -> reloaded, {webinar_switch} {'back' if present else 'gone'}"
        )


async def walk_reconfigure(instance: Instance, entry_id: str) -> None:
    """Reconfigure with the same user's credentials: reloaded."""
    path = "/api/config/config_entries/flow"
    form = await instance.hass_api(
        "POST", path, json={"handler": DOMAIN, "entry_id": entry_id}
    )
    if form.get("step_id") != "reconfigure":
        fail(f"reconfigure did not show its form: {form}")
    result = await submit_flow(
        instance, path, form["flow_id"], {**SIMULATOR_CREDENTIALS, "cloud": "global"}
    )
    if result.get("reason") != "reconfigure_successful":
        fail(f"reconfigure failed: {result}")
    await instance.wait_until_loaded(entry_id)
    say("reconfigure -> reconfigure_successful, entry loaded again")


async def walk_reauth(instance: Instance, entry_id: str) -> None:
    """Zoom refuses the credentials at a reload; re-authentication repairs it."""
    await instance.simulator_api(
        "POST",
        "fail",
        json={
            "status": 401,
            "path_prefix": "/oauth/token",
            "body": {
                "reason": "Invalid client_id or client_secret",
                "error": "invalid_client",
            },
        },
        expect=(201,),
    )
    await instance.hass_api(
        "POST", f"/api/config/config_entries/entry/{entry_id}/reload"
    )
    deadline = time.monotonic() + ENTRY_LOAD_TIMEOUT
    while True:
        ok, flows = await instance.websocket("config_entries/flow/progress")
        if not ok:
            fail(f"config_entries/flow/progress failed: {flows}")
        flow = next(
            (
                f
                for f in flows
                if f["handler"] == DOMAIN and f["context"].get("source") == "reauth"
            ),
            None,
        )
        if flow is not None:
            break
        if time.monotonic() > deadline:
            fail("Zoom refused the credentials, but no re-authentication was started")
        await asyncio.sleep(0.2)
    path = "/api/config/config_entries/flow"
    form = await instance.hass_api("GET", f"{path}/{flow['flow_id']}")
    if form.get("step_id") != "reauth_confirm":
        fail(f"re-authentication did not ask for credentials: {form}")
    result = await submit_flow(instance, path, flow["flow_id"], SIMULATOR_CREDENTIALS)
    if result.get("reason") != "reauth_successful":
        fail(f"re-authentication failed: {result}")
    await instance.wait_until_loaded(entry_id)
    say("credentials refused -> re-authentication -> reauth_successful, entry loaded")


async def walk_action(instance: Instance) -> None:
    """Set a target and a display name with the action; the next start sends them."""
    state = await instance.simulator_api("GET", "state")
    meeting = next(m for m in state["meetings"] if m["topic"] == "Weekly team sync")
    switch = await instance.entity_of("switch", meeting["topic"])
    await instance.hass_api(
        "POST",
        f"/api/services/{DOMAIN}/update_settings",
        json={
            "entity_id": switch,
            "resolution": "1080p",
            "display_name": "Develop walk",
        },
    )
    for service in ("turn_on", "turn_off"):
        await instance.hass_api(
            "POST", f"/api/services/switch/{service}", json={"entity_id": switch}
        )
    state = await instance.simulator_api("GET", "state")
    now = next(m for m in state["meetings"] if m["id"] == meeting["id"])
    if now["live_stream"]["resolution"] != "1080p":
        fail(f"update_settings did not reach the simulator: {now['live_stream']}")
    if (now.get("last_start_settings") or {}).get("display_name") != "Develop walk":
        fail(f"the next start did not send the display name: {now}")
    say(
        f"{DOMAIN}.update_settings -> the simulator has resolution 1080p, and the "
        "next start sent the display name"
    )


async def wait_for_entity(instance: Instance, domain: str, topic: str) -> str:
    """Wait until a meeting's entity appears; return its entity ID."""
    deadline = time.monotonic() + PUSH_TIMEOUT
    while True:
        states = await instance.hass_api("GET", "/api/states")
        entity_id = next(
            (
                s["entity_id"]
                for s in states
                if s["entity_id"].startswith(f"{domain}.")
                and str(s["attributes"].get("friendly_name", "")).startswith(topic)
            ),
            None,
        )
        if entity_id is not None:
            return str(entity_id)
        if time.monotonic() > deadline:
            fail(f"no {domain} entity appeared for the meeting {topic!r}")
        await asyncio.sleep(0.1)


async def walk_day_one(instance: Instance, entry_id: str) -> None:
    """Walk a new user's first day, against the simulator's harsher Zoom."""
    state = await instance.simulator_api("GET", "state")
    user_id = state["user"]["id"]
    bare = next(
        m
        for m in state["meetings"]
        if m["host_id"] == user_id
        and m["kind"] == "meeting"
        and not m["live_stream"].get("stream_url")
    )
    # 1. A first stream target, for a meeting Zoom answers with no body.
    switch = await instance.entity_of("switch", bare["topic"])
    target = {
        "stream_url": "rtmp://127.0.0.1/first",
        "stream_key": "first-key",
        "page_url": "https://127.0.0.1/first",
    }
    await instance.hass_api(
        "POST",
        f"/api/services/{DOMAIN}/update_settings",
        json={"entity_id": switch, **target},
    )
    state = await instance.simulator_api("GET", "state")
    now = next(m for m in state["meetings"] if m["id"] == bare["id"])
    if now["live_stream"]["stream_url"] != target["stream_url"]:
        fail(f"the first stream target was not saved: {now['live_stream']}")
    say(f"first stream target of {bare['topic']!r} (it had none) -> saved at Zoom")

    # 2. One occurrence of a weekly meeting deleted in Zoom: the series stays.
    created = await instance.simulator_api(
        "POST", "meetings", json={"topic": "Weekly standup", "type": 8}, expect=(201,)
    )
    weekly = created["meetings"][0]
    standup = await wait_for_entity(instance, "switch", "Weekly standup")
    seen = len((await instance.simulator_api("GET", "deliveries"))["deliveries"])
    occurrence = weekly["occurrences"][0]["occurrence_id"]
    await instance.simulator_api(
        "DELETE",
        f"meetings/{weekly['id']}?occurrence_id={occurrence}",
        expect=(204,),
    )
    delivery = await wait_for_delivery(instance, seen, "meeting.deleted", weekly["id"])
    await asyncio.sleep(0.5)
    if await instance.state_of(standup) is None:
        fail(f"deleting one occurrence removed {standup}")
    say(
        f"one occurrence of 'Weekly standup' deleted in Zoom -> HTTP "
        f"{delivery['status']}, {standup} kept its entity ID"
    )

    # 3. An instant meeting (no list shows it): its switch comes from its event.
    await instance.simulator_api(
        "POST",
        "meetings",
        json={"topic": "Ad hoc call", "type": 1, "started": True, **target},
        expect=(201,),
    )
    instant = await wait_for_entity(instance, "switch", "Ad hoc call")
    await instance.hass_api(
        "POST", "/api/services/switch/turn_on", json={"entity_id": instant}
    )
    state = await instance.simulator_api("GET", "state")
    ad_hoc = next(m for m in state["meetings"] if m["topic"] == "Ad hoc call")
    if not ad_hoc["streaming"]:
        fail("the instant meeting's switch did not start its stream")
    await instance.hass_api(
        "POST", "/api/services/switch/turn_off", json={"entity_id": instant}
    )
    say(f"instant meeting started in Zoom -> {instant} appeared and started its stream")

    # 4. A scope the app lacks (Zoom's 4700 names none): a repair, no sign-in.
    sync = await instance.entity_of("switch", "Weekly team sync")
    await instance.simulator_api(
        "POST",
        "fail",
        json={
            "status": 401,
            "method": "PATCH",
            "path_prefix": "/v2/meetings/",
            "body": {
                "code": 4700,
                "message": "Invalid access token, does not contain scopes",
            },
        },
        expect=(201,),
    )
    ok, error = await instance.websocket(
        "call_service",
        domain="switch",
        service="turn_on",
        target={"entity_id": sync},
    )
    if ok or "lacks the scopes" not in str(error):
        fail(f"a 4700 refusal was not explained as missing scopes: {error}")
    ok, issues = await instance.websocket("repairs/list_issues")
    repair = next(
        (
            i
            for i in issues["issues"]
            if i["domain"] == DOMAIN and i["issue_id"].startswith("missing_scopes")
        ),
        None,
    )
    ok, flows = await instance.websocket("config_entries/flow/progress")
    if repair is None or any(f["handler"] == DOMAIN for f in flows):
        fail(f"4700: repair {repair}, flows {flows}")
    # A start Zoom accepts again clears the repair.
    for service in ("turn_on", "turn_off"):
        await instance.hass_api(
            "POST", f"/api/services/switch/{service}", json={"entity_id": sync}
        )
    say(
        "Zoom refused a start with code 4700 -> repair "
        f"{repair['issue_id'].removesuffix('_' + entry_id)!r}, no re-authentication"
    )


async def walk_removal(instance: Instance, entry_id: str) -> None:
    """Delete the entry: its entities and the entry are gone."""
    switch = await instance.entity_of("switch", "Weekly team sync")
    await instance.hass_api("DELETE", f"/api/config/config_entries/entry/{entry_id}")
    if any(e["entry_id"] == entry_id for e in await instance.entries(DOMAIN)):
        fail("the entry is still there after its removal")
    state = await instance.state_of(switch)
    if state is not None:
        fail(f"{switch} is still there after the entry's removal: {state}")
    say("entry removed: its entities are gone")


async def walk(args: argparse.Namespace) -> None:
    """Walk every flow a user has, on a running instance (it ends without the entry)."""
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        instance = Instance(session, args)
        await instance.log_in()
        entry_id = str((await instance.our_entry())["entry_id"])
        await walk_options(instance, entry_id)
        await walk_reconfigure(instance, entry_id)
        await walk_reauth(instance, entry_id)
        await walk_action(instance)
        await walk_day_one(instance, entry_id)
        await check_push(instance)
        await walk_removal(instance, entry_id)
    say("walked every flow")


# -- sign-in ------------------------------------------------------------------------


async def sign_in_with_zoom(instance: Instance) -> str:
    """Go through Sign in with Zoom as the UI and a browser do; return the entry."""
    flows = "/api/config/config_entries/flow"
    flow = await instance.hass_api("POST", flows, json={"handler": DOMAIN})
    await submit_flow(instance, flows, flow["flow_id"], {"next_step_id": "oauth"})
    # The frontend names its address in this header; Home Assistant builds the
    # redirect URI (its /auth/external/callback) from it.
    step = await instance.request(
        "POST",
        f"{instance.hass}{flows}/{flow['flow_id']}",
        json={"cloud": "global"},
        headers={**instance.headers, "HA-Frontend-Base": instance.hass},
    )
    if step.get("type") != "external" or "url" not in step:
        fail(f"Sign in with Zoom did not send the browser anywhere: {step}")
    link = URL(step["url"])
    if str(link.with_query(None)) != f"{instance.simulator}/oauth/authorize":
        fail(f"the sign-in link goes to {link.with_query(None)}, not the simulator")
    say(f"Sign in with Zoom -> {link.with_query(None)}")
    # The browser: the simulator signs its user in and redirects back at once.
    async with instance.session.get(link, allow_redirects=False) as response:
        if response.status != 302:
            fail(f"the simulator's sign-in page answered {response.status}")
        back = URL(response.headers["Location"])
    callback = f"{instance.hass}/auth/external/callback"
    if str(back.with_query(None)) != callback or "code" not in back.query:
        fail(f"the simulator redirected to {back}, not {callback} with a code")
    # Home Assistant's callback page: no login, the state names the flow.
    async with instance.session.get(back) as response:
        if response.status != 200:
            fail(f"Home Assistant's OAuth callback answered {response.status}")
    say(f"the simulator redirected back to {callback} with a code")
    # The UI continues the flow once the callback has told it the step is done.
    result = await submit_flow(instance, flows, flow["flow_id"], {})
    if result.get("type") != "create_entry":
        fail(f"Sign in with Zoom did not add the entry: {result}")
    entry_id = str(result["result"]["entry_id"])
    await instance.wait_until_loaded(entry_id)
    say(f"signed in with Zoom as {result['title']}: the entry is loaded")
    return entry_id


async def sign_in(args: argparse.Namespace) -> None:
    """Sign the simulator's second user in with Zoom; a switch must then work."""
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        instance = Instance(session, args)
        await instance.log_in()
        await instance.ensure_credentials()
        users = await instance.simulator_api("GET", "users")
        email = next(
            u["user"]["email"]
            for u in users["users"]
            if u["user"]["id"] == OAUTH_USER_ID
        )
        # A sign-in of an earlier run: added once per account, so remove it.
        for entry in await instance.entries(DOMAIN):
            if entry["title"] == email:
                await instance.hass_api(
                    "DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}"
                )
        await instance.simulator_api(
            "POST", "oauth/login", json={"user_id": OAUTH_USER_ID}
        )
        await sign_in_with_zoom(instance)
        await check_stream(instance, OAUTH_USER_ID)
    say("signed in with Zoom")


# -- check-log ----------------------------------------------------------------------

# Home Assistant says this of every custom integration at every start.
CUSTOM_INTEGRATION_NOTICE = re.compile(
    rf"WARNING .*\[homeassistant\.loader\] We found a custom integration {DOMAIN} "
    "which has not been tested by Home Assistant"
)

# 2025.x writes "2026-01-01 12:00:00.123 INFO …", 2026.x adds the offset: ".123+00:00".
LOG_HEADER = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+(?:[+-]\d\d:\d\d)? (?P<level>[A-Z]+) "
)
# Home Assistant words some deprecations as "will stop working", and reports wrong
# use as "Detected that custom integration …".
DEPRECATION = re.compile(
    "deprecat|will stop working|detected that custom integration", re.IGNORECASE
)


def read_records(path: Path) -> list[list[str]]:
    """Return the log's records, each a header line and its continuation lines."""
    records: list[list[str]] = []
    with path.open(encoding="utf-8", errors="replace") as log:
        for line in log:
            if LOG_HEADER.match(line) or not records:
                records.append([])
            records[-1].append(line.rstrip("\n"))
    return records


def check_log(path: Path, expected: Sequence[Expected]) -> bool:
    """Print the records that concern the integration; False on a bad one.

    Bad: a warning, error, traceback or deprecation that mentions the
    integration, unless it is one of `expected`, each of which must be there
    as often as it says.
    """
    records = read_records(path)
    bad = []
    seen = dict.fromkeys(expected, 0)
    # Home Assistant follows an expected warning or error with its exception at
    # debug level ("Full exception"; from 2026.x also a failed poll's "Full error:").
    follows_expected = False
    for record in records:
        text = "\n".join(record)
        match = LOG_HEADER.match(record[0])
        level = match["level"] if match else ""
        ours = DOMAIN in text
        deprecation = DEPRECATION.search(text) is not None
        warning = level in ("WARNING", "ERROR", "CRITICAL") or "Traceback" in text
        allowed = next((e for e in expected if e.matches(record)), None)
        if ours and warning and CUSTOM_INTEGRATION_NOTICE.search(record[0]):
            pass
        elif allowed is not None and not deprecation:
            seen[allowed] += 1
        elif (
            follows_expected
            and level == "DEBUG"
            and record[0].endswith(("] Full exception", "] Full error:"))
            and not deprecation
        ):
            pass
        elif ours and (deprecation or warning):
            bad.append(text)
        follows_expected = allowed is not None
        if deprecation or warning or (ours and f"Setting up {DOMAIN}" in text):
            print("    " + record[0][:400])
    wrong = [(e, count) for e, count in seen.items() if not e.low <= count <= e.high]
    print(
        f"check-log: {len(records)} log records, {len(bad)} warnings, errors, "
        f"tracebacks or deprecations mentioning {DOMAIN}"
        + (f", {sum(seen.values())} expected" if expected else "")
    )
    for text in bad:
        print("check-log: BAD:\n" + text)
    for e, count in wrong:
        wanted = str(e.low) if e.low == e.high else f"{e.low} to {e.high}"
        print(f"check-log: logged {count} times, expected {wanted}: {e.header.pattern}")
    return not bad and not wrong


async def verify(args: argparse.Namespace) -> None:
    """Check a running instance works as a contributor expects."""
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        instance = Instance(session, args)
        await instance.log_in()
        entries = await instance.entries()
        say(
            "config entries: "
            + ", ".join(f"{e['domain']} ({e['state']})" for e in entries)
        )
        unwanted = [
            e["domain"] for e in entries if e["domain"] in ONBOARDING_INTEGRATIONS
        ]
        if unwanted:
            fail(f"onboarding added integrations: {', '.join(unwanted)}")
        ours = [e for e in entries if e["domain"] == DOMAIN]
        if not ours or any(e["state"] != "loaded" for e in ours):
            fail(f"the Zoom Live Stream entry is not loaded: {ours}")
        await check_http(instance)
        await check_push(instance)
        await check_stream(instance)
        await check_automation_saving(instance)
    say("verified")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    prepare_parser = commands.add_parser("prepare")
    prepare_parser.add_argument("--config", type=Path, required=True)
    prepare_parser.add_argument("--port", type=int, default=8123)
    log_parser = commands.add_parser("check-log")
    log_parser.add_argument("--log", type=Path, required=True)
    log_parser.add_argument(
        "--after-walk",
        action="store_true",
        help="allow, and require, the one warning `walk` provokes",
    )
    for name in ("run", "verify", "walk", "sign-in"):
        command = commands.add_parser(name)
        command.add_argument("--hass", default="http://127.0.0.1:8123")
        command.add_argument("--simulator", default="http://127.0.0.1:8765")
        command.add_argument("--hass-pid", type=int)
        command.add_argument("--simulator-pid", type=int)
        command.add_argument("--hass-log", type=Path)
        command.add_argument("--simulator-log", type=Path)
        command.add_argument(
            "--since", type=float, help="when ./scripts/develop started (epoch)"
        )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Run one command; a Ctrl+C ends it quietly (./scripts/develop then stops)."""
    try:
        _main(argv)
    except KeyboardInterrupt:
        sys.exit(130)


def _main(argv: Sequence[str] | None) -> None:
    args = parse_args(argv)
    if args.command == "prepare":
        prepare(args.config, args.port)
    elif args.command == "run":
        asyncio.run(run(args))
    elif args.command == "walk":
        asyncio.run(walk(args))
    elif args.command == "sign-in":
        asyncio.run(sign_in(args))
    elif args.command == "check-log":
        sys.exit(
            0 if check_log(args.log, WALK_RECORDS if args.after_walk else ()) else 1
        )
    else:
        asyncio.run(verify(args))


if __name__ == "__main__":
    main()
