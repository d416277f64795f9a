"""The soak: many game days in a row, each judged, then the stack destroyed and nothing left behind.

After every game day it also checks that no traffic shaping (tc tbf) is
left on the stack's containers; at the end, after `drill down`, that no
container, network or volume of the stack remains. The figures of every
run and their spread go to reports/soak-<time>.json.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from drill import stack as stacks
from drill.chaos.san_throttle import shaped_devices
from drill.gameday.cpu_hog import cpu_hog
from drill.gameday.experiments import Experiment
from drill.gameday.run import REPORTS, GamedayOptions, run_gameday
from drill.leftovers import find_leftovers
from drill.paths import StatePaths
from drill.records.soak import SoakReport, SoakRun
from drill.records.summary import GamedaySummary
from infra.docker_hosts import LOCAL_ENGINE
from infra.topology import Topology

log = logging.getLogger(__name__)


def phases_of(summary: GamedaySummary, seconds: float) -> dict[str, float]:
    """How long each phase of one game day took, from its summary.

    before the fault: steady-state probes with the workload running; fault to
    plan: the fault's actions and the probes during it; one entry per group
    of the recovery plan; after the plan: steady state again, rollbacks,
    `drill up`'s drift check, draining and the audit; outside the
    experiment: the stack rebuilt as planned beforehand, and the report.
    """
    fault, plan_start, plan_end = summary.fault_at, summary.plan_started_at, summary.plan_ended_at
    if fault is None or plan_start is None or plan_end is None:
        return {}
    found = {"before the fault": fault - summary.started_at, "fault to plan": plan_start - fault}
    for step in summary.steps:
        group = f"plan: {step.group}"
        found[group] = found.get(group, 0.0) + step.seconds
    found["after the plan"] = summary.ended_at - plan_end
    found["outside the experiment"] = seconds - summary.duration_s
    return {name: round(value, 1) for name, value in found.items()}


def soak(
    paths: StatePaths,
    experiment: Experiment,
    options: GamedayOptions,
    runs: int,
    hog_cores: int = 0,
) -> tuple[Path, SoakReport]:
    """Run `runs` game days (beside a CPU hog of hog_cores cores), then destroy the stack; return
    the soak's JSON file and its report."""
    path = REPORTS / time.strftime("soak-%Y%m%dT%H%M%SZ.json", time.gmtime())
    report = SoakReport(
        experiment=experiment.name,
        load={"cpu_hog_cores": hog_cores, "workload_rate_per_s": options.workload_rate},
        runs_asked=runs,
    )
    for number in range(1, runs + 1):
        log.info(f"soak: game day {number} of {runs}")
        started = time.monotonic()
        with cpu_hog(hog_cores):
            run = run_gameday(paths, experiment, options)
        done = soak_run(run.summary, time.monotonic() - started, shaped_left(run.topology))
        report = report.model_copy(update={"runs": (*report.runs, done)})
        report.write(path)  # after every game day: a soak cut short still says what it saw
    down = stacks.down(paths, options.stack)
    hosts = {room.docker_host for room in down.topology.rooms} if down.topology else {LOCAL_ENGINE}
    report = report.model_copy(update={"left_after_down": tuple(find_leftovers(options.stack, hosts))})
    report.write(path)
    return path, report


def shaped_left(topology: Topology) -> tuple[str, ...]:
    """Traffic shaping left on the stack's containers, on every room's engine."""
    hosts = sorted({room.docker_host for room in topology.rooms})
    return tuple(device for host in hosts for device in shaped_devices(host, topology.stack))


def soak_run(summary: GamedaySummary, seconds: float, shaped: tuple[str, ...]) -> SoakRun:
    """One game day's figures, from its summary and what shaping it left."""
    services = summary.services
    return SoakRun(
        run_id=summary.run_id,
        passed=summary.passed,
        seconds=round(seconds, 1),
        rto_s={name: s.rto_s for name, s in services.items()},
        acked={name: s.acked for name, s in services.items()},
        lost={name: s.lost for name, s in services.items()},
        shaped_left=shaped,
        phases=phases_of(summary, seconds),
        reasons=summary.reasons,
        unexpected={name: s.unexpected for name, s in services.items()},
    )
