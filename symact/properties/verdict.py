"""The verdict on one property: proved, disproved or unknown, and how.

A verdict is ``proved`` only by a symbolic argument (SymPy assumptions,
exact values from ``Pieces``, an exact limit of one smooth branch) or by
certified interval arithmetic (``symact.properties.intervals``);
``disproved`` only with a certified witness; everything else is
``unknown`` with the reason.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sympy

PROVED, DISPROVED, UNKNOWN = "proved", "disproved", "unknown"
SYMBOLIC, INTERVAL, DERIVED = "symbolic", "interval", "derived"


def json_number(value: float | None) -> float | str | None:
    """A float for JSON: infinities become the strings "inf" / "-inf"."""
    if value is None:
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def exact_text(value: sympy.Expr | None) -> str | None:
    """Deterministic text of an exact value ("oo" and "-oo" for infinities)."""
    return None if value is None else sympy.sstr(value, order="lex")


@dataclass
class Verdict:
    """One property's verdict.

    Attributes:
      verdict: "proved", "disproved" or "unknown".
      method: "symbolic", "interval", "derived" (from other verdicts) or None.
      value: the property's value (a bool, an exact number as text, a dict).
      enclosure: [lo, hi] floats certified to contain the numeric value.
      witness: data that certifies a disproof (points, one-sided values).
      reason: for unknown, why; otherwise a one-line account of the proof.
      condition: for a parametric activation, where the property's value is known
        as a function of the parameters: ``{"parameters": {name: domain},
        "cases": [{"when": SymPy condition text, "value": ...}], "method",
        "reason"}`` (``symact.properties.parametric``); None otherwise.
    """

    verdict: str
    method: str | None = None
    value: Any = None
    enclosure: list | None = None
    witness: Any = None
    reason: str | None = None
    condition: dict | None = None

    def to_json(self) -> dict[str, Any]:
        data = {"verdict": self.verdict, "method": self.method, "value": plain(self.value),
                "enclosure": plain(self.enclosure), "witness": plain(self.witness), "reason": self.reason}
        if self.condition is not None:  # additive: only parametric entries whose verdict depends on them
            data["condition"] = plain(self.condition)
        return data


def plain(data: Any) -> Any:
    """``data`` with every float JSON-safe (infinities as "inf"/"-inf") and tuples as lists."""
    if isinstance(data, float):
        return json_number(data)
    if isinstance(data, dict):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [plain(v) for v in data]
    return data


def proved(method: str, value: Any = True, reason: str | None = None, enclosure=None, witness=None) -> Verdict:
    return Verdict(PROVED, method, value, enclosure, witness, reason)


def disproved(method: str, witness: Any, reason: str | None = None, value: Any = False, enclosure=None) -> Verdict:
    return Verdict(DISPROVED, method, value, enclosure, witness, reason)


def unknown(reason: str, value: Any = None, enclosure=None, witness=None) -> Verdict:
    return Verdict(UNKNOWN, None, value, enclosure, witness, reason)
