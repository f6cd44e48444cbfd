"""The breakpoint form of piecewise functions."""
import pytest
import sympy

from symact.errors import DefinitionError
from symact.parsing import X, parse_expression
from symact.pieces import NEITHER, Pieces


def test_relu6_written_with_min_max_splits_at_0_and_6():
    pieces = Pieces.from_expr(parse_expression("min(max(0, x), 6)"))
    assert pieces.breakpoints == (0, 6)
    assert pieces.branches == (0, X, 6)


def test_abs_splits_at_zero_with_jumping_slope():
    slopes = Pieces.from_expr(sympy.Abs(X)).derivative()
    assert slopes.one_sided(0) == (-1, 1)
    assert slopes.values == (None,)


def test_breakpoint_where_nothing_happens_is_dropped():
    assert Pieces.from_expr(parse_expression("where(x > 1, x**2, x**2)")).breakpoints == ()


def test_isolated_point_value_belongs_to_neither_branch():
    pieces = Pieces.from_expr(parse_expression("heaviside(x)"))
    assert pieces.values == (sympy.S.Half,)
    assert pieces.owners == (NEITHER,)


def test_quadratic_conditions_give_both_roots():
    pieces = Pieces.from_expr(parse_expression("where(x**2 < 1, x**3, x)"))
    assert pieces.breakpoints == (-1, 1)


def test_non_polynomial_condition_is_refused():
    with pytest.raises(DefinitionError, match="not polynomial"):
        Pieces.from_expr(parse_expression("where(exp(x) < 2, x, 0)"))


def test_uncovered_interval_is_refused():
    expr = sympy.Piecewise((X, X > 0))
    with pytest.raises(DefinitionError, match="does not cover"):
        Pieces.from_expr(expr)


def test_as_piecewise_round_trips_with_owner_conditions():
    original = parse_expression("where(x < -3, 0, where(x <= 3, x*(x + 3)/6, x))")
    pieces = Pieces.from_expr(original)
    rebuilt = Pieces.from_expr(pieces.as_piecewise())
    assert (rebuilt.breakpoints, rebuilt.branches, rebuilt.values, rebuilt.owners) == (
        pieces.breakpoints, pieces.branches, pieces.values, pieces.owners)
    for point in (-4, -3, 0, 3, 4):
        assert pieces.as_piecewise().subs(X, point) == original.subs(X, point)


def test_limit_at_infinity_survives_sympy_silu_derivative_bug():
    """SymPy 1.14 gives 0 for lim x->+oo of SiLU's derivative written as
    x (1 - 1/(1 + e^-x)) / (1 + e^-x) + 1/(1 + e^-x); the limit is 1.
    limit_of_branch takes limits at +-oo on the together() form."""
    from symact.functions import sigmoid
    from symact.pieces import limit_of_branch

    branch = sympy.diff(X * sigmoid(X), X)
    from symact.functions import elementary

    assert sympy.limit(elementary(branch), X, sympy.oo, "-") == 0  # the SymPy bug, pinned
    assert limit_of_branch(branch, sympy.oo, "-") == 1
    assert limit_of_branch(branch, -sympy.oo, "+") == 0


def test_coinciding_hinges_keep_the_formula_the_definition_selects_there():
    """max(0, x) + a max(0, -x): at 0 the definition selects its all-off
    branch 0, neither neighbour (-a x, x). The gradient convention there is
    that formula's derivative, 0, as torch's autograd of relu(x) + a relu(-x)."""
    pieces = Pieces.from_expr(parse_expression("where(x > 0, x, 0) + 1/5 * where(x < 0, -x, 0)"))
    assert pieces.owners == (NEITHER,)
    assert pieces.point_formulas == (0,)
    slopes = pieces.derivative()
    assert slopes.values == (None,)  # f'(0) does not exist: -1/5 from the left, 1 from the right
    assert slopes.convention_value(0) == 0
    assert slopes.as_piecewise().subs(X, 0) == 0
    torch = pytest.importorskip("torch")
    x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(torch.relu(x) + 0.2 * torch.relu(-x), x)
    assert grad.item() == 0.0


def test_isolated_point_value_has_a_flat_convention_slope():
    slopes = Pieces.from_expr(parse_expression("heaviside(x)")).derivative()
    assert slopes.convention_value(0) == 0
