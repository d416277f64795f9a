"""`drill hosts up | status | down`: three Docker hosts on this machine, joined as a Swarm (drill/hosts)."""

from __future__ import annotations

import argparse

from rich.table import Table

from drill import stack as stacks
from drill.cli.common import Command, console
from drill.hosts import harness
from drill.paths import StatePaths
from drill.progress import working
from drill.workspace import check_stack_config
from infra.image_loading import load_images
from infra.images import build_service_images


def show(statuses: list[harness.HostStatus]) -> int:
    """Print the hosts as a table; 0 when the rooms' hosts answer as managers of one swarm, and the
    platform's as its worker."""
    table = Table("host", "address", "engine", "swarm", "managers reachable", "docker_host")
    for s in statuses:
        table.add_row(
            s.host.name,
            s.host.address,
            s.engine or "[red]none[/]",
            s.swarm,
            str(s.managers),
            s.host.docker_host,
        )
    console.print(table)
    return 0 if harness.whole(statuses) else 1


def cmd_hosts(paths: StatePaths, args: argparse.Namespace) -> int:
    """Make, show or remove the rooms' three Docker hosts and the platform's (network namespaces, one
    engine each, a Swarm of three managers and a worker)."""
    if args.action == "up":
        with working("hosts: namespaces, engines and the swarm…"):
            statuses = harness.up()
        if args.images:
            spec = check_stack_config(args.images)
            images = build_service_images()
            with working(f"images: loading stack {args.images}'s into the hosts…") as update:
                for loaded in load_images(stacks.images_wanted(spec, images), update):
                    size = f"{loaded.bytes_sent / 1e6:.0f} MB"
                    console.print(
                        f"{loaded.docker_host}: {len(loaded.images)} images, {size} in {loaded.seconds} s"
                    )
        return show(statuses)
    if args.action == "status":
        return show(harness.status())
    with working("hosts: stopping the engines, removing namespaces, links and folders…"):
        left = harness.down()
    for what in left:
        console.print(f"[red]left on the machine:[/] {what}")
    return 0 if not left else 1


def hosts_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("up", "status", "down"), help="make, show or remove the hosts")
    parser.add_argument(
        "--images",
        metavar="STACK",
        default="",
        help="with up: load the images STACK runs into its hosts too (what its first `drill up` would)",
    )


COMMANDS = (Command("hosts", cmd_hosts, hosts_arguments),)
