"""Tests of the contract: Zoom's OpenAPI document judges the doubles and the client."""

from __future__ import annotations

from pathlib import Path

import pytest

DOCUMENT = Path(__file__).parent / "fixtures" / "zoom" / "meeting-api.yaml"
# Where the document comes from: the project's shared folder beside the checkout.
SHARED_DOCUMENT = Path(__file__).parents[2] / "shared" / "zoom" / "meeting-api.yaml"


def test_the_copy_is_the_shared_document() -> None:
    """tests/fixtures/zoom/meeting-api.yaml is ../shared/zoom/meeting-api.yaml, byte for byte."""
    if not SHARED_DOCUMENT.is_file():
        pytest.skip(
            f"{SHARED_DOCUMENT} does not exist here (a checkout without "
            "../shared, as on GitHub): nothing to compare the copy with"
        )
    assert DOCUMENT.read_bytes() == SHARED_DOCUMENT.read_bytes(), (
        "The shared document changed: copy it again with "
        "`cp ../shared/zoom/meeting-api.yaml tests/fixtures/zoom/`"
    )


def test_the_copy_names_its_source() -> None:
    """The copy's header says where Zoom's document comes from and what was cut."""
    header = DOCUMENT.read_text(encoding="utf-8").split("openapi:")[0]
    assert "Source: Zoom's published Meeting API OpenAPI document" in header
    assert "konfig-sdks/zoom-meeting-java-sdk" in header
    assert "Trimmed to these operations" in header
