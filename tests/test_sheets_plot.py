"""Plot data: sampled from the exact branches, never across a breakpoint."""
import math

import mpmath
import pytest
import sympy

from symact.catalogue import CATALOGUE, names
from symact.parsing import X
from symact.sheets.plot import MAX_WIGGLES, choose_window, evaluate, plot_data, sample, wiggles
from symact.user import from_expression
from tests.sheet_models import plain_sheets


def _float(value):
    return float(sympy.N(value, 30))


@pytest.fixture(scope="module")
def plots():
    return {name: sheet["plot"] for name, sheet in plain_sheets().items()}


@pytest.mark.parametrize("name", names())
def test_segments_stay_between_breakpoints(name, plots):
    plot = plots[name]
    cuts = [_float(c) for c in CATALOGUE[name].bind().pieces.breakpoints]
    for key in ("f", "df"):
        for segment in plot[key]["segments"]:
            xs = [x for x, _ in segment]
            assert xs == sorted(xs)
            # no breakpoint strictly inside a segment: it would be a line drawn across a jump or kink
            assert not any(xs[0] < c < xs[-1] for c in cuts), (key, xs[0], xs[-1], cuts)


@pytest.mark.parametrize("name", names())
def test_samples_match_the_original_definition(name, plots):
    """Every 7th sample of f against SymPy's evaluation of the definition as written."""
    bound = CATALOGUE[name].bind()
    cuts = [_float(c) for c in bound.pieces.breakpoints]
    for segment in plots[name]["f"]["segments"]:
        for x, y in segment[1:-1:7]:
            if any(abs(x - c) < 1e-9 for c in cuts):
                continue
            expected = sympy.N(bound.expr.subs(X, sympy.Rational(repr(x))), 30)
            assert y == pytest.approx(float(expected), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", names())
def test_window_contains_every_breakpoint_with_a_margin(name, plots):
    left, right = plots[name]["window"]
    for c in CATALOGUE[name].bind().pieces.breakpoints:
        assert left + 1 <= _float(c) <= right - 1


def test_segment_ends_are_the_one_sided_limits():
    plot = plot_data(CATALOGUE["hardswish"].bind())
    segments = plot["df"]["segments"]
    assert [len(s) > 2 for s in segments] == [True, True, True]
    assert list(segments[0][-1]) == [-3.0, 0.0]
    assert list(segments[1][0]) == [-3.0, -0.5]
    assert list(segments[1][-1]) == [3.0, 1.5]
    assert list(segments[2][0]) == [3.0, 1.0]
    # f' has no value at the kinks: both one-sided limits open, nothing filled
    assert plot["df"]["filled"] == []
    assert sorted(map(tuple, plot["df"]["open"])) == [(-3.0, -0.5), (-3.0, 0.0), (3.0, 1.0), (3.0, 1.5)]


def test_a_jump_is_marked_with_its_value_and_the_other_limit():
    plot = plot_data(CATALOGUE["binary_step"].bind())
    assert len(plot["f"]["segments"]) == 2
    assert plot["f"]["filled"] == [[0.0, 1.0]]
    assert plot["f"]["open"] == [[0.0, 0.0]]


def test_window_widens_until_saturation_shows():
    bound = CATALOGUE["sigmoid"].bind()
    left, right = choose_window(bound.pieces, bound.derivative(1))
    assert (left, right) == (-6.0, 6.0)
    # f' at the ends is within 5% of the peak 1/4 of its limit 0
    assert evaluate(bound.derivative(1).branches[0], right) < 0.05 * 0.25


@pytest.mark.parametrize("name", names())
def test_every_curve_is_drawn_and_oscillations_stay_readable(name, plots):
    plot = plots[name]
    for key in ("f", "df"):
        curve = plot[key]
        assert sum(len(s) for s in curve["segments"]) >= 100, key  # f and f' are defined almost everywhere
        assert all(math.isfinite(v) for v in curve["ylim"]) and curve["ylim"][0] < curve["ylim"][1]
    extrema = sum(wiggles([y for _, y in segment]) for segment in plot["df"]["segments"])
    assert extrema <= 2 * MAX_WIGGLES + 2, extrema


@pytest.mark.parametrize("expression, window", [
    ("exp(x)", (-4.0, 4.0)),  # f' grows without end: a wider window shows nothing more
    ("x**3", (-4.0, 4.0)),
    ("x*cos(x)", (-4.0, 4.0)),  # growing oscillation
    ("x + sin(x)**2", (-4.0, 4.0)),  # f' = 1 + sin(2x) never settles
    ("sin(30*x)", (-0.8, 0.8)),  # narrowed to at most 8 extrema of f' a side
    ("sinc(x)", (-20.5, 20.5)),  # a decaying oscillation widens until it has died down, 8 extrema a side
])
def test_window_does_not_widen_where_it_cannot_show_saturation(expression, window):
    bound = from_expression(expression).bind()
    assert choose_window(bound.pieces, bound.derivative(1)) == window


def test_a_removable_singularity_of_a_formula_is_plotted_through_its_limit():
    bound = CATALOGUE["sinc"].bind()
    (branch,) = bound.derivative(1).branches
    assert evaluate(branch, 0.0) == 0.0  # cos(x)/x - sin(x)/x^2 -> 0 as x -> 0
    assert evaluate(1 / X, 0.0) is None and evaluate(sympy.log(abs(X)), 0.0) is None  # poles stay gaps
    plot = plot_data(bound)
    assert len(plot["df"]["segments"]) == 1 and [0.0, 0.0] in map(list, plot["df"]["segments"][0])


def test_window_is_asymmetric_when_the_breakpoints_are():
    bound = CATALOGUE["relu6"].bind()
    assert choose_window(bound.pieces, bound.derivative(1)) == (-4.0, 9.0)


def test_evaluate_is_exact_where_floats_would_overflow():
    # softplus(800) as log(1 + exp(800)) overflows in float64; mpmath does not
    bound = from_expression("softplus(x)").bind()
    assert evaluate(bound.pieces.branches[0], 800.0) == pytest.approx(800.0)
    assert evaluate(bound.pieces.branches[0], -800.0) == pytest.approx(float(mpmath.exp(-800)), rel=1e-12)


def test_marked_extrema_and_asymptotes_enter_the_window_and_limits():
    bound = CATALOGUE["silu"].bind()
    plot = plot_data(bound, extrema=[(-7.5, -0.0041)], asymptotes=[-2.0])
    assert plot["window"][0] <= -8.5
    assert plot["f"]["ylim"][0] < -2.0
    assert plot["extrema"] == [[-7.5, -0.0041]]
    assert not math.isinf(plot["f"]["ylim"][1])
