"""The game day's summary.json: RTO and audit per service, the intranet, STAT delivery, the verdict.

One place decides whether a run passed, from what the experiment expects:
`recovery` (the plan restores everything, nothing acknowledged is lost),
`refusal` (the plan refuses and says what it cannot restore) or `steady`
(the steady state holds through the fault).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from drill.audit import ServiceAudit
from drill.gameday.experiments import Experiment
from drill.gameday.journal import Journal
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
    reasons = verdict(facts, summary)
    summary["passed"] = not reasons
    summary["reasons"] = reasons
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


def verdict(facts: RunFacts, summary: Mapping[str, object]) -> list[str]:
    """Why the run did not pass (empty when it did)."""
    reasons = []
    journal = facts.journal
    if journal is None:
        return ["the experiment wrote no journal (it was stopped before it ran)"]
    # A refusal leaves the storage dead until the rollbacks: the steady state cannot hold then.
    if journal.status != "completed" and facts.experiment.expect != "refusal":
        reasons.append(f"the experiment ended {journal.status}")
    lost = sum(len(a.lost) for a in facts.audits)
    if lost:
        reasons.append(f"{lost} acknowledged writes lost")
    unexpected = sum(len(a.unexpected) for a in facts.audits)
    if unexpected:
        reasons.append(f"{unexpected} writes present that were never attempted")
    if summary["intranet_failed_requests"]:
        reasons.append(f"the intranet failed {summary['intranet_failed_requests']} requests")
    if facts.drift:
        reasons.append(f"`drill up` after the game day changed {facts.drift} resources")
    reasons += _expected(facts, journal)
    return reasons


def _expected(facts: RunFacts, journal: Journal) -> list[str]:
    plan = facts.plan
    if facts.experiment.expect == "steady":
        return ["the steady state deviated"] if journal.deviated else []
    if plan is None:
        return ["the recovery plan did not finish (no plan.json)"]
    if facts.experiment.expect == "refusal":
        if plan.get("passed") or not plan.get("cannot_restore"):
            return ["the recovery plan claimed success, or did not say what it cannot restore"]
        return []
    if facts.experiment.expect == "unchanged":
        return _unchanged(plan, journal)
    reasons = []
    if not plan.get("passed"):
        reasons.append(failed_step(plan))
    if journal.deviated or journal.steady_after is False:
        reasons.append("the steady state did not hold after recovery")
    during = _during_fault(journal)
    reasons += during
    return reasons


def _unchanged(plan: Mapping[str, object], journal: Journal) -> list[str]:
    """A blip under the grace: the plan passed, judged no damage and changed nothing; steady after."""
    reasons = []
    damage = plan.get("damage")
    if not plan.get("passed"):
        reasons.append(failed_step(plan))
    elif not isinstance(damage, dict) or damage.get("lost") is not False:
        reasons.append(f"the recovery plan judged the storage lost after a blip under its grace: {damage}")
    if plan.get("changed"):
        reasons.append("the recovery plan changed the stack after a blip under its grace")
    if journal.deviated or journal.steady_after is False:
        reasons.append("the steady state did not hold after the blip")
    return reasons


def failed_step(plan: Mapping[str, object]) -> str:
    """The headline of a failed plan: the step that failed and the last evidence it saw."""
    steps = plan.get("steps")
    for step in steps if isinstance(steps, list) else []:
        if isinstance(step, dict) and step.get("status") == "failed":
            return (
                f"the recovery plan failed at {step.get('group')} / {step.get('name')} "
                f"after {step.get('seconds')} s: {step.get('detail') or 'no evidence recorded'}"
            )
    return "the recovery plan failed before any step failed (see plan.json)"


def _during_fault(journal: Journal) -> list[str]:
    """What the method's probes saw during the fault, against what must hold."""
    reasons = []
    booking = journal.output_of("booking-during-fault")
    if isinstance(booking, dict) and not (booking.get("status") == 503 and float(booking["seconds"]) < 2.5):
        reasons.append(f"a booking during the fault did not answer 503 within 2.5 s: {booking}")
    if journal.output_of("smtp-during-fault") is False:
        reasons.append("SMTP did not accept mail during the fault")
    ack = journal.output_of("stat-result-during-fault")
    if ack is not None and ack != "AA":
        reasons.append(f"a STAT result during the fault was answered {ack!r}, not AA")
    return reasons


def write_summary(path: Path, summary: Mapping[str, object]) -> None:
    """Write summary.json."""
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
