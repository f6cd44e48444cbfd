"""Generated NumPy code, for every catalogue entry."""
from __future__ import annotations

import sys
import warnings
from functools import lru_cache
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy

from symact.catalogue import CATALOGUE, names
from symact.codegen import load
from symact.parsing import X

sys.path.insert(0, str(Path(__file__).parent))
from codegen_reference import grid, reference, ulp_error, value_at_infinity  # noqa: E402

DTYPES = (np.float32, np.float64)


@lru_cache(maxsize=None)
def module(name):
    return load(CATALOGUE[name], "numpy")


def functions(name):
    m = module(name)
    return getattr(m, name), getattr(m, f"{name}_grad"), getattr(m, f"{name}_forward_and_grad")


def special_points(dtype):
    info = np.finfo(dtype)
    values = [0.0, info.smallest_subnormal, info.tiny, 1e-7, 0.5, 1.0, 3.0, 30.0, 100.0, 1e4, 1e6]
    return np.array(sorted({v for m in values for v in (m, -m)}), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", names())
def test_dtype_is_preserved(name, dtype):
    f, df, fused = functions(name)
    x = np.linspace(-5, 5, 11).astype(dtype)
    y, dy = fused(x)
    assert f(x).dtype == df(x).dtype == y.dtype == dy.dtype == dtype
    assert f(x).shape == x.shape


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", names())
def test_no_floating_point_warnings_anywhere(name, dtype):
    """The double where: no branch sees inputs outside its region, so huge,
    tiny and subnormal inputs raise no overflow or invalid warnings."""
    f, df, fused = functions(name)
    x = special_points(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = (f(x), df(x), *fused(x))
    for value in values:
        assert not np.any(np.isnan(value))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", names())
def test_forward_at_the_largest_floats_is_not_nan(name, dtype):
    # Gradients there may be nan where a polynomial factor overflows before
    # a vanishing one (gelu_tanh' beyond 1e12 in float32); see docs/codegen.md.
    f, _, _ = functions(name)
    big = float(np.finfo(dtype).max)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not np.any(np.isnan(f(np.array([-big, big], dtype=dtype))))


@pytest.mark.parametrize("name", names())
def test_fused_equals_separate_bitwise(name):
    f, df, fused = functions(name)
    x = grid(np.float64)
    y, dy = fused(x)
    np.testing.assert_array_equal(y, f(x))
    np.testing.assert_array_equal(dy, df(x))


@pytest.mark.parametrize("name", names())
def test_out_buffer_is_written_and_returned(name):
    f, df, _ = functions(name)
    x = np.linspace(-4, 4, 9).astype(np.float32)
    for fn in (f, df):
        buffer = np.full_like(x, np.nan)
        result = fn(x, out=buffer)
        assert result is buffer
        np.testing.assert_array_equal(buffer, fn(x))


def _tolerance(dtype, x, exact, slope):
    """An error bound relative to the input's size: eps (|f| + |x| |f'| + |x|),
    which also holds where a formula cancels near a root of f (tanhshrink)."""
    eps = float(np.finfo(dtype).eps)
    return 8 * eps * (np.abs(exact) + np.abs(x) * np.abs(slope) + np.abs(x)) + 8 * float(np.finfo(dtype).smallest_subnormal)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", names())
def test_forward_and_gradient_match_mpmath(name, dtype):
    f, df, _ = functions(name)
    bound = CATALOGUE[name].bind()
    x = grid(dtype)[::4]
    exact_f = reference(bound, x, "forward")
    exact_df = reference(bound, x, "gradient")
    xs = x.astype(np.float64)
    # Where the reference overflows the dtype (exp(131) in float32), the result must be that infinity.
    with np.errstate(over="ignore"):
        rounded_f, rounded_df = exact_f.astype(dtype), exact_df.astype(dtype)
    for got, rounded in ((f(x), rounded_f), (df(x), rounded_df)):
        overflowed = np.isinf(rounded) & np.isfinite(exact_f) & np.isfinite(exact_df)
        np.testing.assert_array_equal(got[overflowed], rounded[overflowed])
    finite = np.isfinite(rounded_f) & np.isfinite(rounded_df)
    bound_f = _tolerance(dtype, xs, exact_f, exact_df)
    assert np.all(np.abs(f(x).astype(np.float64) - exact_f)[finite] <= bound_f[finite])
    # |f''| is not at hand; |x| |f'| + |f'| + 1 bounds the conditioning of f' on the grid
    bound_df = _tolerance(dtype, xs, exact_df, np.abs(exact_df) + 1)
    got = df(x).astype(np.float64)
    assert np.all(np.abs(got - exact_df)[finite] <= bound_df[finite] + 1e2 * np.finfo(dtype).eps * np.abs(exact_df)[finite])


@pytest.mark.parametrize("name", names())
def test_values_and_gradients_at_breakpoints_follow_the_owner(name):
    """At a breakpoint, f is the owner branch's limit and f' the owner
    branch's one-sided derivative (ReLU'(0) = 0, hardswish'(3) = 3/2), or the
    derivative of the formula the definition selects there (APL'(0) = 0)."""
    bound = CATALOGUE[name].bind()
    pieces = bound.pieces
    slopes = bound.derivative(1)
    f, df, _ = functions(name)
    for i, point in enumerate(pieces.breakpoints):
        owner = pieces.owners[i]
        if owner < 0 and pieces.point_formula(i) is None:
            continue
        x = np.array([float(point)])
        if float(x[0]) != point:
            continue  # not representable: the float is inside one branch
        expected_f = float(pieces.convention_value(i))
        if owner < 0:  # a third formula selected at the point (APL's hinges meeting at 0): its derivative
            expected_df = float(sympy.diff(pieces.point_formula(i), X).subs(X, point))
        else:
            expected_df = float(sympy.limit(slopes.branches[owner], X, point, "-" if owner == i else "+"))
        assert f(x)[0] == pytest.approx(expected_f, rel=1e-15, abs=1e-300)
        assert df(x)[0] == pytest.approx(expected_df, rel=1e-15, abs=1e-300)


def test_relu_gradient_at_zero_is_zero_and_hardswish_outer_branches_own_plus_minus_three():
    # The contract: hardswish's outer branches own -3 and 3 (gradients 0 and 1, as torch 2.13 autograd).
    assert module("relu").relu_grad(np.array([0.0]))[0] == 0.0
    assert module("hardswish").hardswish_grad(np.array([3.0, -3.0])).tolist() == [1.0, 0.0]


def test_gelu_float32_keeps_float32_and_matches_erf_definition():
    import math

    x = np.array([-3.0, -1.0, 0.5, 2.0], dtype=np.float32)
    y = module("gelu").gelu(x)
    assert y.dtype == np.float32
    expected = [v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x.astype(float)]
    np.testing.assert_allclose(y, expected, rtol=1.2e-7)


def test_parameters_are_arguments():
    elu = module("elu").elu
    x = np.array([-1.0, 2.0])
    np.testing.assert_allclose(elu(x, alpha=0.5), [0.5 * np.expm1(-1.0), 2.0], rtol=1e-15)
    assert elu(x.astype(np.float32), alpha=np.float64(0.5)).dtype == np.float32


def test_integer_input_computes_in_float64():
    assert module("relu").relu([-1, 2]).tolist() == [0.0, 2.0]


def _edge_values(name, dtype):
    f, df, fused = functions(name)
    x = np.array([np.nan, -np.inf, np.inf], dtype=dtype)
    y, dy = fused(x)
    return {"forward": (f(x), y), "gradient": (df(x), dy)}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", names())
def test_nan_in_gives_nan_out(name, dtype):
    """Masks, clamps and constant branches must not map NaN to a branch
    value (binary_step(NaN) was 1, hardshrink(NaN) 0)."""
    for kind, values in _edge_values(name, dtype).items():
        for value in values:
            assert np.isnan(value[0]), (kind, value[0])


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", names())
def test_infinite_inputs_give_the_limit(name, dtype):
    """At x = +-inf, f and f' are their limits there (silu(-inf) = 0, not
    -inf * 0 = NaN; gelu'(+inf) = 1), read off mpmath at +-1e250 and
    +-1e300; NaN where there is no limit (sin)."""
    bound = CATALOGUE[name].bind()
    for kind, values in _edge_values(name, dtype).items():
        for position, sign in ((1, -1), (2, 1)):
            expected = np.array(value_at_infinity(bound, sign, kind)).astype(dtype)
            for value in values:
                got = value[position]
                if np.isnan(expected):
                    assert np.isnan(got), (kind, sign, got)
                else:
                    assert got == expected or abs(got - expected) <= 4 * np.spacing(np.abs(expected)), \
                        (kind, sign, got, expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_sinc_and_its_derivative_within_4_ulp_near_zero_and_the_series_cutoff(dtype):
    """sin(x)/x and sinc' = (x cos x - sin x)/x^2 against mpmath, around 0
    (where the direct derivative cancels: 850 ulp at 0.1) and across the
    Taylor cutoff |x| = 1.5; sinc(0) = 1, sinc'(0) = 0."""
    f, df, _ = functions("sinc")
    x = np.concatenate([np.linspace(-3, 3, 241), np.geomspace(1e-30, 1.6, 60), [1.4999999, 1.5, 1.5000001]])
    x = x.astype(dtype)
    bound = CATALOGUE["sinc"].bind()
    for function, kind in ((f, "forward"), (df, "gradient")):
        exact = reference(bound, x, kind)
        assert ulp_error(function(x), exact, dtype).max() <= 4, kind
    assert f(np.array([0.0], dtype=dtype))[0] == 1 and df(np.array([0.0], dtype=dtype))[0] == 0


def test_sinc_in_any_expression_gets_the_stable_derivative():
    """The sinc translation is generic: d/dx sinc(2 x) = 2 sinc'(2 x) near 0."""
    from symact.activation import define

    m = load(define("sinc2", "sinc(2*x)"), "numpy")
    x = np.array([-1e-3, 1e-5, 0.0, 0.3, 2.0])
    exact = np.array([float(mpmath.diff(lambda t: mpmath.sinc(2 * t), mpmath.mpf(v))) for v in x])
    assert ulp_error(m.sinc2_grad(x), exact, np.float64).max() <= 4


def test_a_condition_on_parameters_alone_is_a_clear_error():
    from symact.activation import Parameter, define
    from symact.codegen import CodegenError

    activation = define("soft_exp_both", "where(alpha > 0, expm1(alpha * x) / alpha + alpha, x)",
                        params=[Parameter("alpha", 1, ">= 0")])
    with pytest.raises(CodegenError, match="depends on the parameters only"):
        load(activation, "numpy")


@pytest.mark.parametrize("text, one_branch", [
    ("x / (1 + abs(x))", True),               # softsign: odd, f' = 1/(1 + |x|)^2 even and continuous
    ("x / (1 + abs(x))**2", True),            # f' = (1 - |x|)/(1 + |x|)^3
    ("abs(x)", False),                        # kink: f'(0-) = -1, f'(0+) = 1
    ("x / (2*(1 + abs(x))) + 1/2", False),    # elliott: its negative branch is rewritten to 1/(2(1 - x))
    ("x * abs(x)", True),                     # the branches x^2 and -x^2, f' = 2|x|
])
def test_a_kink_at_zero_only_through_abs_is_one_branch_where_that_is_exact(text, one_branch):
    """``lowering._through_abs``: one branch in |x| exactly where the |x|
    form computes the printed branches, and its gradient is exact on both
    sides (mpmath)."""
    from symact.codegen.lowering import lower
    from symact.user import from_expression

    activation = from_expression(text, "kinked")
    lowering = lower(activation)
    assert (len(lowering.branches) == 1) == one_branch
    assert (lowering.branches[0].forward.has(sympy.Abs)) == one_branch
    module = load(activation, "numpy")
    points = np.array([-1e30, -40.0, -2.5, -1.0, -1e-3, -0.0, 0.0, 1e-3, 1.0, 2.5, 40.0, 1e30])
    expected = sympy.lambdify(X, sympy.diff(sympy.sympify(text.replace("abs", "Abs"), {"x": X}), X), "mpmath")
    with mpmath.workdps(60):
        exact = np.array([float(expected(mpmath.mpf(float(p)))) if p != 0 else np.nan for p in points])
    got = module.kinked_grad(points)
    nonzero = points != 0
    assert np.all(ulp_error(got[nonzero], exact[nonzero], np.float64) <= 4)


def test_hardswish_forward_is_x_times_its_telescoped_gate():
    """``Lowering.factored``: hardswish = x (clip(x, -3, 3) + 3) / 6, no masks
    (exact in rationals at points of all three branches); its gradient is
    not x times anything, and relu's branches are x times constants (None)."""
    from symact.codegen.lowering import lower

    lowering = lower(CATALOGUE["hardswish"])
    form = lowering.factored("forward")
    clamped = [s for s in form.free_symbols if s.name.startswith("_x")]
    assert len(clamped) == 1 and not any(s.name.startswith("_s") for s in form.free_symbols)
    for point in map(sympy.Rational, ("-7", "-3", "-5/2", "0", "1/3", "3", "11")):
        value = form.xreplace({X: point, clamped[0]: min(max(point, -3), 3)})
        assert value == sympy.Piecewise((0, point <= -3), (point, point >= 3), (point * (point + 3) / 6, True))
    assert lowering.factored("gradient") is None
    assert lower(CATALOGUE["relu"]).factored("forward") is None


def test_a_fused_body_clamps_x_only_where_every_output_is_the_limit_at_the_largest_floats():
    """mish: f and f' are their limits at -max, f' also at +max but f(+max)
    is max, not inf. The fused body clamps x at -inf only and corrects f' at
    +inf with a mask; f alone clamps at -inf, f' alone at both."""
    from symact.codegen.emit import finite_sides
    from symact.codegen.render import _edges, _numpy, execute_source

    activation = CATALOGUE["mish"]
    draft = execute_source(_numpy(activation, {}), "mish", "numpy")
    edges = _edges(activation, "numpy", draft)
    assert finite_sides(edges, ["forward"]) == (-1,)
    assert finite_sides(edges, ["gradient"]) == (-1, 1)
    assert finite_sides(edges, ["forward", "gradient"]) == (-1,)
    y, dy = module("mish").mish_forward_and_grad(np.array([-np.inf, np.inf]))
    assert y.tolist() == [0.0, np.inf] and dy.tolist() == [0.0, 1.0]
