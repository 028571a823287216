"""The rules for values sent to Zoom, for what a user types and what is stored.

One place for both: the action and the options form check input with them, and
the store reads its saved values back with them, so a value the action would
refuse is never sent to Zoom, however it got into the store.
"""

from __future__ import annotations

from typing import Any
import unicodedata

from .const import MAX_DISPLAY_NAME_LENGTH


def is_clean(value: str, *, spaces_allowed: bool) -> bool:
    """Return whether `value` has no control characters (and no spaces if so asked).

    Zoom gets exactly the validated string: a newline, NUL or ESC that passes
    here would reach Zoom, or the stream server, as it is. Invisible format
    characters (zero-width space, bidi controls) are refused too.
    """
    return not any(
        unicodedata.category(char).startswith("C")
        or (char.isspace() and not (spaces_allowed and char == " "))
        for char in value
    )


def clean_display_name(value: Any) -> str | None:
    """Return the display name Zoom may be sent, or None if it breaks the rules.

    1 to 50 characters once trimmed, no control or invisible format characters.
    """
    if not isinstance(value, str):
        return None
    name = value.strip()
    if 1 <= len(name) <= MAX_DISPLAY_NAME_LENGTH and is_clean(
        name, spaces_allowed=True
    ):
        return name
    return None
