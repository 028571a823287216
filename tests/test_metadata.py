"""The integration's metadata agrees with its code: translations, actions, icons, manifest."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from awesomeversion import AwesomeVersion
import pytest

from custom_components.zoom_livestream.compat import vol
from custom_components.zoom_livestream.errors import translation_for
from custom_components.zoom_livestream.event import EVENT_TYPES
from custom_components.zoom_livestream.services import (
    SETTING_FIELDS,
    UPDATE_SETTINGS_SCHEMA,
)
from custom_components.zoom_livestream.zoom import (
    ZoomApiError,
    ZoomAuthenticationError,
    ZoomConnectionError,
    ZoomError,
    ZoomNotFoundError,
    ZoomPermissionError,
    ZoomRateLimitError,
)
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.util.yaml import load_yaml_dict

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "zoom_livestream"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


STRINGS = _json(INTEGRATION / "strings.json")
EXCEPTIONS = STRINGS["exceptions"]


def test_english_translation_is_the_strings_file() -> None:
    """Custom integrations ship full English text; it must match strings.json."""
    assert _json(INTEGRATION / "translations" / "en.json") == STRINGS


@pytest.mark.parametrize(
    "error",
    [
        ZoomError("x"),
        ZoomConnectionError("x"),
        ZoomAuthenticationError("x"),
        ZoomRateLimitError("x", retry_after=None),
        ZoomApiError(400, 1, "x"),
        ZoomNotFoundError(404, 3001, "x"),
        ZoomApiError(400, 3000, "x"),
        ZoomPermissionError(400, 4711, "x"),
    ],
)
def test_every_zoom_error_has_both_translations(error: ZoomError) -> None:
    """Each client error reads well from a toggle and from a failed poll."""
    key, placeholders = translation_for(error, "Weekly team sync")
    for translation_key in (key, f"update_{key}"):
        message = EXCEPTIONS[translation_key]["message"]
        # Every placeholder the message uses is supplied.
        assert set(re.findall(r"{(\w+)}", message)) <= set(placeholders)


def test_every_raised_translation_key_exists() -> None:
    """Keys raised in the code (literal or through _invalid) are all translated.

    Entity descriptions' translation keys are entity names, checked against the
    entity section; every other literal key is an exception's.
    """
    source = "\n".join(p.read_text() for p in INTEGRATION.glob("*.py"))
    description = re.compile(r"(\w+)EntityDescription\((?:[^()]|\([^()]*\))*\)")
    for match in description.finditer(source):
        platform = (
            re.sub(r"(?<!^)(?=[A-Z])", "_", match[1]).lower().removeprefix("zoom_")
        )
        for key in re.findall(r'translation_key="(\w+)"', match[0]):
            assert key in STRINGS["entity"][platform], (platform, key)
    source = description.sub("", source)
    keys = set(re.findall(r'translation_key="(\w+)"', source))
    keys |= set(re.findall(r'_invalid\(\s*"(\w+)"', source))
    assert keys
    assert keys <= set(EXCEPTIONS)


def test_config_flow_strings_cover_its_reasons() -> None:
    """Errors and abort reasons set in the flow have text."""
    source = (INTEGRATION / "config_flow.py").read_text()
    config = STRINGS["config"]
    errors = set(re.findall(r'"(invalid_auth|cannot_connect|unknown)"', source))
    assert errors == {"invalid_auth", "cannot_connect", "unknown"}
    assert errors <= set(config["error"])
    reasons = set(re.findall(r'reason="(\w+)"', source))
    options_reasons = {"stream_target_saved", "not_loaded", "meeting_gone"}
    assert reasons - options_reasons <= set(config["abort"])
    assert set(STRINGS["options"]["abort"]) == options_reasons
    assert {"already_configured", "reauth_successful", "reconfigure_successful"} <= set(
        config["abort"]
    )
    for step in [*config["step"].values(), *STRINGS["options"]["step"].values()]:
        # Every field has a label and a description (the data_description rule).
        assert set(step.get("data", {})) == set(step.get("data_description", {}))
    # Each step the flow can show has text: the menu, its options and the forms.
    step_ids = set(re.findall(r'step_id="(\w+)"', source))
    step_ids |= {"user", "server_to_server", "oauth", "reauth_confirm", "reconfigure"}
    options_steps = {"init", "settings", "stream_target", "stream_target_meeting"}
    assert step_ids - options_steps <= set(config["step"])
    assert set(STRINGS["options"]["step"]) == options_steps
    assert set(STRINGS["options"]["step"]["init"]["menu_options"]) == {
        "settings",
        "stream_target",
    }
    assert set(config["step"]["user"]["menu_options"]) == {"server_to_server", "oauth"}


def test_action_fields_agree() -> None:
    """services.yaml, strings.json and the schema list the same fields."""
    services = load_yaml_dict(INTEGRATION / "services.yaml")
    yaml_fields = set(services["update_settings"]["fields"])
    assert yaml_fields == set(SETTING_FIELDS)
    assert yaml_fields == set(STRINGS["services"]["update_settings"]["fields"])
    for field in yaml_fields:
        value: Any = True if field == "active_speaker_name" else "x"
        UPDATE_SETTINGS_SCHEMA({"entity_id": ["switch.a"], field: value})
    with pytest.raises(vol.Invalid):
        UPDATE_SETTINGS_SCHEMA({"entity_id": ["switch.a"], "bogus": "x"})
    assert services["update_settings"]["target"]["entity"] == {
        "integration": "zoom_livestream",
        "domain": "switch",
    }


def test_icons_cover_entities_and_actions() -> None:
    """Every translated entity and every action has an icon."""
    icons = _json(INTEGRATION / "icons.json")
    for platform, entities in STRINGS["entity"].items():
        assert set(entities) == set(icons["entity"][platform])
    assert set(STRINGS["services"]) == set(icons["services"])


def test_options_description_shows_no_bad_value() -> None:
    """The offending value belongs to the field's error, not the dialog's text.

    The dialog said "...Webinar ended. 12abc" when an ID was refused.
    """
    options = STRINGS["options"]["step"]["settings"]
    assert "{value}" not in options["description"]
    for error in STRINGS["options"]["error"].values():
        assert "(none" not in error
    assert "{value}" in STRINGS["options"]["error"]["invalid_meeting_id"]


def test_stream_deck_key_shows_the_stream_state() -> None:
    """A dashboard button or Stream Deck key showing the switch changes its icon.

    Home Assistant picks the state icon from icons.json: on and off must differ,
    and so must the in-progress sensor's.
    """
    icons = _json(INTEGRATION / "icons.json")["entity"]
    for platform, key in (("switch", "live_stream"), ("binary_sensor", "in_progress")):
        entity = icons[platform][key]
        assert entity["state"]["on"] != entity["default"], f"{platform}.{key}"
    # Each event type its own icon.
    event_states = icons["event"]["zoom_event"]["state_attributes"]["event_type"]
    assert set(event_states["state"]) == set(EVENT_TYPES)
    assert len(set(event_states["state"].values())) == len(EVENT_TYPES)


def test_manifest() -> None:
    """Keys as hassfest wants them for a custom integration, sorted after domain and name."""
    manifest = _json(INTEGRATION / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == "zoom_livestream"
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] == "cloud_polling"
    # An account with many meetings: a hub of devices, and the UI says "devices"
    # (with "service" it said "5 services", "Add service" and "Service info").
    assert manifest["integration_type"] == "hub"
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    for key in ("documentation", "issue_tracker", "codeowners"):
        assert manifest[key]
    # Everything the integration imports ships with Home Assistant.
    assert manifest["requirements"] == []


def _pinned_home_assistant(requirements: str) -> str:
    pins = re.findall(
        r"^homeassistant==([\d.]+)$", (ROOT / requirements).read_text(), re.MULTILINE
    )
    assert len(pins) == 1, requirements
    return str(pins[0])


def test_hacs_minimum_is_the_tested_minimum() -> None:
    """hacs.json names the oldest release the tests run on; this run is one of the two."""
    minimum = _pinned_home_assistant("requirements_test.txt")
    newest = _pinned_home_assistant("requirements_latest.txt")
    hacs = _json(ROOT / "hacs.json")
    assert hacs["name"] == "Zoom Live Stream"
    assert hacs["homeassistant"] == minimum
    assert AwesomeVersion(minimum) < AwesomeVersion(newest)
    assert HA_VERSION in (minimum, newest)
    # The README's Requirements section states the same range.
    readme = (ROOT / "README.md").read_text()
    assert f"Home Assistant {minimum}" in readme
    assert f"{newest}" in readme
