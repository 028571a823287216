"""Check what hassfest and HACS would check, since neither runs on this repository.

Usage: python scripts/check_repository.py [ROOT]. Prints each problem and exits 1
when there is any.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
from string import Formatter
import sys
from typing import Any

from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.yaml import load_yaml_dict

DOMAIN = "zoom_livestream"
MANIFEST_REQUIRED = (
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "version",
)
IOT_CLASSES = {
    "assumed_state",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
    "calculated",
}
INTEGRATION_TYPES = {
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
}
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "hacs",
    "persistent_directory",
    "render_readme",
}
STRINGS_SECTIONS = {
    "config",
    "options",
    "application_credentials",
    "selector",
    "entity",
    "services",
    "issues",
    "exceptions",
}


def _load_json(path: Path, problems: list[str]) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        problems.append(f"{path.name}: cannot read: {err}")
        return None


def check_manifest(integration: Path, problems: list[str]) -> None:
    """Keys, their order (domain, name, then sorted) and their values."""
    manifest = _load_json(integration / "manifest.json", problems)
    if not isinstance(manifest, dict):
        return
    keys = list(manifest)
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        problems.append("manifest.json: keys must be domain, name, then sorted")
    problems.extend(
        f"manifest.json: missing {key}"
        for key in MANIFEST_REQUIRED
        if key not in manifest
    )
    if manifest.get("domain") != DOMAIN or integration.name != DOMAIN:
        problems.append("manifest.json: domain must match the folder name")
    if manifest.get("iot_class") not in IOT_CLASSES:
        problems.append("manifest.json: unknown iot_class")
    if manifest.get("integration_type") not in INTEGRATION_TYPES:
        problems.append("manifest.json: unknown integration_type")
    if not re.fullmatch(r"\d+\.\d+\.\d+", str(manifest.get("version", ""))):
        problems.append("manifest.json: version must be MAJOR.MINOR.PATCH")
    if not all(str(owner).startswith("@") for owner in manifest.get("codeowners", [])):
        problems.append("manifest.json: code owners are @-names")
    problems.extend(
        f"manifest.json: {key} must be an https URL"
        for key in ("documentation", "issue_tracker")
        if not str(manifest.get(key, "")).startswith("https://")
    )


def check_hacs(root: Path, problems: list[str]) -> None:
    """hacs.json: known keys, a name and a minimum Home Assistant version."""
    hacs = _load_json(root / "hacs.json", problems)
    if not isinstance(hacs, dict):
        return
    if unknown := set(hacs) - HACS_KEYS:
        problems.append(f"hacs.json: unknown keys {sorted(unknown)}")
    if not hacs.get("name"):
        problems.append("hacs.json: name is required")
    if not re.fullmatch(r"\d{4}\.\d+\.\d+", str(hacs.get("homeassistant", ""))):
        problems.append("hacs.json: homeassistant must be a release like 2025.4.4")


def check_strings(integration: Path, problems: list[str]) -> dict[str, Any]:
    """strings.json's sections, and translations/en.json identical to it."""
    strings = _load_json(integration / "strings.json", problems)
    if not isinstance(strings, dict):
        return {}
    if unknown := set(strings) - STRINGS_SECTIONS:
        problems.append(f"strings.json: unknown sections {sorted(unknown)}")
    if _load_json(integration / "translations" / "en.json", problems) != strings:
        problems.append("translations/en.json differs from strings.json")
    for flow in ("config", "options"):
        for step_id, step in strings.get(flow, {}).get("step", {}).items():
            if set(step.get("data", {})) != set(step.get("data_description", {})):
                problems.append(
                    f"strings.json: {flow} step {step_id} lacks data_description"
                )
    for key, value in strings.get("exceptions", {}).items():
        if not isinstance(value, dict) or not value.get("message"):
            problems.append(f"strings.json: exception {key} has no message")
    for key, value in strings.get("issues", {}).items():
        if not isinstance(value, dict) or not {"title", "description"} <= set(value):
            problems.append(
                f"strings.json: issue {key} needs a title and a description"
            )
    return strings


def _flatten(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Yield (dotted key, leaf) for every leaf below `value`."""
    if isinstance(value, dict) and value:
        for key, child in value.items():
            yield from _flatten(child, (*path, str(key)))
    else:
        yield ".".join(path), value


def _placeholders(text: str) -> set[str]:
    """Return the {placeholders} of a string, as Home Assistant formats it."""
    return {field for _, field, _, _ in Formatter().parse(text) if field is not None}


def check_translation(
    path: Path, expected: dict[str, set[str]], problems: list[str]
) -> None:
    """One translations/*.json: the keys and placeholders of strings.json."""
    name = f"translations/{path.name}"
    translation = _load_json(path, problems)
    if not isinstance(translation, dict):
        if translation is not None:
            problems.append(f"{name}: not a JSON object")
        return
    leaves = dict(_flatten(translation))
    if missing := sorted(set(expected) - set(leaves)):
        problems.append(f"{name}: missing keys {missing}")
    if extra := sorted(set(leaves) - set(expected)):
        problems.append(f"{name}: unknown keys {extra}")
    for key in sorted(set(leaves) & set(expected)):
        text = leaves[key]
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{name}: {key} is not a non-empty string")
            continue
        try:
            found = _placeholders(text)
        except ValueError as err:
            problems.append(f"{name}: {key} has a malformed placeholder: {err}")
            continue
        if found != expected[key]:
            problems.append(
                f"{name}: {key} placeholders {sorted(found)}"
                f" differ from English {sorted(expected[key])}"
            )


def check_translations(
    integration: Path, strings: dict[str, Any], problems: list[str]
) -> None:
    """Every other translations/*.json has English's keys and placeholders."""
    expected: dict[str, set[str]] = {}
    for key, text in _flatten(strings):
        try:
            expected[key] = _placeholders(text) if isinstance(text, str) else set()
        except ValueError as err:
            problems.append(f"strings.json: {key} has a malformed placeholder: {err}")
            expected[key] = set()
    for path in sorted((integration / "translations").glob("*.json")):
        if path.name != "en.json":
            check_translation(path, expected, problems)


def check_services(
    integration: Path, strings: dict[str, Any], problems: list[str]
) -> None:
    """services.yaml and the action's translations describe the same fields."""
    try:
        services = load_yaml_dict(integration / "services.yaml")
    except (OSError, HomeAssistantError) as err:
        problems.append(f"services.yaml: cannot read: {err}")
        return
    translated = strings.get("services", {})
    if set(services) != set(translated):
        problems.append("services.yaml and strings.json list different actions")
    for name, service in services.items():
        fields = set((service or {}).get("fields", {}))
        if fields != set(translated.get(name, {}).get("fields", {})):
            problems.append(f"services.yaml: {name} fields differ from strings.json")
        problems.extend(
            f"services.yaml: {name}.{field} has no selector"
            for field in fields
            if "selector" not in service["fields"][field]
        )


def check_icons(
    integration: Path, strings: dict[str, Any], problems: list[str]
) -> None:
    """icons.json: a default icon for each translated entity, one per action."""
    icons = _load_json(integration / "icons.json", problems)
    if not isinstance(icons, dict):
        return
    for platform, entities in strings.get("entity", {}).items():
        for key in entities:
            icon = icons.get("entity", {}).get(platform, {}).get(key, {})
            if not str(icon.get("default", "")).startswith("mdi:"):
                problems.append(f"icons.json: {platform}.{key} has no default mdi icon")
    service_icons = icons.get("services", {})
    problems.extend(
        f"icons.json: action {name} has no icon"
        for name in strings.get("services", {})
        if not str(service_icons.get(name, {}).get("service", "")).startswith("mdi:")
    )


def check(root: Path) -> list[str]:
    """Return every problem found below `root`."""
    problems: list[str] = []
    integration = root / "custom_components" / DOMAIN
    check_manifest(integration, problems)
    check_hacs(root, problems)
    strings = check_strings(integration, problems)
    if strings:
        check_translations(integration, strings, problems)
    check_services(integration, strings, problems)
    check_icons(integration, strings, problems)
    return problems


def main() -> int:
    """Check the repository given on the command line (default: this one)."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent
    problems = check(root)
    for problem in problems:
        print(f"check_repository: {problem}")
    print(f"check_repository: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
