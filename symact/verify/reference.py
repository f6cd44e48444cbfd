r"""Correctly rounded reference values from the original definition.

A reference value of :math:`f` at a float :math:`x` is computed with mpmath
from the *original* definition, branch by branch (``Pieces``), with every
stable atom replaced by its elementary definition (``symact.functions.elementary``),
never from a rewritten or optimised form. A fixed working precision is not
enough: at 50 digits gelu(-30) and softplus(-800) both come out 0 through
cancellation (true values about -1.47e-196 and 3.67e-348). So the precision
rises, :math:`p = 128, 256, 512, \dots`, until two successive results
:math:`v_{p/2}, v_p` agree:

.. math:: |v_p - v_{p/2}| \le 2^{-100} |v_p|

and rounding :math:`v_p \pm 4|v_p - v_{p/2}|` to float32 and to float64 gives
the same float both ways (the rounding decision is certain), or both are
far outside every float range (:math:`|v| < 2^{-1200}` or :math:`> 2^{1200}`,
same sign): then only the exponent matters, and e.g. gelu(-1e298) =
:math:`-e^{-5 \cdot 10^{595}}\ldots` rounds to -0 whatever its digits.

A 0 is never accepted because two precisions agree on it: mpmath does not
underflow, so a 0 at a non-zero input is a cancellation (elliott at
x = -3.76e81 is :math:`x/(2 - 2x) + 1/2`, exactly 0 at 128 and 256 bits,
truly 1.33e-82). The first time a value comes out 0, SymPy decides where it
is quick: the branch is identically 0, or x = 0, or the branch is a
rational function, whose value at the exact rational x is an exact
rational. An exact 0 is accepted (``EXACT``); an exact non-zero rational
is evaluated instead of the formula (it settles at the first two
precisions, ties included). Otherwise the precision keeps rising, and after
two zeros in a row it jumps to the *underflow precision*

.. math:: p_u(x) = \text{UNDERFLOW\_PRECISION} + 2\,|\log_2 |x||

(3072 bits plus twice the input's exponent). A third zero there is an
*underflow*: the terms that cancelled left less than :math:`2^{-p_u}` of
themselves, and with every intermediate at most
:math:`2^{1024} \max(|x|, 1/|x|)^2` this gives :math:`|f(x)| < 2^{-2048}`,
far below the smallest subnormal :math:`2^{-1074}`, so the float reference
is 0 either way (its sign is then unknown and not checked). This is the one
heuristic step (it bounds the intermediates; rational branches never need
it). A rational-function branch that gives the identical non-zero value at
two precisions is taken as exact (exact ties round half-even). A point that
does not settle by ``PRECISION_CAP`` bits is *unresolved*: it is left out of
the metrics and counted.

At a breakpoint :math:`c_i` the reference is ``Pieces.convention_value(i)``:
the value of the branch that owns :math:`c_i`, which for the derivative
pieces is the documented gradient convention (ReLU'(0) = 0). At
:math:`\pm\infty` it is the limit of the outer branch (NaN where there is
none); at NaN it is NaN.

Rounding to float32 / float64 is done on the exact binary mpmath value:
round-half-even at the format's precision, with the subnormal quantum
:math:`2^{e_{min} - p + 1}` below the normal range and overflow to
:math:`\pm\infty` from :math:`(2 - 2^{-p}) 2^{e_{max}}` on.
"""
from __future__ import annotations

import enum
import hashlib
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Callable

import mpmath
import numpy as np
import sympy
from sympy.codegen.cfunctions import log1p
from sympy import S

from symact.errors import SymactError
from symact.functions import elementary
from symact.parsing import X
from symact.pieces import Pieces, limit_of_branch

PRECISION_START = 128
PRECISION_CAP = 16384
UNDERFLOW_PRECISION = 3072
AGREEMENT_BITS = 100

FORMATS: dict[str, tuple[int, int, int]] = {
    # name: (significand bits p including the hidden bit, e_min, e_max)
    "float32": (24, -126, 127),
    "float64": (53, -1022, 1023),
}


class Status(enum.IntEnum):
    """How a reference value was settled."""

    CONVERGED = 0  # two successive precisions agree, rounding certain
    EXACT = 1  # exactly known: an exact zero, a limit, NaN input
    UNDERFLOW = 2  # |f(x)| far below every subnormal: rounds to 0, sign unknown
    UNRESOLVED = 3  # did not settle by PRECISION_CAP bits; left out of metrics


def round_to_format(value: mpmath.mpf, dtype: str) -> float:
    r"""``value`` correctly rounded (half-even) to ``dtype`` and returned as a
    Python float holding that float32/float64 value exactly.

    Subnormals are rounded at the fixed subnormal quantum; magnitudes at or
    above :math:`(2 - 2^{-p})\,2^{e_{max}}` overflow to infinity.
    """
    if mpmath.isnan(value):
        return math.nan
    if mpmath.isinf(value):
        return math.inf if value > 0 else -math.inf
    sign, mantissa, exponent, bitcount = value._mpf_
    if not mantissa:
        return -0.0 if sign else 0.0
    precision, e_min, e_max = FORMATS[dtype]
    leading = exponent + bitcount - 1  # value in [2^leading, 2^(leading + 1))
    quantum = max(leading, e_min) - (precision - 1)
    if leading < quantum - 1:  # below half the smallest subnormal
        return -0.0 if sign else 0.0
    shift = quantum - exponent
    if shift <= 0:
        units = mantissa << -shift
    else:
        units = mantissa >> shift
        remainder = mantissa & ((1 << shift) - 1)
        half = 1 << (shift - 1)
        if remainder > half or (remainder == half and units & 1):
            units += 1
    if units and units.bit_length() + quantum > e_max + 1:
        result = math.inf
    else:
        result = math.ldexp(units, quantum)
    return -result if sign else result


ERFC_ASYMPTOTIC_FROM = mpmath.mpf(2) ** 400


def erfc_any(z):
    r"""``mpmath.erfc`` that also works for huge positive z.

    mpmath 1.3 raises ``OverflowError`` for z above about 1.3e154 (it
    squares z as a Python float). There the asymptotic series

    .. math:: \operatorname{erfc} z = \frac{e^{-z^2}}{z\sqrt\pi}
              \sum_{k \ge 0} (-1)^k \frac{(2k-1)!!}{(2z^2)^k}

    has terms shrinking by :math:`2^{-800}` or faster, so summing until a
    term drops below the working precision is exact to that precision.
    """
    z = mpmath.mpf(z) if not isinstance(z, (mpmath.mpf, mpmath.mpc)) else z
    if isinstance(z, mpmath.mpc) or z < ERFC_ASYMPTOTIC_FROM:
        return mpmath.erfc(z)
    inverse = 1 / (2 * z * z)
    term, total, k = mpmath.mpf(1), mpmath.mpf(1), 1
    while abs(term) > mpmath.ldexp(abs(total), -mpmath.mp.prec - 8):
        term *= -(2 * k - 1) * inverse
        total += term
        k += 1
    return mpmath.exp(-z * z) / (z * mpmath.sqrt(mpmath.pi)) * total


EXP_ARGUMENT_MAX_BITS = 4096


def _bounded(function):
    """``function`` (exp-like) refusing real arguments above 2^4096 in magnitude.

    mpmath reduces the argument of exp with about log2|z| extra bits, so
    exp(exp(x)) at x = 3e8 (tanh(exp(x))') runs for hours or exhausts
    memory. Every float input keeps |x|^3 below 2^3100; beyond 2^4096 the
    point is left unresolved instead (OverflowError).
    """
    def bounded(z):
        if isinstance(z, mpmath.mpf) and mpmath.isfinite(z) and z != 0 and mpmath.mag(z) > EXP_ARGUMENT_MAX_BITS:
            raise OverflowError(f"{function.__name__} argument beyond 2^{EXP_ARGUMENT_MAX_BITS}")
        return function(z)
    bounded.__name__ = function.__name__
    return bounded


EXP_REDUCTION_FROM_BITS = 64


def exp_any(z):
    r"""``mpmath.exp`` with explicit argument reduction for large real z.

    :math:`e^z = 2^n e^r` with :math:`n = \operatorname{nint}(z / \ln 2)` and
    :math:`r = z - n \ln 2`, both at the working precision plus
    :math:`\log_2 |z|` + 32 bits, so r is exact to far below one unit of the
    result. For |z| near the float64 limit at 1024 bits this is 30 to 100
    times faster than mpmath's own path (which raises e to the power n by
    squaring), and gives the same value.
    """
    if not isinstance(z, mpmath.mpf) or not mpmath.isfinite(z) or z == 0:
        return mpmath.exp(z)
    size = mpmath.mag(z)
    if size <= EXP_REDUCTION_FROM_BITS:
        return mpmath.exp(z)
    with mpmath.workprec(mpmath.mp.prec + size + 32):
        n = mpmath.nint(z / mpmath.ln2)
        r = z - n * mpmath.ln2
    return mpmath.ldexp(mpmath.exp(r), int(n))


def tanh_any(z):
    r"""``mpmath.tanh``, exactly :math:`\pm 1` beyond :math:`|z| > 2^{4096}`.

    There :math:`1 - |\tanh z| < 2 e^{-2^{4097}}`, invisible at any working
    precision the reference uses, while mpmath would build an integer with
    about :math:`|z|` bits (tanh(exp(x)) at x = 1e300 exhausts memory).
    """
    if isinstance(z, mpmath.mpf) and mpmath.isfinite(z) and z != 0 and mpmath.mag(z) > EXP_ARGUMENT_MAX_BITS:
        return mpmath.mpf(1) if z > 0 else mpmath.mpf(-1)
    return mpmath.tanh(z)


MPMATH_MODULES = [{"erfc": erfc_any, "tanh": tanh_any, "exp": _bounded(exp_any), "expm1": _bounded(mpmath.expm1),
                   "cosh": _bounded(mpmath.cosh), "sinh": _bounded(mpmath.sinh), "log1p": mpmath.log1p}, "mpmath"]


def log_of_one_plus_as_log1p(expr: sympy.Expr) -> sympy.Expr:
    r"""``expr`` with every :math:`\log(1 + u)` written :math:`\operatorname{log1p}(u)`.

    The same real function, evaluated without absorbing a small u: at any
    working precision p, :math:`1 + u` rounds to 1 once :math:`|u| < 2^{-p}`,
    so two precisions can agree on a value that has lost a whole term
    (mish' at x = -709.78 computed tanh(log(1 + e^x)) = 0 at 128 and 256
    bits, a relative error of 1e-3). ``mpmath.log1p`` keeps u.
    """
    def is_log_of_one_plus(node) -> bool:
        return isinstance(node, sympy.log) and node.args[0].is_Add and sympy.S.One in node.args[0].args

    return expr.replace(is_log_of_one_plus, lambda node: log1p(node.args[0] - 1))


def _mpf_number(value: sympy.Expr, bits: int) -> mpmath.mpf:
    """An exact SymPy number as an mpf at ``bits`` of working precision."""
    with mpmath.workprec(bits):
        return sympy.lambdify((), value, modules=MPMATH_MODULES)() * mpmath.mpf(1)


@dataclass(frozen=True)
class Reference:
    """One reference value: exact mpf ``value`` (``None`` for NaN), how it
    was settled, and the working precision in bits that settled it."""

    value: mpmath.mpf | None
    status: Status
    precision: int

    def rounded(self, dtype: str) -> float:
        """The value correctly rounded to ``dtype``."""
        if self.value is None or self.status is Status.UNRESOLVED:
            return math.nan
        if self.status is Status.UNDERFLOW:
            return 0.0
        return round_to_format(self.value, dtype)


def _rounding_certain(value: mpmath.mpf, error: mpmath.mpf) -> bool:
    for dtype in FORMATS:
        low, high = round_to_format(value - error, dtype), round_to_format(value + error, dtype)
        if low != high and not (low == 0 and high == 0):
            return False
    return True


FAR_OUTSIDE_BITS = 1200  # every float format rounds 2^-1200 to 0 and 2^1200 to inf


def _far_outside(value: mpmath.mpf) -> bool:
    """|value| < 2^-1200 or > 2^1200: rounds to 0 or inf in every format."""
    exponent = mpmath.mag(value)
    return exponent < -FAR_OUTSIDE_BITS or exponent > FAR_OUTSIDE_BITS


def underflow_precision(x: float) -> int:
    r"""The precision :math:`p_u(x) = 3072 + 2|\log_2|x||` bits at which a third
    0 in a row is taken as an underflow (module docstring)."""
    exponent = abs(math.frexp(x)[1]) if x != 0 and math.isfinite(x) else 0
    return UNDERFLOW_PRECISION + 2 * exponent


def _mpf_of_float(x: float) -> mpmath.mpf:
    return mpmath.mpf(x)  # exact: a float has 53 bits


class PiecewiseReference:
    r"""Reference evaluation of a function given as ``Pieces``.

    ``evaluate(x)`` returns a ``Reference`` for a float x (see the module
    docstring for the precision policy); ``at(x, bits)`` is a single
    evaluation of the branch containing x at a fixed precision, for root
    finding and numerical differentiation.
    """

    def __init__(self, pieces: Pieces):
        self.pieces = pieces
        self.branch_exprs = tuple(log_of_one_plus_as_log1p(elementary(branch)) for branch in pieces.branches)
        self.branch_functions: tuple[Callable, ...] = tuple(
            sympy.lambdify(X, expr, modules=MPMATH_MODULES) for expr in self.branch_exprs)
        self.identically_zero = tuple(expr.is_zero is True for expr in self.branch_exprs)
        self.rational_branch = tuple(expr.is_rational_function(X) for expr in self.branch_exprs)
        self._breakpoints_exact = tuple(
            Fraction(int(c.p), int(c.q)) if c.is_Rational else None for c in pieces.breakpoints)
        self._breakpoints_mpf = tuple(_mpf_number(c, 512) for c in pieces.breakpoints)

    @cached_property
    def key(self) -> str:
        """Content address of the function: breakpoints, branches, the forms
        mpmath evaluates (``branch_exprs``), conventions."""
        parts = [sympy.srepr(self.pieces.breakpoints), sympy.srepr(self.pieces.branches),
                 sympy.srepr(self.branch_exprs), sympy.srepr(tuple(self.convention_values))]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    @cached_property
    def convention_values(self) -> tuple[sympy.Expr, ...]:
        """The value taken at each breakpoint (``Pieces.convention_value``)."""
        return tuple(self.pieces.convention_value(i) for i in range(len(self.pieces.breakpoints)))

    @cached_property
    def limits(self) -> tuple[sympy.Expr | None, sympy.Expr | None]:
        """(f(-oo), f(+oo)) as exact SymPy values; None where unknown."""
        found = []
        for branch, at, side in ((self.pieces.branches[0], S.NegativeInfinity, "+"),
                                 (self.pieces.branches[-1], S.Infinity, "-")):
            try:  # limit_of_branch runs SymPy under its own time budget
                found.append(limit_of_branch(branch, at, side))
            except SymactError:
                found.append(None)
        return tuple(found)

    def locate(self, x: float) -> tuple[int, int | None]:
        """(branch index, breakpoint index if x is exactly a breakpoint)."""
        branch = 0
        exact_x = None
        for i, (exact_c, mpf_c) in enumerate(zip(self._breakpoints_exact, self._breakpoints_mpf)):
            if exact_c is not None:
                if exact_x is None:
                    exact_x = Fraction(x)
                if exact_x == exact_c:
                    return i, i
                above = exact_x > exact_c
            else:
                above = _mpf_of_float(x) > mpf_c
            if not above:
                return branch, None
            branch = i + 1
        return branch, None

    def at(self, x: float | mpmath.mpf, bits: int) -> mpmath.mpf:
        """The branch containing x evaluated at a fixed precision (no breakpoint values)."""
        branch, _ = self.locate(float(x))
        try:
            with mpmath.workprec(bits):
                return +self.branch_functions[branch](mpmath.mpf(x))
        except (ZeroDivisionError, OverflowError, MemoryError):
            return mpmath.nan

    def _exact_value(self, branch: int, x: float) -> sympy.Expr | None:
        """The exact value of the branch at x where SymPy finds it quickly:
        an identically zero branch, x = 0, or a rational function (an exact
        rational at a float x); None elsewhere. Floats in the formula are
        read as the exact binary numbers they hold."""
        if self.identically_zero[branch]:
            return S.Zero
        if x != 0 and not self.rational_branch[branch]:
            return None
        expr = self.branch_exprs[branch]
        expr = expr.xreplace({f: sympy.Rational(f) for f in expr.atoms(sympy.Float)})
        exact = sympy.Rational(Fraction(x).numerator, Fraction(x).denominator)
        try:
            value = expr.subs(X, exact)
        except Exception:  # noqa: BLE001 - SymPy may fail; then not known
            return None
        if value.is_zero is True:
            return S.Zero
        return value if value.is_Rational else None

    def _settle(self, evaluate: Callable[[], mpmath.mpf], exact_value: Callable[[], sympy.Expr | None],
                rational: bool = False, removable: Callable[[], Reference] | None = None,
                underflow_bits: int = UNDERFLOW_PRECISION) -> Reference:
        """Evaluate at rising precision until the value is certain (module
        docstring); ``exact_value`` is asked once, at the first 0."""
        removable = removable or (lambda: Reference(None, Status.UNRESOLVED, 0))
        previous = None
        bits = PRECISION_START
        checked_zero = False
        while bits <= PRECISION_CAP:
            try:
                with mpmath.workprec(bits):
                    value = evaluate()
                    value = +value if isinstance(value, (mpmath.mpf, mpmath.mpc)) else mpmath.mpf(value)
            except ZeroDivisionError:
                return removable()
            except (OverflowError, MemoryError):
                # An exponent beyond what mpmath can hold, e.g. exp(-exp(1e300)).
                return Reference(None, Status.UNRESOLVED, bits)
            if isinstance(value, mpmath.mpc):
                if value.imag != 0:
                    return Reference(None, Status.EXACT, bits)  # not real here: NaN
                value = value.real
            if mpmath.isnan(value):
                return Reference(None, Status.EXACT, bits)
            if value == 0 and not checked_zero:
                checked_zero = True
                exact = exact_value()
                if exact is not None and exact.is_zero:
                    return Reference(mpmath.mpf(0), Status.EXACT, bits)
                if exact is not None and exact.is_Rational:
                    # A cancellation in the formula; the exact rational itself settles at once.
                    numerator, denominator = int(exact.p), int(exact.q)
                    return self._settle(lambda: mpmath.mpf(numerator) / denominator, lambda: None, rational=True)
            if previous is not None:
                if value == 0 and previous == 0 and bits >= underflow_bits:
                    return Reference(mpmath.mpf(0), Status.UNDERFLOW, bits)
                if value != 0 and previous != 0 and _far_outside(value) and _far_outside(previous) and \
                        (value > 0) == (previous > 0) and (abs(value) > 1) == (abs(previous) > 1):
                    return Reference(value, Status.CONVERGED, bits)
                if rational and value == previous and value != 0:
                    # A rational function at a dyadic x: the identical non-zero value at two precisions
                    # means every operation was exact (this settles exact ties, e.g. x/4 of a subnormal).
                    # Two zeros are a cancellation, never accepted here (module docstring).
                    return Reference(value, Status.CONVERGED, bits)
                if value != 0 and previous != 0:
                    with mpmath.workprec(bits):
                        difference = abs(value - previous)
                        if difference <= abs(value) * mpmath.ldexp(1, -AGREEMENT_BITS) and \
                                _rounding_certain(value, 4 * difference + abs(value) * mpmath.ldexp(1, 8 - bits)):
                            return Reference(value, Status.CONVERGED, bits)
            jump = value == 0 and previous == 0 and bits < underflow_bits
            previous = value
            bits = underflow_bits if jump else bits * 2
        return Reference(None, Status.UNRESOLVED, bits // 2)

    def _constant(self, value: sympy.Expr) -> Reference:
        if value is None or value.has(sympy.nan, sympy.zoo, sympy.AccumBounds):
            return Reference(None, Status.EXACT, 0)  # no limit (x cos x at +oo): NaN
        if value is S.Infinity:
            return Reference(mpmath.inf, Status.EXACT, 0)
        if value is S.NegativeInfinity:
            return Reference(-mpmath.inf, Status.EXACT, 0)
        if value.is_zero:
            return Reference(mpmath.mpf(0), Status.EXACT, 0)
        constant = sympy.lambdify((), value, modules=MPMATH_MODULES)
        return self._settle(constant, lambda: value if value.is_Rational else None)

    def evaluate(self, x: float) -> Reference:
        """The reference value of the function at the float ``x``."""
        if math.isnan(x):
            return Reference(None, Status.EXACT, 0)
        if math.isinf(x):
            limit = self.limits[1 if x > 0 else 0]
            if limit is None:
                return Reference(None, Status.UNRESOLVED, 0)
            return self._constant(limit)
        branch, breakpoint = self.locate(x)
        if breakpoint is not None:
            return self._constant(self.convention_values[breakpoint])
        function = self.branch_functions[branch]
        point = _mpf_of_float(x)
        return self._settle(lambda: function(point), lambda: self._exact_value(branch, x),
                            self.rational_branch[branch] and self.branch_exprs[branch].free_symbols <= {X}
                            and not self.branch_exprs[branch].atoms(sympy.NumberSymbol),
                            lambda: self._removable(branch, x), underflow_precision(x))

    def _removable(self, branch: int, x: float) -> Reference:
        """The value at a removable singularity of a branch formula (sinc'(0)):
        the common one-sided limit, else NaN (undefined there)."""
        exact = sympy.Rational(Fraction(x).numerator, Fraction(x).denominator)
        try:
            left = limit_of_branch(self.pieces.branches[branch], exact, "-")
            right = limit_of_branch(self.pieces.branches[branch], exact, "+")
        except SymactError:
            return Reference(None, Status.UNRESOLVED, 0)
        if left != right and not (left - right).equals(0):
            return Reference(None, Status.EXACT, 0)
        return self._constant(left)


@dataclass(frozen=True)
class ReferenceTable:
    """Reference values at an array of points.

    Attributes:
      points: the float64 inputs (float32 inputs are held exactly).
      rounded: dtype name -> the correctly rounded references.
      status: ``Status`` per point.
      precision: the working precision (bits) that settled each point.
    """

    points: np.ndarray
    rounded: dict[str, np.ndarray]
    status: np.ndarray
    precision: np.ndarray

    def expected(self, dtype: str) -> np.ndarray:
        """The references rounded to ``dtype``, as an array of that dtype."""
        return self.rounded[dtype]


def reference_table(reference: PiecewiseReference, points: np.ndarray) -> ReferenceTable:
    """Evaluate ``reference`` at every point and round to both formats."""
    points = np.asarray(points, dtype=np.float64)
    rounded = {dtype: np.empty(points.shape, dtype=dtype) for dtype in FORMATS}
    status = np.empty(points.shape, dtype=np.int8)
    precision = np.empty(points.shape, dtype=np.int32)
    for index, x in enumerate(points.tolist()):
        ref = reference.evaluate(x)
        for dtype in FORMATS:
            rounded[dtype][index] = ref.rounded(dtype)
        status[index] = int(ref.status)
        precision[index] = ref.precision
    return ReferenceTable(points, rounded, status, precision)


def numerical_derivative_check(function: PiecewiseReference, derivative: PiecewiseReference,
                               points: np.ndarray, precisions=(256, 1024, 4096)) -> dict:
    r"""Check the symbolic f' against mpmath's numerical differentiation of f.

    At each point (away from breakpoints, where f is smooth) compare
    :math:`f'(x)` from the exact derivative branches with ``mpmath.diff`` of
    the original branch of f, at rising precision until they agree to
    :math:`2^{-100}` (cancellation in f or f', e.g. the tanh-GELU tail, needs
    more than 256 bits). Points where f' is below what a difference quotient
    of f can resolve at the highest precision (a tail where f is
    :math:`1 - 2^{-30000}`) are skipped. Returns ``{"points": n, "max_relative_difference": d,
    "worst_input": x}``, d the smallest difference reached at the worst point;
    a correct f' gives d far below :math:`2^{-60}`.
    """
    worst, worst_x = 0.0, None
    checked = 0
    for x in np.asarray(points, dtype=np.float64).tolist():
        branch, breakpoint = function.locate(x)
        if breakpoint is not None:
            continue
        f = function.branch_functions[branch]
        difference = math.inf
        resolvable = True
        for bits in precisions:
            with mpmath.workprec(bits):
                try:
                    numeric = mpmath.diff(f, mpmath.mpf(x))
                    value = f(mpmath.mpf(x))
                except (ZeroDivisionError, OverflowError):
                    numeric = value = mpmath.nan
                symbolic = derivative.at(x, bits)
                if mpmath.isnan(numeric) or mpmath.isnan(symbolic):
                    resolvable = False
                    break
                scale = max(abs(symbolic), abs(numeric))
                difference = 0.0 if scale == 0 else float(abs(numeric - symbolic) / scale)
                # f' below what a difference quotient of f can see at this precision
                # (f = 1 - 2^-30000 in a saturated tail): nothing to compare.
                resolvable = difference <= 2.0 ** -60 or abs(symbolic) > mpmath.ldexp(max(abs(value), 1), 48 - bits)
            if difference <= 2.0 ** -100 or not resolvable:
                break
        if not resolvable:
            continue
        checked += 1
        if difference > worst or worst_x is None:
            worst, worst_x = difference, x
    return {"points": checked, "max_relative_difference": worst, "worst_input": worst_x}
