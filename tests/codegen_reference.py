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
    formula = f if kind == "forward" else df
    function = _mpmath_function(formula)
    return np.array([_removable(formula, float(p)) if _undefined(function, float(p)) else _value(function, float(p))
                     for p in points])


def _undefined(function, point: float) -> bool:
    try:
        function(mpmath.mpf(point))
    except ZeroDivisionError:
        return True
    return False


def _removable(formula, point: float) -> float:
    """The value at a removable singularity of the formula (sinc'(0) from
    cos(x)/x - sin(x)/x^2): its exact limit there."""
    return float(sympy.limit(formula, X, sympy.Rational(point)))


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


# The same at x and 1.1 x, 1.2 x, ...: no oscillation (x cos x has random signs there).
FAR = tuple(m * (1 + k / 10) for m in (1e30, 1e40) for k in range(5))
NEAR = tuple(60.0 + 12 * k for k in range(10))  # where the definition overflows mpmath at FAR (exp(exp(x)))
HUGE, TINY = 1e20, 1e-20


def value_at_infinity(bound, sign: int, kind: str) -> float:
    """f (or f') at x = sign * inf as a double, read off the mpmath definition
    at ten far points, independently of SymPy's limits: +-inf when all are
    beyond 1e20 with one sign, or grow strictly in magnitude with one sign,
    by at least 10 in all (log1p(x)); 0 when all are below 1e-20 (x e^x, 1/x);
    the common value when all agree to 1e-12; NaN otherwise (sin(x) and
    x cos(x) have no limit). Points 60..180 stand in where mpmath overflows
    (double exponentials, which settle there)."""
    try:
        values = reference(bound, [sign * p for p in FAR], kind)
    except OverflowError:
        values = reference(bound, [sign * p for p in NEAR], kind)
    signs = set(np.sign(values))
    if len(signs) == 1 and (all(abs(v) > HUGE for v in values)
                            or (all(abs(b) > abs(a) for a, b in zip(values, values[1:]))
                                and abs(values[-1]) >= abs(values[0]) + 10)):
        return float(np.copysign(np.inf, values[-1]))
    if all(abs(v) < TINY for v in values):
        return 0.0
    if all(abs(v - values[-1]) <= 1e-12 * max(1.0, abs(values[-1])) for v in values):
        return float(values[-1])
    return float("nan")
