"""Running the recovery plan against a deployed stack: what `drill recover` and the game day call."""

from __future__ import annotations

from pathlib import Path

from drill import stack as stacks
from drill.errors import DeployError
from drill.paths import StatePaths
from drill.records.plan import PlanResult
from drill.recovery.actions import ACTIONS
from drill.recovery.context import Recovery
from drill.recovery.plan import DEFAULT_PLAN, PlanSpec, load_plan
from drill.recovery.runner import run_plan
from drill.recovery.verifications import VERIFICATIONS


def read_plan(path: Path = DEFAULT_PLAN) -> PlanSpec:
    """Load and check a plan file against the steps this version knows; raise PlanError when bad."""
    return load_plan(path, frozenset(ACTIONS), frozenset(VERIFICATIONS))


def recover(paths: StatePaths, stack: str, plan: PlanSpec, without_partial: bool = False) -> PlanResult:
    """Run plan against stack and return its result.

    without_partial runs the negative control: the restore leaves out the
    vault's newest, partial WAL segment, so the newest commits are lost.
    Raises DeployError when the stack is not deployed.
    """
    topology = stacks.current_topology(paths, stack)
    if topology is None:
        raise DeployError(f"stack {stack} is not deployed", f"run `drill --stack {stack} up` first")
    checked = topology.mail.mailbox(1)  # the mailbox the mail check reads: its password only
    rec = Recovery(
        paths=paths,
        stack=stack,
        plan=plan,
        topology=topology,
        mail_password=stacks.mailbox_passwords(paths, stack, [checked])[checked],
        without_partial=without_partial,
    )
    return run_plan(rec)
