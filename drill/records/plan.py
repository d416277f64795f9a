"""plan.json: the recovery plan as it ran, step by step, and what it judged of the damage."""

from __future__ import annotations

from typing import Literal

import pydantic

from drill.records.base import Record

StepStatus = Literal["done", "unchanged", "failed", "skipped"]


class StepResult(Record):
    """One step as it ran: its group, times, status and what it saw."""

    group: str = ""
    name: str
    started_at: float
    ended_at: float
    seconds: float
    status: StepStatus
    detail: str = ""


class Sighting(Record):
    """One try of one part of the storage from one dependent's container."""

    part: str
    seen_from: str = ""
    ok: bool = False
    detail: str = ""

    @property
    def line(self) -> str:
        """The sighting in one line, as the report lists it."""
        return f"{self.part} from {self.seen_from or 'nowhere'}: {self.detail}"


class Damage(Record):
    """What the plan judged, and on what evidence.

    room is the storage's room; lost is whether anything was lost: the
    storage (storage_lost) or whole rooms (lost_rooms: rooms where nothing
    of the stack ran for the grace, as after a power loss).
    """

    room: str = ""
    lost: bool = False
    summary: str
    judged_by: str
    grace_s: float = 0.0
    unusable_for_s: float = 0.0
    answered_again_after_s: float | None = None
    evidence: tuple[Sighting, ...] = ()
    storage_lost: bool = False
    lost_rooms: tuple[str, ...] = ()


class PlanResult(Record):
    """The whole run of a plan: every step, when each service was verified back, what it cannot restore."""

    plan: str
    stack: str
    started_at: float
    ended_at: float
    passed: bool
    steps: tuple[StepResult, ...] = ()
    verified_at: dict[str, float] = pydantic.Field(default_factory=dict)
    cannot_restore: tuple[str, ...] = ()
    changed: bool = False
    without_partial: bool = False
    # What the plan judged of the storage and how (drill/recovery/damage.py); None before it looked.
    damage: Damage | None = None

    @property
    def no_disaster(self) -> bool:
        """The storage answered (or answered again within the grace): the plan changed nothing."""
        return self.damage is not None and not self.damage.lost and self.passed

    def failed_step(self) -> str:
        """The headline of a failed plan: the step that failed and the last evidence it saw."""
        for step in self.steps:
            if step.status == "failed":
                return (
                    f"the recovery plan failed at {step.group} / {step.name} "
                    f"after {step.seconds} s: {step.detail or 'no evidence recorded'}"
                )
        return "the recovery plan failed before any step failed (see plan.json)"
