"""What happens to each meeting, as an event entity the automation editor offers.

Each real change fires once, from whichever source sees it first: a toggle in
Home Assistant, a poll, or an event Zoom pushed. The coordinator reports a
change only when its data changes, so a poll after a push fires nothing again.

A command on the meeting that was refused fires too (`command_refused`), with
the reason as its error said it: an automation that went on after the refused
action (`continue_on_error`) reads it here, as the blueprints do.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .changes import SOURCE_HOME_ASSISTANT, CommandRefusal, MeetingChange
from .const import EVENT_KEY
from .coordinator import ZoomConfigEntry
from .entity import (
    ZoomMeetingEntity,
    ZoomMeetingEntityDescription,
    async_add_meeting_entities,
)

# Read-only: events come from the coordinator and from refused commands.
PARALLEL_UPDATES = 0

COMMAND_REFUSED = "command_refused"
EVENT_TYPES = [
    "started",
    "ended",
    "live_stream_started",
    "live_stream_stopped",
    COMMAND_REFUSED,
]


@dataclass(frozen=True, kw_only=True)
class ZoomEventEntityDescription(ZoomMeetingEntityDescription, EventEntityDescription):
    """A meeting's event entity: it shows the coordinator's reports, no value."""


EVENTS: tuple[ZoomEventEntityDescription, ...] = (
    ZoomEventEntityDescription(
        key=EVENT_KEY, translation_key=EVENT_KEY, event_types=EVENT_TYPES
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZoomConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an event entity per meeting, now and as meetings appear."""
    coordinator = entry.runtime_data.coordinator
    async_add_meeting_entities(
        entry,
        async_add_entities,
        lambda meeting: [
            ZoomMeetingEventEntity(coordinator, meeting, description)
            for description in EVENTS
        ],
    )


class ZoomMeetingEventEntity(ZoomMeetingEntity, EventEntity):
    """Fires when the meeting starts or ends, and when its stream starts or stops."""

    entity_description: ZoomEventEntityDescription

    async def async_added_to_hass(self) -> None:
        """Listen to the coordinator's reports of real changes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_change_listener(
                self.meeting_id, self._handle_change
            )
        )

    @callback
    def _handle_change(self, change: MeetingChange | CommandRefusal) -> None:
        if isinstance(change, CommandRefusal):
            self._trigger_event(
                COMMAND_REFUSED,
                {
                    "source": SOURCE_HOME_ASSISTANT,
                    "reason": change.reason,
                    "message": change.message,
                },
            )
        else:
            self._trigger_event(change.kind, {"source": change.source})
        self.async_write_ha_state()
