"""What the benchmarks share: timing with a median over repeats."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

__all__ = ["timed"]


def timed(function: Callable[..., Any], *args: Any, repeat: int) -> tuple[float, Any]:
    """Median wall time of ``repeat`` calls of ``function(*args)`` (s), and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result
