"""What every command of the CLI shares: the console, the default stack, the shape of a command."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console

from drill.paths import StatePaths

console = Console(highlight=False)
DEFAULT_STACK = os.environ.get("DRILL_STACK", "gameday")
NEGATIVE_CONTROL = "restore without the vault's partial WAL segment: the audit must then see loss"
Run = Callable[[StatePaths, argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    """One `drill` command: its name, what it runs (its docstring is its help) and its arguments."""

    name: str
    run: Run
    arguments: Callable[[argparse.ArgumentParser], None] | None = None


def positive(text: str) -> float:
    """An argument that must be a number above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not above zero")
    return value
