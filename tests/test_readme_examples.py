"""Every YAML example in the README does what its text says.

Each ```yaml block of README.md is extracted together with the heading and the
paragraph before it (what the example claims), loaded with Home Assistant's own
YAML loader (`!secret` resolved from a secrets.yaml beside it, as in a real
configuration directory), classified, and validated with Home Assistant's own
validation: automations as the automation editor validates them, actions as a
script's steps plus the integration's own service schema and checks, the logger
snippet with the logger component's CONFIG_SCHEMA, the dashboard card
structurally. Then every example that can run is run against the mocked Zoom
of conftest.py, and the test checks what its text says it does.

The examples are read from README.md when this module is imported: the tests
run the README's text, never a copy of it. A block that cannot be classified,
or a new example without its checks here, fails
`test_every_example_is_classified_and_checked`.
"""

from __future__ import annotations

from collections.abc import Iterator
import copy
from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus
import importlib
import logging
from pathlib import Path
import re
import tempfile
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.zoom_livestream.const import (
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    EVENT_KEY,
    IN_PROGRESS_KEY,
    LIVE_STREAM_KEY,
    LOGGER,
)
from custom_components.zoom_livestream.services import (
    SETTING_FIELDS,
    UPDATE_SETTINGS_SCHEMA,
    parse_settings_update,
)
from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.components.persistent_notification import (
    Notification,
    UpdateType,
    async_register_callback,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    EVENT_CALL_SERVICE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import (
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.script import Script, async_validate_actions_config
from homeassistant.setup import async_setup_component
from homeassistant.util import slugify, yaml as yaml_util

from .automation_helpers import (
    SENSOR,
    SWITCH,
    async_meeting_starts,
    async_poll_zoom,
    async_wait,
    starts,
    stream_requests,
)
from .conftest import (
    MEETING_ID,
    OTHER_MEETING_ID,
    USER_ID,
    SetupIntegration,
    ZoomMock,
    make_entry,
    meeting_json,
    state_of,
)
from .test_push import deliver, streaming_body

README = Path(__file__).parent.parent / "README.md"
FENCE = re.compile(r"^```(?P<language>[\w+-]*)\s*$")
YAML_LANGUAGES = {"yaml", "yml"}
# What the README's `!secret` names stand for in the test's secrets.yaml.
SECRETS = {"youtube_stream_key": "yt-studio-key-0f3c9a"}
ZOOM_EVENTS_SECRET = "zm-secret"

# A meeting the README's examples name that the default mocked Zoom lacks.
COMMUNITY_QA_ID = 81234567890
COMMUNITY_QA_TARGET = {
    "stream_url": "rtmps://live.restream.io/live",
    "stream_key": "re-key-4711",
    "page_url": "https://restream.io/example",
    "resolution": "1080p",
}
PRODUCT_LAUNCH_TARGET = {
    "stream_url": "rtmp://live.twitch.tv/app",
    "stream_key": "tw-key-0042",
    "page_url": "https://twitch.tv/example",
    "resolution": "1080p",
}

EVENT_ENTITY = "event.weekly_team_sync_zoom_event"
DESK_BUTTON = "sensor.desk_button_action"
STATUS_PATH = f"/meetings/{MEETING_ID}/livestream/status"
# Entities the README's examples name that are the user's, not the integration's:
# a stand-in the text tells the reader to replace with their own button's trigger.
USER_ENTITIES = {DESK_BUTTON}
# What each of the integration's entity domains is, by its translation key: an
# example that names a switch means the Live stream switch, and so on.
INTEGRATION_ENTITY_KEYS = {
    Platform.SWITCH: LIVE_STREAM_KEY,
    Platform.BINARY_SENSOR: IN_PROGRESS_KEY,
    Platform.EVENT: EVENT_KEY,
}
# Card types the README's dashboard example offers ("a tile (or type: button)").
CARD_TYPES = {"tile", "button"}
# Configuration snippets whose top-level keys are these integrations' configuration.
CONFIG_DOMAINS = {"logger", "recorder"}


class Kind(StrEnum):
    """What a README example is, which decides how it is validated and run."""

    AUTOMATION = "automation"
    ACTION = "action"
    CARD = "dashboard card"
    CONFIG = "configuration snippet"


# -- reading the README ---------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One ```yaml block of the README, with what the text before it says."""

    line: int
    heading: str
    paragraph: str
    source: str


def extract_yaml_blocks(text: str) -> list[Block]:
    """Return the README's YAML blocks, each with its heading and paragraph.

    The paragraph is the one right before the block (what the example claims);
    a block that directly follows another has none, only its section's heading.
    """
    blocks: list[Block] = []
    heading = ""
    paragraph: list[str] = []
    current: list[str] = []
    fence: tuple[int, str] | None = None
    body: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if fence is not None:
            if line.strip() == "```":
                start, language = fence
                if language in YAML_LANGUAGES:
                    blocks.append(
                        Block(start, heading, " ".join(paragraph), "\n".join(body))
                    )
                fence, body, paragraph = None, [], []
            else:
                body.append(line)
        elif match := FENCE.match(line):
            if current:
                paragraph, current = current, []
            fence = (number, match["language"].lower())
        elif line.startswith("#"):
            heading, paragraph, current = line.lstrip("#").strip(), [], []
        elif not line.strip():
            if current:
                paragraph, current = current, []
        else:
            current.append(line.strip())
    return blocks


def classify(config: Any) -> Kind | None:
    """Return what an example is, or None when the tests do not know it."""
    if not isinstance(config, dict):
        return None
    if "triggers" in config and "actions" in config:
        return Kind.AUTOMATION
    if isinstance(config.get("action"), str):
        return Kind.ACTION
    if config.get("type") in CARD_TYPES:
        return Kind.CARD
    if config and set(config) <= CONFIG_DOMAINS:
        return Kind.CONFIG
    return None


@dataclass(frozen=True)
class Example:
    """A README example as Home Assistant's YAML loader read it."""

    block: Block
    loaded: Any
    error: str | None

    @property
    def kind(self) -> Kind | None:
        """What the example is (None: the tests cannot handle it)."""
        return classify(self.loaded)

    @property
    def id(self) -> str:
        """Name the example by what it is, readable in a test ID and a message."""
        config = self.loaded
        match self.kind:
            case Kind.AUTOMATION:
                return f"automation: {config.get('alias', self.block.line)}"
            case Kind.ACTION:
                return (
                    f"action: {config['action']} ({', '.join(config.get('data', {}))})"
                )
            case Kind.CARD:
                return f"card: {config['type']} {config.get('entity')}"
            case Kind.CONFIG:
                return f"config: {', '.join(config)}"
            case None:
                return f"unclassified, README.md line {self.block.line}"

    def config(self) -> Any:
        """Return a copy to hand to Home Assistant (which may change what it gets)."""
        return copy.deepcopy(self.loaded)

    def describe(self) -> str:
        """Say where the example is and what its text claims, for failure messages."""
        claim = self.block.paragraph or "(no paragraph)"
        return (
            f"the example at README.md line {self.block.line} "
            f"(section {self.block.heading!r}: {claim})"
        )


def load_examples() -> list[Example]:
    """Read every YAML block as Home Assistant reads a configuration file.

    Each block is written to a file in a temporary configuration directory with a
    secrets.yaml, and loaded by `homeassistant.util.yaml.load_yaml`: `!secret`
    is resolved exactly as in a user's automations.yaml. A block that does not
    load is kept with its error, so one test fails instead of the whole module.
    """
    blocks = extract_yaml_blocks(README.read_text(encoding="utf-8"))
    examples: list[Example] = []
    with tempfile.TemporaryDirectory() as tmp:
        config_dir = Path(tmp).resolve()
        (config_dir / yaml_util.SECRET_YAML).write_text(
            "".join(f"{name}: {value}\n" for name, value in SECRETS.items()),
            encoding="utf-8",
        )
        secrets = yaml_util.Secrets(config_dir)
        for index, block in enumerate(blocks):
            path = config_dir / f"readme_example_{index}.yaml"
            path.write_text(block.source, encoding="utf-8")
            try:
                loaded = yaml_util.load_yaml(path, secrets)
            except HomeAssistantError as err:
                examples.append(Example(block, None, str(err)))
            else:
                examples.append(Example(block, loaded, None))
    return examples


EXAMPLES = load_examples()

# Every example the README has, as this module checks it. A new or renamed example
# must be added here, with tests that run it.
TILE = f"card: tile {SWITCH}"
UPDATE_DISPLAY = (
    "action: zoom_livestream.update_settings (display_name, active_speaker_name)"
)
UPDATE_RESOLUTION = "action: zoom_livestream.update_settings (resolution)"
UPDATE_YOUTUBE = (
    "action: zoom_livestream.update_settings "
    "(stream_url, stream_key, page_url, resolution)"
)
WEEKLY_SYNC = "automation: Stream the weekly sync"
DESK_BUTTON_TOGGLES = "automation: Desk button toggles the live stream"
OUTSIDE = "automation: Tell me when the weekly sync goes live elsewhere"
BUS_EVENT = "automation: Tell me when any Zoom stream goes live"
DEBUG_LOGGING = "config: logger"
EXPECTED: dict[str, Kind] = {
    UPDATE_DISPLAY: Kind.ACTION,
    UPDATE_RESOLUTION: Kind.ACTION,
    TILE: Kind.CARD,
    WEEKLY_SYNC: Kind.AUTOMATION,
    DESK_BUTTON_TOGGLES: Kind.AUTOMATION,
    UPDATE_YOUTUBE: Kind.ACTION,
    OUTSIDE: Kind.AUTOMATION,
    BUS_EVENT: Kind.AUTOMATION,
    DEBUG_LOGGING: Kind.CONFIG,
}


def example(example_id: str) -> Example:
    """Return the README's example with this ID, failing when the README lacks it."""
    for candidate in EXAMPLES:
        if candidate.id == example_id:
            return candidate
    pytest.fail(
        f"README.md has no example {example_id!r}; it has "
        f"{[candidate.id for candidate in EXAMPLES]}"
    )


def referenced_entities(config: Any) -> set[str]:
    """Return every entity ID the example names (`entity_id:` and a card's `entity:`)."""
    found: set[str] = set()
    if isinstance(config, dict):
        for key, value in config.items():
            if key in ("entity_id", "entity"):
                found.update([value] if isinstance(value, str) else value)
            else:
                found |= referenced_entities(value)
    elif isinstance(config, list):
        for item in config:
            found |= referenced_entities(item)
    return found


def params(examples: list[Example]) -> list[Any]:
    """Parametrize a test with examples, each named by its ID."""
    return [pytest.param(item, id=item.id) for item in examples]


# -- fixtures and helpers -----------------------------------------------------------


@pytest.fixture(autouse=True)
def readme_meetings(zoom: ZoomMock) -> None:
    """Add what the examples name and the default mocked Zoom lacks.

    "Community Q&A" (switch.community_q_a_live_stream), with a stream target at
    Zoom, as the second update_settings example requires of its meetings.
    Autouse, so that it is in Zoom before any entry is set up.
    """
    zoom.meetings[COMMUNITY_QA_ID] = meeting_json(COMMUNITY_QA_ID, "Community Q&A")
    zoom.livestream[COMMUNITY_QA_ID] = dict(COMMUNITY_QA_TARGET)


@pytest.fixture
def mock_config_entry(request: pytest.FixtureRequest) -> MockConfigEntry:
    """Return the conftest entry; `WITH_ZOOM_EVENTS` sets the webhook secret."""
    options: dict[str, Any] = getattr(request, "param", {})
    return make_entry(options=options)


# The event examples need Zoom's events ("needs Zoom events" in the README).
WITH_ZOOM_EVENTS = pytest.mark.parametrize(
    "mock_config_entry",
    [{CONF_WEBHOOK_SECRET: ZOOM_EVENTS_SECRET}],
    indirect=True,
    ids=["zoom_events"],
)


@pytest.fixture
async def notifications(hass: HomeAssistant) -> list[tuple[str | None, str]]:
    """Record every persistent notification created, as (title, message).

    The real persistent_notification component: its service validates the data
    the examples send, as it would in a user's Home Assistant.
    """
    assert await async_setup_component(hass, "persistent_notification", {})
    created: list[tuple[str | None, str]] = []

    @callback
    def record(update_type: UpdateType, items: dict[str, Notification]) -> None:
        if update_type is UpdateType.ADDED:
            created.extend((item["title"], item["message"]) for item in items.values())

    async_register_callback(hass, record)
    return created


async def async_setup_example_automation(hass: HomeAssistant, example_id: str) -> str:
    """Set the README's automation up as automations.yaml would; return its entity.

    It is loaded exactly as written (no `id` added): an automation whose
    configuration is invalid is unavailable, so `on` means it loaded.
    """
    config = example(example_id).config()
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    entity_id = f"automation.{slugify(config['alias'])}"
    assert state_of(hass, entity_id) == STATE_ON
    return entity_id


def running(hass: HomeAssistant, automation: str) -> int:
    """Return how many runs of the automation are going on (its `current`)."""
    state = hass.states.get(automation)
    assert state is not None
    current: int = state.attributes["current"]
    return current


async def async_run_example_action(hass: HomeAssistant, example_id: str) -> None:
    """Run the README's action call as a script step, as an automation would run it."""
    sequence = await async_validate_actions_config(
        hass, cv.SCRIPT_SCHEMA(example(example_id).config())
    )
    script = Script(hass, sequence, f"README example {example_id}", DOMAIN)
    await script.async_run(context=Context())
    await hass.async_block_till_done()


def target_requests(zoom: ZoomMock) -> list[tuple[str, str, Any]]:
    """Return the requests that read or wrote a stream target, in order."""
    return [
        (call.method, call.path, call.json)
        for call in zoom.api_calls
        if call.path.endswith("/livestream")
    ]


async def async_switch(hass: HomeAssistant, service: str, entity_id: str) -> None:
    """Turn a switch on or off as a user does."""
    await hass.services.async_call(
        Platform.SWITCH, service, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


def record_states(hass: HomeAssistant, entity_id: str) -> list[tuple[str | None, str]]:
    """Record each (old, new) state of an entity from now on."""
    seen: list[tuple[str | None, str]] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if new is not None:
            seen.append((old.state if old is not None else None, new.state))

    async_track_state_change_event(hass, [entity_id], record)
    return seen


async def async_deliver_stream_event(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    entry: MockConfigEntry,
    event: str,
    meeting_id: int = MEETING_ID,
) -> None:
    """Push a signed live-streaming event through the entry's webhook, as Zoom does."""
    client = await hass_client_no_auth()
    response = await deliver(
        client, entry.data[CONF_WEBHOOK_ID], streaming_body(event, meeting_id)
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()


# -- every example: found, classified, loaded with Home Assistant's loader ---------------


def test_every_example_is_classified_and_checked() -> None:
    """Each block loads, is of a known kind, and is one this module checks.

    A new example (or one whose alias, action data or entity changed) fails here
    until it is handled: its validation is generic, but what it claims to do
    needs a test of its own.
    """
    assert EXAMPLES, "README.md has no ```yaml block"
    for item in EXAMPLES:
        assert item.error is None, f"{item.describe()} does not load: {item.error}"
        assert item.kind is not None, (
            f"{item.describe()} is no automation, action call, dashboard card or "
            f"configuration snippet the tests know:\n{item.block.source}"
        )
    ids = [item.id for item in EXAMPLES]
    assert len(set(ids)) == len(ids), f"two examples share an ID: {ids}"
    assert {item.id: item.kind for item in EXAMPLES} == EXPECTED


def test_secret_is_resolved_by_home_assistants_loader() -> None:
    """`!secret` in the YouTube example is loaded as a user's automations.yaml is."""
    youtube = example(UPDATE_YOUTUBE)
    assert "stream_key: !secret youtube_stream_key" in youtube.block.source
    assert youtube.loaded["data"]["stream_key"] == SECRETS["youtube_stream_key"]


def test_extraction_keeps_the_claim() -> None:
    """Each block is found with the text that says what it does.

    The paragraph is what the failure messages quote; the extraction also keeps
    consecutive blocks apart and ignores blocks in other languages.
    """
    blocks = extract_yaml_blocks(
        "## Section\n\nFirst paragraph.\n\nThe claim,\non two lines:\n\n"
        "```yaml\na: 1\n```\n\n```yaml\nb: 2\n```\n\n```bash\nls\n```\n"
    )
    assert blocks == [
        Block(8, "Section", "The claim, on two lines:", "a: 1"),
        Block(12, "Section", "", "b: 2"),
    ]
    assert classify({"triggers": [], "actions": []}) is Kind.AUTOMATION
    assert classify({"action": "switch.toggle"}) is Kind.ACTION
    assert classify({"type": "button", "entity": SWITCH}) is Kind.CARD
    assert classify({"recorder": {"exclude": {}}}) is Kind.CONFIG
    assert classify({"type": "markdown"}) is None
    assert classify(["a list"]) is None


# -- Home Assistant's own validation of each example -----------------------------------


def validate_update_settings(item: Example, action: dict[str, Any]) -> None:
    """Validate an update_settings call as the integration does when it is called.

    The service schema (types, target) and then `parse_settings_update`, which
    checks every value and raises the translated error a user would see.
    """
    data = dict(action.get("data", {}))
    target = dict(action.get("target", {}))
    UPDATE_SETTINGS_SCHEMA({**target, **data})
    try:
        update = parse_settings_update(data)
    except ServiceValidationError as err:
        pytest.fail(f"{item.describe()} is refused: {err.translation_key}")
    # Every field the example gives is one the action takes and applies.
    assert {
        name for name in SETTING_FIELDS if getattr(update, name) is not None
    } == set(data)


@pytest.mark.parametrize("item", params(EXAMPLES))
async def test_example_passes_home_assistant_validation(
    hass: HomeAssistant, item: Example
) -> None:
    """Each example passes the validation Home Assistant applies to its kind."""
    config = item.config()
    match item.kind:
        case Kind.AUTOMATION:
            # Raises on any error of the triggers, conditions or actions.
            validated = await async_validate_config_item(hass, "readme_example", config)
            assert validated is not None
            assert validated.validation_status == "ok"
            assert validated["triggers"]
            assert validated["actions"]
        case Kind.ACTION:
            (action,) = await async_validate_actions_config(
                hass, cv.SCRIPT_SCHEMA(config)
            )
            assert action["action"] == f"{DOMAIN}.update_settings", (
                f"{item.describe()}: no service schema known for {action['action']}"
            )
            validate_update_settings(item, action)
        case Kind.CARD:
            # Home Assistant has no card schema: check what the tile needs.
            assert config["type"] in CARD_TYPES
            assert cv.entity_id(config["entity"]).startswith(f"{Platform.SWITCH}.")
            assert config["tap_action"] == {"action": "toggle"}
        case Kind.CONFIG:
            for domain in config:
                component = importlib.import_module(
                    f"homeassistant.components.{domain}"
                )
                component.CONFIG_SCHEMA({domain: config[domain]})
        case None:
            pytest.fail(f"{item.describe()} cannot be classified")


@pytest.mark.parametrize(
    "item", params([item for item in EXAMPLES if referenced_entities(item.loaded)])
)
@pytest.mark.usefixtures("init_integration")
async def test_example_names_entities_the_integration_has(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, item: Example
) -> None:
    """Every entity an example names exists, and is the kind of entity it needs.

    A switch is a meeting's Live stream switch, a binary sensor its In progress
    sensor, an event entity its Zoom event entity: the IDs the integration gives
    "Weekly team sync", "Product launch" and "Community Q&A".
    """
    for entity_id in sorted(referenced_entities(item.loaded) - USER_ENTITIES):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, f"{item.describe()} names {entity_id}: no such entity"
        assert entry.platform == DOMAIN
        assert entry.translation_key == INTEGRATION_ENTITY_KEYS[Platform(entry.domain)]
        assert state_of(hass, entity_id) != STATE_UNAVAILABLE


# -- the dashboard tile ------------------------------------------------------------------


async def async_tap_toggle(hass: HomeAssistant, entity_id: str) -> None:
    """Do what the frontend does for `tap_action: toggle` of a switch.

    The frontend's `toggleEntity`: `turn_on` when the state is off, else
    `turn_off`, in the entity's own domain.
    """
    service = (
        SERVICE_TURN_ON if state_of(hass, entity_id) == STATE_OFF else SERVICE_TURN_OFF
    )
    await async_switch(hass, service, entity_id)


@pytest.mark.usefixtures("init_integration")
async def test_tile_starts_and_stops_the_stream(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """The tile "starts and stops the stream": tap, tap."""
    card = example(TILE).config()
    zoom.clear_calls()

    await async_tap_toggle(hass, card["entity"])
    assert stream_requests(zoom) == [{"action": "start"}]
    assert state_of(hass, SWITCH) == STATE_ON
    await async_tap_toggle(hass, card["entity"])
    assert stream_requests(zoom) == [{"action": "start"}, {"action": "stop"}]
    assert state_of(hass, SWITCH) == STATE_OFF


# -- "Stream the weekly sync" -------------------------------------------------------------


@pytest.mark.usefixtures("init_integration")
async def test_weekly_sync_starts_the_stream_once_when_the_meeting_starts(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    notifications: list[tuple[str | None, str]],
) -> None:
    """Off -> on starts the stream 10 s later, once, and nothing is notified."""
    automation = await async_setup_example_automation(hass, WEEKLY_SYNC)
    zoom.clear_calls()
    # The meeting already ran when the automation loaded: that is no start.
    await async_wait(hass, freezer, 20)
    assert running(hass, automation) == 0
    assert starts(zoom) == 0

    await async_meeting_starts(hass, freezer, zoom)
    assert running(hass, automation) == 1
    await async_wait(hass, freezer, 9)
    assert starts(zoom) == 0
    await async_wait(hass, freezer, 1)
    assert stream_requests(zoom) == [{"action": "start"}]
    assert state_of(hass, SWITCH) == STATE_ON
    assert running(hass, automation) == 0
    await async_wait(hass, freezer, 60)

    assert starts(zoom) == 1
    assert notifications == []


async def test_weekly_sync_leaves_a_stopped_stream_stopped(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    notifications: list[tuple[str | None, str]],
) -> None:
    """The host stops the stream; polls, a reload and an outage never restart it.

    "a reload of the entry, a restart, or Zoom answering again after an outage
    do not start it, so a stream the host stopped stays stopped". The reload and
    the outage each make the In progress sensor go unavailable -> on, as the
    recorded states show.
    """
    automation = await async_setup_example_automation(hass, WEEKLY_SYNC)
    await async_meeting_starts(hass, freezer, zoom)
    await async_wait(hass, freezer, 10)
    assert starts(zoom) == 1
    zoom.clear_calls()
    sensor_states = record_states(hass, SENSOR)

    # The host stops the stream; the meeting goes on.
    await async_switch(hass, SERVICE_TURN_OFF, SWITCH)
    for _ in range(3):
        await async_poll_zoom(hass, freezer)

    assert running(hass, automation) == 0
    assert stream_requests(zoom) == [{"action": "stop"}]

    # Not `async_block_till_done`: a run the reload started would wait in its
    # delay, and with the clock frozen that wait never ends.
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await async_wait(hass, freezer, 30)
    assert running(hass, automation) == 0
    assert starts(zoom) == 0, "the reload started the stream again"

    zoom.fail(
        "GET", f"/users/{USER_ID}/meetings", HTTPStatus.SERVICE_UNAVAILABLE, text="down"
    )
    await async_poll_zoom(hass, freezer)
    assert state_of(hass, SENSOR) == STATE_UNAVAILABLE
    zoom.heal()
    await async_poll_zoom(hass, freezer)
    await async_wait(hass, freezer, 30)
    assert starts(zoom) == 0, "Zoom answering again started the stream"

    assert sensor_states == [
        (STATE_ON, STATE_UNAVAILABLE),  # the reload
        (STATE_UNAVAILABLE, STATE_ON),
        (STATE_ON, STATE_UNAVAILABLE),  # the outage
        (STATE_UNAVAILABLE, STATE_ON),
    ]
    assert running(hass, automation) == 0
    assert stream_requests(zoom) == [{"action": "stop"}]
    assert state_of(hass, SWITCH) == STATE_OFF
    assert notifications == []


async def test_weekly_sync_is_not_started_by_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    notifications: list[tuple[str | None, str]],
) -> None:
    """At a restart the sensor appears already on: no state -> on is no start."""
    automation = await async_setup_example_automation(hass, WEEKLY_SYNC)
    sensor_states = record_states(hass, SENSOR)
    # Set up without `async_block_till_done`, which would wait for a run's delay.
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await async_wait(hass, freezer, 30)

    assert sensor_states == [(None, STATE_ON)]
    assert running(hass, automation) == 0
    assert stream_requests(zoom) == []
    assert notifications == []


@pytest.mark.usefixtures("init_integration")
async def test_weekly_sync_notifies_when_the_start_is_refused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    notifications: list[tuple[str | None, str]],
) -> None:
    """A refused start: the run goes on, the switch is off, one notification.

    "leave a notification if it did not start ... `continue_on_error` lets the
    automation go on after a refused start; the switch is then off."
    """
    automation = await async_setup_example_automation(hass, WEEKLY_SYNC)
    # Zoom's answer while the host is still joining.
    zoom.fail(
        "PATCH",
        STATUS_PATH,
        HTTPStatus.BAD_REQUEST,
        {"code": 3000, "message": f"Meeting {MEETING_ID} has not started."},
    )
    await async_meeting_starts(hass, freezer, zoom)
    zoom.clear_calls()

    await async_wait(hass, freezer, 10)
    assert running(hass, automation) == 0
    await async_wait(hass, freezer, 60)

    assert stream_requests(zoom) == [{"action": "start"}]
    assert state_of(hass, SWITCH) == STATE_OFF
    assert notifications == [
        ("Zoom Live Stream", "The live stream of the weekly sync did not start.")
    ]


# -- "Desk button toggles the live stream" --------------------------------------------


@pytest.mark.usefixtures("init_integration")
async def test_desk_button_toggles_the_stream(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Each "single" press flips the stream; other actions do nothing.

    The button's action sensor (the user's, here a plain state) goes back to ""
    between presses, as Zigbee2MQTT's action sensors do.
    """
    hass.states.async_set(DESK_BUTTON, "")
    await async_setup_example_automation(hass, DESK_BUTTON_TOGGLES)
    zoom.clear_calls()

    async def press(action: str) -> None:
        for state in (action, ""):
            hass.states.async_set(DESK_BUTTON, state)
            await hass.async_block_till_done()

    await press("single")
    assert stream_requests(zoom) == [{"action": "start"}]
    assert state_of(hass, SWITCH) == STATE_ON
    await press("double")
    assert len(stream_requests(zoom)) == 1
    await press("single")
    assert stream_requests(zoom) == [{"action": "start"}, {"action": "stop"}]
    assert state_of(hass, SWITCH) == STATE_OFF


# -- update_settings ------------------------------------------------------------------------


@pytest.mark.usefixtures("init_integration")
async def test_display_example_sends_nothing_and_goes_with_every_start(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Display fields: "no request to Zoom", "sent with every start"."""
    zoom.clear_calls()
    await async_run_example_action(hass, UPDATE_DISPLAY)
    assert zoom.calls == []

    for _ in range(2):
        await async_switch(hass, SERVICE_TURN_ON, SWITCH)
        await async_switch(hass, SERVICE_TURN_OFF, SWITCH)
    settings = {"display_name": "Weekly team sync", "active_speaker_name": True}
    assert stream_requests(zoom) == [
        {"action": "start", "settings": settings},
        {"action": "stop"},
        {"action": "start", "settings": settings},
        {"action": "stop"},
    ]


def merged_target_requests(
    meeting_id: int, current: dict[str, str], **changes: str
) -> list[tuple[str, str, Any]]:
    """Return what a merged target change of one meeting sends: GET, then PATCH."""
    path = f"/meetings/{meeting_id}/livestream"
    return [("GET", path, None), ("PATCH", path, {**current, **changes})]


@pytest.mark.usefixtures("init_integration")
async def test_resolution_example_merges_into_both_meetings(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Two meetings with a target at Zoom: each is read and written (GET + PATCH)."""
    zoom.livestream[OTHER_MEETING_ID] = dict(PRODUCT_LAUNCH_TARGET)
    zoom.clear_calls()
    await async_run_example_action(hass, UPDATE_RESOLUTION)

    requests = target_requests(zoom)
    # The two meetings are updated in parallel: compare each meeting's own order.
    for meeting_id, current in (
        (OTHER_MEETING_ID, PRODUCT_LAUNCH_TARGET),
        (COMMUNITY_QA_ID, COMMUNITY_QA_TARGET),
    ):
        path = f"/meetings/{meeting_id}/livestream"
        assert [r for r in requests if r[1] == path] == merged_target_requests(
            meeting_id, current, resolution="720p"
        )
    assert len(requests) == 4


@pytest.mark.usefixtures("init_integration")
async def test_resolution_example_needs_a_target_at_zoom(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """The comment: "Only for meetings that already have a stream URL, key and page URL".

    "Product launch" has none yet: it is refused with the README's explanation,
    the other target is still updated ("all are attempted"), and the error says
    which meeting failed and why, and which was changed.
    """
    zoom.clear_calls()
    with pytest.raises(ServiceValidationError) as err:
        await async_run_example_action(hass, UPDATE_RESOLUTION)
    assert err.value.translation_key == "update_settings_partial"
    assert isinstance(err.value.__cause__, ServiceValidationError)
    assert err.value.__cause__.translation_key == "incomplete_stream_target"
    message = str(err.value)
    assert "Product launch does not have all three yet" in message
    assert message.endswith("Changed: Community Q&A")
    assert zoom.livestream[COMMUNITY_QA_ID] == {
        **COMMUNITY_QA_TARGET,
        "resolution": "720p",
    }


@pytest.mark.usefixtures("init_integration")
async def test_youtube_example_sets_the_whole_target(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A meeting without a target gets all of it: one PATCH, the key from secrets.

    And, as the text warns, the key is part of the action's data that Home
    Assistant records: the call_service event carries it.
    """
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    zoom.clear_calls()
    await async_run_example_action(hass, UPDATE_YOUTUBE)

    # URL, key and page URL together: nothing to read, one PATCH.
    assert (
        target_requests(zoom)
        == merged_target_requests(
            OTHER_MEETING_ID,
            {"stream_url": "", "stream_key": "", "page_url": ""},
            stream_url="rtmp://a.rtmp.youtube.com/live2",
            stream_key=SECRETS["youtube_stream_key"],
            page_url="https://www.youtube.com/@example/live",
            resolution="1080p",
        )[1:]
    )
    (call,) = [event for event in calls if event.data["domain"] == DOMAIN]
    assert call.data["service_data"]["stream_key"] == SECRETS["youtube_stream_key"]


# -- the Zoom event entity and the bus event ---------------------------------------------


@WITH_ZOOM_EVENTS
async def test_outside_example_notifies_only_for_starts_outside(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    notifications: list[tuple[str | None, str]],
) -> None:
    """A start in the Zoom client notifies; Home Assistant's own start never does.

    Home Assistant's start is reported by Zoom too (a pushed event): it is still
    Home Assistant's. Stops notify nothing: the example is about going live.
    """
    await async_setup_example_automation(hass, OUTSIDE)

    await async_switch(hass, SERVICE_TURN_ON, SWITCH)
    await async_deliver_stream_event(
        hass, hass_client_no_auth, init_integration, "meeting.live_streaming_started"
    )
    await async_wait(hass, freezer, 1)
    await async_switch(hass, SERVICE_TURN_OFF, SWITCH)
    await async_wait(hass, freezer, 1)
    assert notifications == []

    # The host starts it in the Zoom client, then stops it there.
    zoom.streaming.add(MEETING_ID)
    await async_deliver_stream_event(
        hass, hass_client_no_auth, init_integration, "meeting.live_streaming_started"
    )
    event_state = hass.states.get(EVENT_ENTITY)
    assert event_state is not None
    assert event_state.attributes["source"] == "zoom_event"
    await async_wait(hass, freezer, 1)
    zoom.streaming.discard(MEETING_ID)
    await async_deliver_stream_event(
        hass, hass_client_no_auth, init_integration, "meeting.live_streaming_stopped"
    )

    assert notifications == [
        (
            "Zoom Live Stream",
            "The weekly sync is live (started outside Home Assistant).",
        )
    ]


@WITH_ZOOM_EVENTS
async def test_outside_example_stays_quiet_when_the_entry_reloads(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    notifications: list[tuple[str | None, str]],
) -> None:
    """A reload starts no stream: it must not say again that one started outside.

    The Zoom event entity goes unavailable (no `event_type`) and comes back with
    its last event; nobody started anything.
    """
    await async_setup_example_automation(hass, OUTSIDE)
    zoom.streaming.add(MEETING_ID)
    await async_deliver_stream_event(
        hass, hass_client_no_auth, init_integration, "meeting.live_streaming_started"
    )
    assert len(notifications) == 1

    await async_wait(hass, freezer, 1)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()

    back = hass.states.get(EVENT_ENTITY)
    assert back is not None
    assert back.attributes["event_type"] == "live_stream_started"
    assert len(notifications) == 1, (
        f"{example(OUTSIDE).describe()} notified again after a reload, when no "
        f"stream started: {notifications}"
    )


@WITH_ZOOM_EVENTS
async def test_bus_event_example_notifies_with_the_meetings_topic(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    notifications: list[tuple[str | None, str]],
) -> None:
    """Each stream start Zoom reports, of any meeting, names the meeting's topic.

    Zoom's delivery names another topic than the integration knows (the test
    body always says "Weekly team sync"): the message uses the meeting's own.
    A stop, and a start nobody pushed (a toggle before Zoom reports it), say
    nothing. The trigger filters on the event type only: any meeting of any entry.
    """
    validated = await async_validate_config_item(
        hass, "readme_example", example(BUS_EVENT).config()
    )
    assert validated is not None
    (trigger,) = validated["triggers"]
    assert trigger["event_data"] == {"type": "meeting.live_streaming_started"}
    await async_setup_example_automation(hass, BUS_EVENT)

    await async_switch(hass, SERVICE_TURN_ON, SWITCH)
    await hass.async_block_till_done()
    assert notifications == []
    await async_deliver_stream_event(
        hass, hass_client_no_auth, init_integration, "meeting.live_streaming_started"
    )
    zoom.live.add(COMMUNITY_QA_ID)
    zoom.streaming.add(COMMUNITY_QA_ID)
    await async_deliver_stream_event(
        hass,
        hass_client_no_auth,
        init_integration,
        "meeting.live_streaming_started",
        COMMUNITY_QA_ID,
    )
    await async_deliver_stream_event(
        hass, hass_client_no_auth, init_integration, "meeting.live_streaming_stopped"
    )

    assert notifications == [
        (None, "Weekly team sync is live in Zoom."),
        (None, "Community Q&A is live in Zoom."),
    ]


# -- debug logging ------------------------------------------------------------------------


class RecordsHandler(logging.Handler):
    """Keep every record that reaches it (the integration's, with no level filter)."""

    def __init__(self) -> None:
        """Start with no records."""
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record."""
        self.records.append(record)


@pytest.fixture
def integration_log() -> Iterator[RecordsHandler]:
    """Collect the integration's log records; undo what the logger component changes.

    Logging is process-wide: the logger component sets levels and the logger
    class, which would leak into later tests. The root level starts at WARNING,
    whatever pytest's options made it, so that the snippet's `default: info` and
    its debug level are both seen to change something. Not `caplog`: Home
    Assistant's test plugin sets the root logger to DEBUG for tests that use it,
    and the integration would log at debug level without the snippet.
    """
    root = logging.getLogger()
    logger_class = logging.getLoggerClass()
    levels = {name: logging.getLogger(name).level for name in ("", LOGGER.name)}
    root.setLevel(logging.WARNING)
    LOGGER.setLevel(logging.NOTSET)
    handler = RecordsHandler()
    LOGGER.addHandler(handler)
    yield handler
    LOGGER.removeHandler(handler)
    logging.setLoggerClass(logger_class)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


async def test_logger_example_turns_on_the_integrations_debug_log(
    hass: HomeAssistant,
    setup_integration: SetupIntegration,
    integration_log: RecordsHandler,
) -> None:
    """The logger snippet makes the integration log at debug level, the rest at info.

    The request lines (f"GET /users/{USER_ID}/meetings answered HTTP 200", from the integration's
    Zoom client module) are the debug output the README promises.
    """
    assert not LOGGER.isEnabledFor(logging.DEBUG)
    assert await async_setup_component(hass, "logger", example(DEBUG_LOGGING).config())
    await hass.async_block_till_done()
    assert LOGGER.getEffectiveLevel() == logging.DEBUG
    assert logging.getLogger().getEffectiveLevel() == logging.INFO

    await setup_integration()
    assert f"GET /users/{USER_ID}/meetings answered HTTP 200" in [
        record.getMessage()
        for record in integration_log.records
        if record.levelno == logging.DEBUG
    ]
