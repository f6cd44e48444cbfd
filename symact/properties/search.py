r"""Certified search on one smooth branch formula: bounds, signs and tails.

Everything here is branch and bound over ``Interval`` boxes of the extended
line (``symact.properties.intervals``). A box's enclosure is the natural
interval extension intersected, on finite boxes, with the mean value form
:math:`g(m) + g'(B)(B - m)`, which is what makes enclosures of a minimum
converge quadratically.

An infinite box [a, +inf] cannot be cut forever. When its natural enclosure
is useless (``x * sigmoid(x)`` on [-inf, -1] is [-inf, 0]) it gets the
*monotone tail* enclosure: if the sign of g' on the tail is proved (by the
same search, one level deeper, trying the factors of g' one by one first)
and the limit L of g at infinity is exact, g lies between g(a) and L.

Nothing here samples to decide: a point is only ever used as a certified
witness (its value is an interval that excludes the threshold) or to
improve an upper bound on a minimum.
"""
from __future__ import annotations

import heapq
from contextlib import contextmanager
import itertools
import time
from dataclasses import dataclass
from functools import cached_property, lru_cache

import sympy
from flint import arb
from sympy import S

from symact.budget import run_with_budget
from symact.functions import elementary
from symact.parsing import X
from symact.properties.intervals import (INF, Interval, Unsupported, _is_inf, _lt, compile_interval, constant_ball,
                                         stable_form, to_float)

LIMIT_SECONDS = 1.0
MAX_BOXES = 3000
# An infinite box is cut only at these points, so tail enclosures are computed
# (and cached) at a fixed ladder of starts, whatever the search order.
CUTS = tuple(sorted([arb(-4.0 * 4 ** k) for k in range(14)] + [arb(0)] + [arb(4.0 * 4 ** k) for k in range(14)]))
SEARCH_SECONDS = 5.0  # safety nets only: box counts bound the work, so verdicts do not
NESTED_SECONDS = 1.0  # depend on the machine's load
NESTED_BOXES = 300
RATIO_MAX_OPS = 60  # a cancelled h'/h larger than this is slower to search than it is worth
PROBES = tuple(arb(v) / 8 for v in (-160, -40, -24, -16, -12, -8, -4, -2, -1, 1, 2, 4, 8, 12, 16, 24, 40, 160))


_TIME_SCALE = [1.0]


def set_time_scale(scale: float) -> None:
    """Scale the fixed budget of SymPy limits (see ``Searcher``: a long check allows a loaded machine)."""
    _TIME_SCALE[0] = scale


class Deadline:
    """A wall-clock budget shared by every search of one check."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def expired(self) -> bool:
        return time.monotonic() > self.end


def _pick_limit(expr: sympy.Expr, at: sympy.Expr):
    # hyperbolic functions as exponentials: measured 2-3x faster in gruntz
    return sympy.limit(elementary(expr).rewrite(sympy.exp), X, at)


def _determinate(value) -> bool:
    return bool(value.is_number and not value.has(sympy.nan, sympy.zoo, sympy.AccumBounds)
                and (value.is_extended_real is True))


@lru_cache(maxsize=4096)
def exact_limit(expr: sympy.Expr, side: int, seconds: float = LIMIT_SECONDS):
    r"""The exact limit of ``expr`` as x -> side * oo, or None.

    First by substitution (exact whenever every sub-expression has a
    determinate extended-real limit, e.g. ``sigmoid(oo) = 1``), else by
    SymPy's ``limit`` on the elementary form, which is reliable on single
    smooth branches, run under a time budget.
    """
    if expr.could_extract_minus_sign():
        negated = exact_limit(-expr, side, seconds)
        return None if negated is None else -negated
    at = S.Infinity if side > 0 else S.NegativeInfinity
    try:
        value = expr.subs(X, at)
    except Exception:  # SymPy may raise on indeterminate forms
        value = sympy.nan
    if _determinate(value):
        return value
    result = run_with_budget(_pick_limit, expr, at, seconds=seconds)
    if isinstance(result, sympy.Expr) and _determinate(result):
        return result
    return None


def exact_interval(value: sympy.Expr) -> Interval:
    """The Interval of an exact extended-real number."""
    if value is S.Infinity:
        return Interval(INF, INF)
    if value is S.NegativeInfinity:
        return Interval(-INF, -INF)
    return Interval.of_ball(constant_ball(value))


@dataclass(eq=False)
class Smooth:
    """A branch formula g(x) with its interval evaluator and derivative."""

    expr: sympy.Expr

    @cached_property
    def evaluator(self):
        try:
            return compile_interval(self.expr)
        except Unsupported:
            return None

    @cached_property
    def derivative(self) -> "Smooth":
        return smooth(sympy.diff(self.expr, X))

    @cached_property
    def negated(self) -> "Smooth":
        return smooth(-self.expr)

    @cached_property
    def is_zero(self) -> bool:
        return self.expr == 0

    def natural(self, box: Interval) -> Interval:
        try:
            return self.evaluator(box)
        except (Unsupported, ZeroDivisionError, ValueError):
            return Interval.whole()

    def at(self, point) -> Interval:
        """A certified enclosure of g at an exact point."""
        return self.natural(Interval.point(point))

    def enclose(self, box: Interval) -> Interval:
        """Natural enclosure, sharpened by the mean value form on finite boxes."""
        value = self.natural(box)
        if box.is_finite() and box.lo != box.hi and self.derivative.evaluator is not None:
            mid = box.midpoint()
            slope = self.derivative.natural(box)
            if slope.is_finite():
                offset = box - Interval.point(mid)
                value = value.intersect(self.at(mid) + slope * offset)
        return value

    def limit(self, side: int):
        """The exact limit at side * oo (a SymPy number) or None."""
        return exact_limit(self.expr, side, LIMIT_SECONDS * _TIME_SCALE[0])


@lru_cache(maxsize=4096)
def smooth(expr: sympy.Expr) -> Smooth:
    """The shared ``Smooth`` of a formula in its stable form (cached per process)."""
    return Smooth(stable_form(expr))


def _cancelled_ratio(numerator: sympy.Expr, denominator: sympy.Expr) -> sympy.Expr:
    return sympy.cancel(sympy.powsimp(elementary(numerator / denominator).rewrite(sympy.exp)))


def _as_rational(point) -> sympy.Expr | None:
    value = to_float(point)
    return sympy.Rational(value) if arb(value) == point else None


@dataclass
class Bound:
    """Result of a minimisation of g over [lo, hi].

    ``lower`` <= inf g <= ``upper`` (endpoints), ``point`` an exact point
    with g(point) <= ``upper`` (or None), ``argmin`` an Interval holding
    every minimiser found by the search (None when the inf may be at an
    infinite end), ``complete`` whether the search met its tolerance.
    """

    lower: object
    upper: object
    point: object
    argmin: Interval | None
    complete: bool


def _split(box: Interval):
    lo, hi = box.lo, box.hi
    if _is_inf(lo) and _is_inf(hi):
        zero = arb(0)
        return [Interval(lo, zero), Interval(zero, hi)]
    if _is_inf(hi):
        cut = next((c for c in CUTS if _lt(lo, c)), None)
        return None if cut is None else [Interval(lo, cut), Interval(cut, hi)]
    if _is_inf(lo):
        cut = next((c for c in reversed(CUTS) if _lt(c, hi)), None)
        return None if cut is None else [Interval(lo, cut), Interval(cut, hi)]
    mid = box.midpoint()
    if not (lo < mid < hi):
        return None
    return [Interval(lo, mid), Interval(mid, hi)]


def _key(endpoint) -> float:
    return endpoint if _is_inf(endpoint) else float(endpoint.mid())


def _initial(lo, hi) -> list[Interval]:
    cuts = [lo]
    for c in (-1, 0, 1):
        point = arb(c)
        if _lt(cuts[-1], point) and _lt(point, hi):
            cuts.append(point)
    cuts.append(hi)
    return [Interval(a, b) for a, b in zip(cuts, cuts[1:])]


class Searcher:
    """Branch and bound for one check, sharing its deadline and tail cache."""

    def __init__(self, deadline: Deadline, depth: int = 2, scale: float = 1.0):
        self.deadline = deadline
        self.depth = depth
        # multiplies the wall-clock safety nets: a caller that allows a long check (tests on a
        # loaded machine) gets the same verdicts as an idle machine, the box counts deciding
        self.scale = scale
        self._tails: dict = {}
        self._signs: dict = {}

    @contextmanager
    def limited(self, seconds: float):
        """Run the searches inside with at most ``seconds`` of the shared deadline."""
        saved = self.deadline
        self.deadline = Deadline(min(seconds, max(0.0, saved.left())))
        try:
            yield
        finally:
            self.deadline = saved

    # enclosures -------------------------------------------------------------
    def enclose(self, g: Smooth, box: Interval, depth: int, lower_only: bool = False) -> Interval:
        """g on ``box``; with ``lower_only``, tail work is done only for an infinite lower bound
        (a minimisation needs nothing else)."""
        value = g.enclose(box)
        if box.is_finite() or depth <= 0 or value.is_finite() or (lower_only and not _is_inf(value.lo)):
            return value
        if _is_inf(box.hi) and not _is_inf(box.lo):
            return self.tail_enclose(g.expr, box.lo, +1, depth)
        if _is_inf(box.lo) and not _is_inf(box.hi):
            return self.tail_enclose(g.expr, box.hi, -1, depth)
        return value

    def tail_enclose(self, expr: sympy.Expr, start, side: int, depth: int) -> Interval:
        """Enclosure of expr on a tail, term by term and factor by factor.

        Where the natural enclosure of a sum or product is unbounded (an
        indeterminate 0 * oo inside), each term or factor gets its own
        enclosure, and any sub-expression may get the monotone tail one.
        """
        g = smooth(expr)
        box = Interval(start, INF) if side > 0 else Interval(-INF, start)
        value = g.natural(box)
        if value.is_finite() or X not in expr.free_symbols:
            return value
        tail = self.tail(g, start, side, depth)
        if tail is not None:
            value = value.intersect(tail)
            if value.is_finite():
                return value
        return value.intersect(self._structured(expr, start, side, depth))

    def _structured(self, expr: sympy.Expr, start, side: int, depth: int) -> Interval:
        """Sum of the terms' (product of the factors') tail enclosures."""
        if not (expr.is_Add or expr.is_Mul):
            return Interval.whole()
        parts = [self.tail_enclose(arg, start, side, depth) for arg in expr.args]
        total = parts[0]
        for part in parts[1:]:
            total = total + part if expr.is_Add else total * part
        return total

    def tail(self, g: Smooth, start, side: int, depth: int) -> Interval | None:
        """g on [start, +inf] (side +1) or [-inf, start] (side -1) by monotonicity."""
        key = (id(g), str(start), side, depth)
        if key in self._tails:
            return self._tails[key]
        self._tails[key] = None
        result = None
        if not self.deadline.expired():
            lo, hi = (start, INF) if side > 0 else (-INF, start)
            sign = self.sign(g.derivative, lo, hi, depth - 1).kind
            if sign in ("unknown", "mixed"):
                sign = self._log_derivative_sign(g, start, side, depth - 1)
            rising = sign in ("pos", "nonneg", "zero")
            falling = sign in ("neg", "nonpos", "zero")
            limit = g.limit(side) if rising != falling else None
            if limit is not None:
                at_start = g.at(start)
                at_end = exact_interval(limit)
                if rising:
                    result = Interval(at_start.lo, at_end.hi) if side > 0 else Interval(at_end.lo, at_start.hi)
                else:
                    result = Interval(at_end.lo, at_start.hi) if side > 0 else Interval(at_start.lo, at_end.hi)
            elif sign == "zero":
                result = g.at(start)
            elif rising != falling:
                # monotone, no exact limit: the other side from the term-by-term enclosure
                other = self._structured(g.expr, start, side, depth)
                at_start = g.at(start)
                toward_end_up = rising == (side > 0)
                result = Interval(at_start.lo, other.hi) if toward_end_up else Interval(other.lo, at_start.hi)
        if self.deadline.expired() and result is None:
            del self._tails[key]  # cut short: another caller with more time may succeed
        else:
            self._tails[key] = result
        return result

    def _log_derivative_sign(self, g: Smooth, start, side: int, depth: int) -> str:
        r"""Sign of g' on a tail from g' = g \sum_h h'/h over the factors h of g.

        Each factor's sign on the tail comes from SymPy's assumptions (x
        written as start +- y with y > 0), so g has no zero there; the sum of
        logarithmic derivatives, cancelled symbolically, is bounded where g'
        itself is an indeterminate 0 * oo (Mish: x tanh(softplus x) at -oo).
        """
        if depth < 0:
            return "unknown"
        at = _as_rational(start)
        if at is None:
            return "unknown"
        y = sympy.Symbol("y", positive=True)
        shifted = at + y if side > 0 else at - y
        negative = False
        ratios = []
        for factor in sympy.Mul.make_args(sympy.factor_terms(g.expr)):
            if X not in factor.free_symbols:
                value = exact_interval(factor) if factor.is_number else None
                if value is None or not (value.is_positive() or value.is_negative()):
                    return "unknown"
                negative ^= value.is_negative()
                continue
            moved = factor.subs(X, shifted)
            if moved.is_positive:
                pass
            elif moved.is_negative:
                negative = not negative
            else:
                return "unknown"
            ratio = sympy.cancel(sympy.diff(factor, X) / factor)
            box = Interval(start, INF) if side > 0 else Interval(-INF, start)
            if not smooth(ratio).natural(box).is_finite() or smooth(ratio).evaluator is None:
                other = run_with_budget(_cancelled_ratio, sympy.diff(factor, X), factor, seconds=LIMIT_SECONDS)
                if isinstance(other, sympy.Expr) and sympy.count_ops(other) <= RATIO_MAX_OPS:
                    ratio = other
            ratios.append(ratio)
        if not ratios:
            return "zero"
        lo, hi = (start, INF) if side > 0 else (-INF, start)
        total = self.sign(smooth(sympy.Add(*ratios)), lo, hi, depth)
        if total.kind == "zero":
            return "zero"
        if total.nonnegative:
            return "nonpos" if negative else "nonneg"
        if total.nonpositive:
            return "nonneg" if negative else "nonpos"
        return "unknown"

    # minimisation -------------------------------------------------------------
    def minimize(self, g: Smooth, lo, hi, *, stop_at=None, tol: float = 1e-14,
                 depth: int | None = None, max_boxes: int = MAX_BOXES) -> Bound:
        """Bound inf g on [lo, hi] (endpoints may be infinite).

        With ``stop_at`` = t, stop as soon as g >= t is proved on the whole
        interval (``lower >= t``) or a point with g < t is certified
        (``upper < t``).
        """
        depth = self.depth if depth is None else depth
        if g.evaluator is None:
            return Bound(-INF, INF, None, None, False)
        counter = itertools.count()
        heap = []
        upper, best = INF, None
        stuck: list = []

        def consider(point):
            nonlocal upper, best
            value = g.at(point)
            if _lt(value.hi, upper):
                upper, best = value.hi, point

        upgraded: set = set()

        def push(box, value=None):
            if value is None:
                value = g.enclose(box)
            heapq.heappush(heap, (_key(value.lo), next(counter), box, value))

        for box in _initial(lo, hi):
            push(box)
            for end in (box.lo, box.hi):
                if not _is_inf(end):
                    consider(end)
            consider(box.midpoint())
        boxes = 0
        complete = False
        nested = depth < self.depth
        give_up = time.monotonic() + (NESTED_SECONDS if nested else SEARCH_SECONDS) * self.scale
        if nested:
            max_boxes = min(max_boxes, NESTED_BOXES)
        stuck_low = INF  # boxes that cannot be split leave the heap, but their lower ends still count
        while heap:
            _, _, box, value = heap[0]
            low = value.lo if _lt(value.lo, stuck_low) else stuck_low
            if stop_at is not None:
                if not _lt(low, stop_at):
                    complete = True
                    break
                if _lt(upper, stop_at):
                    complete = True
                    break
            elif not _is_inf(low) and not _is_inf(upper) and float((upper - low).upper().mid()) <= tol * max(1.0, abs(_key(upper))):
                complete = True
                break
            if boxes >= max_boxes or self.deadline.expired() or time.monotonic() > give_up:
                break
            heapq.heappop(heap)
            if not _lt(value.lo, upper) and stop_at is None and not _is_inf(upper):
                continue
            if not box.is_finite() and id(box) not in upgraded:
                # tail work only for an infinite box that decides the search
                upgraded.add(id(box))
                push(box, value.intersect(self.enclose(g, box, depth)))
                continue
            parts = _split(box)
            if parts is None or (box.is_finite() and box.width() < 1e-300):
                stuck.append((box, value))
                if _lt(value.lo, stuck_low):
                    stuck_low = value.lo
                continue
            boxes += 1
            for part in parts:
                consider(part.midpoint())
                push(part)
        if complete and stop_at is None and not _is_inf(upper):
            heap = self._tighten(g, heap, upper, depth)
        lows = [v.lo for _, _, _, v in heap] + [v.lo for _, v in stuck]
        lower = lows[0] if lows else upper
        for low in lows[1:]:
            if _lt(low, lower):
                lower = low
        if not lows:
            complete = True
        if _lt(upper, lower):
            lower = upper
        candidates = [b for _, _, b, v in heap if not _lt(upper, v.lo)] + [b for b, v in stuck if not _lt(upper, v.lo)]
        argmin = None
        if candidates and all(b.is_finite() for b in candidates):
            argmin = candidates[0]
            for b in candidates[1:]:
                argmin = argmin.hull(b)
        return Bound(lower, upper, best, argmin, complete)

    def _tighten(self, g: Smooth, heap: list, upper, depth: int, splits: int = 400) -> list:
        """Split the boxes that may hold a minimiser until they are narrow.

        The value enclosure is already tight; this only shrinks the argmin
        hull, so that the critical point can be isolated (f'' of one sign).
        """
        keep = [(box, value) for _, _, box, value in heap if not _lt(upper, value.lo)]
        for _ in range(splits):
            wide = [item for item in keep if item[0].is_finite() and item[0].width() > 1e-9 * max(1.0, abs(_key(item[0].lo)))]
            if not wide or len(keep) > 64:
                break
            box, _ = max(wide, key=lambda item: item[0].width())
            keep = [item for item in keep if item[0] is not box]
            for part in _split(box) or []:
                value = self.enclose(g, part, depth)
                if not _lt(upper, value.lo):
                    keep.append((part, value))
        counter = itertools.count()
        return [(_key(v.lo), next(counter), b, v) for b, v in keep]

    def sign(self, g: Smooth, lo, hi, depth: int | None = None) -> "Sign":
        """The sign of g on the open interval (lo, hi), certified, or unknown."""
        depth = self.depth if depth is None else depth
        key = (id(g), str(lo), str(hi), depth)
        if key in self._signs:
            return self._signs[key]
        result = self._sign(g, lo, hi, depth)
        if not (self.deadline.expired() and result.kind == "unknown"):
            self._signs[key] = result
        return result

    def _sign(self, g: Smooth, lo, hi, depth: int) -> "Sign":
        result = self._bare_sign(g, lo, hi, depth)
        if result.kind in ("zero", "mixed"):
            return result
        # probes lie strictly inside (lo, hi); a minimiser may sit on an end
        positive_at, negative_at = self._probe(g, lo, hi)
        if positive_at is not None:
            result.positive_at = positive_at
        if negative_at is not None:
            result.negative_at = negative_at
        return result

    def _bare_sign(self, g: Smooth, lo, hi, depth: int) -> "Sign":
        if g.is_zero:
            return Sign("zero")
        if g.expr.is_number:
            value = exact_interval(g.expr)
            return Sign("pos" if value.is_positive() else "neg" if value.is_negative() else "unknown")
        positive_at, negative_at = self._probe(g, lo, hi)
        if positive_at is not None and negative_at is not None:
            return Sign("mixed", positive_at=positive_at, negative_at=negative_at)
        factors = sympy.Mul.make_args(sympy.factor_terms(g.expr))
        if len(factors) > 1:
            signs = [self.sign(smooth(f), lo, hi, depth) for f in factors]
            kinds = [s.kind for s in signs]
            if all(k in ("pos", "neg", "nonneg", "nonpos", "zero") for k in kinds):
                return _combine(kinds)
        below = self.minimize(g, lo, hi, stop_at=arb(0), depth=depth)
        above = self.minimize(g.negated, lo, hi, stop_at=arb(0), depth=depth)
        neg_witness = below.point if _lt(below.upper, arb(0)) else None
        pos_witness = above.point if _lt(above.upper, arb(0)) else None
        nonneg = not _lt(below.lower, arb(0))
        nonpos = not _lt(above.lower, arb(0))
        if nonneg and nonpos:
            return Sign("zero")
        if nonneg:
            return Sign("pos" if _lt(arb(0), below.lower) else "nonneg", positive_at=pos_witness)
        if nonpos:
            return Sign("neg" if _lt(arb(0), above.lower) else "nonpos", negative_at=neg_witness)
        if neg_witness is not None and pos_witness is not None:
            return Sign("mixed", positive_at=pos_witness, negative_at=neg_witness)
        return Sign("unknown", positive_at=pos_witness, negative_at=neg_witness)

    @staticmethod
    def _probe(g: Smooth, lo, hi):
        """Points with g certified > 0 and < 0 among a few probes (or None)."""
        positive_at = negative_at = None
        if g.evaluator is None:
            return None, None
        points = [p for p in PROBES if _lt(lo, p) and _lt(p, hi)]
        if not points:
            points = [Interval(lo, hi).midpoint()]
        for point in points:
            value = g.at(point)
            if positive_at is None and value.is_positive():
                positive_at = point
            elif negative_at is None and value.is_negative():
                negative_at = point
        return positive_at, negative_at


@dataclass
class Sign:
    """A certified sign of g on an interval.

    kind: 'pos' (g > 0), 'nonneg' (g >= 0), 'neg', 'nonpos', 'zero' (g = 0),
    'mixed' (both signs, with witnesses), 'unknown'. ``positive_at`` /
    ``negative_at``: exact points where g > 0 / g < 0 is certified.
    """

    kind: str
    positive_at: object = None
    negative_at: object = None

    @property
    def nonnegative(self) -> bool:
        return self.kind in ("pos", "nonneg", "zero")

    @property
    def nonpositive(self) -> bool:
        return self.kind in ("neg", "nonpos", "zero")


def _combine(kinds: list[str]) -> "Sign":
    if "zero" in kinds:
        return Sign("zero")
    negative = sum(k in ("neg", "nonpos") for k in kinds) % 2 == 1
    strict = all(k in ("pos", "neg") for k in kinds)
    if negative:
        return Sign("neg" if strict else "nonpos")
    return Sign("pos" if strict else "nonneg")
