"""A validated change of a meeting's live-stream settings."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .store import StoredDisplaySettings
from .zoom import CloseCaption, Layout, LiveStreamConfig, Resolution


@dataclass(frozen=True, slots=True)
class SettingsUpdate:
    """A validated `update_settings` request: None means "leave as it is"."""

    stream_url: str | None = None
    stream_key: str | None = None
    page_url: str | None = None
    resolution: Resolution | None = None
    display_name: str | None = None
    active_speaker_name: bool | None = None
    # Meetings only: Zoom's webinar streams take neither.
    layout: Layout | None = None
    close_caption: CloseCaption | None = None

    @property
    def meeting_only(self) -> bool:
        """Whether this sets what only a meeting's stream (not a webinar's) takes."""
        return self.layout is not None or self.close_caption is not None

    @property
    def changes_target(self) -> bool:
        """Whether Zoom's stream target (URL, key, page, resolution) changes."""
        return any(
            value is not None
            for value in (
                self.stream_url,
                self.stream_key,
                self.page_url,
                self.resolution,
            )
        )

    @property
    def display_changes(self) -> StoredDisplaySettings:
        """The display settings to store (sent with the next start)."""
        changes: StoredDisplaySettings = {}
        if self.display_name is not None:
            changes["display_name"] = self.display_name
        if self.active_speaker_name is not None:
            changes["active_speaker_name"] = self.active_speaker_name
        if self.layout is not None:
            changes["layout"] = self.layout.value
        if self.close_caption is not None:
            changes["close_caption"] = self.close_caption.value
        return changes

    def complete_target(self) -> LiveStreamConfig | None:
        """Return the whole target when URL, key and page URL are all given."""
        if self.stream_url and self.stream_key and self.page_url:
            return LiveStreamConfig(
                self.stream_url, self.stream_key, self.page_url, self.resolution
            )
        return None

    def merged_into(self, current: LiveStreamConfig) -> LiveStreamConfig:
        """Return Zoom's current target with this request's values on top."""
        return replace(
            current,
            stream_url=self.stream_url
            if self.stream_url is not None
            else current.stream_url,
            stream_key=self.stream_key
            if self.stream_key is not None
            else current.stream_key,
            page_url=self.page_url if self.page_url is not None else current.page_url,
            resolution=self.resolution or current.resolution,
        )
