"""Polling a step's verification: until it passes, its timeout, or a failure it calls final."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from drill.recovery import runner
from drill.recovery.context import Verdict
from drill.recovery.plan import StepSpec
from drill.recovery.verifications import VERIFICATIONS

STEP = StepSpec("restore-databases", None, "under-test", 30.0, "")


def polled(
    monkeypatch: pytest.MonkeyPatch, verdicts: list[Verdict], deadline_s: float
) -> tuple[Verdict, int]:
    """The verdict _poll returns and how many times it asked, the verification answering verdicts in turn."""
    asked = []

    def verification(rec: Any) -> Callable[[], Verdict]:
        def check() -> Verdict:
            asked.append(rec)
            return verdicts[min(len(asked), len(verdicts)) - 1]

        return check

    monkeypatch.setitem(VERIFICATIONS, "under-test", verification)
    monkeypatch.setattr(runner, "POLL_S", 0.01)
    verdict = runner._poll(object(), STEP, time.monotonic() + deadline_s)  # type: ignore[arg-type]
    return verdict, len(asked)


def test_a_final_failure_ends_the_polling_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = Verdict(False, 'relation "appointments" does not exist', final=True)
    verdict, asked = polled(monkeypatch, [Verdict(False, "still replaying"), missing], deadline_s=30)
    assert (verdict, asked) == (missing, 2)


def test_a_failure_that_may_pass_is_polled_until_it_does(monkeypatch: pytest.MonkeyPatch) -> None:
    verdicts = [Verdict(False, "not yet")] * 3 + [Verdict(True, "2 rows")]
    verdict, asked = polled(monkeypatch, verdicts, deadline_s=30)
    assert (verdict.ok, asked) == (True, 4)


def test_a_failure_that_never_passes_is_polled_until_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    verdict, asked = polled(monkeypatch, [Verdict(False, "not yet")], deadline_s=0.2)
    assert verdict.ok is False and asked > 3


def test_a_plan_that_finds_no_disaster_skips_every_later_step_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from pathlib import Path

    from rich.console import Console

    from drill.records.plan import Damage
    from drill.recovery.actions import ACTIONS
    from drill.recovery.context import Outcome
    from drill.recovery.plan import GroupSpec, PlanSpec

    acted: list[str] = []

    def assess(rec: Any) -> Outcome:
        acted.append("assess")
        rec.damage = Damage(
            room="nord-1",
            summary="answers again after 3.1 s",
            judged_by="how",
            grace_s=10.0,
            unusable_for_s=3.1,
            answered_again_after_s=3.1,
        )
        return Outcome(False, rec.damage.summary)

    def recreate(rec: Any) -> Outcome:
        acted.append("recreate")
        return Outcome(True, "made")

    monkeypatch.setitem(ACTIONS, "assess-under-test", assess)
    monkeypatch.setitem(ACTIONS, "recreate-under-test", recreate)
    monkeypatch.setitem(VERIFICATIONS, "ok-under-test", lambda rec: lambda: Verdict(True, "ok"))
    steps = (
        StepSpec("assess", "assess-under-test", "ok-under-test", 5, ""),
        StepSpec("recreate", "recreate-under-test", "ok-under-test", 5, ""),
    )
    plan = PlanSpec("p", "", (GroupSpec("g", steps),), Path("p.yaml"))

    @dataclass
    class Run:
        plan: PlanSpec
        console: Console
        stack: str = "t"
        without_partial: bool = False
        already_recovered: bool = False
        damage: Damage | None = None

    with (tmp_path / "out.txt").open("w") as out:
        result = runner.run_plan(Run(plan, Console(file=out)))  # type: ignore[arg-type]
    assert acted == ["assess"]
    assert [(s.name, s.status) for s in result.steps] == [("assess", "unchanged"), ("recreate", "skipped")]
    assert result.steps[1].detail == "no disaster: nothing to recover"
    assert result.passed and not result.changed and result.no_disaster
