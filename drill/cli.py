"""`drill`: the command line of the hospital DRP testbed.

Every command prints what it is doing and how long it took; every error is
one line naming the cause and the fix, with a non-zero exit.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from drill import stack as stacks
from drill.bench.run import PARTS, BenchOptions, run_bench
from drill.checks import check_stack
from drill.doctor import examine
from drill.errors import DeployError, DrillError
from drill.gameday.experiments import experiment_names, load_experiment
from drill.gameday.run import WORKLOAD_RATE, GamedayOptions, run_gameday
from drill.gameday.soak import soak
from drill.leftovers import find_leftovers
from drill.matrix.cells import SERVICES
from drill.matrix.run import run_matrix
from drill.paths import PROJECT_ROOT, StatePaths, state_paths
from drill.recovery.plan import DEFAULT_PLAN
from drill.recovery.recover import read_plan, recover
from drill.report import render_report
from drill.toolchain.bootstrap import toolchain_steps
from drill.toolchain.steps import run_steps
from drill.workload.operations import Target
from drill.workload.runner import run_workload
from drill.workspace import check_stack_config

console = Console(highlight=False)
DEFAULT_STACK = os.environ.get("DRILL_STACK", "gameday")


def cmd_bootstrap(paths: StatePaths, args: argparse.Namespace) -> int:
    """Make every missing part of the toolchain."""
    run_steps(toolchain_steps(paths), console)
    return 0


def cmd_doctor(paths: StatePaths, args: argparse.Namespace) -> int:
    """List every part of the toolchain; exit 1 when one is missing or broken."""
    table = Table("part", "state", "version / detail", "fix")
    findings = examine(paths)
    for f in findings:
        table.add_row(f.part, "[green]ok[/]" if f.ok else "[red]missing[/]", f.detail, "" if f.ok else f.fix)
    console.print(table)
    return 0 if all(f.ok for f in findings) else 1


def cmd_up(paths: StatePaths, args: argparse.Namespace) -> int:
    """Deploy the stack (bootstrapping what is missing first)."""
    run_steps(toolchain_steps(paths), console)
    result = stacks.up(paths, args.stack, console)
    changes = ", ".join(f"{op} {n}" for op, n in sorted(result.changes.items()))
    console.print(f"stack {args.stack} deployed in {result.seconds:.1f} s: {changes}")
    for service in result.topology.services:
        for endpoint in service.endpoints:
            console.print(f"  {service.name} ({endpoint.name}): {endpoint.url}")
    return 0


def cmd_status(paths: StatePaths, args: argparse.Namespace) -> int:
    """Show the deployed topology and check each container and service; exit 1 when one fails."""
    topology = stacks.current_topology(paths, args.stack)
    if topology is None:
        console.print(f"stack {args.stack}: nothing deployed")
        return 0
    table = Table("room", "site", "network", "SAN network", "the plan may place there", "state")
    for room in topology.rooms:
        takes = ", ".join(room.takes) if room.kind == "room" else "(a platform, no machine room)"
        lost = "lost" if room.name in topology.lost_rooms else ""
        lost = lost or ("storage lost" if room.name in topology.lost_storage else "")
        table.add_row(
            room.name, room.site, room.network, room.san_network or "—", takes, lost or "as planned"
        )
    console.print(table)
    checks = check_stack(topology)
    table = Table("checked", "state", "seen")
    for check in checks:
        table.add_row(check.subject, "[green]ok[/]" if check.ok else "[red]failed[/]", check.seen)
    console.print(table)
    return 0 if all(c.ok for c in checks) else 1


def cmd_down(paths: StatePaths, args: argparse.Namespace) -> int:
    """Destroy the stack and check that nothing of it is left behind."""
    result = stacks.down(paths, args.stack, console)
    console.print(f"stack {args.stack} destroyed in {result.seconds:.1f} s")
    if result.topology is None:
        return 0
    left = find_leftovers(args.stack, {room.docker_host for room in result.topology.rooms})
    if left:
        console.print(f"[red]left behind:[/] {', '.join(left)}")
        return 1
    console.print("nothing left behind")
    return 0


def cmd_workload(paths: StatePaths, args: argparse.Namespace) -> int:
    """Run the clinician workload against the deployed stack; its ledger goes to reports/<run-id>/."""
    topology = stacks.current_topology(paths, args.stack)
    if topology is None:
        raise DeployError(f"stack {args.stack} is not deployed", f"run `drill --stack {args.stack} up` first")
    run_id = time.strftime("wl-%Y%m%dT%H%M%SZ", time.gmtime())
    ledger = PROJECT_ROOT / "reports" / run_id / "ledger.jsonl"
    target = Target.of(topology, run_id, stacks.secret(paths, args.stack, "mail_user_password"))
    with console.status(f"workload at {args.rate:g} op/s for {args.seconds:g} s…"):
        counts = run_workload(target, ledger, args.rate, args.seconds, threading.Event())
    table = Table("service", "ok", "failed", "unknown")
    for service in sorted({key.split()[0] for key in counts}):
        table.add_row(service, *(str(counts[f"{service} {s}"]) for s in ("ok", "failed", "unknown")))
    console.print(table)
    console.print(f"ledger: {ledger}")
    return 0


def cmd_recover(paths: StatePaths, args: argparse.Namespace) -> int:
    """Run the recovery plan against the stack: re-create lost storage, restore, re-point, verify."""
    plan = read_plan(Path(args.plan))
    console.print(f"recovery plan {plan.name} ({plan.path}) on stack {args.stack}")
    result = recover(paths, args.stack, console, plan, args.negative_control)
    run_dir = PROJECT_ROOT / "reports" / time.strftime("recover-%Y%m%dT%H%M%SZ", time.gmtime())
    result.write(run_dir / "plan.json")
    table = Table("service", "verified after (s)")
    for service, at in sorted(result.verified_at.items()):
        table.add_row(service, f"{at - result.started_at:.1f}")
    console.print(table)
    for what in result.cannot_restore:
        console.print(f"[red]cannot restore:[/] {what}")
    verdict = "[green]passed[/]" if result.passed else "[red]failed[/]"
    changed = "changed the stack" if result.changed else "changed nothing"
    console.print(
        f"plan {verdict} in {result.ended_at - result.started_at:.1f} s, {changed}; {run_dir / 'plan.json'}"
    )
    return 0 if result.passed else 1


def cmd_gameday(paths: StatePaths, args: argparse.Namespace) -> int:
    """The main job: deploy as planned, run an experiment under load, recover, audit, report."""
    experiment = load_experiment(args.experiment)
    check_stack_config(args.stack)  # a bad config stops here, before anything runs
    run_steps(toolchain_steps(paths), console)
    options = GamedayOptions(
        stack=args.stack,
        negative_control=args.negative_control,
        lost_room=args.room,
    )
    run = run_gameday(paths, experiment, options, console)
    summary = run.summary
    table = Table("service", "RTO (s)", "acked", "lost", "unexpected", "unknown")
    for name, s in summary.results:
        rto = "—" if s.rto_s is None else f"{s.rto_s:.1f}"
        table.add_row(name, rto, *(str(n) for n in (s.acked, s.lost, s.unexpected, s.unknown)))
    console.print(table)
    console.print(
        f"intranet: {summary.intranet_failed_requests} failed of {summary.intranet_requests} requests"
    )
    for reason in summary.reasons:
        console.print(f"[red]·[/] {reason}")
    console.print(f"report: {run.folder / 'report.html'}")
    if args.negative_control:
        lost = summary.lost
        console.print(f"negative control: the audit {'saw' if lost else 'did NOT see'} {lost} lost writes")
        return 0 if lost else 1
    console.print("[green]game day passed[/]" if summary.passed else "[red]game day failed[/]")
    return 0 if summary.passed else 1


def cmd_soak(paths: StatePaths, args: argparse.Namespace) -> int:
    """Run many game days in a row, then destroy the stack; fail on any lost write or leftover."""
    check_stack_config(args.stack)
    run_steps(toolchain_steps(paths), console)
    options = GamedayOptions(args.stack, workload_rate=WORKLOAD_RATE * args.load)
    experiment = load_experiment(args.experiment)
    path, report = soak(paths, experiment, options, int(args.runs), console, hog_cores=args.cpu_hog)
    table = Table("service", "RTO min (s)", "median", "max")
    for service, values in report.rto_s.items():
        table.add_row(service, *(f"{values[k]:.1f}" for k in ("min", "median", "max")))
    console.print(table)
    left = ", ".join(report.left_after_down or ()) or "nothing"
    console.print(
        f"{report.passed} of {len(report.runs)} game days passed ({report.false_failures} false failures);"
        f" {report.lost} of {report.acked} acknowledged writes lost;"
        f" tc left: {', '.join(report.shaped_left) or 'none'}; left after down: {left}"
    )
    console.print(f"soak report: {path}")
    return 0 if report.clean else 1


def cmd_report(paths: StatePaths, args: argparse.Namespace) -> int:
    """Render a game day's report again (report.md, report.html, timeline.png) from its run folder."""
    run_dir = Path(args.run) if args.run else PROJECT_ROOT / "reports" / "latest"
    if not (run_dir / "summary.json").exists():
        raise DrillError(
            f"{run_dir} holds no summary.json", "give the folder of a game day, e.g. reports/gd-<time>"
        )
    for path in render_report(run_dir.resolve()):
        console.print(f"wrote {path}")
    return 0


def cmd_bench(paths: StatePaths, args: argparse.Namespace) -> int:
    """Benchmark stand-up against docker compose, game days, restore and footprint; bench/README.md."""
    run_steps(toolchain_steps(paths), console)
    options = BenchOptions(
        stack=args.stack,
        reps=int(args.reps),
        gamedays=int(args.gamedays),
        sizes_mb=tuple(args.sizes_mb),
        parts=tuple(args.parts),
        gamedays_from=Path(args.gamedays_from) if args.gamedays_from else None,
    )
    path = run_bench(paths, options, console)
    console.print(f"bench results: {path}; table: bench/README.md")
    return 0


def cmd_matrix(paths: StatePaths, args: argparse.Namespace) -> int:
    """The survive/restore matrix: every experiment in every room where it applies, as game days."""
    check_stack_config(args.stack)
    run_steps(toolchain_steps(paths), console)
    only = [label for label in args.cells.split(",") if label] if args.cells else []
    folder, matrix = run_matrix(paths, args.stack, console, only)
    table = Table("fault @ room", *SERVICES, "verdict")
    for cell in matrix.cells:
        texts = {s.service: f"{s.text} ({s.lost}/{s.acked})" for s in cell.services}
        verdict = "[green]passed[/]" if cell.passed else "[red]FAILED[/] " + "; ".join(cell.reasons)
        table.add_row(f"{cell.experiment} @ {cell.room}", *(texts.get(s, "—") for s in SERVICES), verdict)
    console.print(table)
    console.print(f"matrix: {folder / 'matrix.html'} (lost/acked in brackets)")
    return 0 if matrix.passed else 1


COMMANDS: dict[str, Callable[[StatePaths, argparse.Namespace], int]] = {
    "bench": cmd_bench,
    "matrix": cmd_matrix,
    "bootstrap": cmd_bootstrap,
    "doctor": cmd_doctor,
    "up": cmd_up,
    "status": cmd_status,
    "down": cmd_down,
    "gameday": cmd_gameday,
    "recover": cmd_recover,
    "report": cmd_report,
    "soak": cmd_soak,
    "workload": cmd_workload,
}


def positive(text: str) -> float:
    """An argument that must be a number above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not above zero")
    return value


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


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="drill", description=__doc__)
    parser.add_argument("--stack", default=DEFAULT_STACK, help="stack to act on (default: %(default)s)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens underneath")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, command in COMMANDS.items():
        command_parser = sub.add_parser(name, help=(command.__doc__ or name).splitlines()[0])
        if name == "recover":
            command_parser.add_argument(
                "--plan", default=str(DEFAULT_PLAN), help="plan file (default: %(default)s)"
            )
            command_parser.add_argument(
                "--negative-control",
                action="store_true",
                help="restore without the vault's partial WAL segment: the audit must then see loss",
            )
        if name == "gameday":
            command_parser.add_argument(
                "experiment",
                nargs="?",
                default="storage-failure",
                choices=experiment_names(),
                help="experiment",
            )
            command_parser.add_argument(
                "--negative-control",
                action="store_true",
                help="restore without the vault's partial WAL segment: the audit must then see loss",
            )
            command_parser.add_argument(
                "--room", default="nord-2", help="the room room-loss powers off (default: %(default)s)"
            )
        if name == "matrix":
            command_parser.add_argument(
                "--cells", default="", help="only these cells, e.g. room-loss@nord-1,san-failure@nord-1"
            )
        if name == "soak":
            command_parser.add_argument("--runs", type=positive, default=20, help="game days in a row")
            command_parser.add_argument("--experiment", default="storage-failure", choices=experiment_names())
            command_parser.add_argument(
                "--cpu-hog", type=int, default=0, help="cores kept busy by stress-ng during each game day"
            )
            command_parser.add_argument(
                "--load", type=positive, default=1.0, help="the workload's rate, times its default"
            )
        if name == "bench":
            command_parser.add_argument(
                "--parts", type=parts, default=list(PARTS), help="which parts, e.g. restore"
            )
            command_parser.add_argument("--reps", type=positive, default=5, help="stand-up repetitions")
            command_parser.add_argument("--gamedays", type=positive, default=10, help="game days in a row")
            command_parser.add_argument(
                "--gamedays-from",
                default="",
                help="read the game days from this soak report instead of running them",
            )
            command_parser.add_argument(
                "--sizes-mb", type=sizes, default=[10, 100, 1000], help="restore data sizes (MB)"
            )
        if name == "report":
            command_parser.add_argument(
                "run", nargs="?", default="", help="run folder (default: reports/latest)"
            )
        if name == "workload":
            command_parser.add_argument("--rate", type=positive, default=5.0, help="operations per second")
            command_parser.add_argument("--seconds", type=positive, default=30.0, help="how long to run")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run one drill command; return its exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    started = time.monotonic()
    try:
        code = COMMANDS[args.command](state_paths(), args)
    except DrillError as exc:
        console.print(f"[red]error:[/] {exc}", soft_wrap=True)
        code = 1
    except KeyboardInterrupt:
        console.print("[red]interrupted[/]")
        code = 130
    console.print(
        f"drill {args.command}: {'done' if code == 0 else 'failed'} in {time.monotonic() - started:.1f} s"
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
