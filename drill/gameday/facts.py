"""Making a game day's summary (drill/records/summary.py) from what the run left.

The RTO of a service is from the fault (the experiment's first action) to
the time the plan verified it back; the audit per service comes from the
ledger checked against a final read; the verdict (drill/gameday/verdict.py)
decides from what the experiment expects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from drill.audit import ServiceAudit
from drill.gameday.experiments import Experiment
from drill.gameday.journal import Journal
from drill.gameday.verdict import verdict
from drill.records.plan import PlanResult
from drill.records.summary import GamedaySummary, ServiceResult, StatResult
from drill.workload.ledger import LedgerEntry

RECOVERED = ("appointments", "lab", "mail")


@dataclass(frozen=True)
class RunFacts:
    """Everything a summary is made of."""

    run_id: str
    experiment: Experiment
    stack: str
    started_at: float
    ended_at: float
    journal: Journal | None
    plan: PlanResult | None
    audits: list[ServiceAudit]
    ledger: list[LedgerEntry]
    stat: StatResult
    rto_targets: Mapping[str, float]
    negative_control: bool
    drift: int


def build_summary(facts: RunFacts) -> GamedaySummary:
    """The summary as DESIGN.md's contract has it, plus what the report shows."""
    fault_at = facts.journal.first_action_at() if facts.journal else None
    plan = facts.plan
    requests, failed = intranet_counts(facts)
    services = service_results(facts, fault_at) | {
        "intranet": ServiceResult(
            rto_s=0.0 if failed == 0 else None,
            target_rto_s=facts.rto_targets.get("intranet", 0.0),
            acked=requests - failed,
            verified_at=plan.verified_at.get("intranet") if plan else None,
        )
    }
    checks = tuple(verdict(facts, failed))
    reasons = tuple(check.message for check in checks if not check.passed)
    return GamedaySummary(
        run_id=facts.run_id,
        experiment=facts.experiment.name,
        title=facts.experiment.title,
        stack=facts.stack,
        started_at=facts.started_at,
        ended_at=facts.ended_at,
        fault_at=fault_at,
        plan_started_at=plan.started_at if plan else None,
        plan_ended_at=plan.ended_at if plan else None,
        negative_control=facts.negative_control,
        intranet_requests=requests,
        intranet_failed_requests=failed,
        services=services,
        stat=facts.stat,
        steps=plan.steps if plan else (),
        cannot_restore=plan.cannot_restore if plan else (),
        damage=plan.damage if plan else None,
        journal_status=facts.journal.status if facts.journal else "none",
        drift_after=facts.drift,
        checks=checks,
        reasons=reasons,
        passed=not reasons,
    )


def service_results(facts: RunFacts, fault_at: float | None) -> dict[str, ServiceResult]:
    """Each audited service: its RTO (from the fault to verified back), target and audit."""
    verified = facts.plan.verified_at if facts.plan else {}
    services = {}
    for audit in facts.audits:
        at = verified.get(audit.service)
        services[audit.service] = ServiceResult(
            rto_s=round(at - fault_at, 1) if at is not None and fault_at else None,
            target_rto_s=facts.rto_targets.get(audit.service),
            acked=len(audit.acked),
            lost=len(audit.lost),
            unexpected=len(audit.unexpected),
            unknown=len(audit.unknown),
            restored=at is not None if facts.plan is not None else None,
            verified_at=at,
            lost_keys=tuple(sorted(audit.lost)[:20]),
        )
    return services


def intranet_counts(facts: RunFacts) -> tuple[int, int]:
    """Intranet requests and failures: the workload's reads and the probes' requests."""
    reads = [e for e in facts.ledger if e.service == "intranet" and e.status != "invoked"]
    requests, failed = len(reads), sum(1 for e in reads if e.status != "ok")
    for run in facts.journal.runs if facts.journal else ():
        if isinstance(run.output, dict) and "failed" in run.output and "requests" in run.output:
            requests += int(run.output["requests"])
            failed += int(run.output["failed"])
    return requests, failed
