"""Running external commands with errors that say what failed."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from drill.errors import ToolchainError

log = logging.getLogger(__name__)


def run_command(
    argv: Sequence[str],
    *,
    fix: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    input_bytes: bytes | None = None,
) -> str:
    """Run argv and return its standard output.

    Raises ToolchainError naming the command, its last lines of output and
    the given fix when it cannot start, fails or runs past its timeout.
    """
    log.debug("running %s", " ".join(argv))
    try:
        done = subprocess.run(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            input=input_bytes,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ToolchainError(f"`{argv[0]}` is not installed", fix) from exc
    except subprocess.TimeoutExpired as exc:
        raise ToolchainError(f"`{' '.join(argv)}` ran past {timeout:.0f} s", fix) from exc
    if done.returncode != 0:
        tail = _tail(done.stderr or done.stdout)
        raise ToolchainError(f"`{' '.join(argv)}` exited {done.returncode}: {tail}", fix)
    return done.stdout.decode(errors="replace")


def is_installed(program: str) -> bool:
    """Tell whether program is on PATH."""
    return shutil.which(program) is not None


def _tail(output: bytes, lines: int = 3) -> str:
    text = output.decode(errors="replace").strip().splitlines()
    return " | ".join(text[-lines:]) if text else "(no output)"
