"""Stand-up and tear-down: `drill up` against `docker compose up -d --wait` of the same containers.

hyperfine times both, side by side in one run: every repetition of one
starts from nothing (its prepare step tears both stacks down), and the
tear-downs are timed from a standing stack (the prepare step stands it up).
"""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from drill.bench.compose_file import write_compose_file
from drill.errors import BenchError, ToolchainError
from drill.paths import PROJECT_ROOT, StatePaths
from drill.process import is_installed, run_command
from drill.records.bench import Standup
from drill.stats import distribution
from drill.toolchain.compose import build_compose, compose_binary, describe_compose
from drill.toolchain.debian import install_debian_packages
from drill.toolchain.steps import Step, run_steps
from drill.workspace import check_stack_config
from infra.images import build_service_images

log = logging.getLogger(__name__)

DRILL_UP = "drill up"
COMPOSE_UP = "docker compose up -d --wait"
DRILL_DOWN = "drill down"
COMPOSE_DOWN = "docker compose down -v"


def bench_tools(paths: StatePaths) -> None:
    """What only the benchmarks need: hyperfine (Debian) and Docker Compose v2 (built with Go)."""
    run_steps(
        [
            Step("hyperfine", hyperfine_version, _install_hyperfine, "apt-get install hyperfine"),
            Step(
                "Docker Compose",
                lambda: describe_compose(paths),
                lambda: build_compose(paths),
                "make bench (builds it with Go from toolchain/docker-compose)",
            ),
        ],
    )


def bench_standup(paths: StatePaths, stack: str, reps: int) -> Standup:
    """Time stand-up and tear-down of both, reps times each; return their distributions."""
    folder = paths.root / "bench" / stack
    compose_file = write_compose_file(check_stack_config(stack), build_service_images(), folder)
    drill = f"{shlex.quote(str(Path(sys.executable).parent / 'drill'))} --stack {stack}"
    compose = f"{shlex.quote(str(compose_binary(paths)))} --file {shlex.quote(str(compose_file))}"
    up = {DRILL_UP: f"{drill} up", COMPOSE_UP: f"{compose} up --detach --wait --wait-timeout 300"}
    down = {DRILL_DOWN: f"{drill} down", COMPOSE_DOWN: f"{compose} down --volumes"}
    nothing = f"{down[DRILL_DOWN]} && {down[COMPOSE_DOWN]}"
    log.info(f"stand-up: {reps} times each of `{DRILL_UP}` and `{COMPOSE_UP}`, from nothing")
    up_times = _hyperfine(folder / "up.json", up, [nothing, nothing], nothing, reps)
    log.info(f"tear-down: {reps} times each of `{DRILL_DOWN}` and `{COMPOSE_DOWN}`, from a standing stack")
    down_times = _hyperfine(
        folder / "down.json",
        down,
        [f"{nothing} && {up[DRILL_UP]}", f"{nothing} && {up[COMPOSE_UP]}"],
        nothing,
        reps,
    )
    return Standup(reps=reps, containers=_count_services(compose_file), up=up_times, down=down_times)


def _hyperfine(
    export: Path, commands: dict[str, str], prepare: list[str], cleanup: str, reps: int
) -> dict[str, dict[str, float]]:
    argv = ["hyperfine", "--runs", str(reps), "--export-json", str(export), "--cleanup", cleanup]
    for step in prepare:
        argv += ["--prepare", step]
    for name, command in commands.items():
        argv += ["--command-name", name, command]
    # hyperfine shows its own progress; a failing command or prepare step stops it.
    if subprocess.run(argv, cwd=PROJECT_ROOT, check=False).returncode != 0:
        raise BenchError(
            f"hyperfine stopped: one of {', '.join(commands)} failed", "run that command by hand to see why"
        )
    results = json.loads(export.read_text())["results"]
    return {result["command"]: distribution([float(t) for t in result["times"]]) for result in results}


def _count_services(compose_file: Path) -> int:
    return len(yaml.safe_load(compose_file.read_text())["services"])


def hyperfine_version() -> str | None:
    """`hyperfine --version`, or None when it is not installed."""
    if not is_installed("hyperfine"):
        return None
    done = run_command(["hyperfine", "--version"], fix="reinstall hyperfine")
    return done.strip()


def _install_hyperfine() -> str:
    install_debian_packages(["hyperfine"])
    found = hyperfine_version()
    if not found:
        raise ToolchainError(
            "hyperfine does not run after installing it", "apt-get install --reinstall hyperfine"
        )
    return found
