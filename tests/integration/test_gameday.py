"""Whole game days on the real stack: the negative control seen losing, the plan idempotent, the
vault's loss refused, an interrupted game day leaving nothing to change. (The storage's failure
recovered with nothing lost runs across hosts, test_swarm.py; the SAN's in test_matrix.py.)

They run last in the session (conftest) and in this order: the vault's loss
leaves the stack as planned; every later game day finds it recovered and
rebuilds it as planned first, as `drill gameday` does for a user.

Each game day runs the experiment with plain `chaos run` under the workload,
then the audit; these tests read what it wrote, as a user would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from drill import stack as stacks
from drill.gameday.experiments import load_experiment
from drill.gameday.run import GamedayOptions, run_gameday
from drill.paths import PROJECT_ROOT
from drill.records.summary import GamedaySummary, load_summary
from drill.recovery.recover import read_plan, recover
from tests.integration.conftest import STACK, Deployed
from tests.integration.engine import client

pytestmark = pytest.mark.docker
CONSOLE = Console(stderr=True)


def gameday(deployed: Deployed, name: str, negative_control: bool = False) -> GamedaySummary:
    """Run a game day; return its summary as read back from summary.json (the same as it returned)."""
    options = GamedayOptions(STACK, negative_control=negative_control)
    run = run_gameday(deployed.paths, load_experiment(name), options)
    for part in ("journal.json", "ledger.jsonl", "summary.json", "report.md", "report.html", "timeline.png"):
        assert (run.folder / part).stat().st_size > 0, part
    assert (run.folder.parent / "latest").resolve() == run.folder.resolve()
    summary = load_summary(run.folder / "summary.json")
    assert summary == run.summary
    return summary


def recovered(deployed: Deployed) -> bool:
    """Whether the stack stands as the plan recovered it, as its topology says."""
    topology = stacks.current_topology(deployed.paths, STACK)
    return topology is not None and topology.recovered


def test_without_the_vault_the_plan_refuses_and_names_what_it_cannot_restore(
    deployed: Deployed,
) -> None:
    summary = gameday(deployed, "vault-loss")
    assert summary.passed is True, summary.reasons
    cannot = summary.cannot_restore
    assert len(cannot) == 2
    assert "databases" in cannot[0] and "mail" in cannot[1]
    assert not recovered(deployed)  # nothing was moved
    assert summary.drift_after == 0
    assert all(s.lost == 0 for s in summary.services.values())


def test_the_negative_control_makes_the_audit_see_loss(deployed: Deployed) -> None:
    summary = gameday(deployed, "storage-failure", negative_control=True)
    assert summary.lost > 0
    assert summary.passed is False
    assert "acknowledged writes lost" in json.dumps(summary.reasons)


def test_running_the_plan_again_changes_nothing(deployed: Deployed) -> None:
    assert recovered(deployed), "needs the stack the negative control's plan recovered"
    result = recover(deployed.paths, STACK, read_plan())
    assert result.passed
    assert result.changed is False
    statuses = {step.name: step.status for step in result.steps}
    assert statuses["recreate-storage"] == "unchanged"
    assert statuses["repoint-services"] == "unchanged"


def test_an_interrupted_game_day_still_leaves_nothing_for_drill_up_to_change(
    deployed: Deployed, tmp_path: Path
) -> None:
    """Ctrl-C while the plan re-creates the storage: rollbacks play, the run is reported,
    and `drill up` then finds nothing to change."""
    reports = PROJECT_ROOT / "reports"
    earlier = set(reports.iterdir()) if reports.is_dir() else set()
    output = tmp_path / "drill-gameday.log"
    started = time.time()
    with output.open("wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "drill"), "--stack", STACK, "gameday"],
            cwd=PROJECT_ROOT,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def said() -> str:
        return output.read_text(errors="replace")[-3000:]

    try:
        # The game day first rebuilds the stack the previous one left recovered (its array
        # in nord-2), then writes its run's vars.json and starts the experiment: only an
        # array seen after that is the one the plan re-creates (by rule: not the vault's room).
        new_array = f"{deployed.topology.prefix}-postgres-nord-2"
        while not (
            any((run / "vars.json").exists() for run in set(reports.iterdir()) - earlier)
            and client().api.containers(all=True, filters={"name": f"^{new_array}$"})  # no inspect: no race
        ):
            assert process.poll() is None and time.time() - started < 300, (
                f"the plan never re-created the array; drill said:\n{said()}"
            )
            time.sleep(0.5)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
        assert process.wait(timeout=300) == 1, said()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    summary = load_summary(reports / "latest" / "summary.json")
    # Ctrl-C reaches Chaos Toolkit (status interrupted) or first the Pulumi run under the
    # plan, which stops, failing the plan (status completed, the plan failed): both roll back.
    assert summary.started_at >= started, f"no report of this run; drill said:\n{said()}"
    assert summary.journal_status in ("interrupted", "completed")
    assert summary.passed is False
    assert summary.lost == 0
    again = stacks.up(deployed.paths, STACK)
    assert not again.changed, again.changes
