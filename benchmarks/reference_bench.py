"""Time the reference preparation of the whole catalogue, cold.

For every catalogue entry at its defaults, ``symact.verify.core.prepare``
(zeros of f and f', the derivative check, the correctly rounded references of
f and f' at every sample of float32 and float64, the excused masks) runs with
no cache. Prints the total seconds, the seconds spent on the zeros, and how
the reference points were settled (``reference.Status``), with the points
whose first evaluation came out 0 and needed the zero path. The zero path is
the costly part of a reference (it rises to thousands of bits), so the
counts say what a change to it costs.

Run from the repository root:  python3 benchmarks/reference_bench.py [NAMES...]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from symact.catalogue import CATALOGUE, names  # noqa: E402
from symact.verify import inputs  # noqa: E402
from symact.verify.core import prepare  # noqa: E402
from symact.verify.reference import Status  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="catalogue names (default: all)")
    args = parser.parse_args()
    chosen = args.names or names()
    original = inputs.find_zeros
    zero_seconds = [0.0]

    def timed_find_zeros(*a, **k):
        started = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            zero_seconds[0] += time.perf_counter() - started

    inputs.find_zeros = timed_find_zeros
    statuses: Counter = Counter()
    slowest = []
    started = time.perf_counter()
    for name in chosen:
        begun = time.perf_counter()
        prepared = prepare(CATALOGUE[name].bind())
        for refs in prepared.formats.values():
            for table in refs.tables.values():
                statuses.update(Status(int(s)).name for s in table.status.tolist())
                statuses["points at 3072 bits or more"] += int((table.precision >= 3072).sum())
        slowest.append((time.perf_counter() - begun, name))
    total = time.perf_counter() - started
    print(f"reference preparation, {len(chosen)} catalogue entries, float32 + float64, f and f', no cache")
    print(f"{'total seconds':<28} {total:8.1f}")
    print(f"{'of which zeros of f, f`':<28} {zero_seconds[0]:8.1f}")
    for key in sorted(statuses):
        print(f"{key:<28} {statuses[key]:8d}")
    print("slowest entries: " + ", ".join(f"{name} {seconds:.1f} s" for seconds, name in sorted(slowest)[::-1][:5]))


if __name__ == "__main__":
    main()
