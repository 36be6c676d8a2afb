"""Summaries of measured durations: percentiles and the same figures for every benchmark."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

PERCENTILES = (50, 95, 99)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile by linear interpolation between closest ranks (NumPy's
    default), so p50 of an even count is the mean of the two middle values."""
    if not values:
        raise ValueError("no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} outside 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Sequence[float]) -> dict[str, float]:
    """count, mean, p50, p95, p99 and max (seconds, rounded to the millisecond)."""
    if not values:
        return {"count": 0}
    figures = {"count": len(values), "mean": statistics.fmean(values)}
    figures.update({f"p{p}": percentile(values, p) for p in PERCENTILES})
    figures["max"] = max(values)
    return {k: v if k == "count" else round(v, 4) for k, v in figures.items()}


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when the denominator is not positive."""
    return round(numerator / denominator, 1) if denominator > 0 else None
