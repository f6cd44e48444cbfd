r"""Limits of f and f' at -oo and +oo: saturation and linear growth.

The limit of the outermost branch is exact where substitution or SymPy's
``limit`` on that single smooth branch finds it. Otherwise, when the
branch is proved monotone on a tail [R, oo) and its enclosure there is
bounded, the limit exists and lies in that enclosure (method "interval").

f saturates at an end when f has a finite limit and f' tends to 0 there:
gradients vanish for inputs far out on that side.
"""
from __future__ import annotations

from flint import arb

from symact.properties.analysis import Analysis, compare
from symact.properties.intervals import INF, _lt, to_float
from symact.properties.search import exact_interval
from symact.properties.periodic import sequence_limits, sequence_text
from symact.properties.verdict import INTERVAL, SYMBOLIC, disproved, exact_text, proved, unknown

SIDES = {"minus_infinity": -1, "plus_infinity": 1}
TAIL_START = 64
TAIL_SECONDS = 1.0  # per limit: the monotone-tail argument either works quickly or not at all


def _limit(an: Analysis, order: int, side: int):
    i = len(an.f.branches) - 1 if side > 0 else 0
    g = an.branch_of(order, i)
    if g is None:
        return unknown("no derivative")
    exact = g.limit(side)
    if exact is not None:
        enclosure = exact_interval(exact).floats()
        return proved(SYMBOLIC, {"value": exact_text(exact), "value_float": enclosure[0] if enclosure[0] == enclosure[1]
                                 else (enclosure[0] + enclosure[1]) / 2}, "exact limit of the outermost branch",
                      enclosure=enclosure)
    lo, hi = an.search_interval(i)
    start = arb(TAIL_START) if side > 0 else arb(-TAIL_START)
    if (side > 0 and _lt(start, lo)) or (side < 0 and _lt(hi, start)):
        start = lo if side > 0 else hi
    with an.search.limited(TAIL_SECONDS * an.scale):
        tail = an.search.tail(g, start, side, an.search.depth)
    if tail is not None and tail.is_finite():
        floats = tail.floats()
        return proved(INTERVAL, {"value": None, "value_float": (floats[0] + floats[1]) / 2},
                      f"monotone and bounded on the tail beyond {to_float(start):g}: the limit exists in the enclosure",
                      enclosure=floats)
    limits = sequence_limits(g.expr, side)
    for (a, first), (b, second) in zip(limits, limits[1:]):
        if compare(first, second) not in (0, None):
            return disproved(SYMBOLIC, {"sequences": [sequence_text(a, side, g.expr), sequence_text(b, side, g.expr)],
                                        "limits": [exact_text(first), exact_text(second)]},
                             "no limit: f tends to different values along two sequences")
    return unknown("no exact limit and no monotone bounded tail found")


def check_limits(an: Analysis) -> dict:
    """limit_at_plus_infinity, limit_at_minus_infinity, derivative_limit_at_*, saturation."""
    result = {}
    for name, side in SIDES.items():
        result[f"limit_at_{name}"] = _limit(an, 0, side)
        result[f"derivative_limit_at_{name}"] = _limit(an, 1, side)
    sides, undecided = [], []
    for name, side in SIDES.items():
        f_limit, df_limit = result[f"limit_at_{name}"], result[f"derivative_limit_at_{name}"]
        if "disproved" in (f_limit.verdict, df_limit.verdict):
            continue  # f or f' has no limit there: no saturation
        if f_limit.verdict != "proved" or df_limit.verdict != "proved":
            undecided.append(name)
            continue
        finite = f_limit.enclosure is not None and all(abs(v) != INF for v in f_limit.enclosure)
        flat = df_limit.value.get("value") == "0"
        if finite and flat:
            sides.append("-oo" if side < 0 else "+oo")
    if undecided:
        result["saturation"] = unknown(f"limits not settled at {', '.join(undecided)}", value=sides)
    else:
        result["saturation"] = proved(SYMBOLIC, sides, "ends where f has a finite limit and f' -> 0")
    return result
