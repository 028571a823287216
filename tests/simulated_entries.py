"""The config entry a user would make for one of the simulator's accounts.

Shared by the tests and the benchmark that run the integration against the
simulator: a Server-to-Server entry of the current version for the account's
own user.
"""

from __future__ import annotations

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.zoom_livestream.const import DOMAIN
from zoom_simulator import SimulatedAccount, SimulatorState


def simulated_entry(
    account: SimulatedAccount | SimulatorState, options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """Return a Server-to-Server entry for `account` (the state: its first one)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=account.user.email,
        unique_id=account.user.id,
        data={
            "auth_type": "server_to_server",
            "account_id": account.account_id,
            "client_id": account.client_id,
            "client_secret": account.client_secret,
            "cloud": "global",
        },
        options=options or {},
        version=1,
        minor_version=3,
    )
