"""Reading what a game day needs from Chaos Toolkit's journal.json."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ActivityRun:
    """One activity of the method as it ran."""

    name: str
    kind: str
    status: str
    started_at: float
    ended_at: float
    output: object


@dataclass(frozen=True)
class Journal:
    """The run's status, whether the steady state deviated, and the method's activities."""

    status: str
    deviated: bool
    steady_before: bool | None
    steady_after: bool | None
    runs: tuple[ActivityRun, ...]

    def first_action_at(self) -> float | None:
        """When the first action of the method (the fault) started."""
        return next((r.started_at for r in self.runs if r.kind == "action"), None)

    def output_of(self, name: str) -> object:
        """The output of the named activity, or None."""
        return next((r.output for r in self.runs if r.name == name), None)


def read_journal(path: Path) -> Journal | None:
    """The journal at path, or None when the run wrote none (it was stopped before)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    steady = raw.get("steady_states") or {}
    return Journal(
        status=str(raw.get("status", "unknown")),
        deviated=bool(raw.get("deviated", False)),
        steady_before=_met(steady.get("before")),
        steady_after=_met(steady.get("after")),
        runs=tuple(_run(r) for r in raw.get("run") or []),
    )


def _met(state: object) -> bool | None:
    return bool(state.get("steady_state_met")) if isinstance(state, dict) else None


def _run(raw: dict[str, object]) -> ActivityRun:
    activity = raw.get("activity")
    activity = activity if isinstance(activity, dict) else {}
    return ActivityRun(
        name=str(activity.get("name", "")),
        kind=str(activity.get("type", "")),
        status=str(raw.get("status", "")),
        started_at=_epoch(raw.get("start")),
        ended_at=_epoch(raw.get("end")),
        output=raw.get("output"),
    )


def _epoch(text: object) -> float:
    """Chaos Toolkit writes naive UTC ISO times."""
    if not isinstance(text, str):
        return 0.0
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()
