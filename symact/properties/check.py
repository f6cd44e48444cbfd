r"""``check(bound)``: every property of a bound activation, each with its verdict.

The families run in a fixed order over one shared ``Analysis`` (so f', f''
and every certified sign are computed once) under one deadline; a family
that fails or runs out of time leaves its properties *unknown* with the
reason, never a crash and never a guess.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import sympy

from symact.activation import Activation, BoundActivation
from symact.budget import run_with_budget
from symact.properties.parametric import parametric_conditions
from symact.properties.analysis import Analysis
from symact.properties.asymptotics import check_limits
from symact.properties.extrema import check_extrema, check_lipschitz
from symact.properties.monotonicity import check_monotonicity
from symact.properties.origin import check_origin
from symact.properties.smoothness import check_smoothness
from symact.properties.verdict import Verdict, exact_text, unknown
from symact.properties.warnings import derive_warnings

DEFAULT_TIMEOUT = 10.0
BUDGET_SHARE = 0.85  # of the timeout for searches; the rest covers work that finishes a step

FAMILIES: dict[str, tuple[str, ...]] = {
    "smoothness": ("continuous", "continuity_class", "differentiable_everywhere",
                   "differentiable_almost_everywhere"),
    "monotonicity": ("monotonicity", "non_decreasing", "strictly_increasing", "non_increasing",
                     "derivative_monotone", "convex", "concave", "dead_zone", "gradient_zero_almost_everywhere"),
    "extrema": ("range", "bounded_below", "bounded_above", "global_minimum", "global_maximum"),
    "limits": ("limit_at_minus_infinity", "limit_at_plus_infinity", "derivative_limit_at_minus_infinity",
               "derivative_limit_at_plus_infinity", "saturation"),
    "origin": ("value_at_zero", "derivative_at_zero", "zero_centred", "odd_symmetric", "identity_near_origin"),
    "lipschitz": ("lipschitz_constant",),
    "warnings": ("warnings",),
}
PROPERTY_NAMES: tuple[str, ...] = tuple(name for names in FAMILIES.values() for name in names)


@dataclass
class CheckResult:
    """The verdicts for one bound activation; ``to_json()`` is the documented contract."""

    activation: str
    params: dict[str, str]
    properties: dict[str, Verdict]
    seconds: float = field(default=0.0, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"activation": self.activation, "params": dict(sorted(self.params.items())),
                "properties": {name: self.properties[name].to_json() for name in sorted(self.properties)}}


def _run(family: str, fn, *args) -> dict[str, Verdict]:
    try:
        return fn(*args)
    except Exception as exc:  # a family must end in unknown, never crash the check
        reason = f"{family} failed: {type(exc).__name__}: {exc}"
        return {name: unknown(reason) for name in FAMILIES[family]}


def check(bound: BoundActivation | Activation, timeout: float = DEFAULT_TIMEOUT) -> CheckResult:
    """Every property of ``PROPERTY_NAMES`` for ``bound`` (an Activation is bound at its defaults).

    ``timeout`` (seconds) bounds the interval searches and SymPy calls; past
    it, what is left ends as unknown.
    """
    if isinstance(bound, Activation):
        bound = bound.bind()
    started = time.monotonic()
    an = Analysis(bound, timeout * BUDGET_SHARE, scale=max(1.0, timeout / DEFAULT_TIMEOUT))
    props: dict[str, Verdict] = {}
    props.update(_run("smoothness", check_smoothness, an))
    props.update(_run("monotonicity", check_monotonicity, an, props))
    props.update(_run("extrema", check_extrema, an, props))
    props.update(_run("limits", check_limits, an))
    props.update(_run("origin", check_origin, an, props))
    props.update(_run("lipschitz", check_lipschitz, an, props))
    props.update(_run("warnings", lambda p: {"warnings": derive_warnings(p)}, props))
    if bound.activation.params:
        try:
            attach_conditions(an, bound, props)
        except Exception:  # a condition is an addition; its failure leaves the verdicts as they are
            pass
    params = {name: exact_text(value) for name, value in bound.values}
    return CheckResult(bound.name, params, props, time.monotonic() - started)


CONDITION_SECONDS = 10.0


def attach_conditions(an: Analysis, bound: BoundActivation, props: dict[str, Verdict]) -> None:
    """Put each parametric condition on its verdict, when the case that holds at the bound
    values agrees with that verdict (a disagreement drops the condition: never two answers)."""
    found = run_with_budget(parametric_conditions, bound.activation, seconds=CONDITION_SECONDS * an.scale)
    if not isinstance(found, dict):
        return
    at = {p.symbol: value for (_, value), p in zip(bound.values, bound.activation.params)}
    for name, condition in found.items():
        verdict = props.get(name)
        if verdict is None:
            continue
        here = [case for case in condition["cases"] if _holds(case["when"], at)]
        if len(here) != 1:
            continue
        value = here[0]["value"]
        if verdict.verdict != "unknown" and name != "range":
            known = verdict.value if not isinstance(verdict.value, bool) else verdict.verdict == "proved"
            if isinstance(value, bool):
                known = verdict.verdict == "proved"
            if known != value:
                continue
        verdict.condition = condition


def _holds(text: str, at: dict) -> bool:
    truth = sympy.sympify(text, locals={s.name: s for s in at})
    return bool(truth) if isinstance(truth, bool) else truth.subs(at) in (sympy.true, True)
