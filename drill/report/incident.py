"""The real incident beside this run: each fact of the CHU de Saint-Étienne SAN failure, and whether it held.

The facts are those of the hospital's statement (shared/INCIDENT.md); each
row phrases what this run measured and says whether the fact held here
(None when the run did not measure it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drill.records.summary import GamedaySummary as Summary
from drill.records.summary import ServiceResult, StatResult


@dataclass(frozen=True)
class IncidentRow:
    """One fact of the incident, what this run showed about it, and whether it held."""

    fact: str
    this_run: str
    held: bool | None


def incident_rows(summary: Summary) -> list[IncidentRow]:
    """Every fact of the incident beside what this run showed, in the order of the statement."""
    rows: list[Callable[[Summary], IncidentRow]] = [
        _intranet,
        _lab_analysers,
        _urgent_first,
        _mail,
        _appointments,
        _step_by_step,
        _nothing_lost,
    ]
    return [row(summary) for row in rows]


def seconds(value: float | None) -> str:
    """A duration for people: "61.2 s", or "—" when unknown."""
    return "—" if value is None else f"{value:.1f} s"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _intranet(summary: Summary) -> IncidentRow:
    fact = "The intranet (directory, on-call roster, procedures) stayed up, with no disruption"
    requests, failed = summary.intranet_requests, summary.intranet_failed_requests
    if not requests:
        return IncidentRow(fact, "no intranet request was made", None)
    failed = failed or 0
    return IncidentRow(fact, f"{failed} of {_plural(requests, 'request')} failed", failed == 0)


def _lab_analysers(summary: Summary) -> IncidentRow:
    fact = "The lab analyser chains kept running: results were still acknowledged during the outage"
    lab = summary.service("lab")
    if lab is None:
        return IncidentRow(fact, "the lab was not measured", None)
    text = f"{_plural(lab.acked, 'result')} acknowledged by the lab gateway, {lab.lost} lost"
    return IncidentRow(fact, text, lab.acked > 0 and lab.lost == 0)


def _urgent_first(summary: Summary) -> IncidentRow:
    fact = "Urgent lab results were sent first"
    stat = summary.stat
    if stat is None or stat.count == 0:
        return IncidentRow(fact, "no urgent result was sent", None)
    return IncidentRow(fact, stat_delivery(stat), stat.held)


def stat_delivery(stat: StatResult) -> str:
    """How the urgent results that waited were delivered, against the target, in words."""
    target = "no target" if stat.target_s is None else f"target {seconds(stat.target_s)}"
    if stat.delivered_within_s is None:
        return f"{_plural(stat.count, 'urgent result')} sent; not all were delivered ({target})"
    return (
        f"{_plural(stat.count, 'urgent result')} delivered within {seconds(stat.delivered_within_s)} "
        f"of the gateway's storage being back ({target})"
    )


def _came_back(service: ServiceResult | None, noun: str) -> tuple[str, bool | None]:
    if service is None:
        return "not measured", None
    back = f"back {seconds(service.rto_s)} after the fault" if service.rto_s is not None else "back"
    state = {True: back, False: "not restored", None: "restoration not reported"}[service.restored]
    lost = f"{_plural(service.lost, noun)} acknowledged then lost"
    if service.lost:
        return f"{state}; {lost}", False
    return f"{state}; {lost}", service.restored


def _mail(summary: Summary) -> IncidentRow:
    text, held = _came_back(summary.service("mail"), "message")
    return IncidentRow("E-mail was suspended, then came back once restored", f"mail {text}", held)


def _appointments(summary: Summary) -> IncidentRow:
    text, held = _came_back(summary.service("appointments"), "booking")
    return IncidentRow("Appointment booking was suspended, then restored", f"appointments {text}", held)


def _step_by_step(summary: Summary) -> IncidentRow:
    fact = "Systems were restored step by step from backups kept in another room"
    if not summary.steps:
        return IncidentRow(fact, "no recovery plan ran", None)
    done = sum(step.status in ("done", "unchanged") for step in summary.steps)
    failed = sum(step.status == "failed" for step in summary.steps)
    plan = None
    if summary.plan_started_at is not None and summary.plan_ended_at is not None:
        plan = summary.plan_ended_at - summary.plan_started_at
    restored = sum(s.restored is True for s in summary.services.values())
    unrestored = sum(s.restored is False for s in summary.services.values())
    text = (
        f"{done} of {_plural(len(summary.steps), 'step')} completed in {seconds(plan)}"
        f"{f', {failed} failed' if failed else ''}; "
        f"{restored} of {_plural(restored + unrestored, 'service')} restored"
    )
    return IncidentRow(fact, text, failed == 0 and unrestored == 0)


def _nothing_lost(summary: Summary) -> IncidentRow:
    fact = "Nothing the systems had acknowledged was lost"
    if not summary.services:
        return IncidentRow(fact, "no service was audited", None)
    acked = sum(s.acked for s in summary.services.values())
    lost = summary.lost
    where = ", ".join(f"{name} {s.lost}" for name, s in summary.results if s.lost)
    text = f"{lost} of {_plural(acked, 'acknowledged write')} lost" + (f" ({where})" if where else "")
    return IncidentRow(fact, text, lost == 0)
