"""Exact derivatives: hand-derived closed forms, independent numerical
differentiation of the original definition, and one-sided values at
breakpoints."""
import mpmath
import pytest
import sympy
from sympy import exp, pi, sqrt, tanh

from symact.catalogue import CATALOGUE, names
from symact.derivatives import Y, derivative_of_output
from symact.functions import elementary, gaussian_cdf, sigmoid, softplus
from symact.parsing import X

from conftest import bound_default

MPMATH_NAMES = {"expm1": mpmath.expm1, "log1p": mpmath.log1p, "erfc": mpmath.erfc, "erf": mpmath.erf}


def mp_function(expr):
    """``expr`` (in x) as an mpmath function of one argument."""
    return sympy.lambdify(X, elementary(expr), modules=[MPMATH_NAMES, "mpmath"])


def is_zero(expr):
    return sympy.simplify(elementary(expr)) == 0


@pytest.mark.parametrize("name, expected", [
    ("sigmoid", sigmoid(X) * (1 - sigmoid(X))),
    ("tanh", 1 - tanh(X) ** 2),
    ("gelu", gaussian_cdf(X) + X * exp(-X**2 / 2) / sqrt(2 * pi)),
    ("silu", sigmoid(X) * (1 + X * (1 - sigmoid(X)))),
    ("mish", tanh(softplus(X)) + X * sigmoid(X) * (1 - tanh(softplus(X)) ** 2)),
    ("softplus", sigmoid(X)),
    ("log_sigmoid", 1 - sigmoid(X)),
    ("tanhshrink", tanh(X) ** 2),
])
def test_first_derivative_matches_hand_derived_form(name, expected):
    (branch,) = bound_default(name).derivative(1).branches
    assert is_zero(branch - expected)


def test_gelu_second_derivative_is_2_minus_x2_times_density():
    (branch,) = bound_default("gelu").derivative(2).branches
    assert is_zero(branch - (2 - X**2) * exp(-X**2 / 2) / sqrt(2 * pi))


def _interior_points(lo, hi):
    lo = float(lo) if lo.is_finite else None
    hi = float(hi) if hi.is_finite else None
    if lo is None and hi is None:
        return [-7.25, -2.5, -0.875, -0.125, 0.375, 1.5, 4.75]
    if lo is None:
        return [hi - 6.5, hi - 1.75, hi - 0.25]
    if hi is None:
        return [lo + 0.25, lo + 1.75, lo + 6.5]
    width = hi - lo
    return [lo + width * k / 5 for k in (1, 2, 3, 4)]


@pytest.mark.parametrize("name", names())
@pytest.mark.parametrize("order", [1, 2])
def test_derivative_matches_numerical_differentiation_of_definition(name, order):
    bound = bound_default(name)
    pieces = bound.pieces
    derived = bound.derivative(order)
    assert derived.breakpoints == pieces.breakpoints or set(derived.breakpoints) <= set(pieces.breakpoints)
    with mpmath.workdps(40):
        for (lo, hi), branch in zip(pieces.intervals(), pieces.branches):
            original = mp_function(branch)
            for point in _interior_points(lo, hi):
                expected = mpmath.diff(original, mpmath.mpf(point), order)
                derived_branch = derived.branches[sum(1 for c in derived.breakpoints if float(c) < point)]
                got = mp_function(derived_branch)(mpmath.mpf(point))
                assert abs(got - expected) <= mpmath.mpf("1e-25") * (1 + abs(expected)), (name, order, point)


@pytest.mark.parametrize("name, order, at, left, right, exists", [
    ("relu", 1, 0, 0, 1, False),
    ("relu", 0, 0, 0, 0, True),
    ("hardswish", 1, 3, sympy.Rational(3, 2), 1, False),
    ("hardswish", 1, -3, 0, sympy.Rational(-1, 2), False),
    ("elu", 1, 0, 1, 1, True),
    ("elu", 2, 0, 1, 0, False),
    ("selu", 1, 0, None, None, False),
    ("binary_step", 0, 0, 0, 1, True),
    ("softsign", 2, 0, 2, -2, False),
])
def test_one_sided_values_at_breakpoints(name, order, at, left, right, exists):
    pieces = bound_default(name).derivative(order)
    index = pieces.breakpoints.index(at)
    got_left, got_right = pieces.one_sided(index)
    if left is not None:
        assert (got_left, got_right) == (left, right)
    assert (pieces.values[index] is not None) == exists


def test_binary_step_is_defined_but_not_continuous_at_zero():
    pieces = bound_default("binary_step").pieces
    assert pieces.values == (1,)
    assert not pieces.is_continuous_at(0)


def test_elu_with_alpha_half_has_left_slope_half_at_zero():
    pieces = CATALOGUE["elu"].bind(alpha="0.5").derivative(1)
    assert pieces.one_sided(0) == (sympy.Rational(1, 2), 1)
    assert pieces.values[0] is None


def test_celu_derivative_at_zero_is_one_not_a_heaviside_half():
    # SymPy's Max/Min forms leak Heaviside(0) = 1/2 (measured: CELU f'(0) came out 1/2 and 3/2).
    pieces = CATALOGUE["celu"].bind(alpha=2).derivative(1)
    assert pieces.values[0] == 1


def test_sympy_diff_of_piecewise_drops_the_jump():
    # Pinned SymPy 1.14 behaviour that symact.pieces works around.
    step = sympy.Piecewise((0, X < 0), (1, True))
    assert sympy.diff(step, X) == 0
    assert bound_default("binary_step").derivative(1).values == (None,)


@pytest.mark.parametrize("name, expected", [
    ("sigmoid", (Y * (1 - Y),)),
    ("tanh", (1 - Y**2,)),
    ("elu", (Y + 1, 1)),
    ("relu", (0, 1)),
])
def test_derivative_in_terms_of_output(name, expected):
    form = derivative_of_output(bound_default(name))
    assert form.complete
    for got, want in zip(form.branches, expected):
        assert sympy.simplify(got - want) == 0


def test_silu_has_no_output_form_because_it_is_not_invertible():
    assert not derivative_of_output(bound_default("silu")).complete


@pytest.mark.parametrize("name", names())
def test_output_form_when_found_agrees_with_derivative(name):
    bound = bound_default(name)
    form = derivative_of_output(bound)
    slopes = bound.derivative(1)
    for (lo, hi), branch, slope, g in zip(bound.pieces.intervals(), bound.pieces.branches, slopes.branches,
                                          form.branches):
        if g is None:
            continue
        for point in _interior_points(lo, hi):
            value = branch.subs(X, sympy.Float(point, 30))
            assert abs(sympy.N(g.subs(Y, value) - slope.subs(X, sympy.Float(point, 30)), 30)) < 1e-20
