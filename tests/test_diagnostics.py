"""Diagnostics: useful state, no secrets."""

from __future__ import annotations

import json

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.zoom_livestream.const import DOMAIN
from homeassistant.core import HomeAssistant

from .conftest import (
    ACCOUNT_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    MEETING_ID,
    USER_EMAIL,
    USER_ID,
    ZoomMock,
    find_device,
    make_entry,
)

WEBHOOK_SECRET = "zm-webhook-secret"


async def _setup(hass: HomeAssistant) -> MockConfigEntry:
    entry = make_entry(
        options={"include_webinars": True, "webhook_secret": WEBHOOK_SECRET}
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN,
        "update_settings",
        {
            "entity_id": "switch.weekly_team_sync_live_stream",
            "display_name": "HA Live",
            "stream_key": "very-secret-stream-key",
        },
        blocking=True,
    )
    await hass.services.async_call(
        "switch",
        "turn_on",
        {"entity_id": "switch.weekly_team_sync_live_stream"},
        blocking=True,
    )
    return entry


def _assert_no_secret(diagnostics: object, entry: MockConfigEntry) -> None:
    text = json.dumps(diagnostics)
    for secret in (
        CLIENT_SECRET,
        CLIENT_ID,
        ACCOUNT_ID,
        USER_EMAIL,
        USER_ID,
        WEBHOOK_SECRET,
        entry.data["webhook_id"],
        "very-secret-stream-key",
        "access-token",
        "SECRETPWD",
    ):
        assert secret not in text


async def test_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    zoom: ZoomMock,
    snapshot: SnapshotAssertion,
) -> None:
    """Configuration, options, coordinator state and meetings, redacted."""
    entry = await _setup(hass)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    _assert_no_secret(diagnostics, entry)
    assert diagnostics == snapshot


async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    zoom: ZoomMock,
    snapshot: SnapshotAssertion,
) -> None:
    """A meeting's device shows that meeting; the account's device the poller."""
    entry = await _setup(hass)
    meeting = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    account = find_device(hass, f"account_{USER_ID}")
    assert meeting is not None
    assert account is not None
    meeting_diagnostics = await get_diagnostics_for_device(
        hass, hass_client, entry, meeting
    )
    account_diagnostics = await get_diagnostics_for_device(
        hass, hass_client, entry, account
    )
    _assert_no_secret(meeting_diagnostics, entry)
    _assert_no_secret(account_diagnostics, entry)
    assert meeting_diagnostics == snapshot(name="meeting")
    assert account_diagnostics == snapshot(name="account")
