"""sin(w x) at large |x|: what the rounding of the product w x costs, and what
an exact product would cost (siren, w = omega0 = 30).

``sin(fl(w x))`` is what generated code computes today. Its argument carries
the rounding error of the product, up to half an ulp of w x, which sin turns
into an absolute error of the same size: about 15 |x| |cot(30 x)| ulp of the
result, and no correct bits once half an ulp of 30 x reaches 1 radian
(30 |x| >= 2^24, |x| >= 5.6e5 in float32; 30 |x| >= 2^53, |x| >= 3.0e14 in
float64). For |x| > max / 30 (1.1e37 in float32, 6.0e306 in float64) the
product overflows and sin(inf) is NaN.

The alternative measured here splits the product exactly, w x = p + e
(Dekker's two-product with Veltkamp splitting; NumPy has no fused
multiply-add), and evaluates sin(p + e) = sin p cos e + cos p sin e. For
float32 input a third form is timed: the product in float64, which is exact
(24 + 24 bits) and cannot overflow, then float64 sin rounded to float32.

For each dtype and decade of |x| it prints the largest and median error in
ulp against mpmath (points where |sin(30 x)| < 1e-3 left out, as both forms
lose relative accuracy at the zeros), the sign errors, and the median time
per 1e6 elements of each form measured side by side in one run.

Run from the repository root:  python3 benchmarks/siren_argument_bench.py
"""
from __future__ import annotations

import time

import mpmath
import numpy as np

W = 30.0
SAMPLES = 400


def two_product(w, x):
    """(p, e) with p + e = w x exactly (both in x's dtype; |x| well below the
    dtype's maximum / 4097, where the split overflows)."""
    dtype = x.dtype
    split = dtype.type(2.0 ** ((np.finfo(dtype).nmant + 2) // 2) + 1)

    def halves(v):
        c = v * split
        high = c - (c - v)
        return high, v - high

    p = w * x
    wh, wl = halves(np.asarray(w, dtype=dtype))
    xh, xl = halves(x)
    return p, ((wh * xh - p) + wh * xl + wl * xh) + wl * xl


def sin_exact_product(w, x):
    p, e = two_product(w, x)
    return np.sin(p) * np.cos(e) + np.cos(p) * np.sin(e)


def reference(x: float) -> float:
    with mpmath.workprec(2200):
        return float(mpmath.sin(mpmath.mpf(W) * mpmath.mpf(x)))


def ulp_error(got, want, dtype):
    rounded = want.astype(dtype)
    spacing = np.spacing(np.abs(rounded)).astype(np.float64)
    return np.where(got.astype(np.float64) == rounded.astype(np.float64), 0.0,
                    np.abs(got.astype(np.float64) - want) / spacing)


def median_ms(function, repeats=7):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main():
    rng = np.random.default_rng(1)
    for dtype, top in ((np.float32, 36), (np.float64, 300)):
        name = np.dtype(dtype).name
        print(f"\n{name}: error in ulp of sin(30 x) (|sin| >= 1e-3), max / median, and sign errors")
        print(f"{'|x| range':>16}  {'sin(fl(30x))':>22}  {'signs':>5}  {'exact product':>16}  {'signs':>5}")
        for lo, hi in ((-2, 0), (0, 2), (2, 4), (4, 6), (6, 8), (8, 12), (12, 16), (16, top)):
            x = (10 ** rng.uniform(lo, hi, SAMPLES) * rng.choice([-1, 1], SAMPLES)).astype(dtype)
            want = np.array([reference(float(v)) for v in x])
            with np.errstate(all="ignore"):
                naive = np.sin(dtype(W) * x)
                exact = sin_exact_product(dtype(W), x)
            keep = np.abs(want) >= 1e-3
            cells = []
            for got in (naive, exact):
                error = ulp_error(got, want, dtype)[keep]
                signs = int(np.sum(np.sign(got[keep]) != np.sign(want[keep])))
                cells.append((f"{np.nanmax(error):.3g} / {np.nanmedian(error):.3g}", signs))
            print(f"{f'1e{lo}..1e{hi}':>16}  {cells[0][0]:>22}  {cells[0][1]:>5}  {cells[1][0]:>16}  {cells[1][1]:>5}")
        x = rng.uniform(-20, 20, 10 ** 6).astype(dtype)
        naive_ms = median_ms(lambda: np.sin(dtype(W) * x))
        exact_ms = median_ms(lambda: sin_exact_product(dtype(W), x))
        print(f"time per 1e6 ({name}): sin(fl(30x)) {naive_ms:.1f} ms, exact product {exact_ms:.1f} ms "
              f"({exact_ms / naive_ms:.1f}x)")
        if dtype is np.float32:
            x64 = (10 ** rng.uniform(-2, 38, SAMPLES) * rng.choice([-1, 1], SAMPLES)).astype(dtype)
            want = np.array([reference(float(v)) for v in x64])
            got = np.sin(W * x64.astype(np.float64)).astype(dtype)
            keep = np.abs(want) >= 1e-3
            wide_ms = median_ms(lambda: np.sin(W * x.astype(np.float64)).astype(dtype))
            print(f"float32 via float64 product and sin, |x| in 1e-2..1e38: max "
                  f"{np.max(ulp_error(got, want, dtype)[keep]):.3g} ulp, "
                  f"{int(np.sum(np.sign(got[keep]) != np.sign(want[keep])))} sign errors; "
                  f"{wide_ms:.1f} ms per 1e6 ({wide_ms / naive_ms:.1f}x)")


if __name__ == "__main__":
    main()
