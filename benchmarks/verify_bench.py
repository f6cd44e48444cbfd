"""Time `symact verify` over the whole catalogue and measure the baselines.

Prints (1) the wall time of verifying every catalogue entry's generated
NumPy and torch code in float32 and float64, with a cold reference cache
(a fresh temporary directory) and then warm (the same directory again),
and (2) how many (function, dtype) cells of torch's native functions, of
textbook formulas lambdified, and of symact's generated code are within
4 ULP with no wrong non-finite value, forward and gradient, measured by the
same metrics against the same references.

Run from the repository root:  python3 benchmarks/verify_bench.py [--jobs N]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from symact.catalogue import CATALOGUE, names  # noqa: E402
from symact.verify import verify, verify_many  # noqa: E402
from symact.verify.baselines import textbook, torch_native, torch_native_names  # noqa: E402

LIMIT = 4


def clean(cell) -> bool:
    """Within LIMIT ULP and no NaN/inf where the true value is finite."""
    return (cell.metrics is not None and cell.metrics.max_ulp <= LIMIT
            and cell.metrics.counts["wrong_nonfinite"] == 0)


def tally(reports, kinds=("forward", "gradient")) -> dict[str, tuple[int, int]]:
    counts = {}
    for kind in kinds:
        cells = [c for r in reports for c in r.cells if c.kind == kind]
        counts[kind] = (sum(clean(c) for c in cells), len(cells))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    entries = [CATALOGUE[n] for n in names()]
    with tempfile.TemporaryDirectory() as cache:
        timings = []
        for label in ("cold", "warm"):
            started = time.perf_counter()
            reports = verify_many(entries, cache_dir=cache, jobs=args.jobs)
            timings.append((label, time.perf_counter() - started))
        print(f"symact verify, whole catalogue ({len(entries)} activations x numpy, torch x float32, float64 "
              f"x forward, gradient, fused; {args.jobs} processes, {os.cpu_count()} CPUs)")
        print(f"{'cache':<6} {'seconds':>8}")
        for label, seconds in timings:
            print(f"{label:<6} {seconds:8.1f}")
        print(f"warm/cold ratio {timings[1][1] / timings[0][1]:.2f}; "
              f"{sum(r.passed for r in reports)} of {len(reports)} activations pass")
        print()

        native, book = [], []
        for name in torch_native_names():
            bound = CATALOGUE[name].bind()
            native.append(verify(bound, implementations={"torch-native": torch_native(name)}, cache_dir=cache))
        for name in names():
            bound = CATALOGUE[name].bind()
            book.append(verify(bound, implementations={"textbook": textbook(bound)}, cache_dir=cache))
        generated = [r for r in reports]
        generated_torch = [_only(r, "torch") for r in generated if r.activation in torch_native_names()]
        print(f"cells within {LIMIT} ULP with no wrong non-finite (function x dtype)")
        print(f"{'implementation':<34} {'forward':>10} {'gradient':>10}")
        for label, group in (("torch native", native), ("symact generated torch, same names", generated_torch),
                             ("textbook formulas (numpy)", book),
                             ("symact generated numpy", [_only(r, "numpy") for r in generated])):
            counts = tally(group)
            print(f"{label:<34} {'%d/%d' % counts['forward']:>10} {'%d/%d' % counts['gradient']:>10}")
        print()
        print(f"{'torch native':<14} {'dtype':<8} {'fwd ULP':>10} {'grad ULP':>10}  worst gradient input")
        for report in native:
            for dtype in ("float32", "float64"):
                cells = {c.kind: c for c in report.cells if c.dtype == dtype}
                worst = cells["gradient"].metrics.worst.get("max_ulp")
                print(f"{report.activation:<14} {dtype:<8} {cells['forward'].metrics.max_ulp:>10.3g} "
                      f"{cells['gradient'].metrics.max_ulp:>10.3g}  "
                      + (f"x={worst.x} got {worst.actual} want {worst.expected}" if worst else ""))


def _only(report, target):
    from copy import copy

    narrowed = copy(report)
    narrowed.cells = [c for c in report.cells if c.target == target]
    return narrowed


if __name__ == "__main__":
    main()
