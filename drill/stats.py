"""Distributions of measured values: what every benchmark table and the soak's report show."""

from __future__ import annotations

import statistics


def distribution(values: list[float]) -> dict[str, float]:
    """n, min, quartiles, median, max and spread (max - min) of values; empty when there are none."""
    if not values:
        return {}
    ordered = sorted(values)
    quartiles = (
        statistics.quantiles(ordered, n=4, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 3
    )
    return {
        "n": len(ordered),
        "min": round(ordered[0], 3),
        "q1": round(quartiles[0], 3),
        "median": round(statistics.median(ordered), 3),
        "q3": round(quartiles[2], 3),
        "max": round(ordered[-1], 3),
        "spread": round(ordered[-1] - ordered[0], 3),
    }
