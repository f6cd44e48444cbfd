r"""Plot data for a sheet: f and f' sampled from their exact branch formulas.

Each branch of ``Pieces`` is evaluated with mpmath on its own open interval,
so a curve is never drawn across a breakpoint: a jump stays a gap, and the
ends of each segment are the exact one-sided limits there. Points where the
function is defined at a breakpoint are marked filled; one-sided limits that
differ from the value (jumps, kinks of f') are marked open.

The window covers every breakpoint and every marked extremum with a margin.
On each side it starts at half-width 4 and widens by 1.5 (to at most about
30) while f' is still moving there, as long as each step brings it closer to
settling: until f' varies on [h, 4h] by less than 5% of its size near 0, so
saturation (f' -> 0) or linear growth (f' -> 1) shows. Where widening does not
help (f' grows, as for exp or x^3, or keeps oscillating, as for x + sin^2 x)
the window stays at 4. Oscillations are kept readable: at most 8 extrema of f'
on each side, narrowing the window below 4 if needed (sin(30 x): [-0.8, 0.8]).

A formula that is undefined at an isolated point where the function is not
(sinc's f' = cos(x)/x - sin(x)/x^2 at 0) is plotted through its limit there.
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
SETTLED = 0.05  # f' has settled when it moves less than this fraction of its size
HALF_WIDTH = 4.0  # the window's half-width to start from, ...
GROWTH = 1.5  # ... widened or narrowed by this factor ...
MAX_HALF_WIDTH = 30.0  # ... to at most this ...
MIN_HALF_WIDTH = 0.05  # ... or at least this.
PROGRESS = 0.9  # widen only while each step shrinks f''s remaining variation by this factor
MAX_WIGGLES = 8  # at most this many extrema of f' on each side, so oscillations stay readable
TAIL_SAMPLES = 24
SCAN_SAMPLES = 200


@lru_cache(maxsize=4096)
def _evaluator(branch: sympy.Expr):
    return sympy.lambdify(X, elementary(branch), modules="mpmath")


def _evaluate_at(branch: sympy.Expr, x, digits: int) -> float | None:
    with mpmath.workdps(digits):
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


def _removable_limit(branch: sympy.Expr, x: float) -> float | None:
    """The limit of the branch at x where the formula itself is undefined
    there but continuous around it (sinc's f' = cos(x)/x - sin(x)/x^2 at 0):
    the values at x +- h for two tiny h, computed with enough digits for the
    cancellation, must all agree; a pole or a log singularity does not."""
    near = [_evaluate_at(branch, mpmath.mpf(x) + side * h, 3 * DIGITS)
            for h in (mpmath.mpf("1e-12"), mpmath.mpf("1e-15")) for side in (-1, 1)]
    if any(v is None for v in near):
        return None
    middle = sum(near) / len(near)
    if max(abs(v - middle) for v in near) > 1e-9 * (1 + abs(middle)):
        return None
    return middle


def evaluate(branch: sympy.Expr, x: float) -> float | None:
    """The branch formula at x, computed with mpmath at 30 digits, or its
    limit at a removable singularity; None where it is not a finite real
    number."""
    value = _evaluate_at(branch, x, DIGITS)
    return value if value is not None else _removable_limit(branch, x)


def _float(value: sympy.Expr | None) -> float | None:
    if value is None:
        return None
    number = sympy.N(value, 20)
    if not (number.is_real and number.is_finite):
        return None
    return float(number)


def _breakpoint_floats(pieces: Pieces) -> list[float]:
    return [float(sympy.N(c, 20)) for c in pieces.breakpoints]


def _values(pieces: Pieces, xs: Sequence[float]) -> list[float | None]:
    """``pieces`` at each x, from the branch that holds x (the left one at a breakpoint)."""
    cuts = _breakpoint_floats(pieces)
    return [evaluate(pieces.branches[sum(1 for c in cuts if x > c)], x) for x in xs]


def _tail_variation(slope: Pieces, side: float, half: float) -> float | None:
    """How far f' still moves beyond ``half``: max |f'(t) - f'(4 half)| over
    t in [half, 4 half] on ``side``; None where f' is not finite there."""
    ts = [side * half * (1 + 3 * k / TAIL_SAMPLES) for k in range(TAIL_SAMPLES + 1)]
    values = _values(slope, ts)
    if any(v is None for v in values):
        return None
    return max(abs(v - values[-1]) for v in values)


def _scan(slope: Pieces, side: float, half: float) -> list[float]:
    """f' on a fine grid of [0, half] on ``side`` (undefined points skipped)."""
    xs = [side * half * k / SCAN_SAMPLES for k in range(SCAN_SAMPLES + 1)]
    return [v for v in _values(slope, xs) if v is not None]


def wiggles(values: Sequence[float]) -> int:
    """The number of local extrema in a sequence of samples: sign changes of
    its steps, ignoring steps below 1e-9 of its largest value (flat parts)."""
    floor = 1e-9 * max((abs(v) for v in values), default=0.0)
    steps = [b - a for a, b in zip(values, values[1:]) if abs(b - a) > floor]
    return sum(1 for a, b in zip(steps, steps[1:]) if (a > 0) != (b > 0))


def _half_width(slope: Pieces, side: float) -> float:
    """The half-width of the window on ``side`` (see the module doc)."""
    half = HALF_WIDTH
    scale = max(map(abs, _scan(slope, side, half)), default=0.0)
    variation = _tail_variation(slope, side, half)
    while half * GROWTH <= MAX_HALF_WIDTH and variation is not None and variation > SETTLED * max(scale, 1e-12):
        wider = _tail_variation(slope, side, half * GROWTH)
        if wider is None or not wider < PROGRESS * variation:
            break  # f' grows or keeps oscillating: a wider window shows no more
        if wiggles(_scan(slope, side, half * GROWTH)) > MAX_WIGGLES:
            break
        half, variation = half * GROWTH, wider
    while half > MIN_HALF_WIDTH and wiggles(_scan(slope, side, half)) > MAX_WIGGLES:
        half /= GROWTH
    return half


def _outward(value: float, step: float, up: bool) -> float:
    scaled = value / step
    return (math.ceil(scaled - 1e-9) if up else math.floor(scaled + 1e-9)) * step


def choose_window(pieces: Pieces, slope: Pieces, marks: Sequence[float] = ()) -> tuple[float, float]:
    """The x-range to plot: every breakpoint and mark inside with a margin,
    and on each side as wide as f' needs (see the module doc)."""
    points = _breakpoint_floats(pieces) + [m for m in marks if math.isfinite(m)]
    left_half, right_half = _half_width(slope, -1.0), _half_width(slope, 1.0)
    left, right = -left_half, right_half
    if points:
        lo, hi = min(points + [0.0]), max(points + [0.0])
        margin = max(1.0, 0.5 * (hi - lo))
        left, right = min(left, lo - margin), max(right, hi + margin)
    step = min(0.5, 10 ** math.floor(math.log10(min(left_half, right_half))) / 2)
    return round(_outward(left, step, False), 12), round(_outward(right, step, True), 12)


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
