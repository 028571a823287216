"""The GitHub workflows run what .ci/run runs, on the Pythons scripts/setup accepts.

GitHub runs .github/workflows/; this project's own CI runs .ci/run, and the scripts
decide which Home Assistant and which Python each mode uses. Nothing else ties the
two sides together, so each test here reads both: a change made on one side only
(a new test mode, a new Python bound, a validator dropped) fails here, offline,
instead of on GitHub after the push.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from homeassistant.util.yaml import load_yaml_dict

ROOT = Path(__file__).parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"

HASSFEST = "home-assistant/actions/hassfest@master"
HACS = "hacs/action@main"

# The test command with its mode flags, as .ci/run spells it.
TEST_COMMAND = re.compile(r"\./scripts/test\b(?: --[a-z]+)*")
# A matrix expression; GitHub replaces it with the value of the entry being run.
MATRIX_VALUE = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")
# scripts/setup sets each mode's bounds on one line of a single if/else on --latest.
SETUP_BRANCHES = re.compile(
    r'if \[ "\$\{1:-\}" = "--latest" \]; then\n(?P<latest>[^\n]*)\n'
    r"else\n(?P<minimum>[^\n]*)\nfi"
)

type Version = tuple[int, ...]


def _workflow(name: str) -> dict[Any, Any]:
    """Load one workflow file."""
    return load_yaml_dict(WORKFLOWS / name)


def _on(workflow: dict[Any, Any]) -> Any:
    """Return the workflow's `on:` value.

    YAML 1.1, which PyYAML and so Home Assistant's loader follow, reads an unquoted
    `on` key as the boolean True; GitHub reads it as "on". Accept both.
    """
    return workflow["on"] if "on" in workflow else workflow[True]


def _triggers(workflow: dict[Any, Any]) -> set[str]:
    """Return the events the workflow runs on, whichever form `on:` takes."""
    on = _on(workflow)
    return {on} if isinstance(on, str) else set(on)


def _uses(step: dict[str, Any]) -> str:
    """Return the action a step uses, or "" for a `run:` step."""
    return str(step.get("uses", ""))


def _expand(value: Any, entry: dict[str, Any]) -> Any:
    """Replace matrix expressions in `value` by the entry's values, as GitHub does.

    A string that is one expression becomes the entry's value itself, not its text,
    so that a Python version YAML read as a number (3.10 as 3.1) stays visible.
    """
    if isinstance(value, dict):
        return {key: _expand(item, entry) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item, entry) for item in value]
    if not isinstance(value, str):
        return value

    def lookup(name: str) -> Any:
        assert name in entry, f"tests.yml uses matrix.{name}, which {entry} lacks"
        return entry[name]

    if whole := MATRIX_VALUE.fullmatch(value.strip()):
        return lookup(whole[1])
    return MATRIX_VALUE.sub(lambda match: str(lookup(match[1])), value)


def _matrix_runs() -> list[tuple[Any, str]]:
    """Return (python-version, command) for each run of the tests matrix."""
    jobs = _workflow("tests.yml")["jobs"]
    assert len(jobs) == 1, "tests.yml has one job; its matrix holds the versions"
    job = next(iter(jobs.values()))
    matrix = job["strategy"]["matrix"]
    # With `include` alone each entry is exactly one run; a cross product of lists
    # would pair every Python with every command.
    assert set(matrix) == {"include"}, "list the matrix entries under include only"
    runs = []
    for entry in matrix["include"]:
        steps = _expand(job["steps"], entry)
        assert _uses(steps[0]).startswith("actions/checkout@"), "check out first"
        pythons = [
            step["with"]["python-version"]
            for step in steps
            if _uses(step).startswith("actions/setup-python@")
        ]
        # The scripts build the venv and run every check; any other command here
        # would be a step that .ci/run does not run.
        commands = [step["run"].strip() for step in steps if "run" in step]
        assert len(pythons) == 1, f"{entry}: one setup-python step"
        assert len(commands) == 1, f"{entry}: one command, the project's own"
        runs.append((pythons[0], commands[0]))
    return runs


def _ci_commands() -> set[str]:
    """Return the test commands .ci/run runs, comments left out."""
    commands: set[str] = set()
    for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines():
        commands.update(TEST_COMMAND.findall(line.split("#", 1)[0]))
    return commands


def _version(text: str) -> Version:
    """Turn "3.14.2" into (3, 14, 2)."""
    return tuple(int(part) for part in text.split("."))


def _setup_bounds() -> dict[str, tuple[Version, Version | None]]:
    """Return each mode's Python bounds [min_python, max_python) from scripts/setup."""
    text = (ROOT / "scripts" / "setup").read_text(encoding="utf-8")
    match = SETUP_BRANCHES.search(text)
    assert match, "scripts/setup no longer sets its bounds in one if/else on --latest"
    bounds: dict[str, tuple[Version, Version | None]] = {}
    for mode in ("minimum", "latest"):
        values = dict(re.findall(r"(\w+)=(\S*)", match[mode]))
        high = values["max_python"]
        bounds[mode] = (
            _version(values["min_python"]),
            _version(high) if high else None,
        )
    return bounds


def _mode(command: str) -> str:
    """Return the mode scripts/test runs a command in: --latest picks the newest."""
    return "latest" if "--latest" in command.split()[1:] else "minimum"


def test_tests_run_on_push_and_pull_request() -> None:
    """Every push and pull request is tested, as .ci/run tests every submission."""
    assert {"push", "pull_request"} <= _triggers(_workflow("tests.yml"))


def test_tests_matrix_runs_the_ci_commands() -> None:
    """Two entries, which between them run exactly the commands .ci/run runs."""
    commands = [command for _, command in _matrix_runs()]
    assert len(commands) == 2, commands
    assert sorted(commands) == sorted(_ci_commands()), (
        "tests.yml and .ci/run must run the same test commands"
    )


def test_tests_matrix_python_is_what_scripts_setup_accepts() -> None:
    """Each entry's Python is the lowest series scripts/setup accepts for its mode.

    setup-python installs the newest release of a MAJOR.MINOR series; scripts/setup
    takes a Python in [min_python, max_python), comparing max_python on MAJOR.MINOR.
    The series of min_python is therefore the one to name: 3.13 for the minimum,
    and 3.14 (whose newest release is past 3.14.2) for --latest.
    """
    bounds = _setup_bounds()
    scripts_test = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    # _mode relies on scripts/test handing --latest on to scripts/setup.
    assert "./scripts/setup --latest" in scripts_test
    for python, command in _matrix_runs():
        low, high = bounds[_mode(command)]
        # Unquoted, YAML reads 3.10 as the number 3.1: require the quoted form.
        assert isinstance(python, str), f"{command}: quote python-version {python!r}"
        assert re.fullmatch(r"\d+\.\d+", python), f"{command}: {python} is not X.Y"
        series = _version(python)
        assert series == low[:2], (
            f"{command} runs on Python {python}, but scripts/setup's lowest for it is "
            f"{'.'.join(map(str, low))}"
        )
        assert high is None or series < high[:2], (
            f"{command} runs on Python {python}, which scripts/setup refuses"
        )


def test_validate_runs_hassfest_and_hacs() -> None:
    """Pushes, pull requests and a schedule run hassfest and HACS as an integration."""
    workflow = _workflow("validate.yml")
    assert {"push", "pull_request", "schedule"} <= _triggers(workflow)
    # Both validators change upstream: the schedule catches what breaks without a push.
    schedule = _on(workflow)["schedule"]
    assert schedule, "validate.yml needs at least one cron entry"
    assert all(entry.get("cron") for entry in schedule)

    jobs = list(workflow["jobs"].values())
    hassfest_jobs = [
        uses
        for uses in ([_uses(step) for step in job["steps"]] for job in jobs)
        if HASSFEST in uses
    ]
    assert len(hassfest_jobs) == 1, f"one job uses {HASSFEST}"
    before = hassfest_jobs[0][: hassfest_jobs[0].index(HASSFEST)]
    # hassfest validates the integrations it finds in the working tree.
    assert any(uses.startswith("actions/checkout@") for uses in before), (
        "check out the repository before hassfest"
    )

    hacs_steps = [step for job in jobs for step in job["steps"] if _uses(step) == HACS]
    assert len(hacs_steps) == 1, f"one step uses {HACS}"
    assert hacs_steps[0]["with"]["category"] == "integration"


def test_layout_is_what_hacs_expects_of_an_integration() -> None:
    """One integration under custom_components/, and a hacs.json that installs it.

    HACS validates this repository as category integration: it installs the one
    folder custom_components/<domain>/. content_in_root would move it, and
    zip_release would make HACS download a release archive that only a workflow
    building that file can provide.
    """
    manifests = sorted((ROOT / "custom_components").glob("*/manifest.json"))
    assert len(manifests) == 1, manifests
    manifest = json.loads(manifests[0].read_text(encoding="utf-8"))
    assert manifests[0].parent.name == manifest["domain"]

    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    assert {"name", "homeassistant"} <= set(hacs)
    assert not hacs.get("content_in_root")
    if hacs.get("zip_release"):
        filename = hacs.get("filename")
        assert filename, "zip_release needs the archive's filename"
        assert any(filename in path.read_text() for path in WORKFLOWS.glob("*.yml")), (
            f"no workflow builds the release archive {filename}"
        )
