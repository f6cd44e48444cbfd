"""Property tests over generated definitions: the parser never fails in an
unexpected way, and exact derivatives agree with numerical differentiation
of whatever formula hypothesis comes up with."""
import math

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symact.activation import define
from symact.errors import SymactError
from symact.parsing import parse_expression
from symact.pieces import Pieces

from strategies import piecewise_formulas, smooth_formulas
from test_derivatives import mp_function

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="x()+-*/.,0123456789 _abcdefghijklmnopqrstuvwz<>=^'[]{}:", max_size=60))
def test_parser_raises_only_parse_errors_on_arbitrary_text(text):
    try:
        parse_expression(text)
    except SymactError:
        pass


@SETTINGS
@given(smooth_formulas, st.sampled_from([-2.75, -0.5, 0.25, 1.5]))
def test_first_derivative_of_generated_smooth_formula_matches_mpmath(text, point):
    try:
        bound = define("generated", text).bind()
    except SymactError:
        return  # not real, not finite, or too large: refused cleanly
    (branch,) = bound.pieces.branches
    (slope,) = bound.derivative(1).branches
    with mpmath.workdps(40):
        try:
            expected = mpmath.diff(mp_function(branch), mpmath.mpf(point))
        except (ValueError, ZeroDivisionError, OverflowError):
            return
        got = mp_function(slope)(mpmath.mpf(point))
        if not mpmath.isfinite(expected) or abs(expected) > 1e30:
            return
        assert abs(got - expected) <= mpmath.mpf("1e-20") * (1 + abs(expected)), (text, point)


@SETTINGS
@given(piecewise_formulas)
def test_generated_piecewise_has_consistent_one_sided_values(text):
    try:
        bound = define("generated", text).bind()
    except SymactError:
        return
    pieces = bound.pieces
    expr = parse_expression(text)
    for i, c in enumerate(pieces.breakpoints):
        left, right = pieces.one_sided(i)
        for side, value in ((-1, left), (1, right)):
            near = sympy.Float(c, 50) + side * sympy.Float("1e-30", 50)
            actual = sympy.N(expr.subs(sympy.Symbol("x", real=True), near), 40)
            if actual.is_finite and sympy.N(value, 40).is_finite:
                assert math.isclose(float(actual), float(sympy.N(value, 40)), rel_tol=1e-12, abs_tol=1e-12)
    rebuilt = Pieces.from_expr(pieces.as_piecewise())
    assert rebuilt.breakpoints == pieces.breakpoints
