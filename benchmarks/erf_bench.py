"""Speed of the generated NumPy code's erf and erfc (fdlibm's s_erf.c,
vectorised; symact/templates/numpy_helpers.py.j2) against the per-element
C library path it replaced and scipy.special, measured side by side.

    python3 benchmarks/erf_bench.py            # n = 1e6, float64 and float32 inputs
    python3 benchmarks/erf_bench.py --n 100000 --repeat 21

Inputs: GELU's erf argument in benchmarks/codegen_bench.py, x / sqrt(2) with
x ~ N(0, 9) (31% of |x| below 0.84375, 14% up to 1.25, 56% in the
exp tails), and values spread uniformly on [-8, 8] (84% in the tails, a
quarter of them beyond 6, where erf is +-1). The helpers compute in float64 whatever the input; scipy's float32
loop computes in float32. Medians of repeated runs in ms; "/ old" is the
time over the per-element math.erf/math.erfc path (numpy.fromiter over a
map), "/ scipy" over scipy.special.erf/erfc, "x copy" over one plain copy of
the same float64 array (the memory-bandwidth roofline).
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_time  # noqa: E402
from symact.catalogue import CATALOGUE  # noqa: E402
from symact.codegen import load  # noqa: E402

try:
    import scipy.special as scipy_special
except ImportError:  # pragma: no cover
    scipy_special = None


def _libm(function, z):
    # The helpers as they were before fdlibm's method: one Python call per element.
    z = np.asarray(z, dtype=np.float64)
    return np.fromiter(map(function, z.ravel().tolist()), np.float64, z.size).reshape(z.shape)


def inputs(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {"gelu": rng.standard_normal(n) * 3 / math.sqrt(2), "uniform": rng.uniform(-8.0, 8.0, n)}


def rows(n: int, repeat: int):
    helpers = load(CATALOGUE["gelu"], "numpy")
    for spread, values in inputs(n).items():
        for dtype in ("float64", "float32"):
            x = values.astype(dtype)
            copy_out = np.empty(n)
            wide = x.astype(np.float64)
            copy = median_time(lambda: np.copyto(copy_out, wide), repeat)
            for name in ("erf", "erfc"):
                new = median_time(lambda: getattr(helpers, f"_{name}")(x), repeat)
                old = median_time(lambda: _libm(getattr(math, name), x), max(3, repeat // 4))
                scipy = (median_time(lambda: getattr(scipy_special, name)(x), repeat)
                         if scipy_special is not None else None)
                yield spread, dtype, name, new, old, scipy, copy


def _ms(t):
    return f"{t * 1e3:8.2f}" if t is not None else "       -"


def _ratio(a, b):
    return f"{a / b:7.2f}" if b else "      -"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10 ** 6)
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args(argv)
    print(f"## erf/erfc, n = {args.n:.0e} (ms; ratios new / baseline)")
    print(f"{'input':8} {'dtype':8} {'fn':5} {'new':>8} {'old':>8} {'/ old':>7} {'scipy':>8} {'/ scipy':>7} "
          f"{'x copy':>7}")
    for spread, dtype, name, new, old, scipy, copy in rows(args.n, args.repeat):
        print(f"{spread:8} {dtype:8} {name:5} {_ms(new)} {_ms(old)} {_ratio(new, old)} {_ms(scipy)} "
              f"{_ratio(new, scipy)} {_ratio(new, copy)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
