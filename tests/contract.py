"""Zoom's own OpenAPI document as the judge of the test doubles and the client.

Every request a test double receives (the `ZoomMock` of tests/conftest.py, the
loopback `ZoomServer` of tests/zoom, the simulator in tests/simulator) is matched
to an operation of Zoom's Meeting API document (tests/fixtures/zoom/meeting-api.yaml,
a copy of ../shared/zoom/meeting-api.yaml) and checked against it: path and query
parameters, the JSON body and the `Authorization` header its security asks for.
Every answer the double gives is checked too: the status must be one the document
lists for that operation (or one Zoom documents for every operation, see
`GLOBAL_STATUSES`), and a 2xx body must match the operation's response schema.

Requests outside the document (`POST /oauth/token`, `GET /users/{userId}`: the
trimmed document has neither) are counted, not checked.

A mismatch is recorded, not raised where it happens (the integration could catch
the exception); `ContractPlugin` fails the test that caused it, with every
mismatch in the message, and prints the totals in pytest's terminal summary.

The document is Zoom's 2024 copy. Where ../shared/zoom-api.md has a newer fact,
it is added here in one place each: `_add_newer_facts` (the start settings of a
meeting's stream) and `EMPTY_BODY_OPERATIONS` (a live-stream read without a target).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
import json
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit

from jsonschema import FormatChecker  # type: ignore[import-untyped]
from openapi_schema_validator import OAS30Validator, oas30_format_checker
import pytest
import yaml  # type: ignore[import-untyped]

if TYPE_CHECKING:
    # Exported as pytest.TerminalReporter only from pytest 8.4.
    from _pytest.terminal import TerminalReporter

DOCUMENT: Final = Path(__file__).parent / "fixtures" / "zoom" / "meeting-api.yaml"
# Where the document comes from: the project's shared folder beside the checkout.
SHARED_DOCUMENT: Final = (
    Path(__file__).parents[2] / "shared" / "zoom" / "meeting-api.yaml"
)

JSON_MEDIA_TYPE: Final = "application/json"

# Statuses Zoom documents for every operation, not per operation, because they
# depend on the request's credentials or on Zoom's load rather than on the
# operation. Source: Zoom's "Error Codes" page (developers.zoom.us/docs/api/errors/:
# "4XX/5XX status codes represent an error"; 401 "Invalid/missing credentials",
# 403 "User does not have permission", 429 "Hit an API rate limit"), and the
# "Rate Limit Label" every operation's description links (marketplace.zoom.us/docs/
# api-reference/rate-limits); ../shared/zoom-api.md, "Errors" and "Rate limits".
# 5xx (any server error) is allowed by `_allowed_anywhere`.
GLOBAL_STATUSES: Final = frozenset({401, 403, 429})
# 400 with these codes: a token without a needed scope, on any API
# (../shared/zoom-api.md, "Errors": "400/401 | 4711" and "400/401 | 4700").
SCOPE_ERROR_CODES: Final = frozenset({4700, 4711})
# 400 (code 300) is also Zoom's answer to any request that fails its validation
# (../shared/zoom-api.md, "Errors"), so a request the document rejects may get one.

# The one exception to "a 2xx answer has the documented body": ../shared/zoom-api.md
# ("live stream config", *unconfirmed*) reports that `GET .../livestream` of a
# meeting (or webinar) that never had a stream target answers 200 with an empty
# body, and says to treat "an empty or 204 body" as no target yet; `{}` already
# matches the documented schema (no field is required).
EMPTY_BODY_OPERATIONS: Final = frozenset(
    {"Meetings_getLivestreamDetails", "Webinars_getLiveStreamDetails"}
)

# The query and path parameter types the document uses, and how a string reads as each.
_SCALARS: Final = frozenset({"string", "integer", "number", "boolean"})
_INTEGER: Final = re.compile(r"-?[0-9]+")
_NUMBER: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_MAX_ERRORS: Final = 5
_MAX_MESSAGE: Final = 300


def _format_checker() -> Any:
    """Check the formats the document uses: OpenAPI's and JSON Schema's.

    OpenAPI 3.0's own (`int32`, `int64`, ...) from openapi-schema-validator, and
    JSON Schema's `date-time`, `date`, `email` and `uri` from jsonschema (with
    rfc3339-validator and rfc3986-validator installed, as requirements_test.txt has).
    """
    checker = FormatChecker()
    for name, check in oas30_format_checker.checkers.items():
        checker.checkers[name] = check
    return checker


FORMATS: Final = _format_checker()


def load_document(path: Path = DOCUMENT) -> dict[str, Any]:
    """Return the document, with the newer facts of ../shared/zoom-api.md added."""
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    _add_newer_facts(document)
    return document


def _add_newer_facts(document: dict[str, Any]) -> None:
    """Add what ../shared/zoom-api.md knows and the 2024 document does not.

    A MEETING's stream start (`PATCH /meetings/{meetingId}/livestream/status`)
    also takes `settings.layout` and `settings.close_caption`: Zoom's official Node
    SDK (rivet-javascript) has them, the published document does not (zoom-api.md,
    "Endpoints", start / stop). Webinars' start settings do not get them.

    List webinars (`GET /users/{userId}/webinars`) pages with `next_page_token`:
    the document's own `page_number` says "**Deprecated** ... Instead, use the
    `next_page_token` for pagination", and its answer carries one, but the 2024
    copy lists no such query parameter there (List meetings has it).
    """
    webinars = document["paths"]["/users/{userId}/webinars"]["get"]
    webinars["parameters"].append(
        {
            "description": "The token of the next page (the previous answer's).",
            "explode": True,
            "in": "query",
            "name": "next_page_token",
            "required": False,
            "schema": {"type": "string"},
            "style": "form",
        }
    )
    settings = document["components"]["schemas"][
        "MeetingsLivestreamStatusUpdateRequest_settings"
    ]["properties"]
    settings["layout"] = {
        "type": "string",
        "enum": ["follow_host", "gallery_view", "speaker_view"],
    }
    settings["close_caption"] = {
        "type": "string",
        "enum": ["burnt-in", "embedded", "off"],
    }


def _errors(validator: Any, instance: Any, where: str) -> list[str]:
    """Return each way `instance` fails the validator's schema, said where."""
    problems: list[str] = []
    try:
        errors = sorted(
            validator.iter_errors(instance), key=lambda e: list(e.absolute_path)
        )
    except RecursionError:
        return [f"{where}: nested too deeply to check"]
    for error in errors:
        location = "".join(f"[{part!r}]" for part in error.absolute_path)
        message = error.message
        if len(message) > _MAX_MESSAGE:
            # The value comes first and the reason last: keep both ends.
            half = _MAX_MESSAGE // 2
            message = f"{message[:half]}...{message[-half:]}"
        problems.append(f"{where}{location}: {message}")
    return problems[:_MAX_ERRORS]


def _validator(schema: Mapping[str, Any], components: Mapping[str, Any]) -> Any:
    """Return an OpenAPI 3.0 validator of `schema` whose `#/components` resolve."""
    return OAS30Validator({**schema, "components": components}, format_checker=FORMATS)


def _closed(schema: Any, components: Mapping[str, Any], depth: int = 0) -> Any:
    """Return a request schema that rejects properties it does not name.

    OpenAPI allows them unless `additionalProperties: false`, which Zoom's
    document never says; but Zoom ignores a field it does not know, so a misspelt
    or unsupported one (`layout` on a webinar's start) would change nothing,
    silently. Requests are held to the named properties; answers are not (Zoom
    adds fields to its answers).
    """
    if depth > 20:
        raise NotImplementedError("a recursive request schema")
    if isinstance(schema, list):
        return [_closed(item, components, depth + 1) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if isinstance(ref := schema.get("$ref"), str):
        name = ref.removeprefix("#/components/schemas/")
        return _closed(components["schemas"][name], components, depth + 1)
    closed = {
        key: value
        if key in ("enum", "example", "default", "required")
        else _closed(value, components, depth + 1)
        for key, value in schema.items()
    }
    if (
        isinstance(schema.get("properties"), dict)
        and "additionalProperties" not in closed
    ):
        closed["additionalProperties"] = False
    return closed


def _media_type(content_type: str | None) -> str | None:
    if content_type is None:
        return None
    return content_type.partition(";")[0].strip().lower() or None


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """A path or query parameter of an operation."""

    name: str
    location: str
    required: bool
    type: str
    validator: Any

    def problems(self, raw: str) -> list[str]:
        """Return how the parameter's value (as sent: a string) fails its schema."""
        where = f"{self.location} parameter {self.name}={raw!r}"
        value: Any = raw
        if self.type == "integer":
            if not _INTEGER.fullmatch(raw):
                return [f"{where}: not an integer"]
            value = int(raw)
        elif self.type == "number":
            if not _NUMBER.fullmatch(raw):
                return [f"{where}: not a number"]
            value = float(raw)
        elif self.type == "boolean":
            if raw not in ("true", "false"):
                return [f"{where}: not true or false"]
            value = raw == "true"
        return _errors(self.validator, value, where)


@dataclass(frozen=True, kw_only=True)
class Operation:
    """One operation of the document, ready to check requests and answers."""

    method: str
    template: str
    operation_id: str
    segments: tuple[str, ...]
    parameters: Mapping[str, Parameter]
    body_validator: Any
    body_required: bool
    # Status (as the document writes it, "200") -> the JSON schema's validator of
    # its body, or None when the document gives that status no body.
    responses: Mapping[str, Any]

    @property
    def name(self) -> str:
        """The operation as a person reads it: `GET /meetings/{meetingId}`."""
        return f"{self.method} {self.template} ({self.operation_id})"

    def match(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        """Return the path parameters if the path's segments are this template's."""
        if len(segments) != len(self.segments):
            return None
        values: dict[str, str] = {}
        for part, template in zip(segments, self.segments, strict=True):
            if template.startswith("{") and template.endswith("}"):
                if not part:
                    return None
                values[template[1:-1]] = unquote(part)
            elif part != template:
                return None
        return values


@dataclass(frozen=True, kw_only=True)
class CheckedRequest:
    """A request matched to its operation (None: outside the document)."""

    operation: Operation | None
    problems: list[str]


class Contract:
    """The document's operations: matches requests, checks them and their answers."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        """Read the operations of `document` (an OpenAPI 3.0 document)."""
        self.document = document
        self.base_path = urlsplit(document["servers"][0]["url"]).path.rstrip("/")
        components = document["components"]
        self.operations: list[Operation] = []
        for template, item in document["paths"].items():
            for method, operation in item.items():
                self.operations.append(
                    self._operation(method, template, operation, components)
                )

    @staticmethod
    def _operation(
        method: str,
        template: str,
        operation: Mapping[str, Any],
        components: Mapping[str, Any],
    ) -> Operation:
        parameters: dict[str, Parameter] = {}
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            if schema.get("type") not in _SCALARS:
                raise NotImplementedError(
                    f"{template}: parameter {parameter['name']} is not a scalar"
                )
            parameters[parameter["name"]] = Parameter(
                name=parameter["name"],
                location=parameter["in"],
                required=bool(parameter.get("required", False)),
                type=schema["type"],
                validator=_validator(schema, components),
            )
        body = operation.get("requestBody")
        body_validator = None
        if body is not None:
            body_validator = _validator(
                _closed(body["content"][JSON_MEDIA_TYPE]["schema"], components),
                components,
            )
        responses: dict[str, Any] = {}
        for status, response in operation["responses"].items():
            content = response.get("content")
            responses[status] = (
                None
                if content is None
                else _validator(content[JSON_MEDIA_TYPE]["schema"], components)
            )
        return Operation(
            method=method.upper(),
            template=template,
            operation_id=operation["operationId"],
            segments=tuple(template.strip("/").split("/")),
            parameters=parameters,
            body_validator=body_validator,
            body_required=bool(body is not None and body.get("required", False)),
            responses=responses,
        )

    def find(self, method: str, raw_path: str) -> tuple[Operation | None, list[str]]:
        """Return the operation of `method raw_path` (the path as sent, with /v2).

        A path the document does not have gives (None, []); a documented path
        with a method the document does not have for it is a problem.
        """
        prefix = f"{self.base_path}/"
        if not raw_path.startswith(prefix):
            return None, []
        segments = tuple(raw_path.removeprefix(self.base_path).strip("/").split("/"))
        matches = [op for op in self.operations if op.match(segments) is not None]
        if not matches:
            return None, []
        for operation in matches:
            if operation.method == method.upper():
                return operation, []
        templates = sorted({op.template for op in matches})
        return None, [
            f"the document has no {method.upper()} for {', '.join(templates)} "
            f"(only {', '.join(sorted({op.method for op in matches}))})"
        ]

    def check_request(
        self,
        method: str,
        raw_path: str,
        query: Iterable[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes | None,
        content_type: str | None,
    ) -> CheckedRequest:
        """Match a request to its operation and return how it fails the document.

        `raw_path` is the path as sent (percent-encoded, with /v2), `body` the raw
        body (None or empty: none) and `content_type` the body's media type.
        """
        operation, problems = self.find(method, raw_path)
        if operation is None:
            return CheckedRequest(operation=None, problems=problems)
        segments = tuple(raw_path.removeprefix(self.base_path).strip("/").split("/"))
        path_values = operation.match(segments) or {}
        for name, value in path_values.items():
            problems.extend(operation.parameters[name].problems(value))
        problems.extend(self._query_problems(operation, list(query)))
        if not any(name.lower() == "authorization" for name in headers):
            problems.append(
                "no Authorization header (the document's security: "
                "openapi_oauth, or openapi_authorization in the Authorization header)"
            )
        problems.extend(self._body_problems(operation, body, content_type))
        return CheckedRequest(operation=operation, problems=problems)

    @staticmethod
    def _query_problems(
        operation: Operation, query: list[tuple[str, str]]
    ) -> list[str]:
        """Check the query's parameters: known, once each, valid, none missing.

        OpenAPI does not forbid a query parameter its document does not name, but
        Zoom ignores what it does not know: a misspelt or unsupported parameter
        would change nothing, silently. So one is a mismatch here.
        """
        problems: list[str] = []
        names = Counter(name for name, _ in query)
        for name, count in names.items():
            parameter = operation.parameters.get(name)
            if parameter is None or parameter.location != "query":
                problems.append(f"query parameter {name!r} is not in the document")
            elif count > 1:
                problems.append(f"query parameter {name!r} is sent {count} times")
        for name, value in query:
            parameter = operation.parameters.get(name)
            if parameter is not None and parameter.location == "query":
                problems.extend(parameter.problems(value))
        problems.extend(
            f"required query parameter {parameter.name!r} is missing"
            for parameter in operation.parameters.values()
            if parameter.location == "query"
            and parameter.required
            and parameter.name not in names
        )
        return problems

    @staticmethod
    def _body_problems(
        operation: Operation, body: bytes | None, content_type: str | None
    ) -> list[str]:
        if not body:
            if operation.body_required:
                return ["the request has no body; the document requires one"]
            return []
        if operation.body_validator is None:
            return [f"the request has a body; {operation.method} takes none"]
        if _media_type(content_type) != JSON_MEDIA_TYPE:
            return [f"request body sent as {content_type!r}, not {JSON_MEDIA_TYPE!r}"]
        try:
            value = json.loads(body)
        except (ValueError, RecursionError):
            return ["the request body is not JSON"]
        return _errors(operation.body_validator, value, "request body")

    def check_response(
        self,
        operation: Operation,
        status: int,
        body: bytes,
        content_type: str | None,
        *,
        request_valid: bool = True,
    ) -> list[str]:
        """Return how an answer to `operation` fails the document."""
        documented = str(status) in operation.responses or (
            status == 204 and operation.operation_id in EMPTY_BODY_OPERATIONS
        )
        if not documented and not _allowed_anywhere(status, body, request_valid):
            return [
                f"status {status} is not documented for {operation.name}; "
                f"it lists {', '.join(operation.responses)} "
                "(and 401, 403, 429, 5xx for every operation)"
            ]
        if not 200 <= status < 300:
            # The document gives error answers no schema.
            return []
        validator = operation.responses.get(str(status))
        if validator is None:
            if body.strip():
                return [f"a {status} answer has a body; the document gives it none"]
            return []
        if not body.strip():
            if operation.operation_id in EMPTY_BODY_OPERATIONS:
                return []
            return [f"a {status} answer has no body; the document gives it one"]
        if _media_type(content_type) != JSON_MEDIA_TYPE:
            return [f"a {status} answer is {content_type!r}, not {JSON_MEDIA_TYPE!r}"]
        try:
            value = json.loads(body)
        except (ValueError, RecursionError):
            return [f"a {status} answer's body is not JSON"]
        return _errors(validator, value, f"{status} body")


def _allowed_anywhere(status: int, body: bytes, request_valid: bool) -> bool:
    """Return whether Zoom documents `status` for every operation (`GLOBAL_STATUSES`)."""
    if status in GLOBAL_STATUSES or 500 <= status < 600:
        return True
    if status != 400:
        return False
    if not request_valid:
        return True
    try:
        code = json.loads(body).get("code") if body.strip() else None
    except (ValueError, AttributeError, RecursionError):
        return False
    return code in SCOPE_ERROR_CODES


@cache
def contract() -> Contract:
    """Return the contract of the project's copy of the document (read once)."""
    return Contract(load_document())


# -- what the test doubles saw ---------------------------------------------------

# Tests that answer the client off the document ON PURPOSE, to test its defences
# against what Zoom's document does not promise but a proxy, an outage or Zoom
# itself may send. Their answers are still checked and counted; a mismatch of an
# answer is expected there (at least one, or the entry is stale and fails the
# test) and does not fail the test. Their REQUESTS are checked like any other.
# A key is a test's node ID, without parameters (all of them) or with the start
# of the parameters (those only).
OFF_DOCUMENT_ANSWERS: Final[Mapping[str, str]] = {
    # A list answer of the wrong shape must raise ZoomConnectionError (not the
    # item without an "id": the document allows it).
    "tests/zoom/test_client.py::test_list_broken_answer[[]": "a list that is []",
    'tests/zoom/test_client.py::test_list_broken_answer["meetings"': (
        'a list that is "meetings"'
    ),
    'tests/zoom/test_client.py::test_list_broken_answer[{"meetings": {': (
        "meetings that are an object"
    ),
    'tests/zoom/test_client.py::test_list_broken_answer[{"meetings": "none"': (
        'meetings that are "none"'
    ),
    'tests/zoom/test_client.py::test_list_broken_answer[{"meetings": [42]': (
        "a meeting that is 42"
    ),
    "tests/zoom/test_client.py::test_list_without_items": (
        '"meetings": null must read as no meetings'
    ),
    "tests/zoom/test_client.py::test_list_ends_without_a_usable_page_token[None": (
        '"next_page_token": null must end the listing'
    ),
    "tests/zoom/test_client.py::test_list_ends_without_a_usable_page_token[42": (
        '"next_page_token": 42 must end the listing'
    ),
    "tests/zoom/test_client.py::test_list_webinars": (
        'a webinar ID sent as a digit string ("id": "9876543210123") must parse'
    ),
    "tests/zoom/test_client.py::test_patch_success_with_a_body": (
        "a PATCH answered 200 (not the documented 204) is still a success"
    ),
    "tests/zoom/test_client.py::test_a_get_answered_without_a_body_is_a_broken_answer[get_meeting": (
        "a GET answered 200 without a body (a proxy's page) is a broken answer"
    ),
    "tests/zoom/test_client.py::test_a_get_answered_without_a_body_is_a_broken_answer[list_meetings": (
        "a list answered 200 without a body (a proxy's page) is a broken answer"
    ),
    "tests/zoom/test_client.py::test_api_errors[300-": (
        "an HTTP 300 answer must be an error, not a success"
    ),
    "tests/zoom/test_client.py::test_api_errors[409-": (
        "an undocumented 4xx must map to ZoomApiError"
    ),
    "tests/zoom/test_client.py::test_api_errors[499-": (
        "an unknown status must map to ZoomApiError"
    ),
    "tests/test_faults.py::test_deeply_nested_list_fails_the_poll_cleanly": (
        "a live list nested 100,000 deep must fail the poll cleanly"
    ),
    "tests/test_coordinator.py::test_account_without_webinar_add_on_still_polls": (
        'listing webinars without the add-on: 400, code 200 "Webinar plan is '
        'missing", as the document lists for every other webinar operation but '
        "not for List webinars"
    ),
}

# Tests in which the CLIENT sends a request the document rejects: expected to
# fail until the integration is fixed (xfail, strict: the fix makes them pass,
# and then this entry must go). Same keys as OFF_DOCUMENT_ANSWERS.
# None: the one mismatch found (webinars paged with next_page_token) is the
# document's own advice, added in `_add_newer_facts`.
CLIENT_MISMATCHES: Final[Mapping[str, str]] = {}


def _entry(registry: Mapping[str, str], nodeid: str) -> str | None:
    """Return the reason `registry` has for the test `nodeid`, if any."""
    for key, reason in registry.items():
        if nodeid.partition("[")[0] == key or ("[" in key and nodeid.startswith(key)):
            return reason
    return None


@dataclass(kw_only=True)
class Tally:
    """Counts of the run, and the mismatches of the running test."""

    requests: int = 0
    responses: int = 0
    outside: Counter[str] = field(default_factory=Counter)
    # Answers off the document in tests of OFF_DOCUMENT_ANSWERS, and those tests.
    tolerated: int = 0
    tolerated_tests: set[str] = field(default_factory=set)
    # The running test: its mismatches, and why its answers may be off the document.
    test: str = ""
    mismatches: list[str] = field(default_factory=list)
    off_document: str | None = None
    tolerated_now: int = 0

    def start(self, nodeid: str) -> None:
        """Start a test with no mismatches."""
        self.test = nodeid
        self.mismatches.clear()
        self.off_document = _entry(OFF_DOCUMENT_ANSWERS, nodeid)
        self.tolerated_now = 0

    def answer_mismatch(self, mismatch: str) -> None:
        """Record an answer off the document: expected in some tests, else a failure."""
        if self.off_document is None:
            self.mismatches.append(mismatch)
        else:
            self.tolerated += 1
            self.tolerated_now += 1
            self.tolerated_tests.add(self.test)

    def summary(self) -> str:
        """One line: how much was checked, and what the document does not have."""
        outside = sum(self.outside.values())
        shapes = ", ".join(
            f"{shape} x{count}" for shape, count in sorted(self.outside.items())
        )
        tolerated = (
            f"; {self.tolerated} answers deliberately off it in "
            f"{len(self.tolerated_tests)} robustness tests"
            if self.tolerated
            else ""
        )
        return (
            f"contract: {self.requests} requests and {self.responses} responses "
            "validated against Zoom's OpenAPI document "
            f"({outside} out of the document{': ' + shapes if shapes else ''}"
            f"{tolerated})"
        )


TALLY: Final = Tally()


def _shape(method: str, raw_path: str) -> str:
    """Group requests outside the document: `GET /v2/users/abc` -> `GET /v2/users/{id}`.

    Under the API base, every second segment names one item (`/users/{id}/...`),
    except `me`, kept as sent.
    """
    parts = raw_path.strip("/").split("/")
    if parts[0] == "v2":
        parts = [
            "{id}" if index % 2 == 0 and part != "me" else part
            for index, part in enumerate(parts)
        ]
        parts[0] = "v2"
    return f"{method.upper()} /{'/'.join(parts)}"


@dataclass(kw_only=True)
class Exchange:
    """A request a double received; `answered` checks the double's answer to it."""

    source: str
    method: str
    raw_path: str
    checked: CheckedRequest

    def answered(self, status: int, body: bytes, content_type: str | None) -> None:
        """Check the answer, count it, and record any mismatch against the test."""
        if self.checked.operation is None:
            return
        TALLY.responses += 1
        for problem in contract().check_response(
            self.checked.operation,
            status,
            body,
            content_type,
            request_valid=not self.checked.problems,
        ):
            TALLY.answer_mismatch(
                f"{self.source} answered {self.method} {self.raw_path} "
                f"({self.checked.operation.operation_id}): {problem}"
            )


def received(
    source: str,
    method: str,
    raw_path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes | None,
    content_type: str | None,
    *,
    invalid_on_purpose: bool = False,
) -> Exchange:
    """Check, count and record a request a test double received.

    A test that sends a request the document rejects, to see the double refuse
    it, says `invalid_on_purpose`: the request's problems are then its to assert
    (`exchange.checked.problems`), not mismatches.
    """
    checked = contract().check_request(
        method, raw_path, query, headers, body, content_type
    )
    if checked.operation is None and not checked.problems:
        TALLY.outside[_shape(method, raw_path)] += 1
    else:
        TALLY.requests += 1
    if not invalid_on_purpose:
        TALLY.mismatches.extend(
            f"{source} received {method.upper()} {raw_path}: {problem}"
            for problem in checked.problems
        )
    return Exchange(
        source=source, method=method.upper(), raw_path=raw_path, checked=checked
    )


def encode_json(value: Any) -> bytes:
    """Return `value` as the JSON a session sends for `json=value`."""
    return json.dumps(value).encode()


# -- failing the test that caused a mismatch, and the run's totals ----------------


def _fail_on_mismatches() -> None:
    """Fail the running test phase with the mismatches recorded so far, if any."""
    mismatches, TALLY.mismatches[:] = list(TALLY.mismatches), []
    if mismatches:
        pytest.fail(
            "Zoom's OpenAPI document (tests/fixtures/zoom/meeting-api.yaml) rejects "
            f"{len(mismatches)} request(s) or answer(s) of this test:\n  - "
            + "\n  - ".join(dict.fromkeys(mismatches)),
            pytrace=False,
        )


class ContractPlugin:
    """Fails a test whose requests or answers the document rejects; sums up the run.

    Mismatches during setup and the test itself fail the test's call, so
    `xfail(strict=True)` applies to them; those during teardown fail its teardown.
    """

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Expect the tests of CLIENT_MISMATCHES to fail, strictly."""
        for item in items:
            if (reason := _entry(CLIENT_MISMATCHES, item.nodeid)) is not None:
                item.add_marker(
                    pytest.mark.xfail(
                        strict=True,
                        reason=f"Zoom's OpenAPI document rejects the client: {reason}",
                    )
                )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None]:
        """Start each test with no mismatches; report them if its setup fails."""
        TALLY.start(item.nodeid)
        try:
            yield
        except Exception:
            _fail_on_mismatches()
            raise

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None]:
        """Fail the test if its setup or body made the doubles break the document."""
        try:
            yield
        finally:
            _fail_on_mismatches()
        if TALLY.off_document is not None and not TALLY.tolerated_now:
            pytest.fail(
                "This test is in OFF_DOCUMENT_ANSWERS (tests/contract.py) but no "
                "answer of it was off Zoom's document: remove it from there.",
                pytrace=False,
            )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None]:
        """Fail the teardown if it made the doubles break the document."""
        try:
            yield
        finally:
            _fail_on_mismatches()

    def pytest_terminal_summary(self, terminalreporter: TerminalReporter) -> None:
        """Print how many requests and answers the document checked."""
        terminalreporter.write_line(TALLY.summary())
