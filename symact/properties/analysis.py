r"""Shared facts about one bound activation, computed once per check.

``Analysis`` holds f and its exact derivatives as ``Pieces``, the smooth
branch formulas as ``Smooth`` objects, and a ``Searcher`` with the check's
deadline. The property modules ask it questions (the sign of f' on branch
i, the exact one-sided values at breakpoint c_i, the image of a branch) so
that no fact is computed twice.

Branch endpoints are exact SymPy numbers; for interval search a branch
(c_i, c_{i+1}) is widened to Arb points just outside it, so a statement
proved on the search interval holds on the branch.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import sympy
from flint import arb
from sympy import S

from symact.budget import run_with_budget
from symact.errors import SymactError
from symact.parsing import X
from symact.pieces import Pieces, same_value
from symact.properties.intervals import INF, Interval, Unsupported, _lt, to_float
from symact.properties.periodic import is_periodic, least_period, sequence_limits, sequence_text
from symact.properties.search import Bound, Deadline, Searcher, Sign, exact_interval, set_time_scale, smooth

MAX_ORDER = 3
SOLVE_SECONDS = 3.0  # SiLU's critical point -1 - W(1/e) takes 0.2 s alone, more under load
SOLVE_MAX_OPS = 40  # larger f' (GELU-tanh, Mish) have no closed-form critical point in SymPy


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    """A cheap normal form: rational functions cancelled (softsign' = 1/(1+x)^2),
    common factors pulled out of sums (SiLU' = sigma(x)(1 + x(1 - sigma(x))))."""
    if expr.is_rational_function(X):
        return sympy.factor(expr)
    return sympy.factor_terms(expr)


def compare(a: sympy.Expr, b: sympy.Expr) -> int | None:
    """Certified sign of a - b for exact extended reals: -1, 0, 1 or None."""
    if a == b:
        return 0
    try:
        ia, ib = exact_interval(a), exact_interval(b)
    except Unsupported:
        return None
    if _lt(ia.hi, ib.lo):
        return -1
    if _lt(ib.hi, ia.lo):
        return 1
    try:
        if a.is_finite and b.is_finite and same_value(a, b):
            return 0
    except SymactError:  # same_value gives up (AnalysisTimeout) rather than guess
        return None
    return None


def point_text(value) -> float | str:
    """A JSON-able x for a witness point (exact Arb point -> float)."""
    return to_float(value) if not isinstance(value, sympy.Expr) else float(sympy.N(value, 17))


@dataclass
class Extreme:
    """A candidate for inf or sup of a function: its value and whether it is taken.

    ``exact`` is the exact value where known; ``enclosure`` always holds it;
    ``attained`` says whether some x has g(x) equal to it (False for limits
    approached at an open end); ``at`` describes where (exact text or float).
    """

    enclosure: Interval
    exact: sympy.Expr | None
    attained: bool
    at: object


class Analysis:
    """Everything the property families share for one ``BoundActivation``."""

    def __init__(self, bound, seconds: float, scale: float = 1.0):
        self.bound = bound
        self.seconds = seconds
        self.scale = scale  # of every fixed wall-clock budget (see ``Searcher``)
        self.deadline = Deadline(seconds)
        self.search = Searcher(self.deadline, scale=scale)
        set_time_scale(scale)
        self.f: Pieces = bound.pieces
        # set by the smoothness family: every branch formula is C-infinity on its interval. Without
        # it a certified sign of f' proves no monotonicity (tan: f' > 0, poles at pi/2 + k pi)
        self.smooth = False

    # derivatives ---------------------------------------------------------------
    def derivative(self, order: int) -> Pieces:
        """f^(order) as exact Pieces.

        Branches are tidied cheaply (``_tidy``) instead of ``simplify``: the
        core's simplification costs a worker process per branch (and gives
        up after 2 s on GELU-tanh), and interval search needs only a form
        without needless cancellation.
        """
        if order == 0:
            return self.f
        key = ("derivative", order)
        if key not in self._cache:
            self._cache[key] = self.derivative(order - 1).derivative().map_branches(_tidy)
        return self._cache[key]

    @cached_property
    def edges(self) -> list[tuple[sympy.Expr, sympy.Expr]]:
        return self.f.intervals()

    def branch_of(self, order: int, i: int):
        """The formula of f^(order) on f's interval i (a ``Smooth``), or None."""
        pieces = self.derivative(order)
        if pieces is None:
            return None
        lo, hi = self.edges[i]
        for j, (a, b) in enumerate(pieces.intervals()):
            if compare(a, lo) in (-1, 0) and compare(hi, b) in (-1, 0):
                return smooth(pieces.branches[j])
        return None

    def search_interval(self, i: int):
        """Arb endpoints just outside (c_i, c_{i+1}) (infinite ends stay infinite)."""
        lo, hi = self.edges[i]
        a = -INF if lo is S.NegativeInfinity else exact_interval(lo).lo
        b = INF if hi is S.Infinity else exact_interval(hi).hi
        return a, b

    # signs ----------------------------------------------------------------------
    def sign(self, order: int, i: int) -> Sign:
        """Certified sign of f^(order) on the open interval i."""
        key = ("sign", order, i)
        if key not in self._cache:
            g = self.branch_of(order, i)
            if g is None:
                self._cache[key] = Sign("unknown")
            else:
                a, b = self.search_interval(i)
                sign = self.search.sign(g, a, b)
                # the search interval reaches just outside the branch (irrational or
                # non-dyadic breakpoints); a witness there says nothing about f
                positive = sign.positive_at if self.inside(i, sign.positive_at) else None
                negative = sign.negative_at if self.inside(i, sign.negative_at) else None
                kind = sign.kind
                if kind == "mixed" and (positive is None or negative is None):
                    kind = "unknown"
                self._cache[key] = Sign(kind, positive_at=positive, negative_at=negative)
        return self._cache[key]

    def inside(self, i: int, point) -> bool:
        """Whether an Arb point lies strictly inside the open interval i (None: False)."""
        if point is None:
            return False
        lo, hi = self.edges[i]
        here = Interval.point(point)
        return ((lo is S.NegativeInfinity or _lt(exact_interval(lo).hi, here.lo))
                and (hi is S.Infinity or _lt(here.hi, exact_interval(hi).lo)))

    @cached_property
    def _cache(self) -> dict:
        return {}

    # breakpoints -----------------------------------------------------------------
    def one_sided(self, order: int, i: int):
        """(left, value, right) of f^(order) at f's breakpoint c_i (exact; value None
        where it does not exist)."""
        pieces = self.derivative(order)
        point = self.f.breakpoints[i]
        if point not in pieces.breakpoints:
            value = sympy.simplify(pieces.branches[self._interval_index(pieces, point)].subs(sympy.Symbol("x", real=True), point))
            return value, value, value
        j = pieces.breakpoints.index(point)
        left, right = pieces.one_sided(j)
        return left, pieces.values[j], right

    @staticmethod
    def _interval_index(pieces: Pieces, point) -> int:
        for j, (a, b) in enumerate(pieces.intervals()):
            if compare(a, point) in (-1,) and compare(point, b) in (-1,):
                return j
        return 0

    # images -------------------------------------------------------------------------
    def end_value(self, order: int, i: int, side: int):
        """Exact limit of branch i of f^(order) at its left (side -1) or right (+1) end."""
        lo, hi = self.edges[i]
        end = lo if side < 0 else hi
        g = self.branch_of(order, i)
        if g is None:
            return None
        if end in (S.Infinity, S.NegativeInfinity):
            return g.limit(1 if end is S.Infinity else -1)
        k = self.f.breakpoints.index(end)
        left, _, right = self.one_sided(order, k)
        return right if side < 0 else left

    def extremes(self, order: int, i: int) -> tuple[list[Extreme], list[Extreme], str | None]:
        """Candidates for inf and sup of f^(order) on branch i; a reason if incomplete."""
        key = ("extremes", order, i)
        if key in self._cache:
            return self._cache[key]
        result = self._extremes(order, i)
        self._cache[key] = result
        return result

    def _extremes(self, order, i):
        g = self.branch_of(order, i)
        if g is None:
            return [], [], "no derivative"
        lo, hi = self.edges[i]
        if lo is S.NegativeInfinity and hi is S.Infinity and is_periodic(g.expr):
            return self._periodic_extremes(order, i, g)
        ends = []
        for side, end in ((-1, lo), (1, hi)):
            value = self.end_value(order, i, side)
            ends.append((value, end))
        slope = self.sign(order + 1, i) if self.smooth else Sign("unknown")
        if slope.kind == "zero":
            value = ends[0][0]
            if value is None:
                return [], [], "constant branch without a value"
            e = Extreme(exact_interval(value), value, True, f"every x in ({sympy.sstr(lo)}, {sympy.sstr(hi)})")
            return [e], [e], None
        if slope.nonnegative or slope.nonpositive:
            # strictly monotone on an open interval: the image is open
            out = []
            for value, end in ends:
                if value is None:
                    return [], [], "a one-sided limit could not be found"
                out.append(Extreme(exact_interval(value), value, False, sympy.sstr(end)))
            low, high = (out[0], out[1]) if slope.nonnegative else (out[1], out[0])
            return [low], [high], None
        # an infinite end without a limit: sequences x = a + kP along which g -> +-oo
        unbounded = {-1: [], 1: []}
        for side, (value, end) in zip((-1, 1), ends):
            if value is None and end in (S.Infinity, S.NegativeInfinity):
                way = 1 if end is S.Infinity else -1
                for start, limit in sequence_limits(g.expr, way):
                    if limit in (S.Infinity, S.NegativeInfinity):
                        unbounded[1 if limit is S.Infinity else -1].append(sequence_text(start, way, g.expr))
        a, b = self.search_interval(i)
        lows, highs, problems = [], [], []
        for target, sign, collect in ((g, 1, lows), (g.negated, -1, highs)):
            infinite = S.NegativeInfinity if sign > 0 else S.Infinity
            if any(value == infinite for value, _ in ends):
                continue  # the end limit is the extreme; nothing inside can beat it
            if unbounded[-sign]:
                collect.append(Extreme(exact_interval(infinite), infinite, False, unbounded[-sign][0]))
                continue
            bound = self.search.minimize(target, a, b)
            refined = self._refine(order, i, g, bound, sign)
            if refined is None and self.smooth and self._extreme_at_end(order, i, target, bound, ends, sign):
                continue  # the end's one-sided limit (a candidate below) is the branch's extreme
            if refined is None:
                problems.append("the search did not converge")
                enclosure = Interval(bound.lower, bound.upper)
                collect.append(Extreme(enclosure if sign > 0 else -enclosure, None, None, None))
                continue
            collect.append(refined)
        for value, end in ends:
            if value is None:
                if not (unbounded[-1] and unbounded[1]):
                    problems.append("a one-sided limit could not be found")
                continue
            extreme = Extreme(exact_interval(value), value, False, sympy.sstr(end))
            lows.append(extreme)
            highs.append(extreme)
        return lows, highs, ("; ".join(problems) or None)

    def _periodic_extremes(self, order, i, g):
        """inf and sup of a periodic branch on the whole line: those over one period, attained."""
        period = least_period(g.expr)
        a, b = exact_interval(S.Zero).lo, exact_interval(period).hi
        lows, highs, problems = [], [], []
        for target, sign, collect in ((g, 1, lows), (g.negated, -1, highs)):
            bound = self.search.minimize(target, a, b)
            refined = self._refine(order, i, g, bound, sign) if bound.complete else None
            if refined is not None:  # an isolated critical point, exact where solve finds it
                collect.append(refined)
                continue
            if not bound.complete:
                problems.append("the search over one period did not converge")
            value = Interval(bound.lower, bound.upper)
            where = {"x": None, "x_enclosure": bound.argmin} if bound.argmin is not None else None
            collect.append(Extreme(value if sign > 0 else -value, None, True if bound.complete else None, where))
        return lows, highs, ("; ".join(problems) or None)

    def _extreme_at_end(self, order, i, target, bound: Bound, ends, sign: int) -> bool:
        """Whether the inf of ``target`` (g, or -g when sign < 0) over branch i is
        the least of its end limits, and is not attained.

        Certified when, at every end whose limit is that least value L,
        ``target`` is strictly monotone towards the end on a piece next to it
        (a short interval at a breakpoint, a tail [R, oo) at infinity), and on
        the rest of the branch ``target`` stays strictly above L.
        """
        if any(value is None for value, _ in ends):
            return False
        slope = self.branch_of(order + 1, i)
        if slope is None:
            return False
        levels = [value if sign > 0 else -value for value, _ in ends]
        order_of = compare(levels[0], levels[1])
        if order_of is None:
            return False
        least = levels[0] if order_of <= 0 else levels[1]
        if least in (S.Infinity, S.NegativeInfinity):
            return False
        a, b = self.search_interval(i)
        rest = [a, b]
        for side, (level, (_, end)) in zip((-1, 1), zip(levels, ends)):
            if compare(level, least) != 0:
                continue
            piece = self._monotone_piece(slope, i, side, end, bound, sign)
            if piece is None:
                return False
            if side < 0:
                rest[0] = piece
            else:
                rest[1] = piece
        if not _lt(rest[0], rest[1]):
            return False
        level = exact_interval(least)
        check = self.search.minimize(target, rest[0], rest[1], stop_at=level.hi)
        return _lt(level.hi, check.lower)

    def _monotone_piece(self, slope, i, side, end, bound: Bound, sign: int):
        """The inner end of a piece next to ``end`` on which the target falls strictly
        towards ``end``, or None."""
        # target decreases towards the end: for sign > 0, g' > 0 at a left end, g' < 0 at a right end
        wanted_positive = (side < 0) == (sign > 0)
        a, b = self.search_interval(i)
        if end in (S.Infinity, S.NegativeInfinity):
            for reach in (4, 16, 64):
                inner = arb(-reach) if side < 0 else arb(reach)
                if not (_lt(a, inner) and _lt(inner, b)):
                    continue
                lo, hi = (a, inner) if side < 0 else (inner, b)
                found = self.search.sign(slope, lo, hi)
                strict = found.kind == ("pos" if wanted_positive else "neg") or (
                    found.kind == ("nonneg" if wanted_positive else "nonpos")
                    and (found.positive_at if wanted_positive else found.negative_at) is not None)
                if strict:
                    return inner
            return None
        edge = a if side < 0 else b
        widths = [1e-6]
        box = bound.argmin
        if box is not None and (not _lt(edge, box.lo) if side < 0 else not _lt(box.hi, edge)):
            # the argmin hull may span the whole branch (equal limits at both ends): try it after 1e-6
            widths.append(box.width())
        for width in widths:
            near = Interval(edge, edge + width) if side < 0 else Interval(edge - width, edge)
            d = slope.natural(near)
            if d.is_positive() if wanted_positive else d.is_negative():
                return near.hi if side < 0 else near.lo
        return None

    def _refine(self, order, i, g, bound: Bound, sign: int) -> Extreme | None:
        """An interior extremum with a tight argmin, exact where solve finds it."""
        if not bound.complete or bound.argmin is None or bound.point is None:
            return None
        if not (self.inside(i, bound.argmin.lo) and self.inside(i, bound.argmin.hi)):
            return None  # at (or beyond) an end of the branch: the end limits decide
        value = Interval(bound.lower, bound.upper)
        if sign < 0:
            value = -value
        argmin = bound.argmin
        slope = self.branch_of(order + 1, i)
        curve = self.branch_of(order + 2, i)
        at = None
        exact = None
        if slope is not None and curve is not None:
            convex = curve.natural(argmin)
            if (sign > 0 and convex.is_positive()) or (sign < 0 and convex.is_negative()):
                left, right = argmin.lo, argmin.hi
                if slope.at(left).is_negative() == (sign > 0) and slope.at(right).is_positive() == (sign > 0):
                    for _ in range(60):
                        mid = Interval(left, right).midpoint()
                        s = slope.at(mid)
                        if s.is_negative():
                            left, right = (mid, right) if sign > 0 else (left, mid)
                        elif s.is_positive():
                            left, right = (left, mid) if sign > 0 else (mid, right)
                        else:
                            if s.lo == 0 and s.hi == 0:  # an exact critical point
                                left = right = mid
                            break
                    argmin = Interval(left, right)
                    tight = g.enclose(argmin)
                    value = value.intersect(tight)
                    exact_at = self._solve_in(slope, curve, argmin, sign)
                    if exact_at is not None:
                        at = exact_at
                        exact = self._exact_value(g, exact_at)
                        if exact is not None:
                            closed = exact_interval(exact)
                            if _lt(closed.hi, value.lo) or _lt(value.hi, closed.lo):
                                exact = None  # inconsistent with the certified value: keep the numbers
                            else:
                                value = value.intersect(closed)
        return Extreme(value, exact, True, {"x": at, "x_enclosure": argmin})

    def _solve_in(self, slope, curve, box: Interval, sign: int):
        """The exact critical point in ``box``, from ``solve``, or None.

        A root r of f' is accepted when its enclosure meets ``box`` and f''
        has one strict sign on the hull of both: f' is then strictly
        monotone there, so r is the only critical point, the certified one.
        """
        if sympy.count_ops(slope.expr) > SOLVE_MAX_OPS:
            return None
        roots = run_with_budget(_real_roots, slope.expr, seconds=SOLVE_SECONDS * self.scale)
        if not isinstance(roots, list):
            return None
        if roots and is_periodic(slope.expr):  # solve gives principal roots only: add their translates
            period = least_period(slope.expr)
            roots = roots + [r + k * period for r in roots for k in (-2, -1, 1, 2)]
        for root in roots:
            try:
                where = exact_interval(root)
            except Unsupported:
                continue
            if _lt(where.hi, box.lo) or _lt(box.hi, where.lo):
                continue
            bend = curve.natural(box.hull(where))
            if (sign > 0 and bend.is_positive()) or (sign < 0 and bend.is_negative()):
                return root
        return None

    def _exact_value(self, g, at):
        value = run_with_budget(_simplified_value, g.expr, at, seconds=2.0 * self.scale)
        return value if isinstance(value, sympy.Expr) and value.is_number else None


def _real_roots(expr):
    from symact.functions import elementary
    from symact.parsing import X

    roots = sympy.solve(elementary(expr), X)
    return [r for r in roots if r.is_number and r.is_real]


def _simplified_value(expr, at):
    """expr at x = at, simplified; exp(W(z)) = z / W(z) is applied, which SymPy does not
    (SiLU's minimum becomes -W(1/e))."""
    from symact.functions import elementary

    value = sympy.simplify(elementary(expr).subs(X, at))
    if value.has(sympy.LambertW):
        expanded = sympy.expand_power_exp(sympy.expand(value, power_exp=True))
        rewritten = expanded.replace(
            lambda e: isinstance(e, sympy.exp) and isinstance(e.args[0], sympy.LambertW),
            lambda e: e.args[0].args[0] / e.args[0])
        shorter = sympy.simplify(rewritten)
        if sympy.count_ops(shorter) < sympy.count_ops(value):
            value = shorter
    return value
