"""Topics as shown: bounded, and never invisible.

Zoom limits a topic to 200 characters; a list (or a damaged answer) could carry
far more, or only spaces and zero-width characters. What is shown is capped at
200 characters, and a topic with nothing visible is shown as "Meeting <ID>".
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.const import ATTR_FRIENDLY_NAME, Platform
from homeassistant.core import HomeAssistant

from .conftest import OTHER_MEETING_ID, USER_ID, ZoomMock, find_device

MAX_TOPIC = 200


def friendly_names(hass: HomeAssistant) -> list[str]:
    """Return every friendly name of the integration's meeting entities."""
    return [
        str(state.attributes[ATTR_FRIENDLY_NAME])
        for state in hass.states.async_all(
            [Platform.SWITCH, Platform.BINARY_SENSOR, Platform.EVENT]
        )
    ]


async def setup_with_topic(
    hass: HomeAssistant, zoom: ZoomMock, entry: MockConfigEntry, topic: Any
) -> None:
    """List Product launch with `topic`, then set the entry up."""
    zoom.meetings[OTHER_MEETING_ID]["topic"] = topic
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_huge_topic_is_capped(
    hass: HomeAssistant, zoom: ZoomMock, mock_config_entry: MockConfigEntry
) -> None:
    """A 100 KB topic does not become 100 KB of names and attributes."""
    await setup_with_topic(hass, zoom, mock_config_entry, "Launch " * 15_000)
    device = find_device(hass, f"{USER_ID}_{OTHER_MEETING_ID}")
    assert device is not None
    assert device.name is not None
    assert len(device.name) == MAX_TOPIC
    assert device.name.startswith("Launch Launch")
    assert device.name.endswith("…")
    assert max(len(name) for name in friendly_names(hass)) < MAX_TOPIC + 30


@pytest.mark.parametrize(
    "topic",
    [
        pytest.param("   ", id="spaces"),
        pytest.param("\u200b\u200b\u200b", id="zero_width"),
        pytest.param("\t\n\u00a0", id="whitespace"),
        pytest.param("\u202e\u2066", id="bidi_controls"),
        pytest.param("", id="empty"),
    ],
)
async def test_invisible_topic_is_shown_by_id(
    hass: HomeAssistant,
    zoom: ZoomMock,
    mock_config_entry: MockConfigEntry,
    topic: str,
) -> None:
    """Nothing visible: the device is "Meeting <ID>", not an empty name."""
    await setup_with_topic(hass, zoom, mock_config_entry, topic)
    device = find_device(hass, f"{USER_ID}_{OTHER_MEETING_ID}")
    assert device is not None
    assert device.name == f"Meeting {OTHER_MEETING_ID}"
    assert hass.states.get(f"switch.meeting_{OTHER_MEETING_ID}_live_stream")


async def test_control_characters_inside_a_topic_are_not_shown(
    hass: HomeAssistant, zoom: ZoomMock, mock_config_entry: MockConfigEntry
) -> None:
    """Line breaks and zero-width characters inside a topic do not reach names."""
    await setup_with_topic(
        hass, zoom, mock_config_entry, "Product\nlaunch\u200b \x1b[31mlive"
    )
    device = find_device(hass, f"{USER_ID}_{OTHER_MEETING_ID}")
    assert device is not None
    assert device.name == "Product launch [31mlive"
