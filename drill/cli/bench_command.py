"""`drill bench`: stand-up against docker compose, game days, restore and footprint (bench/README.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from drill.bench.run import BenchOptions, run_bench
from drill.cli.common import Command, console, positive
from drill.paths import StatePaths
from drill.records.bench import PARTS
from drill.toolchain.bootstrap import toolchain_steps
from drill.toolchain.steps import run_steps


def parts(text: str) -> list[str]:
    """A comma-separated list of benchmark parts, each one we know."""
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in PARTS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"{text!r}: parts are {', '.join(PARTS)} (comma-separated)")
    return chosen


def sizes(text: str) -> list[int]:
    """A comma-separated list of data sizes in MB, each a whole number from 1."""
    try:
        chosen = [int(size) for size in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of whole numbers of MB, e.g. 10,100,1000"
        ) from None
    if not chosen or min(chosen) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: every size must be at least 1 MB")
    return chosen


def cmd_bench(paths: StatePaths, args: argparse.Namespace) -> int:
    """Benchmark stand-up against docker compose, game days, restore and footprint; bench/README.md."""
    run_steps(toolchain_steps(paths))
    options = BenchOptions(
        stack=args.stack,
        reps=int(args.reps),
        gamedays=int(args.gamedays),
        sizes_mb=tuple(args.sizes_mb),
        parts=tuple(args.parts),
        gamedays_from=Path(args.gamedays_from) if args.gamedays_from else None,
    )
    path = run_bench(paths, options)
    console.print(f"bench results: {path}; table: bench/README.md")
    return 0


def bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--parts", type=parts, default=list(PARTS), help="which parts, e.g. restore")
    parser.add_argument("--reps", type=positive, default=5, help="stand-up repetitions")
    parser.add_argument("--gamedays", type=positive, default=10, help="game days in a row")
    parser.add_argument(
        "--gamedays-from", default="", help="read the game days from this soak report instead of running them"
    )
    parser.add_argument("--sizes-mb", type=sizes, default=[10, 100, 1000], help="restore data sizes (MB)")


COMMANDS = (Command("bench", cmd_bench, bench_arguments),)
