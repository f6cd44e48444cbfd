r"""Error metrics of computed values against correctly rounded references.

ULP distance is the number of steps between two floats on the ordered
lattice of the format. With :math:`b` the bit pattern read as a signed
integer, the lattice index is

.. math:: k(v) = \begin{cases} b & b \ge 0 \\ -(b \mathbin{\&} \text{0x7f..f}) & b < 0 \end{cases}

so :math:`k(-0) = k(+0) = 0`, neighbouring floats differ by 1 across zero
and across the subnormal range, and :math:`k(\pm\infty)` is one step beyond
:math:`\pm` the largest float: returning the largest float where the true
value overflows is 1 ULP off. The distance :math:`|k(a) - k(b)|` is defined
whenever neither value is NaN; NaN mismatches are counted instead.

Counters (a point may count under several):

* ``wrong_nonfinite``: NaN or :math:`\pm\infty` where the reference is finite;
* ``wrong_zero``: :math:`\pm 0` where the reference is a normal number;
* ``sign_errors``: the sign differs from a non-zero reference (outside the
  subnormal policy below);
* ``wrong_nan``: at a non-NaN input, NaN where the reference is a number
  (finite or infinite), or a number where the reference is NaN;
* ``nan_not_propagated``: a NaN input gives a number.

Subnormal policy. Below the normal range the lattice spacing is the fixed
subnormal quantum, so a kernel that flushes subnormal results to zero
(torch's vectorised CPU exp, GPU flush-to-zero modes) scores millions of
ULP against a reference of 1e-40 although its absolute error is below the
smallest normal number :math:`N_{\min}` (2^-126 in float32, 2^-1022 in
float64). Given a cell's bound ``bound_ulp``, a point whose correctly
rounded reference :math:`r` is finite with :math:`|r| < N_{\min}` is judged
by its absolute error alone: it is correct when

.. math:: |a - r| \le N_{\min},

i.e. 0 of either sign (a flush) or any answer in the subnormal range within
:math:`N_{\min}` of r, *whatever its sign*. A subnormal of the wrong sign is
no further from r than the flush to -0 that is accepted: phish' at
x = -14.375 in float32 is 1.1e-43, and -1e-45 (one quantum below 0, what a
difference of normal terms rounds to) is off by 1.1e-43, as -0 is. So the
sign of such an answer is not counted under ``sign_errors`` either (with a
bound given; without one every point is strict). Such points whose ULP
distance exceeds the bound are left out of ``max_ulp`` and ``p99_ulp`` and
counted instead under ``subnormal_flushed`` (informational: it never fails
a cell, and ``worst`` shows the largest). References in the normal range
keep the strict ULP bound: 0 there is a ``wrong_zero``, a wrong sign a
``sign_error``; so is a wrong sign further than :math:`N_{\min}` from a
subnormal reference. The vector verifier (``symact.verify.vector``) applies
the same rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_SIGNED = {np.dtype("float32"): np.int32, np.dtype("float64"): np.int64}
COUNTERS = ("wrong_nonfinite", "wrong_zero", "sign_errors", "wrong_nan", "nan_not_propagated")
# Counted and reported, never failing: points accepted by the subnormal policy.
INFORMATIONAL = ("subnormal_flushed",)


def lattice_index(values: np.ndarray) -> np.ndarray:
    """The position of each (non-NaN) float on the ordered lattice, as int64."""
    values = np.asarray(values)
    bits = values.view(_SIGNED[values.dtype]).astype(np.int64)
    magnitude_mask = np.int64(np.iinfo(_SIGNED[values.dtype]).max)
    return np.where(bits >= 0, bits, -(bits & magnitude_mask))


def ulp_distance(expected: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """|k(expected) - k(actual)| as uint64, exact (positions with a NaN hold 0)."""
    expected = np.asarray(expected)
    actual = np.asarray(actual).astype(expected.dtype, copy=False)
    k_expected = lattice_index(np.where(np.isnan(expected), 0, expected).astype(expected.dtype))
    k_actual = lattice_index(np.where(np.isnan(actual), 0, actual).astype(expected.dtype))
    # The difference can exceed int64; unsigned wrap-around subtraction is exact.
    a, b = k_expected.view(np.uint64), k_actual.view(np.uint64)
    distance = np.where(k_expected >= k_actual, a - b, b - a)
    return np.where(np.isnan(expected) | np.isnan(actual), np.uint64(0), distance)


def format_value(value, dtype) -> str:
    """Shortest text that reads back as the same ``dtype`` value."""
    return str(np.dtype(dtype).type(value))


@dataclass(frozen=True)
class Case:
    """One input with its expected (correctly rounded) and actual values."""

    x: str
    expected: str
    actual: str
    ulp: int | None

    def to_json(self) -> dict:
        return {"x": self.x, "expected": self.expected, "actual": self.actual, "ulp": self.ulp}


@dataclass(frozen=True)
class Metrics:
    """Error metrics of one (target, dtype, kind) cell over its points."""

    points: int
    max_ulp: int
    p99_ulp: int
    counts: dict[str, int]
    worst: dict[str, Case] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"points": self.points, "max_ulp": self.max_ulp, "p99_ulp": self.p99_ulp,
                "counts": dict(sorted(self.counts.items())),
                "worst": {key: case.to_json() for key, case in sorted(self.worst.items())}}


def _case(points, expected, actual, distance, index, dtype) -> Case:
    defined = not (np.isnan(expected[index]) or np.isnan(actual[index]))
    return Case(format_value(points[index], dtype), format_value(expected[index], dtype),
                format_value(actual[index], dtype), int(distance[index]) if defined else None)


def subnormal_accepted(expected: np.ndarray, actual: np.ndarray) -> np.ndarray:
    r"""Where the subnormal policy accepts ``actual``: the reference is below
    the normal range and :math:`|a - r| \le N_{\min}` (either sign of a)."""
    expected = np.asarray(expected)
    actual = np.asarray(actual).astype(expected.dtype, copy=False)
    smallest_normal = np.finfo(expected.dtype).smallest_normal
    with np.errstate(invalid="ignore", over="ignore"):
        tiny = np.isfinite(expected) & (np.abs(expected) < smallest_normal)
        close = np.isfinite(actual) & (np.abs(actual.astype(np.float64) - expected.astype(np.float64))
                                       <= smallest_normal)
    return tiny & close


def measure(points: np.ndarray, expected: np.ndarray, actual: np.ndarray,
            bound_ulp: int | None = None) -> Metrics:
    r"""Compare ``actual`` with the correctly rounded ``expected`` (same dtype).

    ``max_ulp`` and ``p99_ulp`` (the 99th percentile, rounded up to a lattice
    step) are over points where neither value is NaN. For ``max_ulp`` and
    each counter, ``worst`` holds the offending input with the largest ULP
    distance (the first one where the distance is undefined).

    With ``bound_ulp`` given, the subnormal policy (module docstring) applies:
    points beyond the bound that it accepts count under ``subnormal_flushed``
    and leave ``max_ulp`` and ``p99_ulp``, and no point it accepts is a sign
    error. Without it, every point is strict.
    """
    expected = np.asarray(expected)
    dtype = expected.dtype
    actual = np.asarray(actual).astype(dtype, copy=False)
    points = np.asarray(points).astype(dtype, copy=False)
    nan_e, nan_a = np.isnan(expected), np.isnan(actual)
    defined = ~nan_e & ~nan_a
    distance = ulp_distance(expected, actual)
    distance = np.where(defined, distance, np.uint64(0))
    if bound_ulp is None:
        accepted = np.zeros(distance.shape, dtype=bool)
    else:
        accepted = defined & subnormal_accepted(expected, actual)
    flushed = accepted & (distance > np.uint64(0 if bound_ulp is None else bound_ulp))
    smallest_normal = np.finfo(dtype).smallest_normal
    offenders = {
        "wrong_nonfinite": np.isfinite(expected) & ~np.isfinite(actual),
        "wrong_zero": (np.abs(np.where(nan_e, 0, expected)) >= smallest_normal) & (actual == 0),
        "sign_errors": defined & (expected != 0) & (actual != 0) & (np.signbit(expected) != np.signbit(actual))
                       & ~accepted,
        "wrong_nan": ~np.isnan(points) & (nan_e != nan_a),
        "nan_not_propagated": np.isnan(points) & ~nan_a,
        "subnormal_flushed": flushed,
    }
    worst: dict[str, Case] = {}
    strict = defined & ~flushed
    used = distance[strict]
    if used.size:
        counted = np.where(strict, distance, np.uint64(0))
        index = int(np.argmax(counted))
        max_ulp = int(counted[index])
        p99 = int(np.percentile(used.astype(np.float64), 99, method="higher"))
        if max_ulp > 0:
            worst["max_ulp"] = _case(points, expected, actual, distance, index, dtype)
    else:
        max_ulp, p99 = 0, 0
    counts = {}
    for name, mask in offenders.items():
        counts[name] = int(mask.sum())
        if counts[name]:
            candidates = np.flatnonzero(mask)
            index = int(candidates[np.argmax(distance[candidates])])
            worst[name] = _case(points, expected, actual, distance, index, dtype)
    return Metrics(int(points.size), max_ulp, p99, counts, worst)
