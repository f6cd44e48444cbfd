r"""Properties of the vector activations (``symact.vector``): softmax family and GLU family.

Verdicts have the same form as the elementwise ones (``Verdict``). What is
proved symbolically for a general dimension n uses SymPy on the indexed
formulas of ``symact.vector`` (sums to one, shift invariance, the Jacobian);
the rest are short arguments stated in ``reason``, with the exact value
that shows a bound is attained computed here.

Softmax (t = +1) and softmin (t = -1), n >= 2:

* s_i in (0, 1): e^{t x_i} > 0 and 1 - s_i = sum_{j != i} s_j > 0.
* Lipschitz constant 1/2 in the 2-norm. J = diag(s) - s s^T is symmetric
  and v^T J v = Var_s(v), the variance of v under the distribution s; by
  Popoviciu's inequality Var_s(v) <= (max v - min v)^2 / 4 <= 1/2 for
  |v|_2 = 1. At n = 2 and x_1 = x_2, J = [[1/4, -1/4], [-1/4, 1/4]] has
  norm 1/2: the bound is attained. (Gao and Pavel 2017, Prop. 4, give the
  looser constant 1, i.e. the inverse temperature.)

Log-softmax: J = I - 1 s^T; |J v|^2 = |v - (s.v) 1|^2 is convex in s.v,
which ranges over [min v, max v], so the sup over s is at a vertex e_j of
the simplex, |v - v_j 1|^2 <= n (equality for v along (-(n-1), 1, ..., 1)
at j = 1). The Lipschitz constant is sqrt(n), approached as one logit
dominates, never attained.

Gated y = a * g(b): smoothness is the gate's (d^k y / db^k = a g^(k)(b));
y(t a, b) = t y(a, b); y is unbounded and not Lipschitz (dy/db = a g'(b)
grows with a wherever g'(b) != 0).
"""
from __future__ import annotations

import sympy
from sympy import S

from symact.properties.check import CheckResult
from symact.properties.verdict import DERIVED, SYMBOLIC, disproved, exact_text, proved, unknown
from symact.vector import (GatedActivation, explicit_jacobian, jacobian_matches_closed_form, lookup_vector,
                           shift_invariant, sums_to_one)

SOFTMAX_PROPERTIES = ("continuity_class", "outputs_in_open_unit_interval", "sums_to_one", "shift_invariant",
                      "range", "value_at_zero", "jacobian", "lipschitz_constant")
GATED_PROPERTIES = ("continuity_class", "value_at_zero", "homogeneous_in_value", "shift_invariant", "range",
                    "bounded", "lipschitz_constant", "gate")


def _number(value) -> dict:
    return {"value": exact_text(value), "value_float": float(sympy.N(value, 17))}


def _softmax(entry) -> dict:
    name = entry.name
    n = sympy.Symbol("n", integer=True, positive=True)
    out = {"continuity_class": proved(SYMBOLIC, "C-infinity", "exp, a sum of exponentials (> 0), its quotient or log")}
    two = entry.probabilities([S.Zero, S.Zero])
    if entry.logarithmic:
        witness = {"n": 2, "x": [0, 0], "y": [exact_text(sympy.log(p)) for p in two]}
        out["outputs_in_open_unit_interval"] = disproved(SYMBOLIC, witness, "log-softmax outputs are negative")
        out["range"] = proved(SYMBOLIC, {"text": "(-oo, 0)", "lower": "-oo", "upper": "0", "lower_closed": False,
                                         "upper_closed": False}, "log of a value in (0, 1), each end approached "
                                                                 "as one logit dominates", enclosure=[-float("inf"), 0.0])
    else:
        out["outputs_in_open_unit_interval"] = proved(SYMBOLIC, True, "e^(t x_i) > 0 and 1 - s_i = sum of the "
                                                                      "other s_j > 0 (n >= 2)")
        out["range"] = proved(SYMBOLIC, {"text": "(0, 1)", "lower": "0", "upper": "1", "lower_closed": False,
                                         "upper_closed": False}, "each end approached as x_i -> -+oo (n >= 2)",
                              enclosure=[0.0, 1.0])
    if sums_to_one(name):
        out["sums_to_one"] = proved(SYMBOLIC, True, "sum_i s_i simplifies to 1 for a general n (SymPy)")
    else:
        total = sum(sympy.log(p) if entry.logarithmic else p for p in two)
        out["sums_to_one"] = disproved(SYMBOLIC, {"n": 2, "x": [0, 0], "sum": exact_text(sympy.simplify(total))},
                                       "the outputs at x = 0 do not sum to 1")
    out["shift_invariant"] = (proved(SYMBOLIC, True, "y(x + c 1) - y(x) simplifies to 0 for a general n (SymPy)")
                              if shift_invariant(name) else unknown("not shown by SymPy"))
    zero = sympy.log(1 / n) if entry.logarithmic else 1 / n
    out["value_at_zero"] = proved(SYMBOLIC, {"value": exact_text(zero)}, "every output at x = 0, dimension n")
    form = "t*(delta_ik - s_k)" if entry.logarithmic else "t*s_i*(delta_ik - s_k)"
    out["jacobian"] = (proved(SYMBOLIC, {"value": form, "t": entry.sign}, "derived for a general n and equal to "
                                                                         "the closed form (SymPy)")
                       if jacobian_matches_closed_form(name) else unknown("derivation differs from the closed form"))
    out["lipschitz_constant"] = _softmax_lipschitz(entry)
    return out


def _softmax_lipschitz(entry):
    jacobian = explicit_jacobian(entry.name, 2).subs({sympy.Symbol("x1", real=True): 0,
                                                     sympy.Symbol("x2", real=True): 0})
    norm = max(abs(e) for e in jacobian.eigenvals())  # symmetric for softmax; singular values in general
    if entry.logarithmic:
        return proved(SYMBOLIC, {"value": "sqrt(n)", "norm": "2", "attained": False},
                      "sup over s of |I - 1 s^T|_2 is at a vertex of the simplex, |I - 1 e_j^T|_2 = sqrt(n); "
                      "approached as one logit dominates, never attained")
    if sympy.simplify(norm - S.Half) != 0:
        return unknown(f"the Jacobian norm at n = 2, x = 0 is {norm}, not 1/2")
    return proved(SYMBOLIC, {"value": "1/2", "value_float": 0.5, "norm": "2", "attained": True,
                             "attained_at": {"n": 2, "x": [0, 0]}},
                  "v^T J v = Var_s(v) <= (max v - min v)^2/4 <= 1/2 for |v| = 1 (Popoviciu); J at n = 2, x = 0 "
                  "has norm exactly 1/2", enclosure=[0.5, 0.5])


def _gated(entry: GatedActivation, timeout: float) -> dict:
    from symact.properties import check

    gate = entry.gate_activation
    gate_props = check(gate, timeout=timeout).properties
    out = {}
    cls = gate_props["continuity_class"]
    out["continuity_class"] = (proved(DERIVED, cls.value, f"that of the gate {entry.gate}: d^k y/db^k = a g^(k)(b)")
                               if cls.verdict == "proved" else unknown(f"the gate's class: {cls.reason}"))
    g0 = gate.pieces.branches[0].subs(sympy.Symbol("x", real=True), 0) if not gate.pieces.breakpoints else None
    out["value_at_zero"] = proved(SYMBOLIC, {"value": "0", "value_float": 0.0}, "y(0, 0) = 0 * g(0)")
    out["homogeneous_in_value"] = proved(SYMBOLIC, True, "y(t a, b) = t a g(b) = t y(a, b)")
    slope_at = _nonzero_slope(gate)
    value_at = _nonzero_value(gate)
    if value_at is not None:
        b, gb = value_at
        shifted = 2 * gate.expr.subs(sympy.Symbol("x", real=True), b + 1)
        out["shift_invariant"] = disproved(SYMBOLIC, {"a": 1, "b": exact_text(b), "c": 1,
                                                      "y(a, b)": exact_text(gb), "y(a + c, b + c)": exact_text(shifted)},
                                           "adding c to every input changes y") if sympy.simplify(shifted - gb) != 0 \
            else unknown("no witness")
        out["range"] = proved(DERIVED, {"text": "(-oo, oo)", "lower": "-oo", "upper": "oo", "lower_closed": False,
                                        "upper_closed": False}, f"y(a, {exact_text(b)}) = a * {exact_text(gb)} "
                                                                "takes every real value",
                              enclosure=[-float("inf"), float("inf")])
        out["bounded"] = disproved(SYMBOLIC, {"b": exact_text(b), "g(b)": exact_text(gb)}, "y(a, b) = a g(b) "
                                                                                          "is unbounded in a")
    else:
        for name in ("shift_invariant", "range", "bounded"):
            out[name] = unknown("no point with g(b) != 0 found")
    if slope_at is not None:
        b, slope = slope_at
        out["lipschitz_constant"] = disproved(SYMBOLIC, {"b": exact_text(b), "dg(b)": exact_text(slope)},
                                              "dy/db = a g'(b) with g'(b) != 0 grows without bound in a")
    else:
        out["lipschitz_constant"] = unknown("no point with g'(b) != 0 found")
    rng = gate_props["range"]
    out["gate"] = proved(DERIVED, {"name": entry.gate, "range": (rng.value or {}).get("text"),
                                   "monotonicity": gate_props["monotonicity"].value},
                         f"the elementwise check of {entry.gate}") if rng.verdict == "proved" else \
        unknown(f"the gate's range: {rng.reason}")
    del g0
    return out


def _exact_at(pieces, point):
    for i, (lo, hi) in enumerate(pieces.intervals()):
        if (lo is S.NegativeInfinity or lo < point) and (hi is S.Infinity or point < hi):
            return sympy.simplify(pieces.branches[i].subs(sympy.Symbol("x", real=True), point))
    return None


def _nonzero_value(gate):
    for b in (S.One, S.Zero, S(2)):
        value = _exact_at(gate.pieces, b)
        if value is not None and value.is_number and value != 0:
            return b, value
    return None


def _nonzero_slope(gate):
    derivative = gate.pieces.derivative()
    for b in (S.One, S.Zero, S(2)):
        value = _exact_at(derivative, b)
        if value is not None and value.is_number and value != 0:
            return b, value
    return None


def check_vector(name: str, timeout: float = 10.0) -> CheckResult:
    """The properties of the vector activation ``name`` (see the module docstring)."""
    entry = lookup_vector(name)
    props = _gated(entry, timeout) if isinstance(entry, GatedActivation) else _softmax(entry)
    return CheckResult(entry.name, {}, props)
