"""The game day's summary.json: RTO and audit per service, the intranet, STAT delivery, the verdict.

One place decides whether a run passed, from what the experiment expects:
`recovery` (the plan restores everything, nothing acknowledged is lost),
`refusal` (the plan refuses and says what it cannot restore) or `steady`
(the steady state holds through the fault).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from drill.audit import ServiceAudit
from drill.gameday.experiments import Experiment
from drill.gameday.journal import Journal
from drill.gameday.verdict import verdict
from drill.workload.ledger import LedgerEntry

RECOVERED = ("appointments", "lab", "mail")


@dataclass(frozen=True)
class StatDelivery:
    """Urgent results that waited for the storage: how many, delivered within how long, STAT first."""

    count: int
    within_s: float | None
    first: bool | None


@dataclass(frozen=True)
class RunFacts:
    """Everything a summary is made of."""

    run_id: str
    experiment: Experiment
    stack: str
    started_at: float
    ended_at: float
    journal: Journal | None
    plan: Mapping[str, object] | None
    audits: list[ServiceAudit]
    ledger: list[LedgerEntry]
    stat: StatDelivery
    rto_targets: Mapping[str, float]
    stat_target_s: float
    negative_control: bool
    drift: int


def build_summary(facts: RunFacts) -> dict[str, object]:
    """The summary as DESIGN.md's contract has it, plus what the report shows."""
    fault_at = facts.journal.first_action_at() if facts.journal else None
    plan = facts.plan or {}
    verified = plan.get("verified_at")
    if not isinstance(verified, dict):
        verified = {}
    services: dict[str, object] = {}
    for audit in facts.audits:
        at = verified.get(audit.service)
        services[audit.service] = {
            "rto_s": round(at - fault_at, 1) if isinstance(at, float) and fault_at else None,
            "target_rto_s": facts.rto_targets.get(audit.service),
            "acked": len(audit.acked),
            "lost": len(audit.lost),
            "unexpected": len(audit.unexpected),
            "unknown": len(audit.unknown),
            "restored": at is not None if facts.plan is not None else None,
            "verified_at": at,
            "lost_keys": sorted(audit.lost)[:20],
        }
    requests, failed = intranet_counts(facts)
    services["intranet"] = {
        "rto_s": 0.0 if failed == 0 else None,
        "target_rto_s": facts.rto_targets.get("intranet", 0.0),
        "acked": requests - failed,
        "lost": 0,
        "unexpected": 0,
        "unknown": 0,
        "restored": None,
        "verified_at": verified.get("intranet"),
    }
    summary: dict[str, object] = {
        "run_id": facts.run_id,
        "experiment": facts.experiment.name,
        "title": facts.experiment.title,
        "stack": facts.stack,
        "started_at": facts.started_at,
        "ended_at": facts.ended_at,
        "fault_at": fault_at,
        "plan_started_at": plan.get("started_at"),
        "plan_ended_at": plan.get("ended_at"),
        "negative_control": facts.negative_control,
        "intranet_requests": requests,
        "intranet_failed_requests": failed,
        "services": services,
        "stat": {
            "delivered_within_s": facts.stat.within_s,
            "target_s": facts.stat_target_s,
            "count": facts.stat.count,
            "first": facts.stat.first,
        },
        "steps": plan.get("steps", []),
        "cannot_restore": plan.get("cannot_restore", []),
        "damage": plan.get("damage"),
        "journal_status": facts.journal.status if facts.journal else "none",
        "drift_after": facts.drift,
    }
    checks = verdict(facts, int(str(summary["intranet_failed_requests"])))
    summary["checks"] = [asdict(check) for check in checks]
    summary["reasons"] = [check.message for check in checks if not check.passed]
    summary["passed"] = not summary["reasons"]
    return summary


def intranet_counts(facts: RunFacts) -> tuple[int, int]:
    """Intranet requests and failures: the workload's reads and the probes' requests."""
    reads = [e for e in facts.ledger if e.service == "intranet" and e.status != "invoked"]
    requests, failed = len(reads), sum(1 for e in reads if e.status != "ok")
    for run in facts.journal.runs if facts.journal else ():
        if isinstance(run.output, dict) and "failed" in run.output and "requests" in run.output:
            requests += int(run.output["requests"])
            failed += int(run.output["failed"])
    return requests, failed


def write_summary(path: Path, summary: Mapping[str, object]) -> None:
    """Write summary.json."""
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
