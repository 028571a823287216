"""quality_scale.yaml lists every rule, done or honestly exempt, and the claims hold."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
import struct
from typing import Any

import pytest

import homeassistant
from homeassistant.util.yaml import load_yaml_dict

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "zoom_livestream"

RULES = {
    "bronze": [
        "action-setup", "appropriate-polling", "brands", "common-modules",
        "config-flow-test-coverage", "config-flow", "dependency-transparency",
        "docs-actions", "docs-conditions", "docs-high-level-description",
        "docs-installation-instructions", "docs-removal-instructions", "docs-triggers",
        "entity-event-setup", "entity-unique-id",
        "has-entity-name", "runtime-data", "test-before-configure", "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
        "docs-installation-parameters", "entity-unavailable", "integration-owner",
        "log-when-unavailable", "parallel-updates", "reauthentication-flow",
        "test-coverage",
    ],
    "gold": [
        "devices", "diagnostics", "discovery-update-info", "discovery",
        "docs-data-update", "docs-examples", "docs-known-limitations",
        "docs-supported-devices", "docs-supported-functions", "docs-troubleshooting",
        "docs-use-cases", "dynamic-devices", "entity-category", "entity-device-class",
        "entity-disabled-by-default", "entity-translations", "exception-translations",
        "icon-translations", "reconfiguration-flow", "repair-issues", "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}  # fmt: skip
ALL_RULES = [rule for rules in RULES.values() for rule in rules]

# README headings the docs rules ask for.
DOCS_SECTIONS = {
    "docs-data-update": "Data updates",
    "docs-examples": "Examples",
    "docs-known-limitations": "Known limitations",
    "docs-troubleshooting": "Troubleshooting",
    "docs-removal-instructions": "Removal",
    "docs-actions": "Actions",
    "docs-use-cases": "Use cases",
    "docs-supported-functions": "Entities",
    "docs-supported-devices": "Supported",
    "docs-installation-instructions": "Installation",
    "docs-configuration-parameters": "Configuration",
}


def _status(value: Any) -> tuple[str, str | None]:
    if isinstance(value, str):
        return value, None
    return value["status"], value.get("comment")


@pytest.fixture(scope="module")
def rules() -> dict[str, Any]:
    """Return the rules as written in quality_scale.yaml."""
    rules: dict[str, Any] = load_yaml_dict(INTEGRATION / "quality_scale.yaml")["rules"]
    return rules


def test_every_rule_is_listed_and_decided(rules: dict[str, Any]) -> None:
    """No rule is missing, unknown or left as todo; every exemption says why."""
    assert sorted(rules) == sorted(ALL_RULES)
    for rule, value in rules.items():
        status, comment = _status(value)
        assert status in ("done", "exempt"), f"{rule} is {status}"
        if status == "exempt":
            assert comment, f"{rule} is exempt without a reason"


def test_rules_match_the_installed_home_assistant() -> None:
    """No rule the running Home Assistant knows is missing from our list.

    hassfest makes every core integration's quality_scale.yaml list every rule,
    so together they name the rules of the installed release: a rule added
    upstream fails here on the newest version CI tests.
    """
    core_rules: set[str] = set()
    for path in (Path(homeassistant.__file__).parent / "components").glob(
        "*/quality_scale.yaml"
    ):
        core_rules.update(load_yaml_dict(path)["rules"])
    assert core_rules, "no core quality_scale.yaml found"
    assert core_rules <= set(ALL_RULES), sorted(core_rules - set(ALL_RULES))


def test_exemptions_are_only_what_does_not_apply(rules: dict[str, Any]) -> None:
    """A cloud service skips discovery; without triggers or conditions, their docs."""
    exempt = {rule for rule, value in rules.items() if _status(value)[0] == "exempt"}
    assert exempt == {
        "discovery",
        "discovery-update-info",
        "docs-conditions",
        "docs-triggers",
    }
    for path in ("trigger.py", "condition.py", "device_trigger.py"):
        assert not (INTEGRATION / path).exists(), f"{path} exists: document it"


def test_docs_rules_have_their_readme_sections() -> None:
    """Each docs rule marked done has its section in the README."""
    headings = re.findall(r"^#+ (.+)$", (ROOT / "README.md").read_text(), re.MULTILINE)
    for rule, section in DOCS_SECTIONS.items():
        assert any(section.lower() in heading.lower() for heading in headings), rule


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_brands() -> None:
    """Icon 256 and 512 (and a logo) ship with the integration."""
    brand = INTEGRATION / "brand"
    assert _png_size(brand / "icon.png") == (256, 256)
    assert _png_size(brand / "icon@2x.png") == (512, 512)
    assert (brand / "logo.png").is_file()


def test_runtime_data_and_no_hass_data() -> None:
    """Entries keep their state in runtime_data; hass.data holds only the shared pool.

    The connection pool is one per Home Assistant instance, shared by all
    entries (websession.py), so it cannot live in one entry's runtime_data.
    """
    for path in INTEGRATION.rglob("*.py"):
        uses = re.findall(r"hass\.data\b(?:\.\w+\(|\[)?(\w*)", path.read_text())
        if path.name == "websession.py":
            assert set(uses) == {"DATA_POOL"}, uses
        else:
            assert not uses, f"{path.name} uses hass.data"
    source = "\n".join(p.read_text() for p in INTEGRATION.rglob("*.py"))
    assert "runtime_data" in source


def test_integration_owner_and_dependency_transparency() -> None:
    """A code owner, and no requirement the manifest hides."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    assert manifest["codeowners"]
    assert manifest["requirements"] == []


def test_parallel_updates_declared_on_every_platform() -> None:
    """Each entity platform says how many updates may run at once."""
    for platform in ("switch", "binary_sensor", "event", "sensor"):
        assert "PARALLEL_UPDATES" in (INTEGRATION / f"{platform}.py").read_text()


def test_zoom_client_stays_independent() -> None:
    """The client imports nothing from Home Assistant and takes its session injected."""
    for path in (INTEGRATION / "zoom").glob("*.py"):
        assert "homeassistant" not in path.read_text(), path.name
        assert "ClientSession(" not in path.read_text(), path.name
    assert "async_get_entry_session" in (INTEGRATION / "connection.py").read_text()


def test_no_assert_in_the_integration() -> None:
    """Checks that matter must not vanish under `python -O`: no assert statements."""
    for path in INTEGRATION.rglob("*.py"):
        tree = ast.parse(path.read_text())
        asserts = [
            node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)
        ]
        assert not asserts, f"{path.name}: assert on lines {asserts}"
