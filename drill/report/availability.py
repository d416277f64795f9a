"""Availability of each service over a run, from the ledger's outcomes, in fixed-width time bins.

A bin is `ok` when every outcome in it was ok, `failed` when every one
failed, `mixed` when they differ or any was unknown, and `idle` when no
operation ended in it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from drill.records.summary import SERVICE_ORDER, ordered_services
from drill.workload.ledger import LedgerEntry

Health = Literal["ok", "failed", "mixed", "idle"]
MAX_BINS = 600


@dataclass(frozen=True)
class Lane:
    """One service's health, bin by bin from the start of the run."""

    service: str
    health: tuple[Health, ...]

    def runs(self, bin_s: float) -> list[tuple[float, float, Health]]:
        """Consecutive bins of equal health merged, as (start s, width s, health)."""
        merged: list[tuple[float, float, Health]] = []
        for index, health in enumerate(self.health):
            if merged and merged[-1][2] == health:
                start, width, _ = merged[-1]
                merged[-1] = (start, width + bin_s, health)
            else:
                merged.append((index * bin_s, bin_s, health))
        return merged


@dataclass(frozen=True)
class Availability:
    """Every service's lane, and the width of a bin in seconds."""

    bin_s: float
    lanes: tuple[Lane, ...]


def bin_seconds(duration_s: float) -> float:
    """2 s bins, widened to whole seconds so that a long run has at most MAX_BINS of them."""
    return float(max(2, math.ceil(duration_s / MAX_BINS)))


def availability(
    entries: Iterable[LedgerEntry], started_at: float, ended_at: float, services: Iterable[str] = ()
) -> Availability:
    """Bin the outcome entries between started_at and ended_at into one lane per service.

    Lanes: appointments, lab, mail and intranet always, then any other service
    named in services or in the ledger. Invoked entries and outcomes outside
    the run are left out.
    """
    duration = max(ended_at - started_at, 0.0)
    bin_s = bin_seconds(duration)
    count = max(1, math.ceil(duration / bin_s))
    seen: dict[str, list[set[str]]] = {}
    for entry in entries:
        if entry.status == "invoked" or not started_at <= entry.at <= ended_at:
            continue
        bins = seen.setdefault(entry.service, [set() for _ in range(count)])
        bins[min(int((entry.at - started_at) // bin_s), count - 1)].add(entry.status)
    names = ordered_services({*SERVICE_ORDER, *services, *seen})
    empty: list[set[str]] = [set() for _ in range(count)]
    lanes = tuple(Lane(name, tuple(_health(b) for b in seen.get(name, empty))) for name in names)
    return Availability(bin_s, lanes)


def _health(statuses: set[str]) -> Health:
    if not statuses:
        return "idle"
    if statuses == {"ok"}:
        return "ok"
    if statuses == {"failed"}:
        return "failed"
    return "mixed"
