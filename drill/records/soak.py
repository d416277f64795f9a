"""A soak's report (reports/soak-<time>.json): every game day's figures and their spread.

Written after every game day, so that a soak cut short still says what it
saw; `left_after_down` stays null until the stack is destroyed.
"""

from __future__ import annotations

import pydantic

from drill.records.base import Record
from drill.stats import distribution

Spread = dict[str, float]  # drill/stats.py's distribution; empty when nothing was measured


class SoakRun(Record):
    """One game day of the soak: its folder, verdict, RTO and audit per service, leftovers."""

    run_id: str
    passed: bool
    seconds: float
    rto_s: dict[str, float | None]
    acked: dict[str, int]
    lost: dict[str, int]
    shaped_left: tuple[str, ...] = ()
    phases: dict[str, float] = pydantic.Field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    unexpected: dict[str, int] = pydantic.Field(default_factory=dict)

    @property
    def false_failure(self) -> bool:
        """Failed although its audit found every acknowledged write and nothing else: the data was
        right, the verdict was not (a verification that raced or gave up on a busy machine)."""
        return not self.passed and not any(self.lost.values()) and not any(self.unexpected.values())


class SoakReport(Record):
    """The soak so far: what it ran under, every run, and the totals and spreads computed from them."""

    experiment: str
    load: dict[str, float] = pydantic.Field(default_factory=dict)
    runs_asked: int = 0
    runs: tuple[SoakRun, ...] = ()
    left_after_down: tuple[str, ...] | None = None

    @pydantic.computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> int:
        """Game days that passed."""
        return sum(r.passed for r in self.runs)

    @pydantic.computed_field  # type: ignore[prop-decorator]
    @property
    def false_failures(self) -> int:
        """Game days that failed with every acknowledged write found."""
        return sum(r.false_failure for r in self.runs)

    @pydantic.computed_field  # type: ignore[prop-decorator]
    @property
    def lost(self) -> int:
        """Acknowledged writes lost, over every run."""
        return sum(sum(r.lost.values()) for r in self.runs)

    @pydantic.computed_field  # type: ignore[prop-decorator]
    @property
    def acked(self) -> int:
        """Acknowledged writes, over every run."""
        return sum(sum(r.acked.values()) for r in self.runs)

    @pydantic.computed_field  # type: ignore[prop-decorator]
    @property
    def shaped_left(self) -> tuple[str, ...]:
        """Traffic shaping any game day left behind."""
        return tuple(sorted({s for r in self.runs for s in r.shaped_left}))

    @pydantic.computed_field  # type: ignore[prop-decorator]
    @property
    def rto_s(self) -> dict[str, Spread]:
        """Min, median and max RTO per service over the runs that measured one."""
        services = sorted({name for r in self.runs for name in r.rto_s})
        measured = {name: [v for r in self.runs if (v := r.rto_s.get(name)) is not None] for name in services}
        return {name: distribution(values) for name, values in measured.items() if values}

    @pydantic.computed_field  # type: ignore[prop-decorator]
    @property
    def seconds(self) -> Spread:
        """Spread of the game days' whole durations."""
        return distribution([r.seconds for r in self.runs])

    @pydantic.computed_field  # type: ignore[prop-decorator]
    @property
    def phases(self) -> dict[str, Spread]:
        """Spread of each phase's duration, in the order the phases came."""
        names = dict.fromkeys(phase for r in self.runs for phase in r.phases)
        return {p: distribution([r.phases[p] for r in self.runs if p in r.phases]) for p in names}

    @property
    def clean(self) -> bool:
        """Every game day passed, nothing acknowledged lost, nothing left behind."""
        left = self.shaped_left or self.left_after_down
        return self.passed == len(self.runs) and self.lost == 0 and not left
