"""Polling a step's verification: until it passes, its timeout, or a failure it calls final."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from drill.recovery import runner
from drill.recovery.context import Verdict
from drill.recovery.plan import StepSpec
from drill.recovery.verifications import VERIFICATIONS

STEP = StepSpec("restore-databases", "none", "under-test", 30.0, "")


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
