r"""Exact derivatives of bound activations, simplified within a time budget.

``derivative(bound, n)`` differentiates the breakpoint form (``Pieces``) n
times: branch formulas are differentiated exactly, and at each breakpoint
the derivative exists only where the function is continuous and both
one-sided derivatives agree. Each branch is then simplified by SymPy in a
killable worker; the simplified form is kept only when it is shorter.

``derivative_of_output(bound)`` looks for g with f'(x) = g(f(x)) on every
branch, which lets a generated backward pass keep the output instead of the
input (sigmoid: y(1 - y); tanh: 1 - y^2; ELU's negative branch: y + alpha).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import S

from symact.budget import run_with_budget
from symact.functions import elementary
from symact.parsing import X
from symact.pieces import Pieces, limit_of_branch

SIMPLIFY_SECONDS = 2.0
Y = sympy.Symbol("y", real=True)


def _simplify(expr: sympy.Expr) -> sympy.Expr:
    return sympy.simplify(expr)


def simplify_within(expr: sympy.Expr, seconds: float = SIMPLIFY_SECONDS) -> sympy.Expr:
    """``sympy.simplify(expr)`` if it finishes in ``seconds`` and is shorter
    (by ``count_ops``); otherwise ``expr`` unchanged."""
    if expr.is_Atom or sympy.count_ops(expr) <= 2:
        return expr
    result = run_with_budget(_simplify, expr, seconds=seconds)
    if isinstance(result, sympy.Expr) and sympy.count_ops(result) < sympy.count_ops(expr):
        return result
    return expr


@lru_cache(maxsize=1024)
def _derivative_of(pieces: Pieces, order: int) -> Pieces:
    if order == 0:
        return pieces
    previous = _derivative_of(pieces, order - 1)
    return previous.derivative().map_branches(simplify_within)


def derivative(bound, order: int = 1) -> Pieces:
    """The exact ``order``-th derivative of a ``BoundActivation`` as ``Pieces``."""
    if order < 0:
        raise ValueError("the derivative order must be >= 0")
    return _derivative_of(bound.pieces, order)


@dataclass(frozen=True)
class OutputForm:
    """f'(x) = g_i(y) with y = f(x) on each branch i, where found.

    ``branches[i]`` is g_i as an expression in ``Y`` (None where no such
    form was found); ``images[i]`` is the open image (lo, hi) of branch i,
    so a backward pass can tell the branch from y alone when the images of
    the branches are disjoint (``selectable``).
    """

    branches: tuple[sympy.Expr | None, ...]
    images: tuple[tuple[sympy.Expr, sympy.Expr], ...]

    @property
    def complete(self) -> bool:
        """A form was found on every branch and the branch follows from y."""
        return all(b is not None for b in self.branches) and self.selectable

    @property
    def selectable(self) -> bool:
        """The images of the branches' open intervals do not overlap."""
        spans = sorted((sympy.N(lo, 20), sympy.N(hi, 20)) for lo, hi in self.images)
        return all(a_hi <= b_lo for (_, a_hi), (b_lo, _) in zip(spans, spans[1:]))


def _atoms_to_output(branch: sympy.Expr, slope: sympy.Expr) -> sympy.Expr | None:
    """Replace f's own formula (and stable atoms that are f) by y in f'.

    Where f is affine in one function atom A, f = a A + b with a, b free of
    x (LeCun's 1.7159 tanh(2x/3), 2 sigma(x) - 1), A = (y - b) / a is
    substituted instead.
    """
    candidate = slope.subs(branch, Y)
    if X not in candidate.free_symbols:
        return candidate
    atom = sympy.Dummy("atom")
    for function in sorted(branch.atoms(sympy.Function), key=sympy.default_sort_key):
        if X not in function.free_symbols:
            continue
        outer = branch.subs(function, atom)
        if X in outer.free_symbols:
            continue
        scale = sympy.diff(outer, atom)
        if scale.is_zero is not False or atom in scale.free_symbols:
            continue
        candidate = slope.subs(function, (Y - outer.subs(atom, 0)) / scale)
        if X not in candidate.free_symbols:
            return sympy.expand(candidate)
    return None


def _solve_to_output(branch: sympy.Expr, slope: sympy.Expr) -> sympy.Expr | None:
    """Invert y = f(x) for x and substitute into f'."""
    equation = elementary(branch) - Y
    solutions = sympy.solve(equation, X)
    for solution in solutions:
        candidate = sympy.simplify(elementary(slope).subs(X, solution))
        if X not in candidate.free_symbols:
            return candidate
    return None


def _worth_solving(branch: sympy.Expr) -> bool:
    """Whether ``solve(f(x) = y, x)`` can plausibly answer in closed form.

    Not when x occurs both outside every function (algebraically: sums,
    products, rational powers) and inside a transcendental one, as in
    x sigma(x), x tanh(e^x) or x cos(x): such equations have no closed-form
    solution in general (at best a Lambert W), and SymPy spends the whole
    time budget finding that out. Algebraic branches (x / sqrt(1 + x^2)) and
    branches whose x sits only inside functions (log((1 + e^x) / (1 + e^(x-1))))
    are still tried.
    """
    places = set()

    def walk(node: sympy.Basic, under_function: bool) -> None:
        if node == X:
            places.add(under_function)
            return
        inside = under_function or isinstance(node, sympy.Function) or (
            isinstance(node, sympy.Pow) and not node.exp.is_Rational)
        for arg in node.args:
            walk(arg, inside)

    walk(elementary(branch), False)
    return places != {True, False}


_OFFSETS = tuple(sympy.Rational(n, d) for n, d in ((1, 7), (1, 3), (2, 3), (1, 1), (5, 3), (3, 1), (9, 2), (7, 1)))


def _agreement_points(lo: sympy.Expr, hi: sympy.Expr) -> list[sympy.Expr]:
    """Sixteen (or eight) points spread over (lo, hi), dense enough that a
    form valid on one monotone stretch of a periodic branch fails elsewhere."""
    if lo is S.NegativeInfinity and hi is S.Infinity:
        return [sign * offset for offset in _OFFSETS for sign in (-1, 1)]
    if lo is S.NegativeInfinity:
        return [hi - offset for offset in _OFFSETS]
    if hi is S.Infinity:
        return [lo + offset for offset in _OFFSETS]
    return [lo + (hi - lo) * k / 9 for k in range(1, 9)]


def _agrees(branch, slope, candidate, lo, hi) -> bool:
    """Check g(f(x)) = f'(x) to 40 digits at points spread over (lo, hi)."""
    for point in _agreement_points(lo, hi):
        y = branch.subs(X, point)
        expected = slope.subs(X, point).evalf(40)
        got = candidate.subs(Y, y).evalf(40)
        if not (got.is_number and got.is_comparable):
            return False  # e.g. erfcinv, which SymPy cannot evaluate: not confirmed, so not used
        if not abs(got - expected) <= sympy.Float("1e-30") * (1 + abs(expected)):
            return False
    return True


def _defined_at_image_ends(branch, candidate, lo, hi) -> bool:
    """g is a finite number at every finite end of the branch's image.

    A backward pass from y meets those ends in floating point (cloglog's y
    rounds to 1 from x = 4 in float64), so a form such as
    (1 - y) log(1 / (1 - y)), which is 0 * oo there, is not used.
    """
    for end in _image_bounds(branch, lo, hi):
        if end.is_infinite:
            continue
        value = candidate.subs(Y, end)
        if value.has(sympy.nan, sympy.zoo, S.Infinity, S.NegativeInfinity) or not value.is_finite:
            return False
    return True


def _output_form_of_branch(branch, slope, lo, hi, seconds) -> sympy.Expr | None:
    if X not in slope.free_symbols:
        return slope
    methods = (_atoms_to_output, _solve_to_output) if _worth_solving(branch) else (_atoms_to_output,)
    for method in methods:
        candidate = run_with_budget(method, branch, slope, seconds=seconds)
        if isinstance(candidate, sympy.Expr) and not candidate.has(sympy.I, sympy.nan, sympy.zoo):
            if _agrees(branch, slope, candidate, lo, hi) and _defined_at_image_ends(branch, candidate, lo, hi):
                return candidate
    return None


@lru_cache(maxsize=256)
def _output_form(pieces: Pieces, seconds: float) -> OutputForm:
    slopes = pieces.derivative()
    forms, images = [], []
    for (lo, hi), branch, slope in zip(pieces.intervals(), pieces.branches, slopes.branches):
        forms.append(_output_form_of_branch(branch, slope, lo, hi, seconds))
        images.append(_image_bounds(branch, lo, hi))
    return OutputForm(tuple(forms), tuple(images))


def _image_bounds(branch: sympy.Expr, lo: sympy.Expr, hi: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr]:
    """(lo, hi) bounds of a branch's image, from its limits at the interval's ends.

    An end where the branch has no limit (sin at infinity oscillates: SymPy
    answers an ``AccumBounds``) gives the whole line, so such a branch never
    counts as distinguishable from the others by y.
    """
    ends = [limit_of_branch(branch, lo, "+"), limit_of_branch(branch, hi, "-")]
    if any(end.has(sympy.AccumBounds) or not (end.is_comparable or end in (S.Infinity, S.NegativeInfinity))
           for end in ends):
        return (S.NegativeInfinity, S.Infinity)
    return (min(ends, key=lambda v: sympy.N(v)), max(ends, key=lambda v: sympy.N(v)))


def derivative_of_output(bound, seconds: float = SIMPLIFY_SECONDS) -> OutputForm:
    """Find f' as a function of y = f(x), branch by branch (see ``OutputForm``)."""
    return _output_form(bound.pieces, seconds)

