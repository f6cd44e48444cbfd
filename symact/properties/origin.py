r"""Behaviour at the origin and symmetry: f(0), f'(0), zero-centred, odd, identity near 0.

f(0) and f'(0) are exact: the value of the branch (or breakpoint) holding
0, and f'(0) exists only where the derivative ``Pieces`` says so.

*zero-centred*: f(0) = 0 and f takes both signs (inf f < 0 < sup f).
*odd*: f(-x) = -f(x), proved when the breakpoints are symmetric and each
branch plus its mirror image simplifies to 0 (values at breakpoints too);
disproved by a certified point with f(p) + f(-p) != 0.
"""
from __future__ import annotations

import sympy
from sympy import S

from symact.budget import run_with_budget
from symact.errors import SymactError
from symact.pieces import limit_of_branch
from symact.parsing import X
from symact.properties.analysis import Analysis, compare
from symact.properties.intervals import Unsupported
from symact.properties.search import exact_interval
from symact.properties.verdict import DERIVED, INTERVAL, SYMBOLIC, disproved, exact_text, proved, unknown

ODD_PROBES = ("7/10", "13/10", "29/10", "53/10", "1/3", "0")  # f(0) != 0 refutes oddness too


def value_at(an: Analysis, order: int, point: sympy.Expr):
    """(value, left, right) of f^(order) at an exact point; value None where it does not exist."""
    for k, c in enumerate(an.f.breakpoints):
        if compare(c, point) == 0:
            left, value, right = an.one_sided(order, k)
            return value, left, right
    for i, (lo, hi) in enumerate(an.edges):
        if compare(lo, point) == -1 and compare(point, hi) == -1:
            g = an.branch_of(order, i)
            value = g.expr.subs(X, point)
            return value, value, value
    return None, None, None


def _number(value) -> dict:
    try:
        floats = exact_interval(value).floats()
    except Unsupported:
        return {"value": exact_text(value), "value_float": None}
    return {"value": exact_text(value), "value_float": floats[0] if floats[0] == floats[1] else sum(floats) / 2}


def _floats(value):
    try:
        return exact_interval(value).floats()
    except Unsupported:
        return None


def _is_zero_sum(expr):
    return sympy.simplify(expr) == 0


def _odd_symbolic(an: Analysis, seconds: float) -> bool | None:
    points = an.f.breakpoints
    mirrored = sorted((-p for p in points), key=lambda p: sympy.N(p, 30))
    if len(points) != len(mirrored) or any(compare(a, b) != 0 for a, b in zip(points, mirrored)):
        return None
    n = len(an.f.branches)
    for i in range(n):
        total = an.f.branches[i] + an.f.branches[n - 1 - i].subs(X, -X)
        if total != 0:
            verdict = run_with_budget(_is_zero_sum, total, seconds=seconds)
            if verdict is not True:
                return None
    for k, c in enumerate(points):
        value, mirror = an.f.values[k], an.f.values[len(points) - 1 - k]
        if value is None or mirror is None or compare(value, -mirror) != 0:
            return None
    return True


def _odd_witness(an: Analysis):
    for text in ODD_PROBES:
        p = sympy.Rational(text)
        here, minus = value_at(an, 0, p)[0], value_at(an, 0, -p)[0]
        if here is None or minus is None:
            continue
        try:
            total = exact_interval(here) + exact_interval(minus) if here.is_number and minus.is_number else None
        except Unsupported:
            continue
        if total is not None and (total.is_positive() or total.is_negative()):
            return {"x": text, "f(x)": exact_interval(here).floats(), "f(-x)": exact_interval(minus).floats()}
    return None


def check_origin(an: Analysis, extrema: dict) -> dict:
    """value_at_zero, derivative_at_zero, zero_centred, odd_symmetric, identity_near_origin."""
    result = {}
    f0, left, right = value_at(an, 0, S.Zero)
    if f0 is not None and not (f0.is_number and f0.is_finite):
        f0 = None
        result["value_at_zero"] = unknown("the formula of f is singular at 0")
    elif f0 is None:
        result["value_at_zero"] = disproved(SYMBOLIC, {"left": exact_text(left), "right": exact_text(right)},
                                            "f is not defined at 0", value=None)
    else:
        result["value_at_zero"] = proved(SYMBOLIC, _number(f0), "exact value", enclosure=_floats(f0))
    d0, dleft, dright = value_at(an, 1, S.Zero)
    if d0 is not None and not (d0.is_number and d0.is_finite) and \
            extrema.get("differentiable_everywhere", unknown("")).verdict == "proved":
        # f' exists everywhere and its branch formula is singular only at 0 (sinc' = cos(x)/x - sin(x)/x^2):
        # by the mean value theorem f'(0) is the limit of that formula
        d0 = _removable_value(an, S.Zero)
    if d0 is not None and not (d0.is_number and d0.is_finite):
        result["derivative_at_zero"] = unknown(f"the formula of f' is singular at 0 ({d0})")
    elif d0 is None:
        result["derivative_at_zero"] = disproved(
            SYMBOLIC, {"left": exact_text(dleft), "right": exact_text(dright)},
            "f'(0) does not exist: the one-sided derivatives differ (or f jumps)", value=None)
    else:
        result["derivative_at_zero"] = proved(SYMBOLIC, _number(d0), "exact value", enclosure=_floats(d0))
    # zero-centred
    low_bound, high_bound = extrema["range"].enclosure or [None, None]
    if f0 is not None and compare(f0, S.Zero) != 0:
        result["zero_centred"] = disproved(SYMBOLIC, {"f(0)": exact_text(f0)}, "f(0) != 0")
    elif low_bound is not None and low_bound >= 0:
        result["zero_centred"] = disproved(INTERVAL, {"inf_f_at_least": low_bound}, "f never takes negative values")
    elif high_bound is not None and high_bound <= 0:
        result["zero_centred"] = disproved(INTERVAL, {"sup_f_at_most": high_bound}, "f never takes positive values")
    elif f0 is not None:
        negative = _sign_point(an, -1)
        positive = _sign_point(an, 1)
        if negative and positive:
            result["zero_centred"] = proved(INTERVAL, True, "f(0) = 0 and f takes both signs",
                                            witness={"negative_at": negative, "positive_at": positive})
        else:
            result["zero_centred"] = unknown("no certified points of both signs")
    else:
        result["zero_centred"] = unknown("f(0) undefined")
    odd = _odd_symbolic(an, seconds=min(2.0 * an.scale, max(0.5, an.deadline.left() / 4)))
    if odd:
        result["odd_symmetric"] = proved(SYMBOLIC, True, "mirrored breakpoints, branches and values cancel exactly")
    else:
        witness = _odd_witness(an)
        if witness:
            result["odd_symmetric"] = disproved(INTERVAL, witness, "f(x) + f(-x) != 0 at a certified point")
        else:
            result["odd_symmetric"] = unknown("neither proved symbolically nor refuted at the probes")
    fv, dv = result["value_at_zero"], result["derivative_at_zero"]
    if fv.verdict == "proved" and dv.verdict == "proved" and d0 is not None:
        if compare(f0, S.Zero) == 0 and compare(d0, S.One) == 0:
            result["identity_near_origin"] = proved(DERIVED, True, "f(0) = 0 and f'(0) = 1 exactly")
        else:
            result["identity_near_origin"] = disproved(DERIVED, {"f(0)": exact_text(f0), "f'(0)": exact_text(d0)},
                                                       "f(0) != 0 or f'(0) != 1")
    elif dv.verdict == "disproved" or fv.verdict == "disproved":
        result["identity_near_origin"] = disproved(DERIVED, dv.witness or fv.witness, "f or f' undefined at 0")
    else:
        result["identity_near_origin"] = unknown("f(0) or f'(0) not settled")
    return result


def _removable_value(an: Analysis, point):
    """The common finite one-sided limit of f' at ``point`` inside a branch, or the singular value."""
    for i, (lo, hi) in enumerate(an.edges):
        if compare(lo, point) == -1 and compare(point, hi) == -1:
            g = an.branch_of(1, i).expr
            try:
                left, right = limit_of_branch(g, point, "-"), limit_of_branch(g, point, "+")
            except SymactError:
                return S.NaN
            if left == right and left.is_number and left.is_finite:
                return left
    return S.NaN


def _sign_point(an: Analysis, sign: int):
    for text in ("-1", "-2", "-1/2", "-5", "1", "2", "1/2", "5", "-20", "20"):
        p = sympy.Rational(text)
        value = value_at(an, 0, p)[0]
        if value is None or not value.is_number:
            continue
        try:
            enclosure = exact_interval(value)
        except Unsupported:
            continue
        if (sign < 0 and enclosure.is_negative()) or (sign > 0 and enclosure.is_positive()):
            return text
    return None
