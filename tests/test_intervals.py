"""Certified interval evaluation: enclosures contain mpmath values, tails reach infinity."""
from __future__ import annotations

import math

import mpmath
import pytest
import sympy
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.codegen.cfunctions import log1p

from symact.catalogue import lookup, names
from symact.functions import elementary
from symact.parsing import X, parse_expression
from symact.properties.intervals import INF, Interval, Unsupported, compile_interval, constant_ball, stable_form
from symact.properties.search import Deadline, Searcher, exact_limit, smooth

mpmath.mp.dps = 60


def reference(expr):
    """f(x) to 50 digits by SymPy's evalf of the elementary stable form (lambdify's mpmath erfc
    loses digits at -12; evalf of 1 + tanh(u) returns 0 at GELU-tanh's x = -17, where it is 1e-163)."""
    # SymPy's evalf of log1p(u) computes log(1 + u) and returns 0 for u = 1e-292; 2 atanh(u/(2 + u)) is exact
    exact = elementary(stable_form(expr)).replace(lambda e: isinstance(e, log1p),
                                                  lambda e: 2 * sympy.atanh(e.args[0] / (2 + e.args[0])))

    def value(x):
        # evalf at a fixed 50 digits gives 0 where 1 + erf cancels (laplace at -7, true 1.2e-164):
        # raise the precision until two successive results agree to 45 digits
        previous = None
        for digits in (50, 200, 800, 3200):
            current = mpmath.mpf(str(exact.subs(X, x).evalf(digits)))
            if previous is not None and (current == previous == 0 or
                                         abs(current - previous) <= abs(current) * mpmath.mpf(10) ** -45):
                return current
            previous = current
        return current
    return value


def smooth_branches():
    out = []
    for name in names():
        for i, branch in enumerate(lookup(name).bind().pieces.branches):
            if X in branch.free_symbols:
                out.append(pytest.param(branch, id=f"{name}-{i}"))
    return out


@pytest.mark.parametrize("branch", smooth_branches())
@settings(max_examples=12, deadline=None)
@given(lo=st.floats(-60, 60), width=st.floats(0, 3))
def test_enclosure_contains_the_mpmath_values(branch, lo, width):
    evaluate = compile_interval(stable_form(branch))
    hi = lo + width
    try:
        enclosure = evaluate(Interval(arb(lo), arb(hi)))
    except Unsupported:  # a branch formula outside its domain (log1p(x) at x <= -1) is refused, never enclosed
        return
    low, high = enclosure.floats()
    f = reference(branch)
    for x in (sympy.Rational(lo), sympy.Rational(hi), (sympy.Rational(lo) + sympy.Rational(hi)) / 2):
        try:
            value = f(x)
        except ValueError:  # the formula is not finite there (a pole): nothing to compare
            continue
        slack = abs(value) * mpmath.mpf(10) ** -45  # the reference's own rounding
        assert low <= value + slack and value - slack <= high, (x, value, enclosure)


def test_point_enclosures_are_tight_far_out():
    """sigmoid at -800 is 3.7e-348 (below float range): Arb keeps it, bounds stay ordered."""
    enclosure = compile_interval(parse_expression("sigmoid(x)"))(Interval.point(arb(-800)))
    assert enclosure.lo > 0
    upper = mpmath.mpf(enclosure.hi.str(30, radius=False))
    assert mpmath.almosteq(upper, 1 / (1 + mpmath.exp(800)), 1e-12)


@pytest.mark.parametrize("text, lo, hi", [
    ("sigmoid(x)", 1 / (1 + math.exp(-5)), 1.0),
    ("tanh(x)", math.tanh(5), 1.0),
    ("1/(1 + x)**2", 0.0, 1 / 36),
    ("exp(-x)", 0.0, math.exp(-5)),
])
def test_tails_reach_infinity(text, lo, hi):
    enclosure = compile_interval(parse_expression(text))(Interval(arb(5), INF))
    low, high = enclosure.floats()
    assert low <= lo + 1e-15 and abs(low - lo) < 1e-12
    assert high >= hi - 1e-15 and abs(high - hi) < 1e-12


def test_even_power_of_an_interval_straddling_zero_is_nonnegative():
    enclosure = compile_interval(X ** 2)(Interval(arb(-1), arb(2)))
    assert enclosure.lo == 0 and enclosure.hi == 4


def test_reciprocal_of_an_interval_containing_zero_is_the_whole_line():
    enclosure = compile_interval(1 / X)(Interval(arb(-1), arb(2)))
    assert enclosure.floats() == [-INF, INF]


def test_erf_sums_are_rewritten_to_erfc():
    """1 + erf(x/sqrt 2) cancels near -20 in any fixed precision; erfc does not."""
    form = stable_form(1 + sympy.erf(X / sympy.sqrt(2)))
    enclosure = compile_interval(form)(Interval.point(arb(-20)))
    assert enclosure.lo > 0
    assert mpmath.almosteq(mpmath.mpf(enclosure.lo.str(30, radius=False)), mpmath.erfc(20 / mpmath.sqrt(2)), 1e-10)


def test_unknown_functions_are_refused():
    with pytest.raises(Unsupported):
        compile_interval(sympy.gamma(X))


@pytest.mark.parametrize("lo, hi, finite", [(-1, 1, True), (1, 1.5, True), (1, 2, False), (2, 4, True), (4, 5, False)])
def test_tan_is_enclosed_between_poles_and_unbounded_across_one(lo, hi, finite):
    enclosure = compile_interval(sympy.tan(X))(Interval(arb(lo), arb(hi)))
    assert enclosure.is_finite() == finite
    if finite:
        low, high = enclosure.floats()
        assert low <= mpmath.tan(lo) <= high and low <= mpmath.tan(hi) <= high


@pytest.mark.parametrize("lo, hi", [(-1, 1), (0.5, 3), (-4.4, -0.1), (1, 40), (-200, -3), (4, 5), (-0.001, 0.002)])
def test_sinc_enclosures_contain_the_values(lo, hi):
    enclosure = compile_interval(sympy.sinc(X))(Interval(arb(lo), arb(hi)))
    low, high = enclosure.floats()
    for k in range(201):
        x = mpmath.mpf(lo) + (mpmath.mpf(hi) - mpmath.mpf(lo)) * k / 200
        assert low <= mpmath.sinc(x) <= high, x
    assert high - low < 2.0


def test_sinc_reaches_infinity_with_its_envelope():
    enclosure = compile_interval(sympy.sinc(X))(Interval(arb(8), INF))
    assert enclosure.floats() == [-0.125, 0.125]


def test_constants_are_enclosed():
    ball = constant_ball(sympy.LambertW(sympy.exp(-1)))
    assert ball.contains(arb(str(mpmath.lambertw(mpmath.exp(-1)))[:18]))


def test_exact_limits_by_substitution_and_by_sympy():
    assert exact_limit(parse_expression("sigmoid(x)"), 1) == 1
    assert exact_limit(parse_expression("x*sigmoid(x)"), -1) == 0


def test_sign_of_a_positive_derivative_with_a_vanishing_tail():
    """softsign' = 1/(1+x)^2 > 0 on (0, oo) even though it tends to 0."""
    searcher = Searcher(Deadline(10))
    sign = searcher.sign(smooth(parse_expression("1/(1 + x)**2")), arb(0), INF)
    assert sign.nonnegative and sign.positive_at is not None


def test_sympy_is_monotonic_is_wrong_where_we_are_right():
    """Pinned: SymPy 1.14 says x + exp(-x^2)/10 is not increasing; f' >= 1 - 1/(5 sqrt(2e)) > 0."""
    expr = parse_expression("x + exp(-x**2)/10")
    assert sympy.is_increasing(expr, sympy.Interval(-sympy.oo, sympy.oo), X) is not True
    searcher = Searcher(Deadline(10))
    assert searcher.sign(smooth(sympy.diff(expr, X)), -INF, INF).nonnegative
