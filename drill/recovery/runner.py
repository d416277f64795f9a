"""Running a recovery plan: groups in order, each step acted, verified, timed.

A step's verification is polled until it passes, the step's timeout runs
out, or it says its failure is final; an action that raises, or a
verification that never passes, fails the step, and every later step is
reported skipped. Nothing is hidden: the result holds every step with its
times, what it saw, the time each service was verified back, and what the
plan says it cannot restore.
"""

from __future__ import annotations

import logging
import time

import docker.errors

from drill.errors import DrillError
from drill.progress import working
from drill.records.plan import PlanResult, StepResult, StepStatus
from drill.recovery.actions import ACTIONS
from drill.recovery.context import Outcome, Recovery, Verdict
from drill.recovery.plan import GroupSpec, StepSpec
from drill.recovery.proofs import PROVES
from drill.recovery.verifications import VERIFICATIONS
from drill.workload import clients

log = logging.getLogger(__name__)

POLL_S = 1.0


def run_plan(rec: Recovery) -> PlanResult:
    """Run every step of rec.plan in order; return the result (it never raises for a failed step)."""
    started = time.time()
    results: list[StepResult] = []
    verified: dict[str, float] = {}
    cannot_restore: list[str] = []
    failed = changed = False
    for group, step in rec.plan.steps():
        if failed or _no_disaster(rec):
            results.append(_skipped(group, step, "" if failed else "no disaster: nothing to recover"))
            continue
        result, verdict = _run_step(rec, group, step)
        results.append(result)
        cannot_restore += verdict.cannot_restore
        log.info(_line(result))
        failed = result.status == "failed"
        changed |= result.status == "done" and step.action is not None
        if not failed and step.verify in PROVES:
            verified[PROVES[step.verify]] = result.ended_at
    return PlanResult(
        plan=rec.plan.name,
        stack=rec.stack,
        started_at=started,
        ended_at=time.time(),
        passed=not failed,
        steps=tuple(results),
        verified_at=verified,
        cannot_restore=tuple(cannot_restore),
        changed=changed,
        without_partial=rec.without_partial,
        damage=rec.damage,
    )


def _no_disaster(rec: Recovery) -> bool:
    """The storage of a stack as planned answers: every step after the assessment is skipped."""
    return rec.damage is not None and not rec.damage.lost and not rec.already_recovered


def _skipped(group: GroupSpec, step: StepSpec, why: str) -> StepResult:
    now = time.time()
    return StepResult(
        group=group.name,
        name=step.name,
        started_at=now,
        ended_at=now,
        seconds=0.0,
        status="skipped",
        detail=why,
    )


def _run_step(rec: Recovery, group: GroupSpec, step: StepSpec) -> tuple[StepResult, Verdict]:
    """Act, then verify until the step's timeout; the step's result and its last verdict."""
    started = time.time()
    deadline = time.monotonic() + step.timeout_s
    with working(f"{group.name}: {step.name}…"):
        try:
            outcome = ACTIONS[step.action](rec) if step.action else Outcome(False, "")
            verdict = _poll(rec, step, deadline)
        except (DrillError, docker.errors.DockerException, clients.Unsent, clients.Unanswered) as exc:
            outcome, verdict = Outcome(False, ""), Verdict(False, str(exc))
    ended = time.time()
    if verdict.ok and time.monotonic() > deadline:
        verdict = Verdict(
            False,
            f"took longer than its timeout of {step.timeout_s:g} s ({verdict.detail})",
            cannot_restore=verdict.cannot_restore,
        )
    # A step that only verifies is done when verified; an action that found nothing to do is unchanged.
    acted = outcome.changed or step.action is None
    status: StepStatus = ("done" if acted else "unchanged") if verdict.ok else "failed"
    detail = "; ".join(part for part in (outcome.detail, verdict.detail) if part)
    result = StepResult(
        group=group.name,
        name=step.name,
        started_at=started,
        ended_at=ended,
        seconds=round(ended - started, 3),
        status=status,
        detail=detail,
    )
    return result, verdict


def _poll(rec: Recovery, step: StepSpec, deadline: float) -> Verdict:
    """Verify until it passes, fails for good or the deadline passes; return the last verdict.

    The check is made once per step, so a proof that writes writes once and
    every later poll waits for that same record.
    """
    check = VERIFICATIONS[step.verify](rec)
    while True:
        try:
            verdict = check()
        except (clients.Unsent, clients.Unanswered, docker.errors.DockerException) as exc:
            verdict = Verdict(False, f"no answer: {exc}")
        if verdict.ok or verdict.final or time.monotonic() >= deadline:
            return verdict
        log.debug("step %s not verified yet: %s", step.name, verdict.detail)
        time.sleep(POLL_S)


def _line(result: StepResult) -> str:
    colour = {"done": "green", "unchanged": "cyan", "failed": "red", "skipped": "yellow"}[result.status]
    return (
        f"[{colour}]{result.status:>9}[/] {result.group} / {result.name} "
        f"[dim]{result.seconds:.1f} s[/] {result.detail}"
    )
