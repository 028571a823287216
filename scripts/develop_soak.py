"""Drive the soak test of ./scripts/soak on a running development instance.

    python -m scripts.develop_soak run --hass URL --simulator URL --hass-pid PID
        --result FILE [--minutes 30] [--step-seconds 12] [--seed N]
    python -m scripts.develop_soak check-log --log FILE --result FILE

`run` plays `--minutes` simulated minutes, one step each, `--step-seconds`
apart; `check-log` then reads Home Assistant's log of the run (after it
stopped). Run from the repository's root (`-m`): it reuses
`scripts/develop_bootstrap.py`'s helpers.

A step is one simulated minute. Home Assistant reads Zoom once in it: the step
forces a refresh (`homeassistant.update_entity`, which reads the full lists)
except in one idle stretch of six steps, where the integration's own 60-second
timer polls the live list alone, as it does between full lists. Around that,
in random order from `--seed`:

- "the world" changes in the simulator: meetings and webinars start and end, a
  stream is started or stopped in the Zoom client (another Zoom app of the
  account, calling Zoom's API), meetings are created, renamed and deleted, an
  instant meeting starts, one occurrence of a recurring meeting changes; Zoom
  pushes its events, the next ones held back (delivered late, out of order),
  sent twice, retried with original or fresh timestamps;
- Zoom answers 5xx in bursts: to the lists, to a meeting's details, or to
  stream starts and stops;
- switches are pressed through Home Assistant's WebSocket API, as the UI does
  (turn_on, turn_off, toggle, sometimes twice at once);
- scheduled: an entry reload every 7 steps, Home Assistant Cloud (the
  `soak_cloud` stand-in) logged in at the start, connected at step 2, and
  flapping (disconnected for two steps, its cloudhook refused meanwhile) at a
  third and two thirds of the run, with a reload while disconnected.

After each step that leaves nothing in flight (no delivery held or waiting for
a retry, Cloud connected, no burst that failed the step's poll), and at the end
(after the simulator sent everything it held back), every switch must show what
the simulator says, every meeting's In progress sensor too (a webinar's only
once Zoom's events told), and no entity of the entry may be unavailable unless
its meeting is gone. The resident memory of Home Assistant is read every step.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
import json
from pathlib import Path
import random
import re
import statistics
import sys
import time
from typing import Any

import aiohttp

from scripts.develop_bootstrap import (
    DOMAIN,
    SIMULATOR_CREDENTIALS,
    SIMULATOR_EMAIL,
    WEBHOOK_SECRET,
    Expected,
    Instance,
    check_log,
    fail,
    read_records,
)

STEP_SECONDS = 12.0
MINUTES = 30
RELOAD_EVERY = 7
# Home Assistant runs a requested refresh at once, then at most one per this
# many seconds (REQUEST_REFRESH_DEFAULT_COOLDOWN): forced refreshes are spaced.
REFRESH_COOLDOWN = 10.5
# How long a forced refresh may take to show up in Zoom's request log, and how
# long without a new request counts as finished.
REFRESH_TIMEOUT = 20.0
REFRESH_QUIET = 1.0
# Memory is flat when the last third's median is within this of the second's.
MEMORY_TOLERANCE = 0.05
# The simulator's first user, whose meetings the entry follows.
USER_ID = "sim-user-1"
CLOUD_DOMAIN = "soak_cloud"
ENTITY_KEY = re.compile(r"_(\d+)_(live_stream|in_progress|zoom_event)$")
LIST_PATH = re.compile(r"^/v2/users/[^/]+/(meetings|webinars)$")
SERVER_ERRORS = (500, 502, 503, 504)
# Zoom's instant (1) and personal-room (4) meetings: no list shows them.
UNLISTED_TYPES = frozenset({1, 4})
# Bursts of 5xx: where, which method, and what they hit.
BURSTS = {
    "lists": ("GET", "/v2/users/"),
    "details": ("GET", "/v2/meetings/"),
    "status": ("PATCH", "/v2/"),
}
WORLD_WEIGHTS = {
    "start": 3,
    "end": 2,
    "client_start": 3,
    "client_stop": 2,
    "rename": 1,
    "create": 1,
    "instant": 1,
    "delete": 1,
    "occurrence": 1,
}
MAX_CREATED = 6
MAX_INSTANT = 3
MAX_DELETED = 3


def say(message: str) -> None:
    """Print one line of the soak's progress at once."""
    print(f"soak: {message}", flush=True)


@dataclass
class Plan:
    """What happens at which step, besides the random changes."""

    minutes: int
    reloads: set[int] = field(default_factory=set)
    cloud_connect: set[int] = field(default_factory=set)
    cloud_disconnect: set[int] = field(default_factory=set)
    idle: set[int] = field(default_factory=set)

    @classmethod
    def for_minutes(cls, minutes: int) -> Plan:
        """Lay the scheduled events out over `minutes` steps."""
        plan = cls(minutes)
        # Step 0 reloads too: after Cloud's log-in (see `Soak.step`).
        plan.reloads = set(range(RELOAD_EVERY, minutes - 1, RELOAD_EVERY))
        if minutes > 4:
            plan.cloud_connect.add(2)
        for third in (1, 2):
            down = third * minutes // 3
            if down > 3 and down + 2 < minutes - 1:
                plan.cloud_disconnect.add(down)
                plan.cloud_connect.add(down + 2)
                if third == 2:
                    # Reloaded while Cloud is away (before any delivery fails and
                    # waits for a retry): the cloudhook must come back.
                    plan.reloads.add(down)
        later = sorted(step for step in plan.reloads if step > 0)
        if len(later) >= 2 and later[1] + 7 < minutes:
            plan.idle = set(range(later[1] + 1, later[1] + 7))
        return plan


@dataclass
class Tally:
    """What the soak did and saw, for the summary and the log check."""

    steps: int = 0
    toggles: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    world: Counter[str] = field(default_factory=Counter)
    deliveries: Counter[str] = field(default_factory=Counter)
    bursts: Counter[str] = field(default_factory=Counter)
    faults_injected: Counter[str] = field(default_factory=Counter)
    faults_served: Counter[str] = field(default_factory=Counter)
    poll_bursts: int = 0
    forced_refreshes: int = 0
    zoom_requests: int = 0
    reloads: int = 0
    cloud: Counter[str] = field(default_factory=Counter)
    checkpoints: int = 0
    mismatches: list[str] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    hass_version: str = ""
    seconds: float = 0.0


def rss_kib(pid: int) -> int:
    """Return a process's resident memory (VmRSS) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return fail(f"no VmRSS for process {pid}")


def thirds(samples: Sequence[int]) -> tuple[list[int], list[int], list[int]]:
    """Split samples into warm-up, second and last third."""
    size = len(samples) // 3
    return (
        list(samples[:size]),
        list(samples[size : 2 * size]),
        list(samples[2 * size :]),
    )


def memory_verdict(samples: Sequence[int]) -> tuple[bool, str]:
    """Tell whether memory is flat after warm-up, with the figures."""
    warm, second, last = thirds(samples)
    if not second or not last:
        return True, "too few samples to judge"
    before, after = statistics.median(second), statistics.median(last)
    change = (after - before) / before
    text = (
        f"median RSS warm-up {statistics.median(warm) / 1024:.1f} MiB, "
        f"second third {before / 1024:.1f} MiB, last third {after / 1024:.1f} MiB "
        f"({change:+.1%}; flat within ±{MEMORY_TOLERANCE:.0%})"
    )
    return abs(change) <= MEMORY_TOLERANCE, text


def basic_auth(credentials: dict[str, str]) -> str:
    """Return the Basic authorization of a Zoom app's client ID and secret.

    Built by hand: aiohttp's BasicAuth is deprecated in the newest versions.
    """
    pair = f"{credentials['client_id']}:{credentials['client_secret']}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")


class ZoomApp:
    """Another Zoom app of the account: "the Zoom client" besides Home Assistant."""

    def __init__(self, instance: Instance) -> None:
        """Call the simulator's Zoom API with its own token."""
        self._instance = instance
        self.token: str | None = None

    async def ensure_token(self) -> str:
        """Return the app's access token, asked for once."""
        if self.token is None:
            async with self._instance.session.post(
                f"{self._instance.simulator}/oauth/token",
                params={
                    "grant_type": "account_credentials",
                    "account_id": SIMULATOR_CREDENTIALS["account_id"],
                },
                headers={"Authorization": basic_auth(SIMULATOR_CREDENTIALS)},
            ) as response:
                body = await response.json()
            self.token = str(body["access_token"])
        return self.token

    async def stream(self, meeting: dict[str, Any], action: str) -> int:
        """Start or stop a meeting's stream; return Zoom's status."""
        path = f"/v2/{meeting['kind']}s/{meeting['id']}/livestream/status"
        async with self._instance.session.patch(
            f"{self._instance.simulator}{path}",
            json={"action": action},
            headers={"Authorization": f"Bearer {await self.ensure_token()}"},
        ) as response:
            await response.read()
            return response.status


class Soak:
    """One soak run on a running instance."""

    def __init__(
        self, instance: Instance, args: argparse.Namespace, tally: Tally
    ) -> None:
        """Play `args.minutes` steps on `instance`, counting into `tally`."""
        self.instance = instance
        self.args = args
        self.tally = tally
        self.random = random.Random(args.seed)
        self.plan = Plan.for_minutes(args.minutes)
        self.zoom = ZoomApp(instance)
        self.entry_id = ""
        self.external_url = ""
        self.cloudhook_url: str | None = None
        self.cloud_connected = False
        self.refresh_entity = ""
        self.last_refresh = 0.0
        # Whether the last poll may have failed (entities unavailable until the next).
        self.outage = False
        self.seen_deliveries: set[tuple[Any, ...]] = set()
        self.created: list[int] = []

    # -- Home Assistant ------------------------------------------------------------

    async def call(
        self, domain: str, service: str, target: str | None = None
    ) -> tuple[bool, Any]:
        """Call an action through the WebSocket API; return (success, error)."""
        data: dict[str, Any] = {"domain": domain, "service": service}
        if target is not None:
            data["target"] = {"entity_id": target}
        return await self.instance.websocket("call_service", **data)

    async def registry(self) -> dict[str, tuple[int | None, str]]:
        """Return the entry's enabled entities: meeting ID (None: account), key."""
        ok, entries = await self.instance.websocket("config/entity_registry/list")
        if not ok:
            fail(f"config/entity_registry/list failed: {entries}")
        found: dict[str, tuple[int | None, str]] = {}
        for entry in entries:
            if (
                entry["platform"] != DOMAIN
                or entry["config_entry_id"] != self.entry_id
                or entry["disabled_by"] is not None
            ):
                continue
            match = ENTITY_KEY.search(str(entry["unique_id"]))
            found[entry["entity_id"]] = (
                (int(match[1]), match[2]) if match else (None, str(entry["unique_id"]))
            )
        return found

    async def states(self) -> dict[str, str]:
        """Return every entity's state."""
        return {
            s["entity_id"]: s["state"]
            for s in await self.instance.hass_api("GET", "/api/states")
        }

    async def simulator(self) -> dict[str, Any]:
        """Return the simulator's state."""
        state: dict[str, Any] = await self.instance.simulator_api("GET", "state")
        return state

    async def meetings(self) -> dict[int, dict[str, Any]]:
        """Return the followed user's meetings and webinars in the simulator."""
        state = await self.simulator()
        return {m["id"]: m for m in state["meetings"] if m["host_id"] == USER_ID}

    async def force_refresh(self) -> None:
        """Make Home Assistant read Zoom now; wait until it has."""
        wait = self.last_refresh + REFRESH_COOLDOWN - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        mark = len(await self.zoom_requests())
        ok, error = await self.call(
            "homeassistant", "update_entity", self.refresh_entity
        )
        if not ok:
            fail(f"homeassistant.update_entity failed: {error}")
        self.last_refresh = time.monotonic()
        self.tally.forced_refreshes += 1
        if not await self.settle(mark, after_list=True):
            fail(
                f"the forced refresh did not read Zoom's lists within "
                f"{REFRESH_TIMEOUT} s"
            )

    async def settle(
        self, mark: int | None = None, *, after_list: bool = False
    ) -> bool:
        """Wait until Home Assistant sent Zoom nothing for a moment.

        With `after_list`, a list must have been read after the first `mark`
        requests (a refresh Home Assistant runs at once or after its cooldown).
        Return False on a timeout.
        """
        requests = await self.zoom_requests()
        mark = len(requests) if mark is None else mark
        deadline = time.monotonic() + REFRESH_TIMEOUT
        seen, quiet_since = len(requests), time.monotonic()
        waiting_for_list = after_list
        while time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            requests = await self.zoom_requests()
            if waiting_for_list and any(
                r["method"] == "GET" and LIST_PATH.match(r["path"])
                for r in requests[mark:]
            ):
                waiting_for_list = False
            if len(requests) != seen:
                seen, quiet_since = len(requests), time.monotonic()
            elif (
                not waiting_for_list and time.monotonic() - quiet_since >= REFRESH_QUIET
            ):
                return True
        return False

    async def zoom_requests(self) -> list[dict[str, Any]]:
        """Return Home Assistant's requests to Zoom since the log was emptied."""
        body = await self.instance.simulator_api("GET", "requests")
        mine = f"Bearer {self.zoom.token}"
        return [
            r for r in body["requests"] if r["headers"].get("Authorization") != mine
        ]

    async def reload(self) -> None:
        """Reload the entry when no delivery can arrive while it is unloaded.

        Home Assistant answers 200 to a delivery for a webhook that is not
        registered, so Zoom would not retry an event sent during the reload.
        """
        await self.instance.hass_api(
            "POST", f"/api/config/config_entries/entry/{self.entry_id}/reload"
        )
        await self.instance.wait_until_loaded(self.entry_id)
        self.tally.reloads += 1
        # The setup's first refresh worked, and starts the refresh cooldown.
        self.outage = False
        self.last_refresh = time.monotonic()

    async def options_webhook_url(self) -> str:
        """Return the webhook URL the options show, and close the form."""
        form = await self.instance.settings_form(self.entry_id)
        await self.instance.hass_api(
            "DELETE", f"/api/config/config_entries/options/flow/{form['flow_id']}"
        )
        return str(form["description_placeholders"]["webhook_url"])

    async def cloud(self, action: str) -> None:
        """Log in to, connect or disconnect the Cloud stand-in."""
        ok, error = await self.call(CLOUD_DOMAIN, action)
        if not ok:
            fail(f"{CLOUD_DOMAIN}.{action} failed: {error}")
        self.tally.cloud[action] += 1
        if action == "disconnect":
            self.cloud_connected = False
            return
        if action != "connect":
            return
        self.cloud_connected = True
        url = await self.wait_for_options_url(lambda url: url != self.external_url)
        if self.cloudhook_url is None:
            self.cloudhook_url = url
            answer = await self.instance.simulator_api(
                "POST", "webhook", json={"url": url, "secret": WEBHOOK_SECRET}
            )
            if answer["validated"] is not True:
                fail(f"Zoom's URL validation through the cloudhook failed: {answer}")
            say("Cloud connected: the options show the cloudhook; Zoom posts to it")
        elif url != self.cloudhook_url:
            self.mismatch("the options show another cloudhook after Cloud reconnected")

    async def wait_for_options_url(self, wanted: Callable[[str], bool]) -> str:
        """Wait until the options show a webhook URL that `wanted` accepts."""
        deadline = time.monotonic() + 10
        while not wanted(url := await self.options_webhook_url()):
            if time.monotonic() > deadline:
                self.mismatch(f"the options still show {url}")
                break
            await asyncio.sleep(0.2)
        return url

    def mismatch(self, text: str) -> None:
        """Record a finding of the current step."""
        line = f"step {self.tally.steps}: {text}"
        self.tally.mismatches.append(line)
        say(f"MISMATCH {line}")

    # -- the run -------------------------------------------------------------------

    async def setup(self) -> None:
        """Log in, find the entry, add the soak's meetings, set the simulator up."""
        instance = self.instance
        await instance.log_in()
        config = await instance.hass_api("GET", "/api/config")
        self.tally.hass_version = str(config["version"])
        self.entry_id = str((await instance.our_entry())["entry_id"])
        self.external_url = await self.options_webhook_url()
        # Zoom's retries come after 5, 20 and 60 simulated minutes.
        await instance.simulator_api(
            "POST", "modes", json={"retry_scale": self.args.step_seconds}
        )
        target = {"stream_url": "rtmp://127.0.0.1/soak", "stream_key": "soak-key"}
        for body in (
            {"topic": "Soak stream", "count": 3},
            {"topic": "Soak recurring", "type": 8},
            {"topic": "Soak webinar", "kind": "webinar"},
        ):
            created = await instance.simulator_api(
                "POST",
                "meetings",
                json={**body, **target, "page_url": "https://127.0.0.1/soak"},
                expect=(201,),
            )
            self.created.extend(m["id"] for m in created["meetings"])
        # Its own token is asked for before the log of Home Assistant's requests.
        await self.zoom.ensure_token()
        await instance.simulator_api("DELETE", "requests", expect=(204,))
        # Any entity of the entry refreshes it; the account's are disabled by
        # default, and the soak deletes only meetings it created.
        registry = await self.registry()
        self.refresh_entity = min(
            entity_id
            for entity_id, (meeting_id, key) in registry.items()
            if key == "live_stream" and meeting_id not in self.created
        )
        say(
            f"Home Assistant {self.tally.hass_version}, entry {SIMULATOR_EMAIL}, "
            f"{self.args.minutes} steps of {self.args.step_seconds:g} s, seed "
            f"{self.args.seed}; refresh through {self.refresh_entity}"
        )

    async def run(self) -> None:
        """Play every step, then settle and check."""
        started = time.monotonic()
        for step in range(self.args.minutes):
            await self.step(step)
        await self.finish()
        self.tally.seconds = time.monotonic() - started

    async def step(self, step: int) -> None:
        """One simulated minute."""
        began = time.monotonic()
        self.tally.steps = step
        plan = self.plan
        notes: list[str] = []
        if step in plan.cloud_disconnect:
            await self.cloud("disconnect")
            notes.append("Cloud disconnected")
        if step in plan.reloads:
            await self.reload_when_quiet(notes)
        if step == 0:
            await self.cloud("log_in")
            await self.reload()
            await self.wait_for_options_url(lambda url: url == self.external_url)
            notes.append("Cloud logged in, not connected: reloaded")
        if step in plan.cloud_connect:
            await self.cloud("connect")
            notes.append("Cloud connected")
        idle = step in plan.idle
        burst = self.random.random() < 0.35
        kind = self.random.choice(["status"] if idle else list(BURSTS)) if burst else ""
        count = 0
        if kind in ("lists", "details"):
            count = await self.inject(kind, notes)
        await self.delivery_modes(notes)
        for _ in range(self.random.randint(1, 3)):
            await self.change_world(notes)
        if kind == "status":
            count = await self.inject(kind, notes)
        await self.press_switches(notes)
        await self.release_held(notes)
        if not idle:
            await self.force_refresh()
        else:
            # An instant meeting is read in the background after its event.
            await self.settle()
        served = await self.clear_faults(kind, count)
        failing = kind in ("lists", "details") and served > 0
        if failing:
            self.tally.poll_bursts += 1
        await self.count_deliveries()
        requests = await self.zoom_requests()
        if not idle:
            # The forced refresh may have met the burst: unavailable until the next.
            self.outage = failing
        elif any(r["method"] == "GET" and LIST_PATH.match(r["path"]) for r in requests):
            # The integration's own poll (no burst in idle minutes): it worked.
            self.outage = False
        self.tally.zoom_requests += len(requests)
        await self.instance.simulator_api("DELETE", "requests", expect=(204,))
        self.tally.rss_kib.append(rss_kib(self.args.hass_pid))
        quiet = not self.outage and await self.quiet()
        if quiet:
            await self.checkpoint()
        say(
            f"step {step:2}: {'; '.join(notes)}; {len(requests)} requests to Zoom"
            f"{'' if idle else ' (forced refresh)'}; RSS "
            f"{self.tally.rss_kib[-1] / 1024:.1f} MiB"
            f"{'; checked' if quiet else ''}"
        )
        rest = self.args.step_seconds - (time.monotonic() - began)
        if rest > 0:
            await asyncio.sleep(rest)

    async def release_held(self, notes: list[str]) -> None:
        """Send what is still held back at the end of the minute (late, then).

        Not while a retry waits: the flush would send it early.
        """
        body = await self.instance.simulator_api("GET", "deliveries")
        if body["held"] and not body["retries_waiting"]:
            await self.instance.simulator_api("POST", "deliveries/flush")
            notes.append("held event sent at the end of the minute")

    async def reload_when_quiet(self, notes: list[str]) -> None:
        """Reload, unless a retry is waiting (it could land while unloaded)."""
        body = await self.instance.simulator_api("GET", "deliveries")
        if body["retries_waiting"]:
            notes.append("reload postponed: a retry is waiting")
            self.plan.reloads.add(self.tally.steps + 1)
            return
        if body["held"]:
            await self.instance.simulator_api("POST", "deliveries/flush")
        await self.reload()
        notes.append("reloaded")
        if self.cloudhook_url is not None:
            wanted = self.cloudhook_url if self.cloud_connected else self.external_url
            await self.wait_for_options_url(lambda url: url == wanted)

    async def inject(self, kind: str, notes: list[str]) -> int:
        """Make Zoom answer the next requests of one kind with 5xx."""
        method, prefix = BURSTS[kind]
        status = self.random.choice(SERVER_ERRORS)
        count = self.random.randint(1, 4)
        body: str | dict[str, Any] = (
            "<html><body>Service Unavailable</body></html>"
            if self.random.random() < 0.5
            else {"code": status, "message": "Internal Error"}
        )
        await self.instance.simulator_api(
            "POST",
            "fail",
            json={
                "status": status,
                "count": count,
                "method": method,
                "path_prefix": prefix,
                "body": body,
            },
            expect=(201,),
        )
        self.tally.bursts[kind] += 1
        self.tally.faults_injected[kind] += count
        notes.append(f"{count}×{status} on {method} {prefix}")
        return count

    async def clear_faults(self, kind: str, count: int) -> int:
        """Drop what the step's burst left unused; return how many it served."""
        if not count:
            return 0
        pending = int((await self.simulator())["pending_faults"])
        await self.instance.simulator_api("DELETE", "fail", expect=(204,))
        served = count - pending
        self.tally.faults_served[kind] += served
        return served

    async def delivery_modes(self, notes: list[str]) -> None:
        """Have Zoom hold back, duplicate or retry differently what comes next."""
        if self.random.random() < 0.35:
            await self.instance.simulator_api("POST", "deliveries/hold")
            notes.append("next event held")
        if self.random.random() < 0.35:
            await self.instance.simulator_api("POST", "deliveries/duplicate")
            notes.append("next event twice")
        if self.random.random() < 0.1:
            modes = await self.instance.simulator_api("GET", "modes")
            now = "fresh" if modes["retry_timestamps"] == "original" else "original"
            await self.instance.simulator_api(
                "POST", "modes", json={"retry_timestamps": now}
            )
            notes.append(f"retries with {now} timestamps")

    async def change_world(self, notes: list[str]) -> None:
        """Change one thing in the simulator, as Zoom's users would."""
        meetings = await self.meetings()
        choices: dict[str, list[dict[str, Any]]] = {
            "start": [
                m
                for m in meetings.values()
                if not m["started"] and m["type"] not in UNLISTED_TYPES
            ],
            "end": [m for m in meetings.values() if m["started"]],
            "client_start": [
                m
                for m in meetings.values()
                if m["kind"] == "meeting"
                and m["started"]
                and not m["streaming"]
                and m["live_stream"]["stream_url"]
                and m["live_stream"]["stream_key"]
            ],
            # Zoom pushes no stream events for webinars: not from the client.
            "client_stop": [
                m
                for m in meetings.values()
                if m["kind"] == "meeting" and m["streaming"]
            ],
            "rename": [m for m in meetings.values() if m["type"] not in UNLISTED_TYPES],
            "create": [{}] if self.tally.world["create"] < MAX_CREATED else [],
            "instant": [{}] if self.tally.world["instant"] < MAX_INSTANT else [],
            "delete": [meetings[i] for i in self.created if i in meetings]
            if self.tally.world["delete"] < MAX_DELETED
            else [],
            "occurrence": [
                m
                for m in meetings.values()
                if sum(o["status"] == "available" for o in m.get("occurrences", ())) > 1
            ],
        }
        actions = [a for a, items in choices.items() if items]
        action = self.random.choices(
            actions, weights=[WORLD_WEIGHTS[a] for a in actions]
        )[0]
        meeting = self.random.choice(choices[action])
        await self.apply_world(action, meeting, notes)
        self.tally.world[action] += 1

    async def apply_world(
        self, action: str, meeting: dict[str, Any], notes: list[str]
    ) -> None:
        """Carry one change of the world out in the simulator."""
        api = self.instance.simulator_api
        name = meeting.get("topic", "")
        if action in ("start", "end"):
            await api("POST", f"meetings/{meeting['id']}/{action}")
            notes.append(f"{name!r} {action}ed")
        elif action in ("client_start", "client_stop"):
            verb = action.removeprefix("client_")
            status = await self.zoom.stream(meeting, verb)
            if status != 204:
                fail(f"the Zoom client could not {verb} {name!r}: HTTP {status}")
            done = "started" if verb == "start" else "stopped"
            notes.append(f"stream of {name!r} {done} in the Zoom client")
        elif action == "rename":
            topic = f"{name.split(' ~')[0]} ~{self.random.randint(1, 999)}"
            await api("PATCH", f"meetings/{meeting['id']}", json={"topic": topic})
            notes.append(f"{name!r} renamed")
        elif action in ("create", "instant"):
            number = self.tally.world[action] + 1
            body: dict[str, Any] = {
                "stream_url": "rtmp://127.0.0.1/soak",
                "stream_key": f"soak-key-{action}-{number}",
                "page_url": "https://127.0.0.1/soak",
            }
            if action == "instant":
                body.update(topic=f"Soak instant {number}", type=1, started=True)
            else:
                body.update(
                    topic=f"Soak new {number}",
                    type=self.random.choice([2, 8]),
                    started=self.random.random() < 0.3,
                )
            created = await api("POST", "meetings", json=body, expect=(201,))
            self.created.append(created["meetings"][0]["id"])
            notes.append(f"{body['topic']!r} created")
        elif action == "delete":
            await api("DELETE", f"meetings/{meeting['id']}", expect=(204,))
            notes.append(f"{name!r} deleted")
        else:
            available = [
                o for o in meeting["occurrences"] if o["status"] == "available"
            ]
            occurrence = self.random.choice(available)["occurrence_id"]
            if self.random.random() < 0.5:
                await api(
                    "DELETE",
                    f"meetings/{meeting['id']}?occurrence_id={occurrence}",
                    expect=(204,),
                )
                notes.append(f"an occurrence of {name!r} deleted")
            else:
                await api(
                    "PATCH",
                    f"meetings/{meeting['id']}",
                    json={
                        "occurrence_id": occurrence,
                        "duration": self.random.randint(30, 90),
                    },
                )
                notes.append(f"an occurrence of {name!r} changed")

    async def press_switches(self, notes: list[str]) -> None:
        """Press one to three switches as the UI does; now and then twice at once."""
        registry = await self.registry()
        states = await self.states()
        switches = [
            entity_id
            for entity_id, (meeting, key) in registry.items()
            if key == "live_stream" and entity_id in states
        ]
        if not switches:
            return
        for _ in range(self.random.randint(1, 3)):
            switch = self.random.choice(switches)
            if self.random.random() < 0.15:
                presses = ["toggle", "toggle"]
            else:
                presses = [self.random.choice(["turn_on", "turn_off", "toggle"])]
            was = (await self.states()).get(switch, "gone")
            results = await asyncio.gather(
                *(self.call("switch", service, switch) for service in presses)
            )
            for service, (ok, error) in zip(presses, results, strict=True):
                self.tally.toggles[service] += 1
                if was == "unavailable":
                    self.tally.toggles["on an unavailable switch"] += 1
                if not ok:
                    key = str(error.get("translation_key") or error.get("code"))
                    self.tally.refusals[key] += 1
                    notes.append(f"{service} {switch} refused: {key}")
                else:
                    notes.append(f"{service} {switch}")

    async def count_deliveries(self) -> None:
        """Count the deliveries the simulator made since the last look."""
        body = await self.instance.simulator_api("GET", "deliveries")
        for delivery in body["deliveries"]:
            key = (
                delivery.get("delivery_id"),
                delivery["attempt"],
                delivery["kind"],
                delivery["timestamp"],
            )
            if key in self.seen_deliveries:
                continue
            self.seen_deliveries.add(key)
            kind = str(delivery["kind"])
            self.tally.deliveries[kind] += 1
            if delivery.get("held"):
                self.tally.deliveries["out of order"] += 1 if kind == "first" else 0
            status = delivery["status"]
            if status == 503 and delivery["url"] == self.cloudhook_url:
                self.tally.deliveries["refused by the disconnected Cloud"] += 1
            elif status != 200:
                self.tally.deliveries["answered other than 200"] += 1
                self.mismatch(
                    f"Home Assistant answered {delivery['event']} "
                    f"({kind}) with {status or delivery['error']}"
                )

    async def quiet(self) -> bool:
        """Whether nothing is in flight: every event sent, Cloud reachable."""
        body = await self.instance.simulator_api("GET", "deliveries")
        return (
            not body["held"]
            and not body["retries_waiting"]
            and (self.cloud_connected or self.cloudhook_url is None)
        )

    async def checkpoint(self) -> None:
        """Compare what Home Assistant shows with what the simulator says."""
        self.tally.checkpoints += 1
        meetings = await self.meetings()
        registry = await self.registry()
        states = await self.states()
        switches: set[int] = set()
        for entity_id, (meeting_id, key) in sorted(registry.items()):
            shown = states.get(entity_id)
            if meeting_id is None:
                if shown in (None, "unavailable"):
                    self.mismatch(f"{entity_id} of the account is {shown}")
                continue
            meeting = meetings.get(meeting_id)
            known = meeting is not None and (
                meeting["type"] not in UNLISTED_TYPES or meeting["started"]
            )
            if key == "live_stream" and shown is not None:
                switches.add(meeting_id)
            if not known:
                # Gone from Zoom (deleted, or an instant meeting that ended).
                if shown == "on":
                    self.mismatch(f"{entity_id} is on, but its meeting is gone")
                continue
            assert meeting is not None
            if shown in (None, "unavailable"):
                self.mismatch(f"{entity_id} ({meeting['topic']!r}) is {shown}")
                continue
            if key == "live_stream":
                wanted = "on" if meeting["streaming"] else "off"
            elif key == "in_progress":
                if meeting["kind"] == "webinar" and shown == "unknown":
                    continue
                wanted = "on" if meeting["started"] else "off"
            else:
                continue
            if shown != wanted:
                self.mismatch(
                    f"{entity_id} is {shown}, the simulator says {wanted} "
                    f"({meeting['topic']!r}: started={meeting['started']}, "
                    f"streaming={meeting['streaming']})"
                )
        for meeting_id, meeting in meetings.items():
            known = meeting["type"] not in UNLISTED_TYPES or meeting["started"]
            if known and meeting_id not in switches:
                self.mismatch(f"no switch for {meeting['topic']!r} ({meeting_id})")

    async def finish(self) -> None:
        """Let everything held back arrive, refresh once more, check."""
        self.tally.steps = self.args.minutes
        if not self.cloud_connected and self.cloudhook_url is not None:
            await self.cloud("connect")
        await self.instance.simulator_api("DELETE", "fail", expect=(204,))
        flushed = await self.instance.simulator_api("POST", "deliveries/flush")
        await self.force_refresh()
        await self.count_deliveries()
        if not await self.quiet():
            self.mismatch("deliveries are still in flight after the flush")
        await self.checkpoint()
        ok, status = await self.instance.websocket(
            "call_service",
            domain=CLOUD_DOMAIN,
            service="status",
            return_response=True,
        )
        cloud = status["response"] if ok else {}
        self.tally.cloud.update(
            {
                "cloudhooks created": cloud.get("created", 0),
                "deliveries relayed": cloud.get("relayed", 0),
                "deliveries refused while disconnected": cloud.get("refused", 0),
            }
        )
        if self.plan.cloud_connect and cloud.get("created") != 1:
            self.mismatch(f"Cloud made {cloud.get('created')} cloudhooks, not 1")
        say(f"end: {flushed['sent']} held or waiting deliveries sent, checked")


# -- the summary and the log ------------------------------------------------------


def summary(tally: Tally) -> list[str]:
    """Return the summary's lines."""
    flat, memory = memory_verdict(tally.rss_kib)
    warm, second, last = thirds(tally.rss_kib)
    phases = ", ".join(
        f"{name} {min(part) / 1024:.1f}-{max(part) / 1024:.1f} MiB"
        for name, part in (("warm-up", warm), ("second", second), ("last", last))
        if part
    )
    deliveries = tally.deliveries
    refused = sum(tally.refusals.values())
    presses = ("turn_on", "turn_off", "toggle")
    cloud = tally.cloud
    return [
        f"Home Assistant {tally.hass_version}: {tally.steps} steps (simulated "
        f"minutes) in {tally.seconds:.0f} s",
        f"toggles sent: {sum(tally.toggles[s] for s in presses)} ("
        + ", ".join(f"{s} {tally.toggles[s]}" for s in presses)
        + f"; {tally.toggles['on an unavailable switch']} to an unavailable switch, "
        "which Home Assistant skips)",
        f"toggles Zoom or Home Assistant refused: {refused}"
        + (
            f" ({', '.join(f'{k} {v}' for k, v in sorted(tally.refusals.items()))})"
            if refused
            else ""
        ),
        f"world changes: {', '.join(f'{k} {v}' for k, v in sorted(tally.world.items()))}",
        f"events pushed: {deliveries['first']} (late: {deliveries['retry']} retries, "
        f"{deliveries['out of order']} held back and sent after a later one or at "
        "the end of the minute; "
        f"{deliveries['duplicate']} duplicates; "
        f"{deliveries['refused by the disconnected Cloud']} refused by the "
        f"disconnected Cloud; {deliveries['answered other than 200']} answered "
        "otherwise by Home Assistant)",
        f"5xx bursts: {sum(tally.bursts.values())} ("
        + ", ".join(f"{k} {v}" for k, v in sorted(tally.bursts.items()))
        + f"); 5xx injected: {sum(tally.faults_injected.values())}, sent to Home "
        f"Assistant: {sum(tally.faults_served.values())} ("
        + ", ".join(f"{k} {v}" for k, v in sorted(tally.faults_served.items()))
        + f"); polls failed by a burst: {tally.poll_bursts}",
        f"Zoom requests by Home Assistant: {tally.zoom_requests}; forced refreshes: "
        f"{tally.forced_refreshes}",
        f"reloads: {tally.reloads}; Cloud flaps: {cloud['disconnect']} "
        f"({cloud['connect']} connects, {cloud['cloudhooks created']} cloudhook "
        f"made, {cloud['deliveries relayed']} deliveries relayed, "
        f"{cloud['deliveries refused while disconnected']} refused while "
        "disconnected)",
        f"checkpoints: {tally.checkpoints}; mismatches: {len(tally.mismatches)}",
        f"RSS per phase: {phases}",
        f"memory: {memory}: {'flat' if flat else 'NOT FLAT'}",
    ]


def log_expectations(tally: Tally) -> list[Expected]:
    """Return the records the soak provokes on purpose, each as often as it did."""
    websocket = r"ERROR .*\[homeassistant\.components\.websocket_api\.http\.connection\] \[\d+\] "
    missing = tally.refusals["stream_target_missing"]
    expected = [
        # One per outage (the coordinator logs the first failure only).
        Expected(
            re.compile(
                rf"ERROR .*\[custom_components\.{DOMAIN}\] Error fetching {DOMAIN} "
                rf"data: Cannot reach Zoom to update {re.escape(SIMULATOR_EMAIL)}\.?$"
            ),
            low=0,
            high=tally.poll_bursts,
        ),
        # A refusal the user can fix is logged as an error, without traceback;
        # this one names the action that sets a stream target.
        Expected(
            re.compile(
                websocket + r".+ has no custom live streaming service set up in Zoom "
                rf"\(code 3000: .+\)\. .+\({DOMAIN}\.update_settings\), then start "
                r"the stream again\.?$"
            ),
            low=missing,
            high=missing,
        ),
    ]
    refused = tally.refusals["cannot_connect"]
    if tally.hass_version.startswith("2025."):
        # 2025.x logs an action's HomeAssistantError with its traceback.
        expected.append(
            Expected(
                re.compile(websocket + "Unexpected exception$"),
                low=refused,
                high=refused,
                traceback_ends=re.compile(
                    r"^homeassistant\.exceptions\.HomeAssistantError: Cannot reach "
                    r"Zoom for .+\. Check the network connection and try again\.?$"
                ),
            )
        )
    return expected


def check_soak_log(log: Path, tally: Tally) -> bool:
    """Check the log as check-log does, and that the last poll worked."""
    ok = check_log(log, log_expectations(tally))
    failed = recovered = 0
    last: str | None = None
    for record in read_records(log):
        if f"Error fetching {DOMAIN} data" in record[0]:
            failed += 1
        elif f"Fetching {DOMAIN} data recovered" in record[0]:
            recovered += 1
        elif f"Finished fetching {DOMAIN} data in" in record[0]:
            last = record[0]
    # A reload ends an outage too, with a first poll that works (no "recovered").
    print(
        f"soak: {failed} outages and {recovered} recoveries logged; the last poll: "
        f"{last[-40:] if last else 'none logged'}"
    )
    if last is None or not last.endswith("(success: True)"):
        print("soak: BAD: the last poll of the run did not work")
        ok = False
    return ok


async def soak(args: argparse.Namespace) -> Tally:
    """Run the soak; return what it did."""
    tally = Tally()
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        instance = Instance(session, args)
        runner = Soak(instance, args, tally)
        await runner.setup()
        await runner.run()
    return tally


def save(tally: Tally, path: Path) -> None:
    """Write what the soak did, for `check-log`."""
    # Not `asdict`: it would rebuild each Counter from its items.
    data = {item.name: getattr(tally, item.name) for item in fields(tally)}
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def load(path: Path) -> Tally:
    """Read what `run` wrote."""
    data = json.loads(path.read_text(encoding="utf-8"))
    tally = Tally(**data)
    for name in (
        "toggles",
        "refusals",
        "world",
        "deliveries",
        "bursts",
        "faults_injected",
        "faults_served",
        "cloud",
    ):
        setattr(tally, name, Counter(data.get(name, {})))
    return tally


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run")
    run.add_argument("--hass", required=True)
    run.add_argument("--simulator", required=True)
    run.add_argument("--hass-pid", type=int, required=True)
    run.add_argument("--simulator-pid", type=int)
    run.add_argument("--hass-log", type=Path)
    run.add_argument("--simulator-log", type=Path)
    run.add_argument("--result", type=Path, required=True)
    run.add_argument("--minutes", type=int, default=MINUTES)
    run.add_argument("--step-seconds", type=float, default=STEP_SECONDS)
    run.add_argument("--seed", type=int, default=0)
    log = commands.add_parser("check-log")
    log.add_argument("--log", type=Path, required=True)
    log.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "run" and (args.minutes < 1 or args.step_seconds < 1):
        parser.error("--minutes and --step-seconds must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Run one command."""
    args = parse_args(argv)
    if args.command == "check-log":
        tally = load(args.result)
        sys.exit(0 if check_soak_log(args.log, tally) else 1)
    tally = asyncio.run(soak(args))
    save(tally, args.result)
    for line in summary(tally):
        say(line)
    for line in tally.mismatches:
        say(f"MISMATCH {line}")
    flat, _ = memory_verdict(tally.rss_kib)
    sys.exit(0 if flat and not tally.mismatches else 1)


if __name__ == "__main__":
    main()
