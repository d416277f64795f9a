"""A run's summary.json, read into frozen dataclasses; a bad field is an error that names it.

Times are epoch seconds. Fields that a run may not have (no fault, no
recovery plan, a subset of services) are optional and read as None or
empty; a field that is present with the wrong type is never guessed at.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from drill.report.summary_fields import FIX, SummaryError, SummaryFields

SERVICE_ORDER = ("appointments", "lab", "mail", "intranet")
StepStatus = Literal["done", "unchanged", "failed", "skipped"]
STEP_STATUSES: tuple[StepStatus, ...] = ("done", "unchanged", "failed", "skipped")


@dataclass(frozen=True)
class ServiceResult:
    """How one service came through the run: its recovery time and its audit."""

    name: str
    rto_s: float | None
    target_rto_s: float | None
    acked: int
    lost: int
    unexpected: int
    unknown: int
    restored: bool | None
    verified_at: float | None

    @property
    def within_target(self) -> bool | None:
        """True or False when both the RTO and its target are known; False when it never came back."""
        if self.target_rto_s is None:
            return None
        if self.rto_s is None:
            return False if self.restored is False else None
        return self.rto_s <= self.target_rto_s


@dataclass(frozen=True)
class StatResult:
    """Urgent (STAT) lab results: delivered within how long of the gateway's storage being back."""

    delivered_within_s: float | None
    target_s: float | None
    count: int

    @property
    def held(self) -> bool | None:
        """True when every urgent result was delivered within the target; None when none was sent."""
        if self.count == 0:
            return None
        if self.delivered_within_s is None:
            return False
        return self.target_s is None or self.delivered_within_s <= self.target_s


@dataclass(frozen=True)
class Step:
    """One step of the recovery plan as it ran."""

    group: str
    name: str
    started_at: float | None
    ended_at: float | None
    seconds: float | None
    status: StepStatus
    detail: str


@dataclass(frozen=True)
class DamageResult:
    """What the recovery plan judged of the storage, how, and what each service saw."""

    summary: str
    judged_by: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    """Everything the report shows about one game-day run."""

    run_id: str
    experiment: str
    title: str
    stack: str
    started_at: float
    ended_at: float
    fault_at: float | None
    plan_started_at: float | None
    plan_ended_at: float | None
    passed: bool
    reasons: tuple[str, ...]
    negative_control: bool
    intranet_requests: int | None
    intranet_failed_requests: int | None
    services: tuple[ServiceResult, ...]
    stat: StatResult | None
    steps: tuple[Step, ...]
    cannot_restore: tuple[str, ...]
    damage: DamageResult | None = None

    @property
    def duration_s(self) -> float:
        """Seconds from the start of the run to its end."""
        return self.ended_at - self.started_at

    def since_start(self, at: float | None) -> float | None:
        """An epoch time as seconds since the start of the run (None stays None)."""
        return None if at is None else at - self.started_at

    def service(self, name: str) -> ServiceResult | None:
        """The result of the named service, or None when the run did not report it."""
        return next((s for s in self.services if s.name == name), None)


def ordered_services(names: Iterable[str]) -> list[str]:
    """Service names with appointments, lab, mail and intranet first, then the others sorted."""
    unique = set(names)
    known = [name for name in SERVICE_ORDER if name in unique]
    return known + sorted(unique - set(SERVICE_ORDER))


def load_summary(path: Path) -> Summary:
    """Read summary.json at path into a Summary.

    Raises SummaryError naming the file, and the field when one is missing or of the wrong type.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SummaryError(
            f"cannot read {path} ({exc.strerror or exc})",
            "render the report of a run folder that holds summary.json (the experiment writes it at its end)",
        ) from exc
    except json.JSONDecodeError as exc:
        raise SummaryError(f"{path} is not JSON ({exc})", FIX) from exc
    return _summary(SummaryFields(raw, "", path))


def _summary(top: SummaryFields) -> Summary:
    started_at, ended_at = top.time("started_at"), top.time("ended_at")
    if ended_at < started_at:
        raise top.error("ended_at", f"a time after started_at ({started_at})", ended_at)
    services = {name: _service(name, fields) for name, fields in top.named_children("services")}
    stat = top.child("stat")
    return Summary(
        run_id=top.text("run_id"),
        experiment=top.text("experiment"),
        title=top.text("title", required=False),
        stack=top.text("stack", required=False),
        started_at=started_at,
        ended_at=ended_at,
        fault_at=top.number("fault_at", required=False),
        plan_started_at=top.number("plan_started_at", required=False),
        plan_ended_at=top.number("plan_ended_at", required=False),
        passed=top.flag("passed"),
        reasons=top.texts("reasons"),
        negative_control=top.flag("negative_control", required=False),
        intranet_requests=top.count("intranet_requests"),
        intranet_failed_requests=top.count("intranet_failed_requests"),
        services=tuple(services[name] for name in ordered_services(services)),
        stat=None if stat is None else _stat(stat),
        steps=tuple(_step(fields) for fields in top.children("steps")),
        cannot_restore=top.texts("cannot_restore"),
        damage=_damage(top.child("damage")),
    )


def _damage(fields: SummaryFields | None) -> DamageResult | None:
    if fields is None:
        return None
    evidence = tuple(
        f"{seen.text('part')} from {seen.text('seen_from', required=False) or 'nowhere'}: "
        f"{seen.text('detail', required=False)}"
        for seen in fields.children("evidence")
    )
    return DamageResult(fields.text("summary"), fields.text("judged_by"), evidence)


def _service(name: str, fields: SummaryFields) -> ServiceResult:
    return ServiceResult(
        name=name,
        rto_s=fields.number("rto_s", required=False),
        target_rto_s=fields.number("target_rto_s", required=False),
        acked=fields.count("acked") or 0,
        lost=fields.count("lost") or 0,
        unexpected=fields.count("unexpected") or 0,
        unknown=fields.count("unknown") or 0,
        restored=fields.optional_flag("restored"),
        verified_at=fields.number("verified_at", required=False),
    )


def _stat(fields: SummaryFields) -> StatResult:
    return StatResult(
        delivered_within_s=fields.number("delivered_within_s", required=False),
        target_s=fields.number("target_s", required=False),
        count=fields.count("count") or 0,
    )


def _step(fields: SummaryFields) -> Step:
    status = fields.text("status")
    if status not in STEP_STATUSES:
        raise fields.error("status", " or ".join(STEP_STATUSES), status)
    return Step(
        group=fields.text("group", required=False),
        name=fields.text("name"),
        started_at=fields.number("started_at", required=False),
        ended_at=fields.number("ended_at", required=False),
        seconds=fields.number("seconds", required=False),
        status=status,
        detail=fields.text("detail", required=False),
    )
