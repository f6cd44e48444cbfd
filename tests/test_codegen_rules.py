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
