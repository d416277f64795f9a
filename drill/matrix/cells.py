"""The survive/restore matrix's cells: which (experiment, room) pairs apply, and what each showed.

An experiment applies to the rooms its failure domain can be found in, as
the planned stack's topology says: a storage fault to the room of the
storage array, the vault's loss to the vault's room, a room's loss to every
machine room that holds part of the stack. A cell's outcome per service is
read from its game day: the workload's ledger (did the service fail any
operation?), the plan's verifications (when was it back?) and the audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drill.gameday.experiments import Experiment
from drill.records.matrix import Cell, Outcome, ServiceCell
from drill.records.summary import GamedaySummary, ServiceResult
from drill.workload.ledger import read_ledger
from infra.topology import Topology

SERVICES = ("appointments", "lab", "mail", "intranet")


@dataclass(frozen=True)
class CellSpec:
    """One cell to run: an experiment in a room."""

    experiment: Experiment
    room: str

    @property
    def label(self) -> str:
        """The cell's name, such as room-loss@nord-1."""
        return f"{self.experiment.name}@{self.room}"


def cells_for(experiments: list[Experiment], topology: Topology) -> list[CellSpec]:
    """Every (experiment, room) the experiments apply to in this stack, in the experiments' order."""
    rooms_with_parts = [
        room.name
        for room in topology.machine_rooms()
        if any(c.room == room.name for c in topology.containers())
    ]
    where = {
        "storage": [next(c.room for c in topology.service("storage").containers)],
        "vault": [next(c.room for c in topology.service("vault").containers)],
        "room": rooms_with_parts,
    }
    return [
        CellSpec(experiment, room)
        for experiment in experiments
        if experiment.hosting in ("", topology.hosting)  # a host's loss only where rooms have hosts
        for room in where[experiment.applies_to]
    ]


def read_cell(spec: CellSpec, run_dir: Path, summary: GamedaySummary) -> Cell:
    """The cell a game day's folder and summary show."""
    failing = _failing_services(run_dir / "ledger.jsonl")
    if summary.intranet_failed_requests:
        failing.add("intranet")
    cells = tuple(
        _service(name, result, name in failing, summary)
        for name in SERVICES
        if (result := summary.service(name)) is not None
    )
    not_back = [c.service for c in cells if c.outcome == "not restored"]
    extra = (f"not restored though it could be: {', '.join(not_back)}",) if not_back else ()
    return Cell(
        experiment=spec.experiment.name,
        room=spec.room,
        run_id=run_dir.name,
        passed=summary.passed and not not_back and all(c.lost == 0 for c in cells),
        reasons=summary.reasons + extra,
        services=cells,
        seconds=round(summary.duration_s, 1),
    )


def _failing_services(ledger: Path) -> set[str]:
    """Services the workload saw fail (or not answer) at least once."""
    if not ledger.exists():
        return set()
    return {e.service for e in read_ledger(ledger) if e.status in ("failed", "unknown")}


def _service(name: str, result: ServiceResult, failed: bool, summary: GamedaySummary) -> ServiceCell:
    outcome, text = _outcome(name, failed, result, summary)
    return ServiceCell(
        service=name, outcome=outcome, text=text, rto_s=result.rto_s, acked=result.acked, lost=result.lost
    )


def _outcome(name: str, failed: bool, result: ServiceResult, summary: GamedaySummary) -> tuple[Outcome, str]:
    if not failed:
        return "stayed up", "stayed up"
    if summary.cannot_restore and name != "intranet":
        return "refused", "refused: " + "; ".join(summary.cannot_restore)
    if result.restored is True and result.rto_s is not None:
        return "restored", f"restored in {result.rto_s:.0f} s"
    # The game day's own checks held (the final audit read it, the steady state held after):
    # it was back without the plan re-creating anything, as after a blip or a slowdown.
    if summary.passed:
        return "came back", "came back without the plan"
    return "not restored", "NOT restored"
