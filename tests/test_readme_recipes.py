"""The README's "Triggering each error" recipes, run as written against the simulator.

Each recipe's commands are read from the README, sent to the simulator's control
routes over HTTP (as `curl` sends them), then the person's next step is taken:
a toggle, adding the integration, or waiting for a poll. Home Assistant must
show the row's message, and the recipe must leave the simulator as it found
it: no fault left over for a later request (a left-over fault refuses the next
correct re-authentication, or fails polls long after), no delay left set.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
import json
from pathlib import Path
import re
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zoom_livestream.const import DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from zoom_simulator import SimulatorState

from .conftest import async_poll, state_of
from .test_simulator_e2e import (  # noqa: F401 (fixtures)
    OTHER_SWITCH,
    SWITCH,
    sim_entry,
    simulator,
)

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
SECTION = README[
    README.index("### Triggering each error Home Assistant shows") : README.index(
        "### Performance"
    )
]
# One command inside a code span: `curl [-s] [-X METHOD] $S/route [-d 'json']`.
CURL = re.compile(r"curl (?:-s )?(?:-X (\w+) )?\$S([^\s;]+)(?: -d '([^']*)')?")
SENSOR = "binary_sensor.weekly_team_sync_in_progress"


def recipe_rows() -> dict[str, str]:
    """Return the table's rows: what Home Assistant shows -> how to trigger it."""
    rows: dict[str, str] = {}
    for line in SECTION.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in {"What Home Assistant shows", "---"}:
            continue
        rows[cells[0]] = cells[1]
    return rows


ROWS = recipe_rows()


@dataclass(frozen=True)
class Recipe:
    """What the person does after the commands, and the error it must give."""

    # "add", "toggle" (of `switch`), or "poll"
    step: str
    key: str
    switch: str = SWITCH


# Every row that changes the simulator's faults or delay, by the start of what
# Home Assistant shows.
RECIPES = {
    'Adding: "Cannot reach Zoom…"': Recipe("add", "cannot_connect"),
    '"Zoom no longer accepts the credentials': Recipe("toggle", "auth_failed"),
    '"The Zoom app of this account lacks the scopes': Recipe(
        "toggle", "missing_scopes"
    ),
    '"Zoom is limiting requests for': Recipe("toggle", "rate_limited_wait"),
    '"Zoom does not allow live streaming for': Recipe(
        "toggle", "streaming_not_allowed"
    ),
    '"Zoom does not allow this for': Recipe("toggle", "permission_denied"),
    '"Cannot reach Zoom for …"': Recipe("toggle", "cannot_connect"),
    '"Cannot reach Zoom to update': Recipe("poll", "cannot_connect"),
}


def recipe_for(shown: str) -> Recipe | None:
    """Return the recipe of a row, by the start of what Home Assistant shows.

    A recipe with a delay is not run: its toggle waits for the client's
    10-second timeout in real time. `test_a_recipe_that_sets_a_delay_sets_it_back`
    checks it.
    """
    if "$S/delay" in ROWS[shown]:
        return None
    return next(
        (recipe for start, recipe in RECIPES.items() if shown.startswith(start)), None
    )


def commands(how: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Return the row's simulator commands in order: (method, route, JSON body)."""
    found = []
    for span in re.findall(r"`([^`]+)`", how):
        for method, route, body in CURL.findall(span):
            found.append((method or "GET", route, json.loads(body) if body else None))
    return found


def test_every_recipe_that_changes_the_simulator_is_run() -> None:
    """A row that queues faults or sets a delay has its recipe run below."""
    faults = [
        shown
        for shown, how in ROWS.items()
        if any(route == "/fail" for _, route, _ in commands(how))
    ]
    assert len(faults) == len(RECIPES)
    for shown in faults:
        assert recipe_for(shown) is not None, shown


def test_a_recipe_that_sets_a_delay_sets_it_back() -> None:
    """A delay left set slows every later answer: the recipe ends by removing it."""
    delays = [
        [body for _, route, body in commands(how) if route == "/delay"]
        for how in ROWS.values()
        if "$S/delay" in how
    ]
    assert delays
    for bodies in delays:
        assert bodies[0] is not None
        assert bodies[0]["seconds"] > 0
        assert bodies[-1] == {"seconds": 0}


@pytest.fixture
async def control(
    simulator: tuple[SimulatorState, str],  # noqa: F811
) -> AsyncGenerator[aiohttp.ClientSession]:
    """Open an HTTP session for the simulator's control routes, as curl uses them."""
    async with aiohttp.ClientSession() as session:
        yield session


async def async_run(
    session: aiohttp.ClientSession,
    simulator: tuple[SimulatorState, str],  # noqa: F811
    how: str,
) -> None:
    """Send the row's commands, with W and P replaced by the meetings' IDs."""
    state, base = simulator
    ids = {m.topic: str(m.id) for m in state.meetings.values()}
    names = {"W": ids["Weekly team sync"], "P": ids["Product launch"]}

    def fill(text: str) -> str:
        return re.sub(r"(?<=/)[WP](?=/|$)", lambda m: names[m.group()], text)

    for method, route, body in commands(how):
        if body is not None and isinstance(body.get("path_prefix"), str):
            body = {**body, "path_prefix": fill(body["path_prefix"])}
        async with session.request(
            method, f"{base}/_simulator{fill(route)}", json=body
        ) as response:
            assert response.status < 300, (route, await response.text())


async def async_poll_over_http(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Let one poll happen and end: over a real socket it outlives one loop turn."""
    await async_poll(hass, freezer)
    await hass.async_block_till_done(wait_background_tasks=True)


async def async_add(hass: HomeAssistant, state: SimulatorState) -> dict[str, str]:
    """Add the integration with the simulator's credentials; return the form errors."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "server_to_server"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "account_id": state.account_id,
            "client_id": state.client_id,
            "client_secret": state.client_secret,
            "cloud": "global",
        },
    )
    assert result["type"] is FlowResultType.FORM
    return dict(result["errors"] or {})


@pytest.mark.parametrize(
    "shown",
    [
        pytest.param(shown, id=recipe.key + ("_poll" if recipe.step == "poll" else ""))
        for shown in ROWS
        if (recipe := recipe_for(shown)) is not None
    ],
)
async def test_recipe_shows_its_message_and_leaves_the_simulator_clean(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: tuple[SimulatorState, str],  # noqa: F811
    sim_entry: MockConfigEntry,  # noqa: F811
    control: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
    shown: str,
) -> None:
    """The row's commands, then its step: the row's message, and no fault left."""
    state, _ = simulator
    recipe = recipe_for(shown)
    assert recipe is not None
    how = ROWS[shown]
    await async_run(control, simulator, how)

    if recipe.step == "add":
        # The account is added already: a second entry is refused only after
        # the credentials check, which is what fails here.
        assert await async_add(hass, state) == {"base": recipe.key}
    elif recipe.step == "toggle":
        assert 'toggle "Product launch"' not in how
        with pytest.raises(HomeAssistantError) as refused:
            await hass.services.async_call(
                Platform.SWITCH,
                "turn_on",
                {ATTR_ENTITY_ID: recipe.switch},
                blocking=True,
            )
        assert refused.value.translation_key == recipe.key
        # What the row quotes is what Home Assistant says.
        quoted = shown.split('"')[1]
        # (Home Assistant drops a message's final full stop.)
        for piece in quoted.split("…"):
            if part := piece.strip().rstrip("."):
                assert part in str(refused.value)
    else:
        await async_poll_over_http(hass, freezer)
        assert state_of(hass, SENSOR) == STATE_UNAVAILABLE
        assert shown.split('"')[1].rstrip(" …") in caplog.text
        await async_poll_over_http(hass, freezer)
        assert state_of(hass, SENSOR) == STATE_ON

    assert state.faults == []


async def test_credentials_recipe_lets_the_next_sign_in_work(
    hass: HomeAssistant,
    simulator: tuple[SimulatorState, str],  # noqa: F811
    sim_entry: MockConfigEntry,  # noqa: F811
    control: aiohttp.ClientSession,
) -> None:
    """After the refused toggle, re-authenticating with the right credentials works."""
    state, _ = simulator
    (shown,) = [s for s in ROWS if s.startswith('"Zoom no longer accepts the cred')]
    await async_run(control, simulator, ROWS[shown])
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: SWITCH}, blocking=True
        )
    await hass.async_block_till_done()
    (flow,) = [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
    ]

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"],
        {
            "account_id": state.account_id,
            "client_id": state.client_id,
            "client_secret": state.client_secret,
        },
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    await hass.services.async_call(
        Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    assert state_of(hass, SWITCH) == STATE_ON
    assert state_of(hass, OTHER_SWITCH) != STATE_UNAVAILABLE
