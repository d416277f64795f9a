"""`drill bootstrap | doctor | up | status | flows | down`: the toolchain and the stack itself."""

from __future__ import annotations

import argparse

from rich.table import Table

from drill import stack as stacks
from drill.checks import check_stack
from drill.cli.common import Command, console
from drill.doctor import examine
from drill.errors import DeployError
from drill.flows import check_flows
from drill.leftovers import find_leftovers
from drill.paths import StatePaths
from drill.progress import working
from drill.toolchain.bootstrap import toolchain_steps
from drill.toolchain.steps import run_steps


def cmd_bootstrap(paths: StatePaths, args: argparse.Namespace) -> int:
    """Make every missing part of the toolchain."""
    run_steps(toolchain_steps(paths))
    return 0


def cmd_doctor(paths: StatePaths, args: argparse.Namespace) -> int:
    """List every part of the toolchain and the hosts of the stack's rooms; exit 1 when one is
    missing or broken."""
    table = Table("part", "state", "version / detail", "fix")
    findings = examine(paths, args.stack)
    for f in findings:
        table.add_row(f.part, "[green]ok[/]" if f.ok else "[red]missing[/]", f.detail, "" if f.ok else f.fix)
    console.print(table)
    return 0 if all(f.ok for f in findings) else 1


def cmd_up(paths: StatePaths, args: argparse.Namespace) -> int:
    """Deploy the stack (bootstrapping what is missing first)."""
    run_steps(toolchain_steps(paths))
    result = stacks.up(paths, args.stack)
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


def cmd_flows(paths: StatePaths, args: argparse.Namespace) -> int:
    """Probe every port from every container and compare with the declared flows; exit 1 on a breach."""
    topology = stacks.current_topology(paths, args.stack)
    if topology is None:
        raise DeployError(f"stack {args.stack} is not deployed", f"run `drill --stack {args.stack} up` first")
    with working(f"probing every listening port of stack {args.stack} from every container…"):
        found = check_flows(topology)
    table = Table("from", "to", "port", "verdict")
    for reach in found.undeclared:
        table.add_row(reach.source, reach.destination, str(reach.port), "[red]works, not declared[/]")
    for reach in found.failing:
        table.add_row(reach.source, reach.destination, str(reach.port), "[red]declared, fails[/]")
    for reach in found.allowed:
        table.add_row(reach.source, reach.destination, str(reach.port), "[green]declared, works[/]")
    console.print(table)
    for flow in found.unused:
        where = f"{flow.source()} -> {flow.destination()}:{flow.port}"
        console.print(f"declared, no container at one end: {where}")
    console.print(
        f"{found.probes} connections tried from {len(found.listeners)} containers in {found.seconds:.1f} s: "
        f"{len(found.allowed)} declared and working, {len(found.undeclared)} undeclared, "
        f"{len(found.failing)} declared and failing"
    )
    return 0 if found.holds else 1


def cmd_down(paths: StatePaths, args: argparse.Namespace) -> int:
    """Destroy the stack and check that nothing of it is left behind."""
    result = stacks.down(paths, args.stack)
    console.print(f"stack {args.stack} destroyed in {result.seconds:.1f} s")
    if result.topology is None:
        return 0
    left = find_leftovers(args.stack, {room.docker_host for room in result.topology.rooms})
    if left:
        console.print(f"[red]left behind:[/] {', '.join(left)}")
        return 1
    console.print("nothing left behind")
    return 0


COMMANDS = (
    Command("bootstrap", cmd_bootstrap),
    Command("doctor", cmd_doctor),
    Command("up", cmd_up),
    Command("status", cmd_status),
    Command("flows", cmd_flows),
    Command("down", cmd_down),
)
