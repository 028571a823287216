"""What reloads a loaded entry, and that no path makes Home Assistant report us.

Home Assistant 2026.11 reports an entry that has an update listener and is reloaded
by `async_update_reload_and_abort` ("… This will stop working in Home Assistant
2026.12.0"). Every path that changes a loaded entry is walked here: re-authentication
and reconfigure with both sign-in methods, and the options. conftest's
`usage_reports` fixture fails any test during which Home Assistant reports a use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import logging

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.zoom_livestream.const import CONF_ACCOUNT_ID, DOMAIN
from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import frame
from homeassistant.setup import async_setup_component

from .conftest import (
    ACCOUNT_ID,
    CLIENT_ID,
    MEETING_ID,
    UsageReports,
    ZoomMock,
    make_entry,
)
from .test_config_flow_oauth import (
    async_sign_in,
    import_credentials,
    mock_zoom_answers,
    oauth_entry,
)

type Walk = Callable[[HomeAssistant, MockConfigEntry], Awaitable[ConfigFlowResult]]


async def async_setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add the entry and load it."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def reauth(hass: HomeAssistant, entry: MockConfigEntry) -> ConfigFlowResult:
    """Re-authenticate a Server-to-Server entry with a new client secret."""
    result = await entry.start_reauth_flow(hass)
    return await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCOUNT_ID: ACCOUNT_ID,
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: "a-new-secret",
        },
    )


async def reconfigure(hass: HomeAssistant, entry: MockConfigEntry) -> ConfigFlowResult:
    """Reconfigure a Server-to-Server entry with a new client secret."""
    result = await entry.start_reconfigure_flow(hass)
    return await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCOUNT_ID: ACCOUNT_ID,
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: "a-new-secret",
            "cloud": "global",
        },
    )


async def save_options(hass: HomeAssistant, entry: MockConfigEntry) -> ConfigFlowResult:
    """Turn Zoom's events on in the options."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    return await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"include_webinars": True, "events": True, "webhook_secret": "zm-secret"},
    )


@pytest.mark.parametrize(
    ("walk", "outcome"),
    [
        (reauth, "reauth_successful"),
        (reconfigure, "reconfigure_successful"),
        (save_options, None),
    ],
    ids=["reauth", "reconfigure", "options"],
)
async def test_server_to_server_flows_reload_without_a_report(
    hass: HomeAssistant,
    zoom: ZoomMock,
    walk: Walk,
    outcome: str | None,
    usage_reports: UsageReports,
) -> None:
    """Each flow that changes a loaded entry reloads it once, and nothing is reported."""
    entry = make_entry()
    await async_setup(hass, entry)
    before = entry.runtime_data

    result = await walk(hass, entry)
    await hass.async_block_till_done()

    if outcome is None:
        assert result["type"] is FlowResultType.CREATE_ENTRY
    else:
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == outcome
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not before
    assert usage_reports.records == []


@pytest.mark.parametrize("step", ["reauth", "reconfigure"])
@pytest.mark.usefixtures("current_request_with_host")
async def test_sign_in_with_zoom_flows_reload_without_a_report(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    zoom: ZoomMock,
    aioclient_mock: AiohttpClientMocker,
    step: str,
    usage_reports: UsageReports,
) -> None:
    """Signing in with Zoom again reloads the loaded entry once, with no report."""
    assert await async_setup_component(hass, "application_credentials", {})
    await import_credentials(hass)
    mock_zoom_answers(zoom, aioclient_mock, "global")
    entry = oauth_entry("global")
    await async_setup(hass, entry)
    before = entry.runtime_data

    if step == "reauth":
        result = await entry.start_reauth_flow(hass)
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    else:
        result = await entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"cloud": "global"}
        )
    result = await async_sign_in(hass, hass_client_no_auth, result, "global")
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == f"{step}_successful"
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not before
    assert usage_reports.records == []


async def test_what_does_not_reload(
    hass: HomeAssistant, zoom: ZoomMock, usage_reports: UsageReports
) -> None:
    """A stored token, or a stream target saved in the options, reload nothing."""
    entry = make_entry()
    await async_setup(hass, entry)
    before = entry.runtime_data
    zoom.clear_calls()

    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "token": {"access_token": "rotated"}}
    )
    await hass.async_block_till_done()
    assert entry.runtime_data is before
    assert zoom.calls == []

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "stream_target"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"meeting": str(MEETING_ID)}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"resolution": "1080p"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "stream_target_saved"
    assert entry.runtime_data is before
    assert usage_reports.records == []


async def test_options_saved_unchanged_do_not_reload(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Saving the options as they are keeps the entry as it is."""
    entry = make_entry(
        options={"include_webinars": True, "extra_users": [], "extra_meetings": []}
    )
    await async_setup(hass, entry)
    before = entry.runtime_data

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"include_webinars": True, "events": False}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.runtime_data is before


async def test_the_gate_sees_home_assistant_reports(
    hass: HomeAssistant, usage_reports: UsageReports
) -> None:
    """A report of Home Assistant's frame helper is caught (and would fail a test)."""
    assert usage_reports.records == []
    frame.report_usage(
        "does something that will stop working",
        breaks_in_ha_version="2099.1.0",
        core_behavior=frame.ReportBehavior.LOG,
        integration_domain=DOMAIN,
    )
    messages = [record.getMessage() for record in usage_reports.records]
    assert len(messages) == 1
    assert "does something that will stop working" in messages[0]
    assert usage_reports.records[0].levelno == logging.WARNING
    # Handled here, so that this test itself passes.
    usage_reports.records.clear()
