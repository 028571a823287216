"""The account's In a meeting sensor: whether the entry's Zoom user hosts one now.

On while any meeting or webinar the user hosts is in progress (from polls and
Zoom's events), naming which; unknown while none runs and one of them cannot
be known (a webinar without events), as its In progress is; off otherwise.
Another user's meetings followed through the options are not the user's.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.zoom_livestream.const import (
    CONF_EXTRA_USERS,
    CONF_INCLUDE_WEBINARS,
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
)
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .conftest import (
    MEETING_ID,
    OTHER_MEETING_ID,
    USER_ID,
    WEBINAR_ID,
    ZoomMock,
    async_poll,
    make_entry,
    meeting_json,
    state_of,
)
from .test_push import SECRET, Client, deliver, running_body

IN_A_MEETING = "binary_sensor.host_example_com_in_a_meeting"
SYNC = {"id": MEETING_ID, "topic": "Weekly team sync"}
LAUNCH = {"id": OTHER_MEETING_ID, "topic": "Product launch"}
ALL_HANDS = {"id": WEBINAR_ID, "topic": "Quarterly all-hands"}
NO_WEBINARS = {CONF_INCLUDE_WEBINARS: False}
COLLEAGUE_ID = "colleague-1"
COLLEAGUE_EMAIL = "colleague@example.com"


def meetings_of(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Return the sensor's `meetings` attribute."""
    state = hass.states.get(IN_A_MEETING)
    assert state is not None
    meetings: list[dict[str, Any]] = state.attributes["meetings"]
    return meetings


@pytest.fixture
def mock_config_entry(request: pytest.FixtureRequest) -> MockConfigEntry:
    """Return the conftest entry with the test's options (none by default)."""
    return make_entry(options=getattr(request, "param", None))


@pytest.fixture
async def client(
    init_integration: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> Client:
    """Return an HTTP client to Home Assistant, unauthenticated like Zoom."""
    result: Client = await hass_client_no_auth()
    return result


async def test_on_the_account_device_on_with_the_running_meeting(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Shown by default, not diagnostic, on the account's device; names the meeting.

    The webinar cannot be known without events, but a meeting runs: on.
    """
    entry = er.async_get(hass).async_get(IN_A_MEETING)
    assert entry is not None
    assert entry.unique_id == f"{USER_ID}_in_a_meeting"
    assert entry.disabled_by is None
    assert entry.entity_category is None
    assert entry.device_id is not None
    device = dr.async_get(hass).async_get(entry.device_id)
    assert device is not None
    assert device.identifiers == {(DOMAIN, f"account_{USER_ID}")}

    assert state_of(hass, IN_A_MEETING) == STATE_ON
    assert meetings_of(hass) == [SYNC]


@pytest.mark.parametrize("mock_config_entry", [NO_WEBINARS], indirect=True)
async def test_follows_the_live_list(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Without webinars everything is known: off between meetings, on in one."""
    zoom.live.discard(MEETING_ID)
    await async_poll(hass, freezer)
    assert state_of(hass, IN_A_MEETING) == STATE_OFF
    assert meetings_of(hass) == []

    zoom.live.update({MEETING_ID, OTHER_MEETING_ID})
    await async_poll(hass, freezer)
    assert state_of(hass, IN_A_MEETING) == STATE_ON
    assert meetings_of(hass) == [SYNC, LAUNCH]


async def test_unknown_between_meetings_while_a_webinar_cannot_be_known(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Without events the user's webinar may run: not off, unknown (as its sensor)."""
    zoom.live.discard(MEETING_ID)
    await async_poll(hass, freezer)
    assert state_of(hass, "binary_sensor.quarterly_all_hands_in_progress") == (
        STATE_UNKNOWN
    )
    assert state_of(hass, IN_A_MEETING) == STATE_UNKNOWN
    assert meetings_of(hass) == []


@pytest.mark.parametrize(
    "mock_config_entry", [{CONF_WEBHOOK_SECRET: SECRET}], indirect=True
)
async def test_zoom_events_change_it_at_once(
    hass: HomeAssistant,
    client: Client,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """Started and ended events, the webinar's too, without waiting for a poll."""
    webhook_id = init_integration.data[CONF_WEBHOOK_ID]

    async def push(event: str, meeting_id: int) -> None:
        response = await deliver(client, webhook_id, running_body(event, meeting_id))
        assert response.status == HTTPStatus.OK

    await push("webinar.started", WEBINAR_ID)
    assert meetings_of(hass) == [SYNC, ALL_HANDS]
    await push("meeting.ended", MEETING_ID)
    assert state_of(hass, IN_A_MEETING) == STATE_ON
    assert meetings_of(hass) == [ALL_HANDS]
    # The webinar is known to have ended: nothing is unknown any more.
    await push("webinar.ended", WEBINAR_ID)
    assert state_of(hass, IN_A_MEETING) == STATE_OFF
    assert meetings_of(hass) == []

    zoom.live.add(OTHER_MEETING_ID)
    await push("meeting.started", OTHER_MEETING_ID)
    assert state_of(hass, IN_A_MEETING) == STATE_ON
    assert meetings_of(hass) == [LAUNCH]


@pytest.mark.parametrize(
    "mock_config_entry",
    [{**NO_WEBINARS, CONF_EXTRA_USERS: [COLLEAGUE_EMAIL]}],
    indirect=True,
)
async def test_another_users_meetings_are_not_the_users(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    setup_integration: Any,
) -> None:
    """A colleague followed in the options hosts a running meeting: still off."""
    zoom.add_colleague(COLLEAGUE_ID, COLLEAGUE_EMAIL)
    theirs = 55544433322
    zoom.meetings[theirs] = {
        **meeting_json(theirs, "Colleague's call"),
        "host_id": COLLEAGUE_ID,
    }
    zoom.live = {theirs}
    await setup_integration()

    assert state_of(hass, "binary_sensor.colleague_s_call_in_progress") == STATE_ON
    assert state_of(hass, IN_A_MEETING) == STATE_OFF
    assert meetings_of(hass) == []

    zoom.live.add(MEETING_ID)
    await async_poll(hass, freezer)
    assert meetings_of(hass) == [SYNC]


@pytest.mark.parametrize("mock_config_entry", [NO_WEBINARS], indirect=True)
async def test_names_at_most_five_meetings(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """The attribute stays small whatever runs: the five lowest meeting IDs."""
    ids = [10000000000 + n for n in range(7)]
    for meeting_id in ids:
        zoom.meetings[meeting_id] = meeting_json(meeting_id, f"Room {meeting_id}")
    zoom.live = set(ids)
    await async_poll(hass, freezer)
    assert state_of(hass, IN_A_MEETING) == STATE_ON
    assert meetings_of(hass) == [
        {"id": meeting_id, "topic": f"Room {meeting_id}"} for meeting_id in ids[:5]
    ]


async def test_unavailable_while_zoom_cannot_be_polled(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """What cannot be known now is not shown as it was."""
    zoom.fail(
        "GET", f"/users/{USER_ID}/meetings", HTTPStatus.SERVICE_UNAVAILABLE, text="down"
    )
    await async_poll(hass, freezer)
    assert state_of(hass, IN_A_MEETING) == STATE_UNAVAILABLE
    zoom.heal()
    await async_poll(hass, freezer)
    assert state_of(hass, IN_A_MEETING) == STATE_ON


async def test_not_written_again_when_nothing_it_shows_changed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zoom: ZoomMock,
    init_integration: MockConfigEntry,
) -> None:
    """A poll changes the rate limit (the data), not this sensor: no new state."""
    before = hass.states.get(IN_A_MEETING)
    assert before is not None
    await async_poll(hass, freezer)
    after = hass.states.get(IN_A_MEETING)
    assert after is not None
    assert after.last_reported == before.last_reported

    zoom.meetings[MEETING_ID]["topic"] = "Daily stand-up"
    await async_poll(hass, freezer)
    assert meetings_of(hass) == [{"id": MEETING_ID, "topic": "Daily stand-up"}]
