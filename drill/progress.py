"""Where the testbed's log records are shown, and what a long step shows while it runs.

Domain code never holds a console: it logs what happened on its module's
logger (`log.info`) and wraps a long step in `with working("deploying…") as
update:` (update changes the text as the step goes on). A command line
installs the rendering once with `render_on(console)`: the records of drill
and infra printed as lines (rich markup allowed), each long step as a live
status line. Without it (tests, a library user) records follow the logging
configuration and steps show nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

LOGGERS = ("drill", "infra")
_shown: list[Console] = []  # the console steps are shown on, once render_on ran


class ConsoleHandler(logging.Handler):
    """Prints each record's message on a console as one line (rich markup allowed), as the CLI does."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.console.print(record.getMessage(), soft_wrap=True)
        except Exception:  # a record that cannot be shown must not stop the work it reports on
            self.handleError(record)


def render_on(console: Console, verbose: bool = False) -> None:
    """Show drill's and infra's records on console (debug ones too when verbose), and steps live."""
    handler = ConsoleHandler(console)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.DEBUG if verbose else logging.INFO)
        logger.propagate = False
    _shown[:] = [console]


def stop_rendering() -> None:
    """Steps show nothing again (the loggers keep whatever handlers they have)."""
    _shown.clear()


@contextmanager
def working(text: str) -> Iterator[Callable[[str], None]]:
    """A long step: shown as a live line while it runs (when a console renders); yields an update."""
    if not _shown:
        yield lambda _text: None
        return
    with _shown[0].status(text) as status:
        yield status.update
