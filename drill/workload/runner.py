"""Running the workload: one thread per operation, at its share of the rate, for a bounded time."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from pathlib import Path

from drill.workload.ledger import Ledger, read_ledger
from drill.workload.operations import OPERATIONS, Endpoints, Operation


def run_workload(
    endpoints: Endpoints, ledger_path: Path, rate_per_s: float, seconds: float, stop: threading.Event
) -> Counter[str]:
    """Run every operation at its share of rate_per_s until seconds pass or stop is set.

    Returns the count of final outcomes per "service status" read back from the ledger.
    """
    ledger = Ledger(ledger_path)
    total = sum(weight for _, weight in OPERATIONS.values())
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=_loop,
            args=(operation, endpoints, ledger, rate_per_s * weight / total, deadline, stop, name),
            name=f"workload-{name}",
            daemon=True,
        )
        for name, (operation, weight) in OPERATIONS.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ledger.close()
    return Counter(f"{e.service} {e.status}" for e in read_ledger(ledger_path) if e.status != "invoked")


def _loop(
    operation: Operation,
    endpoints: Endpoints,
    ledger: Ledger,
    rate: float,
    deadline: float,
    stop: threading.Event,
    name: str,
) -> None:
    rng = random.Random(f"{endpoints.run_id}-{name}")  # noqa: S311 - simulated clinicians
    interval = 1 / rate if rate > 0 else deadline
    n = 0
    next_at = time.monotonic()
    while not stop.is_set() and time.monotonic() < deadline:
        operation(endpoints, ledger, n, rng)
        n += 1
        next_at += interval
        stop.wait(max(0.0, next_at - time.monotonic()))
