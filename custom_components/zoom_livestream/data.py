"""The runtime data of a config entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .coordinator import ZoomCoordinator
    from .live_stream import LiveStreamController
    from .zoom import ZoomClient


@dataclass(slots=True)
class ZoomRuntimeData:
    """What a loaded entry holds: the client, the poller, the stream controller."""

    client: ZoomClient
    coordinator: ZoomCoordinator
    controller: LiveStreamController
    # The options this setup polls with; a change reloads the entry.
    options: dict[str, Any]
    # Where Zoom should send events; None without an external URL or Cloud.
    webhook_url: str | None = None
    # The meeting each live-stream switch controls, by entity ID (for actions).
    switch_meetings: dict[str, int] = field(default_factory=dict)


type ZoomConfigEntry = ConfigEntry[ZoomRuntimeData]
