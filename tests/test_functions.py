"""The stable atoms: exact derivatives, special values, elementary rewrites."""
import mpmath
import pytest
import sympy
from sympy import exp, log, oo

from symact.functions import elementary, gaussian_cdf, log_sigmoid, sigmoid, softplus
from symact.parsing import X


def test_softplus_derivative_is_sigmoid():
    assert sympy.diff(softplus(X), X) == sigmoid(X)


def test_sigmoid_derivative_is_sigmoid_times_one_minus_sigmoid():
    assert sympy.diff(sigmoid(X), X) == sigmoid(X) * (1 - sigmoid(X))


def test_log_sigmoid_derivative_is_sigmoid_of_minus_x():
    assert sympy.diff(log_sigmoid(X), X) == sigmoid(-X)


def test_gaussian_cdf_derivative_is_normal_density():
    assert sympy.simplify(sympy.diff(gaussian_cdf(X), X) - exp(-X**2 / 2) / sympy.sqrt(2 * sympy.pi)) == 0


@pytest.mark.parametrize("atom, at_zero, at_plus_inf, at_minus_inf", [
    (sigmoid, sympy.S.Half, 1, 0),
    (softplus, log(2), oo, 0),
    (log_sigmoid, -log(2), 0, -oo),
    (gaussian_cdf, sympy.S.Half, 1, 0),
])
def test_special_values(atom, at_zero, at_plus_inf, at_minus_inf):
    assert atom(0) == at_zero
    assert atom(oo) == at_plus_inf
    assert atom(-oo) == at_minus_inf


@pytest.mark.parametrize("atom, reference", [
    (sigmoid, lambda t: 1 / (1 + mpmath.exp(-t))),
    (softplus, lambda t: mpmath.log1p(mpmath.exp(t))),
    (log_sigmoid, lambda t: -mpmath.log1p(mpmath.exp(-t))),
    (gaussian_cdf, lambda t: mpmath.ncdf(t)),
])
@pytest.mark.parametrize("point", ["-30.5", "-1.25", "0.3", "7"])
def test_evalf_and_elementary_rewrite_match_mpmath(atom, reference, point):
    with mpmath.workdps(40):
        expected = reference(mpmath.mpf(point))
        for expr in (atom(sympy.Rational(point)), elementary(atom(X)).subs(X, sympy.Rational(point))):
            got = mpmath.mpf(str(expr.evalf(40)))
            assert abs(got - expected) <= abs(expected) * mpmath.mpf("1e-35")


def test_assumptions_are_sound():
    assert sigmoid(X).is_positive
    assert softplus(X).is_positive
    assert log_sigmoid(X).is_negative
    assert gaussian_cdf(X).is_positive
    assert sigmoid(X).is_real
