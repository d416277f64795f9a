"""`drill`: the command line of the hospital DRP testbed.

Every command prints what it is doing and how long it took; every error is
one line naming the cause and the fix, with a non-zero exit. Each command
lives with its kin: stack_commands.py, run_commands.py, bench_command.py.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from drill.cli import bench_command, hosts_command, run_commands, stack_commands
from drill.cli.common import DEFAULT_STACK, Command, Run, console
from drill.errors import DrillError
from drill.paths import state_paths
from drill.progress import render_on

EVERY: tuple[Command, ...] = (
    *stack_commands.COMMANDS,
    *run_commands.COMMANDS,
    *bench_command.COMMANDS,
    *hosts_command.COMMANDS,
)
COMMANDS: dict[str, Run] = {command.name: command.run for command in EVERY}


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="drill", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", default=DEFAULT_STACK, help="stack to act on (default: %(default)s)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens underneath")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in EVERY:
        command_parser = sub.add_parser(
            command.name, help=(command.run.__doc__ or command.name).splitlines()[0]
        )
        if command.arguments is not None:
            command.arguments(command_parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run one drill command; return its exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    render_on(console, args.verbose)
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
