r"""Range, bounds, global extrema and the Lipschitz constant sup |f'|.

The candidates for inf f (and sup f) are collected branch by branch
(``Analysis.extremes``): a branch on which f is monotone contributes the
exact one-sided limits at its ends, which it does not attain; a branch on
which it is not contributes its certified interior extremum (found by
branch and bound, argmin refined by bisection on the sign of f', exact
where ``solve`` finds the critical point inside the certified box) and its
end limits. The values f(c_i) at breakpoints are attained candidates.

The global inf is the least candidate; it is attained when an attained
candidate is certified <= every unattained one, and not attained when an
unattained one is certified < every attained one.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import S

from symact.properties.analysis import Analysis, Extreme, compare
from symact.properties.intervals import INF, Interval, _lt, to_float
from symact.properties.search import exact_interval
from symact.properties.verdict import INTERVAL, SYMBOLIC, disproved, exact_text, proved, unknown


@dataclass
class Global:
    """inf (or sup) of a function over the line, as far as it was settled."""

    enclosure: Interval
    exact: sympy.Expr | None
    attained: bool | None
    at: object
    complete: bool
    reason: str | None


def _le(a: Extreme, b: Extreme, strict: bool = False) -> bool:
    """a <= b (or a < b) certified."""
    if a.exact is not None and b.exact is not None:
        c = compare(a.exact, b.exact)
        if c is not None:
            return c < 0 if strict else c <= 0
    if strict:
        return _lt(a.enclosure.hi, b.enclosure.lo)
    return not _lt(b.enclosure.lo, a.enclosure.hi)


def combine(candidates: list[Extreme], lowest: bool, complete: bool, reason: str | None) -> Global:
    """The global inf (``lowest``) or sup of a list of candidates."""
    if not candidates:
        return Global(Interval.whole(), None, None, None, False, reason or "no candidates")
    flip = (lambda e: e) if lowest else (lambda e: Extreme(-e.enclosure, None if e.exact is None else -e.exact,
                                                            e.attained, e.at))
    items = [flip(c) for c in candidates]
    lo = items[0].enclosure.lo
    hi = items[0].enclosure.hi
    for item in items[1:]:
        lo = item.enclosure.lo if _lt(item.enclosure.lo, lo) else lo
        hi = item.enclosure.hi if _lt(item.enclosure.hi, hi) else hi
    best = None
    for item in items:
        if all(_le(item, other) for other in items if other is not item):
            best = item
            break
    attained_items = [c for c in items if c.attained is True]
    open_items = [c for c in items if c.attained is False]
    unsure = [c for c in items if c.attained is None]
    attained = None
    if attained_items and any(all(_le(a, u) for u in open_items + unsure) for a in attained_items):
        attained = True
    elif open_items and not unsure and any(all(_le(u, a, strict=True) for a in attained_items) for u in open_items):
        attained = False
    enclosure = Interval(lo, hi)
    exact = None
    at = None
    if best is not None:
        enclosure = enclosure.intersect(best.enclosure)
        exact = best.exact
        at = best.at
    if not lowest:
        enclosure = -enclosure
        exact = None if exact is None else -exact
    return Global(enclosure, exact, attained, at, complete and attained is not None, reason)


def global_extremes(an: Analysis, order: int) -> tuple[Global, Global]:
    """(inf, sup) of f^(order) over the real line."""
    lows, highs, problems = [], [], []
    for i in range(len(an.f.branches)):
        lo, hi, reason = an.extremes(order, i)
        lows += lo
        highs += hi
        if reason:
            problems.append(f"branch {i}: {reason}")
        if not lo or not hi:
            problems.append(f"branch {i}: no candidates")
    for k, point in enumerate(an.f.breakpoints):
        left, value, right = an.one_sided(order, k)
        if value is not None:
            candidate = Extreme(exact_interval(value), value, True, exact_text(point))
            lows.append(candidate)
            highs.append(candidate)
    complete = not any("no candidates" in p for p in problems)
    reason = "; ".join(problems) or None
    return combine(lows, True, complete, reason), combine(highs, False, complete, reason)


def _where(at) -> dict:
    if isinstance(at, dict):
        x, box = at.get("x"), at.get("x_enclosure")
        data = {"argmin": exact_text(x) if x is not None else None}
        if box is not None:
            data["argmin_enclosure"] = box.floats()
            # a wide box is the hull of several minimisers (sinc's two at +-4.49): its midpoint is none
            if box.width() <= 1e-9 * max(1.0, abs(to_float(box.midpoint()))):
                data["argmin_float"] = to_float(box.midpoint())
        if x is not None:
            data["argmin_float"] = float(sympy.N(x, 17))
        return data
    return {"argmin": at}


def _end_text(g: Global) -> str | None:
    if g.exact is not None:
        return exact_text(g.exact)
    return None


def _range_text(low: Global, high: Global) -> str:
    def end(g):
        if g.exact is not None:
            return exact_text(g.exact)
        lo, hi = g.enclosure.floats()
        return repr((lo + hi) / 2) if lo != hi else repr(lo)
    left = "[" if low.attained else "("
    right = "]" if high.attained else ")"
    return f"{left}{end(low)}, {end(high)}{right}"


def check_extrema(an: Analysis, smoothness: dict) -> dict:
    """range, bounded_below, bounded_above, global_minimum, global_maximum."""
    low, high = global_extremes(an, 0)
    result = {}
    for name, g, infinite in (("bounded_below", low, -INF), ("bounded_above", high, INF)):
        exact_inf = g.exact in (S.NegativeInfinity, S.Infinity)
        outer = g.enclosure.lo if infinite < 0 else g.enclosure.hi
        if exact_inf:
            result[name] = disproved(SYMBOLIC, {"limit": exact_text(g.exact)}, "f tends to an infinite limit")
        elif g.complete or (outer != infinite and g.reason is None):
            result[name] = proved(INTERVAL, True, "certified bound", enclosure=g.enclosure.floats())
        elif outer != infinite:
            result[name] = proved(INTERVAL, True, "certified bound (other details unsettled)",
                                  enclosure=g.enclosure.floats())
        else:
            result[name] = unknown(g.reason or "no finite bound certified")
    value = {"lower": _end_text(low), "lower_float": _float_of(low), "lower_closed": low.attained,
             "upper": _end_text(high), "upper_float": _float_of(high), "upper_closed": high.attained}
    enclosure = [low.enclosure.floats()[0], high.enclosure.floats()[1]]
    connected = smoothness.get("continuous")
    value["is_interval"] = None if connected is None or connected.verdict == "unknown" else connected.verdict == "proved"
    if low.complete and high.complete and low.attained is not None and high.attained is not None:
        value["text"] = _range_text(low, high)
        if value["is_interval"] is False:
            value["text"] = f"within {value['text']} (f jumps, so the image is not an interval)"
        result["range"] = proved(INTERVAL, value, "extreme candidates certified on every branch", enclosure=enclosure)
    else:
        result["range"] = unknown(low.reason or high.reason or "attainment of an end not settled",
                                  value=value, enclosure=enclosure)
    for name, g, word in (("global_minimum", low, "infimum"), ("global_maximum", high, "supremum")):
        result[name] = _extreme_verdict(g, word)
    return result


LIPSCHITZ_SECONDS = 4.0  # SiLU's takes 2.5 s; Mish's and GELU-tanh's do not settle with more


def check_lipschitz(an: Analysis, smoothness: dict) -> dict:
    """lipschitz_constant: sup |f'| over the line."""
    with an.search.limited(LIPSCHITZ_SECONDS * an.scale):
        return {"lipschitz_constant": _lipschitz(an, smoothness)}


def _float_of(g: Global):
    lo, hi = g.enclosure.floats()
    if lo == hi:
        return lo
    if lo == -INF or hi == INF:
        return None
    return (lo + hi) / 2


def _extreme_verdict(g: Global, word: str):
    if g.exact in (S.Infinity, S.NegativeInfinity):
        return disproved(SYMBOLIC, {word: exact_text(g.exact)}, f"the {word} is infinite")
    if g.attained is True and g.complete:
        data = {"value": _end_text(g), "value_float": _float_of(g)}
        data.update(_where(g.at))
        method = SYMBOLIC if g.exact is not None and not isinstance(g.at, dict) else INTERVAL
        return proved(method, data, f"the {word} is attained", enclosure=g.enclosure.floats())
    if g.attained is False and g.complete:
        return disproved(INTERVAL, {word: _end_text(g), f"{word}_enclosure": g.enclosure.floats(),
                                    "approached_at": g.at}, f"the {word} is approached, not attained")
    return unknown(g.reason or f"whether the {word} is attained was not settled", enclosure=g.enclosure.floats())


def _max_end(a: Interval, b: Interval, lower: bool):
    """The larger lower end (``lower``) or the larger upper end of two enclosures: the
    enclosure of max(u, v) for u in a, v in b."""
    x, y = (a.lo, b.lo) if lower else (a.hi, b.hi)
    return y if _lt(x, y) else x


def _lipschitz(an: Analysis, smoothness: dict):
    continuous = smoothness.get("continuous")
    if continuous is not None and continuous.verdict == "disproved":
        return disproved(SYMBOLIC, continuous.witness, "f jumps, so no Lipschitz constant exists")
    if continuous is None or continuous.verdict != "proved":
        return unknown("continuity not settled")
    low, high = global_extremes(an, 1)
    for g in (low, high):
        if g.exact in (S.Infinity, S.NegativeInfinity):
            return disproved(SYMBOLIC, {"df_limit": exact_text(g.exact)}, "f' is unbounded")
    if not (low.enclosure.is_finite() and high.enclosure.is_finite()):
        return unknown(low.reason or high.reason or "f' not bounded by the search")
    if not (low.complete and high.complete):
        # a certified enclosure of sup |f'| that has not converged is a bound, not the value:
        # reporting its midpoint as the constant was a wrong "proved" (swish at beta = 2: 1.52 vs 1.0998)
        bound = Interval(_max_end(-low.enclosure, high.enclosure, lower=True),
                         _max_end(-low.enclosure, high.enclosure, lower=False))
        return unknown("sup |f'| not settled (" + (low.reason or high.reason or "the search did not converge")
                       + "); it lies in the enclosure", enclosure=bound.floats())
    neg = -low.enclosure
    lo = neg.lo if _lt(high.enclosure.lo, neg.lo) else high.enclosure.lo
    hi = neg.hi if _lt(high.enclosure.hi, neg.hi) else high.enclosure.hi
    enclosure = Interval(lo, hi)
    exact = None
    if high.exact is not None and low.exact is not None:
        c = compare(high.exact, -low.exact)
        if c is not None:
            exact = high.exact if c >= 0 else -low.exact
    elif high.exact is not None and _lt(neg.hi, high.enclosure.lo):
        exact = high.exact
    elif low.exact is not None and _lt(high.enclosure.hi, neg.lo):
        exact = -low.exact
    value = {"value": exact_text(exact), "value_float": _float_of(Global(enclosure, exact, None, None, True, None))}
    return proved(INTERVAL, value, "sup |f'| over every branch and breakpoint", enclosure=enclosure.floats())
