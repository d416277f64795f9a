"""What every test shares: the testbed's loggers as each test found them."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from drill import progress


@pytest.fixture(autouse=True)
def loggers_as_found() -> Iterator[None]:
    """A test that runs the CLI (which renders drill's records on its console) leaves the loggers
    as they were, so that the next test's caplog sees drill's records again."""
    kept = {name: logging.getLogger(name) for name in progress.LOGGERS}
    state = {name: (list(lg.handlers), lg.level, lg.propagate) for name, lg in kept.items()}
    yield
    for name, logger in kept.items():
        logger.handlers, level, logger.propagate = state[name]
        logger.setLevel(level)
    progress.stop_rendering()
