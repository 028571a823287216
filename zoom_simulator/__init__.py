"""A local simulator of the Zoom REST API, for tests, benchmarks and demos.

It serves Zoom's Server-to-Server OAuth token endpoint and the meeting, webinar and
live-stream endpoints the integration uses, from an in-memory
:class:`SimulatorState`, plus unauthenticated ``/_simulator/`` control routes.
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
