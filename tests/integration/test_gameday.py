"""Whole game days on the real stack: the incident recovered with nothing lost, the plan idempotent,
the negative control seen losing, the vault's loss refused.

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
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from drill import stack as stacks
from drill.gameday.experiments import load_experiment
from drill.gameday.run import GamedayOptions, run_gameday
from drill.leftovers import remove_leftovers
from drill.paths import PROJECT_ROOT
from drill.recovery.recover import read_plan, recover
from drill.workspace import check_stack_config, read_recovery
from infra.config import LOCAL_ENGINE
from tests.integration.conftest import STACK, Deployed
from tests.integration.engine import client

pytestmark = pytest.mark.docker
CONSOLE = Console(stderr=True)


@pytest.fixture(scope="module")
def planned_afterwards(deployed: Deployed) -> Iterator[Deployed]:
    """Leave the stack as planned for the tests that follow (a game day leaves it recovered)."""
    yield deployed
    if read_recovery(deployed.paths, STACK) is not None:
        stacks.down(deployed.paths, STACK, CONSOLE)
        # A volume the destroy could not remove would hand the new vault an old WAL stream.
        remove_leftovers(STACK, {LOCAL_ENGINE})
        stacks.up(deployed.paths, STACK, CONSOLE)


def gameday(deployed: Deployed, name: str, negative_control: bool = False) -> dict[str, object]:
    targets = check_stack_config(STACK).targets
    options = GamedayOptions(STACK, targets.rto_s, targets.stat_delivery_s, negative_control)
    run_dir = run_gameday(deployed.paths, load_experiment(name), options, CONSOLE)
    for part in ("journal.json", "ledger.jsonl", "summary.json", "report.md", "report.html", "timeline.png"):
        assert (run_dir / part).stat().st_size > 0, part
    assert (run_dir.parent / "latest").resolve() == run_dir.resolve()
    summary: dict[str, object] = json.loads((run_dir / "summary.json").read_text())
    return summary


def services(summary: dict[str, object]) -> dict[str, dict[str, object]]:
    found = summary["services"]
    assert isinstance(found, dict)
    return found


def test_storage_failure_is_recovered_with_nothing_acknowledged_lost(planned_afterwards: Deployed) -> None:
    summary = gameday(planned_afterwards, "storage-failure")
    assert summary["reasons"] == [] and summary["passed"] is True
    assert summary["intranet_failed_requests"] == 0
    assert summary["drift_after"] == 0  # `drill up` after the game day found nothing to change
    for name in ("appointments", "lab", "mail"):
        service = services(summary)[name]
        assert service["restored"] is True, name
        assert isinstance(service["acked"], int) and service["acked"] > 0, name
        assert service["lost"] == 0 and service["unexpected"] == 0, name
        assert isinstance(service["rto_s"], float) and service["rto_s"] > 0, name


def test_running_the_plan_again_changes_nothing(planned_afterwards: Deployed) -> None:
    assert read_recovery(planned_afterwards.paths, STACK) is not None, "needs the recovered stack"
    result = recover(planned_afterwards.paths, STACK, CONSOLE, read_plan())
    assert result.passed
    assert result.changed is False
    statuses = {step.name: step.status for step in result.steps}
    assert statuses["recreate-storage"] == "unchanged"
    assert statuses["repoint-services"] == "unchanged"


def test_the_negative_control_makes_the_audit_see_loss(planned_afterwards: Deployed) -> None:
    summary = gameday(planned_afterwards, "storage-failure", negative_control=True)
    lost = sum(int(str(s["lost"])) for s in services(summary).values())
    assert lost > 0
    assert summary["passed"] is False
    assert "acknowledged writes lost" in json.dumps(summary["reasons"])


def test_without_the_vault_the_plan_refuses_and_names_what_it_cannot_restore(
    planned_afterwards: Deployed,
) -> None:
    summary = gameday(planned_afterwards, "vault-loss")
    assert summary["passed"] is True, summary["reasons"]
    cannot = summary["cannot_restore"]
    assert isinstance(cannot, list) and len(cannot) == 2
    assert "databases" in cannot[0] and "mail" in cannot[1]
    assert read_recovery(planned_afterwards.paths, STACK) is None  # nothing was moved
    assert summary["drift_after"] == 0
    assert all(s["lost"] == 0 for s in services(summary).values())


def test_an_interrupted_game_day_still_leaves_nothing_for_drill_up_to_change(
    planned_afterwards: Deployed,
) -> None:
    """Ctrl-C while the plan re-creates the storage: rollbacks play, the run is reported,
    and `drill up` then finds nothing to change."""
    started = time.time()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "drill"), "--stack", STACK, "gameday"],
        cwd=PROJECT_ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        new_array = f"{planned_afterwards.topology.prefix}-postgres-bellevue"
        while not client().containers.list(all=True, filters={"name": f"^{new_array}$"}):
            assert process.poll() is None and time.time() - started < 300, (
                "the plan never re-created the array"
            )
            time.sleep(0.5)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
        assert process.wait(timeout=300) == 1
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    summary = json.loads((PROJECT_ROOT / "reports" / "latest" / "summary.json").read_text())
    # Ctrl-C reaches Chaos Toolkit (status interrupted) or first the Pulumi run under the
    # plan, which stops, failing the plan (status completed, the plan failed): both roll back.
    assert summary["journal_status"] in ("interrupted", "completed")
    assert summary["passed"] is False
    assert summary["started_at"] >= started
    assert all(s["lost"] == 0 for s in summary["services"].values())
    again = stacks.up(planned_afterwards.paths, STACK, CONSOLE)
    assert not again.changed, again.changes
