"""Rewrite rules preserve the function and earn their place."""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy

from symact.activation import Parameter, define
from symact.codegen import load
from symact.codegen.rules import FINAL_RULES, RULES, elementary_form, finalize, optimize
from symact.parsing import X

sys.path.insert(0, str(Path(__file__).parent))
from codegen_reference import ulp_error  # noqa: E402

ORDINARY_POINTS = (-3.5, -0.75, 0.125, 1.5, 6.0)


ALL_RULES = RULES + FINAL_RULES


def _at_one(expr):
    """The example with its parameters (symbols other than x) at 1."""
    return expr.subs({s: 1 for s in expr.free_symbols if s != X})


def _mp(expr):
    return sympy.lambdify(X, elementary_form(_at_one(expr)), modules="mpmath")


def _exact(expr, point):
    with mpmath.workdps(1000):
        return float(_mp(expr)(mpmath.mpf(point)))


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.name)
def test_rule_rewrites_its_example(rule):
    assert rule.apply(rule.example) != rule.example


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.name)
def test_rule_preserves_the_function_to_60_digits(rule):
    before, after = _mp(rule.example), _mp(rule.apply(rule.example))
    with mpmath.workdps(1000):
        for point in ORDINARY_POINTS + rule.witnesses:
            a, b = before(mpmath.mpf(point)), after(mpmath.mpf(point))
            assert abs(a - b) <= mpmath.mpf(10) ** -60 * max(abs(a), mpmath.mpf(10) ** -300), point


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.name)
def test_rule_earns_its_place(rule):
    """At its witnesses the formula as written is off by more than 4 ulp in
    float64 (or not finite); the generated code is within 4 ulp."""
    points = np.array(rule.witnesses)
    exact = np.array([_exact(rule.example, p) for p in points])
    textbook = sympy.lambdify(X, elementary_form(_at_one(rule.example)), modules="numpy")  # prints erf as math.erf
    with np.errstate(all="ignore"):
        naive = np.array([textbook(np.float64(p)) for p in points], dtype=np.float64)
    naive_error = ulp_error(np.nan_to_num(naive, nan=1e300, posinf=1e300, neginf=-1e300), exact, np.float64)
    assert np.all(naive_error > 4), naive_error
    params = [Parameter(str(s), 1) for s in sorted(rule.example.free_symbols - {X}, key=str)]
    module = load(define("example", rule.example, params), "numpy")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        generated = module.example(points)
    assert np.all(ulp_error(generated, exact, np.float64) <= 4), ulp_error(generated, exact, np.float64)


def test_optimize_reaches_a_fixed_point():
    expr = sympy.diff(X * sympy.tanh(sympy.log(1 + sympy.exp(X))), X)
    once = optimize(expr)
    assert optimize(once) == once
    assert not once.has(sympy.log)


def test_sympy_evaluates_erfc_of_a_negative_argument():
    # Pinned SymPy 1.14 behaviour the erfc rule works around: erfc(-z) becomes
    # 2 - erfc(z), which reintroduces the cancellation.
    z = sympy.Symbol("z", real=True)
    assert sympy.erfc(-z) == 2 - sympy.erfc(z)


def test_stock_log1p_rewrite_is_not_used():
    # sympy.codegen's log1p_opt turns log(1 + exp(x)) into log1p(exp(x)),
    # which overflows at x = 800; the softplus rule gives softplus(x).
    from symact.functions import softplus

    assert optimize(sympy.log(1 + sympy.exp(X))) == softplus(X)


def test_torch_sigmoid_flushes_subnormal_results():
    # Pinned torch 2.13 behaviour that mark_scaled_sigmoids works around:
    # sigma(-88.7) = 2.9e-39 is a float32 subnormal, torch.sigmoid returns 0.
    # (Its vectorised loop computes 1 / (1 + exp(-x)), and exp(-x) overflows past 88.72.)
    torch = pytest.importorskip("torch")
    x = torch.full((64,), -89.0)
    assert torch.all(torch.sigmoid(x) == 0.0)
    assert torch.all(torch.exp(x) > 0.0)


@pytest.mark.parametrize("expression", ["x*sigmoid(x)", "x*log1p(sigmoid(x))"])
def test_products_with_a_sigmoid_keep_its_subnormal_values_in_torch(expression):
    """x sigma(x) at x = -89 is -4e-37, a normal float32; with torch.sigmoid
    it would be 0 (forward and gradient). sigma(x) itself is subnormal there,
    which limits the relative accuracy to 2^-149 / sigma(x) (< 3e-6 here)."""
    torch = pytest.importorskip("torch")
    activation = define("example", expression)
    module = load(activation, "torch")
    points = np.repeat(np.array([-88.8, -89.0, -89.5], dtype=np.float32), 32)  # torch's vectorised loop
    derivative = sympy.diff(activation.expr, X)
    for formula, function in ((activation.expr, module.example), (derivative, module.example_grad)):
        exact = np.array([_exact(formula, float(p)) for p in points])
        got = function(torch.from_numpy(points)).detach().numpy()
        assert np.all(np.abs(exact) > np.finfo(np.float32).tiny)
        assert np.all(np.abs(got - exact) <= 3e-6 * np.abs(exact)), (got, exact)


def _codegen_atoms():
    from symact.codegen import rules

    return sorted((cls for cls in vars(rules).values()
                   if isinstance(cls, type) and issubclass(cls, rules.CodegenAtom) and cls is not rules.CodegenAtom),
                  key=lambda cls: cls.__name__)


@pytest.mark.parametrize("atom", _codegen_atoms(), ids=lambda cls: cls.__name__)
def test_codegen_atom_derivatives_are_exact(atom):
    """Each atom's fdiff (which the lowering uses for atoms differentiated as
    atoms) equals the derivative of its definition, at 50 digits."""
    (count,) = atom.nargs
    symbols = sympy.symbols(f"a0:{count}", real=True)
    value = atom(*symbols)
    points = {s: sympy.Rational(v) for s, v in zip(symbols, ("-7/3", "5/4", "9/16"))}
    for index, symbol in enumerate(symbols, start=1):
        claimed = elementary_form(value.fdiff(index)).subs(points)
        exact = sympy.diff(atom.definition(*symbols), symbol).subs(points)
        assert abs(sympy.N(claimed - exact, 50)) < sympy.Float("1e-45"), (atom.__name__, index)


def test_expm1_plus_keeps_its_factored_offset():
    # SymPy's expm1_opt also tries expr.factor(), which multiplied out the
    # offset (alpha - 1)(alpha + 1) that is exact near alpha = 1.
    from sympy.codegen.cfunctions import expm1

    alpha = sympy.Symbol("alpha", positive=True)
    form = finalize(expm1(alpha * X) / alpha + alpha)
    (atom,) = [a for a in sympy.preorder_traversal(form) if type(a).__name__ == "expm1_plus"]
    assert atom.args[2] == (alpha - 1) * (alpha + 1)


@pytest.mark.parametrize("alpha", ["1", "0.5", "2", "0.9990234375"])  # exact in float32
def test_soft_exponential_has_no_wrong_zero_in_its_negative_tail(alpha):
    """(e^(alpha x) - 1) / alpha + alpha for alpha > 0 is positive for alpha >= 1:
    expm1(alpha x)/alpha + alpha was 0 from x = -17.3 (float32, alpha = 1)."""
    from symact.catalogue import CATALOGUE

    module = load(CATALOGUE["soft_exponential"], "numpy")
    a = float(alpha)
    for dtype, points in ((np.float32, [-17.33, -60.0, -88.0]), (np.float64, [-40.0, -88.72, -700.0])):
        x = np.array(points, dtype=dtype)
        with mpmath.workdps(60):
            exact = np.array([float(mpmath.expm1(mpmath.mpf(a) * mpmath.mpf(float(p))) / a + a) for p in x])
        got = module.soft_exponential(x, alpha=a)
        normal = np.abs(exact) > np.finfo(dtype).tiny
        assert np.all(ulp_error(got, exact, dtype)[normal] <= 4), (dtype, got, exact)


def test_pflu_negative_tail_is_accurate_and_never_zero():
    """x (1 + x / sqrt(1 + x^2)) / 2 -> 1 / (4 x): the ratio alone underflows
    from |x| = 1.8e19 in float32 (PFLU(-2.9e22) was -0.0), the textbook
    gradient from x = -16131."""
    from symact.catalogue import CATALOGUE

    module = load(CATALOGUE["pflu"], "numpy")

    def exact(p, kind):
        with mpmath.workdps(80):
            x = mpmath.mpf(float(p))
            h = mpmath.sqrt(1 + x * x)
            ratio = 1 / (h * (h - x))  # 1 + x / h for x < 0, without cancellation
            return float(x * ratio / 2 if kind == "forward" else ratio / 2 + x / (2 * h ** 3))

    for dtype, points in ((np.float32, [-2.9271292e22, -16131.542, -1e30, -3e38]),
                          (np.float64, [-1.2e163, -1.1e18, -1e300, -1.7e308])):
        x = np.array(points, dtype=dtype)
        y, dy = module.pflu_forward_and_grad(x)
        for got, kind, bound in ((y, "forward", 4), (dy, "gradient", 8)):
            want = np.array([exact(p, kind) for p in x])
            normal = np.abs(want) > np.finfo(dtype).tiny
            assert np.all(got[normal] != 0) and np.all(np.sign(got[normal]) == np.sign(want[normal])), (kind, got, want)
            assert np.all(ulp_error(got, want, dtype)[normal] <= bound), (kind, dtype, got, want)
