"""One poll's requests to Zoom, and what to skip when an option fails on its own.

Owns which lists a poll reads (the live list every poll; the full meeting and
webinar lists every 15 minutes, at setup and on request), the requests for the
other users and extra meetings of the options, and the skip policy: an option
that Zoom refuses on its own is left out, named in a repair, and does not fail
the entry. Returns a `state.PollResult`; Zoom's errors that concern the whole
entry propagate to the coordinator.

Must not import the coordinator, the commands or the platforms.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping
from dataclasses import dataclass, field
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback

from . import issues
from .changes import PollResult
from .const import (
    AUTH_TYPE_OAUTH,
    CONF_AUTH_TYPE,
    CONF_EXTRA_MEETINGS,
    CONF_EXTRA_USERS,
    CONF_INCLUDE_WEBINARS,
    LIST_REFRESH_INTERVAL,
    LOGGER,
)
from .errors import redact_error
from .state import ZoomData
from .zoom import (
    PLAN_MISSING_CODE,
    Meeting,
    MeetingKind,
    MeetingListType,
    ZoomApiError,
    ZoomClient,
    ZoomError,
    ZoomNotFoundError,
    ZoomPermissionError,
)

# The signed-in user in API paths, for user-level ("Sign in with Zoom") tokens.
ME = "me"
# Requests of one poll at Zoom at once: the independent lists go together, within
# Zoom's per-second limits (Pro: 20 per second for lists) however many options.
MAX_PARALLEL_REQUESTS = 8


async def _async_all(limit: asyncio.Semaphore, *requests: Awaitable[Any]) -> list[Any]:
    """Send the requests together, `limit` at a time; cancel the rest on a failure.

    A single request is simply awaited: a live-only poll costs no extra task.
    """
    if len(requests) <= 1:
        return [await request for request in requests]

    async def limited(request: Awaitable[Any]) -> Any:
        async with limit:
            return await request

    tasks = [asyncio.ensure_future(limited(request)) for request in requests]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


@dataclass(slots=True)
class _Skipped:
    """Options Zoom refused on their own.

    Named in a repair, asked again at the next full list, kept as last read
    meanwhile.
    """

    users: set[str] = field(default_factory=set)
    meetings: set[str] = field(default_factory=set)


class MeetingLister:
    """Reads what one poll needs from Zoom, one request per 300 items.

    The number of requests never depends on the number of meetings.
    """

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, client: ZoomClient
    ) -> None:
        """List for `entry` with `client`."""
        self._hass = hass
        self._entry = entry
        self._client = client
        # Whose meetings the entry follows. `me` is documented for user-level
        # apps; for a Server-to-Server token it is refused or means the app's
        # owner (unconfirmed either way), so those entries use the user's ID.
        self._own_user = (
            ME
            if entry.data.get(CONF_AUTH_TYPE) == AUTH_TYPE_OAUTH
            else str(entry.unique_id)
        )
        self._listed_at: float | None = None
        self._full_requested = False
        # Lists read by a poll that then failed: the next poll applies them.
        self._unapplied: dict[int, Meeting] | None = None
        self._extra_kinds: dict[int, MeetingKind] = {}
        self._skipped = _Skipped()
        # The meetings each user's last full list had: kept while Zoom refuses
        # that user (their devices and customisations must not go with a refusal).
        self._by_user: dict[str, frozenset[int]] = {}
        # Extra meetings Zoom says do not exist (skipped, not kept).
        self._gone: set[str] = set()
        # The user ID of each other user of the options, as lists or Zoom told.
        self._user_ids: dict[str, str] = {}
        self._tried: set[str] = set()
        # Whose meetings the entry follows, as Zoom names hosts in its events.
        self._hosts: frozenset[str] = frozenset()

    def follows(self, host_id: str) -> bool:
        """Whether a meeting of this host belongs to the entry."""
        options = self._entry.options
        return bool(host_id) and (
            host_id == self._entry.unique_id
            or host_id in options.get(CONF_EXTRA_USERS, [])
            or host_id in self._hosts
            or host_id in self._user_ids.values()
        )

    @property
    def knows_every_host(self) -> bool:
        """Whether `follows` is sure: every other user's ID is known."""
        return not self._unresolved()

    def _unresolved(self) -> list[str]:
        """Other users given by email whose user ID is not known yet."""
        return [
            user
            for user in self._entry.options.get(CONF_EXTRA_USERS, [])
            if "@" in user and user not in self._user_ids and user not in self._tried
        ]

    async def async_resolve_hosts(self) -> None:
        """Look up, once, the user IDs of the other users given by email.

        Zoom names hosts by ID in its events; a user with no meeting listed yet
        is known only by the email of the options. Each is asked for once.
        """
        for user in self._unresolved():
            self._tried.add(user)
            try:
                self._user_ids[user] = (await self._client.async_get_user(user)).id
            except ZoomApiError as err:
                LOGGER.debug("Cannot look up user %s: %s", user, err)

    @callback
    def request_full(self) -> None:
        """Read the full lists at the next poll, not only the live list."""
        self._full_requested = True

    async def async_poll(self, data: ZoomData) -> PollResult:
        """Send one poll's requests, knowing the state they will be applied to.

        Its last full lists keep webinars Zoom refuses to list; its meetings no
        list shows, known from Zoom's events, are read by ID. What Zoom refuses
        of the options keeps its last known state until the next full list asks
        again.
        """
        listed, learned = data.listed, data.learned
        options = self._entry.options
        users = [self._own_user, *options.get(CONF_EXTRA_USERS, [])]
        now = time.monotonic()
        full = (
            self._full_requested
            or self._listed_at is None
            or now - self._listed_at >= LIST_REFRESH_INTERVAL.total_seconds()
        )
        unread: set[int] = set()
        complete = True
        started_at = time.monotonic()
        # Independent requests go to Zoom at once (bounded): the first refresh,
        # which holds up Home Assistant's start, is one round trip after the token.
        limit = asyncio.Semaphore(MAX_PARALLEL_REQUESTS)
        live_users = [user for user in users if user not in self._skipped.users]
        list_users = users if full else []
        with_webinars = full and options.get(CONF_INCLUDE_WEBINARS, True)
        extra_ids = [
            value
            for value in options.get(CONF_EXTRA_MEETINGS, [])
            if full or value not in self._skipped.meetings
        ]
        requests = [
            *(self._async_list_scheduled(user) for user in list_users),
            *(
                self._async_list_webinars_of(user, listed)
                for user in (list_users if with_webinars else [])
            ),
            *(self._async_list_live(user) for user in live_users),
            *(self._async_fetch_extra(value) for value in extra_ids),
        ]
        if self._listed_at is None:
            # The first poll, which Home Assistant's start waits for: its
            # connections open while the token is asked for (a later poll
            # finds the one the last poll left in the pool).
            try:
                await self._client.async_prepare(
                    min(len(requests), MAX_PARALLEL_REQUESTS)
                )
            except BaseException:
                for request in requests:
                    request.close()
                raise
        answers: list[Any] = await _async_all(limit, *requests)
        scheduled = answers[: len(list_users)]
        answers = answers[len(list_users) :]
        webinars = answers[: len(list_users)] if with_webinars else []
        answers = answers[len(webinars) :]
        lives, extra_answers = answers[: len(live_users)], answers[len(live_users) :]
        extra: dict[int, Meeting] = {}
        refused = [
            int(value)
            for value in options.get(CONF_EXTRA_MEETINGS, [])
            if value not in extra_ids and value not in self._gone
        ]
        gone: set[int] = set()
        for value, answer in zip(extra_ids, extra_answers, strict=True):
            if isinstance(answer, Meeting):
                extra[answer.id] = answer
            elif answer is not None:
                refused.append(int(value))
            else:
                gone.add(int(value))
        if full:
            read: dict[int, Meeting] = {}
            for index, user in enumerate(users):
                meetings = scheduled[index]
                if meetings is not None and webinars:
                    more = webinars[index]
                    meetings = None if more is None else meetings + more
                if meetings is None:
                    # Refused: the user's last list stays, asked for again next time.
                    kept = self._by_user.get(user)
                    complete = complete and kept is not None
                    for meeting_id in kept or ():
                        if (last := listed.get(meeting_id)) is not None:
                            read[meeting_id] = last
                            unread.add(meeting_id)
                    continue
                self._by_user[user] = frozenset(m.id for m in meetings)
                if user != self._own_user and (
                    host := next((m.host_id for m in meetings if m.host_id), None)
                ):
                    self._user_ids[user] = host
                for meeting in meetings:
                    read[meeting.id] = meeting
            self._unapplied, self._listed_at = read, now
            self._hosts = frozenset(m.host_id for m in read.values() if m.host_id)
        live: dict[int, Meeting] = {}
        for user in users:
            if (
                user in live_users
                and (meetings := lives[live_users.index(user)]) is not None
                and user not in self._skipped.users
            ):
                live.update((meeting.id, meeting) for meeting in meetings)
                continue
            # Refused: their meetings keep what was known until Zoom answers.
            unread.update(self._by_user.get(user, ()))
        for meeting_id in refused:
            # Zoom did not say it is gone: it stays as last read.
            if (known := data.meetings.get(meeting_id)) is not None:
                extra[meeting_id] = known
                unread.add(meeting_id)
            else:
                complete = False
        live.update(
            (i, meeting)
            for i, meeting in extra.items()
            if meeting.status == "started" and i not in unread
        )
        read_learned = {
            meeting.id: meeting
            for meeting in await self._async_read_learned(learned - live.keys())
        }
        # Everything was read: what a failure would have kept for later goes now.
        new_lists, self._unapplied = self._unapplied, None
        if full:
            self._full_requested = False
        self._async_clear_fixed_issues()
        return PollResult(
            full=full,
            listed=new_lists,
            live=live,
            extra=extra,
            started_at=started_at,
            rate_limit=self._client.rate_limit,
            learned=read_learned,
            unread=frozenset(unread - live.keys()),
            gone=frozenset(gone),
            complete=complete,
        )

    async def _async_list_scheduled(self, user: str) -> list[Meeting] | None:
        """Return the user's scheduled meetings; None if Zoom refuses the user."""
        return await self._async_skip_user_on_error(
            user, self._client.async_list_meetings(user, MeetingListType.SCHEDULED)
        )

    async def _async_list_webinars_of(
        self, user: str, listed: Mapping[int, Meeting]
    ) -> list[Meeting] | None:
        """Return the user's webinars; None if Zoom refuses the user."""
        return await self._async_skip_user_on_error(
            user, self._async_list_webinars(user, listed)
        )

    async def _async_list_live(self, user: str) -> list[Meeting] | None:
        """Return the user's meetings that run now; None if Zoom refuses the user."""
        return await self._async_skip_user_on_error(
            user, self._client.async_list_meetings(user, MeetingListType.LIVE)
        )

    async def _async_skip_user_on_error(
        self, user: str, request: Awaitable[list[Meeting]]
    ) -> list[Meeting] | None:
        """Run a list request; None if Zoom refuses this "other user" on its own.

        The entry's own user failing fails the poll; a refused other user (left
        the account, not readable by the app, an invalid value) is skipped until
        the next full list, with a repair that names them.
        """
        if user == self._own_user:
            return await request
        try:
            meetings = await request
        except ZoomApiError as err:
            if isinstance(err, ZoomPermissionError) and err.missing_scopes:
                # The app lacks a scope: that concerns the whole entry.
                raise
            self._skip(user=user, reason=err)
            return None
        self._unskip(user=user)
        return meetings

    async def _async_list_webinars(
        self, user: str, listed: Mapping[int, Meeting]
    ) -> list[Meeting]:
        """List webinars; an account without the Webinar add-on simply has none."""
        try:
            return await self._client.async_list_webinars(user)
        except ZoomPermissionError as err:
            if err.missing_scopes or err.code != PLAN_MISSING_CODE:
                # Missing scopes or another refusal: the webinars still exist, so
                # keep them as last listed rather than deleting their devices.
                issues.async_raise_for_permission_error(
                    self._hass, self._entry, err, during_poll=True
                )
                return [m for m in listed.values() if m.kind is MeetingKind.WEBINAR]
            LOGGER.debug("No webinars for %s: %s", user, err.message)
            return []

    async def _async_fetch_extra(self, value: str) -> Meeting | bool | None:
        """Read one extra meeting: the meeting, True if refused, None if gone."""
        try:
            meeting = await self._async_read_extra(int(value))
        except ZoomNotFoundError as err:
            # Neither a meeting nor a webinar: deleted in Zoom, it goes.
            self._skip(meeting=value, reason=err)
            self._gone.add(value)
            return None
        except ZoomApiError as err:
            if isinstance(err, ZoomPermissionError) and err.missing_scopes:
                raise
            self._skip(meeting=value, reason=err)
            self._gone.discard(value)
            return True
        self._unskip(meeting=value)
        return meeting

    async def _async_read_extra(self, meeting_id: int) -> Meeting:
        """Read one extra meeting's details, as a webinar if it is no meeting."""
        kind = self._extra_kinds.get(meeting_id, MeetingKind.MEETING)
        try:
            return await self._client.async_get_meeting(kind, meeting_id)
        except ZoomNotFoundError:
            if kind is MeetingKind.WEBINAR:
                raise
        # Not a meeting: it may be a webinar. Remember the answer.
        webinar = await self._client.async_get_meeting(MeetingKind.WEBINAR, meeting_id)
        self._extra_kinds[meeting_id] = MeetingKind.WEBINAR
        return webinar

    async def _async_read_learned(self, ids: Iterable[int]) -> list[Meeting]:
        """Read, by ID, meetings no list shows; one Zoom refuses has ended for us."""
        return [
            meeting
            for meeting_id in sorted(ids)
            if (meeting := await self.async_read_meeting(meeting_id)) is not None
        ]

    async def async_read_meeting(self, meeting_id: int) -> Meeting | None:
        """Return a meeting's details (with its status); None if Zoom refuses it."""
        try:
            return await self._client.async_get_meeting(MeetingKind.MEETING, meeting_id)
        except ZoomApiError as err:
            # Deleted, or not ours to read: nothing to follow.
            LOGGER.debug("Meeting %s cannot be read: %s", meeting_id, err)
            return None

    def _skip(
        self, *, user: str | None = None, meeting: str | None = None, reason: ZoomError
    ) -> None:
        """Leave out one option Zoom refused on its own; say so once, raise a repair."""
        skipped = self._skipped.users if user is not None else self._skipped.meetings
        value = user if user is not None else meeting or ""
        if value in skipped:
            # Still refused at a retry: already said and named.
            return
        skipped.add(value)
        LOGGER.warning(
            "Skipping %s %s of %s until Zoom accepts it again (asked at each full "
            "list, every 15 minutes) or the options change: %s",
            "user" if user is not None else "meeting",
            value,
            self._entry.title,
            redact_error(str(reason)),
        )
        self._async_raise_skipped_issue()

    def _unskip(self, *, user: str | None = None, meeting: str | None = None) -> None:
        """Zoom answered for an option it had refused: it is read again."""
        if user is not None and user in self._skipped.users:
            self._skipped.users.discard(user)
            LOGGER.info("Zoom answers for user %s of %s again", user, self._entry.title)
        elif meeting is not None and meeting in self._skipped.meetings:
            self._skipped.meetings.discard(meeting)
            self._gone.discard(meeting)
            LOGGER.info(
                "Zoom answers for meeting %s of %s again", meeting, self._entry.title
            )
        else:
            return
        if self._skipped.users or self._skipped.meetings:
            self._async_raise_skipped_issue()

    def _async_raise_skipped_issue(self) -> None:
        issues.async_raise(
            self._hass,
            self._entry,
            issues.ISSUE_OPTION_SKIPPED,
            {
                "users": ", ".join(sorted(self._skipped.users)) or "-",
                "meetings": ", ".join(sorted(self._skipped.meetings)) or "-",
            },
        )

    @callback
    def _async_clear_fixed_issues(self) -> None:
        """Clear what a poll that read everything proves fixed: read scopes, options."""
        if not self._skipped.users and not self._skipped.meetings:
            issues.async_clear(self._hass, self._entry, issues.ISSUE_OPTION_SKIPPED)
        issues.async_clear_poll_issue(self._hass, self._entry)
