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
from typing import Literal

from drill.gameday.experiments import Experiment
from drill.workload.ledger import read_ledger
from infra.topology import Topology

SERVICES = ("appointments", "lab", "mail", "intranet")
Outcome = Literal["stayed up", "restored", "came back", "refused", "not restored"]
# Outcomes of a service that a good run may show.
GOOD = frozenset({"stayed up", "restored", "came back", "refused"})


@dataclass(frozen=True)
class CellSpec:
    """One cell to run: an experiment in a room."""

    experiment: Experiment
    room: str

    @property
    def label(self) -> str:
        """The cell's name, such as room-loss@nord-1."""
        return f"{self.experiment.name}@{self.room}"


@dataclass(frozen=True)
class ServiceCell:
    """One service in one cell: what happened to it, when it was back, and its writes."""

    service: str
    outcome: Outcome
    text: str
    rto_s: float | None
    acked: int
    lost: int


@dataclass(frozen=True)
class Cell:
    """One (experiment, room) run: its game day, verdict and services."""

    experiment: str
    room: str
    run_id: str
    passed: bool
    reasons: tuple[str, ...]
    services: tuple[ServiceCell, ...]
    seconds: float


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
    return [CellSpec(experiment, room) for experiment in experiments for room in where[experiment.applies_to]]


def read_cell(spec: CellSpec, run_dir: Path, summary: dict[str, object]) -> Cell:
    """The cell a game day's folder and summary show."""
    services = summary.get("services")
    found = services if isinstance(services, dict) else {}
    failing = _failing_services(run_dir / "ledger.jsonl")
    if summary.get("intranet_failed_requests"):
        failing.add("intranet")
    cells = tuple(
        _service(name, found.get(name, {}), name in failing, summary) for name in SERVICES if name in found
    )
    reasons = tuple(str(r) for r in _list(summary.get("reasons")))
    not_back = [c.service for c in cells if c.outcome == "not restored"]
    extra = (f"not restored though it could be: {', '.join(not_back)}",) if not_back else ()
    started, ended = float(str(summary["started_at"])), float(str(summary["ended_at"]))
    return Cell(
        experiment=spec.experiment.name,
        room=spec.room,
        run_id=run_dir.name,
        passed=bool(summary.get("passed")) and not not_back and all(c.lost == 0 for c in cells),
        reasons=reasons + extra,
        services=cells,
        seconds=round(ended - started, 1),
    )


def _failing_services(ledger: Path) -> set[str]:
    """Services the workload saw fail (or not answer) at least once."""
    if not ledger.exists():
        return set()
    return {e.service for e in read_ledger(ledger) if e.status in ("failed", "unknown")}


def _service(name: str, raw: object, failed: bool, summary: dict[str, object]) -> ServiceCell:
    fields = raw if isinstance(raw, dict) else {}
    rto = fields.get("rto_s")
    rto_s = float(rto) if isinstance(rto, int | float) else None
    acked, lost = int(fields.get("acked") or 0), int(fields.get("lost") or 0)
    outcome, text = _outcome(name, failed, rto_s, fields.get("restored"), summary)
    return ServiceCell(name, outcome, text, rto_s, acked, lost)


def _outcome(
    name: str, failed: bool, rto_s: float | None, restored: object, summary: dict[str, object]
) -> tuple[Outcome, str]:
    if not failed:
        return "stayed up", "stayed up"
    refused = [str(r) for r in _list(summary.get("cannot_restore"))]
    if refused and name != "intranet":
        return "refused", "refused: " + "; ".join(refused)
    if restored is True and rto_s is not None:
        return "restored", f"restored in {rto_s:.0f} s"
    # The game day's own checks held (the final audit read it, the steady state held after):
    # it was back without the plan re-creating anything, as after a blip or a slowdown.
    if summary.get("passed"):
        return "came back", "came back without the plan"
    return "not restored", "NOT restored"


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []
