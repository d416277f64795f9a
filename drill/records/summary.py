"""summary.json: one game day's verdict, RTO and audit per service, the intranet, STAT delivery, the plan.

DESIGN.md's contract: per service `rto_s`, `acked`, `lost`, `unexpected`,
`restored`; `intranet_failed_requests` and `passed`. The rest is what the
report, the matrix, the soak and the bench read. Times are epoch seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pydantic

from drill.errors import RecordError
from drill.records.base import Record
from drill.records.plan import Damage, StepResult

SERVICE_ORDER = ("appointments", "lab", "mail", "intranet")
Count = pydantic.NonNegativeInt


class ServiceResult(Record):
    """How one service came through the run: its recovery time and its audit."""

    rto_s: float | None = None
    target_rto_s: float | None = None
    acked: Count = 0
    lost: Count = 0
    unexpected: Count = 0
    unknown: Count = 0
    restored: bool | None = None
    verified_at: float | None = None
    lost_keys: tuple[str, ...] = ()

    @property
    def within_target(self) -> bool | None:
        """True or False when both the RTO and its target are known; False when it never came back."""
        if self.target_rto_s is None:
            return None
        if self.rto_s is None:
            return False if self.restored is False else None
        return self.rto_s <= self.target_rto_s


class StatResult(Record):
    """Urgent (STAT) lab results: delivered within how long of the gateway's storage being back."""

    delivered_within_s: float | None = None
    target_s: float | None = None
    count: Count = 0
    first: bool | None = None

    @property
    def held(self) -> bool | None:
        """True when every urgent result was delivered within the target; None when none was sent."""
        if self.count == 0:
            return None
        if self.delivered_within_s is None:
            return False
        return self.target_s is None or self.delivered_within_s <= self.target_s


class Check(Record):
    """One thing a good run must show: its name, whether it held, and what was seen when it did not."""

    name: str
    passed: bool
    message: str = ""


class GamedaySummary(Record):
    """Everything one game day showed, as summary.json holds it."""

    run_id: str
    experiment: str
    title: str = ""
    stack: str = ""
    started_at: float
    ended_at: float
    fault_at: float | None = None
    plan_started_at: float | None = None
    plan_ended_at: float | None = None
    negative_control: bool = False
    intranet_requests: Count | None = None
    intranet_failed_requests: Count | None = None
    services: dict[str, ServiceResult] = pydantic.Field(default_factory=dict)
    stat: StatResult | None = None
    steps: tuple[StepResult, ...] = ()
    cannot_restore: tuple[str, ...] = ()
    damage: Damage | None = None
    journal_status: str = "none"
    drift_after: Count = 0
    checks: tuple[Check, ...] = ()
    reasons: tuple[str, ...] = ()
    passed: bool

    @pydantic.model_validator(mode="after")
    def _ends_after_it_starts(self) -> GamedaySummary:
        if self.ended_at < self.started_at:
            raise ValueError(f"ended_at {self.ended_at} is before started_at {self.started_at}")
        return self

    @property
    def duration_s(self) -> float:
        """Seconds from the start of the run to its end."""
        return self.ended_at - self.started_at

    @property
    def results(self) -> tuple[tuple[str, ServiceResult], ...]:
        """(name, result) of each service: appointments, lab, mail and intranet first, then the others."""
        return tuple((name, self.services[name]) for name in ordered_services(self.services))

    @property
    def lost(self) -> int:
        """Acknowledged writes lost, over every service."""
        return sum(s.lost for s in self.services.values())

    def since_start(self, at: float | None) -> float | None:
        """An epoch time as seconds since the start of the run (None stays None)."""
        return None if at is None else at - self.started_at

    def service(self, name: str) -> ServiceResult | None:
        """The result of the named service, or None when the run did not report it."""
        return self.services.get(name)


def ordered_services(names: Iterable[str]) -> list[str]:
    """Service names with appointments, lab, mail and intranet first, then the others sorted."""
    unique = set(names)
    known = [name for name in SERVICE_ORDER if name in unique]
    return known + sorted(unique - set(SERVICE_ORDER))


SUMMARY_FIX = (
    "correct that field of summary.json, or run the experiment again so that it writes a whole summary"
)


def load_summary(path: Path) -> GamedaySummary:
    """Read a game day's summary.json; raises RecordError naming the file, and the field when one
    is missing or of the wrong type."""
    if not path.exists():
        raise RecordError(
            f"cannot read {path} (no such file)",
            "give the folder of a game day that holds summary.json (the experiment writes it at its end)",
        )
    return GamedaySummary.read(path, SUMMARY_FIX)
