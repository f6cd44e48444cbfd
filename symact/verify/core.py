r"""Verification of implementations of an activation against its definition.

``prepare(bound, dtypes)`` computes, once per bound activation, everything
that does not depend on the code under test: the sample inputs per format,
correctly rounded references of f and f' there (``reference``), the check of
the symbolic f' against numerical differentiation of the original f, and
the excused neighbourhoods. ``measure(prepared, implementation)`` then runs
an ``Implementation`` and compares, per dtype and kind:

* ``forward``: f(x), bound ``BOUNDS["forward"]`` = 2 ULP;
* ``gradient``: df/dx, bound 4 ULP;
* ``fused``: f and df/dx from one call (NumPy ``name_forward_and_grad``,
  torch autograd through ``name``): df within 4 ULP and f within 2 ULP.

A cell passes when its maximum ULP distance is within the bound and every
counter of ``symact.verify.metrics`` is 0 (no wrong non-finite, wrong zero,
sign error, wrong NaN, and forward values propagate NaN inputs), outside
the excused points. A gradient at a NaN input is reported, not failed:
frameworks mask it (torch's relu backward gives 0 there).

Results whose reference lies below the normal range follow the subnormal
policy of ``symact.verify.metrics`` (counted under ``subnormal_flushed``);
catalogue entries may pass within named exceptions
(``symact.verify.exceptions``, applied by ``symact.verify.verify``).

The built-in exception, named in every report with its figure: *relative
accuracy at an exact, non-zero zero* :math:`x_0` of the function computed
(f for forward, f' for the gradients, e.g. SiLU' at x = -1.2785). Near a
simple zero the relative condition number of evaluating g is

.. math:: \kappa_g(x) = \left|\frac{x\, g'(x)}{g(x)}\right| \approx \frac{|x_0|}{|x - x_0|},

unbounded at :math:`x_0`: any evaluation whose intermediate results carry a
relative error of one rounding loses :math:`\log_2 \kappa` bits. A point x is
excused when it lies within :math:`|x_0|/16` of such a zero and
:math:`\kappa_g(x) \ge` ``EXCUSE_CONDITION`` (64). Excused points are still
measured and reported separately (``excused``); only the pass/fail bound
ignores them. Non-finite and NaN errors are never excused.

Every cell that misses a bound (failing, or excepted by a named exception)
reports :math:`\kappa_g` at its worst input (``Cell.worst_condition``, and
in each failure line), computed only there: a large figure says the miss is
limited by conditioning, a small one that the formula loses accuracy by
itself.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy

from symact.activation import Activation, BoundActivation
from symact.verify import inputs
from symact.verify.cache import ReferenceCache
from symact.verify.implementation import Implementation
from symact.verify.metrics import COUNTERS, Metrics, measure as measure_points
from symact.verify.reference import FORMATS, PiecewiseReference, ReferenceTable, Status, numerical_derivative_check

BOUNDS = {"forward": 2, "gradient": 4}
KINDS = ("forward", "gradient", "fused")
DTYPES = ("float32", "float64")
EXCUSE_CONDITION = 64
EXCUSE_RADIUS = 1 / 16
EXCUSE_REASON = ("relative accuracy near an exact non-zero zero x0 of the function computed: "
                 "condition number |x g'(x)/g(x)| >= 64 within |x0|/16 of x0")
DERIVATIVE_CHECK_POINTS = np.concatenate([np.linspace(-19.75, 19.75, 80), [-60.5, -35.25, 35.25, 60.5]])
DERIVATIVE_TOLERANCE = 2.0 ** -60
NONCRITICAL = ("wrong_zero", "sign_errors")  # counters excused with the ULP bound near zeros
# A gradient at a NaN input follows the framework's masks (torch's relu backward
# gives 0 there): counted and reported, not failed. Forward values must be NaN.
INFORMATIONAL_FOR_GRADIENTS = ("nan_not_propagated",)


@dataclass(frozen=True)
class FormatReferences:
    """Everything about one dtype that does not depend on the code under test."""

    samples: inputs.Samples
    tables: dict[str, ReferenceTable]  # "forward" / "gradient"
    excused: dict[str, np.ndarray]  # kind -> bool mask over samples


@dataclass(frozen=True)
class Prepared:
    """References of a bound activation for the requested dtypes."""

    bound: BoundActivation
    formats: dict[str, FormatReferences]
    zeros: dict[str, list[float]]
    derivative_check: dict
    conventions: list[dict]
    references: dict[str, PiecewiseReference] = field(default_factory=dict)  # "forward" / "gradient"


def _float(value: sympy.Expr) -> float:
    return float(sympy.N(value, 30))


def _conventions(function: PiecewiseReference, slope: PiecewiseReference) -> list[dict]:
    """At each kink, the value and gradient generated code must produce there."""
    found = []
    for i, point in enumerate(slope.pieces.breakpoints):
        owner = slope.pieces.owners[i]
        side = "left branch" if owner == i else "right branch" if owner == i + 1 else "point value"
        entry = {"x": sympy.sstr(point), "gradient": sympy.sstr(slope.convention_values[i]), "owner": side,
                 "derivative_exists": slope.pieces.values[i] is not None}
        if point in function.pieces.breakpoints:
            entry["value"] = sympy.sstr(function.convention_values[function.pieces.breakpoints.index(point)])
        found.append(entry)
    return found


def condition_number(g: PiecewiseReference, x: float) -> float | None:
    r"""The relative condition number :math:`\kappa_g(x) = |x\, g'(x) / g(x)|`
    of evaluating g at x, at 128 bits (plus the exponent of a large x) with g'
    by numerical differentiation
    of the branch holding x: how many times a relative perturbation of x is
    amplified in g(x). :math:`\infty` where g(x) = 0; None at a breakpoint
    (a kink, where g takes its convention value), at a non-finite x, or where
    mpmath cannot evaluate the branch."""
    if not math.isfinite(x):
        return None
    branch, at_breakpoint = g.locate(x)
    if at_breakpoint is not None:
        return None
    try:
        # The difference quotient's step is absolute: x + h must be exact, so the precision
        # covers x's exponent (snake' = 1 + sin 2x at x = -1.2e163 has period pi).
        with mpmath.workprec(128 + max(0, math.frexp(x)[1])):
            function = g.branch_functions[branch]
            value = function(mpmath.mpf(x))
            if value == 0:
                return math.inf
            kappa = abs(mpmath.mpf(x) * mpmath.diff(function, mpmath.mpf(x)) / value)
            return float(kappa) if mpmath.isfinite(kappa) else math.inf
    except (ZeroDivisionError, OverflowError, ValueError, TypeError):
        return None


def _near_a_zero(centres: list[float], points: np.ndarray) -> np.ndarray:
    """Whether each point lies within ``EXCUSE_RADIUS`` |z| of a non-zero zero z."""
    ordered = np.array(sorted(centres), dtype=np.float64)
    values = points.astype(np.float64)
    near = np.zeros(values.shape, dtype=bool)
    finite = np.isfinite(values) & (values != 0)
    # |x - z| <= |z|/16 needs z of the sign of x with |z| in [16|x|/17, 16|x|/15];
    # the slack only widens the candidates, the test below is exact.
    with np.errstate(over="ignore", invalid="ignore"):
        size = np.abs(values)
        smallest = size / (1 + EXCUSE_RADIUS) * (1 - 1e-9)
        largest = size / (1 - EXCUSE_RADIUS) * (1 + 1e-9)
    lower = np.where(values > 0, smallest, -largest)
    upper = np.where(values > 0, largest, -smallest)
    first = np.searchsorted(ordered, lower, side="left")
    last = np.searchsorted(ordered, upper, side="right")
    for index in np.flatnonzero(finite & (last > first)).tolist():
        x = float(values[index])
        near[index] = any(abs(x - z) <= EXCUSE_RADIUS * abs(z) for z in ordered[first[index]:last[index]].tolist())
    return near


def excused_near_zeros(g: PiecewiseReference, zeros: list[float], points: np.ndarray) -> np.ndarray:
    r"""The built-in excuse (module docstring): whether each point lies within
    :math:`|x_0|/16` of a non-zero zero :math:`x_0` of g (from ``zeros``) and
    :math:`\kappa_g(x) = |x g'(x)/g(x)| \ge` ``EXCUSE_CONDITION`` there
    (``condition_number``). Returns a bool array over ``points``."""
    mask = np.zeros(points.shape, dtype=bool)
    centres = [z for z in zeros if z != 0]
    if not centres:
        return mask
    for index in np.flatnonzero(_near_a_zero(centres, points)).tolist():
        kappa = condition_number(g, float(points[index]))
        mask[index] = kappa is not None and kappa >= EXCUSE_CONDITION
    return mask


def prepare(bound: BoundActivation, dtypes=DTYPES, cache: ReferenceCache | None = None) -> Prepared:
    """Sample inputs and reference values of f and f' for each dtype."""
    cache = cache or ReferenceCache(None)
    function = PiecewiseReference(bound.pieces)
    slope = PiecewiseReference(bound.derivative(1))
    references = {"forward": function, "gradient": slope}
    breakpoints = sorted({_float(c) for c in (*bound.pieces.breakpoints, *slope.pieces.breakpoints)})

    def analyse() -> dict:
        check_points = [x for x in DERIVATIVE_CHECK_POINTS.tolist()
                        if all(abs(x - c) > 1e-3 for c in breakpoints)]
        return {"zeros": {kind: inputs.find_zeros(ref) for kind, ref in references.items()},
                "derivative_check": numerical_derivative_check(function, slope, np.array(check_points))}

    analysis = cache.analysis((function.key, slope.key), analyse)
    zeros = analysis["zeros"]
    check = dict(analysis["derivative_check"])
    check["passed"] = check["max_relative_difference"] <= DERIVATIVE_TOLERANCE
    sample_zeros = sorted(set(zeros["forward"]) | set(zeros["gradient"]))
    formats = {}
    for dtype in dtypes:
        if dtype not in FORMATS:
            raise ValueError(f"unknown dtype '{dtype}'; choose from {', '.join(FORMATS)}")
        samples = inputs.sample_inputs(dtype, breakpoints, sample_zeros)
        tables = {kind: cache.table(ref, samples.points) for kind, ref in references.items()}
        excused = {kind: cache.mask(("excused", ref.key, repr(zeros[kind]), repr((EXCUSE_CONDITION, EXCUSE_RADIUS))),
                                    samples.points,
                                    lambda ref=ref, kind=kind: excused_near_zeros(ref, zeros[kind], samples.points))
                   for kind, ref in references.items()}
        formats[dtype] = FormatReferences(samples, tables, excused)
    return Prepared(bound, formats, zeros, check, _conventions(function, slope), references)


@dataclass(frozen=True)
class Cell:
    """The result of one (target, dtype, kind).

    ``problems`` holds every bound the cell misses as (metric, figure, text);
    ``failures`` the texts of those no named exception covers, and
    ``excepted`` the covered ones with the exception's limit and reason
    (``symact.verify.exceptions``).
    """

    target: str
    dtype: str
    kind: str
    bound_ulp: int
    metrics: Metrics | None
    excused: Metrics | None = None
    forward_part: Metrics | None = None
    failures: tuple[str, ...] = ()
    error: str | None = None
    problems: tuple[tuple[str, int, str], ...] = ()
    excepted: tuple[dict, ...] = ()
    worst_condition: dict | None = None

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None

    @property
    def status(self) -> str:
        """"failed", "excepted" (passes within named exceptions) or "passed"."""
        return "failed" if not self.passed else "excepted" if self.excepted else "passed"

    def to_json(self) -> dict:
        data = {"bound_ulp": self.bound_ulp, "passed": self.passed, "status": self.status,
                "failures": list(self.failures), "excepted": list(self.excepted), "error": self.error}
        data.update(self.metrics.to_json() if self.metrics else {})
        data["worst_condition"] = self.worst_condition
        data["excused"] = None if self.excused is None else {**self.excused.to_json(), "reason": EXCUSE_REASON}
        if self.kind == "fused":
            data["forward_part"] = None if self.forward_part is None else self.forward_part.to_json()
        return data


def _condition_text(reference: PiecewiseReference | None, x: str) -> str:
    kappa = None if reference is None else condition_number(reference, float(x))
    return "" if kappa is None else f"; condition number {kappa:.3g}"


def _problems(metrics: Metrics, bound: int, what: str, gradient: bool,
              reference: PiecewiseReference | None = None) -> list[tuple[str, int, str]]:
    """Each bound ``metrics`` misses: (metric, its figure, a readable line);
    with ``reference`` (the function computed) each line also gives the
    condition number at its worst input (``condition_number``)."""
    problems = []
    if metrics.max_ulp > bound:
        case = metrics.worst["max_ulp"]
        problems.append(("max_ulp", metrics.max_ulp,
                         f"{what}: {metrics.max_ulp} ULP > {bound} at x = {case.x} "
                         f"(expected {case.expected}, got {case.actual}{_condition_text(reference, case.x)})"))
    for counter in COUNTERS:
        if gradient and counter in INFORMATIONAL_FOR_GRADIENTS:
            continue
        if metrics.counts[counter]:
            case = metrics.worst[counter]
            problems.append((counter, metrics.counts[counter],
                             f"{what}: {metrics.counts[counter]} {counter.replace('_', ' ')}, e.g. x = {case.x} "
                             f"(expected {case.expected}, got {case.actual}{_condition_text(reference, case.x)})"))
    return problems


def worst_condition(metrics: Metrics, missed: list[str], reference: PiecewiseReference, part: str) -> dict | None:
    r"""``{"x", "part", "metric", "condition"}``: :math:`\kappa` (``condition_number``
    of ``reference``, the function computed, named ``part``) at the worst
    input of the first metric in ``missed`` (the metrics of ``_problems``
    in order: ``max_ulp`` first); None when nothing is missed."""
    for key in missed:
        case = metrics.worst.get(key)
        if case is not None:
            return {"x": case.x, "part": part, "metric": key, "condition": condition_number(reference, float(case.x))}
    return None


def _failures(metrics: Metrics, bound: int, what: str, gradient: bool) -> list[str]:
    """The readable lines of ``_problems`` (kept for callers that want text only)."""
    return [text for _, _, text in _problems(metrics, bound, what, gradient)]


def split_excused(points, expected, actual, excused, resolved, bound=None) -> tuple[Metrics, Metrics | None]:
    """(strict, excused) metrics of ``actual`` against ``expected``.

    ``strict`` is measured over the resolved points outside ``excused`` (bool
    masks over the points), ``excused`` over the resolved excused points
    (None when there are none). The excuse covers only the ULP bound and the
    ``NONCRITICAL`` counters: wrong non-finite and NaN results among the
    excused points are added to the strict counts. ``bound`` is the cell's
    ULP bound, for the subnormal policy of ``metrics.measure``.
    """
    kept = resolved & ~excused
    strict = measure_points(points[kept], expected[kept], actual[kept], bound)
    if not (excused & resolved).any():
        return strict, None
    near = excused & resolved
    loose = measure_points(points[near], expected[near], actual[near], bound)
    # Outside the ULP bound near zeros, non-finite and NaN errors still count.
    strict_counts = dict(strict.counts)
    worst = dict(strict.worst)
    for counter in COUNTERS:
        if counter not in NONCRITICAL and loose.counts[counter]:
            strict_counts[counter] += loose.counts[counter]
            worst.setdefault(counter, loose.worst[counter])
    return Metrics(strict.points, strict.max_ulp, strict.p99_ulp, strict_counts, worst), loose


def _as_output(value, x: np.ndarray, what: str) -> np.ndarray:
    array = np.asarray(value)
    if array.shape != x.shape:
        raise ValueError(f"{what} returned shape {array.shape} for input shape {x.shape}")
    if array.dtype != x.dtype:
        raise ValueError(f"{what} returned {array.dtype} for {x.dtype} input")
    return array


def measure(prepared: Prepared, implementation: Implementation, target: str | None = None,
            dtypes=None) -> list[Cell]:
    """Run ``implementation`` on the prepared inputs and measure every kind."""
    target = target or implementation.label
    cells = []
    for dtype, refs in prepared.formats.items():
        if dtypes is not None and dtype not in dtypes:
            continue
        x = refs.samples.points.copy()
        for kind in KINDS:
            if getattr(implementation, kind) is None:
                continue
            table_kind = "forward" if kind == "forward" else "gradient"
            bound = BOUNDS[table_kind]
            try:
                result = implementation.call(kind, x.copy())
                if kind == "fused":
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise ValueError("fused must return a pair (f, df)")
                    value_part = _as_output(result[0], x, "fused f")
                    actual = _as_output(result[1], x, "fused df")
                else:
                    actual = _as_output(result, x, kind)
            except Exception as exc:  # noqa: BLE001 - the code under test may raise anything
                text = f"{kind} raised {type(exc).__name__}: {exc}"
                cells.append(Cell(target, dtype, kind, bound, None, error=f"{type(exc).__name__}: {exc}",
                                  failures=(text,), problems=(("error", 1, text),)))
                continue
            table = refs.tables[table_kind]
            resolved = table.status != Status.UNRESOLVED
            metrics, loose = split_excused(x, table.expected(dtype), actual, refs.excused[table_kind], resolved,
                                           bound)
            reference = prepared.references.get(table_kind)
            problems = _problems(metrics, bound, table_kind if kind != "fused" else "fused gradient",
                                 table_kind == "gradient", reference)
            condition = worst_condition(metrics, [m for m, _, _ in problems], reference, table_kind) \
                if problems and reference else None
            forward_part = None
            if kind == "fused":
                forward_table = refs.tables["forward"]
                forward_part, _ = split_excused(x, forward_table.expected(dtype), value_part, refs.excused["forward"],
                                                forward_table.status != Status.UNRESOLVED, BOUNDS["forward"])
                value_problems = _problems(forward_part, BOUNDS["forward"], "fused value", False,
                                           prepared.references.get("forward"))
                if condition is None and value_problems and "forward" in prepared.references:
                    condition = worst_condition(forward_part, [m for m, _, _ in value_problems],
                                                prepared.references["forward"], "forward")
                problems += value_problems
            cells.append(Cell(target, dtype, kind, bound, metrics, loose, forward_part,
                              tuple(text for _, _, text in problems), problems=tuple(problems),
                              worst_condition=condition))
    return cells


@dataclass
class Report:
    """Verification of one bound activation: cells per (target, dtype, kind)."""

    activation: str
    params: dict[str, str]
    cells: list[Cell] = field(default_factory=list)
    derivative_check: dict = field(default_factory=dict)
    conventions: list[dict] = field(default_factory=list)
    zeros: dict[str, list[float]] = field(default_factory=dict)
    reference: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stale_exceptions: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (not self.errors and all(cell.passed for cell in self.cells)
                and bool(self.derivative_check.get("passed", False)))

    def status(self, strict_exceptions: bool = False) -> str:
        """"failed", "excepted" (passes, some cell only within named
        exceptions) or "passed"; with ``strict_exceptions`` a stale exception
        fails the report."""
        if not self.passed or (strict_exceptions and self.stale_exceptions):
            return "failed"
        return "excepted" if any(cell.excepted for cell in self.cells) else "passed"

    def failures(self) -> list[str]:
        """Every reason this report fails, one line each."""
        lines = list(self.errors)
        if self.derivative_check and not self.derivative_check.get("passed", False):
            lines.append(f"the symbolic f' disagrees with numerical differentiation of f: relative difference "
                         f"{self.derivative_check['max_relative_difference']:.3g} at x = "
                         f"{self.derivative_check['worst_input']}")
        for cell in self.cells:
            lines += [f"{cell.target} {cell.dtype} {cell.kind}: {text}" for text in cell.failures]
        return lines

    def to_json(self) -> dict:
        cells: dict = {}
        for cell in self.cells:
            cells.setdefault(cell.target, {}).setdefault(cell.dtype, {})[cell.kind] = cell.to_json()
        return {
            "activation": self.activation,
            "params": dict(sorted(self.params.items())),
            "passed": self.passed,
            "status": self.status(),
            "stale_exceptions": self.stale_exceptions,
            "bounds_ulp": dict(BOUNDS),
            "cells": cells,
            "derivative_check": self.derivative_check,
            "conventions": self.conventions,
            "zeros": self.zeros,
            "reference": self.reference,
            "errors": self.errors,
        }


def _reference_summary(prepared: Prepared) -> dict:
    summary = {}
    for dtype, refs in prepared.formats.items():
        for kind, table in refs.tables.items():
            summary.setdefault(dtype, {})[kind] = {
                "points": int(table.points.size),
                "max_precision_bits": int(table.precision.max(initial=0)),
                "underflow": int((table.status == Status.UNDERFLOW).sum()),
                "unresolved": int((table.status == Status.UNRESOLVED).sum()),
            }
    return summary


def bind_activation(activation: Activation | BoundActivation, params=None) -> BoundActivation:
    """A ``BoundActivation`` from either form (``params`` only for an ``Activation``)."""
    if isinstance(activation, BoundActivation):
        if params:
            raise ValueError("pass parameter values to bind(), or an unbound Activation with params")
        return activation
    return activation.bind(params or {})


def parameter_floats(bound: BoundActivation) -> dict[str, float]:
    """The bound parameter values that differ from the defaults, as floats for generated code."""
    defaults = bound.activation.defaults
    return {name: float(value) for name, value in bound.values if value != defaults[name]}


def verify_implementations(bound: BoundActivation, implementations: dict[str, Implementation],
                           dtypes=DTYPES, cache: ReferenceCache | None = None) -> Report:
    """Verify each ``target -> Implementation`` of ``bound``."""
    import time

    started = time.perf_counter()
    prepared = prepare(bound, tuple(dtypes), cache)
    report = Report(bound.name, {k: sympy.sstr(v) for k, v in bound.values},
                    derivative_check=prepared.derivative_check, conventions=prepared.conventions,
                    zeros=prepared.zeros, reference=_reference_summary(prepared))
    for target, implementation in implementations.items():
        report.cells += measure(prepared, implementation, target)
    report.seconds = time.perf_counter() - started
    return report
