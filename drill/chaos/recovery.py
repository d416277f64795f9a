"""The recovery plan as a Chaos Toolkit action (an experiment's method runs it after the fault)."""

from __future__ import annotations

from pathlib import Path

from chaoslib.exceptions import ActivityFailed
from rich.console import Console

from drill.errors import DrillError
from drill.paths import state_paths
from drill.progress import render_on
from drill.recovery.plan import DEFAULT_PLAN
from drill.recovery.recover import read_plan, recover

__all__ = ["run_recovery_plan"]


def run_recovery_plan(
    stack: str, run_dir: str, plan: str = "", negative_control: bool = False
) -> dict[str, object]:
    """Run the recovery plan against stack; write its result to run_dir/plan.json.

    plan is the plan file (default plans/storage-recovery.yaml); negative_control
    restores without the vault's partial WAL segment. Returns whether it passed,
    its seconds and what it cannot restore; raises ActivityFailed when it failed.
    """
    try:
        spec = read_plan(Path(plan) if plan else DEFAULT_PLAN)
        render_on(Console(highlight=False))  # the plan's steps show in the game day's terminal
        result = recover(state_paths(), stack, spec, negative_control)
    except DrillError as exc:
        raise ActivityFailed(str(exc)) from exc
    result.write(Path(run_dir) / "plan.json")
    summary: dict[str, object] = {
        "passed": result.passed,
        "seconds": round(result.ended_at - result.started_at, 1),
        "cannot_restore": list(result.cannot_restore),
        "failed_step": next((s.name for s in result.steps if s.status == "failed"), ""),
    }
    if not result.passed:
        raise ActivityFailed(f"the recovery plan failed: {summary}")
    return summary
