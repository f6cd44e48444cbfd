"""High-precision references and ULP distances for the code generation tests."""
from __future__ import annotations

from functools import lru_cache

import mpmath
import numpy as np
import sympy

from symact.parsing import X

DIGITS = 40


# The stable atoms evaluated with mpmath's own accurate functions: their
# elementary forms (log(1 + exp(x))) drop tiny terms at every precision, so
# rising precision would not notice the loss (mish'(-146) came out 0.7% off).
_ATOMS = {
    "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)),
    "softplus": lambda z: mpmath.log1p(mpmath.exp(z)),
    "log_sigmoid": lambda z: -mpmath.log1p(mpmath.exp(-z)),
    "gaussian_cdf": lambda z: mpmath.erfc(-z / mpmath.sqrt(2)) / 2,
}


@lru_cache(maxsize=None)
def _formulas(bound):
    return bound.pieces.as_piecewise(), bound.derivative(1).as_piecewise()


@lru_cache(maxsize=None)
def _mpmath_function(expr):
    return sympy.lambdify(X, expr, modules=[_ATOMS, "mpmath"])


def _value(function, point: float) -> float:
    """The value at ``point`` with precision raised until two evaluations
    agree to 30 digits (a fixed precision misses cancellations such as
    1 - sigmoid(146), which is 0 at 60 digits); 0 is accepted only when it
    is 0 at every precision."""
    previous = None
    for digits in (30, 60, 120, 240, 480, 960, 1920):
        with mpmath.workdps(digits):
            value = function(mpmath.mpf(point))
            tiny = mpmath.mpf(10) ** -400  # rounds to 0 in double whatever its digits
            if previous is not None and abs(value) < tiny and abs(previous) < tiny and value != 0:
                return 0.0
            if previous is not None and value != 0 and (
                    abs(value - previous) <= abs(value) * mpmath.mpf(10) ** -30):
                return float(value)
            previous = value
    if previous == 0:
        return 0.0
    raise AssertionError(f"no reliable reference value at {point}")


def reference(bound, points, kind: str) -> np.ndarray:
    """f (``kind='forward'``) or f' at ``points``, correctly rounded to double."""
    f, df = _formulas(bound)
    function = _mpmath_function(f if kind == "forward" else df)
    return np.array([_value(function, float(p)) for p in points])


def ulp_error(got: np.ndarray, exact: np.ndarray, dtype) -> np.ndarray:
    """|got - exact| in units of the last place of ``exact`` rounded to ``dtype``."""
    exact_rounded = exact.astype(dtype)
    spacing = np.spacing(np.abs(exact_rounded)).astype(np.float64)
    diff = np.abs(got.astype(np.float64) - exact)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        return np.where(got.astype(np.float64) == exact_rounded.astype(np.float64), 0.0, diff / spacing)


def grid(dtype) -> np.ndarray:
    """Points over the whole range: log-spaced magnitudes of both signs, and 0."""
    info = np.finfo(dtype)
    top = np.log10(float(info.max)) - 0.5
    magnitudes = np.logspace(-4, min(top, 3.0), 160)
    return np.concatenate([-magnitudes[::-1], [0.0], magnitudes]).astype(dtype)
