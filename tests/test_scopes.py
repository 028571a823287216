"""The scopes the README and the forms ask for are exactly those the client's calls need.

The client names the operation of every request it sends; each operation's scope
is in `zoom/scopes.py`, in Zoom's granular naming (apps created today get only
those) and the classic one of older apps, with `:admin` for Server-to-Server
apps. What a user is told to add must match, for both kinds of app.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re

import pytest

from custom_components.zoom_livestream.zoom.scopes import (
    SCOPES,
    Operation,
    needed_scopes,
)

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "zoom_livestream"
README = (ROOT / "README.md").read_text(encoding="utf-8")
STRINGS = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
SCOPE = re.compile(r"\b(?:meeting|webinar|user):[a-z_]+(?::[a-z_]+)*\b")


def _section(start: str, end: str) -> str:
    return README[README.index(start) : README.index(end)]


def test_every_call_of_the_client_names_its_scope() -> None:
    """The operations client.py sends are exactly those with a known scope."""
    tree = ast.parse((INTEGRATION / "zoom" / "client.py").read_text())
    used = {
        Operation[node.attr]
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Operation"
    }
    assert used == set(SCOPES)


@pytest.mark.parametrize(
    ("admin", "text"),
    [
        (
            True,
            _section(
                "## Creating the Zoom Server-to-Server OAuth app",
                "### Alternative: Sign in with Zoom",
            ),
        ),
        (False, _section("### Alternative: Sign in with Zoom", "**Which one?**")),
        (True, STRINGS["config"]["step"]["server_to_server"]["description"]),
        (False, STRINGS["application_credentials"]["description"]),
    ],
    ids=[
        "readme_server_to_server",
        "readme_sign_in",
        "form_server_to_server",
        "form_sign_in",
    ],
)
def test_scopes_asked_for_are_the_scopes_needed(admin: bool, text: str) -> None:
    """Granular and classic names, `:admin` only for Server-to-Server apps."""
    assert set(SCOPE.findall(text)) == needed_scopes(admin=admin)
