r"""Sample inputs for verification, per floating-point format.

Each category targets a way generated code goes wrong:

* ``bits``: uniform over the format's bit patterns (NaN patterns excluded),
  as Herbie samples, so every binade from subnormal to the largest float is
  covered about equally;
* ``subnormal``, ``special``: the subnormal range, :math:`\pm 0`,
  :math:`\pm\infty`, NaN, the largest and smallest normal floats;
* ``core``: the dense region :math:`[-20, 20]`, a regular grid plus random
  points;
* ``breakpoint``: each breakpoint of f and f' rounded to the format, with its
  neighbours up to ``NEIGHBOURS`` ULPs away;
* ``exp_threshold``: :math:`\pm\log(\text{max float})` (about 88.72 in float32,
  709.78 in float64) and :math:`\pm\log(\text{min subnormal})`, where
  ``exp`` overflows or underflows, with neighbours, for both formats;
* ``zero``: the isolated zeros of f and f' with neighbours (``find_zeros``):
  found numerically (a sign change on a grid, refined by bisection in
  mpmath), and, for branches with trigonometric factors, solved by SymPy:
  their zeros repeat with a period and may be of even multiplicity with no
  sign change (snake's :math:`f' = 1 + \sin 2x` touches 0 at
  :math:`-\pi/4 + k\pi`), so the solution set's integer parameter is
  enumerated over the dense core :math:`|x| \le` ``PERIODIC_ZERO_RANGE``
  (20; at most ``PERIODIC_ZERO_MAX`` zeros a function). Beyond the core
  only sign changes on the grid are found. ``symact.verify.core`` uses the
  zeros to name the ill-conditioned neighbourhoods it excuses.

Sampling is deterministic (a fixed seed), so a cached reference is reused.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy

from symact.budget import run_with_budget
from symact.parsing import X
from symact.verify.metrics import lattice_index
from symact.verify.reference import PiecewiseReference

BIT_SAMPLES = 512
CORE_SAMPLES = 768
CORE_RANGE = 20.0
NEIGHBOURS = 4
ZERO_NEIGHBOURS = (1, 2, 3, 4, 8, 16, 64, 256, 4096)
ZERO_SEARCH_GRID = np.concatenate([np.linspace(-CORE_RANGE, CORE_RANGE, 1601),
                                   np.geomspace(CORE_RANGE, 1e3, 120), -np.geomspace(CORE_RANGE, 1e3, 120)])
SEED = 20240611
PERIODIC_ZERO_RANGE = CORE_RANGE
PERIODIC_ZERO_MAX = 1024
SOLVE_SECONDS = 5.0
TRIGONOMETRIC = (sympy.sin, sympy.cos, sympy.tan)

_UNSIGNED = {"float32": np.uint32, "float64": np.uint64}
_SIGNED = {"float32": np.int32, "float64": np.int64}


def _neighbours(value: float, dtype: str, steps) -> list[float]:
    """``value`` rounded to ``dtype`` and the floats up to ``steps`` ULPs either side
    (stepping on the ordered lattice of ``symact.verify.metrics``; +-inf ends it)."""
    kind = np.dtype(dtype).type
    centre = kind(value)
    if not np.isfinite(centre):
        return []
    signed = _SIGNED[dtype]
    end = int(np.array(np.inf, dtype=dtype).view(signed))
    k = int(lattice_index(np.array([centre], dtype=dtype))[0])
    offsets = np.array(sorted(steps), dtype=np.int64)
    indices = np.clip(np.concatenate([k - offsets, k + offsets]), -end, end)
    magnitude = np.abs(indices).astype(signed)
    bits = np.where(indices < 0, magnitude | np.array(np.iinfo(signed).min, dtype=signed), magnitude)
    return [float(centre), *bits.astype(signed).view(dtype).astype(np.float64).tolist()]


def bit_pattern_samples(dtype: str, count: int, seed: int = SEED) -> np.ndarray:
    """``count`` floats with uniformly random bit patterns, NaNs excluded."""
    rng = np.random.default_rng(seed)
    unsigned = _UNSIGNED[dtype]
    width = np.iinfo(unsigned).max
    drawn = rng.integers(0, width, size=count * 2, dtype=unsigned, endpoint=True).view(dtype)
    return drawn[~np.isnan(drawn)][:count]


def subnormal_samples(dtype: str, seed: int = SEED) -> np.ndarray:
    """The subnormal range: its ends, random subnormals, the smallest normals."""
    info = np.finfo(dtype)
    kind = np.dtype(dtype).type
    tiny_sub = kind(info.smallest_subnormal)
    largest_sub = np.nextafter(kind(info.smallest_normal), kind(0))
    rng = np.random.default_rng(seed + 1)
    unsigned = _UNSIGNED[dtype]
    mantissa_max = (1 << (info.nmant)) - 1
    random_sub = rng.integers(1, mantissa_max, size=16, dtype=unsigned, endpoint=True).view(dtype)
    values = [tiny_sub, kind(2) * tiny_sub, largest_sub, kind(info.smallest_normal),
              np.nextafter(kind(info.smallest_normal), kind(1)), *random_sub]
    values = np.array(values, dtype=dtype)
    return np.concatenate([values, -values])


def special_samples(dtype: str) -> np.ndarray:
    """Signed zeros, infinities, NaN, +-1 and the largest finite floats."""
    info = np.finfo(dtype)
    big = info.max
    return np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, big, -big,
                     np.nextafter(big, 0, dtype=dtype), -np.nextafter(big, 0, dtype=dtype)], dtype=dtype)


def core_samples(dtype: str, count: int, seed: int = SEED) -> np.ndarray:
    """A regular grid on [-20, 20] and as many uniform random points."""
    rng = np.random.default_rng(seed + 2)
    grid = np.linspace(-CORE_RANGE, CORE_RANGE, count // 2 + 1)
    random = rng.uniform(-CORE_RANGE, CORE_RANGE, size=count - count // 2)
    return np.concatenate([grid, random]).astype(dtype)


def exp_threshold_samples(dtype: str) -> np.ndarray:
    """+-log(max) and +-log(min subnormal) of both formats, with neighbours."""
    values: list[float] = []
    for fmt in ("float32", "float64"):
        info = np.finfo(fmt)
        for threshold in (math.log(float(info.max)), math.log(float(info.smallest_subnormal))):
            for signed in (threshold, -threshold):
                values += _neighbours(signed, dtype, range(1, NEIGHBOURS + 1))
    return np.array(values, dtype=dtype)


def breakpoint_samples(dtype: str, breakpoints: list[float]) -> np.ndarray:
    """Each breakpoint rounded to ``dtype`` and its neighbours a few ULPs away."""
    values: list[float] = []
    for point in breakpoints:
        values += _neighbours(point, dtype, range(1, NEIGHBOURS + 1))
    return np.array(values, dtype=dtype)


def zero_samples(dtype: str, zeros: list[float]) -> np.ndarray:
    """Each zero rounded to ``dtype`` with neighbours from 1 to 4096 ULPs away."""
    values: list[float] = []
    for point in zeros:
        values += _neighbours(point, dtype, ZERO_NEIGHBOURS)
    return np.array(values, dtype=dtype)


def find_zeros(reference: PiecewiseReference, grid: np.ndarray = ZERO_SEARCH_GRID, bits: int = 160) -> list[float]:
    r"""Isolated zeros of a function, as float64 values.

    A zero is reported where the function changes sign between neighbouring
    grid points of the same branch (jumps at breakpoints are not zeros), or
    is exactly 0 at an isolated grid point; each is refined by bisection to
    full float64 accuracy at ``bits`` of mpmath precision. Zeros of even
    multiplicity between grid points are not found that way; those of
    branches with trigonometric factors are added from SymPy's solution
    set (``periodic_zeros``), which replaces the numerical value of the same
    zero. Zeros are only sample points and centres of the excused
    neighbourhoods, so a missed one costs coverage, not correctness.
    """
    points = np.unique(grid.astype(np.float64))
    values, branches = [], []
    for x in points.tolist():
        branch, at_breakpoint = reference.locate(x)
        branches.append(-1 if at_breakpoint is not None else branch)
        values.append(reference.at(x, bits) if at_breakpoint is None else None)
    zeros: list[float] = []
    values = [None if v is None or mpmath.isnan(v) else v for v in values]
    for i in range(len(points) - 1):
        a, b = values[i], values[i + 1]
        if a is None or b is None or branches[i] != branches[i + 1]:
            continue
        if a == 0:
            neighbours_zero = (i > 0 and values[i - 1] == 0) or b == 0
            if not neighbours_zero:
                zeros.append(float(points[i]))
            continue
        if b != 0 and (a > 0) != (b > 0):
            zeros.append(_bisect(reference, float(points[i]), float(points[i + 1]), a, bits))
    solved = periodic_zeros(reference)
    if solved:
        ordered = np.array(solved)
        kept = []
        for zero in zeros:  # the same zero found both ways: keep the solved (correctly rounded) one
            nearest = ordered[np.argmin(np.abs(ordered - zero))]
            if abs(nearest - zero) > 1e-12 * max(abs(zero), 1e-300):
                kept.append(zero)
        zeros = kept + solved
    return sorted(set(zeros))


def periodic_zeros(reference: PiecewiseReference, bound: float = PERIODIC_ZERO_RANGE,
                   limit: int = PERIODIC_ZERO_MAX) -> list[float]:
    r"""The zeros with :math:`|x| \le` ``bound`` of the branches with a
    trigonometric factor, from ``sympy.solveset`` over the reals.

    The solution set of such a branch is a union of finite sets and
    *image sets* :math:`\{a k + b : k \in \mathbb{Z}\}` (snake's
    :math:`1 + \sin 2x = 0` gives :math:`k\pi + 3\pi/4`); each image set is
    enumerated over the integers k with :math:`a k + b` in the branch's
    interval and within ``bound``, at most ``limit`` zeros in all. Sets that
    SymPy leaves implicit (``ConditionSet``: :math:`x + \sin^2 x = 0`)
    contribute nothing. SymPy runs under a time budget of ``SOLVE_SECONDS``
    per branch; a branch that exceeds it contributes nothing.
    """
    found: list[float] = []
    edges = [-math.inf, *(float(c) for c in reference._breakpoints_mpf), math.inf]
    for index, expr in enumerate(reference.branch_exprs):
        if not any(X in atom.free_symbols for atom in expr.atoms(*TRIGONOMETRIC)):
            continue
        low, high = max(edges[index], -bound), min(edges[index + 1], bound)
        if low > high:
            continue
        solved = run_with_budget(_solved_zeros, expr, low, high, limit - len(found), seconds=SOLVE_SECONDS)
        if isinstance(solved, list):
            found += [x for x in solved if reference.locate(x) == (index, None)]
    return sorted(set(found))[:limit]


def _solved_zeros(expr: sympy.Expr, low: float, high: float, limit: int) -> list[float]:
    """The zeros of ``expr`` in [low, high] listed from its solution set over the reals."""
    return sorted(set(_members(sympy.solveset(expr, X, sympy.S.Reals), low, high, limit)))


def _members(solutions: sympy.Set, low: float, high: float, limit: int) -> list[float]:
    """Up to ``limit`` real members of ``solutions`` in [low, high], as floats."""
    def within(value: sympy.Expr) -> list[float]:
        if not (value.is_number and value.is_real):
            return []
        x = float(sympy.N(value, 30))
        return [x] if low <= x <= high else []

    if isinstance(solutions, sympy.FiniteSet):
        return [x for value in solutions.args for x in within(value)][:limit]
    if isinstance(solutions, sympy.Union):
        found: list[float] = []
        for part in solutions.args:
            found += _members(part, low, high, limit - len(found))
        return found
    if isinstance(solutions, sympy.Complement):
        removed = set(_members(solutions.args[1], -math.inf, math.inf, 1 << 30)) \
            if isinstance(solutions.args[1], sympy.FiniteSet) else set()
        return [x for x in _members(solutions.args[0], low, high, limit + len(removed)) if x not in removed][:limit]
    if isinstance(solutions, sympy.Intersection):
        intervals = [part for part in solutions.args if isinstance(part, sympy.Interval)]
        rest = [part for part in solutions.args if not isinstance(part, sympy.Interval)]
        if len(rest) != 1:
            return []
        return [x for x in _members(rest[0], low, high, 1 << 30)
                if all(part.contains(sympy.Float(x, 30)) is sympy.true for part in intervals)][:limit]
    if isinstance(solutions, sympy.ImageSet) and solutions.base_sets == (sympy.S.Integers,) \
            and len(solutions.lamda.variables) == 1:
        k = solutions.lamda.variables[0]
        member = sympy.expand(solutions.lamda.expr)
        step, start = member.coeff(k, 1), member.coeff(k, 0)
        if sympy.expand(step * k + start - member) != 0 or not (step.is_number and step.is_real and step != 0):
            return []
        step_float, start_float = float(sympy.N(step, 30)), float(sympy.N(start, 30))
        ends = sorted(((low - start_float) / step_float, (high - start_float) / step_float))
        if not all(math.isfinite(end) for end in ends):
            return []
        first, last = math.ceil(ends[0]) - 1, math.floor(ends[1]) + 1  # one spare each side; within() decides
        found = []
        for n in range(first, min(last, first + limit + 2) + 1):
            found += within(start + step * n)
        return found[:limit]
    return []


def _bisect(reference: PiecewiseReference, lo: float, hi: float, at_lo, bits: int) -> float:
    low_positive = at_lo > 0
    with mpmath.workprec(bits):
        a, b = mpmath.mpf(lo), mpmath.mpf(hi)
        for _ in range(bits):
            middle = (a + b) / 2
            if middle in (a, b):
                break
            value = reference.at(middle, bits)
            if value == 0:
                return float(middle)
            if (value > 0) == low_positive:
                a = middle
            else:
                b = middle
        return float(a + (b - a) / 2)


@dataclass(frozen=True)
class Samples:
    """Sample inputs of one format with the category of each."""

    points: np.ndarray
    categories: np.ndarray

    def __len__(self) -> int:
        return len(self.points)


def sample_inputs(dtype: str, breakpoints: list[float], zeros: list[float],
                  bit_samples: int = BIT_SAMPLES, core: int = CORE_SAMPLES) -> Samples:
    """All categories for ``dtype``, deduplicated by bit pattern and sorted."""
    groups = {
        "special": special_samples(dtype),
        "subnormal": subnormal_samples(dtype),
        "breakpoint": breakpoint_samples(dtype, breakpoints),
        "zero": zero_samples(dtype, zeros),
        "exp_threshold": exp_threshold_samples(dtype),
        "core": core_samples(dtype, core),
        "bits": bit_pattern_samples(dtype, bit_samples),
    }
    unsigned = _UNSIGNED[dtype]
    seen: dict[int, str] = {}
    for category, values in groups.items():
        for pattern in np.asarray(values, dtype=dtype).view(unsigned).tolist():
            seen.setdefault(pattern, category)
    patterns = np.array(sorted(seen), dtype=unsigned)
    points = patterns.view(dtype)
    order = np.lexsort((patterns, np.where(np.isnan(points), np.inf, points)))
    points = points[order]
    categories = np.array([seen[int(p)] for p in patterns[order]])
    return Samples(points, categories)
