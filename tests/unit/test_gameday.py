"""The game day's verdict, its reading of Chaos Toolkit's journal, and its experiments and var file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drill.audit import ServiceAudit
from drill.errors import ExperimentError
from drill.gameday.experiments import experiment_names, load_experiment, write_vars
from drill.gameday.facts import RunFacts, build_summary
from drill.gameday.journal import ActivityRun, Journal, read_journal
from drill.gameday.soak import phases_of
from drill.records.plan import PlanResult
from drill.records.summary import GamedaySummary, StatResult
from drill.workload.ledger import LedgerEntry
from infra.topology import ContainerInfo, Endpoint, RoomInfo, ServiceInfo, Topology

EXPERIMENTS = ("storage-failure", "storage-slowdown", "room-loss", "vault-loss")


def journal(status: str = "completed", deviated: bool = False, booking: object = None) -> Journal:
    runs = (
        ActivityRun("kill-storage", "action", "succeeded", 100.0, 101.0, ["x"]),
        ActivityRun(
            "intranet-during-fault", "probe", "succeeded", 101.0, 102.0, {"requests": 50.0, "failed": 0.0}
        ),
        ActivityRun(
            "booking-during-fault",
            "probe",
            "succeeded",
            102.0,
            103.0,
            booking or {"status": 503, "seconds": 0.1},
        ),
    )
    return Journal(status, deviated, True, not deviated, runs)


def plan_result(raw: dict[str, object]) -> PlanResult:
    """A plan result from the fields a test names; the rest (times, names) filled in."""
    timed = {"started_at": 0.0, "ended_at": 0.0, "seconds": 0.0}
    steps = [timed | step for step in raw.get("steps", [])]  # type: ignore[attr-defined]
    base = {"plan": "p", "stack": "ci", "started_at": 150.0, "ended_at": 170.0}
    return PlanResult.model_validate(base | raw | {"steps": steps})


def facts(
    expect: str = "recovery", lost: int = 0, plan: dict[str, object] | None = None, **kw: object
) -> RunFacts:
    keys = frozenset(f"k{n}" for n in range(5))
    present = frozenset(sorted(keys)[lost:])
    audit = ServiceAudit("appointments", keys, keys, frozenset(), present)
    experiment = load_experiment("storage-failure" if expect == "recovery" else "vault-loss")
    ledger = [
        LedgerEntry(100.5, "intranet", "read", "1", "ok"),
        LedgerEntry(100.6, "intranet", "read", "2", "failed"),
    ]
    return RunFacts(
        run_id="gd-x",
        experiment=experiment,
        stack="ci",
        started_at=90.0,
        ended_at=200.0,
        journal=kw.get("journal", journal()),  # type: ignore[arg-type]
        plan=plan_result(
            plan
            if plan is not None
            else {"passed": True, "verified_at": {"appointments": 160.5}, "steps": []}
        ),
        audits=[audit],
        ledger=ledger if kw.get("intranet_failure") else ledger[:1],
        stat=StatResult(delivered_within_s=2.5, target_s=30.0, count=3, first=True),
        rto_targets={"appointments": 150.0},
        negative_control=False,
        drift=int(str(kw.get("drift", 0))),
    )


def test_a_clean_recovery_passes_with_rto_from_the_fault() -> None:
    summary = build_summary(facts())
    assert summary.passed is True and summary.reasons == ()
    service = summary.services["appointments"]
    assert service.rto_s == 60.5 and service.restored is True and service.lost == 0
    assert summary.intranet_requests == 51 and summary.intranet_failed_requests == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"lost": 2}, "2 acknowledged writes lost"),
        ({"intranet_failure": True}, "the intranet failed 1 requests"),
        ({"drift": 3}, "changed 3 resources"),
        ({"plan": {"passed": False, "steps": []}}, "the recovery plan failed"),
        (
            {
                "plan": {
                    "passed": False,
                    "steps": [
                        {"group": "g", "name": "verify-appointments", "status": "done", "detail": "201"},
                        {
                            "group": "verify every service",
                            "name": "verify-lab",
                            "status": "failed",
                            "seconds": 30.5,
                            "detail": "ACK AA, delivered: False",
                        },
                        {"group": "g", "name": "verify-mail", "status": "skipped", "detail": ""},
                    ],
                }
            },
            "failed at verify every service / verify-lab after 30.5 s: ACK AA, delivered: False",
        ),
        ({"journal": journal(deviated=True)}, "steady state did not hold"),
        ({"journal": journal(booking={"status": 201, "seconds": 0.1})}, "did not answer 503"),
        ({"journal": None}, "wrote no journal"),
    ],
)
def test_each_failure_is_named(change: dict[str, object], reason: str) -> None:
    summary = build_summary(facts(**change))  # type: ignore[arg-type]
    assert summary.passed is False
    assert reason in json.dumps(summary.reasons)


def test_a_refusal_passes_only_when_the_plan_refused_and_said_what_it_cannot_restore() -> None:
    refused = {"passed": False, "cannot_restore": ["the databases (vault away)"], "steps": []}
    assert build_summary(facts("refusal", plan=refused, journal=journal("failed"))).passed is True
    claimed = {"passed": True, "cannot_restore": [], "steps": []}
    assert build_summary(facts("refusal", plan=claimed)).passed is False


def test_the_journal_is_read_with_utc_times(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    path.write_text(
        json.dumps(
            {
                "status": "completed",
                "deviated": False,
                "steady_states": {"before": {"steady_state_met": True}, "after": None},
                "run": [
                    {
                        "activity": {"name": "kill-storage", "type": "action"},
                        "status": "succeeded",
                        "start": "2026-11-28T19:00:43.5",
                        "end": "2026-11-28T19:00:44",
                        "output": ["a"],
                    }
                ],
            }
        )
    )
    read = read_journal(path)
    assert read is not None and read.steady_before is True and read.steady_after is None
    assert read.first_action_at() == 1795892443.5
    assert read_journal(tmp_path / "missing.json") is None


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_declares_rollbacks_and_what_it_expects(name: str) -> None:
    experiment = load_experiment(name)
    raw = json.loads(experiment.path.read_text())
    assert raw["rollbacks"], name
    assert experiment.expect in ("recovery", "refusal", "steady")
    for activity in raw["method"] + raw["rollbacks"]:
        for value in activity["provider"].get("arguments", {}).values():
            if isinstance(value, str) and value.startswith("${"):
                assert value[2:-1] in raw["configuration"], (name, value)


def test_unknown_experiments_are_named() -> None:
    with pytest.raises(ExperimentError, match=r"no experiment 'flood'.*storage-failure"):
        load_experiment("flood")


def sample_topology() -> Topology:
    def service(name: str, room: str, tier: str, *endpoints: tuple[str, str]) -> ServiceInfo:
        container = ContainerInfo(f"hdrp-t-{name}-{room}", room, tier, name)
        return ServiceInfo(name, (container,), tuple(Endpoint(*e) for e in endpoints))

    host = "unix:///var/run/docker.sock"
    return Topology(
        stack="t",
        prefix="hdrp-t",
        access_network="hdrp-t-access",
        rooms=tuple(RoomInfo(r, r, host, f"hdrp-t-{r}", f"hdrp-t-{r}-san") for r in ("nord-1", "bellevue")),
        services=(
            service("storage", "nord-1", "storage"),
            service("vault", "bellevue", "backup"),
            service("appointments", "nord-1", "app", ("http", "http://127.0.0.1:1")),
            service("lab", "nord-1", "app", ("mllp", "mllp://127.0.0.1:2"), ("http", "http://127.0.0.1:3")),
            service("mail", "nord-1", "app", ("smtp", "smtp://127.0.0.1:4"), ("imap", "imap://127.0.0.1:5")),
            service(
                "intranet",
                "bellevue",
                "edge",
                ("http", "http://127.0.0.1:6"),
                ("http-2", "http://127.0.0.1:7"),
            ),
        ),
    )


def test_the_var_file_comes_from_the_topology(tmp_path: Path) -> None:
    topology = sample_topology()
    path = write_vars(topology, tmp_path, negative_control=True, lost_room="bellevue")
    values = json.loads(path.read_text())["configuration"]
    assert values["stack"] == topology.stack and values["negative_control"] is True
    assert values["lost_room"] == "bellevue" and values["run_dir"] == str(tmp_path)
    taken = set()  # every value some experiment takes, and no other
    for name in experiment_names():
        taken |= set(json.loads(load_experiment(name).path.read_text())["configuration"])
    assert set(values) == taken
    assert values["lost_room_docker_host"] == topology.room("bellevue").docker_host
    assert values["san_network"] == "hdrp-t-nord-1-san" and values["vault_room"] == "bellevue"
    assert values["intranet_fallback_urls"] == "http://127.0.0.1:7/directory/1"


def test_phases_of_a_game_day_add_up_to_its_length() -> None:
    timed = {"name": "s", "status": "done", "started_at": 0.0, "ended_at": 0.0}
    step = timed | {"group": "re-point the services", "seconds": 20.0}
    summary = GamedaySummary.model_validate(
        {
            "run_id": "gd-x",
            "experiment": "storage-failure",
            "passed": True,
            "started_at": 100.0,
            "fault_at": 102.0,
            "plan_started_at": 107.0,
            "plan_ended_at": 157.0,
            "ended_at": 170.0,
            "steps": [timed | {"group": "declare the disaster", "seconds": 4.0}, step, step],
        }
    )
    phases = phases_of(summary, seconds=100.0)
    assert phases["before the fault"] == 2.0 and phases["fault to plan"] == 5.0
    assert phases["plan: re-point the services"] == 40.0  # two steps of one group
    assert phases["after the plan"] == 13.0 and phases["outside the experiment"] == 30.0
    refused = summary.model_copy(update={"plan_started_at": None})
    assert phases_of(refused, seconds=100.0) == {}


def test_every_check_of_the_verdict_is_a_junit_case_and_the_failed_ones_carry_what_was_seen(
    tmp_path: Path,
) -> None:
    import xml.etree.ElementTree as ET

    from drill.junit import gameday_cases, write_junit

    summary = build_summary(facts(lost=2))
    cases = gameday_cases(summary)
    names = [case.name for case in cases]
    assert "appointments: nothing acknowledged lost" in names and "the recovery plan passed" in names
    failed = [case for case in cases if not case.passed]
    assert [case.message for case in failed] == list(summary.reasons)
    write_junit(tmp_path / "junit.xml", "game day x", cases, 12.0)
    suite = ET.parse(tmp_path / "junit.xml").getroot()
    assert suite.get("tests") == str(len(cases)) and suite.get("failures") == str(len(failed))
    assert suite.find("testcase/failure") is not None


@pytest.mark.parametrize(
    ("passed", "lost", "unexpected", "false"),
    [(False, 0, 0, True), (False, 1, 0, False), (False, 0, 2, False), (True, 0, 0, False)],
)
def test_a_false_failure_is_a_failed_game_day_whose_data_was_all_there(
    passed: bool, lost: int, unexpected: int, false: bool
) -> None:
    from drill.records.soak import SoakRun

    run = SoakRun(
        run_id="gd-x",
        passed=passed,
        seconds=100.0,
        rto_s={"lab": 50.0},
        acked={"lab": 10},
        lost={"lab": lost},
        reasons=("why",),
        unexpected={"lab": unexpected},
    )
    assert run.false_failure is false
