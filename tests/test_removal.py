"""What the README's Removal section says about what stays behind.

Home Assistant keeps automations that name the removed entities and the
integration's action; these tests hold the section's claims to what Home
Assistant does with them, on every tested release.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zoom_livestream.const import DOMAIN, SERVICE_UPDATE_SETTINGS
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component

from .conftest import ZoomMock, state_of

SWITCH = "switch.weekly_team_sync_live_stream"
PRESSED = "zoom_removal_test_pressed"
README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
REMOVAL = README[README.index("## Removal") : README.index("## Development")]


async def async_setup_automation(
    hass: HomeAssistant, action: dict[str, object]
) -> None:
    """Set up one automation that runs `action` when PRESSED is fired."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "leftover",
                "alias": "Leftover",
                "triggers": [{"trigger": "event", "event_type": PRESSED}],
                "actions": [action],
            }
        },
    )
    await hass.async_block_till_done()


async def test_an_action_on_a_removed_entity_only_logs_a_warning(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The automation stays, its toggle sends nothing, and the log names the entity."""
    await async_setup_automation(
        hass, {"action": "switch.toggle", "target": {"entity_id": SWITCH}}
    )
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert er.async_get(hass).async_get(SWITCH) is None
    zoom.clear_calls()

    hass.bus.async_fire(PRESSED)
    await hass.async_block_till_done()

    assert zoom.calls == []
    assert state_of(hass, "automation.leftover") == STATE_ON
    warning = f"Referenced entities {SWITCH} are missing or not currently available"
    assert warning in caplog.text
    assert '"Referenced entities … are missing"' in REMOVAL


async def test_the_action_after_the_files_are_removed_raises_a_repair(
    hass: HomeAssistant,
) -> None:
    """Without the integration, an automation performing its action gets a repair."""
    await async_setup_automation(
        hass,
        {
            "action": f"{DOMAIN}.{SERVICE_UPDATE_SETTINGS}",
            "target": {"entity_id": SWITCH},
            "data": {"resolution": "720p"},
        },
    )

    hass.bus.async_fire(PRESSED)
    await hass.async_block_till_done()

    issue = ir.async_get(hass).async_get_issue(
        "automation",
        f"automation.leftover_service_not_found_{DOMAIN}.{SERVICE_UPDATE_SETTINGS}",
    )
    assert issue is not None
    assert issue.translation_key == "service_not_found"
    assert '"… uses an unknown action"' in REMOVAL
