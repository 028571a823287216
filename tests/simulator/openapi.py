"""Check the simulator's answers against Zoom's own OpenAPI document.

The document is ``../shared/zoom/meeting-api.yaml`` beside this repository (or
``$ZOOM_OPENAPI``): Zoom's Meeting API, trimmed to the eight paths the project
calls. Only what those schemas use is checked: type, enum, properties,
required, items, lengths, bounds, and the date-time and email formats.

Answers every Zoom path may give, besides those each operation documents:
401 (code 124, or 4700/4711 for scopes), 429 (rate limits) and 400 with code 300
(request validation), all in zoom-api.md's error table.
"""

from __future__ import annotations

from dataclasses import dataclass
import importlib
import json
import os
from pathlib import Path
import re
from typing import Any

# PyYAML (a Home Assistant requirement) ships no type hints.
_yaml = importlib.import_module("yaml")

DEFAULT_SPEC = Path(__file__).resolve().parents[3] / "shared/zoom/meeting-api.yaml"
SPEC_PATH = Path(os.environ.get("ZOOM_OPENAPI", str(DEFAULT_SPEC)))

CROSS_CUTTING_STATUSES = frozenset({401, 429})
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_TEMPLATES = (
    ("/users/{userId}/meetings", re.compile(r"^/v2/users/[^/]+/meetings$")),
    ("/users/{userId}/webinars", re.compile(r"^/v2/users/[^/]+/webinars$")),
    ("/meetings/{meetingId}", re.compile(r"^/v2/meetings/[^/]+$")),
    (
        "/meetings/{meetingId}/livestream",
        re.compile(r"^/v2/meetings/[^/]+/livestream$"),
    ),
    (
        "/meetings/{meetingId}/livestream/status",
        re.compile(r"^/v2/meetings/[^/]+/livestream/status$"),
    ),
    ("/webinars/{webinarId}", re.compile(r"^/v2/webinars/[^/]+$")),
    (
        "/webinars/{webinarId}/livestream",
        re.compile(r"^/v2/webinars/[^/]+/livestream$"),
    ),
    (
        "/webinars/{webinarId}/livestream/status",
        re.compile(r"^/v2/webinars/[^/]+/livestream/status$"),
    ),
)


def template_of(path: str) -> str | None:
    """Return the document's path template for a request path, if it has one."""
    return next((name for name, pattern in _TEMPLATES if pattern.match(path)), None)


@dataclass
class Answer:
    """What the simulator answered one request."""

    method: str
    path: str
    status: int
    content_type: str
    body: bytes


class OpenApi:
    """Zoom's OpenAPI document, loaded once."""

    def __init__(self, path: Path = SPEC_PATH) -> None:
        """Load the document."""
        self.document: dict[str, Any] = _yaml.safe_load(path.read_text())

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.document["components"]["schemas"][name]
        return schema

    def problems(self, answer: Answer, *, empty_200: bool = False) -> list[str]:
        """Return why an answer breaks the document (empty: it does not).

        ``empty_200`` accepts a 200 with no body: zoom-api.md's newer fact for
        the live-stream read of a meeting that never had a target.
        """
        template = template_of(answer.path)
        where = f"{answer.method} {answer.path} -> {answer.status}"
        if template is None:
            return [f"{where}: not one of the document's paths"]
        operation = self.document["paths"][template][answer.method.lower()]
        documented = operation["responses"].get(str(answer.status))
        if documented is None:
            if answer.status in CROSS_CUTTING_STATUSES or (
                answer.status == 400 and _error_code(answer.body) == 300
            ):
                return [f"{where}: {p}" for p in _error_problems(answer)]
            return [f"{where}: status not documented for {template}"]
        if answer.status >= 400:
            return [f"{where}: {p}" for p in _error_problems(answer)]
        content = documented.get("content")
        if content is None:
            return [] if answer.body == b"" else [f"{where}: a body where none is"]
        if empty_200 and answer.status == 200 and answer.body == b"":
            return []
        if answer.content_type != "application/json":
            return [f"{where}: content type {answer.content_type}"]
        try:
            body = json.loads(answer.body)
        except ValueError:
            return [f"{where}: body is not JSON"]
        schema = content["application/json"]["schema"]
        return [f"{where}: {p}" for p in self.schema_problems(schema, body, "$")]

    def schema_problems(self, schema: dict[str, Any], value: Any, at: str) -> list[str]:
        """Return how ``value`` breaks ``schema``."""
        schema = self._resolve(schema)
        kind = schema.get("type")
        if kind is not None and not _is_a(kind, value):
            return [f"{at} is {value!r}, not {kind}"]
        problems: list[str] = []
        if "enum" in schema and value not in schema["enum"]:
            # The document's enums lag its descriptions: "type" lists `4` - PMI
            # Meeting in its description but not in its enum. The description wins.
            if f"`{value}`" not in schema.get("description", ""):
                problems.append(f"{at} is {value!r}, not one of {schema['enum']}")
        if isinstance(value, str):
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                problems.append(f"{at} is longer than {schema['maxLength']}")
            if "minLength" in schema and len(value) < schema["minLength"]:
                problems.append(f"{at} is shorter than {schema['minLength']}")
            if schema.get("format") == "date-time" and not _DATE_TIME.match(value):
                problems.append(f"{at} is not a date-time: {value!r}")
            if schema.get("format") == "email" and "@" not in value:
                problems.append(f"{at} is not an email: {value!r}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            if "maximum" in schema and value > schema["maximum"]:
                problems.append(f"{at} is over {schema['maximum']}")
            if "minimum" in schema and value < schema["minimum"]:
                problems.append(f"{at} is under {schema['minimum']}")
        if isinstance(value, dict):
            problems.extend(
                f"{at}.{name} is missing"
                for name in schema.get("required", [])
                if name not in value
            )
            for name, item_schema in schema.get("properties", {}).items():
                if name in value:
                    problems.extend(
                        self.schema_problems(item_schema, value[name], f"{at}.{name}")
                    )
        if isinstance(value, list):
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                problems.append(f"{at} has more than {schema['maxItems']} items")
            if "items" in schema:
                for index, item in enumerate(value):
                    problems.extend(
                        self.schema_problems(schema["items"], item, f"{at}[{index}]")
                    )
        return problems


def _is_a(kind: str, value: object) -> bool:
    """Tell whether a JSON value is of an OpenAPI type (a bool is no number)."""
    if isinstance(value, bool):
        return kind == "boolean"
    types: dict[str, type | tuple[type, ...]] = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
    }
    return isinstance(value, types[kind])


def _error_code(body: bytes) -> object:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed.get("code") if isinstance(parsed, dict) else None


def _error_problems(answer: Answer) -> list[str]:
    """Zoom's error shape: ``{"code": int, "message": str}`` (and ``errors``)."""
    try:
        body = json.loads(answer.body)
    except ValueError:
        return ["error body is not JSON"]
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("code"), int)
        or not isinstance(body.get("message"), str)
        or not set(body) <= {"code", "message", "errors"}
    ):
        return [f"error body {body!r} is not Zoom's shape"]
    return []
