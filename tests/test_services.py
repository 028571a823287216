"""The update_settings action: validation, merge, stored display settings."""

from __future__ import annotations

from http import HTTPStatus
import logging
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.zoom_livestream.const import DOMAIN, SERVICE_UPDATE_SETTINGS
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_ON, Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    Unauthorized,
)

from .conftest import (
    CLIENT_SECRET,
    MEETING_ID,
    OTHER_MEETING_ID,
    USER_ID,
    WEBINAR_ID,
    ZoomMock,
    find_device,
    make_entry,
)

SWITCH = "switch.weekly_team_sync_live_stream"
OTHER_SWITCH = "switch.product_launch_live_stream"
WEBINAR_SWITCH = "switch.quarterly_all_hands_live_stream"
CONFIG_PATH = f"/meetings/{MEETING_ID}/livestream"


async def _update(
    hass: HomeAssistant, entity_id: str | list[str], **fields: Any
) -> None:
    await hass.services.async_call(
        DOMAIN,
        SERVICE_UPDATE_SETTINGS,
        {ATTR_ENTITY_ID: entity_id, **fields},
        blocking=True,
    )


async def _turn_on(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        Platform.SWITCH, SERVICE_TURN_ON, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


@pytest.mark.usefixtures("init_integration")
async def test_stream_target_is_merged_into_zoom_config(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A partial target change reads Zoom's config, merges, and patches the whole."""
    zoom.clear_calls()
    await _update(hass, SWITCH, stream_key="new-key-5678", resolution="1080p")

    assert [(c.method, c.path, c.json) for c in zoom.calls] == [
        ("GET", CONFIG_PATH, None),
        (
            "PATCH",
            CONFIG_PATH,
            {
                "stream_url": "rtmp://a.rtmp.youtube.com/live2",
                "stream_key": "new-key-5678",
                "page_url": "https://youtube.com/@example/live",
                "resolution": "1080p",
            },
        ),
    ]


@pytest.mark.usefixtures("init_integration")
async def test_webinar_target_uses_webinar_path(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Webinar settings go to /webinars/ (all three given: nothing to read)."""
    zoom.clear_calls()
    await _update(
        hass,
        WEBINAR_SWITCH,
        stream_url="rtmps://live.twitch.tv/app",
        stream_key="live_123",
        page_url="https://twitch.tv/example",
    )
    assert [(c.method, c.path) for c in zoom.calls] == [
        ("PATCH", f"/webinars/{WEBINAR_ID}/livestream"),
    ]
    assert zoom.calls[0].json == {
        "stream_url": "rtmps://live.twitch.tv/app",
        "stream_key": "live_123",
        "page_url": "https://twitch.tv/example",
    }


async def test_display_settings_are_stored_and_sent_with_every_start(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Display settings cost no request, survive a reload and go with each start."""
    zoom.clear_calls()
    await _update(
        hass, SWITCH, display_name="  Home Assistant Live ", active_speaker_name=True
    )
    assert zoom.calls == []
    assert hass_storage[f"{DOMAIN}.{init_integration.entry_id}"]["data"][
        "meetings"
    ] == {
        str(MEETING_ID): {
            "display_name": "Home Assistant Live",
            "active_speaker_name": True,
        }
    }

    # As after a restart: the settings are read back from storage.
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    zoom.clear_calls()
    await _turn_on(hass, SWITCH)
    assert [c.json for c in zoom.api_calls] == [
        {
            "action": "start",
            "settings": {
                "active_speaker_name": True,
                "display_name": "Home Assistant Live",
            },
        }
    ]

    # A later change of one value keeps the other.
    await _update(hass, OTHER_SWITCH, active_speaker_name=False)
    zoom.live.add(OTHER_MEETING_ID)
    zoom.clear_calls()
    await _turn_on(hass, OTHER_SWITCH)
    assert [c.json for c in zoom.api_calls] == [
        {"action": "start", "settings": {"active_speaker_name": False}}
    ]


async def test_layout_and_captions_go_with_every_start_of_a_meeting(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A meeting's stream layout and closed captions: stored, and sent with each start.

    Zoom's meeting streams take `layout` and `close_caption` (its Node SDK; not
    in the 2024 OpenAPI document): no request until the stream starts.
    """
    zoom.clear_calls()
    await _update(hass, SWITCH, layout="gallery_view", close_caption="burnt-in")
    assert zoom.calls == []
    stored = hass_storage[f"{DOMAIN}.{init_integration.entry_id}"]["data"]
    assert stored["meetings"] == {
        str(MEETING_ID): {"layout": "gallery_view", "close_caption": "burnt-in"}
    }
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    zoom.clear_calls()
    await _turn_on(hass, SWITCH)
    assert [c.json for c in zoom.api_calls] == [
        {
            "action": "start",
            "settings": {"layout": "gallery_view", "close_caption": "burnt-in"},
        }
    ]


@pytest.mark.usefixtures("init_integration")
async def test_layout_and_captions_are_refused_for_webinars(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Zoom's webinar streams take neither: refused here, clearly, nothing stored."""
    zoom.clear_calls()
    with pytest.raises(ServiceValidationError) as err:
        await _update(hass, WEBINAR_SWITCH, layout="speaker_view", display_name="X")
    assert err.value.translation_key == "meeting_only_settings"
    assert "Quarterly all-hands is a webinar" in str(err.value)
    assert zoom.calls == []
    zoom.live_webinars.add(WEBINAR_ID)
    await _turn_on(hass, WEBINAR_SWITCH)
    assert zoom.api_calls[-1].json == {"action": "start"}


@pytest.mark.parametrize(
    ("fields", "translation_key"),
    [
        ({}, "no_settings"),
        ({"stream_url": "http://example.com/live"}, "invalid_stream_url"),
        ({"stream_url": "not a url"}, "invalid_stream_url"),
        ({"stream_url": "rtmp://"}, "invalid_stream_url"),
        ({"stream_url": "rtmp://[::1"}, "invalid_stream_url"),
        ({"stream_url": "rtmp://example.com/" + "a" * 1024}, "stream_url_too_long"),
        ({"page_url": "rtmp://example.com/live"}, "invalid_page_url"),
        ({"page_url": "https://example.com/" + "a" * 1024}, "page_url_too_long"),
        ({"stream_key": "   "}, "invalid_stream_key"),
        ({"stream_key": "k" * 513}, "stream_key_too_long"),
        ({"resolution": "4k"}, "invalid_resolution"),
        ({"layout": "grid"}, "invalid_layout"),
        ({"close_caption": "on"}, "invalid_close_caption"),
        ({"display_name": " "}, "invalid_display_name"),
        ({"display_name": "x" * 51}, "invalid_display_name"),
        # Values that look fine to a parser but are not what they seem.
        pytest.param(
            {"stream_url": "rtmp://a.example/live\nX-Evil: 1"},
            "invalid_stream_url",
            id="newline_in_stream_url",
        ),
        pytest.param(
            {"stream_url": "rtmp://exa mple.com/live"},
            "invalid_stream_url",
            id="space_in_host",
        ),
        pytest.param(
            {"stream_url": "rtmp://example.com/li ve"},
            "invalid_stream_url",
            id="space_in_path",
        ),
        pytest.param(
            {"stream_url": "rtmps://example.com/live\x00"},
            "invalid_stream_url",
            id="nul_in_stream_url",
        ),
        pytest.param(
            {"page_url": "https://example.com/\r\nlive"},
            "invalid_page_url",
            id="crlf_in_page_url",
        ),
        pytest.param(
            {"page_url": "https://example.com/\x1b[31mlive"},
            "invalid_page_url",
            id="escape_in_page_url",
        ),
        pytest.param(
            {"stream_key": "abc\x00def"}, "invalid_stream_key", id="nul_in_key"
        ),
        pytest.param(
            {"stream_key": "abc\ndef"}, "invalid_stream_key", id="newline_in_key"
        ),
        pytest.param(
            {"stream_key": "abc def"}, "invalid_stream_key", id="space_in_key"
        ),
        pytest.param(
            {"display_name": "Live\x1b[2J"},
            "invalid_display_name",
            id="escape_in_display_name",
        ),
        pytest.param(
            {"display_name": "Line\nbreak"},
            "invalid_display_name",
            id="newline_in_display_name",
        ),
        pytest.param(
            {"display_name": "Zero\u200bwidth"},
            "invalid_display_name",
            id="format_char_in_display_name",
        ),
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_invalid_input_is_refused_before_sending(
    hass: HomeAssistant, zoom: ZoomMock, fields: dict[str, Any], translation_key: str
) -> None:
    """Bad input gets a translated validation error and nothing reaches Zoom."""
    zoom.clear_calls()
    with pytest.raises(ServiceValidationError) as err:
        await _update(hass, SWITCH, **fields)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == translation_key
    assert zoom.calls == []


@pytest.mark.usefixtures("init_integration")
async def test_limits_are_inclusive(hass: HomeAssistant, zoom: ZoomMock) -> None:
    """Values at Zoom's limits are accepted."""
    await _update(
        hass,
        SWITCH,
        stream_url="rtmp://e.com/" + "a" * (1024 - len("rtmp://e.com/")),
        stream_key="k" * 512,
        display_name="x" * 50,
    )
    assert zoom.calls[-1].json["stream_key"] == "k" * 512


async def test_target_refused_while_streaming_with_events(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """With Zoom's events the stream state is known: a target change is refused here.

    Display settings only apply at the next start, so they are taken at any time.
    """
    entry = make_entry(options={"webhook_secret": "zm-secret"})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await _turn_on(hass, SWITCH)
    zoom.clear_calls()
    with pytest.raises(ServiceValidationError) as err:
        await _update(hass, SWITCH, stream_key="other")
    assert err.value.translation_key == "stream_active"
    assert "turn the live stream off first" in str(err.value)
    assert zoom.calls == []

    await _update(hass, SWITCH, display_name="Next time")
    assert zoom.calls == []


@pytest.mark.usefixtures("init_integration")
async def test_target_while_streaming_is_left_to_zoom_when_assumed(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Without events the state is assumed: Zoom judges, and its refusal is explained."""
    await _turn_on(hass, SWITCH)
    zoom.clear_calls()
    with pytest.raises(ServiceValidationError) as err:
        await _update(hass, SWITCH, stream_key="other")
    assert err.value.translation_key == "stream_active"
    assert [c.method for c in zoom.api_calls] == ["GET", "PATCH"]

    zoom.clear_calls()
    await _update(hass, SWITCH, display_name="Next time")
    assert zoom.calls == []

    # The host stopped the stream in Zoom: the assumed state is stale, and Zoom
    # takes the change.
    zoom.streaming.clear()
    await _update(hass, SWITCH, stream_key="other")
    assert zoom.livestream[MEETING_ID]["stream_key"] == "other"


@pytest.mark.usefixtures("init_integration")
async def test_first_target_of_a_meeting_that_never_had_one(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """The first thing anyone does: URL, key and page for a meeting with none.

    Zoom answers a meeting without a target with no body at all. All three given:
    nothing to merge, so nothing is read; one PATCH.
    """
    target = {
        "stream_url": "rtmp://a.rtmp.youtube.com/live2",
        "stream_key": "first-key",
        "page_url": "https://youtube.com/@example/live",
    }
    zoom.clear_calls()
    await _update(hass, OTHER_SWITCH, **target)
    assert [(c.method, c.path, c.json) for c in zoom.calls] == [
        ("PATCH", f"/meetings/{OTHER_MEETING_ID}/livestream", target)
    ]
    assert zoom.livestream[OTHER_MEETING_ID] == target


@pytest.mark.usefixtures("init_integration")
async def test_partial_first_target_reads_zoom_without_a_body(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A resolution alone, for a meeting with no target: read, then explained."""
    zoom.clear_calls()
    with pytest.raises(ServiceValidationError) as err:
        await _update(hass, OTHER_SWITCH, resolution="1080p")
    assert err.value.translation_key == "incomplete_stream_target"
    assert [c.method for c in zoom.calls] == ["GET"]


@pytest.mark.usefixtures("init_integration")
async def test_incomplete_target_is_refused(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A meeting without a target needs URL, key and page URL together."""
    zoom.clear_calls()
    with pytest.raises(ServiceValidationError) as err:
        await _update(hass, OTHER_SWITCH, stream_key="only-the-key")
    assert err.value.translation_key == "incomplete_stream_target"
    assert "stream URL, the stream key and the page URL" in str(err.value)
    assert [c.method for c in zoom.calls] == ["GET"]


@pytest.mark.usefixtures("init_integration")
async def test_zoom_refusal_is_translated(hass: HomeAssistant, zoom: ZoomMock) -> None:
    """Zoom refusing the change raises a translated error; display settings wait."""
    zoom.fail(
        "PATCH",
        f"/meetings/{OTHER_MEETING_ID}/livestream",
        HTTPStatus.BAD_REQUEST,
        {"code": 300, "message": "Validation Failed."},
    )
    with pytest.raises(HomeAssistantError) as err:
        await _update(
            hass,
            OTHER_SWITCH,
            stream_url="rtmp://x.example/live",
            stream_key="k",
            page_url="https://x.example",
            display_name="Not stored",
        )
    assert err.value.translation_key == "api_error"
    zoom.live.add(OTHER_MEETING_ID)
    zoom.clear_calls()
    await _turn_on(hass, OTHER_SWITCH)
    assert zoom.api_calls[0].json == {"action": "start"}


@pytest.mark.usefixtures("init_integration")
async def test_several_targets(hass: HomeAssistant, zoom: ZoomMock) -> None:
    """One call can update several meetings."""
    zoom.clear_calls()
    await _update(hass, [SWITCH, WEBINAR_SWITCH], display_name="Both")
    zoom.live_webinars.add(WEBINAR_ID)
    await _turn_on(hass, WEBINAR_SWITCH)
    assert zoom.api_calls[-1].json == {
        "action": "start",
        "settings": {"display_name": "Both"},
    }


@pytest.mark.usefixtures("init_integration")
async def test_several_targets_say_which_failed_and_which_changed(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """Every target is tried; the error names each failure's reason and the rest.

    Zoom down for one meeting (not the user's to fix) makes the whole error a
    HomeAssistantError; the other meeting's target was still changed.
    """
    zoom.fail("GET", f"/meetings/{OTHER_MEETING_ID}/livestream", HTTPStatus.BAD_GATEWAY)
    with pytest.raises(HomeAssistantError) as err:
        await _update(hass, [SWITCH, OTHER_SWITCH, WEBINAR_SWITCH], resolution="1080p")
    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_key == "update_settings_partial"
    message = str(err.value)
    assert message.startswith("Not every meeting was changed. Cannot reach Zoom")
    assert "Product launch" in message
    # The webinar has no target at Zoom yet: its own, fixable, reason.
    assert "Quarterly all-hands does not have all three yet" in message
    assert message.endswith("Changed: Weekly team sync")
    assert zoom.livestream[MEETING_ID]["resolution"] == "1080p"


async def test_only_administrators_may_change_settings(
    hass: HomeAssistant,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
    hass_read_only_user: MockUser,
) -> None:
    """It changes configuration at Zoom: a non-admin user is refused, Zoom untouched."""
    zoom.clear_calls()
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            SERVICE_UPDATE_SETTINGS,
            {ATTR_ENTITY_ID: SWITCH, "resolution": "1080p"},
            blocking=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    assert zoom.api_calls == []


@pytest.mark.usefixtures("init_integration")
async def test_other_entities_are_refused(hass: HomeAssistant) -> None:
    """Only this integration's live-stream switches are valid targets."""
    with pytest.raises(ServiceValidationError) as err:
        await _update(
            hass, "binary_sensor.weekly_team_sync_in_progress", display_name="x"
        )
    assert err.value.translation_key == "not_a_live_stream_switch"
    with pytest.raises(ServiceValidationError) as err:
        await _update(hass, [], display_name="x")
    assert err.value.translation_key == "no_target"


async def test_unloaded_entry_is_explained(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The action exists without a loaded entry and explains why it cannot work."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.services.has_service(DOMAIN, SERVICE_UPDATE_SETTINGS)
    with pytest.raises(ServiceValidationError) as err:
        await _update(hass, SWITCH, display_name="x")
    assert err.value.translation_key == "entry_not_loaded"


@pytest.mark.usefixtures("init_integration")
async def test_meeting_gone_is_explained(hass: HomeAssistant, zoom: ZoomMock) -> None:
    """A switch whose meeting Zoom no longer lists cannot be configured."""
    coordinator = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.coordinator
    meetings = dict(coordinator.data.meetings)
    del meetings[MEETING_ID]
    coordinator.async_set_updated_data(
        type(coordinator.data)(meetings=meetings, live_meeting_ids=frozenset())
    )
    with pytest.raises(ServiceValidationError) as err:
        await _update(hass, SWITCH, display_name="x")
    assert err.value.translation_key == "meeting_gone"


@pytest.mark.usefixtures("init_integration")
async def test_secrets_never_reach_the_log(
    hass: HomeAssistant, zoom: ZoomMock, caplog: pytest.LogCaptureFixture
) -> None:
    """Stream keys, the client secret and tokens are never logged, even at debug."""
    caplog.set_level(logging.DEBUG)
    await _update(hass, SWITCH, stream_key="very-secret-stream-key")
    await _turn_on(hass, SWITCH)
    zoom.fail(
        "PATCH",
        f"/meetings/{MEETING_ID}/livestream/status",
        HTTPStatus.UNAUTHORIZED,
        {"code": 124, "message": "Invalid access token."},
    )
    zoom.fail("token", "token", HTTPStatus.UNAUTHORIZED, {"error": "invalid_client"})
    with pytest.raises(HomeAssistantError):
        await _turn_on(hass, SWITCH)
    for secret in (
        "very-secret-stream-key",
        CLIENT_SECRET,
        "access-token-",
        "yt-key-1234",
    ):
        assert secret not in caplog.text


@pytest.mark.usefixtures("init_integration")
async def test_device_target_uses_its_switch_only(
    hass: HomeAssistant, zoom: ZoomMock
) -> None:
    """A meeting's device holds a sensor too; targeting the device changes the switch."""
    device = find_device(hass, f"{USER_ID}_{MEETING_ID}")
    assert device is not None
    await hass.services.async_call(
        DOMAIN,
        SERVICE_UPDATE_SETTINGS,
        {"device_id": device.id, "display_name": "By device"},
        blocking=True,
    )
    zoom.clear_calls()
    await _turn_on(hass, SWITCH)
    assert zoom.api_calls[0].json == {
        "action": "start",
        "settings": {"display_name": "By device"},
    }
