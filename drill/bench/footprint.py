"""Footprint: memory and CPU of the whole replica, idle and under the workload.

Read with `docker stats` (one call samples every container of the stack);
CPU is in percent of one core, summed over the containers.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from drill.errors import BenchError
from drill.paths import PROJECT_ROOT
from drill.progress import working
from drill.records.bench import Footprint, FootprintSample
from drill.stats import distribution
from infra.topology import Topology

SAMPLES = 6
WORKLOAD_RATE = 6.0


def bench_footprint(topology: Topology) -> Footprint:
    """Sample the deployed stack idle, then under the game day's workload."""
    with working("footprint: idle…"):
        idle = _samples(topology)
    drill = str(Path(sys.executable).parent / "drill")
    seconds = SAMPLES * 4 + 15
    argv = [drill, "--stack", topology.stack, "workload"]
    argv += ["--rate", str(WORKLOAD_RATE), "--seconds", str(seconds)]
    with working(f"footprint: under the workload ({WORKLOAD_RATE:g} op/s)…"):
        workload = subprocess.Popen(
            argv, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            time.sleep(5)  # let every operation start
            loaded = _samples(topology)
        finally:
            if workload.wait(timeout=seconds + 60) != 0:
                raise BenchError(
                    "the workload failed during the footprint", f"run `{' '.join(argv)}` to see why"
                )
    return Footprint(idle=idle, workload=loaded.model_copy(update={"rate_per_s": WORKLOAD_RATE}))


def _samples(topology: Topology) -> FootprintSample:
    names = sorted(c.name for c in topology.containers())
    memory: list[float] = []
    cpu: list[float] = []
    per_container: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(SAMPLES):
        rows = _stats(names)
        memory.append(sum(row[0] for row in rows.values()))
        cpu.append(sum(row[1] for row in rows.values()))
        for name, (mib, _cpu) in rows.items():
            per_container[name].append(mib)
    heaviest = sorted(per_container.items(), key=lambda item: -statistics.median(item[1]))[:3]
    return FootprintSample(
        containers=len(names),
        memory_mib=distribution(memory),
        cpu_percent_of_one_core=distribution(cpu),
        heaviest_mib={name: round(statistics.median(values), 1) for name, values in heaviest},
    )


def _stats(names: list[str]) -> dict[str, tuple[float, float]]:
    """(memory MiB, CPU %) per container, from one `docker stats --no-stream`."""
    done = subprocess.run(
        ["docker", "stats", "--no-stream", "--format", "{{json .}}", *names], capture_output=True, check=True
    )
    rows = {}
    for line in done.stdout.decode().splitlines():
        row = json.loads(line)
        rows[row["Name"]] = (_mib(row["MemUsage"].split("/")[0].strip()), float(row["CPUPerc"].rstrip("%")))
    return rows


def _mib(text: str) -> float:
    """`12.5MiB`, `1.2GiB`, `900KiB`, `0B` in MiB."""
    units = {"GiB": 1024.0, "MiB": 1.0, "KiB": 1 / 1024, "B": 1 / 1024 / 1024}
    for unit, factor in units.items():
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    raise BenchError(f"docker stats printed a memory size drill cannot read: {text!r}", "report it")
