"""One game day, end to end: the stack as planned, the workload, the experiment, the audit, the report.

The experiment runs as a plain `chaos run` (rollback strategy `always`) in
a child process while the workload records every operation in the ledger;
then `drill up` must find nothing to change, one final read per service is
checked against the ledger, and the report is written to reports/<run-id>/.
Ctrl-C stops the experiment (Chaos Toolkit plays the rollbacks) and still
leaves a converged stack and a report of what happened.
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors

from drill import stack as stacks
from drill.audit import audit
from drill.checks import check_stack
from drill.engines import container_of
from drill.gameday.experiments import Experiment, ensure_hosting, write_vars
from drill.gameday.facts import RunFacts, build_summary
from drill.gameday.journal import read_journal
from drill.junit import gameday_cases, write_junit
from drill.paths import PROJECT_ROOT, StatePaths
from drill.progress import working
from drill.records.plan import PlanResult
from drill.records.summary import GamedaySummary, StatResult
from drill.report import render_report
from drill.workload import clients
from drill.workload.ledger import read_ledger
from drill.workload.operations import Endpoints
from drill.workload.runner import run_workload
from drill.workspace import check_stack_config, write_recovery
from infra.topology import Topology

log = logging.getLogger(__name__)

REPORTS = PROJECT_ROOT / "reports"
PLAN_FIX = "run the recovery plan again (`drill recover`): it writes a whole plan.json"
WORKLOAD_RATE = 6.0
SETTLE_S = 90.0


@dataclass(frozen=True)
class GamedayOptions:
    """How to run: which stack, negative control, the room to lose, and the workload's rate
    (operations per second). What the run is judged against comes from the topology."""

    stack: str
    negative_control: bool = False
    lost_room: str = "nord-2"
    workload_rate: float = WORKLOAD_RATE


@dataclass(frozen=True)
class GamedayRun:
    """A game day that ran: its folder under reports/, its summary (as written to summary.json) and
    the topology of the stack it left."""

    folder: Path
    summary: GamedaySummary
    topology: Topology


@dataclass(frozen=True)
class _Run:
    """A game day under way: its folder, experiment, options, the endpoints its workload uses, its start."""

    folder: Path
    experiment: Experiment
    options: GamedayOptions
    endpoints: Endpoints
    started: float


def run_gameday(paths: StatePaths, experiment: Experiment, options: GamedayOptions) -> GamedayRun:
    """Run experiment against the stack under load; return its folder and summary."""
    ensure_hosting(experiment, options.stack, check_stack_config(options.stack).hosting)
    prepare_stack(paths, options.stack)
    run_id = time.strftime("gd-%Y%m%dT%H%M%SZ", time.gmtime())
    run_dir = REPORTS / run_id
    topology = stacks.up(paths, options.stack).topology
    vars_file = write_vars(topology, run_dir, options.negative_control, options.lost_room)
    passwords = stacks.mailbox_passwords(paths, options.stack, topology.mail.addresses())
    endpoints = Endpoints.of(topology, run_id, passwords)
    stop = threading.Event()
    workload = threading.Thread(
        target=run_workload,
        args=(endpoints, run_dir / "ledger.jsonl", options.workload_rate, 3600.0, stop),
        daemon=True,
    )
    run = _Run(run_dir, experiment, options, endpoints, time.time())
    workload.start()
    log.info(f"game day {run_id}: {experiment.name} ({experiment.title})")
    try:
        run_chaos(experiment, vars_file, run_dir)
    finally:
        stop.set()
        workload.join()
        converged = stacks.up(paths, options.stack)
        drift = sum(n for op, n in converged.changes.items() if op != "same")
        log.info(f"drill up after the game day: {drift} changes ({converged.changes})")
        wait_healthy(converged.topology)
        summary = finish(run, converged.topology, drift)
    return GamedayRun(run_dir, summary, converged.topology)


def prepare_stack(paths: StatePaths, stack: str) -> None:
    """A game day starts from the planned placement: rebuild a stack the plan had recovered.

    Its topology says whether it stands recovered; a recovery written but never
    deployed is dropped from the stack config too, so that `drill up` deploys the plan.
    """
    standing = stacks.current_topology(paths, stack)
    if standing is not None and standing.recovered:
        [array] = standing.service("storage").containers
        log.info(f"stack {stack} stands recovered (storage in {array.room}): rebuilding it as planned")
        stacks.down(paths, stack)
    write_recovery(paths, stack, None)


def run_chaos(experiment: Experiment, vars_file: Path, run_dir: Path) -> int:
    """`chaos run` the experiment with the var file; return its exit code (Ctrl-C waits for its rollbacks)."""
    chaos = Path(sys.executable).parent / "chaos"
    argv = [
        str(chaos),
        "--no-version-check",
        "--log-file",
        str(run_dir / "chaostoolkit.log"),
        "run",
        "--rollback-strategy=always",
        "--var-file",
        str(vars_file),
        "--journal-path",
        str(run_dir / "journal.json"),
        str(experiment.path),
    ]
    process = subprocess.Popen(argv, cwd=PROJECT_ROOT)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            log.info("[yellow]interrupted: waiting for the experiment's rollbacks…[/]")


def wait_healthy(topology: Topology) -> None:
    """Wait (up to SETTLE_S) until every container is healthy and what waited is delivered
    (the mail queue, the lab journal), so that the final read sees every write that can arrive."""
    deadline = time.monotonic() + SETTLE_S
    with working("waiting for every service to answer and deliver what waited…"):
        while time.monotonic() < deadline and not all(c.ok for c in check_stack(topology)):
            time.sleep(2)
        while time.monotonic() < deadline and not delivered(topology):
            time.sleep(2)


def delivered(topology: Topology) -> bool:
    """Nothing waits in the mail queue (a flush is asked) nor in the lab gateway's journal."""
    [front] = [c for c in topology.service("mail").containers if c.tier == "app"]
    try:
        container = container_of(topology, front)
        if container is None:
            return False
        container.exec_run(["postqueue", "-f"])
        queued = container.exec_run(["postqueue", "-j"]).output.strip()
        status, health = clients.http_json(
            "GET", topology.service("lab").health_url, tls=clients.tls_context(topology.tls_ca)
        )
    except (docker.errors.DockerException, clients.Unsent, clients.Unanswered):
        return False
    return not queued and status == 200 and isinstance(health, dict) and health.get("pending") == 0


def finish(run: _Run, topology: Topology, drift: int) -> GamedaySummary:
    """Audit, summarise, render the report and point reports/latest at this run; return the summary."""
    ended = time.time()
    summary = build_summary(run_facts(run, topology, ended, drift))
    summary.write(run.folder / "summary.json")
    cases = gameday_cases(summary)
    write_junit(run.folder / "junit.xml", f"game day {run.folder.name}", cases, ended - run.started)
    render_report(run.folder)
    latest = REPORTS / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(run.folder.name)
    return summary


def run_facts(run: _Run, topology: Topology, ended: float, drift: int) -> RunFacts:
    """What the run left: its plan, journal, ledger and audit, and the urgent results' delivery."""
    plan_path = run.folder / "plan.json"
    plan = PlanResult.read(plan_path, PLAN_FIX) if plan_path.exists() else None
    with working("auditing every acknowledged write…"):
        audits = audit(run.endpoints, run.folder / "ledger.jsonl")
    journal = read_journal(run.folder / "journal.json")
    fault_at = journal.first_action_at() if journal else None
    back = gateway_started_at(topology) if plan else None
    return RunFacts(
        run_id=run.folder.name,
        experiment=run.experiment,
        stack=run.options.stack,
        started_at=run.started,
        ended_at=ended,
        journal=journal,
        plan=plan,
        audits=audits,
        ledger=list(read_ledger(run.folder / "ledger.jsonl")),
        stat=stat_delivery(run.endpoints, run.folder, fault_at, back, topology.targets.stat_delivery_s),
        rto_targets=topology.targets.rto_s,
        negative_control=run.options.negative_control,
        drift=drift,
    )


def stat_delivery(
    endpoints: Endpoints, run_dir: Path, fault_at: float | None, back: float | None, target_s: float
) -> StatResult:
    """How the urgent results that waited in the gateway's journal were delivered once its storage was back.

    Results received between the fault and back (when the re-pointed gateway
    started, reaching the new array) waited; read back from the results API.
    """
    if fault_at is None or back is None or back <= fault_at:
        return StatResult(target_s=target_s)
    acked = {
        e.key
        for e in read_ledger(run_dir / "ledger.jsonl")
        if e.service == "lab" and e.op == "send" and e.status == "ok"
    }
    rows = []
    for control_id in acked:
        order = control_id.replace(f"{endpoints.run_id}-r", f"{endpoints.run_id}-o", 1)
        status, found = clients.http_json(
            "GET", f"{endpoints.lab_api}/results?order={order}", tls=endpoints.tls
        )
        if status == 200 and isinstance(found, list):
            rows += [r for r in found if isinstance(r, dict)]
    waited = [r for r in rows if fault_at <= float(r["received_at"]) < back]
    stat = [float(r["delivered_at"]) for r in waited if r["priority"] == "S"]
    routine = [float(r["delivered_at"]) for r in waited if r["priority"] != "S"]
    if not stat:
        return StatResult(target_s=target_s)
    first = max(stat) <= min(routine) if routine else True
    return StatResult(
        delivered_within_s=round(max(stat) - back, 1), target_s=target_s, count=len(stat), first=first
    )


def gateway_started_at(topology: Topology) -> float | None:
    """When the lab gateway's container (re)started: after a recovery, when it reached the new array."""
    [gateway] = [c for c in topology.service("lab").containers if c.tier == "app"]
    try:
        container = container_of(topology, gateway)
    except docker.errors.DockerException:
        return None
    if container is None:
        return None
    text = str(container.attrs["State"]["StartedAt"])[:26].rstrip("Z")
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()
