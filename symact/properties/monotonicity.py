r"""Monotonicity of f and of f', convexity, dead zones.

On each branch the sign of f' is certified by interval search. A branch
with f' >= 0 and f' > 0 at one certified point is *strictly* increasing:
branch formulas are real-analytic on their open interval, so f' has only
isolated zeros there unless it vanishes identically. Across a breakpoint c,
f is non-decreasing iff f(c-) <= f(c) <= f(c+), compared exactly.

f is convex iff it is continuous and f' is non-decreasing, where f' at a
kink means both one-sided derivatives: f'(c-) <= f'(c+).

A dead zone is a branch on which f' is identically 0 as an exact formula
(ReLU's x < 0); a branch with a certified point where f' != 0 has none,
by the same analyticity.
"""
from __future__ import annotations

from symact.properties.analysis import Analysis, compare, point_text
from sympy import S

from symact.properties.search import Sign
from symact.properties.verdict import DERIVED, INTERVAL, SYMBOLIC, disproved, exact_text, proved, unknown


def _direction(sign: Sign) -> str:
    if sign.kind == "zero":
        return "constant"
    if sign.kind == "pos" or (sign.kind == "nonneg" and sign.positive_at is not None):
        return "increasing"
    if sign.kind == "neg" or (sign.kind == "nonpos" and sign.negative_at is not None):
        return "decreasing"
    if sign.kind == "nonneg":
        return "non-decreasing"
    if sign.kind == "nonpos":
        return "non-increasing"
    return sign.kind  # mixed / unknown


def _slope_witness(an: Analysis, order: int, i: int, point, label: str) -> dict:
    g = an.branch_of(order, i)
    return {"x": point_text(point), label: g.at(point).floats()}


class Monotone:
    """Monotonicity facts of f^(order) (order 0: f, order 1: f')."""

    def __init__(self, an: Analysis, order: int):
        self.an = an
        self.order = order
        n = len(an.f.branches)
        self.signs = [self._sign(i) for i in range(n)]
        self.directions = [_direction(s) for s in self.signs]
        self.breakpoints = [an.one_sided(order, k) for k in range(len(an.f.breakpoints))]

    def _sign(self, i: int) -> Sign:
        """The certified sign of f^(order+1) on branch i; where interval search cannot settle it
        (f' touches 0, as snake's 1 + sin 2x), the branch's exact inf or sup of f^(order+1) may:
        inf = 0 means >= 0."""
        sign = self.an.sign(self.order + 1, i)
        if sign.kind not in ("unknown", "mixed") or not self.an.smooth or sign.kind == "mixed":
            return sign
        lows, highs, reason = self.an.extremes(self.order + 1, i)
        if reason is not None or not lows or not highs:
            return sign
        if all(e.exact is not None and compare(e.exact, S.Zero) in (0, 1) for e in lows):
            return Sign("nonneg", positive_at=sign.positive_at)
        if all(e.exact is not None and compare(e.exact, S.Zero) in (0, -1) for e in highs):
            return Sign("nonpos", negative_at=sign.negative_at)
        return sign

    def _rising_across(self, k: int) -> bool | None:
        left, value, right = self.breakpoints[k]
        checks = [compare(left, right)] if value is None else [compare(left, value), compare(value, right)]
        if any(c is None for c in checks):
            return None
        return all(c <= 0 for c in checks)

    def _falling_across(self, k: int) -> bool | None:
        left, value, right = self.breakpoints[k]
        checks = [compare(left, right)] if value is None else [compare(left, value), compare(value, right)]
        if any(c is None for c in checks):
            return None
        return all(c >= 0 for c in checks)

    def _jump_witness(self, k: int) -> dict:
        left, value, right = self.breakpoints[k]
        return {"x": exact_text(self.an.f.breakpoints[k]), "left": exact_text(left),
                "value": exact_text(value), "right": exact_text(right)}

    def non_decreasing(self, strict: bool = False, rising: bool = True):
        """Verdict that f^(order) is non-decreasing (strictly increasing) / the mirror."""
        up, down = ("increasing", "non-decreasing"), ("decreasing", "non-increasing")
        good, bad = (up, down) if rising else (down, up)
        across = self._rising_across if rising else self._falling_across
        label = "df" if self.order == 0 else "d2f"
        for i, (sign, direction) in enumerate(zip(self.signs, self.directions)):
            wrong_at = sign.negative_at if rising else sign.positive_at
            if wrong_at is not None:
                return disproved(INTERVAL, _slope_witness(self.an, self.order + 1, i, wrong_at, label),
                                 f"{label} has the wrong sign at a certified point")
            if direction == "constant" and strict:
                lo, hi = self.an.edges[i]
                return disproved(SYMBOLIC, {"interval": [exact_text(lo), exact_text(hi)],
                                            "value": exact_text(self.an.end_value(self.order, i, -1))},
                                 "constant on an interval")
        for k in range(len(self.breakpoints)):
            if across(k) is False:
                return disproved(SYMBOLIC, self._jump_witness(k), "jumps the wrong way at a breakpoint")
        for i, direction in enumerate(self.directions):
            if direction in ("mixed", "unknown") or direction in bad:
                return unknown(f"the sign of {label} on branch {i} was not certified")
            if strict and direction not in (good[0],):
                return unknown(f"{label} >= 0 on branch {i}, but no point with {label} != 0 was certified")
        for k in range(len(self.breakpoints)):
            if across(k) is None:
                return unknown(f"could not compare the one-sided values at breakpoint {k}")
        method = SYMBOLIC if all(d == "constant" for d in self.directions) else INTERVAL
        return proved(method, True, "sign of the derivative certified on every branch; "
                                    "one-sided values ordered at every breakpoint")


def summary(up, strict_up, down, strict_down) -> object:
    """The monotonicity classification from the four verdicts."""
    if strict_up.verdict == "proved":
        return proved(DERIVED, "strictly increasing", "from strictly_increasing")
    if strict_down.verdict == "proved":
        return proved(DERIVED, "strictly decreasing", "from strictly_decreasing")
    if up.verdict == "proved" and down.verdict == "proved":
        return proved(DERIVED, "constant", "non-decreasing and non-increasing")
    if up.verdict == "proved":
        if strict_up.verdict == "disproved":
            return proved(DERIVED, "non-decreasing", "non-decreasing, constant on an interval",
                          witness=strict_up.witness)
        return unknown("non-decreasing; strictness not settled", value="non-decreasing")
    if down.verdict == "proved":
        if strict_down.verdict == "disproved":
            return proved(DERIVED, "non-increasing", "non-increasing, constant on an interval",
                          witness=strict_down.witness)
        return unknown("non-increasing; strictness not settled", value="non-increasing")
    if up.verdict == "disproved" and down.verdict == "disproved":
        return proved(DERIVED, "not monotone", "both directions disproved",
                      witness={"not_non_decreasing": up.witness, "not_non_increasing": down.witness})
    return unknown("monotonicity not settled")


def check_monotonicity(an: Analysis, smooth_verdicts: dict) -> dict:
    """monotonicity, non_decreasing, strictly_increasing, non_increasing,
    derivative_monotone, convex, concave, dead_zone, gradient_zero_almost_everywhere."""
    f = Monotone(an, 0)
    up, strict_up = f.non_decreasing(), f.non_decreasing(strict=True)
    down, strict_down = f.non_decreasing(rising=False), f.non_decreasing(strict=True, rising=False)
    result = {"non_decreasing": up, "strictly_increasing": strict_up, "non_increasing": down,
              "monotonicity": summary(up, strict_up, down, strict_down)}

    df = Monotone(an, 1)
    d_up, d_down = df.non_decreasing(), df.non_decreasing(rising=False)
    d_strict_up = d_strict_down = unknown("not examined")
    result["derivative_monotone"] = summary(d_up, d_strict_up, d_down, d_strict_down)
    if result["derivative_monotone"].verdict == "unknown" and result["derivative_monotone"].value:
        value = result["derivative_monotone"].value
        result["derivative_monotone"] = proved(DERIVED, value, "f' is " + value)
    continuous = smooth_verdicts["continuous"]
    for name, verdict in (("convex", d_up), ("concave", d_down)):
        if continuous.verdict == "disproved":
            result[name] = disproved(SYMBOLIC, continuous.witness, "a discontinuous function is neither")
        elif verdict.verdict == "proved" and continuous.verdict == "proved":
            result[name] = proved(verdict.method, True, f"continuous and f' {'non-decreasing' if name == 'convex' else 'non-increasing'}")
        elif verdict.verdict == "disproved":
            result[name] = disproved(verdict.method, verdict.witness, verdict.reason)
        else:
            result[name] = unknown(verdict.reason or "not settled")

    if not an.smooth:
        # a sign of f' says nothing across a singular point inside a branch: keep only disproofs by
        # witness points (where f' is certified finite, f is differentiable)
        why = "f not shown C-infinity on every branch, so signs of f' and f'' decide nothing"
        for name in ("non_decreasing", "strictly_increasing", "non_increasing", "monotonicity",
                     "derivative_monotone", "convex", "concave"):
            verdict = result[name]
            if verdict.verdict == "proved" and not (name in ("monotonicity", "derivative_monotone")
                                                    and verdict.value == "not monotone"):
                result[name] = unknown(why)
    zero_branches, nonzero, undecided = [], [], []
    for i, sign in enumerate(f.signs):
        if sign.kind == "zero" and an.branch_of(1, i).is_zero:
            zero_branches.append(i)
        elif sign.positive_at is not None or sign.negative_at is not None or sign.kind in ("pos", "neg"):
            nonzero.append(i)
        else:
            undecided.append(i)
    zones = [[exact_text(an.edges[i][0]), exact_text(an.edges[i][1])] for i in zero_branches]
    if zero_branches:
        result["dead_zone"] = proved(SYMBOLIC, zones, "f' is exactly 0 on these intervals")
    elif undecided or not an.smooth:
        result["dead_zone"] = unknown("f' not shown non-zero on every branch")
    else:
        result["dead_zone"] = disproved(INTERVAL, [], "f' != 0 at a certified point of every branch; "
                                                     "analytic branches vanish only at isolated points")
    if len(zero_branches) == len(f.signs):
        result["gradient_zero_almost_everywhere"] = proved(SYMBOLIC, True, "f' is exactly 0 on every branch")
    elif nonzero:
        i = nonzero[0]
        sign = f.signs[i]
        point = sign.positive_at if sign.positive_at is not None else sign.negative_at
        witness = {"branch": [exact_text(v) for v in an.edges[i]]}
        if point is not None:
            witness.update(_slope_witness(an, 1, i, point, "df"))
        result["gradient_zero_almost_everywhere"] = disproved(INTERVAL, witness, "f' != 0 on a branch")
    else:
        result["gradient_zero_almost_everywhere"] = unknown("f' not shown non-zero on any branch")
    return result
