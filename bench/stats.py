"""Percentiles and the summary of one series of latencies."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(ordered: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of values sorted ascending."""
    if not ordered:
        return None
    return round(ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1], 2)


def summary(latencies_ms: Sequence[float]) -> dict[str, float | int | None]:
    ordered = sorted(latencies_ms)
    return {
        "n": len(ordered),
        "p50_ms": percentile(ordered, 50),
        "p95_ms": percentile(ordered, 95),
        "p99_ms": percentile(ordered, 99),
        "max_ms": round(ordered[-1], 2) if ordered else None,
    }
