"""`drill workload | recover | gameday | soak | matrix | report`: what runs against the stack."""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

from rich.table import Table

from drill import stack as stacks
from drill.cli.common import NEGATIVE_CONTROL, Command, console, positive
from drill.errors import DeployError, DrillError
from drill.gameday.experiments import experiment_names, load_experiment
from drill.gameday.run import WORKLOAD_RATE, GamedayOptions, run_gameday
from drill.gameday.soak import soak
from drill.matrix.cells import SERVICES
from drill.matrix.run import run_matrix
from drill.paths import PROJECT_ROOT, StatePaths
from drill.recovery.plan import DEFAULT_PLAN
from drill.recovery.recover import read_plan, recover
from drill.report import render_report
from drill.toolchain.bootstrap import toolchain_steps
from drill.toolchain.steps import run_steps
from drill.workload.operations import Endpoints
from drill.workload.runner import run_workload
from drill.workspace import check_stack_config


def cmd_workload(paths: StatePaths, args: argparse.Namespace) -> int:
    """Run the clinician workload against the deployed stack; its ledger goes to reports/<run-id>/."""
    topology = stacks.current_topology(paths, args.stack)
    if topology is None:
        raise DeployError(f"stack {args.stack} is not deployed", f"run `drill --stack {args.stack} up` first")
    run_id = time.strftime("wl-%Y%m%dT%H%M%SZ", time.gmtime())
    ledger = PROJECT_ROOT / "reports" / run_id / "ledger.jsonl"
    passwords = stacks.mailbox_passwords(paths, args.stack, topology.mail.addresses())
    endpoints = Endpoints.of(topology, run_id, passwords)
    with console.status(f"workload at {args.rate:g} op/s for {args.seconds:g} s…"):
        counts = run_workload(endpoints, ledger, args.rate, args.seconds, threading.Event())
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
    result = recover(paths, args.stack, plan, args.negative_control)
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
    run_steps(toolchain_steps(paths))
    options = GamedayOptions(
        stack=args.stack,
        negative_control=args.negative_control,
        lost_room=args.room,
    )
    run = run_gameday(paths, experiment, options)
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
    run_steps(toolchain_steps(paths))
    options = GamedayOptions(args.stack, workload_rate=WORKLOAD_RATE * args.load)
    experiment = load_experiment(args.experiment)
    path, report = soak(paths, experiment, options, int(args.runs), hog_cores=args.cpu_hog)
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


def cmd_matrix(paths: StatePaths, args: argparse.Namespace) -> int:
    """The survive/restore matrix: every experiment in every room where it applies, as game days."""
    check_stack_config(args.stack)
    run_steps(toolchain_steps(paths))
    only = [label for label in args.cells.split(",") if label] if args.cells else []
    folder, matrix = run_matrix(paths, args.stack, only)
    table = Table("fault @ room", *SERVICES, "verdict")
    for cell in matrix.cells:
        texts = {s.service: f"{s.text} ({s.lost}/{s.acked})" for s in cell.services}
        verdict = "[green]passed[/]" if cell.passed else "[red]FAILED[/] " + "; ".join(cell.reasons)
        table.add_row(f"{cell.experiment} @ {cell.room}", *(texts.get(s, "—") for s in SERVICES), verdict)
    console.print(table)
    console.print(f"matrix: {folder / 'matrix.html'} (lost/acked in brackets)")
    return 0 if matrix.passed else 1


def recover_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", default=str(DEFAULT_PLAN), help="plan file (default: %(default)s)")
    parser.add_argument("--negative-control", action="store_true", help=NEGATIVE_CONTROL)


def gameday_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "experiment", nargs="?", default="storage-failure", choices=experiment_names(), help="experiment"
    )
    parser.add_argument("--negative-control", action="store_true", help=NEGATIVE_CONTROL)
    parser.add_argument(
        "--room", default="nord-2", help="the room room-loss powers off (default: %(default)s)"
    )


def matrix_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cells", default="", help="only these cells, e.g. room-loss@nord-1,san-failure@nord-1"
    )


def soak_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=positive, default=20, help="game days in a row")
    parser.add_argument("--experiment", default="storage-failure", choices=experiment_names())
    parser.add_argument(
        "--cpu-hog", type=int, default=0, help="cores kept busy by stress-ng during each game day"
    )
    parser.add_argument("--load", type=positive, default=1.0, help="the workload's rate, times its default")


def report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", nargs="?", default="", help="run folder (default: reports/latest)")


def workload_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rate", type=positive, default=5.0, help="operations per second")
    parser.add_argument("--seconds", type=positive, default=30.0, help="how long to run")


COMMANDS = (
    Command("workload", cmd_workload, workload_arguments),
    Command("recover", cmd_recover, recover_arguments),
    Command("gameday", cmd_gameday, gameday_arguments),
    Command("soak", cmd_soak, soak_arguments),
    Command("matrix", cmd_matrix, matrix_arguments),
    Command("report", cmd_report, report_arguments),
)
