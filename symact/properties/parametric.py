r"""Conditions on the parameters: for which values a property holds, proved symbolically.

For an activation with parameters p, some verdicts change with p: ELU is
C1 exactly when alpha = 1, Leaky ReLU is monotone exactly when its slope is
>= 0. This module states such a property as *cases*: a partition of the
parameter domain, each part a SymPy condition in p with the property's
value there.

The analysis keeps p symbolic (symbols carry their domain's assumptions):

1. Conditions on p alone inside the formula (``where(alpha > 0, ...)``)
   split the domain into parts; on each, the formula is simplified.
   Every branch must be built from functions analytic on the whole line
   (no log, fractional or negative power, ...), so that it is smooth for
   every parameter value.
2. Breakpoints are the roots in x of the conditions (linear in x; their
   order must be the same for every p in the part, by assumptions); the
   branch on each interval is chosen at an exact probe inside it.
3. *Smoothness*: f^(k) is continuous at a breakpoint c exactly when the
   one-sided values of the neighbouring branches, substituted exactly
   (each finite for every p), agree: an equation in p. The class is C^k
   on the set where orders 0..k agree and order k+1 does not.
4. *Monotonicity*: each branch's f' factors as c(p) h(x, p) with h > 0 on
   the branch except at isolated points (by assumptions, or, when h does
   not involve p, by certified interval search). Then f is non-decreasing
   exactly when every c(p) >= 0 and no breakpoint jumps down.
5. *Range*: where f is continuous and strictly monotone, its range is the
   open interval between the limits at -oo and +oo (SymPy ``limit`` on one
   branch with symbolic p, in a worker).

Anything outside these patterns gives no condition (the verdict at the
bound values stands alone); nothing here guesses.
"""
from __future__ import annotations

import itertools

import sympy
from sympy import S

from symact.parsing import X
from symact.pieces import to_piecewise_form
from symact.properties.smoothness import _domain_conditions

SECONDS = 3.0
MAX_ORDER = 3


def _text(condition) -> str:
    return sympy.sstr(condition, order="lex")


class Case:
    """One part of the parameter domain (a SymPy Boolean in the parameters) with the formula there."""

    def __init__(self, condition, expr):
        self.condition = condition
        self.expr = expr


class Structure:
    """f on one part of the domain as symbolic breakpoints and branches."""

    def __init__(self, breakpoints, branches, values):
        self.breakpoints = breakpoints
        self.branches = branches
        self.values = values


def _domain_condition(param) -> sympy.Basic:
    return param.domain.as_relational(param.symbol)


def _parameter_relations(expr, symbols) -> list:
    return sorted({r for r in expr.atoms(sympy.core.relational.Relational)
                   if r.free_symbols and r.free_symbols <= symbols}, key=sympy.default_sort_key)


def cases(activation) -> list[Case]:
    """The parts of the parameter domain cut out by conditions on the parameters alone."""
    symbols = {p.symbol for p in activation.params}
    domain = sympy.And(*[_domain_condition(p) for p in activation.params])
    relations = _parameter_relations(activation.expr, symbols)
    out = []
    for truths in itertools.product((True, False), repeat=len(relations)):
        condition = sympy.And(domain, *[r if t else sympy.Not(r) for r, t in zip(relations, truths)])
        if condition is S.false:
            continue
        expr = activation.expr.subs({r: (S.true if t else S.false) for r, t in zip(relations, truths)})
        if len(symbols) == 1:
            (symbol,) = symbols
            part = (condition.as_set() if condition is not S.true else S.Reals).intersect(activation.params[0].domain)
            if part is S.EmptySet:
                continue
            if isinstance(part, sympy.FiniteSet) and len(part) == 1:
                expr = expr.subs(symbol, next(iter(part)))
            condition = part.as_relational(symbol) if part is not S.Reals else S.true
        out.append(Case(sympy.simplify(condition) if condition not in (S.true, S.false) else condition,
                        sympy.piecewise_fold(expr)))
    return out


def _roots(relation) -> list:
    difference = sympy.expand(relation.lhs - relation.rhs)
    if X not in difference.free_symbols:
        return []
    poly = sympy.Poly(difference, X)
    if poly.degree() != 1:
        raise ValueError("a non-linear condition in x")
    a, b = poly.all_coeffs()
    return [sympy.simplify(-b / a)]


def _decide(truth) -> bool | None:
    truth = sympy.simplify(truth)
    if truth in (S.true, True):
        return True
    if truth in (S.false, False):
        return False
    return None


def structure(expr) -> Structure | None:
    """Breakpoints (ordered for every parameter value, by assumptions) and branches, or None."""
    folded = to_piecewise_form(expr)
    if not isinstance(folded, sympy.Piecewise):
        return Structure([], [folded], [])
    points = []
    for relation in folded.atoms(sympy.core.relational.Relational):
        try:
            for root in _roots(relation):
                if all(sympy.simplify(root - q) != 0 for q in points):
                    points.append(root)
        except (ValueError, sympy.PolynomialError):
            return None
    if not points:
        return Structure([], [folded.args[0].expr], [])
    ordered = []
    for p in points:  # insertion sort with proved comparisons
        at = len(ordered)
        for index, q in enumerate(ordered):
            gap = sympy.simplify(q - p)
            if gap.is_positive:
                at = index
                break
            if not gap.is_negative:
                return None
        ordered.insert(at, p)
    probes = [ordered[0] - 1] + [(a + b) / 2 for a, b in zip(ordered, ordered[1:])] + [ordered[-1] + 1]

    def select(at):
        for piece, condition in folded.args:
            truth = _decide(condition.subs(X, at))
            if truth is None:
                raise LookupError
            if truth:
                return piece
        raise LookupError

    try:
        branches = [select(p) for p in probes]
        values = [select(c) for c in ordered]
    except LookupError:
        return None
    return Structure(ordered, branches, [v.subs(X, c) for v, c in zip(values, ordered)])


def _finite(value) -> bool:
    return bool(value.is_finite) and not value.has(S.NaN, S.ComplexInfinity)


def _equal_condition(a, b):
    difference = sympy.simplify(a - b)
    if difference == 0:
        return S.true
    if difference.is_number:
        return S.false if difference != 0 else S.true
    return sympy.Eq(difference, 0)


def _reduce(condition, params):
    """A condition in simplest form on the domain (a set's relational for one parameter)."""
    domain = sympy.And(*[_domain_condition(p) for p in params])
    full = sympy.And(domain, condition)
    if len(params) == 1:
        symbol = params[0].symbol
        try:
            part = (full.as_set() if full is not S.true else S.Reals).intersect(params[0].domain)
        except (NotImplementedError, TypeError, ValueError):
            return sympy.simplify(condition)
        if part is S.EmptySet:
            return S.false
        if part == params[0].domain:
            return S.true
        return part.as_relational(symbol)
    simplified = sympy.simplify(condition)
    return simplified


def smoothness_cases(shape: Structure, params) -> list[tuple[object, str]] | None:
    """[(condition, class)] from the one-sided derivative values at the breakpoints."""
    if not shape.breakpoints:
        return [(S.true, "C-infinity")]
    agree = []  # agree[k]: f^(k) continuous at every breakpoint
    for k in range(MAX_ORDER + 1):
        conditions = []
        for i, c in enumerate(shape.breakpoints):
            left = sympy.diff(shape.branches[i], X, k).subs(X, c)
            right = sympy.diff(shape.branches[i + 1], X, k).subs(X, c)
            if not (_finite(left) and _finite(right)):
                return None
            conditions.append(_equal_condition(left, right))
            if k == 0:
                conditions.append(_equal_condition(left, shape.values[i]))
        agree.append(sympy.And(*conditions))
    out = []
    holds = S.true
    for k in range(MAX_ORDER + 1):
        now = _reduce(sympy.And(holds, agree[k]), params)
        label = "discontinuous" if k == 0 else f"C{k - 1}"
        fails = _reduce(sympy.And(holds, sympy.Not(agree[k])), params)
        if fails is not S.false:
            out.append((fails, label))
        holds = now
        if holds is S.false:
            return out
    # f, f', f'', f''' agree at every breakpoint on ``holds``: C-infinity where the branches coincide
    if len(params) == 1 and isinstance(holds, sympy.Eq):
        at = {params[0].symbol: sympy.solve(holds, params[0].symbol)[0]}
        if all(sympy.simplify((a - b).subs(at)) == 0 for a, b in zip(shape.branches, shape.branches[1:])):
            out.append((holds, "C-infinity"))
            return out
    return None  # smooth up to MAX_ORDER on a set: the bound check says more there


def _branch_factor(derivative, lo, hi, sign_of):
    """(c(p), kind) with derivative = c(p) h(x, p), h > 0 on (lo, hi) but at isolated points."""
    if derivative == 0:
        return S.Zero, "zero"
    constant, rest = S.One, S.One
    for factor in sympy.Mul.make_args(sympy.factor_terms(derivative)):
        if X in factor.free_symbols:
            rest *= factor
        else:
            constant *= factor
    if rest == 1:
        return constant, "pos"
    kind = sign_of(rest, lo, hi)
    return (constant, "pos") if kind == "pos" else (-constant, "pos") if kind == "neg" else (None, None)


def _assumed_sign(expr, lo, hi):
    y = sympy.Symbol("y", positive=True)
    if lo is S.NegativeInfinity and hi is S.Infinity:
        moved = expr.subs(X, sympy.Symbol("t", real=True))
    elif lo is S.NegativeInfinity:
        moved = expr.subs(X, hi - y)
    else:
        moved = expr.subs(X, lo + y)
    if moved.is_positive:
        return "pos"
    if moved.is_negative:
        return "neg"
    return None


def monotonicity_cases(shape: Structure, params, sign_of) -> dict | None:
    """Conditions for non_decreasing, strictly_increasing, non_increasing, and the classification."""
    edges = [S.NegativeInfinity, *shape.breakpoints, S.Infinity]
    slopes = []
    for i, branch in enumerate(shape.branches):
        constant, kind = _branch_factor(sympy.diff(branch, X), edges[i], edges[i + 1], sign_of)
        if kind is None:
            return None
        slopes.append(constant)
    up_jumps, down_jumps = [], []
    for i, c in enumerate(shape.breakpoints):
        left, right, value = shape.branches[i].subs(X, c), shape.branches[i + 1].subs(X, c), shape.values[i]
        if not all(_finite(v) for v in (left, right, value)):
            return None
        up_jumps += [left <= value, value <= right]
        down_jumps += [left >= value, value >= right]
    up = sympy.And(*[s >= 0 for s in slopes], *up_jumps)
    strict = sympy.And(*[s > 0 for s in slopes], *up_jumps)
    down = sympy.And(*[s <= 0 for s in slopes], *down_jumps)
    strict_down = sympy.And(*[s < 0 for s in slopes], *down_jumps)
    result = {name: _reduce(cond, params) for name, cond in
              (("non_decreasing", up), ("strictly_increasing", strict), ("non_increasing", down),
               ("strictly_decreasing", strict_down))}
    return result


def _limit(expr, side):
    return sympy.limit(expr, X, S.Infinity if side > 0 else S.NegativeInfinity)


def range_text(shape: Structure, increasing: bool, part, params) -> str | None:
    """The open range of a continuous strictly monotone f from its limits at -oo and +oo
    (one parameter: its symbol gets the sign that ``part`` implies, so that the limit is exact)."""
    from symact.functions import elementary

    swap = {}
    if len(params) == 1:
        symbol = params[0].symbol
        region = part.as_set().intersect(params[0].domain) if part is not S.true else params[0].domain
        for key in ("positive", "negative"):
            inside = sympy.Interval.open(0, S.Infinity) if key == "positive" else sympy.Interval.open(S.NegativeInfinity, 0)
            if region.is_subset(inside):
                swap = {symbol: sympy.Symbol(symbol.name, real=True, **{key: True})}
    back = {v: k for k, v in swap.items()}
    ends = []
    for side, branch in ((-1, shape.branches[0]), (1, shape.branches[-1])):
        value = _limit(elementary(branch).subs(swap), side)  # the caller runs the whole analysis in a worker
        if not isinstance(value, sympy.Expr) or value.has(sympy.AccumBounds, S.NaN, sympy.Limit, sympy.sign,
                                                         sympy.Abs, sympy.Piecewise):
            return None
        ends.append(sympy.simplify(value.subs(back)))
    low, high = ends if increasing else ends[::-1]
    return f"({sympy.sstr(low)}, {sympy.sstr(high)})"


def _classify(mono: dict, params) -> list[tuple[object, str]]:
    labels = []
    remaining = S.true
    for name, label in (("strictly_increasing", "strictly increasing"), ("strictly_decreasing", "strictly decreasing"),
                        ("non_decreasing", "non-decreasing"), ("non_increasing", "non-increasing")):
        part = _reduce(sympy.And(remaining, mono[name]), params)
        if part is not S.false:
            labels.append((part, label))
        remaining = _reduce(sympy.And(remaining, sympy.Not(mono[name])), params)
    if remaining is not S.false:
        labels.append((remaining, "not monotone"))
    return labels


def parametric_conditions(activation, sign_of=None) -> dict[str, dict]:
    """{property: condition JSON} for an activation with parameters (empty when it has none).

    ``sign_of(h, lo, hi)`` gives "pos" / "neg" / None for a factor h of f'
    on (lo, hi) (default: SymPy's assumptions, x written as lo + y or
    hi - y with y > 0). SymPy calls here are not budgeted one by one: run
    the whole function under ``run_with_budget``.
    """
    sign_of = sign_of or _assumed_sign
    params = list(activation.params)
    if not params:
        return {}
    found: dict[str, list] = {}
    for case in cases(activation):
        shape = structure(case.expr)
        if shape is None:
            return {}
        if any(_domain_conditions(branch) for branch in shape.branches):
            # a log, a fractional or negative power...: the branch may be singular for some parameter
            # values, and one-sided values or signs of f' then say nothing there
            continue
        smooth = smoothness_cases(shape, params)
        mono = monotonicity_cases(shape, params, sign_of)
        entries = {}
        if smooth is not None:
            entries["continuity_class"] = [(sympy.And(case.condition, c), v) for c, v in smooth]
        if mono is not None:
            for name in ("non_decreasing", "strictly_increasing", "non_increasing"):
                entries[name] = [(sympy.And(case.condition, mono[name]), True),
                                 (sympy.And(case.condition, sympy.Not(mono[name])), False)]
            entries["monotonicity"] = [(sympy.And(case.condition, c), v) for c, v in _classify(mono, params)]
            continuous = smooth is not None and all(v != "discontinuous" for _, v in smooth)
            for name, label in (("strictly_increasing", True), ("strictly_decreasing", False)):
                part = _reduce(sympy.And(case.condition, mono[name]), params)
                if continuous and part is not S.false:
                    text = range_text(shape, label, part, params)
                    if text is not None:
                        entries.setdefault("range", []).append((part, text))
        for name, items in entries.items():
            found.setdefault(name, []).extend(items)
    out = {}
    domain = {p.name: p.domain_text for p in params}
    for name, items in found.items():
        parts = []
        for condition, value in items:
            reduced = _reduce(condition, params)
            if reduced is S.false:
                continue
            parts.append({"when": _text(reduced), "value": value})
        if name != "range" and len({str(p["value"]) for p in parts}) < 2:
            continue  # the same everywhere: the bound verdict says it all
        out[name] = {"parameters": domain, "cases": parts, "method": "symbolic",
                     "reason": REASONS.get(name, "")}
    return out


REASONS = {
    "continuity_class": "one-sided values of f, f', f'', f''' at the breakpoints, equal as expressions in the parameters",
    "non_decreasing": "f' = c(p) h(x) on each branch with h > 0 but at isolated points; signs of the c(p) and "
                      "of the jumps at the breakpoints",
    "strictly_increasing": "as non_decreasing, every c(p) > 0",
    "non_increasing": "as non_decreasing, every c(p) <= 0",
    "monotonicity": "from the conditions of non_decreasing, strictly_increasing and non_increasing",
    "range": "continuous and strictly monotone where stated: the open interval between the limits at -oo and +oo "
             "(elsewhere see the bound verdict)",
}
