"""Every translation says what English says, with the same keys and placeholders.

A custom integration gets no `[%key:...]` resolution and no Lokalise export:
Home Assistant shows whatever translations/<language>.json holds, and falls back
to English key by key. So a key missing from a translation silently shows
English, an extra key is dead text, and a lost or renamed `{placeholder}` breaks
formatting (Home Assistant formats these strings with the English names). These
tests hold each file to strings.json, then load it through Home Assistant's own
translation helper.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
from string import Formatter
from typing import Any

import pytest

from custom_components.zoom_livestream.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

INTEGRATION = Path(__file__).parent.parent / "custom_components" / DOMAIN
STRINGS = INTEGRATION / "strings.json"
TRANSLATIONS = INTEGRATION / "translations"

# The languages this repository ships; a new file is picked up by the glob below.
SHIPPED = {"en", "de", "es", "fr", "nl", "pt-BR"}
LANGUAGES = sorted(path.stem for path in TRANSLATIONS.glob("*.json"))
OTHER_LANGUAGES = [language for language in LANGUAGES if language != "en"]

# What no translation may change: Zoom scope names (meeting:read:admin), stream
# and page URL schemes and addresses, domains, the action id, numbers (limits,
# resolutions).
TECHNICAL = re.compile(
    r"\b[a-z_]+(?::[a-z_]+){1,3}\b"
    r"|\brtmps?://(?:[\w./-]*\w)?"
    r"|\bhttps?://"
    r"|\b[\w.-]+\.(?:us|com)\b"
    r"|\bzoom_livestream\.\w+"
    r"|\b\d+p?\b"
)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates, f"duplicate keys {duplicates}"
    return dict(pairs)


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(
        path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys
    )
    assert isinstance(data, dict)
    return data


def _flatten(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            yield from _flatten(child, (*path, key))
    else:
        yield ".".join(path), value


def _leaves(path: Path) -> dict[str, Any]:
    return dict(_flatten(_load(path)))


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(text) if field is not None}


def test_shipped_languages() -> None:
    """The languages this repository promises are all there."""
    assert set(LANGUAGES) >= SHIPPED


def test_english_is_the_strings_file() -> None:
    """translations/en.json is exactly strings.json."""
    assert _load(TRANSLATIONS / "en.json") == _load(STRINGS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_keys_as_english(language: str) -> None:
    """Nothing missing, nothing extra: the nested key set of strings.json."""
    english = _leaves(STRINGS)
    translated = _leaves(TRANSLATIONS / f"{language}.json")
    assert sorted(set(english) - set(translated)) == [], "missing keys"
    assert sorted(set(translated) - set(english)) == [], "keys English lacks"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_text(language: str) -> None:
    """Every leaf is a non-empty string without stray whitespace."""
    for key, text in _leaves(TRANSLATIONS / f"{language}.json").items():
        assert isinstance(text, str), key
        assert text.strip(), f"{key} is empty"
        assert text == text.strip(), f"{key} has leading or trailing whitespace"


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_placeholders_as_english(language: str) -> None:
    """Each string has exactly English's {placeholders}, and formats with them."""
    english = _leaves(STRINGS)
    translated = _leaves(TRANSLATIONS / f"{language}.json")
    for key in english.keys() & translated.keys():
        expected = _placeholders(english[key])
        assert _placeholders(translated[key]) == expected, key
        values = {name: f"<{name}>" for name in expected}
        formatted = translated[key].format(**values)
        assert all(value in formatted for value in values.values()), key


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_technical_values_kept(language: str) -> None:
    """Scope names, URLs, domains, the action id and numbers stay as in English."""
    english = _leaves(STRINGS)
    translated = _leaves(TRANSLATIONS / f"{language}.json")
    for key, text in english.items():
        for value in sorted(set(TECHNICAL.findall(text))):
            assert value in translated[key], f"{key} lost {value!r}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_quoted_labels_match(language: str) -> None:
    """Text that quotes a form field or the action uses that label's translation.

    English says turn on "Receive Zoom events" or use the action "Update live
    stream settings"; the translation must name the field or action as the
    translated form and action picker show it.
    """
    english = _leaves(STRINGS)
    translated = _leaves(TRANSLATIONS / f"{language}.json")
    labels = [
        key
        for key in english
        if (key.startswith("services.") and key.count(".") == 2) or ".data." in key
    ]
    checked = 0
    for key, text in english.items():
        for label in labels:
            if f'"{english[label]}"' in text:
                assert translated[label] in translated[key], (key, label)
                checked += 1
    assert checked, "no quoted label found: the test checks nothing"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
async def test_home_assistant_loads_translation(
    hass: HomeAssistant, language: str
) -> None:
    """Home Assistant's translation helper returns this file's text, not English.

    For a language other than English the helper fills any missing key from
    English, so comparing every returned string with the file proves it read
    the file, for every section the integration translates.
    """
    translated = _load(TRANSLATIONS / f"{language}.json")
    english = _load(STRINGS)
    prefix = f"component.{DOMAIN}."
    for category, section in translated.items():
        loaded = await async_get_translations(hass, language, category, {DOMAIN})
        expected = {
            f"{prefix}{category}.{key}": text for key, text in _flatten(section)
        }
        assert {key: loaded.get(key) for key in expected} == expected, category
    names = await async_get_translations(hass, language, "entity", {DOMAIN})
    switch_name = names[f"{prefix}entity.switch.live_stream.name"]
    assert switch_name == translated["entity"]["switch"]["live_stream"]["name"]
    in_progress = names[f"{prefix}entity.binary_sensor.in_progress.name"]
    assert in_progress != english["entity"]["binary_sensor"]["in_progress"]["name"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_stream_key_help_says_where_the_key_goes(language: str) -> None:
    """The action's stream-key help names where the key goes and the form that avoids it.

    Home Assistant keeps an action's data (the recorder's call_service events,
    traces, debug logs, and from 2026.11 Settings → Tools → Action history with
    "Perform again"), so the key given to the action is not secret there. The help
    points to the options' stream-target form, whose input nothing keeps.
    """
    texts = _leaves(TRANSLATIONS / f"{language}.json")
    help_text = texts["services.update_settings.fields.stream_key.description"]
    form_title = texts["options.step.stream_target.title"]
    assert form_title in help_text
    assert "→" in help_text, "the Action history path is missing"
    english = _leaves(STRINGS)["services.update_settings.fields.stream_key.description"]
    assert "Action history" in english
    assert "never logged" not in english


@pytest.mark.parametrize("language", LANGUAGES)
def test_credentials_error_names_the_scope_it_needs(language: str) -> None:
    """The credentials error is true on every form that shows it.

    `invalid_auth` is shown by the Server-to-Server step, which lists the scopes,
    and by re-authentication and reconfiguration, which list none: it cannot
    point to scopes "listed above". It names the scope whose lack gives it (the
    check reads the Zoom user) in each shipped language.
    """
    text = _leaves(TRANSLATIONS / f"{language}.json")["config.error.invalid_auth"]
    assert "user:read:user:admin" in text
    assert "user:read:admin" in text
    for form in ("reauth_confirm", "reconfigure"):
        description = _leaves(STRINGS)[f"config.step.{form}.description"]
        assert "scope" not in description
