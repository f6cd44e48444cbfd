"""Cost of ``symact show NAME --json`` over the whole catalogue.

For every entry (caches cleared first) this measures, in one process:

* derive: f' and f'' with their branch simplification (``derivative``);
* output form: the search for f' as g(f) (``derivative_of_output``);
* rest: the remainder of ``show --json`` (breakpoint limits, printing);

and, as the baseline measured in the same run, the size of f'' straight out
of differentiation (no simplification) against the simplified f''
(``count_ops`` summed over branches). It prints one row per entry, then the
median, 90th percentile, maximum and total of each column.

Run from the repository root:  python3 benchmarks/catalogue_bench.py [NAME ...]
"""
from __future__ import annotations

import contextlib
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sympy  # noqa: E402

from symact import cli  # noqa: E402
from symact import derivatives  # noqa: E402
from symact.catalogue import CATALOGUE, names  # noqa: E402


def _ops(pieces) -> int:
    return sum(sympy.count_ops(branch) for branch in pieces.branches)


def _clear_caches() -> None:
    derivatives._derivative_of.cache_clear()
    derivatives._output_form.cache_clear()


def measure(name: str) -> dict:
    """Seconds spent in each stage of ``show NAME --json`` and the size of f''."""
    _clear_caches()
    bound = CATALOGUE[name].bind()
    raw = bound.pieces.derivative().derivative()
    start = time.perf_counter()
    simplified = derivatives.derivative(bound, 2)
    derivatives.derivative(bound, 1)
    derived = time.perf_counter()
    derivatives.derivative_of_output(bound)
    searched = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        status = cli.main(["show", name, "--json"])
    shown = time.perf_counter()
    if status != 0:
        raise SystemExit(f"symact show {name} --json failed with status {status}")
    return {
        "derive": derived - start,
        "output_form": searched - derived,
        "rest": shown - searched,
        "total": shown - start,
        "raw_ops": _ops(raw),
        "ops": _ops(simplified),
    }


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str]) -> int:
    selected = argv or names()
    rows = {}
    print(f"{'entry':22s} {'derive s':>9s} {'g(y) s':>8s} {'rest s':>7s} {'total s':>8s} "
          f"{'raw f2 ops':>10s} {'f2 ops':>7s} {'ratio':>6s}")
    for name in selected:
        row = measure(name)
        rows[name] = row
        ratio = row["ops"] / row["raw_ops"] if row["raw_ops"] else 1.0
        print(f"{name:22s} {row['derive']:9.2f} {row['output_form']:8.2f} {row['rest']:7.2f} "
              f"{row['total']:8.2f} {row['raw_ops']:10d} {row['ops']:7d} {ratio:6.2f}", flush=True)
    print()
    print(f"{len(rows)} entries, python {sys.version.split()[0]}, sympy {sympy.__version__}")
    print(f"{'stage':12s} {'median s':>9s} {'p90 s':>7s} {'max s':>7s} {'total s':>8s}")
    for key in ("derive", "output_form", "rest", "total"):
        values = [row[key] for row in rows.values()]
        print(f"{key:12s} {statistics.median(values):9.2f} {_quantile(values, 0.9):7.2f} "
              f"{max(values):7.2f} {sum(values):8.2f}")
    raw = sum(row["raw_ops"] for row in rows.values())
    simplified = sum(row["ops"] for row in rows.values())
    print(f"f'' size (count_ops, all entries): raw {raw}, simplified {simplified}, "
          f"ratio {simplified / raw if raw else 1:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
