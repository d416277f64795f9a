"""matrix.json: every (experiment, room) cell of a matrix run, its verdict and each service's outcome."""

from __future__ import annotations

from typing import Literal

import pydantic

from drill.records.base import Record

Outcome = Literal["stayed up", "restored", "came back", "refused", "not restored"]
# Outcomes of a service that a good run may show.
GOOD = frozenset({"stayed up", "restored", "came back", "refused"})


class ServiceCell(Record):
    """One service in one cell: what happened to it, when it was back, and its writes."""

    service: str
    outcome: Outcome
    text: str
    rto_s: float | None = None
    acked: pydantic.NonNegativeInt = 0
    lost: pydantic.NonNegativeInt = 0


class Cell(Record):
    """One (experiment, room) run: its game day, verdict and services."""

    experiment: str
    room: str
    run_id: str
    passed: bool
    reasons: tuple[str, ...] = ()
    services: tuple[ServiceCell, ...] = ()
    seconds: float

    @property
    def label(self) -> str:
        """The cell's name, such as room-loss@nord-1."""
        return f"{self.experiment}@{self.room}"


class Matrix(Record):
    """A whole matrix run: its cells and whether every one passed."""

    stack: str
    started_at: float
    ended_at: float
    command: str
    cells: tuple[Cell, ...] = ()

    @pydantic.computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        """Every cell passed."""
        return all(cell.passed for cell in self.cells)
