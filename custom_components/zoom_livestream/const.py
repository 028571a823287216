"""Constants of the Zoom Live Stream integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "zoom_livestream"
LOGGER = logging.getLogger(__package__)

CONF_ACCOUNT_ID: Final = "account_id"
CONF_CLOUD: Final = "cloud"
CONF_API_BASE_URL: Final = "api_base_url"
CONF_OAUTH_BASE_URL: Final = "oauth_base_url"

# Which meetings are live is polled often: it drives the in-progress sensors and
# ends the stream state when a meeting ends. The full meeting and webinar lists
# change rarely and cost one request per 300 items, so they are fetched less often.
SCAN_INTERVAL: Final = timedelta(seconds=60)
LIST_REFRESH_INTERVAL: Final = timedelta(minutes=15)

REQUEST_TIMEOUT: Final = 10.0
# How long an unload waits for the commands already asked for (each is one or two
# requests; a few may wait for one another).
COMMAND_DRAIN_TIMEOUT: Final = 3 * REQUEST_TIMEOUT

SERVICE_UPDATE_SETTINGS: Final = "update_settings"
ATTR_STREAM_URL: Final = "stream_url"
ATTR_STREAM_KEY: Final = "stream_key"
ATTR_PAGE_URL: Final = "page_url"
ATTR_RESOLUTION: Final = "resolution"
ATTR_DISPLAY_NAME: Final = "display_name"
ATTR_ACTIVE_SPEAKER_NAME: Final = "active_speaker_name"
ATTR_LAYOUT: Final = "layout"
ATTR_CLOSE_CAPTION: Final = "close_caption"

# Zoom's limits on the live-stream settings.
MAX_URL_LENGTH: Final = 1024
MAX_STREAM_KEY_LENGTH: Final = 512
MAX_DISPLAY_NAME_LENGTH: Final = 50

LIVE_STREAM_KEY: Final = "live_stream"
IN_PROGRESS_KEY: Final = "in_progress"
IN_A_MEETING_KEY: Final = "in_a_meeting"
EVENT_KEY: Final = "zoom_event"

CONF_AUTH_TYPE: Final = "auth_type"
AUTH_TYPE_SERVER_TO_SERVER: Final = "server_to_server"
AUTH_TYPE_OAUTH: Final = "oauth"

CONF_INCLUDE_WEBINARS: Final = "include_webinars"
CONF_EXTRA_USERS: Final = "extra_users"
CONF_EXTRA_MEETINGS: Final = "extra_meetings"

CONF_WEBHOOK_ID: Final = "webhook_id"
CONF_WEBHOOK_SECRET: Final = "webhook_secret"
# Options form only: whether Zoom pushes events (stored as "a secret is set").
CONF_EVENTS: Final = "events"
EVENT_ZOOM: Final = f"{DOMAIN}_event"
