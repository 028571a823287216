"""A local simulator of the Zoom REST API, for tests, benchmarks and demos.

It serves Zoom's OAuth (Server-to-Server tokens, and a user-level app's
authorization code and rotating refresh tokens) and the meeting, webinar and
live-stream endpoints the integration uses, from an in-memory
:class:`SimulatorState`, plus unauthenticated ``/_simulator/`` control routes, and
pushes signed events (retried, late or twice on request) to webhook endpoints.
It imports nothing from Home Assistant.
"""

from .app import STATE_KEY, create_app
from .state import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_TOKEN_EXPIRES_IN,
    DEFAULT_USER_APP_CLIENT_ID,
    DEFAULT_USER_APP_CLIENT_SECRET,
    DEFAULT_USER_EMAIL,
    DEFAULT_USER_ID,
    SECOND_ACCOUNT_ID,
    SECOND_CLIENT_ID,
    SECOND_CLIENT_SECRET,
    SECOND_USER_EMAIL,
    SECOND_USER_ID,
    TOKEN_SCOPE,
    FaultRule,
    RecordedRequest,
    SimulatedAccount,
    SimulatedMeeting,
    SimulatedUser,
    SimulatorState,
    seed_demo,
    seed_users,
)

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_TOKEN_EXPIRES_IN",
    "DEFAULT_USER_EMAIL",
    "DEFAULT_USER_APP_CLIENT_ID",
    "DEFAULT_USER_APP_CLIENT_SECRET",
    "DEFAULT_USER_ID",
    "SECOND_ACCOUNT_ID",
    "SECOND_CLIENT_ID",
    "SECOND_CLIENT_SECRET",
    "SECOND_USER_EMAIL",
    "SECOND_USER_ID",
    "STATE_KEY",
    "TOKEN_SCOPE",
    "FaultRule",
    "RecordedRequest",
    "SimulatedAccount",
    "SimulatedMeeting",
    "SimulatedUser",
    "SimulatorState",
    "create_app",
    "seed_demo",
    "seed_users",
]
