"""The repository check passes here and catches what hassfest and HACS would."""

from __future__ import annotations

from collections.abc import Callable
import importlib.util
import json
from pathlib import Path
import shutil
from types import ModuleType

import pytest

ROOT = Path(__file__).parent.parent


def _load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_repository", ROOT / "scripts" / "check_repository.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECKER = _load_checker()


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """Return a scratch copy of the files the check reads."""
    shutil.copytree(
        ROOT / "custom_components", tmp_path / "custom_components", dirs_exist_ok=True
    )
    shutil.copy(ROOT / "hacs.json", tmp_path / "hacs.json")
    return tmp_path


def _edit_json(
    path: Path, change: Callable[[dict[str, object]], dict[str, object]]
) -> None:
    path.write_text(json.dumps(change(json.loads(path.read_text()))))


def test_repository_passes() -> None:
    """The real repository has no problem."""
    assert CHECKER.check(ROOT) == []


def test_main_reports_and_fails(
    copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command prints problems and exits 1."""
    (copy / "hacs.json").write_text("{}")
    monkeypatch.setattr("sys.argv", ["check_repository.py", str(copy)])
    assert CHECKER.main() == 1
    assert "hacs.json: name is required" in capsys.readouterr().out


INTEGRATION = Path("custom_components") / "zoom_livestream"


@pytest.mark.parametrize(
    ("file", "change", "problem"),
    [
        (
            "manifest.json",
            lambda m: {"name": m["name"], "domain": m["domain"], **m},
            "keys must be domain, name, then sorted",
        ),
        (
            "manifest.json",
            lambda m: {**m, "iot_class": "cloud_magic"},
            "unknown iot_class",
        ),
        ("manifest.json", lambda m: {**m, "version": "1"}, "version must be"),
        ("manifest.json", lambda m: {**m, "codeowners": ["nobody"]}, "code owners"),
        ("manifest.json", lambda m: {**m, "documentation": "http://x"}, "https URL"),
        (
            "manifest.json",
            lambda m: {k: v for k, v in m.items() if k != "version"},
            "missing version",
        ),
        (
            "manifest.json",
            lambda m: {**m, "integration_type": "gizmo"},
            "unknown integration_type",
        ),
        ("strings.json", lambda s: {**s, "bogus": {}}, "unknown sections"),
        (
            "strings.json",
            lambda s: {**s, "exceptions": {**s["exceptions"], "x": {}}},
            "exception x has no message",
        ),
        (
            "strings.json",
            lambda s: {**s, "issues": {**s["issues"], "x": {"title": "t"}}},
            "issue x needs a title and a description",
        ),
        (
            "icons.json",
            lambda i: {**i, "services": {}},
            "action update_settings has no icon",
        ),
        (
            "icons.json",
            lambda i: {**i, "entity": {}},
            "has no default mdi icon",
        ),
    ],
)
def test_problems_are_found(
    copy: Path,
    file: str,
    change: Callable[[dict[str, object]], dict[str, object]],
    problem: str,
) -> None:
    """Each kind of mistake is reported."""
    _edit_json(copy / INTEGRATION / file, change)
    problems = CHECKER.check(copy)
    assert any(problem in line for line in problems), problems


def test_translation_out_of_sync(copy: Path) -> None:
    """en.json must be the strings file."""
    (copy / INTEGRATION / "translations" / "en.json").write_text("{}")
    assert "translations/en.json differs from strings.json" in CHECKER.check(copy)


def test_services_out_of_sync(copy: Path) -> None:
    """An action field missing from the translations is reported."""
    path = copy / INTEGRATION / "services.yaml"
    path.write_text(
        path.read_text() + "    extra_field:\n      selector:\n        text:\n"
    )
    problems = CHECKER.check(copy)
    assert "services.yaml: update_settings fields differ from strings.json" in problems


def test_unreadable_files(copy: Path) -> None:
    """Broken JSON or YAML is reported, not a crash."""
    (copy / INTEGRATION / "manifest.json").write_text("{")
    (copy / INTEGRATION / "services.yaml").write_text("a: [")
    (copy / "hacs.json").write_text(
        json.dumps({"name": "x", "homeassistant": "latest", "foo": 1})
    )
    problems = CHECKER.check(copy)
    assert any(p.startswith("manifest.json: cannot read") for p in problems)
    assert any(p.startswith("services.yaml: cannot read") for p in problems)
    assert "hacs.json: unknown keys ['foo']" in problems
    assert any("homeassistant must be a release" in p for p in problems)


TRANSLATIONS = INTEGRATION / "translations"


def _drop_issue(t: dict[str, object]) -> dict[str, object]:
    issues = dict(t["issues"])  # type: ignore[call-overload]
    issues.pop("option_skipped")
    return {**t, "issues": issues}


def _add_error(t: dict[str, object]) -> dict[str, object]:
    config = dict(t["config"])  # type: ignore[call-overload]
    config["error"] = {**config["error"], "bogus": "Unbekannt"}
    return {**t, "config": config}


def _set_exception(text: str) -> Callable[[dict[str, object]], dict[str, object]]:
    def change(t: dict[str, object]) -> dict[str, object]:
        exceptions = dict(t["exceptions"])  # type: ignore[call-overload]
        exceptions["cannot_connect"] = {"message": text}
        return {**t, "exceptions": exceptions}

    return change


@pytest.mark.parametrize(
    ("file", "change", "problem"),
    [
        (
            "de.json",
            _drop_issue,
            "translations/de.json: missing keys ['issues.option_skipped.description',"
            " 'issues.option_skipped.title']",
        ),
        (
            "fr.json",
            _add_error,
            "translations/fr.json: unknown keys ['config.error.bogus']",
        ),
        (
            "es.json",
            _set_exception("Zoom no responde para {nombre}."),
            "translations/es.json: exceptions.cannot_connect.message placeholders"
            " ['nombre'] differ from English ['name']",
        ),
        (
            "nl.json",
            _set_exception("Zoom is onbereikbaar."),
            "translations/nl.json: exceptions.cannot_connect.message placeholders"
            " [] differ from English ['name']",
        ),
        (
            "pt-BR.json",
            _set_exception(" "),
            "translations/pt-BR.json: exceptions.cannot_connect.message"
            " is not a non-empty string",
        ),
        (
            "de.json",
            _set_exception("Zoom ist für {name nicht erreichbar."),
            "translations/de.json: exceptions.cannot_connect.message"
            " has a malformed placeholder",
        ),
    ],
)
def test_translation_problems_are_found(
    copy: Path,
    file: str,
    change: Callable[[dict[str, object]], dict[str, object]],
    problem: str,
) -> None:
    """Every translations/*.json is held to strings.json's keys and placeholders."""
    _edit_json(copy / TRANSLATIONS / file, change)
    problems = CHECKER.check(copy)
    assert any(line.startswith(problem) for line in problems), problems


def test_translation_unreadable_or_not_an_object(copy: Path) -> None:
    """Broken JSON, or JSON that is not an object, is reported, not a crash."""
    (copy / TRANSLATIONS / "de.json").write_text("{")
    (copy / TRANSLATIONS / "fr.json").write_text("[]")
    problems = CHECKER.check(copy)
    assert any(p.startswith("de.json: cannot read") for p in problems), problems
    assert "translations/fr.json: not a JSON object" in problems


def test_new_translation_file_is_checked(copy: Path) -> None:
    """A language added later is checked without touching the script."""
    (copy / TRANSLATIONS / "it.json").write_text('{"config": {}}')
    problems = CHECKER.check(copy)
    assert any(p.startswith("translations/it.json: missing keys") for p in problems)
