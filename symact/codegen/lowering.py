r"""From an activation to what generated code computes, branch by branch.

``lower(activation)`` keeps the parameters symbolic (generated functions take
them as arguments) and produces, for each branch of the piecewise form of f
in the definition's priority order:

* the condition that selects it (the first true condition wins, as in
  ``Piecewise``), so the branch whose condition contains a breakpoint owns
  it and the gradient there is that branch's one-sided derivative
  (ReLU'(0) = 0, hardswish'(3) = 3/2, as PyTorch);
* f, df/dx and df/dp for every parameter p, each rewritten by
  ``symact.codegen.rules`` and with exact constants folded to the nearest
  double (printed as Python float literals, which NumPy and PyTorch treat as
  weak scalars: float32 in, float32 out);
* a *guard*: a point strictly inside the branch's region where every formula
  of the branch is finite. Generated code evaluates a branch on
  ``where(selected, x, guard)`` (the "double where"), so a branch never sees
  an input outside its region: no overflow warnings, no NaN from an unused
  branch, also under double backward. Branches linear in x need no guard.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import S

from symact.activation import Activation
from symact.codegen.rules import optimize
from symact.errors import DefinitionError
from symact.parsing import X
from symact.pieces import to_piecewise_form

CONSTANT_DIGITS = 40


@dataclass(frozen=True)
class Branch:
    """One branch of the generated piecewise code.

    Attributes:
      condition: when it applies (``S.true`` for the last branch), in x and
        the parameters; earlier branches take precedence.
      guard: a point inside the branch's region (in the parameters), or
        None when the branch is safe everywhere (linear in x).
      forward: f on this branch.
      gradient: df/dx on this branch.
      parameter_gradients: df/dp on this branch, in parameter order.
    """

    condition: sympy.Basic
    guard: sympy.Expr | None
    forward: sympy.Expr
    gradient: sympy.Expr
    parameter_gradients: tuple[sympy.Expr, ...]


@dataclass(frozen=True)
class Lowering:
    """An activation ready for printing: its branches, in priority order."""

    activation: Activation
    definition: sympy.Expr
    branches: tuple[Branch, ...]

    @property
    def is_piecewise(self) -> bool:
        return len(self.branches) > 1


def fold_constants(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with every irrational constant subexpression (``sqrt(2/pi)``,
    the SELU constants) replaced by a Float correct to 40 digits; integers
    and rationals stay exact so the printer can write ``x/6``."""
    if expr.is_number and not expr.is_Rational:
        value = expr.evalf(CONSTANT_DIGITS)
        if not (value.is_Float or value.is_Rational):
            raise DefinitionError(f"the constant '{expr}' is not a real number")
        return value
    if not expr.args or isinstance(expr, sympy.Symbol):
        return expr
    return expr.func(*[fold_constants(arg) if isinstance(arg, sympy.Expr) else arg for arg in expr.args])


def is_linear_in_x(expr: sympy.Expr) -> bool:
    """a x + b with a, b free of x: safe to evaluate at any finite x."""
    if X not in expr.free_symbols:
        return True
    try:
        poly = sympy.Poly(expr, X)
    except sympy.PolynomialError:
        return False
    return poly.degree() <= 1 and all(X not in c.free_symbols for c in poly.all_coeffs())


def _at_defaults(activation: Activation, expr: sympy.Expr) -> sympy.Expr:
    return expr.subs({p.symbol: p.default for p in activation.params})


def _boundaries(conditions, activation: Activation) -> list[sympy.Expr] | None:
    """The points where some condition changes, as expressions in the
    parameters, sorted by their values at the defaults; None when a
    condition is not linear in x."""
    points: dict[sympy.Expr, sympy.Expr] = {}
    for condition in conditions:
        for relation in condition.atoms(sympy.core.relational.Relational):
            try:
                poly = sympy.Poly(relation.lhs - relation.rhs, X)
            except sympy.PolynomialError:
                return None
            if poly.degree() == 0:
                continue
            if poly.degree() != 1:
                return None
            a, b = poly.all_coeffs()
            point = sympy.simplify(-b / a)
            points.setdefault(sympy.nsimplify(_at_defaults(activation, point)), point)
    return [points[key] for key in sorted(points, key=lambda v: sympy.N(v, 30))]


def _selected(pairs, activation: Activation, at: sympy.Expr) -> int | None:
    for index, (_, condition) in enumerate(pairs):
        truth = _at_defaults(activation, condition.subs(X, at))
        if truth is S.true or truth is True:
            return index
        if truth not in (S.false, False):
            return None
    return None


def _guards(pairs, activation: Activation) -> list[sympy.Expr | None]:
    """A point inside each branch's region (at the defaults' ordering of the
    breakpoints), preferring interval midpoints to the breakpoints."""
    boundaries = _boundaries([c for _, c in pairs], activation)
    guards: list[sympy.Expr | None] = [None] * len(pairs)
    if boundaries is None:
        return guards
    probes = []
    if boundaries:
        probes.append(boundaries[0] - 1)
        probes += [(a + b) / 2 for a, b in zip(boundaries, boundaries[1:])]
        probes.append(boundaries[-1] + 1)
    probes += boundaries
    probes.append(S.Zero)
    for probe in probes:
        index = _selected(pairs, activation, probe)
        if index is not None and guards[index] is None:
            guards[index] = sympy.simplify(probe)
    return [g if g is not None else S.Zero for g in guards]


def _prepare(expr: sympy.Expr) -> sympy.Expr:
    return fold_constants(optimize(expr))


@lru_cache(maxsize=512)
def lower(activation: Activation) -> Lowering:
    """The branches, guards and rewritten formulas generated code computes."""
    definition = optimize(activation.expr)
    folded = to_piecewise_form(definition)
    if isinstance(folded, sympy.Piecewise):
        pairs = [(expr, cond) for expr, cond in folded.args]
        if pairs[-1][1] is not S.true:
            pairs.append((S.NaN, S.true))
    else:
        pairs = [(folded, S.true)]
    if any(arg.has(sympy.Piecewise) for arg, _ in pairs):
        raise DefinitionError(f"{activation.name}: cannot bring the definition to one piecewise form")
    symbols = [p.symbol for p in activation.params]
    guards = _guards(pairs, activation) if len(pairs) > 1 else [None]
    branches = []
    for (expr, condition), guard in zip(pairs, guards):
        forward = optimize(expr)
        gradient = sympy.diff(forward, X)
        parameter_gradients = tuple(_prepare(sympy.diff(forward, s)) for s in symbols)
        formulas = (forward, gradient, *parameter_gradients)
        needs_guard = len(pairs) > 1 and not all(is_linear_in_x(f) for f in formulas)
        branches.append(Branch(
            condition=condition,
            guard=fold_constants(guard) if needs_guard and guard is not None else None,
            forward=fold_constants(forward),
            gradient=_prepare(gradient),
            parameter_gradients=parameter_gradients,
        ))
    return Lowering(activation, definition, tuple(branches))
