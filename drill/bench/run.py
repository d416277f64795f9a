"""`make bench` / `drill bench`: every benchmark in order, results to bench/results/<date>.json.

Each part is saved as soon as it is measured (a later failure keeps the
earlier parts), and bench/README.md's table is written again from the file.
The parts run one after another on the same machine, never side by side
with anything else of ours.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

from drill import stack as stacks
from drill.bench.footprint import bench_footprint
from drill.bench.readme import write_readme
from drill.bench.restore import bench_restore
from drill.bench.standup import bench_standup, bench_tools, hyperfine_version
from drill.bench.tls_cost import bench_tls
from drill.errors import BenchError, RecordError
from drill.gameday.experiments import load_experiment
from drill.gameday.run import GamedayOptions, prepare_stack
from drill.gameday.soak import soak
from drill.paths import PROJECT_ROOT, StatePaths
from drill.records.bench import PARTS, BenchResults, Gamedays, Machine, Part
from drill.records.soak import SoakReport
from drill.stats import distribution
from drill.toolchain.compose import describe_compose
from drill.toolchain.docker_engine import engine_version
from drill.toolchain.pulumi_cli import describe_pulumi_cli

RESULTS = PROJECT_ROOT / "bench" / "results"


@dataclass(frozen=True)
class BenchOptions:
    """What to measure, how often, on which stack."""

    stack: str = "gameday"
    reps: int = 5
    gamedays: int = 10
    sizes_mb: tuple[int, ...] = (10, 100, 1000)
    parts: tuple[str, ...] = field(default=PARTS)
    gamedays_from: Path | None = None  # a soak report to read the game days from, instead of running them


def run_bench(paths: StatePaths, options: BenchOptions) -> Path:
    """Run the chosen parts; return the results file."""
    path = RESULTS / f"{dt.date.today().isoformat()}.json"
    fix = f"move {path} aside: this run writes a new one"
    kept = BenchResults.read(path, fix) if path.exists() else BenchResults()
    if "standup" in options.parts:
        bench_tools(paths)  # first, so that the machine's record names their versions
    results = kept.model_copy(update={"machine": machine(paths)})

    def save(part: str, value: Part) -> None:
        nonlocal results
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        results = results.model_copy(update={part: value.model_copy(update={"measured_at": at})})
        results.write(path)
        write_readme(path)

    if "standup" in options.parts:
        save("standup", bench_standup(paths, options.stack, options.reps))
    if {"footprint", "tls", "restore"} & set(options.parts):
        prepare_stack(paths, options.stack)
        topology = stacks.up(paths, options.stack).topology
        if "footprint" in options.parts:
            save("footprint", bench_footprint(topology))
        if "tls" in options.parts:
            save("tls", bench_tls(topology))
        if "restore" in options.parts:
            save("restore", bench_restore(topology, list(options.sizes_mb)))
            stacks.down(paths, options.stack)  # the bench rows go with it
    if "gamedays" in options.parts:
        soak_report = options.gamedays_from or run_gamedays(paths, options.stack, options.gamedays)
        save("gamedays", gameday_distributions(soak_report))
    return path


def run_gamedays(paths: StatePaths, stack: str, runs: int) -> Path:
    """runs storage-failure game days in a row (the soak's loop); return the soak report."""
    options = GamedayOptions(stack)
    return soak(paths, load_experiment("storage-failure"), options, runs)[0]


def gameday_distributions(soak_report: Path) -> Gamedays:
    """Distributions of what the game days of a soak report measured."""
    fix = "give a reports/soak-<time>.json that `drill soak` wrote"
    try:
        report = SoakReport.read(soak_report, fix)
    except RecordError as exc:
        raise BenchError(f"{soak_report} is not a soak report ({exc.what})", fix) from exc
    done = report.runs
    services = sorted({name for run in done for name in run.rto_s})
    return Gamedays(
        soak_report=soak_report.name,
        experiment=report.experiment,
        runs=len(done),
        passed=report.passed,
        seconds=distribution([run.seconds for run in done]),
        phases_s={p: distribution([run.phases[p] for run in done if p in run.phases]) for p in report.phases},
        rto_s={
            name: distribution([v for run in done if (v := run.rto_s.get(name)) is not None])
            for name in services
        },
        acked={name: distribution([float(run.acked.get(name, 0)) for run in done]) for name in services},
        lost={name: distribution([float(run.lost.get(name, 0)) for run in done]) for name in services},
        lost_total=report.lost,
        acked_total=report.acked,
        left_after_down=report.left_after_down,
        shaped_left=report.shaped_left,
    )


def machine(paths: StatePaths) -> Machine:
    """What the figures were measured on."""
    meminfo = Path("/proc/meminfo").read_text().split()
    return Machine(
        cores=os.cpu_count(),
        memory_gib=round(int(meminfo[meminfo.index("MemTotal:") + 1]) / 1024 / 1024, 1),
        kernel=platform.release(),
        dockerd=engine_version(),
        pulumi=describe_pulumi_cli(paths),
        compose=describe_compose(paths),
        hyperfine=hyperfine_version(),
    )
