"""Tests of the typed models parsed from and sent to Zoom."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from custom_components.zoom_livestream.zoom import (
    LiveStreamConfig,
    LiveStreamStartSettings,
    Meeting,
    MeetingKind,
    RateLimitInfo,
    Resolution,
    ZoomConnectionError,
    ZoomUser,
    parse_meeting_id,
)
from custom_components.zoom_livestream.zoom.models import shown_topic


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (85746065432, 85746065432),
        (9876543210123, 9876543210123),
        (2**63 - 1, 2**63 - 1),
        (1, 1),
        ("85746065432", 85746065432),
        (" 9876543210123 ", 9876543210123),
    ],
)
def test_parse_meeting_id(value: Any, expected: int) -> None:
    """IDs come as JSON numbers or digit strings and stay exact Python ints."""
    meeting_id = parse_meeting_id(value)

    assert meeting_id == expected
    assert type(meeting_id) is int


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        0,
        -85746065432,
        2**63,
        "0",
        "-5",
        "12a",
        "",
        "  ",
        "1e10",
        "²",
        # Unicode digits that int() would read: an ID Zoom never sends.
        "１２３",
        "٨٥٧٤٦٠٦٥٤٣٢",
        85746065432.0,
        None,
        [85746065432],
    ],
)
def test_parse_meeting_id_refuses(value: Any) -> None:
    """Booleans, floats, zero, negatives, out-of-range values and junk are refused."""
    with pytest.raises(ValueError):
        parse_meeting_id(value)


def test_meeting_from_json_full() -> None:
    """Every field Zoom sends is parsed into its type."""
    meeting = Meeting.from_json(
        {
            "id": 9876543210123,
            "uuid": "aDYlohsHRtCd4ii1uC2+hA==",
            "topic": "Town hall",
            "type": 2,
            "start_time": "2024-05-01T10:00:00Z",
            "duration": 60,
            "timezone": "Europe/Berlin",
            "join_url": "https://zoom.us/j/9876543210123",
            "host_id": "host-1",
            "status": "started",
        },
        MeetingKind.MEETING,
    )

    assert meeting == Meeting(
        id=9876543210123,
        kind=MeetingKind.MEETING,
        topic="Town hall",
        type=2,
        uuid="aDYlohsHRtCd4ii1uC2+hA==",
        start_time=datetime(2024, 5, 1, 10, 0, tzinfo=UTC),
        duration=60,
        timezone="Europe/Berlin",
        host_id="host-1",
        status="started",
    )


@pytest.mark.parametrize(
    "data",
    [
        {"id": "91234567890"},
        {"id": 91234567890, "topic": "", "start_time": "next tuesday"},
        {
            "id": 91234567890,
            "topic": None,
            "type": True,
            "duration": "60",
            "start_time": 1714557600,
            "uuid": 5,
        },
        {"id": 91234567890, "start_time": ""},
    ],
)
def test_meeting_from_json_sparse_or_odd(data: dict[str, Any]) -> None:
    """Missing or mistyped fields fall back: the topic to "Meeting <ID>", times to None."""
    webinar = Meeting.from_json(data, MeetingKind.WEBINAR)

    assert webinar == Meeting(
        id=91234567890, kind=MeetingKind.WEBINAR, topic="Meeting 91234567890"
    )


@pytest.mark.parametrize(
    ("topic", "shown"),
    [
        ("Town hall", "Town hall"),
        ("  Town\thall \n", "Town hall"),
        ("Town\u200bhall", "Townhall"),
        ("\u202eTown hall\u2066", "Town hall"),
        ("x" * 200, "x" * 200),
        ("x" * 201, "x" * 199 + "…"),
        ("word " * 100, ("word " * 40)[:199].rstrip() + "…"),
        (" \u200b\u00a0", "Meeting 42"),
        ("", "Meeting 42"),
        (None, "Meeting 42"),
        (42, "Meeting 42"),
    ],
)
def test_shown_topic(topic: Any, shown: str) -> None:
    """Visible, one line, at most Zoom's 200 characters; else "Meeting <ID>"."""
    assert shown_topic(topic, 42) == shown


@pytest.mark.parametrize(
    "data",
    [{}, {"id": None}, {"id": "abc"}, {"id": 0}, {"id": True}, [], "91234567890", None],
)
def test_meeting_from_json_without_valid_id(data: Any) -> None:
    """An item without a usable ID, or not an object, is a broken answer."""
    with pytest.raises(ZoomConnectionError) as exc_info:
        Meeting.from_json(data, MeetingKind.MEETING)

    assert exc_info.value.status is None
    assert "meeting" in str(exc_info.value)


def test_meeting_kind_paths() -> None:
    """Meetings and webinars live under their own API collections."""
    assert MeetingKind.MEETING.path == "meetings"
    assert MeetingKind.WEBINAR.path == "webinars"


def test_user_from_json() -> None:
    """`GET /users/me` is parsed; extra fields are ignored."""
    user = ZoomUser.from_json(
        {
            "id": "user-xyz",
            "email": "host@example.com",
            "account_id": "acc-123",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "type": 2,
            "timezone": "Europe/London",
        }
    )

    assert user == ZoomUser(
        id="user-xyz",
        email="host@example.com",
        account_id="acc-123",
        first_name="Ada",
        last_name="Lovelace",
        timezone="Europe/London",
    )


def test_user_from_json_sparse() -> None:
    """Only the ID is required; other text fields default to ''."""
    assert ZoomUser.from_json({"id": "user-xyz", "email": None}) == ZoomUser(
        id="user-xyz",
        email="",
        account_id="",
        first_name="",
        last_name="",
        timezone="",
    )


@pytest.mark.parametrize("data", [{}, {"id": ""}, {"id": 42}, [], None, "user-xyz"])
def test_user_from_json_invalid(data: Any) -> None:
    """A user without an ID, or not an object, is a broken answer."""
    with pytest.raises(ZoomConnectionError, match="user"):
        ZoomUser.from_json(data)


@pytest.mark.parametrize(
    ("resolution", "expected"),
    [
        ("720p", Resolution.HD_720),
        ("1080p", Resolution.HD_1080),
        ("4k", None),
        ("", None),
        (None, None),
        (1080, None),
    ],
)
def test_live_stream_config_from_json(
    resolution: Any, expected: Resolution | None
) -> None:
    """The stream target is parsed; an unknown resolution becomes None."""
    config = LiveStreamConfig.from_json(
        {
            "stream_url": "rtmp://live.example.com/app",
            "stream_key": "key-1",
            "page_url": "https://example.com/live",
            "resolution": resolution,
        }
    )

    assert config == LiveStreamConfig(
        stream_url="rtmp://live.example.com/app",
        stream_key="key-1",
        page_url="https://example.com/live",
        resolution=expected,
    )


def test_live_stream_config_from_json_empty() -> None:
    """A meeting never configured for streaming answers with empty fields."""
    assert LiveStreamConfig.from_json({}) == LiveStreamConfig("", "", "", None)


@pytest.mark.parametrize("data", [None, [], "rtmp://live.example.com/app"])
def test_live_stream_config_from_json_invalid(data: Any) -> None:
    """Anything but an object is a broken answer."""
    with pytest.raises(ZoomConnectionError, match="live stream settings"):
        LiveStreamConfig.from_json(data)


@pytest.mark.parametrize(
    ("resolution", "expected"),
    [
        (
            None,
            {
                "stream_url": "rtmp://live.example.com/app",
                "stream_key": "key-1",
                "page_url": "https://example.com/live",
            },
        ),
        (
            Resolution.HD_1080,
            {
                "stream_url": "rtmp://live.example.com/app",
                "stream_key": "key-1",
                "page_url": "https://example.com/live",
                "resolution": "1080p",
            },
        ),
    ],
)
def test_live_stream_config_to_json(
    resolution: Resolution | None, expected: dict[str, str]
) -> None:
    """The PATCH body carries all three targets, and the resolution only when set."""
    config = LiveStreamConfig(
        stream_url="rtmp://live.example.com/app",
        stream_key="key-1",
        page_url="https://example.com/live",
        resolution=resolution,
    )

    assert config.to_json() == expected


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (LiveStreamStartSettings(), {}),
        (
            LiveStreamStartSettings(display_name="Town hall"),
            {"display_name": "Town hall"},
        ),
        (
            LiveStreamStartSettings(active_speaker_name=False),
            {"active_speaker_name": False},
        ),
        (
            LiveStreamStartSettings(display_name="", active_speaker_name=True),
            {"active_speaker_name": True, "display_name": ""},
        ),
    ],
)
def test_start_settings_to_json(
    settings: LiveStreamStartSettings, expected: dict[str, Any]
) -> None:
    """Only the settings the user set are sent, False and '' included."""
    assert settings.to_json() == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"X-RateLimit-Limit": "30"}, None),
        (
            {
                "X-RateLimit-Category": "Light",
                "X-RateLimit-Type": "QPS",
                "X-RateLimit-Limit": "30",
                "X-RateLimit-Remaining": "29",
            },
            RateLimitInfo(category="Light", type="QPS", limit=30, remaining=29),
        ),
        (
            {"X-RateLimit-Remaining": "5999"},
            RateLimitInfo(category="", type="", limit=None, remaining=5999),
        ),
        (
            {"X-RateLimit-Category": "Medium", "X-RateLimit-Limit": "lots"},
            RateLimitInfo(category="Medium", type="", limit=None, remaining=None),
        ),
    ],
)
def test_rate_limit_info_from_headers(
    headers: dict[str, str], expected: RateLimitInfo | None
) -> None:
    """Zoom's X-RateLimit-* headers are read; odd numbers become None."""
    assert RateLimitInfo.from_headers(headers) == expected
