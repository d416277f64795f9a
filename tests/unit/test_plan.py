"""The recovery plan file: the shipped plan loads, and every mistake is named with its place and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.errors import PlanError
from drill.recovery.actions import ACTIONS
from drill.recovery.plan import DEFAULT_PLAN, load_plan
from drill.recovery.proofs import PROVES
from drill.recovery.recover import read_plan
from drill.recovery.verifications import VERIFICATIONS

KNOWN = (frozenset({"act"}), frozenset({"check"}))
GOOD = """
name: p
groups:
  - name: first
    steps:
      - {name: a, action: act, verify: check, timeout_s: 5}
      - {name: b, action: none, verify: check, timeout_s: 1.5}
      - {name: c, verify: check, timeout_s: 2}
"""


def plan_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    return path


def test_the_shipped_plan_orders_the_groups_of_the_design() -> None:
    plan = read_plan(DEFAULT_PLAN)
    names = [step.name for _, step in plan.steps()]
    assert names.index("stop-dependents") < names.index("recreate-storage") < names.index("restore-databases")
    assert (
        names.index("restore-mail-store") < names.index("repoint-services") < names.index("flush-lab-journal")
    )
    assert names.index("flush-mail-queue") < names.index("verify-appointments")
    assert set(PROVES.values()) == {"appointments", "lab", "mail", "intranet"}
    assert {step.verify for _, step in plan.steps()} >= set(PROVES)
    assert {step.action for _, step in plan.steps()} - {None} <= set(ACTIONS)
    assert {step.verify for _, step in plan.steps()} <= set(VERIFICATIONS)


def test_a_good_plan_loads_in_order(tmp_path: Path) -> None:
    plan = load_plan(plan_file(tmp_path, GOOD), *KNOWN)
    assert [(g.name, s.name, s.timeout_s) for g, s in plan.steps()] == [
        ("first", "a", 5.0),
        ("first", "b", 1.5),
        ("first", "c", 2.0),
    ]
    # `action: none` and no action at all both mean a step that only verifies.
    assert [s.action for _, s in plan.steps()] == ["act", None, None]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("action: act", "action: explode"), "group 1 step 1: unknown action 'explode'"),
        (("verify: check, timeout_s: 5", "verify: hope, timeout_s: 5"), "unknown verification 'hope'"),
        (("timeout_s: 5", "timeout_s: 0"), "timeout_s 0 is not a number of seconds"),
        (("timeout_s: 5", "timeout_s: soon"), "timeout_s 'soon'"),
        (("name: b,", "name: a,"), "step 'a' appears twice"),
        (("name: p\n", "name: p\nspare: bellevue\n"), "unknown field 'spare'"),
        (("name: p\n", "name: p\nspare_room: bellevue\n"), "`spare_room` is no longer read"),
        (("    steps:", "    stepz:"), "unknown field 'stepz'"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(PlanError, match=message.replace("(", r"\(")):
        load_plan(plan_file(tmp_path, GOOD.replace(*change)), *KNOWN)


def test_unreadable_plans_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read the plan"):
        load_plan(tmp_path / "missing.yaml", *KNOWN)
    with pytest.raises(PlanError, match="not valid YAML"):
        load_plan(plan_file(tmp_path, "groups: [unclosed"), *KNOWN)
    with pytest.raises(PlanError, match="is not a mapping"):
        load_plan(plan_file(tmp_path, "- a list"), *KNOWN)
