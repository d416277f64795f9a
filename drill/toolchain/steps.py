"""Running bootstrap steps one after another, each timed and shown with rich."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from drill.errors import DrillError
from drill.progress import working

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    """One bootstrap step.

    `existing` returns a description of the product when it is already there
    (then the step is skipped) or None; `make` builds it and returns its
    description; `fix` is the command a person runs when it is missing.
    """

    name: str
    existing: Callable[[], str | None]
    make: Callable[[], str]
    fix: str = "make bootstrap"


def run_steps(steps: Sequence[Step]) -> None:
    """Run each step in order, printing what it did and how long it took.

    Raises the step's DrillError after printing it; later steps do not run.
    """
    for step in steps:
        started = time.monotonic()
        try:
            found = step.existing()
            if found is not None:
                log.info(f"[green]✓[/] {step.name}: present ({found}) [{_took(started)}]")
                continue
            with working(f"{step.name}: building…"):
                made = step.make()
            log.info(f"[green]✓[/] {step.name}: made ({made}) in {_took(started)}")
        except DrillError:
            log.info(f"[red]✗[/] {step.name}: failed after {_took(started)}")
            raise


def _took(started: float) -> str:
    return f"{time.monotonic() - started:.1f} s"
