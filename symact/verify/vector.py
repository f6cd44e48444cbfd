r"""Verification of the generated vector activations (softmax family, gated
family) against mpmath, in ULPs, component by component.

Inputs, per dtype (``vector_cases``): vectors of lengths 1, 2, 3 and 17
(the gated family: halves of those lengths) drawn from the cases that break
naive code: random logits at scales 1, 10 and 100, all equal (0, -7.5 and
huge), one-hot-ish (20 or 100 above the rest: small components subnormal
in float32), mixed magnitudes (1000 and -1000 in one vector), huge (a
quarter of the largest float), tiny (subnormals), near ties (neighbouring
floats), a masked logit (-inf), a NaN, and for the gates every b of the
elementwise core range [-20, 20] and the exp thresholds. Each vector has a
seeded random upstream gradient g (one all-ones g makes softmax's
:math:`J^T g` exactly 0).

Reference: the definition evaluated with mpmath, as exact as the floats
allow. Softmax family: :math:`z = t x` and :math:`d_j = z_j - \max z`
computed exactly (the definition is invariant to the shift; a proved
property, ``symact.vector.shift_invariant``), :math:`s = e^{d} / \sum e^{d}`,
:math:`y = d - \log \sum e^{d}` for log-softmax, at a working precision of
160 bits plus the dynamic range :math:`\log_2 e \cdot \max_j |d_j|` (at most
12000 bits), so that :math:`\log(1 + r)` keeps a tiny r. The vector-Jacobian
product is the closed form checked against the symbolic Jacobian
(``symact.vector``), with :math:`\sum_i s_i = 1` used to write it without
cancellation between rounded terms:
:math:`t\, s_k \sum_i (g_k - g_i)\, s_i` and
:math:`t \sum_i (s_i g_k - s_k g_i)`. The evaluation is repeated at 64 more
bits and the precision doubled until both round to the same floats (else the
point is *unresolved*: left out of the metrics and counted). Gated family:
the gate's elementwise reference (``reference.PiecewiseReference`` of the
catalogue entry and of its derivative, settled to :math:`2^{-100}`) times the
exact float factors a and g, rounded once.

Metrics: ``metrics.measure`` on the components, with two policies:

* subnormal: where the reference is below the smallest normal number, an
  answer within the smallest normal of it counts as exact (softmax's small
  components are subnormal when their logits are 87 (float32) or 708
  (float64) below the maximum, and exp loses relative accuracy there in any
  implementation; the count is reported);
* cancellation: :math:`J^T g` cancels where g is close to its s-weighted mean.
  A component whose condition number, the magnitude of its terms
  :math:`s_k(|g_k| + \sum_i |g_i| s_i)` (log-softmax: :math:`|g_k| + s_k\sum_i|g_i|`)
  over its value, is at least ``CANCELLATION_CONDITION`` = 2 is measured in
  ULPs of that magnitude instead, against the same gradient bound (without
  a wider type, float64 code cannot do better: its error is a few ulps of the
  terms); NaN/inf errors still count;
* gate zeros: the gated family's components where the gate or its derivative
  is ill-conditioned near a zero are excused as in the elementwise verifier
  (``core`` neighbourhoods of the gate's zeros, reported in ``excused``).

A failing or excepted cell of the gated family gives the condition number at
its worst component (``worst_condition``: the gate's, or its derivative's,
:math:`|b\, g'(b)/g(b)|` at that component's b; a and g are exact factors);
the softmax family gives none. Named exceptions (``symact.verify.exceptions``)
apply to the generated code as for elementwise entries.

Bounds: those of the elementwise code, 2 ULP forward and 4 ULP for the
vector-Jacobian product. Kinds: ``forward`` (``name``), ``gradient``
(``name_vjp``) and, for torch, ``fused``: the value and gradient through the
autograd Function (``backward``).
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

import mpmath
import numpy as np

from symact.catalogue import CATALOGUE
from symact.verify import inputs
from symact.verify.cache import ReferenceCache, default_cache_dir
from symact.verify.core import (BOUNDS, INFORMATIONAL_FOR_GRADIENTS, Cell, Report, condition_number,
                                excused_near_zeros, split_excused)
from symact.verify.exceptions import apply_exceptions, load_exceptions
from symact.verify.metrics import COUNTERS, Metrics, format_value
from symact.verify.reference import FAR_OUTSIDE_BITS, PiecewiseReference, Status, round_to_format

LENGTHS = (1, 2, 3, 17)
SEED = 20240611
BASE_PRECISION = 160
PRECISION_CAP = 16384
REFERENCE_FORMAT = "1"  # bump when the reference computation changes (cache key)
SCALED_ERROR_INFINITE = 2 ** 63 - 1  # an infinite answer where the value is finite
CANCELLATION_CONDITION = 2  # J^T g components below half their terms' magnitude
KIND_BOUNDS = {"forward": BOUNDS["forward"], "gradient": BOUNDS["gradient"], "fused": BOUNDS["gradient"]}
POLICY_RULES = {
    "subnormal_absorbed": "reference below the smallest normal; an answer within the smallest normal counts as exact",
    "cancelling": "J^T g components below half their terms' magnitude, measured in ULPs of that magnitude "
                  "(cancelling_max_ulp_of_terms) against the gradient bound",
    "excused": "components excused from the ULP bound: cancelling ones, and the gate's ill-conditioned "
               "neighbourhoods of its zeros as in the elementwise report",
    "unresolved": "components whose reference did not settle (left out of the metrics)",
}


@dataclass(frozen=True)
class VectorCase:
    """One input vector (float64 holding ``dtype`` values exactly) and its upstream gradient."""

    label: str
    x: np.ndarray
    g: np.ndarray


def _random(rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.standard_normal(size)


def _softmax_vectors(dtype: str, rng: np.random.Generator, sign: int) -> list[tuple[str, list[float]]]:
    kind = np.dtype(dtype).type
    big = float(np.finfo(dtype).max) / 4
    tiny = float(np.finfo(dtype).smallest_subnormal)
    one = kind(1.0)
    found = []
    for n in LENGTHS:
        for scale in (1.0, 10.0, 100.0):
            found.append((f"random scale {scale:g} n={n}", list(_random(rng, n) * scale)))
        for value in (0.0, -7.5, big):
            found.append((f"all equal {value:g} n={n}", [value] * n))
        for gap in (20.0, 100.0):
            found.append((f"one-hot-ish +{gap:g} n={n}", [gap] + [0.0] * (n - 1)))
        mixed = [1000.0, -1000.0] + list(_random(rng, n) * 30)
        found.append((f"mixed 1000/-1000 n={n}", mixed[:n] if n > 1 else [-1000.0]))
        found.append((f"huge n={n}", list(rng.uniform(-big, big, n))))
        found.append((f"tiny n={n}", list(rng.integers(-50, 50, n) * tiny)))
        ties = [float(one)]
        for _ in range(n - 1):
            ties.append(float(np.nextafter(kind(ties[-1]), kind(2))))
        found.append((f"near ties n={n}", ties))
    found.append(("masked logit n=3", [-math.inf * sign, 1.0, 2.5]))  # weight exactly 0
    found.append(("NaN n=3", [1.0, math.nan, 2.0]))
    return found


def _gated_vectors(dtype: str, rng: np.random.Generator) -> list[tuple[str, list[float]]]:
    info = np.finfo(dtype)
    thresholds = [math.log(float(info.max)), math.log(float(info.smallest_subnormal))]
    found = []
    for m in LENGTHS:
        for scale in (1.0, 3.0, 20.0):
            found.append((f"random scale {scale:g} m={m}", list(_random(rng, 2 * m) * scale)))
        a = list(rng.uniform(-1e3, 1e3, m))
        found.append((f"huge b m={m}", a + list(rng.choice([-1.0, 1.0], m) * float(info.max) / 8)))
        found.append((f"tiny b m={m}", a + list(rng.integers(-50, 50, m) * float(info.smallest_subnormal))))
        found.append((f"mixed a m={m}", list(rng.choice([1e30, -1e-30, 1.0], m)) + list(_random(rng, m) * 4)))
    core = np.linspace(-20.0, 20.0, 161)
    for start in range(0, core.size, 17):
        b = list(core[start:start + 17])
        found.append((f"core b from {b[0]:g} m={len(b)}", list(_random(rng, len(b))) + b))
    b = [t + s for t in thresholds for s in (-1.0, 0.0, 1.0)] + [-t for t in thresholds]
    found.append((f"exp thresholds m={len(b)}", list(_random(rng, len(b))) + b))
    found.append(("NaN in b m=2", [1.0, 2.0, math.nan, 0.5]))
    return found


def vector_cases(entry, dtype: str, seed: int = SEED) -> list[VectorCase]:
    """The input vectors of ``entry`` for ``dtype`` (values rounded to the dtype), with upstream gradients."""
    rng = np.random.default_rng(seed)
    vectors = _softmax_vectors(dtype, rng, entry.sign) if entry.family == "softmax" else _gated_vectors(dtype, rng)
    cases = []
    for index, (label, values) in enumerate(vectors):
        x = np.asarray(values, dtype=np.float64).astype(dtype).astype(np.float64)
        size = x.size if entry.family == "softmax" else x.size // 2
        g = _random(rng, size).astype(dtype).astype(np.float64)
        if index == 0 and entry.family == "softmax":
            g = np.ones(size)  # J^T 1 = 0 exactly for softmax: the cancellation policy at work
        cases.append(VectorCase(label, x, g))
    return cases


# ---------------------------------------------------------------- references


@dataclass(frozen=True)
class CaseReference:
    """Reference values of one case, rounded to the dtype, with per-component facts.

    Attributes:
      forward, gradient: the correctly rounded y and J^T g.
      scale: the magnitude of the terms of each J^T g component (softmax
        family; None for the gated family, whose J^T g is a product).
      excused_forward, excused_gradient: components excused from the ULP
        bound because the gate is ill-conditioned there (gated family: the
        elementwise verifier's neighbourhoods of the gate's zeros).
      nan_forward, nan_gradient: components with a NaN among their inputs.
      resolved: whether the reference settled.
      precision: the working precision (bits) that settled it.
    """

    forward: np.ndarray
    gradient: np.ndarray
    scale: np.ndarray | None
    excused_forward: np.ndarray
    excused_gradient: np.ndarray
    nan_forward: np.ndarray
    nan_gradient: np.ndarray
    resolved: bool
    precision: int


def _softmax_exact(entry, x: list[float], g: list[float], bits: int):
    """(y, J^T g, term magnitudes) as mpf lists at ``bits`` of working precision."""
    z = [mpmath.mpf(v) * entry.sign for v in x]
    with mpmath.workprec(bits):
        m = max(z)
        d = [mpmath.fsub(v, m, exact=True) if mpmath.isfinite(v) else v for v in z]
        # e^d below 2^-(bits + 1200) is 0 to this precision and rounds to 0 in every format.
        negligible = -(bits + FAR_OUTSIDE_BITS) * 0.6931471805599453
        e = [mpmath.exp(v) if v > negligible else mpmath.mpf(0) for v in d]
        total = mpmath.fsum(e)
        s = [v / total for v in e]
        gs = [mpmath.mpf(v) for v in g]
        t = entry.sign
        if entry.logarithmic:
            log_total = mpmath.log(total)
            y = [v - log_total for v in d]
            sum_abs = mpmath.fsum(abs(v) for v in gs)
            vjp = [t * mpmath.fsum(s[i] * gs[k] - s[k] * gs[i] for i in range(len(s))) for k in range(len(s))]
            scale = [abs(gs[k]) + s[k] * sum_abs for k in range(len(s))]
        else:
            y = s
            weighted = mpmath.fsum(abs(gi) * si for gi, si in zip(gs, s))
            vjp = [t * s[k] * mpmath.fsum((gs[k] - gs[i]) * s[i] for i in range(len(s))) for k in range(len(s))]
            scale = [s[k] * (abs(gs[k]) + weighted) for k in range(len(s))]
    return y, vjp, scale


def _rounded(values, dtype: str) -> np.ndarray:
    return np.array([round_to_format(v, dtype) for v in values], dtype=dtype)


def _softmax_reference(entry, case: VectorCase, dtype: str) -> dict:
    x, g = case.x.tolist(), case.g.tolist()
    n = len(x)
    if any(math.isnan(v) for v in x) or all(entry.sign * v == -math.inf for v in x):
        return {"forward": [math.nan] * n, "gradient": [math.nan] * n, "scale": [0.0] * n, "resolved": True,
                "precision": 0}
    distinct = sorted({entry.sign * v for v in x if math.isfinite(v)}, reverse=True)
    # log(1 + r) with r >= e^(second largest - largest) needs that many more bits (up to 1200:
    # below 2^-1200, r rounds to 0 in every format anyway).
    gap = distinct[0] - distinct[1] if len(distinct) > 1 else 0.0
    bits = BASE_PRECISION + int(min(math.ceil(gap * 1.4426950408889634), FAR_OUTSIDE_BITS))
    while bits <= PRECISION_CAP:
        rounded = [_rounded(values, dtype) for values in _softmax_exact(entry, x, g, bits)[:2]]
        again = _softmax_exact(entry, x, g, bits + 64)
        check = [_rounded(values, dtype) for values in again[:2]]
        if all(np.array_equal(a, b, equal_nan=True) for a, b in zip(rounded, check)):
            return {"forward": rounded[0].tolist(), "gradient": rounded[1].tolist(),
                    "scale": [float(v) for v in again[2]], "resolved": True, "precision": bits + 64}
        bits *= 2
    return {"forward": [math.nan] * n, "gradient": [math.nan] * n, "scale": [0.0] * n, "resolved": False,
            "precision": bits // 2}


class _GateReferences:
    """The gate's elementwise references of f and f', evaluated once per b,
    and the neighbourhoods of their zeros the elementwise verifier excuses."""

    def __init__(self, gate: str, cache: ReferenceCache):
        bound = CATALOGUE[gate].bind()
        self.function = PiecewiseReference(bound.pieces)
        self.slope = PiecewiseReference(bound.derivative(1))
        self.zeros = cache.analysis(("vector gate zeros", self.function.key, self.slope.key), lambda: {
            "forward": inputs.find_zeros(self.function), "gradient": inputs.find_zeros(self.slope)})
        self._memo: dict[tuple[str, float], object] = {}

    def value(self, which: str, b: float):
        key = (which, b)
        if key not in self._memo:
            self._memo[key] = (self.function if which == "f" else self.slope).evaluate(b)
        return self._memo[key]

    def excused(self, which: str, b: list[float]) -> list[bool]:
        reference = self.function if which == "f" else self.slope
        zeros = self.zeros["forward" if which == "f" else "gradient"]
        return excused_near_zeros(reference, zeros, np.asarray(b, dtype=np.float64)).tolist()


def _product(factors: list[float], reference, dtype: str) -> tuple[float, bool]:
    """prod(factors) * reference, correctly rounded; (value, resolved)."""
    if reference.status is Status.UNRESOLVED:
        return math.nan, False
    if reference.value is None or any(math.isnan(f) for f in factors):
        return math.nan, True
    if reference.status is Status.UNDERFLOW:
        return (0.0 if all(math.isfinite(f) for f in factors) else math.nan), True
    with mpmath.workprec(max(reference.precision, 64) + 128):
        value = reference.value
        for factor in factors:
            value = value * mpmath.mpf(factor)
    if mpmath.isnan(value):
        return math.nan, True
    return round_to_format(value, dtype), True


def _gated_reference(gates: _GateReferences, case: VectorCase, dtype: str) -> dict:
    m = case.x.size // 2
    a, b, g = case.x[:m].tolist(), case.x[m:].tolist(), case.g.tolist()
    forward, values, slopes, resolved = [], [], [], True
    for k in range(m):
        f_ref, slope_ref = gates.value("f", b[k]), gates.value("df", b[k])
        for target, factors, ref in ((forward, [a[k]], f_ref), (values, [g[k]], f_ref),
                                     (slopes, [g[k], a[k]], slope_ref)):
            value, ok = _product(factors, ref, dtype)
            target.append(value)
            resolved &= ok
    excused_f, excused_df = gates.excused("f", b), gates.excused("df", b)
    return {"forward": forward, "gradient": values + slopes, "scale": None, "resolved": resolved, "precision": 0,
            "excused_forward": excused_f, "excused_gradient": excused_f + excused_df}


def _nan_inputs(entry, case: VectorCase) -> tuple[np.ndarray, np.ndarray]:
    """Per component of y and of J^T g: whether a NaN is among its inputs."""
    nan = np.isnan(case.x)
    if entry.family == "softmax":
        return np.full(nan.size, nan.any()), np.full(nan.size, nan.any())
    m = nan.size // 2
    either = nan[:m] | nan[m:]
    return either, np.concatenate([nan[m:], either])


def case_references(entry, cases: list[VectorCase], dtype: str, cache: ReferenceCache | None = None
                    ) -> list[CaseReference]:
    """The reference of every case (see the module docstring), cached on disk
    by the cases' content when ``cache`` has a directory."""
    cache = cache or ReferenceCache(None)
    digest = hashlib.sha256()
    for case in cases:
        digest.update(case.x.tobytes() + b"|" + case.g.tobytes() + b"/")
    if entry.family == "softmax":
        parts = ("vector references", REFERENCE_FORMAT, entry.name, entry.formula, str(entry.sign),
                 str(entry.logarithmic), dtype, digest.hexdigest())
        compute = lambda: {"cases": [_softmax_reference(entry, case, dtype) for case in cases]}  # noqa: E731
    else:
        gates = _GateReferences(entry.gate, cache)
        parts = ("vector references", REFERENCE_FORMAT, entry.name, gates.function.key, gates.slope.key, dtype,
                 digest.hexdigest())
        compute = lambda: {"cases": [_gated_reference(gates, case, dtype) for case in cases]}  # noqa: E731
    found = cache.analysis(parts, compute)["cases"]
    references = []
    for case, data in zip(cases, found):
        nan_forward, nan_gradient = _nan_inputs(entry, case)
        size_forward, size_gradient = len(data["forward"]), len(data["gradient"])
        references.append(CaseReference(
            np.array(data["forward"], dtype=dtype), np.array(data["gradient"], dtype=dtype),
            None if data["scale"] is None else np.array(data["scale"], dtype=np.float64),
            np.array(data.get("excused_forward", [False] * size_forward), dtype=bool),
            np.array(data.get("excused_gradient", [False] * size_gradient), dtype=bool),
            nan_forward, nan_gradient, bool(data["resolved"]), int(data["precision"])))
    return references


# ------------------------------------------------------------ implementations


@dataclass(frozen=True)
class VectorImplementation:
    """Callables on 1-D NumPy vectors of one dtype: ``forward(x)``,
    ``gradient(x, g)`` (J^T g) and optionally ``fused(x, g) -> (y, J^T g)``."""

    label: str
    forward: Callable[[np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]
    fused: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None


def from_vector_module(module, name: str, target: str) -> VectorImplementation:
    """Adapt a generated vector module (``name(x, axis)``, ``name_vjp(x, g, axis)``; torch: autograd too)."""
    forward, vjp = getattr(module, name), getattr(module, f"{name}_vjp")
    if target == "numpy":
        return VectorImplementation("numpy", lambda x: np.asarray(forward(x, axis=-1)),
                                    lambda x, g: np.asarray(vjp(x, g, axis=-1)))
    import torch

    def fused(x, g):
        leaf = torch.from_numpy(x.copy()).requires_grad_(True)
        y = forward(leaf, axis=-1)
        y.backward(torch.from_numpy(g.copy()))
        return y.detach().numpy(), leaf.grad.numpy()

    return VectorImplementation(
        "torch", lambda x: forward(torch.from_numpy(x.copy()), axis=-1).numpy(),
        lambda x, g: vjp(torch.from_numpy(x.copy()), torch.from_numpy(g.copy()), axis=-1).numpy(), fused)


def _torch_native_functions() -> dict[str, Callable]:
    import torch
    import torch.nn.functional as F

    def gated(gate):
        return lambda x, axis=-1: (lambda a, b: a * gate(b))(*torch.chunk(x, 2, dim=axis))

    return {"softmax": lambda x, axis=-1: torch.softmax(x, axis),
            "log_softmax": lambda x, axis=-1: torch.log_softmax(x, axis),
            "softmin": lambda x, axis=-1: F.softmin(x, axis),
            "glu": lambda x, axis=-1: F.glu(x, axis),
            "geglu": gated(F.gelu), "swiglu": gated(F.silu), "reglu": gated(torch.relu)}


def torch_native_vector(name: str) -> VectorImplementation:
    """torch's own function (softmax, log_softmax, softmin, glu) or the
    textbook expression in torch ops (a * F.gelu(b), ...), with autograd
    for J^T g: the baseline measured with the same metrics."""
    import torch

    function = _torch_native_functions()[name]

    def vjp(x, g):
        leaf = torch.from_numpy(x.copy()).requires_grad_(True)
        function(leaf).backward(torch.from_numpy(g.copy()))
        return leaf.grad.numpy()

    return VectorImplementation("torch-native", lambda x: function(torch.from_numpy(x.copy())).detach().numpy(),
                                vjp)


def generated_vector(entry, target: str) -> VectorImplementation:
    """The generated code of ``entry`` for ``target``, adapted."""
    from symact.codegen.vector import load_vector

    return from_vector_module(load_vector(entry, target), entry.name, target)


# ------------------------------------------------------------------ measuring


@dataclass
class VectorReport(Report):
    """``Report`` of a vector activation: the same cells (forward = ``name``,
    gradient = ``name_vjp``, fused = the torch autograd Function), the
    symbolic Jacobian checks as its derivative check, and the policies' counts."""

    policies: dict = field(default_factory=dict)

    def failures(self) -> list[str]:
        lines = list(self.errors)
        if not self.derivative_check.get("passed", False):
            lines.append(f"the symbolic Jacobian checks failed: {self.derivative_check}")
        for cell in self.cells:
            lines += [f"{cell.target} {cell.dtype} {cell.kind}: {text}" for text in cell.failures]
        return lines

    def to_json(self) -> dict:
        data = super().to_json()
        data["kind"] = "vector"
        data["bounds_ulp"] = {"forward": KIND_BOUNDS["forward"], "gradient": KIND_BOUNDS["gradient"]}
        data["policies"] = {"rules": POLICY_RULES, **dict(sorted(self.policies.items()))}
        return data


def _with_labels(metrics: Metrics, labels: list[str], nan_label: str) -> Metrics:
    """``worst`` cases named by their vector and component instead of an index
    (``nan_label`` for a component with a NaN input, whose index is NaN)."""
    worst = {}
    for key, case in metrics.worst.items():
        index = float(case.x)
        worst[key] = replace(case, x=nan_label if math.isnan(index) else labels[int(index)])
    return replace(metrics, worst=worst)


def _component_labels(cases: list[VectorCase], dtype: str, output: str, entry) -> list[str]:
    """A short name for each component: its case and its own inputs."""
    def text(value):
        return format_value(value, dtype)

    labels = []
    for case in cases:
        x = case.x
        if entry.family == "softmax":
            top = text(np.max(x * entry.sign) * entry.sign) if not np.isnan(x).any() else "nan"
            extreme = "max" if entry.sign == 1 else "min"
            labels += [f"{case.label}: component {k}, x_k = {text(x[k])}, {extreme} x = {top}" for k in range(x.size)]
            continue
        m = x.size // 2
        names = [f"y_{k}" for k in range(m)] if output == "forward" else \
            [f"d/da_{k}" for k in range(m)] + [f"d/db_{k}" for k in range(m)]
        labels += [f"{case.label}: {name}, a = {text(x[k % m])}, b = {text(x[m + k % m])}"
                   for k, name in enumerate(names)]
    return labels


def _scaled_error(expected, actual, scale, mask, dtype) -> int:
    """max |actual - expected| in ULPs of the terms' magnitude, over ``mask``."""
    if not mask.any():
        return 0
    spacing = np.spacing(np.abs(scale[mask]).astype(dtype)).astype(np.float64)
    spacing = np.maximum(spacing, float(np.finfo(dtype).smallest_subnormal))
    error = np.abs(actual[mask].astype(np.float64) - expected[mask].astype(np.float64))
    error = np.where(np.isnan(error), 0.0, error)  # NaN mismatches are counted by the counters
    with np.errstate(over="ignore"):
        worst = float(np.max(error / spacing))
    return int(math.ceil(worst)) if math.isfinite(worst) else SCALED_ERROR_INFINITE


@lru_cache(maxsize=None)
def _gate_references(gate: str) -> dict[str, PiecewiseReference]:
    """The gate's elementwise references of f and f' ("f", "df")."""
    bound = CATALOGUE[gate].bind()
    return {"f": PiecewiseReference(bound.pieces), "df": PiecewiseReference(bound.derivative(1))}


def _gate_condition(entry, cases: list[VectorCase], output: str, index: int, dtype: str) -> dict:
    r"""The condition number of component ``index`` of the gated family: a and
    g are exact factors, so it is the gate's :math:`\kappa` at b
    (``core.condition_number``): of the gate for y_k and d/da_k, of its
    derivative for d/db_k."""
    for case in cases:
        m = case.x.size // 2
        size = m if output == "forward" else 2 * m
        if index < size:
            break
        index -= size
    which = "f" if output == "forward" or index < m else "df"
    b = float(case.x[m + index % m])
    kappa = condition_number(_gate_references(entry.gate)[which], b)
    return {"part": "gate" if which == "f" else "gate derivative", "b": format_value(b, dtype), "condition": kappa}


def _measure_kind(entry, cases, refs, dtype, actual: np.ndarray, output: str, bound: int, what: str,
                  gradient: bool):
    """Metrics of one output ("forward" or "gradient") over every component, with the policies."""
    expected = np.concatenate([getattr(r, output) for r in refs])
    resolved = np.concatenate([np.full(getattr(r, output).size, r.resolved) for r in refs])
    nan_input = np.concatenate([getattr(r, f"nan_{output}") for r in refs])
    excused = np.concatenate([getattr(r, f"excused_{output}") for r in refs]) & resolved
    # Components are named by index (NaN where an input is NaN, for the NaN counters).
    ids = np.where(nan_input, np.nan, np.arange(expected.size, dtype=np.float64)).astype(dtype)
    smallest = float(np.finfo(dtype).smallest_normal)
    with np.errstate(invalid="ignore"):
        absorbed = (np.abs(expected) < smallest) & (np.abs(actual.astype(np.float64) - expected) <= smallest)
    adjusted = np.where(absorbed, expected, actual)
    scale = None
    if output == "gradient" and entry.family == "softmax":
        scale = np.concatenate([r.scale for r in refs])
        with np.errstate(divide="ignore", invalid="ignore"):
            condition = scale / np.abs(expected.astype(np.float64))
        cancels = resolved & np.isfinite(expected) & ~(condition < CANCELLATION_CONDITION)
        excused |= cancels
    strict, loose = split_excused(ids, expected, adjusted, excused, resolved)
    worst_index = {key: int(float(case.x)) for key, case in strict.worst.items() if not math.isnan(float(case.x))}
    labels = _component_labels(cases, dtype, output, entry)
    mismatched = np.flatnonzero(nan_input & (np.isnan(expected) != np.isnan(actual)))
    nan_label = labels[int(mismatched[0])] if mismatched.size else "a component with a NaN input"
    strict = _with_labels(strict, labels, nan_label)
    # The softmax family excuses only cancellation, measured in ULPs of the terms (policies);
    # the gated family's excused components are the gate's, as in the elementwise report.
    loose = _with_labels(loose, labels, nan_label) if loose is not None and entry.family == "gated" else None
    conditions: dict[str, dict] = {}

    def condition_text(key: str) -> str:
        if entry.family != "gated" or key not in worst_index:
            return ""
        conditions[key] = _gate_condition(entry, cases, output, worst_index[key], dtype)
        kappa = conditions[key]["condition"]
        return "" if kappa is None else f"; condition number {kappa:.3g}"

    problems = []  # (metric, figure, text), as in the elementwise report: named exceptions apply to them
    if strict.max_ulp > bound:
        case = strict.worst["max_ulp"]
        problems.append(("max_ulp", strict.max_ulp, f"{what}: {strict.max_ulp} ULP > {bound} at {case.x} "
                                                    f"(expected {case.expected}, got {case.actual}"
                                                    f"{condition_text('max_ulp')})"))
    for counter in COUNTERS:
        if gradient and counter in INFORMATIONAL_FOR_GRADIENTS:
            continue
        if strict.counts[counter]:
            case = strict.worst[counter]
            problems.append((counter, strict.counts[counter],
                             f"{what}: {strict.counts[counter]} {counter.replace('_', ' ')}, e.g. {case.x} "
                             f"(expected {case.expected}, got {case.actual}{condition_text(counter)})"))
    scaled = _scaled_error(expected, adjusted, scale, cancels, dtype) if scale is not None else 0
    if scaled > bound:
        problems.append(("cancelling_max_ulp_of_terms", scaled,
                         f"{what}: {scaled} ULP of the terms' magnitude > {bound} where J^T g cancels"))
    policy = {"subnormal_absorbed": int((absorbed & (actual != expected)).sum()), "excused": int(excused.sum()),
              "unresolved": int((~resolved).sum())}
    if scale is not None:
        policy["cancelling"] = int(cancels.sum())
        policy["cancelling_max_ulp_of_terms"] = scaled
    condition = next(({**conditions[metric], "x": strict.worst[metric].x, "metric": metric}
                      for metric, _, _ in problems if metric in conditions), None)
    return strict, loose, problems, policy, condition


def _run(implementation: VectorImplementation, kind: str, case: VectorCase, dtype: str):
    x, g = case.x.astype(dtype), case.g.astype(dtype)
    with np.errstate(all="ignore"):
        if kind == "forward":
            return implementation.forward(x)
        if kind == "gradient":
            return implementation.gradient(x, g)
        return implementation.fused(x, g)


def _check_output(value, shape, dtype, what):
    array = np.asarray(value)
    if array.shape != shape or array.dtype != np.dtype(dtype):
        raise ValueError(f"{what} returned {array.dtype} {array.shape}, want {dtype} {shape}")
    return array


def measure_vector(entry, implementation: VectorImplementation, dtypes=("float32", "float64"),
                   references: dict | None = None, cache: ReferenceCache | None = None) -> tuple[list[Cell], dict]:
    """Run ``implementation`` on every case and measure each kind."""
    cells, policies = [], {}
    for dtype in dtypes:
        cases = vector_cases(entry, dtype)
        refs = references[dtype] if references else case_references(entry, cases, dtype, cache)
        for kind in ("forward", "gradient", "fused"):
            if getattr(implementation, kind) is None:
                continue
            bound = KIND_BOUNDS[kind]
            label = implementation.label
            try:
                values, grads = [], []
                for case, ref in zip(cases, refs):
                    result = _run(implementation, kind, case, dtype)
                    if kind == "fused":
                        values.append(_check_output(result[0], ref.forward.shape, dtype, "fused y"))
                        grads.append(_check_output(result[1], ref.gradient.shape, dtype, "fused J^T g"))
                    elif kind == "forward":
                        values.append(_check_output(result, ref.forward.shape, dtype, kind))
                    else:
                        grads.append(_check_output(result, ref.gradient.shape, dtype, "vjp"))
            except Exception as exc:  # noqa: BLE001 - the code under test may raise anything
                text = f"{kind} raised {type(exc).__name__}: {exc}"
                cells.append(Cell(label, dtype, kind, bound, None, error=f"{type(exc).__name__}: {exc}",
                                  failures=(text,), problems=(("error", 1, text),)))
                continue
            output = "forward" if kind == "forward" else "gradient"
            what = {"forward": "forward", "gradient": "vjp", "fused": "fused J^T g"}[kind]
            actual = np.concatenate(values if kind == "forward" else grads)
            metrics, loose, problems, policy, condition = _measure_kind(entry, cases, refs, dtype, actual, output,
                                                                        bound, what, kind != "forward")
            policies[f"{label} {dtype} {kind}"] = policy
            forward_part = None
            if kind == "fused":
                forward_part, _, more, _, value_condition = _measure_kind(
                    entry, cases, refs, dtype, np.concatenate(values), "forward", KIND_BOUNDS["forward"], "fused y",
                    False)
                problems += more
                condition = condition or value_condition
            cells.append(Cell(label, dtype, kind, bound, metrics, loose, forward_part,
                              tuple(text for _, _, text in problems), problems=tuple(problems),
                              worst_condition=condition))
    return cells, policies


def jacobian_check(entry) -> dict:
    """The symbolic checks of ``symact.vector``: the closed-form Jacobian
    equals the explicit one at n = 2 and 3, and the closed-form J^T g equals
    the transposed Jacobian times g at n = 3."""
    from symact.vector import explicit_matches_closed_form, vjp_matches_jacobian

    results = {f"jacobian_n{n}": bool(explicit_matches_closed_form(entry.name, n)) for n in (2, 3)}
    results["vjp_n3"] = bool(vjp_matches_jacobian(entry.name, 3))
    return {"method": "symbolic: closed-form Jacobian and J^T g against explicit differentiation",
            **results, "passed": all(results.values())}


def verify_vector(entry, targets=("numpy", "torch"), dtypes=("float32", "float64"), *,
                  cache_dir: str | Path | None | bool = None,
                  implementations: dict[str, VectorImplementation] | None = None,
                  exceptions=None) -> VectorReport:
    """Verify the generated code of the vector activation ``entry`` (or the
    given ``target -> VectorImplementation``); see the module docstring.
    ``cache_dir``: reference cache directory, None for the default, False for none.
    ``exceptions``: named exceptions (``symact.verify.exceptions``, the same
    table and rules as for elementwise entries; part "gradient" is the
    vector-Jacobian product); None for the checked-in table when the
    generated code is checked, none when ``implementations`` are given."""
    started = time.perf_counter()
    if cache_dir is False:
        cache = ReferenceCache(None)
    else:
        cache = ReferenceCache(default_cache_dir() if cache_dir is None else Path(cache_dir))
    report = VectorReport(entry.name, {}, derivative_check=cache.analysis(
        ("vector jacobian check", REFERENCE_FORMAT, entry.name, entry.formula), lambda: jacobian_check(entry)))
    implementations_given = implementations
    if implementations is None:
        implementations = {}
        for target in targets:
            try:
                implementations[target] = generated_vector(entry, target)
            except Exception as exc:  # noqa: BLE001 - e.g. torch missing, or code that does not load
                report.errors.append(f"{target}: {type(exc).__name__}: {exc}")
    references = {dtype: case_references(entry, vector_cases(entry, dtype), dtype, cache) for dtype in dtypes}
    report.reference = {dtype: {"vectors": len(refs), "unresolved": sum(not r.resolved for r in refs),
                                "max_precision_bits": max((r.precision for r in refs), default=0)}
                        for dtype, refs in references.items()}
    for target, implementation in implementations.items():
        cells, policies = measure_vector(entry, replace(implementation, label=target), dtypes, references)
        report.cells += cells
        report.policies.update(policies)
    if exceptions is None:
        exceptions = load_exceptions() if implementations_given is None else ()
    apply_exceptions(report, exceptions)
    report.seconds = time.perf_counter() - started
    return report


__all__ = ["CaseReference", "KIND_BOUNDS", "LENGTHS", "VectorCase", "VectorImplementation", "VectorReport",
           "case_references", "from_vector_module", "generated_vector", "jacobian_check", "measure_vector",
           "torch_native_vector",
           "vector_cases", "verify_vector"]
