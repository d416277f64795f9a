"""A bounded CPU hog beside a soak, so that verdicts are proven on a busy machine.

Debian's stress-ng keeps one core (or more) busy for at most a bounded time;
the soak starts one before each game day and stops it after. stress-ng is
installed from the machine's Debian mirror when missing (root needed).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from drill.errors import ToolchainError

STRESS_NG = "stress-ng"
# No hog outlives a game day by much: each is started with this bound and stopped after.
MAX_SECONDS = 3600


def ensure_stress_ng() -> str:
    """The path of stress-ng, installed from Debian when missing; raise ToolchainError if it cannot be."""
    found = shutil.which(STRESS_NG)
    if found:
        return found
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", STRESS_NG]
    done = subprocess.run(install, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:  # a machine whose package lists were never fetched
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, timeout=600, check=False)
        done = subprocess.run(install, capture_output=True, text=True, timeout=600, check=False)
    found = shutil.which(STRESS_NG)
    if done.returncode != 0 or not found:
        raise ToolchainError(
            f"stress-ng is missing and could not be installed ({done.stderr.strip()[-200:]})",
            "run `apt-get update && apt-get install stress-ng` as root",
        )
    return found


@contextmanager
def cpu_hog(cores: int) -> Iterator[None]:
    """Keep `cores` cores busy while the block runs (nothing when cores is 0)."""
    if cores <= 0:
        yield
        return
    argv = [ensure_stress_ng(), "--cpu", str(cores), "--timeout", f"{MAX_SECONDS}s", "--quiet"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
