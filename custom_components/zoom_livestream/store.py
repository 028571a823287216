"""What an entry keeps across restarts and reloads, in `.storage/zoom_livestream.<entry_id>`.

- display settings per meeting (sent with each start);
- which streams are on (restored after a restart if the meeting still runs);
- whether each webinar runs, as Zoom's events last said (restored with events on);
- the running meetings learned from Zoom's events (instant, personal room), which
  no list shows: read by ID again after a restart;
- the Zoom events recently applied (event, object, event_ts), so a retried or
  replayed delivery is applied once, also after a reload or a restart, and when
  the newest applied event of each meeting happened (so a late one cannot undo it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypedDict, cast

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from .compat import store_judges_versions
from .const import DOMAIN, LOGGER
from .validation import clean_display_name
from .zoom import CloseCaption, Layout, LiveStreamStartSettings

STORAGE_VERSION = 1
# Stream state and deliveries change often: write at most this often (seconds).
SAVE_DELAY = 1.0


class StoredDisplaySettings(TypedDict, total=False):
    """What is stored for one meeting: only the values the user set."""

    display_name: str
    active_speaker_name: bool
    # Meetings only (a webinar's stream takes neither).
    layout: str
    close_caption: str


def _meeting_id(key: Any) -> int | None:
    if isinstance(key, str) and key.isascii() and key.isdigit():
        return int(key)
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    return None


class _WrittenByNewerVersionError(Exception):
    """The file is of a newer major version than this one can read."""

    def __init__(self, version: int, data: Any) -> None:
        super().__init__(f"version {version}")
        self.version = version
        self.data = data


class _EntryStore(Store[dict[str, Any]]):
    """Home Assistant's store, telling a file of a newer version apart."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> Any:
        if old_major_version > STORAGE_VERSION:
            raise _WrittenByNewerVersionError(old_major_version, old_data)
        # Same major version, newer minor: compatible by Home Assistant's rules.
        return old_data


class ZoomStore:
    """The entry's stored state; damaged data is set aside, never fatal."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the store; nothing is read until `async_load`."""
        self._hass = hass
        self._store: Store[dict[str, Any]] = _EntryStore(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}", **store_judges_versions()
        )
        self._display: dict[int, StoredDisplaySettings] = {}
        self._streaming: set[int] = set()
        # Applied events' keys, in the order they expire (when, epoch seconds).
        self._deliveries: dict[str, float] = {}
        self._event_ts: dict[int, int] = {}
        # Whether each webinar ran, as Zoom's events last said.
        self._live_webinars: dict[int, bool] = {}
        # Running meetings learned from events: no list shows them.
        self._learned: set[int] = set()
        # The data's mapping last given: the same object means nothing changed.
        self._live_webinars_seen: Mapping[int, bool] | None = None
        self._loaded = False
        self._dirty = False

    async def async_load(self) -> None:
        """Read the stored state once; set damaged data aside and start afresh."""
        if self._loaded:
            return
        self._loaded = True
        try:
            data = await self._store.async_load()
        except _WrittenByNewerVersionError as err:
            # A downgrade: keep the newer file for when it is upgraded again.
            LOGGER.warning(
                "The stored state of Zoom Live Stream (%s) was written by a newer "
                "version (%s): it was kept as %s.damaged and replaced",
                self._store.key,
                err.version,
                self._store.key,
            )
            await self._async_set_aside(err.data)
            await self._store.async_save(self._as_json())
            return
        except HomeAssistantError as err:
            # Not JSON at all: keep the file for inspection, start with nothing.
            LOGGER.warning(
                "The stored state of Zoom Live Stream (%s) is unreadable (%s): it "
                "was moved to %s.damaged and replaced",
                self._store.key,
                err,
                self._store.key,
            )
            path = Path(self._store.path)
            await self._hass.async_add_executor_job(
                _move, path, path.with_name(f"{path.name}.damaged")
            )
            return
        if data is None:
            return
        if not self._read(data):
            # Keep what was there for inspection, and carry on with what was valid.
            LOGGER.warning(
                "The stored state of Zoom Live Stream (%s) is damaged: it was kept as "
                "%s.damaged and replaced; display settings may need to be set again",
                self._store.key,
                self._store.key,
            )
            await self._async_set_aside(data)
            await self._store.async_save(self._as_json())

    async def _async_set_aside(self, data: Any) -> None:
        """Keep damaged or foreign data beside the store, for inspection."""
        aside: Store[Any] = Store(
            self._hass, STORAGE_VERSION, f"{self._store.key}.damaged"
        )
        await aside.async_save(data)

    def _read(self, data: Any) -> bool:
        """Take what is valid; return False when the data is damaged."""
        if not isinstance(data, dict):
            return False
        meetings = data.get("meetings", {})
        streaming = data.get("streaming", [])
        deliveries = data.get("deliveries", {})
        event_ts = data.get("event_ts", {})
        webinars = data.get("webinars", {})
        learned = data.get("learned", [])
        intact = (
            isinstance(meetings, dict)
            and isinstance(streaming, list)
            and isinstance(deliveries, dict)
            and isinstance(event_ts, dict)
            and isinstance(webinars, dict)
            and isinstance(learned, list)
        )
        for key, value in (meetings if isinstance(meetings, dict) else {}).items():
            if (meeting_id := _meeting_id(key)) is None or not isinstance(value, dict):
                intact = False
                continue
            settings = _read_display_settings(value)
            # A value the action would refuse is dropped: Zoom is never sent it.
            intact = intact and len(settings) == len(value)
            self._display[meeting_id] = settings
        for value in streaming if isinstance(streaming, list) else []:
            if (meeting_id := _meeting_id(value)) is not None:
                self._streaming.add(meeting_id)
        for value in learned if isinstance(learned, list) else []:
            if (meeting_id := _meeting_id(value)) is not None:
                self._learned.add(meeting_id)
        # Oldest expiry first, as they were written (they expire in that order).
        for key, until in sorted(
            (deliveries if isinstance(deliveries, dict) else {}).items(),
            key=lambda item: item[1] if _is_number(item[1]) else 0,
        ):
            if _is_number(until):
                self._deliveries[str(key)] = float(until)
        for key, at in (event_ts if isinstance(event_ts, dict) else {}).items():
            if (meeting_id := _meeting_id(key)) is not None and _is_number(at):
                self._event_ts[meeting_id] = int(at)
        for key, running in (webinars if isinstance(webinars, dict) else {}).items():
            if (meeting_id := _meeting_id(key)) is not None and isinstance(
                running, bool
            ):
                self._live_webinars[meeting_id] = running
        return intact

    # -- display settings ---------------------------------------------------------

    def display_settings(self, meeting_id: int) -> LiveStreamStartSettings:
        """Return the settings to send when starting this meeting's stream."""
        stored = self._display.get(meeting_id, {})
        layout = stored.get("layout")
        caption = stored.get("close_caption")
        return LiveStreamStartSettings(
            display_name=stored.get("display_name"),
            active_speaker_name=stored.get("active_speaker_name"),
            layout=Layout(layout) if layout is not None else None,
            close_caption=CloseCaption(caption) if caption is not None else None,
        )

    def display_settings_json(self, meeting_id: int) -> dict[str, str | bool]:
        """Return the stored display settings as JSON (diagnostics)."""
        return cast("dict[str, str | bool]", dict(self._display.get(meeting_id, {})))

    async def async_update_display(
        self, meeting_id: int, changes: StoredDisplaySettings
    ) -> None:
        """Merge `changes` into the meeting's settings and save them now."""
        self._display[meeting_id] = {**self._display.get(meeting_id, {}), **changes}
        await self._store.async_save(self._as_json())

    @callback
    def async_prune(self, meeting_ids: set[int]) -> None:
        """Forget what belongs to meetings Zoom no longer lists."""
        gone = (
            set(self._display)
            | self._streaming
            | set(self._event_ts)
            | set(self._live_webinars)
            | self._learned
        ) - meeting_ids
        if gone:
            for meeting_id in gone:
                self._display.pop(meeting_id, None)
                self._event_ts.pop(meeting_id, None)
                self._live_webinars.pop(meeting_id, None)
            self._streaming -= gone
            self._learned -= gone
            self._schedule_save()

    @callback
    def async_forget(self, meeting_ids: Iterable[int]) -> None:
        """Forget what belongs to these meetings (Zoom no longer lists them)."""
        gone = [
            meeting_id
            for meeting_id in meeting_ids
            if meeting_id in self._display
            or meeting_id in self._streaming
            or meeting_id in self._event_ts
            or meeting_id in self._live_webinars
        ]
        if gone:
            for meeting_id in gone:
                self._display.pop(meeting_id, None)
                self._event_ts.pop(meeting_id, None)
                self._live_webinars.pop(meeting_id, None)
                self._streaming.discard(meeting_id)
            self._schedule_save()

    # -- stream state -------------------------------------------------------------

    def streaming_ids(self) -> set[int]:
        """Return the meetings whose stream was on when last saved."""
        return set(self._streaming)

    @callback
    def async_set_streaming(self, meeting_ids: Iterable[int]) -> None:
        """Remember which streams are on now."""
        streaming = set(meeting_ids)
        if streaming != self._streaming:
            self._streaming = streaming
            self._schedule_save()

    def live_webinars(self) -> dict[int, bool]:
        """Return whether each webinar ran, as Zoom's events last said."""
        return dict(self._live_webinars)

    @callback
    def async_set_live_webinars(self, live_webinars: Mapping[int, bool]) -> None:
        """Remember whether each webinar runs (cheap when nothing changed)."""
        if live_webinars is self._live_webinars_seen:
            return
        self._live_webinars_seen = live_webinars
        if live_webinars != self._live_webinars:
            self._live_webinars = dict(live_webinars)
            self._schedule_save()

    def learned_ids(self) -> frozenset[int]:
        """Return the running meetings learned from events, when last saved."""
        return frozenset(self._learned)

    @callback
    def async_set_learned(self, meeting_ids: Iterable[int]) -> None:
        """Remember which running meetings were learned from events."""
        learned = set(meeting_ids)
        if learned != self._learned:
            self._learned = learned
            self._schedule_save()

    # -- Zoom deliveries ----------------------------------------------------------

    @callback
    def async_event_seen(self, key: str, now: float) -> bool:
        """Whether the event with `key` was applied within its memory."""
        while self._deliveries:
            oldest, until = next(iter(self._deliveries.items()))
            if until > now:
                break
            # Expired: forgotten without rebuilding what is still remembered.
            del self._deliveries[oldest]
            self._dirty = True
        return key in self._deliveries

    @callback
    def async_remember_event(self, key: str, until: float) -> None:
        """Remember an applied event until `until` (epoch seconds)."""
        self._deliveries.pop(key, None)
        self._deliveries[key] = until
        self._schedule_save()

    def event_ts(self) -> dict[int, int]:
        """Return when the newest applied event of each meeting happened (ms)."""
        return dict(self._event_ts)

    @callback
    def async_set_event_ts(self, event_ts: Mapping[int, int]) -> None:
        """Remember when the newest applied event of each meeting happened."""
        if event_ts != self._event_ts:
            self._event_ts = dict(event_ts)
            self._schedule_save()

    # -- saving -------------------------------------------------------------------

    def _schedule_save(self) -> None:
        self._dirty = True
        self._store.async_delay_save(self._as_json, SAVE_DELAY)

    async def async_flush(self) -> None:
        """Write what is pending now: the entry unloads (a reload reads it back)."""
        if self._dirty:
            await self._store.async_save(self._as_json())

    async def async_remove(self) -> None:
        """Delete the files: the config entry is being removed."""
        await self._store.async_remove()
        await Store[Any](
            self._hass, STORAGE_VERSION, f"{self._store.key}.damaged"
        ).async_remove()

    def _as_json(self) -> dict[str, Any]:
        self._dirty = False
        return {
            "meetings": {
                str(meeting_id): dict(settings)
                for meeting_id, settings in self._display.items()
            },
            "streaming": sorted(self._streaming),
            "deliveries": dict(self._deliveries),
            "event_ts": {str(i): at for i, at in self._event_ts.items()},
            "webinars": {str(i): run for i, run in self._live_webinars.items()},
            "learned": sorted(self._learned),
        }


def _read_display_settings(stored: dict[str, Any]) -> StoredDisplaySettings:
    """Return the stored settings that pass the rules of input."""
    settings: StoredDisplaySettings = {}
    if (
        "display_name" in stored
        and (name := clean_display_name(stored["display_name"])) is not None
        and name == stored["display_name"]
    ):
        settings["display_name"] = name
    if isinstance(speaker := stored.get("active_speaker_name"), bool):
        settings["active_speaker_name"] = speaker
    if (layout := stored.get("layout")) in set(Layout):
        settings["layout"] = str(layout)
    if (caption := stored.get("close_caption")) in set(CloseCaption):
        settings["close_caption"] = str(caption)
    return settings


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _move(path: Path, aside: Path) -> None:
    if path.exists():
        path.replace(aside)
