"""The catalogue: every entry named, cited, bound, transcribed and differentiated correctly.

Everything here is parametrised over ``symact.catalogue.names()``, so a new
entry is covered without new test code (it only needs its independent
reference formula in ``tests/catalogue_references.py``).
"""
from __future__ import annotations

import functools
import json
import re

import mpmath
import pytest
import sympy

from symact import cli
from symact.activation import NAME_PATTERN
from symact.catalogue import CATALOGUE, ENTRIES, lookup, names
from symact.derivatives import Y, derivative, derivative_of_output
from symact.functions import elementary
from symact.parsing import X
from tests.catalogue_references import REFERENCES

NAMES = names()
DIGITS = 40
# Points where values are compared with the references: none is a breakpoint
# of any entry, so the value does not depend on who owns a breakpoint.
VALUE_POINTS = ("-7.3", "-2.71", "-1.37", "-0.93", "-0.41", "-0.07", "0.13", "0.58", "1.21", "2.47", "4.9")
# Probe grid for derivatives, kept inside [-8, 8] and away from breakpoints.
DERIVATIVE_FRACTIONS = (0.13, 0.41, 0.67, 0.94)
SPAN = 8
GAP = sympy.Rational(1, 20)


@functools.lru_cache(maxsize=None)
def bound_default(name: str):
    return CATALOGUE[name].bind()


def mp_function(expr: sympy.Expr):
    """``expr`` (in x) as an mpmath function, with every stable atom in elementary form."""
    return sympy.lambdify(X, elementary(expr), modules="mpmath")


def test_names_and_aliases_are_unique_across_the_catalogue():
    labels = [label for entry in ENTRIES for label in (entry.name, *entry.aliases)]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    assert repeated == []
    assert len(NAMES) == len(ENTRIES)


def test_every_label_finds_its_own_entry():
    for entry in ENTRIES:
        for label in (entry.name, *entry.aliases):
            assert NAME_PATTERN.match(label), label
            assert lookup(label) is entry
            assert lookup(label.upper().replace("_", "-")) is entry


def test_catalogue_has_at_least_eighty_entries():
    assert len(NAMES) >= 80


def test_every_entry_has_an_independent_reference_and_no_reference_is_stale():
    assert sorted(REFERENCES) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_entry_has_description_and_citation(name):
    entry = CATALOGUE[name]
    assert entry.description.strip() and entry.description.strip()[-1] == "."
    assert "\n" not in entry.description
    # A paper is cited with its authors' year in parentheses, a library by its API path.
    paper = re.search(r"[A-Z][a-z]+.*\((19|20)\d\d\)", entry.citation)
    library = re.search(r"\b(torch\.nn|jax\.nn|keras|tf\.keras|tfa)\.[A-Za-z_.]+|MATLAB [A-Za-z ]+, [a-z]+|"
                        r"Wikipedia, Activation function", entry.citation)
    assert paper or library, entry.citation


@pytest.mark.parametrize("name", NAMES)
def test_entry_binds_at_defaults_and_is_finite_and_real_at_probes(name):
    bound = bound_default(name)
    assert bound.expr.free_symbols == {X}
    f = mp_function(bound.expr)
    with mpmath.workdps(30):
        for point in (-1000, -30, -3, -1, 0, 1, 3, 30, 1000):
            value = mpmath.mpmathify(f(mpmath.mpf(point)))
            assert mpmath.isfinite(value) and mpmath.im(value) == 0, (point, value)


@pytest.mark.parametrize("name", NAMES)
def test_values_match_the_independent_reference(name):
    bound = bound_default(name)
    reference = REFERENCES[name]
    with mpmath.workdps(DIGITS):
        for text in VALUE_POINTS:
            point = sympy.Rational(text)
            got = sympy.N(bound.expr.subs(X, point), DIGITS)
            expected = mpmath.mpmathify(reference(mpmath.mpf(text)))
            assert abs(mpmath.mpf(str(got)) - expected) <= mpmath.mpf("1e-30") * (1 + abs(expected)), (
                name, text, got, expected)


def _probe_points(pieces) -> list[sympy.Rational]:
    points = []
    for lo, hi in pieces.intervals():
        left = max(lo + GAP, -SPAN) if lo.is_finite else sympy.Integer(-SPAN)
        right = min(hi - GAP, SPAN) if hi.is_finite else sympy.Integer(SPAN)
        if not left < right:
            continue
        for fraction in DERIVATIVE_FRACTIONS:
            points.append(left + (right - left) * sympy.Rational(str(fraction)))
    return points


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("name", NAMES)
def test_symbolic_derivative_matches_numerical_differentiation_of_the_definition(name, order):
    bound = bound_default(name)
    pieces = derivative(bound, order)
    definition = mp_function(bound.expr)
    branch_functions = [mp_function(branch) for branch in pieces.branches]
    edges = [sympy.N(c, 30) for c in pieces.breakpoints]
    with mpmath.workdps(DIGITS):
        for point in _probe_points(pieces):
            index = sum(1 for c in edges if point > c)
            at = mpmath.mpf(str(sympy.N(point, DIGITS + 10)))
            got = mpmath.mpmathify(branch_functions[index](at))
            expected = mpmath.diff(definition, at, order)
            assert abs(got - expected) <= mpmath.mpf("1e-20") * (1 + abs(expected)), (name, order, point)


# Values published by the sources themselves (library docstrings, papers).
PUBLISHED = [
    # tfa.activations.snake docstring: snake([-1, 0, 1]) in float32.
    ("snake", "-1", "-0.29192656", "1e-7"),
    ("snake", "1", "1.7080734", "1e-7"),
    # keras op_sparse_plus docstring example: [-1, 0, 1] -> [0, 0.25, 1].
    ("sparse_plus", "-1", "0", "0"),
    ("sparse_plus", "0", "0.25", "0"),
    ("sparse_plus", "1", "1", "0"),
    # Klambauer et al. (2017): lambda_01 = 1.0507..., lambda_01 * alpha_01 = 1.7581...
    ("selu", "1", "1.0507009873554804934193349852946", "1e-30"),
    ("selu", "-60", "-1.7580993408473768599402175208123", "1e-25"),
    # LeCun et al. (1998): the constants make f(1) = 1 and f(-1) = -1 (to four digits).
    ("lecun_tanh", "1", "1", "1e-4"),
    ("lecun_tanh", "-1", "-1", "1e-4"),
    # Yu et al. (2022): s = 0.8944, b = -0.4472, so f(1) = s + b and f(0) = b.
    ("star_relu", "1", "0.4472", "1e-4"),
    ("star_relu", "0", "-0.4472", "1e-4"),
    # transformers' LaplaceActivation(mu=0.707107, sigma=0.282095): f(mu) = 1/2.
    ("laplace", "0.707107", "0.5", "1e-6"),
    # Hendrycks & Gimpel (2016): x sigma(1.702 x) approximates x Phi(x) to within 0.02.
    ("gelu_sigmoid", "1", "0.8413447460685429", "0.02"),
]


@pytest.mark.parametrize("name, at, value, tolerance", PUBLISHED)
def test_published_values(name, at, value, tolerance):
    got = sympy.N(bound_default(name).expr.subs(X, sympy.Rational(at)), 40)
    assert abs(got - sympy.Float(value, 40)) <= sympy.Float(tolerance), (name, at, got)


def test_rrelu_slope_is_the_mean_of_torch_defaults():
    import torch

    rrelu = torch.nn.RReLU().eval()
    x = torch.tensor([-2.0, -0.5, 0.0, 1.5], dtype=torch.float64)
    expected = rrelu(x)
    bound = bound_default("rrelu")
    got = torch.tensor([float(bound.expr.subs(X, sympy.Rational(str(v)))) for v in x.tolist()],
                       dtype=torch.float64)
    assert torch.allclose(got, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_show_json_describes_every_entry(name, capsys):
    assert cli.main(["show", name, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == name
    assert data["citation"] == CATALOGUE[name].citation
    assert set(data["parameters"]) == {p.name for p in CATALOGUE[name].params}
    assert len(data["breakpoints"]) == len(bound_default(name).pieces.breakpoints)
    for key in ("definition", "f", "df", "d2f"):
        assert data[key]


def _torch_entries():
    try:
        from tests.catalogue_references import torch_functions
        return sorted(torch_functions())
    except ImportError:  # torch is optional
        return []


@pytest.mark.parametrize("name", _torch_entries())
def test_value_and_gradient_convention_match_torch_at_breakpoints(name):
    """At every breakpoint the generated code takes the owner branch: its value
    and its one-sided derivative must be what torch's autograd gives there."""
    import torch

    from tests.catalogue_references import torch_functions

    function = torch_functions()[name]
    bound = bound_default(name)
    pieces, slopes = bound.pieces, derivative(bound, 1)
    points = [(c, pieces.convention_value(i), slopes.convention_value(i))
              for i, c in enumerate(pieces.breakpoints)]
    for at in ("-2.3", "-0.7", "0.4", "1.9"):
        x = sympy.Rational(at)
        value = bound.expr.subs(X, x)
        index = sum(1 for c in pieces.breakpoints if x > c)
        points.append((x, value, slopes.branches[index].subs(X, x)))
    for at, value, slope in points:
        x = torch.tensor(float(at), dtype=torch.float64, requires_grad=True)
        y = function(x)
        (grad,) = torch.autograd.grad(y, x)
        # 1e-6, not 1e-15: torch's float64 hardsigmoid backward multiplies by 1/6 rounded to
        # float32. Any other owner would be off by far more at a kink.
        assert abs(y.item() - float(value)) <= 1e-6 * (1 + abs(float(value))), (name, at, y.item(), value)
        assert abs(grad.item() - float(slope)) <= 1e-6 * (1 + abs(float(slope))), (name, at, grad.item(), slope)


@pytest.mark.parametrize("name", NAMES)
def test_output_form_holds_across_each_branch_and_at_its_image_ends(name):
    """Where f' = g(f) was found, it holds on the whole branch (siren's
    -30 sqrt(1 - y^2) held at the search's first probes but not elsewhere) and
    g is finite where floating point puts y at an end of the image (cloglog's
    (1 - y) log(1 / (1 - y)) is 0 * oo at y = 1)."""
    bound = bound_default(name)
    form = derivative_of_output(bound)
    slopes = derivative(bound, 1)
    for (lo, hi), branch, slope, g in zip(bound.pieces.intervals(), bound.pieces.branches, slopes.branches,
                                          form.branches):
        if g is None:
            continue
        for point in _probe_points_between(lo, hi):
            got = sympy.N(g.subs(Y, branch.subs(X, point)), 30)
            expected = sympy.N(slope.subs(X, point), 30)
            assert abs(got - expected) <= sympy.Float("1e-20") * (1 + abs(expected)), (name, point)
        for end, side in ((lo, "+"), (hi, "-")):
            if end.is_infinite and sympy.limit(elementary(branch), X, end, side).is_infinite:
                continue
            y_end = sympy.limit(elementary(branch), X, end, side) if end.is_infinite else branch.subs(X, end)
            value = g.subs(Y, y_end)
            assert value.is_finite and not value.has(sympy.nan, sympy.zoo), (name, end, value)


def _probe_points_between(lo, hi) -> list[sympy.Rational]:
    left = lo if lo.is_finite else sympy.Integer(-12)
    right = hi if hi.is_finite else sympy.Integer(12)
    if not lo.is_finite and hi.is_finite:
        left = hi - 12
    if lo.is_finite and not hi.is_finite:
        right = lo + 12
    return [left + (right - left) * sympy.Rational(k, 23) for k in range(1, 23)]


def test_siren_and_cloglog_have_no_output_form():
    assert derivative_of_output(bound_default("siren")).branches == (None,)
    assert derivative_of_output(bound_default("cloglog")).branches == (None,)
