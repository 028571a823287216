"""Press a live-stream switch that Zoom refuses, in a real browser, and record what shows.

    python scripts/browser_check.py --hass http://127.0.0.1:8123 \
        --simulator http://127.0.0.1:8765 --out /tmp/browser-check

Needs a running `./scripts/develop` (user `dev`/`dev`, the simulator's meeting
"Product launch", which has not started, so Zoom refuses its start with code
3000) and Chromium (`apt-get install chromium`). Drives Chromium through its
DevTools protocol, with real mouse clicks and key presses; nothing beyond
aiohttp is needed. Not part of ./scripts/test: a person runs it and looks.

What it does, with a screenshot after each step in --out:

1. Logs in through Home Assistant's login page.
2. The default dashboard (Overview): finds the switch's row, clicks its toggle,
   records what the toggle shows 0.5 s and 5 s after the refusal, then clicks it
   again and records the request that second click sent to Zoom.
3. A dashboard `zoom-browser-check` it creates with an entities card, the
   README's tile card (`tap_action: toggle`) and a button card: the same two
   clicks on the tile, then on the button.

Prints one JSON report (also written to --out/report.json). Leaves the
meeting as it found it: the simulator still has it not started.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
from collections.abc import AsyncIterator
import contextlib
import itertools
import json
from pathlib import Path
import shutil
import tempfile
import time
from typing import Any

import aiohttp

USERNAME = "dev"
PASSWORD = "dev"
MEETING_TOPIC = "Product launch"
CHECK_DASHBOARD = "zoom-browser-check"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
    "--remote-debugging-port=0",
]
TIMEOUT = 60.0

# Finds elements through every open shadow root (Home Assistant's frontend is
# made of web components).
DEEP = """
window.__deep = (selector) => {
  const found = [];
  const walk = (root) => {
    root.querySelectorAll(selector).forEach((el) => found.push(el));
    root.querySelectorAll('*').forEach((el) => { if (el.shadowRoot) walk(el.shadowRoot); });
  };
  walk(document);
  return found;
};
window.__hass = () => document.querySelector('home-assistant')?.hass;
window.__toggle = (entityId) => window.__deep('ha-entity-toggle')
  .filter((t) => t.stateObj?.entity_id === entityId && t.getClientRects().length)[0];
window.__card = (card, entityId) => window.__deep(`hui-${card}-card`)
  .filter((t) => t._config?.entity === entityId && t.getClientRects().length)[0];
window.__text = (node) => {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  let text = '';
  if (node.shadowRoot) text += window.__text(node.shadowRoot);
  node.childNodes.forEach((child) => { text += ' ' + window.__text(child); });
  return text;
};
window.__toasts = () => window.__deep('ha-toast')
  .filter((t) => t.open !== false)
  .map((t) => (t.labelText || t.textContent || '').trim())
  .filter((text) => text);
"""


class DevTools:
    """One page of Chromium, driven through the DevTools protocol."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        """Talk to the page behind `socket`."""
        self._socket = socket
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self._socket:
            data = json.loads(message.data)
            if (future := self._waiting.pop(data.get("id", -1), None)) is not None:
                if "error" in data:
                    future.set_exception(RuntimeError(str(data["error"])))
                else:
                    future.set_result(data.get("result", {}))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a DevTools method and return its result."""
        message_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = (
            asyncio.get_running_loop().create_future()
        )
        self._waiting[message_id] = future
        await self._socket.send_json(
            {"id": message_id, "method": method, "params": params}
        )
        return await asyncio.wait_for(future, TIMEOUT)

    async def js(self, expression: str) -> Any:
        """Evaluate `expression` in the page (awaiting a promise) and return its value."""
        result = await self.send(
            "Runtime.evaluate",
            expression=DEEP + expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, what: str) -> None:
        """Wait until `expression` is truthy in the page."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            with contextlib.suppress(RuntimeError):
                if await self.js(f"!!({expression})"):
                    return
            await asyncio.sleep(0.25)
        raise RuntimeError(f"timed out waiting for {what}")

    async def click(self, expression: str) -> None:
        """Click, with the mouse, the middle of the element `expression` returns."""
        box = await self.js(
            f"(() => {{ const el = {expression};"
            " el.scrollIntoView({block: 'center'});"
            " const r = el.getBoundingClientRect();"
            " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()"
        )
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent",
                type=kind,
                x=box["x"],
                y=box["y"],
                button="left",
                clickCount=1,
            )

    async def type(self, text: str) -> None:
        """Type `text` into the focused element."""
        await self.send("Input.insertText", text=text)

    async def press_enter(self) -> None:
        """Press Enter."""
        for kind in ("keyDown", "keyUp"):
            await self.send(
                "Input.dispatchKeyEvent",
                type=kind,
                key="Enter",
                code="Enter",
                windowsVirtualKeyCode=13,
                text="\r" if kind == "keyDown" else "",
            )

    async def goto(self, url: str) -> None:
        """Open `url`."""
        await self.send("Page.navigate", url=url)

    async def screenshot(self, path: Path) -> str:
        """Save a PNG of the page; return its path."""
        result = await self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(result["data"]))
        return str(path)

    async def close(self) -> None:
        """Stop reading."""
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


@contextlib.asynccontextmanager
async def chromium(
    executable: str, session: aiohttp.ClientSession
) -> AsyncIterator[DevTools]:
    """Start a headless Chromium with a fresh profile; yield its page."""
    profile = Path(tempfile.mkdtemp(prefix="browser-check-"))
    process = await asyncio.create_subprocess_exec(
        executable,
        *CHROMIUM_ARGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or process.returncode is not None:
                raise RuntimeError("Chromium did not start")
            await asyncio.sleep(0.1)
        port = port_file.read_text().split()[0]
        async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
            targets = await response.json()
        page = next(target for target in targets if target["type"] == "page")
        async with session.ws_connect(
            page["webSocketDebuggerUrl"], max_msg_size=0
        ) as socket:
            tools = DevTools(socket)
            await tools.send("Page.enable")
            await tools.send("Runtime.enable")
            try:
                yield tools
            finally:
                await tools.close()
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
        shutil.rmtree(profile, ignore_errors=True)


class Check:
    """The clicks and what was seen after each."""

    def __init__(
        self,
        tools: DevTools,
        session: aiohttp.ClientSession,
        simulator: str,
        out: Path,
    ) -> None:
        """Record into `out`."""
        self.tools = tools
        self.session = session
        self.simulator = simulator.rstrip("/")
        self.out = out
        self.entity_id = ""
        self.report: dict[str, Any] = {"steps": []}
        self._shots = itertools.count(1)

    async def zoom_requests(self) -> list[str]:
        """Return the simulator's requests that change a stream, then forget them all."""
        async with self.session.get(f"{self.simulator}/_simulator/requests") as answer:
            logged = (await answer.json())["requests"]
        async with self.session.delete(f"{self.simulator}/_simulator/requests"):
            pass
        return [
            f"{request['method']} {request['path']} {json.dumps(request['json'])}"
            for request in logged
            if request["method"] != "GET" and "livestream" in request["path"]
        ]

    async def seen(self, card: str, label: str) -> dict[str, Any]:
        """Record what the card and Home Assistant show now, with a screenshot."""
        entity = json.dumps(self.entity_id)
        if card == "toggle":
            shown = await self.tools.js(
                f"(() => {{ const t = __toggle({entity});"
                " const s = t?.shadowRoot?.querySelector('ha-switch');"
                " return {toggle_on: s ? s.checked : null}; })()"
            )
        else:
            shown = await self.tools.js(
                f"(() => {{ const t = __card({json.dumps(card)}, {entity});"
                " return {card_text: t ? __text(t).replace(/\\s+/g, ' ').trim() : null};"
                " })()"
            )
        state = await self.tools.js(f"__hass().states[{entity}].state")
        name = f"{next(self._shots):02d}-{card}-{label}.png"
        seen = {
            "when": label,
            **shown,
            "entity_state": state,
            "toasts": await self.tools.js("__toasts()"),
            "screenshot": await self.tools.screenshot(self.out / name),
        }
        self.report["steps"].append({"card": card, **seen})
        return seen

    async def log_in(self, hass: str) -> None:
        """Log in as `dev` through the login page."""
        await self.tools.goto(hass)
        await self.tools.wait_for(
            "__deep('input').filter((i) => i.getClientRects().length).length >= 2",
            "the login form",
        )
        await self.tools.screenshot(self.out / "00-login.png")
        visible = "__deep('input').filter((i) => i.getClientRects().length)"
        await self.tools.click(f"{visible}[0]")
        await self.tools.type(USERNAME)
        await self.tools.click(f"{visible}[1]")
        await self.tools.type(PASSWORD)
        await self.tools.press_enter()
        await self.tools.wait_for(
            "!location.pathname.startsWith('/auth') && __hass()?.connected"
            " && Object.keys(__hass().states).length > 0",
            "Home Assistant's frontend after logging in",
        )
        self.entity_id = await self.tools.js(
            "Object.values(__hass().states).find((s) =>"
            " s.entity_id.startsWith('switch.')"
            f" && (s.attributes.friendly_name || '').startsWith({json.dumps(MEETING_TOPIC)}))"
            ".entity_id"
        )
        self.report["entity_id"] = self.entity_id
        self.report["home_assistant"] = await self.tools.js("__hass().config.version")

    async def press_twice(self, card: str, target: str) -> None:
        """Click `target` (a refused start), watch it, click again; record all."""
        await self.zoom_requests()
        await self.seen(card, "before")
        await self.tools.click(target)
        await asyncio.sleep(0.5)
        await self.seen(card, "0.5s-after-refused-start")
        await asyncio.sleep(4.5)
        after = await self.seen(card, "5s-after-refused-start")
        after["zoom_requests"] = await self.zoom_requests()
        await self.tools.click(target)
        await asyncio.sleep(5)
        again = await self.seen(card, "5s-after-second-click")
        again["zoom_requests"] = await self.zoom_requests()
        self.report["steps"][-2]["zoom_requests"] = after["zoom_requests"]
        self.report["steps"][-1]["zoom_requests"] = again["zoom_requests"]

    async def default_dashboard(self, hass: str) -> None:
        """Press the switch on the Overview dashboard that Home Assistant generates."""
        await self.tools.goto(hass)
        await self.tools.wait_for("__deep('hui-root').length", "the Overview")
        path = await self.tools.js("location.pathname")
        # 2025.4 generates cards per device on /lovelace/0; 2026.11 has a new
        # Overview (/home) whose "Devices" page lists devices without an area.
        view = "/home/other-devices" if path.startswith("/home") else "/lovelace/0"
        self.report["overview_view"] = view
        await self.tools.goto(hass + view)
        entity = json.dumps(self.entity_id)
        await self.tools.wait_for(f"__toggle({entity})", "the switch on the Overview")
        self.report["overview_card"] = await self.tools.js(
            f"(() => {{ let el = __toggle({entity}); const path = [];"
            " while (el) { if (el.localName?.startsWith('hui-')) path.push(el.localName);"
            " el = el.parentNode || el.host; } return path.join(' < '); })()"
        )
        await self.press_twice(
            "toggle", f"__toggle({entity}).shadowRoot.querySelector('ha-switch')"
        )

    async def check_dashboard(self, hass: str) -> None:
        """Press the README's tile card and a button card, on a dashboard of its own."""
        config = {
            "views": [
                {
                    "title": "Check",
                    "path": "check",
                    "cards": [
                        {"type": "entities", "entities": [self.entity_id]},
                        # The README's example, and the button it mentions.
                        {
                            "type": "tile",
                            "entity": self.entity_id,
                            "tap_action": {"action": "toggle"},
                        },
                        {
                            "type": "button",
                            "entity": self.entity_id,
                            "show_state": True,
                            "tap_action": {"action": "toggle"},
                        },
                    ],
                }
            ]
        }
        await self.tools.js(
            "__hass().callWS({type: 'lovelace/dashboards/create',"
            f" url_path: {json.dumps(CHECK_DASHBOARD)}, title: 'Zoom browser check',"
            " mode: 'storage', show_in_sidebar: false, require_admin: false})"
            ".catch(() => null)"
        )
        await self.tools.js(
            "__hass().callWS({type: 'lovelace/config/save',"
            f" url_path: {json.dumps(CHECK_DASHBOARD)}, config: {json.dumps(config)}}})"
        )
        await self.tools.goto(f"{hass}/{CHECK_DASHBOARD}/check")
        entity = json.dumps(self.entity_id)
        for card in ("tile", "button"):
            where = f"__card({json.dumps(card)}, {entity})"
            await self.tools.wait_for(where, f"the {card} card")
            await self.press_twice(card, where)


async def main() -> None:
    """Run the check and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hass", default="http://127.0.0.1:8123")
    parser.add_argument("--simulator", default="http://127.0.0.1:8765")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    hass = args.hass.rstrip("/")
    async with (
        aiohttp.ClientSession() as session,
        chromium(args.chromium, session) as tools,
    ):
        check = Check(tools, session, args.simulator, args.out)
        try:
            await check.log_in(hass)
            await check.default_dashboard(hass)
            await check.check_dashboard(hass)
        finally:
            await tools.screenshot(args.out / "99-last.png")
            text = json.dumps(check.report, indent=2)
            (args.out / "report.json").write_text(text + "\n", encoding="utf-8")
            print(text)


if __name__ == "__main__":
    asyncio.run(main())
