"""Typed data exchanged with the Zoom API, parsed at the boundary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
import unicodedata

from .exceptions import ZoomConnectionError


class Cloud(StrEnum):
    """Which Zoom cloud an account lives in."""

    GLOBAL = "global"
    GOVERNMENT = "government"


API_BASE_URLS: dict[Cloud, str] = {
    Cloud.GLOBAL: "https://api.zoom.us/v2",
    Cloud.GOVERNMENT: "https://api.zoomgov.com/v2",
}
OAUTH_BASE_URLS: dict[Cloud, str] = {
    Cloud.GLOBAL: "https://zoom.us/oauth",
    Cloud.GOVERNMENT: "https://zoomgov.com/oauth",
}
WEB_BASE_URLS: dict[Cloud, str] = {
    Cloud.GLOBAL: "https://zoom.us",
    Cloud.GOVERNMENT: "https://zoomgov.com",
}


class MeetingKind(StrEnum):
    """Meetings and webinars live under different API paths."""

    MEETING = "meeting"
    WEBINAR = "webinar"

    @property
    def path(self) -> str:
        """The collection name in API paths."""
        return "webinars" if self is MeetingKind.WEBINAR else "meetings"


class MeetingListType(StrEnum):
    """The `type` filter of the list-meetings endpoint."""

    SCHEDULED = "scheduled"
    LIVE = "live"
    UPCOMING = "upcoming"


class Resolution(StrEnum):
    """Live stream resolutions Zoom accepts."""

    HD_720 = "720p"
    HD_1080 = "1080p"


# Meeting streams only (Zoom's Node SDK; not in the 2024 OpenAPI document, which
# zoom-api.md marks as the newer fact): webinar streams do not take them.
class Layout(StrEnum):
    """How a meeting's stream shows the participants."""

    FOLLOW_HOST = "follow_host"
    GALLERY_VIEW = "gallery_view"
    SPEAKER_VIEW = "speaker_view"


class CloseCaption(StrEnum):
    """Whether and how a meeting's stream carries closed captions."""

    BURNT_IN = "burnt-in"
    EMBEDDED = "embedded"
    OFF = "off"


def _require_dict(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ZoomConnectionError(f"Unexpected {what} from Zoom: not a JSON object")
    return data


def parse_meeting_id(value: Any) -> int:
    """Read a 64-bit meeting ID given as a JSON number or a digit string."""
    if isinstance(value, int) and not isinstance(value, bool):
        meeting_id = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        meeting_id = int(value.strip())
    else:
        raise ValueError(f"not a meeting ID: {value!r}")
    if not 0 < meeting_id < 2**63:
        raise ValueError(f"meeting ID out of range: {meeting_id}")
    return meeting_id


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _optional_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token and when it stops working (monotonic seconds)."""

    value: str
    expires_at: float
    scope: str = ""
    api_url: str | None = None


@dataclass(frozen=True, slots=True)
class ZoomUser:
    """The Zoom user the credentials act for."""

    id: str
    email: str
    account_id: str
    first_name: str
    last_name: str
    timezone: str

    @classmethod
    def from_json(cls, data: Any) -> ZoomUser:
        """Parse `GET /users/me`."""
        obj = _require_dict(data, "user")
        user_id = obj.get("id")
        if not isinstance(user_id, str) or not user_id:
            raise ZoomConnectionError("Unexpected user from Zoom: no id")
        return cls(
            id=user_id,
            email=_str(obj, "email"),
            account_id=_str(obj, "account_id"),
            first_name=_str(obj, "first_name"),
            last_name=_str(obj, "last_name"),
            timezone=_str(obj, "timezone"),
        )


# Zoom's own limit for a topic (its document's maxLength for webinars; meetings
# have the same limit in Zoom's web portal): longer is cut, ending in "…".
MAX_TOPIC_LENGTH = 200


def shown_topic(value: Any, meeting_id: int) -> str:
    """Return a topic as it may be shown: visible, one line, at most 200 characters.

    Line breaks and tabs become spaces; other control and format characters
    (zero-width, bidi controls, escapes) are dropped; runs of spaces are one.
    A topic with nothing visible left is "Meeting <ID>".
    """
    if isinstance(value, str):
        if (
            value.isprintable()  # no control, format or separator but " "
            and 0 < len(value) <= MAX_TOPIC_LENGTH
            and value[0] != " " != value[-1]
            and "  " not in value
        ):
            # Already as shown: most topics, checked without a look at each character.
            return value
        kept = (
            " " if char.isspace() else char
            for char in value
            if char.isspace() or not unicodedata.category(char).startswith("C")
        )
        topic = " ".join("".join(kept).split())
        if topic:
            if len(topic) > MAX_TOPIC_LENGTH:
                topic = topic[: MAX_TOPIC_LENGTH - 1].rstrip() + "…"
            return topic
    return f"Meeting {meeting_id}"


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting or webinar as listed by Zoom."""

    id: int
    kind: MeetingKind
    topic: str
    type: int | None = None
    uuid: str = ""
    start_time: datetime | None = None
    duration: int | None = None
    timezone: str = ""
    host_id: str = ""
    # Only meeting details carry it: "waiting" or "started".
    status: str = ""

    @classmethod
    def from_json(cls, data: Any, kind: MeetingKind) -> Meeting:
        """Parse one item of a meeting or webinar list."""
        obj = _require_dict(data, kind.value)
        try:
            meeting_id = parse_meeting_id(obj.get("id"))
        except ValueError as err:
            raise ZoomConnectionError(
                f"Unexpected {kind.value} from Zoom: {err}"
            ) from err
        return cls(
            id=meeting_id,
            kind=kind,
            topic=shown_topic(obj.get("topic"), meeting_id),
            type=_optional_int(obj, "type"),
            uuid=_str(obj, "uuid"),
            start_time=_parse_time(obj.get("start_time")),
            duration=_optional_int(obj, "duration"),
            timezone=_str(obj, "timezone"),
            host_id=_str(obj, "host_id"),
            status=_str(obj, "status"),
        )


@dataclass(frozen=True, slots=True)
class LiveStreamConfig:
    """Where a meeting streams to: Zoom's custom live-stream settings."""

    stream_url: str
    stream_key: str
    page_url: str
    resolution: Resolution | None = None

    @classmethod
    def from_json(cls, data: Any) -> LiveStreamConfig:
        """Parse `GET /meetings/{id}/livestream`."""
        obj = _require_dict(data, "live stream settings")
        resolution = _str(obj, "resolution")
        return cls(
            stream_url=_str(obj, "stream_url"),
            stream_key=_str(obj, "stream_key"),
            page_url=_str(obj, "page_url"),
            resolution=Resolution(resolution)
            if resolution in {member.value for member in Resolution}
            else None,
        )

    def missing_fields(self) -> list[str]:
        """Return the fields Zoom requires that are empty (it wants all three)."""
        return [
            name
            for name, value in (
                ("stream_url", self.stream_url),
                ("stream_key", self.stream_key),
                ("page_url", self.page_url),
            )
            if not value
        ]

    def to_json(self) -> dict[str, str]:
        """Return the body of `PATCH /meetings/{id}/livestream`."""
        body = {
            "stream_url": self.stream_url,
            "stream_key": self.stream_key,
            "page_url": self.page_url,
        }
        if self.resolution is not None:
            body["resolution"] = self.resolution.value
        return body


@dataclass(frozen=True, slots=True)
class LiveStreamStartSettings:
    """What the stream shows; only the values the user set are sent."""

    display_name: str | None = None
    active_speaker_name: bool | None = None
    # Meetings only: a webinar's start must not carry them.
    layout: Layout | None = None
    close_caption: CloseCaption | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the `settings` object of a start request."""
        settings: dict[str, Any] = {}
        if self.active_speaker_name is not None:
            settings["active_speaker_name"] = self.active_speaker_name
        if self.display_name is not None:
            settings["display_name"] = self.display_name
        if self.layout is not None:
            settings["layout"] = self.layout.value
        if self.close_caption is not None:
            settings["close_caption"] = self.close_caption.value
        return settings


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """Zoom's X-RateLimit-* headers of the last answer that carried them."""

    category: str
    type: str
    limit: int | None
    remaining: int | None

    @classmethod
    def from_headers(cls, headers: Any) -> RateLimitInfo | None:
        """Read the headers; None when Zoom sent none."""
        remaining = headers.get("X-RateLimit-Remaining")
        category = headers.get("X-RateLimit-Category")
        if remaining is None and category is None:
            return None

        def number(value: Any) -> int | None:
            try:
                return int(value)
            except (TypeError, ValueError):
                return None

        return cls(
            category=category or "",
            type=headers.get("X-RateLimit-Type") or "",
            limit=number(headers.get("X-RateLimit-Limit")),
            remaining=number(remaining),
        )
