"""The soak: many game days in a row, each judged, then the stack destroyed and nothing left behind.

After every game day it also checks that no traffic shaping (tc tbf) is
left on the stack's containers; at the end, after `drill down`, that no
container, network or volume of the stack remains. The figures of every
run and their spread go to reports/soak-<time>.json.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console

from drill import stack as stacks
from drill.chaos.san_throttle import shaped_devices
from drill.gameday.cpu_hog import cpu_hog
from drill.gameday.experiments import Experiment
from drill.gameday.run import REPORTS, GamedayOptions, run_gameday
from drill.leftovers import find_leftovers
from drill.paths import StatePaths
from infra.config import LOCAL_ENGINE


@dataclass(frozen=True)
class SoakRun:
    """One game day of the soak: its folder, verdict, RTO and audit per service, leftovers."""

    run_id: str
    passed: bool
    seconds: float
    rto_s: dict[str, float | None]
    acked: dict[str, int]
    lost: dict[str, int]
    shaped_left: list[str]
    phases: dict[str, float]
    reasons: list[str]
    unexpected: dict[str, int]

    @property
    def false_failure(self) -> bool:
        """Failed although its audit found every acknowledged write and nothing else: the data was
        right, the verdict was not (a verification that raced or gave up on a busy machine)."""
        return not self.passed and not any(self.lost.values()) and not any(self.unexpected.values())


def phases_of(summary: dict[str, object], seconds: float) -> dict[str, float]:
    """How long each phase of one game day took, from its summary.

    before the fault: steady-state probes with the workload running; fault to
    plan: the fault's actions and the probes during it; one entry per group
    of the recovery plan; after the plan: steady state again, rollbacks,
    `drill up`'s drift check, draining and the audit; outside the
    experiment: the stack rebuilt as planned beforehand, and the report.
    """
    times = {
        key: summary.get(key)
        for key in ("started_at", "fault_at", "plan_started_at", "plan_ended_at", "ended_at")
    }
    if not all(isinstance(value, float) for value in times.values()):
        return {}
    at = {key: float(str(value)) for key, value in times.items()}
    found = {
        "before the fault": at["fault_at"] - at["started_at"],
        "fault to plan": at["plan_started_at"] - at["fault_at"],
    }
    steps = summary.get("steps")
    for step in steps if isinstance(steps, list) else []:
        group = f"plan: {step['group']}"
        found[group] = found.get(group, 0.0) + float(step["seconds"])
    found["after the plan"] = at["ended_at"] - at["plan_ended_at"]
    found["outside the experiment"] = seconds - (at["ended_at"] - at["started_at"])
    return {name: round(value, 1) for name, value in found.items()}


def soak(
    paths: StatePaths,
    experiment: Experiment,
    options: GamedayOptions,
    runs: int,
    console: Console,
    hog_cores: int = 0,
) -> Path:
    """Run `runs` game days (beside a CPU hog of hog_cores cores), then destroy the stack; return
    the soak's JSON file."""
    results: list[SoakRun] = []
    path = REPORTS / time.strftime("soak-%Y%m%dT%H%M%SZ.json", time.gmtime())
    load = {"cpu_hog_cores": hog_cores, "workload_rate_per_s": options.workload_rate}
    for number in range(1, runs + 1):
        console.rule(f"soak: game day {number} of {runs}")
        started = time.monotonic()
        with cpu_hog(hog_cores):
            run_dir = run_gameday(paths, experiment, options, console)
        results.append(_soak_run(run_dir, time.monotonic() - started, options.stack))
        # Written after every game day: a soak cut short still says what it saw.
        path.write_text(json.dumps(_report(experiment, load, results, runs, None), indent=2))
    down = stacks.down(paths, options.stack, console)
    hosts = {room.docker_host for room in down.topology.rooms} if down.topology else {LOCAL_ENGINE}
    left = find_leftovers(options.stack, hosts)
    path.write_text(json.dumps(_report(experiment, load, results, runs, left), indent=2))
    return path


def _soak_run(run_dir: Path, seconds: float, stack: str) -> SoakRun:
    summary = json.loads((run_dir / "summary.json").read_text())
    services = summary["services"]
    return SoakRun(
        run_id=run_dir.name,
        passed=bool(summary["passed"]),
        seconds=round(seconds, 1),
        rto_s={name: s["rto_s"] for name, s in services.items()},
        acked={name: s["acked"] for name, s in services.items()},
        lost={name: s["lost"] for name, s in services.items()},
        shaped_left=shaped_devices(LOCAL_ENGINE, stack),
        phases=phases_of(summary, seconds),
        reasons=[str(r) for r in summary["reasons"]],
        unexpected={name: s["unexpected"] for name, s in services.items()},
    )


def _report(
    experiment: Experiment,
    load: dict[str, float],
    results: list[SoakRun],
    runs: int,
    left_after_down: list[str] | None,
) -> dict[str, object]:
    """The soak's figures so far; left_after_down is None until the stack is destroyed."""
    return {
        "experiment": experiment.name,
        "load": load,
        "runs_asked": runs,
        "runs": [asdict(r) for r in results],
        "passed": sum(r.passed for r in results),
        "false_failures": sum(r.false_failure for r in results),
        "lost": sum(sum(r.lost.values()) for r in results),
        "acked": sum(sum(r.acked.values()) for r in results),
        "shaped_left": sorted({s for r in results for s in r.shaped_left}),
        "left_after_down": left_after_down,
        "rto_s": spread(results),
        "seconds": spread_of([r.seconds for r in results]),
        "phases": {
            phase: spread_of([r.phases[phase] for r in results if phase in r.phases])
            for phase in dict.fromkeys(phase for r in results for phase in r.phases)
        },
    }


def spread(results: list[SoakRun]) -> dict[str, dict[str, float]]:
    """Min, median and max RTO per service over the runs that measured one."""
    services = sorted({name for r in results for name in r.rto_s})
    measured = {name: [r.rto_s[name] for r in results if r.rto_s.get(name) is not None] for name in services}
    return {
        name: spread_of([v for v in values if v is not None]) for name, values in measured.items() if values
    }


def spread_of(values: list[float]) -> dict[str, float]:
    """Min, median and max of values (empty when there are none)."""
    if not values:
        return {}
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}
