"""A small asynchronous Zoom API client; it knows nothing of Home Assistant."""

from .auth import AbstractAuth, ServerToServerAuth, StaticTokenAuth
from .client import ZoomClient
from .exceptions import (
    ZoomApiError,
    ZoomAuthenticationError,
    ZoomConnectionError,
    ZoomError,
    ZoomMeetingNotStartedError,
    ZoomNotFoundError,
    ZoomPermissionError,
    ZoomRateLimitError,
)
from .models import (
    API_BASE_URLS,
    OAUTH_BASE_URLS,
    WEB_BASE_URLS,
    AccessToken,
    Cloud,
    LiveStreamConfig,
    LiveStreamStartSettings,
    Meeting,
    MeetingKind,
    MeetingListType,
    Resolution,
    ZoomUser,
    parse_meeting_id,
)

__all__ = [
    "API_BASE_URLS",
    "OAUTH_BASE_URLS",
    "WEB_BASE_URLS",
    "AbstractAuth",
    "AccessToken",
    "Cloud",
    "LiveStreamConfig",
    "LiveStreamStartSettings",
    "Meeting",
    "MeetingKind",
    "MeetingListType",
    "Resolution",
    "ServerToServerAuth",
    "StaticTokenAuth",
    "ZoomApiError",
    "ZoomAuthenticationError",
    "ZoomClient",
    "ZoomConnectionError",
    "ZoomError",
    "ZoomMeetingNotStartedError",
    "ZoomNotFoundError",
    "ZoomPermissionError",
    "ZoomRateLimitError",
    "ZoomUser",
    "parse_meeting_id",
]
