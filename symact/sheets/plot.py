r"""Plot data for a sheet: f and f' sampled from their exact branch formulas.

Each branch of ``Pieces`` is evaluated with mpmath on its own open interval,
so a curve is never drawn across a breakpoint: a jump stays a gap, and the
ends of each segment are the exact one-sided limits there. Points where the
function is defined at a breakpoint are marked filled; one-sided limits that
differ from the value (jumps, kinks of f') are marked open.

The window covers every breakpoint and every marked extremum with a margin,
and widens on each side (4, 6, 9, ... up to about 30) until f' at that end
is within 5% of its value four times farther out, so that saturation (f' -> 0)
or linear growth (f' -> 1) is visible.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import mpmath
import sympy

from symact.functions import elementary
from symact.parsing import X
from symact.pieces import Pieces

SAMPLES = 161
DIGITS = 30
SETTLED = 0.05
MAX_HALF_WIDTH = 30.0


@lru_cache(maxsize=4096)
def _evaluator(branch: sympy.Expr):
    return sympy.lambdify(X, elementary(branch), modules="mpmath")


def evaluate(branch: sympy.Expr, x: float) -> float | None:
    """The branch formula at x, computed with mpmath at 30 digits; None
    where it is not a finite real number."""
    with mpmath.workdps(DIGITS):
        try:
            value = _evaluator(branch)(mpmath.mpf(x))
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return None
        if isinstance(value, mpmath.mpc):
            if abs(value.imag) > mpmath.mpf(10) ** (-DIGITS // 2) * (1 + abs(value.real)):
                return None
            value = value.real
        result = float(value)
    return result if math.isfinite(result) else None


def _float(value: sympy.Expr | None) -> float | None:
    if value is None:
        return None
    number = sympy.N(value, 20)
    if not (number.is_real and number.is_finite):
        return None
    return float(number)


def _branch_at(pieces: Pieces, x: float) -> sympy.Expr:
    breakpoints = [float(sympy.N(c, 20)) for c in pieces.breakpoints]
    index = sum(1 for c in breakpoints if x > c)
    return pieces.branches[index]


def _settled(slope: Pieces, side: float, half: float) -> bool:
    scale = max((abs(v) for v in (evaluate(_branch_at(slope, t), t) for t in (0.0, side * half / 2, side * half))
                 if v is not None), default=0.0)
    near = evaluate(_branch_at(slope, side * half), side * half)
    far = evaluate(_branch_at(slope, side * 4 * half), side * 4 * half)
    if near is None or far is None:
        return True
    return abs(near - far) <= SETTLED * max(scale, 1e-12)


def _half_width(slope: Pieces, side: float) -> float:
    half = 4.0
    while half < MAX_HALF_WIDTH and not _settled(slope, side, half):
        half *= 1.5
    return half


def choose_window(pieces: Pieces, slope: Pieces, marks: Sequence[float] = ()) -> tuple[float, float]:
    """The x-range to plot: every breakpoint and mark inside with a margin,
    and wide enough on each side that f' has settled there (see module doc)."""
    points = [float(sympy.N(c, 20)) for c in pieces.breakpoints] + [m for m in marks if math.isfinite(m)] + [0.0]
    lo, hi = min(points), max(points)
    margin = max(1.0, 0.5 * (hi - lo))
    left = math.floor(min(lo - margin, -_half_width(slope, -1.0)) * 2) / 2
    right = math.ceil(max(hi + margin, _half_width(slope, 1.0)) * 2) / 2
    return left, right


@dataclass(frozen=True)
class Curve:
    """One function on the window: segments of (x, y) between breakpoints,
    and the marked points at breakpoints (``filled`` for a value, open for a
    one-sided limit that differs from it)."""

    segments: tuple[tuple[tuple[float, float], ...], ...]
    filled: tuple[tuple[float, float], ...]
    open: tuple[tuple[float, float], ...]

    def to_json(self) -> dict:
        return {"segments": [list(map(list, s)) for s in self.segments],
                "filled": list(map(list, self.filled)), "open": list(map(list, self.open))}


def sample(pieces: Pieces, window: tuple[float, float], samples: int = SAMPLES) -> Curve:
    """``pieces`` sampled on ``window``, one segment per branch (see ``Curve``)."""
    left, right = window
    edges = [left] + [float(sympy.N(c, 20)) for c in pieces.breakpoints] + [right]
    step = (right - left) / (samples - 1)
    segments = []
    for index, (lo, hi) in enumerate(zip(edges, edges[1:])):
        lo_in, hi_in = max(lo, left), min(hi, right)
        if lo_in >= hi_in:
            continue
        branch = pieces.branches[index]
        xs = [lo_in] + [left + k * step for k in range(samples) if lo_in < left + k * step < hi_in] + [hi_in]
        points = []
        for position, x in enumerate(xs):
            at_breakpoint_left = position == 0 and index > 0 and lo >= left
            at_breakpoint_right = position == len(xs) - 1 and index < len(pieces.breakpoints) and hi <= right
            if at_breakpoint_left:
                y = _float(pieces.one_sided(index - 1)[1])
            elif at_breakpoint_right:
                y = _float(pieces.one_sided(index)[0])
            else:
                y = evaluate(branch, x)
            if y is None:
                if points:
                    segments.append(tuple(points))
                points = []
                continue
            points.append((x, y))
        if points:
            segments.append(tuple(points))
    filled, hollow = [], []
    for i, c in enumerate(pieces.breakpoints):
        x = float(sympy.N(c, 20))
        if not left <= x <= right:
            continue
        if pieces.is_continuous_at(i):
            continue
        value = _float(pieces.values[i])
        if value is not None:
            filled.append((x, value))
        for limit in map(_float, pieces.one_sided(i)):
            if limit is not None and (value is None or abs(limit - value) > 1e-12 * (1 + abs(value))):
                if (x, limit) not in hollow:
                    hollow.append((x, limit))
    return Curve(tuple(segments), tuple(filled), tuple(hollow))


def _limits(curve: Curve, extra: Sequence[float] = ()) -> tuple[float, float]:
    ys = [y for segment in curve.segments for _, y in segment] + [y for _, y in curve.filled + curve.open]
    ys += [y for y in extra if math.isfinite(y)]
    lo, hi = (min(ys), max(ys)) if ys else (-1.0, 1.0)
    span = hi - lo
    pad = 0.08 * span if span > 1e-9 else 1.0
    return lo - pad, hi + pad


def plot_data(bound, extrema: Sequence[tuple[float, float]] = (),
              asymptotes: Sequence[float] = ()) -> dict:
    """Everything a sheet's plots need, as plain data: the window, f and f'
    as ``Curve`` JSON with y-limits, the breakpoints, and the given extrema
    (x, f(x)) and horizontal asymptotes of f to mark."""
    pieces, slope = bound.pieces, bound.derivative(1)
    window = choose_window(pieces, slope, [x for x, _ in extrema])
    f_curve, df_curve = sample(pieces, window), sample(slope, window)
    inside = [(x, y) for x, y in extrema if window[0] <= x <= window[1]]
    return {
        "window": list(window),
        "breakpoints": [x for x in (float(sympy.N(c, 20)) for c in pieces.breakpoints) if window[0] <= x <= window[1]],
        "f": {**f_curve.to_json(), "ylim": list(_limits(f_curve, [y for _, y in inside] + list(asymptotes)))},
        "df": {**df_curve.to_json(), "ylim": list(_limits(df_curve))},
        "extrema": [list(p) for p in inside],
        "asymptotes": [y for y in asymptotes if math.isfinite(y)],
    }
