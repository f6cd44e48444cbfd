"""Time ``symact.properties.check`` on every catalogue entry.

Prints a table: seconds per entry (median of --repeat runs, each in a fresh
analysis but the same process, as ``symact check`` would run it cold only
on its first call), the number of proved / disproved / unknown verdicts,
the unknown core properties, and the total; then every unknown verdict of
every entry with its reason (the table of docs/properties.md). Run from the
repository root:

    python3 benchmarks/properties_bench.py [--repeat N] [--timeout S] [NAME ...]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from symact.catalogue import lookup, names  # noqa: E402
from symact.properties import check  # noqa: E402

CORE = ("continuity_class", "monotonicity", "range", "limit_at_minus_infinity", "limit_at_plus_infinity")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="catalogue entries (default: all)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    targets = args.names or names()
    unknown_names = [name for name in targets if lookup(name) is None]
    if unknown_names:
        parser.error(f"not in the catalogue: {', '.join(unknown_names)}")
    print(f"{'activation':14s} {'first s':>8s} {'median s':>9s} {'proved':>7s} {'disproved':>9s} {'unknown':>8s}  unknown core")
    total_first = 0.0
    unknowns = {}
    started = time.perf_counter()
    for name in targets:
        bound = lookup(name).bind()
        times = []
        result = None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = check(bound, timeout=args.timeout)
            times.append(time.perf_counter() - t0)
        total_first += times[0]
        counts = {"proved": 0, "disproved": 0, "unknown": 0}
        for verdict in result.properties.values():
            counts[verdict.verdict] += 1
        core = [p for p in CORE if result.properties[p].verdict == "unknown"]
        if counts["unknown"]:
            unknowns[name] = result
        print(f"{name:14s} {times[0]:8.2f} {statistics.median(times):9.2f} {counts['proved']:7d} "
              f"{counts['disproved']:9d} {counts['unknown']:8d}  {', '.join(core) or '-'}")
    print(f"{'total':14s} {total_first:8.2f}   (wall {time.perf_counter() - started:.1f} s, {len(targets)} entries)")
    print()
    print("| entry | unknown | of which core | reasons |")
    print("|---|---|---|---|")
    for name, result in sorted(unknowns.items()):
        reasons = {}
        for prop, verdict in sorted(result.properties.items()):
            if verdict.verdict == "unknown":
                reasons.setdefault(verdict.reason, []).append(prop)
        core = [p for p in CORE if result.properties[p].verdict == "unknown"]
        text = "; ".join(f"{', '.join(props)}: {reason}" for reason, props in reasons.items())
        print(f"| {name} | {sum(len(v) for v in reasons.values())} | {', '.join(core) or '-'} | {text} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
