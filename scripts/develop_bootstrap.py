"""Prepare the development Home Assistant started by scripts/develop.

Waits for Home Assistant, creates the user `dev` (password `dev`) through
onboarding the first time, and adds a Zoom Live Stream entry that talks to the
local simulator, all through Home Assistant's own HTTP APIs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

import aiohttp

HASS = "http://127.0.0.1:8123"
CLIENT_ID = f"{HASS}/"
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


async def wait_for(session: aiohttp.ClientSession, url: str, timeout: float) -> Any:
    """Poll `url` until it answers 200 with JSON; give up after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return await response.json()
        except aiohttp.ClientError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"develop: {url} did not answer within {timeout:.0f} s")
        await asyncio.sleep(2)


async def token_from_code(session: aiohttp.ClientSession, code: str) -> str:
    """Exchange an authorization code for an access token."""
    async with session.post(
        f"{HASS}/auth/token",
        data={"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID},
    ) as response:
        response.raise_for_status()
        return str((await response.json())["access_token"])


async def log_in(session: aiohttp.ClientSession) -> str:
    """Log in as the dev user and return an access token."""
    async with session.post(
        f"{HASS}/auth/login_flow",
        json={
            "client_id": CLIENT_ID,
            "handler": ["homeassistant", None],
            "redirect_uri": CLIENT_ID,
        },
    ) as response:
        response.raise_for_status()
        flow_id = (await response.json())["flow_id"]
    async with session.post(
        f"{HASS}/auth/login_flow/{flow_id}",
        json={"client_id": CLIENT_ID, "username": USERNAME, "password": PASSWORD},
    ) as response:
        result = await response.json()
    if result.get("type") != "create_entry":
        sys.exit(
            "develop: cannot log in as dev/dev; this config/ was onboarded with "
            "another user. Delete config/.storage to start afresh."
        )
    return await token_from_code(session, result["result"])


async def onboard(session: aiohttp.ClientSession) -> str:
    """Finish onboarding if needed and return an access token for the dev user."""
    steps = await wait_for(session, f"{HASS}/api/onboarding", timeout=900)
    done = {step["step"] for step in steps if step["done"]}
    if "user" in done:
        token = await log_in(session)
    else:
        async with session.post(
            f"{HASS}/api/onboarding/users",
            json={
                "client_id": CLIENT_ID,
                "name": "Developer",
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            },
        ) as response:
            response.raise_for_status()
            token = await token_from_code(session, (await response.json())["auth_code"])
    headers = {"Authorization": f"Bearer {token}"}
    for step, body in (
        ("core_config", {}),
        ("analytics", {}),
        ("integration", {"client_id": CLIENT_ID, "redirect_uri": CLIENT_ID}),
    ):
        if step not in done:
            async with session.post(
                f"{HASS}/api/onboarding/{step}", json=body, headers=headers
            ) as response:
                response.raise_for_status()
    return token


async def add_entry(session: aiohttp.ClientSession, token: str, simulator: str) -> None:
    """Add the integration, pointed at the simulator, unless it is there already."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(
        f"{HASS}/api/config/config_entries/entry",
        params={"domain": DOMAIN},
        headers=headers,
    ) as response:
        response.raise_for_status()
        if await response.json():
            print("develop: the Zoom Live Stream entry exists already.")
            return
    async with session.post(
        f"{HASS}/api/config/config_entries/flow",
        json={"handler": DOMAIN},
        headers=headers,
    ) as response:
        response.raise_for_status()
        flow_id = (await response.json())["flow_id"]
    # The first step is a menu: choose the Server-to-Server form.
    async with session.post(
        f"{HASS}/api/config/config_entries/flow/{flow_id}",
        json={"next_step_id": "server_to_server"},
        headers=headers,
    ) as response:
        response.raise_for_status()
    async with session.post(
        f"{HASS}/api/config/config_entries/flow/{flow_id}",
        json={
            **SIMULATOR_CREDENTIALS,
            "cloud": "global",
        },
        headers=headers,
    ) as response:
        result = await response.json()
    if result.get("type") != "create_entry":
        sys.exit(f"develop: adding the integration failed: {result.get('errors')}")
    print(f"develop: added Zoom Live Stream for {result['title']}.")
    await enable_push(session, headers, result["result"]["entry_id"], simulator)


async def enable_push(
    session: aiohttp.ClientSession,
    headers: dict[str, str],
    entry_id: str,
    simulator: str,
) -> None:
    """Save a webhook secret in the options and let the simulator push signed events."""
    async with session.post(
        f"{HASS}/api/config/config_entries/options/flow",
        json={"handler": entry_id},
        headers=headers,
    ) as response:
        response.raise_for_status()
        form = await response.json()
    webhook_url = form["description_placeholders"]["webhook_url"]
    async with session.post(
        f"{HASS}/api/config/config_entries/options/flow/{form['flow_id']}",
        json={"include_webinars": True, "webhook_secret": WEBHOOK_SECRET},
        headers=headers,
    ) as response:
        response.raise_for_status()
    async with session.post(
        f"{simulator}/_simulator/webhook",
        json={"url": webhook_url, "secret": WEBHOOK_SECRET},
    ) as response:
        response.raise_for_status()
    print(f"develop: the simulator pushes signed Zoom events to {webhook_url}.")


async def main() -> None:
    """Bootstrap the development instance."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--simulator", default="http://127.0.0.1:8765")
    args = parser.parse_args()
    async with aiohttp.ClientSession() as session:
        await wait_for(session, f"{args.simulator}/_simulator/state", timeout=60)
        token = await onboard(session)
        await add_entry(session, token, args.simulator)
    print(
        "\nReady. Open http://127.0.0.1:8123 and log in as dev / dev.\n"
        "Settings -> Devices & services -> Zoom Live Stream -> 'Weekly team sync':\n"
        "turn on 'Live stream', then check the simulator:\n"
        f"  curl -s {args.simulator}/_simulator/state\n"
        "Ctrl+C stops Home Assistant and the simulator.\n"
    )


if __name__ == "__main__":
    asyncio.run(main())
