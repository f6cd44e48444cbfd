"""References: rising precision, exact zeros, correct rounding, conventions."""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

from symact.catalogue import CATALOGUE, names
from symact.functions import elementary, gaussian_cdf
from symact.parsing import X
from symact.pieces import Pieces
from symact.verify.reference import (PiecewiseReference, Status, erfc_any, numerical_derivative_check,
                                     round_to_format, underflow_precision)


def _reference(name, order=0, **params):
    bound = CATALOGUE[name].bind(params)
    return PiecewiseReference(bound.pieces if order == 0 else bound.derivative(order))


def test_fixed_50_digits_gives_zero_where_the_true_value_is_tiny():
    # The measurement, pinned: why precision must rise.
    with mpmath.workdps(50):
        assert mpmath.log(1 + mpmath.exp(-800)) == 0
        assert -30 * (1 + mpmath.erf(-30 / mpmath.sqrt(2))) / 2 == 0


def test_softplus_at_minus_800_is_resolved_not_rounded_to_zero():
    # log(1 + e^-800) is 0 below ~1150 bits; the reference's log1p keeps the term.
    ref = _reference("softplus").evaluate(-800.0)
    assert ref.status is Status.CONVERGED
    with mpmath.workdps(60):
        assert mpmath.almosteq(ref.value, mpmath.log1p(mpmath.exp(-800)), rel_eps=mpmath.mpf(2) ** -100)
    assert ref.rounded("float64") == 0.0  # 3.67e-348 is below every subnormal


def test_a_term_below_the_working_precision_is_not_absorbed_by_one_plus():
    # mish' = tanh(sp) + x sigma(x) sech^2(sp), sp = log(1 + e^x): at x = -709.78,
    # 1 + e^x is 1 at 128 and 256 bits, so log(1 + e^x) loses tanh(sp) ~ e^x
    # entirely and two precisions agree on x e^x alone (1e-3 off).
    x = -709.7827128933836
    with mpmath.workprec(256):
        absorbed = mpmath.log(1 + mpmath.exp(x))
    assert absorbed == 0
    with mpmath.workprec(2000):
        t = mpmath.mpf(x)
        softplus = mpmath.log1p(mpmath.exp(t))
        independent = mpmath.tanh(softplus) + t / (1 + mpmath.exp(-t)) / mpmath.cosh(softplus) ** 2
    ref = _reference("mish", order=1).evaluate(x)
    assert ref.rounded("float64") == float(independent) == pytest.approx(-3.9482973991967e-306, rel=1e-12)


def test_gelu_at_minus_30_matches_an_independent_erfc_formula():
    ref = _reference("gelu").evaluate(-30.0)
    with mpmath.workdps(60):
        independent = -30 * mpmath.erfc(30 / mpmath.sqrt(2)) / 2
    assert ref.rounded("float64") == float(independent) == pytest.approx(-1.4720141781444561e-196, rel=1e-15)
    assert ref.rounded("float32") == 0.0 and math.copysign(1, ref.rounded("float32")) == -1


def test_elementary_gaussian_cdf_keeps_erfc_of_minus_x():
    # SymPy rewrites erfc(-z) as 2 - erfc(z), which cancels for x < 0; the
    # definition keeps it unevaluated so the reference does not need 1000+ bits.
    form = elementary(gaussian_cdf(X))
    assert form == sympy.erfc(-X / sympy.sqrt(2), evaluate=False) / 2
    assert sympy.erfc(-X) == 2 - sympy.erfc(X)


def test_zero_is_exact_only_where_it_is():
    assert _reference("relu").evaluate(-1.5).status is Status.EXACT
    assert _reference("silu").evaluate(0.0).status is Status.EXACT
    far = _reference("softplus").evaluate(-1e300)  # e^(-1e300): positive, and 0 once rounded
    assert far.value > 0 and far.rounded("float64") == 0.0


def test_a_zero_from_cancellation_in_a_rational_branch_is_never_accepted():
    # elliott = x/(2 - 2x) + 1/2 for x < 0 is exactly 0 at 128 and 256 bits at x = -3.76e81
    # (the terms are 1/2 apart from 2^-272); the true value is 1/(2(1 - x)).
    x = -3.756320218627134e+81
    with mpmath.workprec(256):
        assert mpmath.mpf(x) / (2 - 2 * mpmath.mpf(x)) + mpmath.mpf(1) / 2 == 0
    ref = _reference("elliott").evaluate(x)
    assert ref.status is Status.CONVERGED
    assert ref.rounded("float64") == float(Fraction(1, 2 * (1 - int(x)))) == pytest.approx(1.331089925508909e-82)
    assert ref.rounded("float32") == 0.0  # below every float32 subnormal, but not from a zero reference
    biggest = -float(np.finfo(np.float64).max)
    assert _reference("elliott").evaluate(biggest).rounded("float64") == float(Fraction(1, 2 * (1 - int(biggest))))


def test_underflow_precision_covers_the_input_exponent():
    # x^3 (e^(x^-4) - 1) = 1/x + ... at x = 2^800: the difference e^(2^-3200) - 1 is 0 at 3072 bits
    # (the old underflow verdict, 0), yet f = 2^-800 is a normal float64. p_u(x) = 3072 + 2 * 801
    # bits resolves it.
    x = 2.0 ** 800
    branch = X ** 3 * (sympy.exp(X ** -4) - 1)
    with mpmath.workprec(3072):
        assert mpmath.exp(mpmath.mpf(x) ** -4) - 1 == 0
    ref = PiecewiseReference(Pieces.from_expr(branch)).evaluate(x)
    assert ref.status is Status.CONVERGED
    assert ref.rounded("float64") == 2.0 ** -800
    assert underflow_precision(x) == 3072 + 2 * 801 and underflow_precision(-1.5) == 3072 + 2


@pytest.mark.parametrize("name", names())
def test_rational_branches_at_huge_inputs_match_exact_rational_arithmetic(name):
    # Every rational-function branch of f and f', at inputs where its terms cancel: the reference
    # is the exact rational value (Fraction arithmetic through SymPy's exact evaluation) rounded.
    bound = CATALOGUE[name].bind()
    for pieces in (bound.pieces, bound.derivative(1)):
        reference = PiecewiseReference(pieces)
        for x in (-3.756320218627134e+81, -1e300, 1e300, 2.5e-310):
            branch, at_breakpoint = reference.locate(x)
            if at_breakpoint is not None or not reference.rational_branch[branch]:
                continue
            exact = reference.branch_exprs[branch].subs(X, sympy.Rational(Fraction(x).numerator,
                                                                          Fraction(x).denominator))
            if not exact.is_Rational:
                continue  # a pole, or a formula with a parameter left symbolic
            fraction = Fraction(int(exact.p), int(exact.q))
            try:
                expected = float(fraction)
            except OverflowError:  # beyond every float64: the correctly rounded value is infinite
                expected = math.inf if fraction > 0 else -math.inf
            assert reference.evaluate(x).rounded("float64") == expected, (name, x)


@pytest.mark.parametrize("name, x, gradient", [
    ("relu", 0.0, 0.0), ("hardswish", 3.0, 1.0), ("hardswish", -3.0, 0.0), ("relu6", 6.0, 0.0),
    ("hardtanh", -1.0, 0.0), ("binary_step", 0.0, 0.0), ("leaky_relu", 0.0, 0.01),
])
def test_gradient_at_a_kink_is_the_owner_branch_convention(name, x, gradient):
    assert _reference(name, 1).evaluate(x).rounded("float64") == gradient


@pytest.mark.parametrize("name, x, expected", [
    ("sigmoid", math.inf, 1.0), ("sigmoid", -math.inf, 0.0), ("silu", -math.inf, 0.0),
    ("gelu", math.inf, math.inf), ("softsign", -math.inf, -1.0), ("tanh", math.inf, 1.0),
])
def test_infinite_inputs_take_the_limit(name, x, expected):
    assert _reference(name).evaluate(x).rounded("float64") == expected


def test_nan_input_gives_nan():
    assert math.isnan(_reference("relu").evaluate(math.nan).rounded("float32"))


def test_rounding_to_float32_agrees_with_numpy_on_random_doubles():
    rng = np.random.default_rng(7)
    doubles = np.concatenate([
        rng.uniform(-4, 4, 2000),
        rng.uniform(-1, 1, 1000) * 1e-39,  # float32 subnormals
        rng.uniform(3.40282346e38, 3.4028236e38, 200),  # around float32 overflow
        np.ldexp(rng.uniform(1, 2, 500), rng.integers(-160, 130, 500)),
    ])
    with np.errstate(over="ignore"):
        rounded = doubles.astype(np.float32)
    for value, by_numpy in zip(doubles.tolist(), rounded.tolist()):
        assert round_to_format(mpmath.mpf(value), "float32") == by_numpy, value


def test_rounding_to_float64_is_half_even_at_midpoints_and_overflows():
    one = mpmath.mpf(1)
    ulp = mpmath.ldexp(1, -52)
    with mpmath.workprec(200):
        assert round_to_format(one + ulp / 2, "float64") == 1.0  # tie to even
        assert round_to_format(one + 3 * ulp / 2, "float64") == 1.0 + 2 * float(ulp)  # tie to even
        assert round_to_format(one + ulp / 2 + mpmath.ldexp(1, -150), "float64") == 1.0 + float(ulp)
        top = mpmath.ldexp(2 - mpmath.ldexp(1, -53), 1023)  # halfway to 2^1024
        assert round_to_format(top, "float64") == math.inf
        assert round_to_format(top - mpmath.ldexp(1, 900), "float64") == np.finfo(np.float64).max
        assert round_to_format(mpmath.ldexp(3, -1075), "float64") == 2 * 5e-324  # 1.5 units: tie to 2
        assert round_to_format(mpmath.ldexp(3, -1076), "float64") == 5e-324  # 0.75 units -> 1
        assert round_to_format(mpmath.ldexp(1, -1075), "float64") == 0.0  # half the least: tie to 0
        assert round_to_format(-mpmath.ldexp(1, -5000), "float64") == 0.0


def test_erfc_any_matches_mpmath_and_works_where_mpmath_overflows():
    with pytest.raises(OverflowError):
        mpmath.erfc(mpmath.mpf(1e300))  # mpmath 1.3 squares z as a float
    with mpmath.workprec(300):
        z = mpmath.ldexp(1, 401)
        assert mpmath.almosteq(erfc_any(z), mpmath.erfc(z), rel_eps=mpmath.mpf(2) ** -290)
        assert erfc_any(mpmath.mpf(1e300)) > 0


@pytest.mark.parametrize("name", names())
def test_symbolic_derivative_agrees_with_numerical_differentiation(name):
    function, slope = _reference(name), _reference(name, 1)
    points = [x for x in np.linspace(-7.3, 7.7, 12).tolist()
              if all(abs(x - float(c)) > 1e-3 for c in slope.pieces.breakpoints)]
    check = numerical_derivative_check(function, slope, np.array(points))
    # Saturated tails (cloglog = 1 - exp(-exp(x)) from x = 5.6 on) have f' below
    # what a difference quotient of f resolves even at 4096 bits: those are skipped.
    assert check["points"] >= len(points) * 3 // 4
    assert check["max_relative_difference"] < 2.0 ** -60


def test_numerical_differentiation_exposes_a_wrong_derivative():
    function = _reference("sigmoid")
    wrong = PiecewiseReference(CATALOGUE["silu"].bind().derivative(1))
    check = numerical_derivative_check(function, wrong, np.array([-2.0, 0.5, 3.0]))
    assert check["max_relative_difference"] > 0.1


def test_exact_ties_of_rational_branches_round_half_even():
    # prelu's 0.25 * x of a float32 subnormal is exactly half a subnormal step.
    x = float(np.float32(-2.802596928649634e-45))  # -2 steps: 0.25 x = -0.5 step, a tie
    ref = _reference("prelu").evaluate(x)
    assert ref.status is Status.CONVERGED
    assert ref.rounded("float32") == 0.0  # tie to even: 0


def test_derivative_check_raises_precision_where_f_cancels():
    # x/2 (1 + tanh(...)) at x = -16.75 cancels to 0 at 256 bits.
    function, slope = _reference("gelu_tanh"), _reference("gelu_tanh", 1)
    check = numerical_derivative_check(function, slope, np.array([-16.75, -10.75]))
    assert check["max_relative_difference"] < 2.0 ** -60


def test_removable_singularity_takes_the_limit_and_huge_exponents_are_refused():
    sinc = PiecewiseReference(Pieces.from_expr(sympy.sin(X) / X))
    slope = PiecewiseReference(Pieces.from_expr(sympy.diff(sympy.sin(X) / X, X)))
    assert sinc.evaluate(0.0).rounded("float64") == 1.0  # sin(x)/x at 0: the limit
    assert slope.evaluate(0.0).rounded("float64") == 0.0  # cos(x)/x - sin(x)/x^2 at 0
    # exp(exp(x)) at x = 3e8 would run for hours in mpmath: left unresolved.
    doubly = PiecewiseReference(Pieces.from_expr(sympy.exp(-sympy.exp(X))))
    assert doubly.evaluate(3e8).status is Status.UNRESOLVED
    # tanh(exp(x)) at x = 1e300 is exactly 1 at every working precision, without building huge integers.
    saturated = PiecewiseReference(Pieces.from_expr(sympy.tanh(sympy.exp(X))))
    assert saturated.evaluate(1e300).rounded("float64") == 1.0
    with mpmath.workprec(200):
        assert doubly.evaluate(2.0).rounded("float64") == float(mpmath.exp(-mpmath.exp(2)))


@pytest.mark.parametrize("bits", [128, 1024, 4096])
@pytest.mark.parametrize("z", ["3.4028235e38", "-3.4028235e38", "1.7976931348623157e308", "-1.7976931348623157e308",
                               "1e20", "-1e20", "88.72", "-745.13"])
def test_exp_with_argument_reduction_equals_mpmath_exp(z, bits):
    from symact.verify.reference import exp_any

    with mpmath.workprec(bits):
        assert exp_any(mpmath.mpf(z)) == mpmath.exp(mpmath.mpf(z))
