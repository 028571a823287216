"""The automation blueprints: valid on every tested release, and doing what they say.

Each file in blueprints/automation/zoom_livestream/ is loaded by Home Assistant's
own blueprint code, its inputs are checked with Home Assistant's own selectors,
and the automation it makes with sample inputs is validated as the automation
editor validates it. The behavioural tests then run each blueprint as a real
automation against the mocked Zoom: `use_blueprint` with the file in the test
instance's configuration directory, as a user's automations.yaml would have it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
import shutil
from typing import Any, cast

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.zoom_livestream.compat import vol
from custom_components.zoom_livestream.const import (
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
)
from homeassistant.components.automation.config import (
    AUTOMATION_BLUEPRINT_SCHEMA,
    async_validate_config_item,
)
from homeassistant.components.blueprint import Blueprint, BlueprintInputs
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import selector
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util

from .automation_helpers import (
    SENSOR,
    SWITCH,
    async_meeting_starts,
    async_poll_zoom,
    async_settle,
    async_wait,
    starts,
    stream_requests,
)
from .conftest import MEETING_ID, USER_ID, ZoomMock, async_poll, make_entry, state_of
from .test_push import deliver, streaming_body

BLUEPRINT_DIR = Path(__file__).parent.parent / "blueprints" / "automation" / DOMAIN
GO_LIVE = "go_live_when_meeting_starts.yaml"
BUTTON = "button_toggles_live_stream.yaml"
OUTSIDE = "notify_stream_changed_outside_home_assistant.yaml"

EVENT = "event.weekly_team_sync_zoom_event"
OTHER_SWITCH = "switch.product_launch_live_stream"
STATUS_PATH = f"/meetings/{MEETING_ID}/livestream/status"
AUTOMATION_ID = "blueprint_under_test"
AUTOMATION = f"automation.{AUTOMATION_ID}"
BUTTON_EVENT = "zoom_blueprint_test_button"
# What the integration sends to start and stop a stream without display settings.
START, STOP = {"action": "start"}, {"action": "stop"}
SECRET = "zm-secret"

# What a user fills in, per blueprint: every input, so that every `!input` is
# substituted with a real value.
NOTIFY_TEST = [
    {
        "action": "notify.test",
        "data": {
            "message": "{{ meeting }} did not go live after {{ attempts }} attempts "
            "({{ live_stream_switch }}): {{ reason }}"
        },
    }
]
SAMPLE_INPUTS: dict[str, dict[str, Any]] = {
    GO_LIVE: {
        "in_progress_sensor": SENSOR,
        "live_stream_switch": SWITCH,
        "start_delay": {"hours": 0, "minutes": 0, "seconds": 5},
        "retries": 2,
        "on_failure": NOTIFY_TEST,
    },
    BUTTON: {
        "button": [{"trigger": "event", "event_type": BUTTON_EVENT}],
        "live_stream_switch": SWITCH,
        "on_failure": [
            {
                "action": "notify.test",
                "data": {
                    "message": "{{ meeting }} did not {{ command }} "
                    "({{ live_stream_switch }}): {{ reason }}"
                },
            }
        ],
    },
    OUTSIDE: {
        "zoom_events": [EVENT],
        "notify_action": [
            {"action": "notify.test", "data": {"message": "{{ message }}"}}
        ],
    },
}
# Only what has no default: what a user must fill in at the least.
MINIMAL_INPUTS: dict[str, dict[str, Any]] = {
    GO_LIVE: {"in_progress_sensor": SENSOR, "live_stream_switch": SWITCH},
    BUTTON: {
        "button": SAMPLE_INPUTS[BUTTON]["button"],
        "live_stream_switch": SWITCH,
    },
    OUTSIDE: {"zoom_events": [EVENT]},
}


def load_blueprint(name: str) -> Blueprint:
    """Load a blueprint file as Home Assistant does (its YAML loader, its schema)."""
    data = yaml_util.load_yaml_dict(BLUEPRINT_DIR / name)
    return Blueprint(
        data,
        path=f"{DOMAIN}/{name}",
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


def input_validator(spec: dict[str, Any]) -> Callable[[Any], Any]:
    """Return the input's selector as Home Assistant builds it: a validator.

    Every concrete selector validates a value when called; the base class that
    `selector.selector` is typed to return does not say so.
    """
    return cast("Callable[[Any], Any]", selector.selector(spec["selector"]))


def instance_config(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Return an automation that uses the blueprint, as automations.yaml holds it."""
    return {
        "id": AUTOMATION_ID,
        "alias": "Blueprint under test",
        "use_blueprint": {"path": f"{DOMAIN}/{name}", "input": inputs},
    }


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Put the blueprints where a user's Home Assistant has them after an import.

    The test instance's own configuration directory belongs to the test plugin;
    a fresh one per test keeps other tests' blueprints out.
    """
    hass.config.config_dir = str(tmp_path)
    target = tmp_path / "blueprints" / "automation" / DOMAIN
    target.mkdir(parents=True)
    for path in BLUEPRINT_DIR.glob("*.yaml"):
        shutil.copy(path, target / path.name)
    return tmp_path


@pytest.fixture
def notify_calls(hass: HomeAssistant) -> list[ServiceCall]:
    """Record the calls of notify.test, the failure and notification action."""
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "test")
    return calls


async def async_setup_automation(
    hass: HomeAssistant, name: str, inputs: dict[str, Any]
) -> None:
    """Set up one automation from the blueprint; fail unless it loaded and is on."""
    assert await async_setup_component(
        hass, "automation", {"automation": [instance_config(name, inputs)]}
    )
    await hass.async_block_till_done()
    # An automation whose blueprint or config is invalid is unavailable.
    assert state_of(hass, AUTOMATION) == STATE_ON


def running(hass: HomeAssistant) -> int:
    """Return how many runs of the automation are going on (its `current`)."""
    state = hass.states.get(AUTOMATION)
    assert state is not None
    current: int = state.attributes["current"]
    return current


async def async_last_run(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> dict[str, Any]:
    """Return the automation's last trace summary, as the trace view lists it."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "trace/list", "domain": "automation", "item_id": AUTOMATION_ID}
    )
    response = await client.receive_json()
    assert response["success"]
    runs: list[dict[str, Any]] = response["result"]
    assert runs, "the automation never ran"
    return runs[-1]


def refusals_logged(caplog: pytest.LogCaptureFixture) -> int:
    """Return how many refused starts the automation logged (one per attempt)."""
    return sum(
        1
        for record in caplog.records
        if record.name == f"homeassistant.components.automation.{AUTOMATION_ID}"
        and record.levelname == "ERROR"
        and "Weekly team sync has not started" in record.getMessage()
    )


def refuse_starts(zoom: ZoomMock, times: int | None = None) -> None:
    """Let Zoom refuse the meeting's stream start as it does before the host joined."""
    zoom.fail(
        "PATCH",
        STATUS_PATH,
        HTTPStatus.BAD_REQUEST,
        {"code": 3000, "message": f"Meeting {MEETING_ID} has not started."},
        times=times,
    )


# -- every blueprint, on this release -------------------------------------------------


def test_every_blueprint_is_tested() -> None:
    """A new blueprint needs sample inputs here, or its validation is never run."""
    assert sorted(path.name for path in BLUEPRINT_DIR.glob("*")) == sorted(
        SAMPLE_INPUTS
    )


@pytest.mark.parametrize("name", sorted(SAMPLE_INPUTS))
def test_blueprint_loads_and_inputs_pass_its_selectors(name: str) -> None:
    """The file is a valid automation blueprint this release accepts.

    Every selector is one this release knows with this configuration
    (`Blueprint` validates them), and every sample value and default passes its
    selector.
    """
    blueprint = load_blueprint(name)
    assert blueprint.domain == "automation"
    # The declared minimum is at most this release.
    assert blueprint.validate() is None
    assert blueprint.metadata["source_url"].endswith(
        f"/zoom_livestream/blob/main/blueprints/automation/{DOMAIN}/{name}"
    )
    assert set(blueprint.inputs) == set(SAMPLE_INPUTS[name])
    for key, spec in blueprint.inputs.items():
        check = input_validator(spec)
        check(SAMPLE_INPUTS[name][key])
        if "default" in spec:
            check(spec["default"])


@pytest.mark.parametrize(
    ("name", "key", "domain"),
    [
        (GO_LIVE, "in_progress_sensor", "binary_sensor"),
        (GO_LIVE, "live_stream_switch", "switch"),
        (BUTTON, "live_stream_switch", "switch"),
        (OUTSIDE, "zoom_events", "event"),
    ],
)
def test_entity_pickers_offer_only_this_integrations_entities(
    name: str, key: str, domain: str
) -> None:
    """Each entity picker lists one platform of this integration, nothing else.

    The filter is applied by the frontend's picker only (Home Assistant does not
    check blueprint inputs against their selectors), so its configuration is
    what there is to check.
    """
    spec = load_blueprint(name).inputs[key]
    config = selector.selector(spec["selector"]).config
    assert config["filter"] == [{"integration": DOMAIN, "domain": [domain]}]


@pytest.mark.parametrize(
    ("name", "key", "value"),
    [
        (GO_LIVE, "retries", 11),
        (GO_LIVE, "retries", -1),
        (GO_LIVE, "start_delay", "soon"),
        (BUTTON, "button", [{"event_type": "pressed"}]),
        (OUTSIDE, "zoom_events", EVENT),
    ],
)
def test_selectors_refuse_wrong_inputs(name: str, key: str, value: Any) -> None:
    """The selectors bound what the editor accepts.

    Too many or negative retries, a duration that is none, something that is no
    trigger, one entity where a list is expected.
    """
    spec = load_blueprint(name).inputs[key]
    with pytest.raises(vol.Invalid):
        input_validator(spec)(value)


@pytest.mark.parametrize(
    "inputs", [SAMPLE_INPUTS, MINIMAL_INPUTS], ids=["all", "minimal"]
)
@pytest.mark.parametrize("name", sorted(SAMPLE_INPUTS))
async def test_automation_from_blueprint_validates(
    hass: HomeAssistant,
    config_dir: Path,
    name: str,
    inputs: dict[str, dict[str, Any]],
) -> None:
    """The automation made from the blueprint passes the automation editor's checks.

    Substituted by `BlueprintInputs` (nothing left unfilled), then validated by
    `async_validate_config_item`, which raises on any error of the blueprint,
    the triggers, the conditions or the actions. With only the required inputs,
    the defaults (an empty failure action included) must be valid too.
    """
    blueprint = load_blueprint(name)
    blueprint_inputs = BlueprintInputs(blueprint, instance_config(name, inputs[name]))
    blueprint_inputs.validate()
    substituted = blueprint_inputs.async_substitute()
    assert not yaml_util.extract_inputs(substituted)

    validated = await async_validate_config_item(
        hass, "blueprint_under_test", instance_config(name, inputs[name])
    )
    assert validated is not None
    assert validated.validation_status == "ok"
    assert validated["triggers"]
    assert validated["actions"]
    if name == GO_LIVE:
        # Only a meeting start: not any change, not unavailable or unknown -> on.
        (trigger,) = validated["triggers"]
        # Validation names the trigger's kind `platform` on 2025.4, `trigger` later.
        assert trigger.get("trigger", trigger.get("platform")) == "state"
        assert trigger["entity_id"] == [SENSOR]
        assert (trigger["from"], trigger["to"]) == ("off", "on")


# -- go live when the meeting starts --------------------------------------------------


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_go_live_starts_the_stream_once_when_the_meeting_starts(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    notify_calls: list[ServiceCall],
) -> None:
    """Off -> on starts the stream after the delay, once; a host's stop stays."""
    await async_setup_automation(hass, GO_LIVE, SAMPLE_INPUTS[GO_LIVE])
    zoom.clear_calls()
    # The meeting already ran when the automation loaded: that is no start.
    await async_wait(hass, freezer, 10)
    assert running(hass) == 0

    await async_meeting_starts(hass, freezer, zoom)
    assert running(hass) == 1
    # Not before the delay.
    await async_wait(hass, freezer, 4)
    assert starts(zoom) == 0
    await async_wait(hass, freezer, 1)
    assert starts(zoom) == 1
    assert state_of(hass, SWITCH) == STATE_ON
    assert running(hass) == 0

    # The host stops the stream; the meeting goes on and polls see it running.
    await hass.services.async_call(
        Platform.SWITCH, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    for _ in range(3):
        await async_poll_zoom(hass, freezer)
    assert running(hass) == 0
    assert stream_requests(zoom) == [START, STOP]
    assert state_of(hass, SWITCH) == STATE_OFF
    assert notify_calls == []


@pytest.mark.usefixtures("config_dir")
async def test_go_live_ignores_reloads_and_outages(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Unavailable -> on (a reload, Zoom answering again) is not a meeting start."""
    await async_setup_automation(hass, GO_LIVE, SAMPLE_INPUTS[GO_LIVE])
    zoom.clear_calls()

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, SENSOR) == STATE_ON
    assert running(hass) == 0

    zoom.fail(
        "GET", f"/users/{USER_ID}/meetings", HTTPStatus.SERVICE_UNAVAILABLE, text="down"
    )
    await async_poll_zoom(hass, freezer)
    assert state_of(hass, SENSOR) == STATE_UNAVAILABLE
    zoom.heal()
    await async_poll_zoom(hass, freezer)
    assert state_of(hass, SENSOR) == STATE_ON

    await async_wait(hass, freezer, 30)
    assert running(hass) == 0
    assert starts(zoom) == 0


NOT_STARTED = (
    "Weekly team sync has not started. Start the meeting in Zoom first, then start "
    "the live stream."
)


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_go_live_retries_a_refused_start_then_runs_the_failure_action(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    notify_calls: list[ServiceCall],
    hass_ws_client: WebSocketGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two retries, 2 and 4 s apart: three starts, then the failure action, once."""
    await async_setup_automation(hass, GO_LIVE, SAMPLE_INPUTS[GO_LIVE])
    refuse_starts(zoom)
    await async_meeting_starts(hass, freezer, zoom)
    zoom.clear_calls()

    # Whole seconds: the test clock fires timers with a little slack.
    for wait, attempt in ((5, 1), (2, 2), (4, 3)):
        await async_wait(hass, freezer, wait - 1)
        assert starts(zoom) == attempt - 1
        assert notify_calls == []
        await async_wait(hass, freezer, 1)
        assert starts(zoom) == attempt
    assert running(hass) == 0
    await async_wait(hass, freezer, 60)

    assert starts(zoom) == 3
    assert state_of(hass, SWITCH) == STATE_OFF
    assert [call.data["message"] for call in notify_calls] == [
        f"Weekly team sync did not go live after 3 attempts ({SWITCH}): {NOT_STARTED}"
    ]
    # Each refusal is in the log with Zoom's reason; the run went on to its end.
    assert refusals_logged(caplog) == 3
    last_run = await async_last_run(hass, hass_ws_client)
    assert (last_run["state"], last_run["script_execution"]) == ("stopped", "finished")


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_go_live_stops_retrying_once_the_switch_is_on(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    notify_calls: list[ServiceCall],
) -> None:
    """The first start is refused, the second works: no third, no failure action."""
    await async_setup_automation(hass, GO_LIVE, SAMPLE_INPUTS[GO_LIVE])
    refuse_starts(zoom, times=1)
    await async_meeting_starts(hass, freezer, zoom)
    zoom.clear_calls()

    await async_wait(hass, freezer, 5)
    assert starts(zoom) == 1
    assert state_of(hass, SWITCH) == STATE_OFF
    await async_wait(hass, freezer, 2)
    assert starts(zoom) == 2
    assert state_of(hass, SWITCH) == STATE_ON
    assert running(hass) == 0
    await async_wait(hass, freezer, 20)

    assert starts(zoom) == 2
    assert notify_calls == []


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_go_live_leaves_a_stream_started_during_the_wait(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    notify_calls: list[ServiceCall],
) -> None:
    """The host started the stream before the delay ended: nothing more is sent."""
    await async_setup_automation(hass, GO_LIVE, SAMPLE_INPUTS[GO_LIVE])
    await async_meeting_starts(hass, freezer, zoom)
    zoom.clear_calls()
    await hass.services.async_call(
        Platform.SWITCH, SERVICE_TURN_ON, {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    assert running(hass) == 1

    await async_wait(hass, freezer, 5)
    assert running(hass) == 0
    await async_wait(hass, freezer, 20)

    assert stream_requests(zoom) == [START]
    assert notify_calls == []


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_go_live_stops_trying_when_the_meeting_ends(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    notify_calls: list[ServiceCall],
) -> None:
    """Refused, then the meeting ends: no more starts, and no failure message."""
    await async_setup_automation(
        hass, GO_LIVE, {**SAMPLE_INPUTS[GO_LIVE], "retries": 5}
    )
    refuse_starts(zoom)
    await async_meeting_starts(hass, freezer, zoom)
    zoom.clear_calls()
    await async_wait(hass, freezer, 5)
    assert starts(zoom) == 1

    # The meeting ends while the automation waits to try again (a refresh of
    # the sensor sees it at once).
    assert await async_setup_component(hass, "homeassistant", {})
    zoom.live.discard(MEETING_ID)
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: SENSOR}, blocking=True
    )
    await async_settle()
    assert state_of(hass, SENSOR) == STATE_OFF
    await async_wait(hass, freezer, 2)
    assert running(hass) == 0
    await async_wait(hass, freezer, 120)

    assert starts(zoom) == 1
    assert notify_calls == []


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_go_live_tries_at_once_then_sooner_than_before(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    caplog: pytest.LogCaptureFixture,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Defaults: a start at once, then 5 retries 2, 4, 8, 16 and 32 s apart.

    The empty failure action fails nothing.
    """
    await async_setup_automation(hass, GO_LIVE, MINIMAL_INPUTS[GO_LIVE])
    refuse_starts(zoom)
    await async_meeting_starts(hass, freezer, zoom)

    # The poll that saw the meeting start has already started the stream.
    assert starts(zoom) == 1
    for attempt, wait in enumerate((2, 4, 8, 16, 32), start=2):
        await async_wait(hass, freezer, wait - 1)
        assert starts(zoom) == attempt - 1
        await async_wait(hass, freezer, 1)
        assert starts(zoom) == attempt
    assert running(hass) == 0
    await async_wait(hass, freezer, 120)

    assert starts(zoom) == 6
    assert refusals_logged(caplog) == 6
    # The empty failure action ran and failed nothing: the run finished.
    last_run = await async_last_run(hass, hass_ws_client)
    assert (last_run["state"], last_run["script_execution"]) == ("stopped", "finished")


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_go_live_waits_at_most_a_minute_between_tries(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, zoom: ZoomMock
) -> None:
    """Ten retries: the waits grow to a minute and stay there."""
    await async_setup_automation(
        hass,
        GO_LIVE,
        {**MINIMAL_INPUTS[GO_LIVE], "retries": 10},
    )
    refuse_starts(zoom)
    await async_meeting_starts(hass, freezer, zoom)
    assert starts(zoom) == 1

    for attempt, wait in enumerate((2, 4, 8, 16, 32, 60, 60, 60, 60, 60), start=2):
        await async_wait(hass, freezer, wait - 1)
        assert starts(zoom) == attempt - 1
        await async_wait(hass, freezer, 1)
        assert starts(zoom) == attempt
    assert running(hass) == 0
    await async_wait(hass, freezer, 120)
    assert starts(zoom) == 11


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_go_live_gives_up_at_once_on_a_refusal_waiting_cannot_fix(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    notify_calls: list[ServiceCall],
) -> None:
    """No stream target at Zoom: one start, then the failure action with the reason."""
    await async_setup_automation(hass, GO_LIVE, SAMPLE_INPUTS[GO_LIVE])
    zoom.fail(
        "PATCH",
        STATUS_PATH,
        HTTPStatus.BAD_REQUEST,
        {
            "code": 3000,
            "message": "The meeting is not configured with a custom streaming service.",
        },
    )
    await async_meeting_starts(hass, freezer, zoom)
    zoom.clear_calls()

    await async_wait(hass, freezer, 5)
    assert starts(zoom) == 1
    assert running(hass) == 0
    await async_wait(hass, freezer, 60)

    assert starts(zoom) == 1
    (call,) = notify_calls
    assert call.data["message"].startswith(
        f"Weekly team sync did not go live after 1 attempts ({SWITCH}): Weekly team "
        "sync has no custom live streaming service set up in Zoom"
    )


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_go_live_refuses_a_switch_of_another_meeting(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    caplog: pytest.LogCaptureFixture,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Sensor of one meeting, switch of another: no start, and the log says why."""
    await async_setup_automation(
        hass,
        GO_LIVE,
        {**SAMPLE_INPUTS[GO_LIVE], "live_stream_switch": OTHER_SWITCH},
    )
    await async_meeting_starts(hass, freezer, zoom)
    zoom.clear_calls()
    assert running(hass) == 0
    await async_wait(hass, freezer, 20)

    assert [call for call in zoom.calls if call.method == "PATCH"] == []
    assert "belong to different meetings" in caplog.text
    # The trace shows the run as stopped by an error, not as a quiet success.
    last_run = await async_last_run(hass, hass_ws_client)
    assert last_run["script_execution"] == "aborted"


# -- a button toggles the live stream --------------------------------------------------


async def _fire_button(hass: HomeAssistant) -> None:
    hass.bus.async_fire(BUTTON_EVENT)


async def _press_input_button(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        "input_button",
        "press",
        {ATTR_ENTITY_ID: "input_button.stream_deck_key"},
        blocking=True,
    )


@pytest.mark.parametrize(
    ("trigger", "press"),
    [
        pytest.param(
            [{"trigger": "event", "event_type": BUTTON_EVENT}], _fire_button, id="event"
        ),
        pytest.param(
            [{"trigger": "state", "entity_id": "input_button.stream_deck_key"}],
            _press_input_button,
            id="input_button",
        ),
    ],
)
@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_button_toggles_the_stream(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    trigger: list[dict[str, Any]],
    press: Callable[[HomeAssistant], Awaitable[None]],
) -> None:
    """Press: start; press: stop; two quick presses: start then stop, none lost."""
    assert await async_setup_component(
        hass, "input_button", {"input_button": {"stream_deck_key": {}}}
    )
    await async_setup_automation(
        hass, BUTTON, {**SAMPLE_INPUTS[BUTTON], "button": trigger}
    )
    zoom.clear_calls()

    await press(hass)
    await hass.async_block_till_done()
    assert stream_requests(zoom) == [START]
    assert state_of(hass, SWITCH) == STATE_ON

    # The input_button's state is the time of the press: a later press changes it.
    await async_wait(hass, freezer, 1)
    await press(hass)
    await hass.async_block_till_done()
    assert stream_requests(zoom) == [START, STOP]
    assert state_of(hass, SWITCH) == STATE_OFF

    # Two quick presses: the second comes while the first toggle still waits for
    # Zoom's answer. It must not be dropped as "already running".
    zoom_answers = asyncio.Event()

    async def hold_commands(method: str, path: str) -> None:
        if method == "PATCH":
            await zoom_answers.wait()

    zoom.gate = hold_commands
    await async_wait(hass, freezer, 1)
    await press(hass)
    await async_settle()
    assert running(hass) == 1
    freezer.tick(timedelta(seconds=1))
    await press(hass)
    await async_settle()
    zoom_answers.set()
    await hass.async_block_till_done()
    assert stream_requests(zoom) == [START, STOP, START, STOP]
    assert state_of(hass, SWITCH) == STATE_OFF


# -- tell me when a stream starts or stops outside Home Assistant -----------------------


@pytest.fixture
async def events_entry(hass: HomeAssistant, zoom: ZoomMock) -> MockConfigEntry:
    """Set up an entry that receives Zoom's events (the secret token is set)."""
    entry = make_entry(options={CONF_WEBHOOK_SECRET: SECRET})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.mark.usefixtures("config_dir")
async def test_outside_notifies_only_for_streams_changed_outside(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    events_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    notify_calls: list[ServiceCall],
) -> None:
    """Zoom's events and polls notify; toggles in Home Assistant never do."""
    await async_setup_automation(hass, OUTSIDE, SAMPLE_INPUTS[OUTSIDE])
    client = await hass_client_no_auth()
    webhook_id = events_entry.data[CONF_WEBHOOK_ID]

    async def deliver_stream_event(event: str) -> None:
        response = await deliver(client, webhook_id, streaming_body(event, MEETING_ID))
        assert response.status == HTTPStatus.OK
        await hass.async_block_till_done()

    # Home Assistant starts and stops the stream: its own doing.
    for service in (SERVICE_TURN_ON, SERVICE_TURN_OFF):
        await hass.services.async_call(
            Platform.SWITCH, service, {ATTR_ENTITY_ID: SWITCH}, blocking=True
        )
        await async_wait(hass, freezer, 1)
    assert notify_calls == []

    # The host starts and stops it in the Zoom client: Zoom tells.
    zoom.streaming.add(MEETING_ID)
    await deliver_stream_event("meeting.live_streaming_started")
    await async_wait(hass, freezer, 1)
    zoom.streaming.discard(MEETING_ID)
    await deliver_stream_event("meeting.live_streaming_stopped")

    # Home Assistant starts it again; then a poll sees the meeting ended (it
    # reports "ended" and "live_stream_stopped" together).
    await async_wait(hass, freezer, 1)
    await hass.services.async_call(
        Platform.SWITCH, SERVICE_TURN_ON, {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    zoom.live.discard(MEETING_ID)
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)

    assert [call.data["message"] for call in notify_calls] == [
        "Weekly team sync: the live stream started outside Home Assistant "
        "(reported by Zoom).",
        "Weekly team sync: the live stream stopped outside Home Assistant "
        "(reported by Zoom).",
        "Weekly team sync: the live stream stopped outside Home Assistant "
        "(seen when polling Zoom).",
    ]


@pytest.mark.usefixtures("config_dir")
async def test_outside_stays_quiet_when_the_entity_comes_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    events_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    notify_calls: list[ServiceCall],
) -> None:
    """A reload brings the entity back with its last event: that is not news."""
    await async_setup_automation(hass, OUTSIDE, SAMPLE_INPUTS[OUTSIDE])
    client = await hass_client_no_auth()
    body = streaming_body("meeting.live_streaming_started", MEETING_ID)
    zoom.streaming.add(MEETING_ID)
    response = await deliver(client, events_entry.data[CONF_WEBHOOK_ID], body)
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(notify_calls) == 1
    last_event = hass.states.get(EVENT)
    assert last_event is not None

    await async_wait(hass, freezer, 1)
    assert await hass.config_entries.async_reload(events_entry.entry_id)
    await hass.async_block_till_done()

    # The entity is back with the same event, and nothing was sent again.
    back = hass.states.get(EVENT)
    assert back is not None
    assert (back.state, back.attributes["event_type"]) == (
        last_event.state,
        "live_stream_started",
    )
    assert len(notify_calls) == 1


@pytest.mark.usefixtures("config_dir")
async def test_outside_default_action_is_a_persistent_notification(
    hass: HomeAssistant,
    zoom: ZoomMock,
    events_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Without an action of the user's, the message goes to a notification."""
    created = async_mock_service(hass, "persistent_notification", "create")
    await async_setup_automation(hass, OUTSIDE, MINIMAL_INPUTS[OUTSIDE])
    client = await hass_client_no_auth()
    zoom.streaming.add(MEETING_ID)
    body = streaming_body("meeting.live_streaming_started", MEETING_ID)
    response = await deliver(client, events_entry.data[CONF_WEBHOOK_ID], body)
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()

    assert [dict(call.data) for call in created] == [
        {
            "title": "Zoom live stream",
            "message": "Weekly team sync: the live stream started outside Home "
            "Assistant (reported by Zoom).",
        }
    ]


@pytest.mark.usefixtures("config_dir")
async def test_outside_stays_quiet_when_zoom_reports_a_toggle_before_answering_it(
    hass: HomeAssistant,
    zoom: ZoomMock,
    events_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    notify_calls: list[ServiceCall],
) -> None:
    """Home Assistant's own start, reported by Zoom while the start is in flight."""
    await async_setup_automation(hass, OUTSIDE, SAMPLE_INPUTS[OUTSIDE])
    client = await hass_client_no_auth()
    zoom_answers = asyncio.Event()

    async def hold_commands(method: str, path: str) -> None:
        if method == "PATCH":
            await zoom_answers.wait()

    zoom.gate = hold_commands
    turn_on = hass.async_create_task(
        hass.services.async_call(
            Platform.SWITCH, SERVICE_TURN_ON, {ATTR_ENTITY_ID: SWITCH}, blocking=True
        )
    )
    await async_settle()
    # Zoom started the stream and pushes its event before its answer arrives.
    zoom.streaming.add(MEETING_ID)
    body = streaming_body("meeting.live_streaming_started", MEETING_ID)
    response = await deliver(client, events_entry.data[CONF_WEBHOOK_ID], body)
    assert response.status == HTTPStatus.OK
    await async_settle()
    zoom_answers.set()
    await turn_on
    await hass.async_block_till_done()

    assert state_of(hass, SWITCH) == STATE_ON
    assert notify_calls == []


# -- a refused press is told -------------------------------------------------------------


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_button_tells_the_person_when_a_press_is_refused(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, zoom: ZoomMock
) -> None:
    """By default a refused press leaves a notification: the meeting and Zoom's reason.

    A press that works tells nothing; the notification of a later refusal
    replaces the earlier one.
    """
    created = async_mock_service(hass, "persistent_notification", "create")
    await async_setup_automation(hass, BUTTON, MINIMAL_INPUTS[BUTTON])
    refuse_starts(zoom, times=1)

    hass.bus.async_fire(BUTTON_EVENT)
    await hass.async_block_till_done()

    assert state_of(hass, SWITCH) == STATE_OFF
    assert [dict(call.data) for call in created] == [
        {
            "notification_id": f"zoom_livestream_refused_{SWITCH}",
            "title": "Weekly team sync: the live stream did not start",
            "message": NOT_STARTED,
        }
    ]

    await async_wait(hass, freezer, 1)
    hass.bus.async_fire(BUTTON_EVENT)
    await hass.async_block_till_done()
    assert state_of(hass, SWITCH) == STATE_ON
    assert len(created) == 1


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_button_failure_action_gets_the_meeting_the_command_and_the_reason(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    notify_calls: list[ServiceCall],
) -> None:
    """A refused stop, then a press while Zoom cannot be polled: each explained."""
    await async_setup_automation(hass, BUTTON, SAMPLE_INPUTS[BUTTON])
    hass.bus.async_fire(BUTTON_EVENT)
    await hass.async_block_till_done()
    assert state_of(hass, SWITCH) == STATE_ON
    assert notify_calls == []

    zoom.fail(
        "PATCH",
        STATUS_PATH,
        HTTPStatus.TOO_MANY_REQUESTS,
        {"code": 429, "message": "You have reached the maximum rate limit."},
        headers={"Retry-After": "30"},
        times=1,
    )
    await async_wait(hass, freezer, 1)
    hass.bus.async_fire(BUTTON_EVENT)
    await hass.async_block_till_done()
    assert state_of(hass, SWITCH) == STATE_ON

    # Zoom cannot be polled: the switch is unavailable, and no command is sent.
    zoom.fail(
        "GET", f"/users/{USER_ID}/meetings", HTTPStatus.SERVICE_UNAVAILABLE, text="down"
    )
    await async_poll_zoom(hass, freezer)
    assert state_of(hass, SWITCH) == STATE_UNAVAILABLE
    zoom.clear_calls()
    hass.bus.async_fire(BUTTON_EVENT)
    await hass.async_block_till_done()

    assert stream_requests(zoom) == []
    assert [call.data["message"] for call in notify_calls] == [
        f"Weekly team sync did not stop ({SWITCH}): Zoom is limiting requests for "
        "Weekly team sync. Try again in 30 seconds.",
        f"Weekly team sync did not start ({SWITCH}): The Live stream switch is "
        "unavailable: Home Assistant cannot reach Zoom, or Zoom no longer lists the "
        "meeting.",
    ]


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_button_reason_is_in_home_assistants_language(
    hass: HomeAssistant, zoom: ZoomMock, notify_calls: list[ServiceCall]
) -> None:
    """The reason is the error's text in the language Home Assistant is set to."""
    await hass.config.async_update(language="de")
    await async_setup_automation(hass, BUTTON, SAMPLE_INPUTS[BUTTON])
    refuse_starts(zoom, times=1)

    hass.bus.async_fire(BUTTON_EVENT)
    await hass.async_block_till_done()

    (call,) = notify_calls
    assert call.data["message"].endswith(
        "Weekly team sync hat noch nicht begonnen. Starte zuerst das Meeting in "
        "Zoom und dann den Livestream."
    )


@pytest.mark.usefixtures("config_dir", "init_integration")
async def test_button_with_no_failure_action_stays_quiet(
    hass: HomeAssistant,
    zoom: ZoomMock,
    caplog: pytest.LogCaptureFixture,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """An empty failure action: no notification; the refusal is in the log and trace."""
    created = async_mock_service(hass, "persistent_notification", "create")
    await async_setup_automation(
        hass, BUTTON, {**SAMPLE_INPUTS[BUTTON], "on_failure": []}
    )
    refuse_starts(zoom, times=1)

    hass.bus.async_fire(BUTTON_EVENT)
    await hass.async_block_till_done()

    assert created == []
    assert refusals_logged(caplog) == 1
    last_run = await async_last_run(hass, hass_ws_client)
    assert (last_run["state"], last_run["script_execution"]) == ("stopped", "finished")
