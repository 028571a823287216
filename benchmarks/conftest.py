"""Fixtures of the benchmarks: the integration, in a harness that runs like production.

Home Assistant's test harness debugs the event loop and logs at INFO; a real
instance does neither. Both would be timed as if the integration cost them.
"""

from __future__ import annotations

import asyncio
import logging

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that files each benchmark under its numbered item."""
    config.addinivalue_line("markers", "item(number): the results-table item")


@pytest.fixture(autouse=True)
def _custom(enable_custom_integrations: None) -> None:
    """Load the integration from custom_components, as tests/conftest.py does."""
    return


@pytest.fixture(autouse=True)
def enable_event_loop_debug(event_loop: asyncio.AbstractEventLoop) -> None:
    """Override the harness's fixture: run the loop without debug mode.

    Debug mode records a traceback for every task and handle, which makes
    fanning out 50 toggles look several times slower than it is.
    """
    event_loop.set_debug(False)


@pytest.fixture(autouse=True)
def _production_logging(caplog: pytest.LogCaptureFixture) -> None:
    """Log at WARNING, as Home Assistant does by default (the harness logs INFO).

    Otherwise formatting 10,000 "Registered new entity" lines, and an access-log
    line per simulator request, would be timed as the integration's cost.
    """
    caplog.set_level(logging.WARNING)
