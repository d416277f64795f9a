"""Judging storage damage from the services' side: lost, a blip within the grace, or no disaster.

Each dependent's own try is scripted (the real ones run in the containers:
tests/integration/test_damage.py); what is judged here is the rule.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drill.engines import ContainerHealth
from drill.errors import PlanError
from drill.records.plan import Damage
from drill.recovery import damage
from drill.recovery.plan import DamageSpec, load_plan
from infra.topology import ContainerInfo, RoomInfo, ServiceInfo, Topology

APPS = {
    ("appointments", "app"): ContainerInfo("hdrp-t-appointments-nord-1", "nord-1", "app", "appointments"),
    ("lab", "app"): ContainerInfo("hdrp-t-lab-gateway-nord-1", "nord-1", "app", "lab"),
    ("mail", "app"): ContainerInfo("hdrp-t-mail-front-nord-1", "nord-1", "app", "mail"),
}
STORAGE = ContainerInfo("hdrp-t-postgres-nord-1", "nord-1", "storage", "storage")
REPLICA = ContainerInfo("hdrp-t-intranet-nord-2", "nord-2", "app", "intranet")
ROOMS = tuple(RoomInfo(r, r, "unix:///x", f"n-{r}", f"s-{r}") for r in ("nord-1", "nord-2", "bellevue"))
TOPOLOGY = Topology(
    "t",
    "hdrp-t",
    "access",
    (*ROOMS, RoomInfo("biology", "platform", "unix:///x", "lab-link", "", kind="platform")),
    (
        ServiceInfo("storage", (STORAGE,)),
        *(ServiceInfo(service, (info,)) for (service, _), info in APPS.items()),
        ServiceInfo("intranet", (REPLICA,)),
        ServiceInfo("lab-analysers", (ContainerInfo("an-1", "biology", "lab", "lab"),)),
    ),
)
# (container, seconds since the judging began) -> whether its try succeeds
Script = Callable[[str, float], bool]


@dataclass
class Plan:
    damage: DamageSpec


@dataclass
class Run:
    """The parts of a run of the plan that judging reads: the dependents, their state, their tries."""

    script: Script
    grace_s: float
    down: frozenset[str] = frozenset()
    started: float = field(default_factory=time.monotonic)
    tries: list[str] = field(default_factory=list)

    topology: Topology = TOPOLOGY

    @property
    def plan(self) -> Plan:
        return Plan(DamageSpec(grace_s=self.grace_s, probe_timeout_s=1.0))

    def tier(self, service: str, tier: str) -> list[ContainerInfo]:
        return [APPS[(service, tier)]]

    def health(self, info: ContainerInfo) -> ContainerHealth:
        if info.name in self.down:
            return ContainerHealth(info.name, "exited")
        return ContainerHealth(info.name, "running", "healthy")

    def run(self, info: ContainerInfo, *argv: str) -> tuple[int, str]:
        assert argv[:2] == ("timeout", "1")
        self.tries.append(info.name)
        ok = self.script(info.name, time.monotonic() - self.started)
        return (0, "answered") if ok else (1, f"{info.name}: no answer")


def judge(script: Script, grace_s: float = 0.3, down: frozenset[str] = frozenset()) -> tuple[Damage, Run]:
    run = Run(script, grace_s, down)
    return damage.judge(run, "nord-1"), run  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(damage, "POLL_S", 0.01)


def test_storage_every_service_can_use_is_no_disaster() -> None:
    judged, run = judge(lambda name, at: True)
    assert not judged.lost and judged.answered_again_after_s is None
    assert "answers the services" in judged.summary and len(run.tries) == 3


@pytest.mark.parametrize("back_after_s", [0.02, 0.1, 0.2])
def test_a_blip_shorter_than_the_grace_is_no_disaster(back_after_s: float) -> None:
    judged, _ = judge(lambda name, at: at >= back_after_s, grace_s=1.0)
    assert not judged.lost
    assert (
        judged.answered_again_after_s is not None
        and back_after_s - 0.05 <= judged.answered_again_after_s < 1.0
    )
    assert "answers again after" in judged.summary and "within the grace of 1 s" in judged.summary


@pytest.mark.parametrize(
    ("failing", "part"),
    [
        (("hdrp-t-appointments-nord-1", "hdrp-t-lab-gateway-nord-1"), "database"),
        (("hdrp-t-mail-front-nord-1",), "mail store"),
        (tuple(c.name for c in APPS.values()), "database, mail store"),
    ],
)
def test_a_part_no_service_can_use_for_the_grace_is_lost(failing: tuple[str, ...], part: str) -> None:
    judged, _ = judge(lambda name, at: name not in failing, grace_s=0.2)
    assert judged.lost and f"could use its {part} for" in judged.summary
    assert judged.unusable_for_s >= 0.2
    assert any(not s.ok for s in judged.evidence)


def test_one_dependent_that_still_reaches_the_database_keeps_it_usable() -> None:
    judged, _ = judge(lambda name, at: name != "hdrp-t-appointments-nord-1")
    assert not judged.lost


def test_storage_whose_dependents_all_stopped_is_judged_lost_and_says_so() -> None:
    every = frozenset(c.name for c in APPS.values())
    judged, run = judge(lambda name, at: True, grace_s=0.1, down=every)
    assert judged.lost and judged.storage_lost and run.tries == []
    assert judged.lost_rooms == ()  # the storage itself still runs in nord-1
    assert {s.detail for s in judged.evidence} == {
        "no service that uses the database runs",
        "no service that uses the mail store runs",
    }


def test_a_health_check_that_would_say_healthy_changes_nothing() -> None:
    # The dependents' containers are healthy (Run.state) while none can use the storage.
    judged, _ = judge(lambda name, at: False, grace_s=0.1)
    assert judged.lost and "whatever the storage's own health says" in judged.judged_by


def test_the_plan_file_sets_the_grace(tmp_path: Path) -> None:
    text = (
        "name: p\ndamage: {grace_s: 25, probe_timeout_s: 2}\n"
        "groups:\n  - name: g\n    steps:\n      - {name: a, action: act, verify: check, timeout_s: 5}\n"
    )
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    plan = load_plan(path, frozenset({"act"}), frozenset({"check"}))
    assert plan.damage == DamageSpec(25.0, 2.0)
    path.write_text(text.replace("grace_s: 25", "grace_s: -1"))
    with pytest.raises(PlanError, match="damage: grace_s -1 is not a number of seconds"):
        load_plan(path, frozenset({"act"}), frozenset({"check"}))
    path.write_text(text.replace("grace_s: 25", "grace: 25"))
    with pytest.raises(PlanError, match="unknown field 'grace'"):
        load_plan(path, frozenset({"act"}), frozenset({"check"}))


def test_a_room_where_nothing_runs_for_the_grace_is_lost_with_its_storage() -> None:
    every = frozenset({*(c.name for c in APPS.values()), STORAGE.name})
    judged, _ = judge(lambda name, at: False, grace_s=0.1, down=every)
    assert judged.lost and judged.storage_lost and judged.lost_rooms == ("nord-1",)
    assert "nord-1 lost entire" in judged.summary


def test_a_room_without_storage_lost_entire_leaves_the_storage_standing() -> None:
    judged, _ = judge(lambda name, at: True, grace_s=0.1, down=frozenset({REPLICA.name}))
    assert judged.lost and not judged.storage_lost and judged.lost_rooms == ("nord-2",)
    assert "storage" not in judged.summary


def test_a_platform_outside_the_rooms_is_never_judged_a_lost_room() -> None:
    judged, _ = judge(lambda name, at: True, grace_s=0.1, down=frozenset({"an-1"}))
    assert not judged.lost


def test_a_round_where_one_service_failed_is_a_blip_seen_not_a_clean_answer() -> None:
    """The SAN came back mid-round (one dependent failed, the next reached it): the plan saw it."""
    judged, _ = judge(lambda name, at: at >= 0.05 or name != "hdrp-t-appointments-nord-1", grace_s=1.0)
    assert not judged.lost and "answers again after" in judged.summary


def test_a_part_some_services_reach_and_one_never_does_is_no_storage_loss() -> None:
    judged, _ = judge(lambda name, at: name != "hdrp-t-appointments-nord-1", grace_s=0.2)
    assert not judged.lost and "but not hdrp-t-appointments-nord-1" in judged.summary
