"""What happens to each meeting, as an event entity the automation editor offers.

Each real change fires once, from whichever source sees it first: a toggle in
Home Assistant, a poll, or an event Zoom pushed. The coordinator reports a
change only when its data changes, so a poll after a push fires nothing again.
"""

from __future__ import annotations

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .const import EVENT_KEY
from .coordinator import MeetingChange, ZoomConfigEntry, ZoomCoordinator
from .entity import ZoomMeetingEntity, async_add_meeting_entities
from .zoom import Meeting

# Read-only: events come from the coordinator.
PARALLEL_UPDATES = 0

EVENT_TYPES = ["started", "ended", "live_stream_started", "live_stream_stopped"]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZoomConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add an event entity per meeting, now and as meetings appear."""
    coordinator = entry.runtime_data.coordinator
    async_add_meeting_entities(
        entry,
        async_add_entities,
        lambda meeting: [ZoomMeetingEventEntity(coordinator, meeting)],
    )


class ZoomMeetingEventEntity(ZoomMeetingEntity, EventEntity):
    """Fires when the meeting starts or ends, and when its stream starts or stops."""

    _attr_event_types = EVENT_TYPES

    def __init__(self, coordinator: ZoomCoordinator, meeting: Meeting) -> None:
        """Follow `meeting`'s changes."""
        super().__init__(coordinator, meeting, EVENT_KEY)

    async def async_added_to_hass(self) -> None:
        """Listen to the coordinator's reports of real changes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_change_listener(
                self.meeting_id, self._handle_change
            )
        )

    @callback
    def _handle_change(self, change: MeetingChange) -> None:
        self._trigger_event(change.kind, {"source": change.source})
        self.async_write_ha_state()
