r"""Piecewise functions of one real variable, split at their breakpoints.

A ``Pieces`` is a real function on the whole line cut at breakpoints
:math:`c_1 < \dots < c_k`: a smooth branch formula on each open interval
:math:`(c_i, c_{i+1})` and a value (or *undefined*) at each :math:`c_i`.

This is the form every analysis works on, because SymPy's own handling of
``Piecewise`` is unreliable at breakpoints (measured with SymPy 1.14):
``diff`` differentiates branch by branch and silently drops jumps, ``limit``
on a whole ``Piecewise`` is wrong from one side or raises, and
``Heaviside(0) = 1/2`` leaks into ``Max``/``Min`` forms. Here one-sided
limits are taken branch by branch, and a derivative at a breakpoint exists
only where the function is continuous and both one-sided derivatives agree.

The *owner* of a breakpoint is the branch whose condition contains it in the
definition (``x <= 0`` owns 0 for ReLU's zero branch). Generated code
evaluates that branch there, so its derivative at a kink is the owner's
one-sided derivative: ReLU'(0) = 0, as PyTorch does. Where the definition
selects a third formula at c_i (APL's hinges meeting at 0 select the
all-hinges-off branch 0 there, neither neighbour), that formula is kept as
the point's formula, and the convention at c_i is its value and derivative
(APL'(0) = 0, as the sum of ReLUs in PyTorch).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy
from sympy import S, Piecewise

from symact.budget import TimedOut, run_with_budget
from symact.errors import AnalysisTimeout, DefinitionError
from symact.functions import elementary
from symact.parsing import X

NEITHER = -1  # owner of a breakpoint whose value is neither neighbour's formula
LIMIT_SECONDS = 10.0


def _is_finite_number(value: sympy.Expr) -> bool:
    return bool(value.is_number and value.is_finite and value.is_extended_real)


def limit_of_branch(branch: sympy.Expr, at: sympy.Expr, side: str) -> sympy.Expr:
    """One-sided limit of a smooth branch formula at ``at`` (side '+' or '-').

    Substitution is exact where the branch is finite at ``at`` (elementary
    functions are continuous on their domain); otherwise SymPy's ``limit`` runs
    on the elementary form of the branch.
    """
    value = branch.subs(X, at)
    if _is_finite_number(value):
        return value
    result = run_with_budget(_limit, elementary(branch), at, side, seconds=LIMIT_SECONDS)
    if isinstance(result, TimedOut):
        raise AnalysisTimeout(f"the limit of {branch} as x -> {at}{side} was not found within {LIMIT_SECONDS:g} s")
    if not isinstance(result, sympy.Basic):
        raise DefinitionError(f"the limit of {branch} as x -> {at}{side} failed: {result}")
    return result


def _limit(expr: sympy.Expr, at: sympy.Expr, side: str) -> sympy.Expr:
    """SymPy's limit, at +-oo on the form brought over one denominator
    (``together``): SymPy 1.14 gives 0 for the limit at +oo of SiLU's
    derivative x (1 - 1/(1 + e^-x)) / (1 + e^-x) + 1/(1 + e^-x), which is 1,
    and 1 on the combined form (tests/test_pieces.py pins it)."""
    if at.is_infinite:
        expr = sympy.together(expr)
    return sympy.limit(expr, X, at, side)


def same_value(a: sympy.Expr | None, b: sympy.Expr | None) -> bool:
    """Whether two exact numbers are equal (None equals nothing)."""
    if a is None or b is None:
        return False
    if a == b:
        return True
    if a.has(S.Infinity, S.NegativeInfinity, S.ComplexInfinity) or b.has(S.Infinity, S.NegativeInfinity,
                                                                          S.ComplexInfinity):
        return False
    difference = (a - b).evalf(60)
    if difference.is_number and abs(difference) > sympy.Float("1e-40"):
        return False
    simplified = run_with_budget(sympy.simplify, a - b, seconds=LIMIT_SECONDS)
    if isinstance(simplified, sympy.Basic) and simplified.is_zero is not None:
        return bool(simplified.is_zero)
    raise AnalysisTimeout(f"could not decide whether {a} equals {b} (they agree to 40 digits)")


def _boundary_points(relation: sympy.Basic) -> list[sympy.Expr]:
    difference = sympy.expand(relation.lhs - relation.rhs)
    if X not in difference.free_symbols:
        return []
    try:
        poly = sympy.Poly(difference, X)
    except sympy.PolynomialError:
        poly = None
    if poly is not None and all(c.is_number for c in poly.all_coeffs()):
        if poly.degree() == 1:
            a, b = poly.all_coeffs()
            return [sympy.nsimplify(-b / a) if not (-b / a).is_Rational else -b / a]
        return list(dict.fromkeys(sympy.real_roots(poly)))
    raise DefinitionError(
        f"the condition '{relation}' is not polynomial in x; breakpoints must be roots of polynomials"
    )


def _select(piecewise: Piecewise, at: sympy.Expr) -> int | None:
    """Index of the first piece of ``piecewise`` whose condition holds at ``at``."""
    for index, (_, condition) in enumerate(piecewise.args):
        truth = condition.subs(X, at)
        if truth is S.true or truth is True:
            return index
        if truth not in (S.false, False):
            raise DefinitionError(f"cannot decide the condition '{condition}' at x = {at}")
    return None


def to_piecewise_form(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with Max, Min, Abs, Heaviside and sign as one top-level Piecewise."""
    nonsmooth = (sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside, sympy.sign)
    rewritten = expr.replace(lambda e: isinstance(e, nonsmooth), lambda e: e.rewrite(Piecewise))
    return sympy.piecewise_fold(rewritten)


@dataclass(frozen=True)
class Pieces:
    """A function on the real line as branches between sorted breakpoints.

    Attributes:
      breakpoints: c_1 < ... < c_k, exact.
      branches: k + 1 formulas; ``branches[i]`` holds on (c_i, c_{i+1}) with
        c_0 = -oo and c_{k+1} = +oo.
      values: f(c_i), or None where f is undefined at c_i.
      owners: for each c_i, the index of the branch whose formula defines the
        value there (i from the left, i + 1 from the right), or ``NEITHER``.
      point_formulas: for each c_i owned by ``NEITHER``, the formula the
        definition selects there (None where it selects none); empty when no
        breakpoint has one. The convention at c_i is this formula's value.
    """

    breakpoints: tuple[sympy.Expr, ...]
    branches: tuple[sympy.Expr, ...]
    values: tuple[sympy.Expr | None, ...]
    owners: tuple[int, ...]
    _limits: dict = field(default_factory=dict, compare=False, repr=False)
    point_formulas: tuple[sympy.Expr | None, ...] = ()

    def point_formula(self, i: int) -> sympy.Expr | None:
        """The formula the definition selects at c_i when it is neither neighbour's, else None."""
        return self.point_formulas[i] if self.point_formulas else None

    @classmethod
    def from_expr(cls, expr: sympy.Expr) -> "Pieces":
        """Split ``expr`` (in ``x`` only) at the breakpoints of its conditions."""
        extra = expr.free_symbols - {X}
        if extra:
            raise DefinitionError(f"bind the parameters {sorted(map(str, extra))} before splitting at breakpoints")
        folded = to_piecewise_form(expr)
        if not isinstance(folded, Piecewise):
            if folded.has(Piecewise):
                raise DefinitionError(f"cannot bring '{expr}' to a single piecewise form")
            return cls((), (folded,), (), ())
        points: set[sympy.Expr] = set()
        for relation in folded.atoms(sympy.core.relational.Relational):
            points.update(_boundary_points(relation))
        breakpoints = tuple(sorted(points, key=lambda p: sympy.N(p, 30)))
        if not breakpoints:
            index = _select(folded, S.Zero)
            return cls((), (folded.args[index].expr,), (), ())
        probes = [breakpoints[0] - 1]
        probes += [(a + b) / 2 for a, b in zip(breakpoints, breakpoints[1:])]
        probes += [breakpoints[-1] + 1]
        piece_of_interval = []
        for probe in probes:
            index = _select(folded, probe)
            if index is None:
                raise DefinitionError(f"the piecewise definition does not cover x = {probe}")
            piece_of_interval.append(index)
        branches = tuple(folded.args[i].expr for i in piece_of_interval)
        values, owners, point_formulas = [], [], []
        for i, point in enumerate(breakpoints):
            index = _select(folded, point)
            point_formulas.append(None)
            if index is None:
                values.append(None)
                owners.append(NEITHER)
                continue
            value = folded.args[index].expr.subs(X, point)
            values.append(value if _is_finite_number(value) else None)
            if index == piece_of_interval[i]:
                owners.append(i)
            elif index == piece_of_interval[i + 1]:
                owners.append(i + 1)
            else:
                owners.append(NEITHER)
                point_formulas[-1] = folded.args[index].expr
        point_formulas = tuple(point_formulas) if any(f is not None for f in point_formulas) else ()
        return cls(breakpoints, branches, tuple(values), tuple(owners), {}, point_formulas)._merged()

    def one_sided(self, i: int) -> tuple[sympy.Expr, sympy.Expr]:
        """(f(c_i-), f(c_i+)): the limits of the neighbouring branches at c_i."""
        if i not in self._limits:
            c = self.breakpoints[i]
            self._limits[i] = (limit_of_branch(self.branches[i], c, "-"),
                               limit_of_branch(self.branches[i + 1], c, "+"))
        return self._limits[i]

    def is_continuous_at(self, i: int) -> bool:
        """f(c_i-) = f(c_i) = f(c_i+), all finite."""
        left, right = self.one_sided(i)
        value = self.values[i]
        return (_is_finite_number(left) and same_value(left, right) and same_value(left, value))

    def convention_value(self, i: int) -> sympy.Expr:
        """The value generated code computes at c_i: the owner's one-sided limit.

        Where the defined value belongs to neither neighbour (an isolated
        point value), it is that value.
        """
        left, right = self.one_sided(i)
        owner = self.owners[i]
        if owner == i:
            return left
        if owner == i + 1:
            return right
        formula = self.point_formula(i)
        if formula is not None:
            value = formula.subs(X, self.breakpoints[i])
            if _is_finite_number(value):
                return value
        return self.values[i] if self.values[i] is not None else right

    def derivative(self) -> "Pieces":
        r"""The exact derivative, branch by branch.

        At c_i, f'(c_i) exists iff f is continuous at c_i and
        :math:`\lim_{x\to c_i^-} f'(x) = \lim_{x\to c_i^+} f'(x)` (finite); by
        the mean value theorem it then equals that common limit. Otherwise it
        is undefined (``None``). Owners carry over, so the generated gradient
        at a kink is the owner branch's one-sided derivative.
        """
        branches = tuple(sympy.diff(branch, X) for branch in self.branches)
        point_formulas = tuple(None if f is None else sympy.diff(f, X) for f in self.point_formulas)
        derived = Pieces(self.breakpoints, branches, (None,) * len(self.breakpoints), self.owners)
        values = []
        for i in range(len(self.breakpoints)):
            left, right = derived.one_sided(i)
            exists = (self.is_continuous_at(i) and _is_finite_number(left) and same_value(left, right))
            values.append(left if exists else None)
        return Pieces(self.breakpoints, branches, tuple(values), self.owners, dict(derived._limits),
                      point_formulas)._merged()

    def _merged(self) -> "Pieces":
        """Drop breakpoints where nothing happens: same formula, continuous, defined."""
        keep = [i for i in range(len(self.breakpoints))
                if not (self.branches[i] == self.branches[i + 1] and self.is_continuous_at(i))]
        if len(keep) == len(self.breakpoints):
            return self
        branches = [self.branches[0]]
        for i in keep:
            branches.append(self.branches[i + 1])
        owners = []
        for new_index, i in enumerate(keep):
            owner = self.owners[i]
            owners.append(NEITHER if owner == NEITHER else new_index + (owner - i))
        limits = {new_index: self._limits[i] for new_index, i in enumerate(keep) if i in self._limits}
        point_formulas = tuple(self.point_formulas[i] for i in keep) if self.point_formulas else ()
        return Pieces(tuple(self.breakpoints[i] for i in keep), tuple(branches),
                      tuple(self.values[i] for i in keep), tuple(owners), limits,
                      point_formulas if any(f is not None for f in point_formulas) else ())

    def map_branches(self, transform) -> "Pieces":
        """The same split with ``transform`` applied to every branch formula."""
        return Pieces(self.breakpoints, tuple(transform(b) for b in self.branches),
                      self.values, self.owners, dict(self._limits),
                      tuple(None if f is None else transform(f) for f in self.point_formulas))

    def intervals(self) -> list[tuple[sympy.Expr, sympy.Expr]]:
        """The open intervals (c_i, c_{i+1}) with c_0 = -oo, c_{k+1} = +oo."""
        edges = (S.NegativeInfinity, *self.breakpoints, S.Infinity)
        return list(zip(edges, edges[1:]))

    def as_piecewise(self) -> sympy.Expr:
        """A SymPy ``Piecewise`` equal to this function (undefined points left out)."""
        if not self.breakpoints:
            return self.branches[0]
        args = []
        for i, (lo, hi) in enumerate(self.intervals()):
            conditions = []
            if lo is not S.NegativeInfinity:
                conditions.append(X >= lo if self.owners[i - 1] == i else X > lo)
            if hi is not S.Infinity:
                conditions.append(X <= hi if self.owners[i] == i else X < hi)
            args.append((self.branches[i], sympy.And(*conditions)))
        for i, point in enumerate(self.breakpoints):
            if self.owners[i] == NEITHER and self.point_formula(i) is not None:
                args.insert(0, (self.convention_value(i), sympy.Eq(X, point)))
            elif self.owners[i] == NEITHER and self.values[i] is not None:
                args.insert(0, (self.values[i], sympy.Eq(X, point)))
        return Piecewise(*args)

    @cached_property
    def is_smooth_everywhere(self) -> bool:
        """No breakpoints at all."""
        return not self.breakpoints
