"""The one timing rule the benchmark scripts share."""
from __future__ import annotations

import gc
import statistics
import time


def median_time(fn, repeat: int) -> float:
    """Median wall time in seconds of ``repeat`` calls of ``fn()`` after one
    warm-up call, with the garbage collector paused during each call."""
    fn()
    times = []
    for _ in range(repeat):
        gc.disable()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        gc.enable()
    return statistics.median(times)
