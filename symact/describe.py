"""A bound activation's definition and exact derivatives as plain data.

``describe`` is what ``symact show --json`` prints and what documents are
made from: formulas as SymPy strings (and LaTeX), breakpoints with the
one-sided values of f, f' and f'' at each. Keys are stable; see docs/cli.md.
"""
from __future__ import annotations

from typing import Any

import sympy

from symact.activation import BoundActivation
from symact.derivatives import Y, derivative_of_output
from symact.pieces import Pieces

ORDERS = {"f": 0, "df": 1, "d2f": 2}


def exact(value: sympy.Expr | None) -> str | None:
    """Deterministic text of an exact value (None stays None)."""
    return None if value is None else sympy.sstr(value)


def approx(value: sympy.Expr | None) -> float | None:
    """A float of an exact value (None where undefined or not a finite real)."""
    if value is None:
        return None
    number = sympy.N(value, 20)
    return float(number) if number.is_real and number.is_finite else None


def formula(expr: sympy.Expr, latex: bool) -> str:
    """``expr`` as text, or as LaTeX."""
    return sympy.latex(expr) if latex else sympy.sstr(expr)


def _output_form(bound: BoundActivation, latex: bool) -> str | None:
    form = derivative_of_output(bound)
    if not form.complete:
        return None
    if len(form.branches) == 1:
        return formula(form.branches[0], latex)
    args = []
    for g, (lo, hi) in zip(form.branches, form.images):
        args.append((g, sympy.And(Y >= lo, Y <= hi) if lo != hi else sympy.Eq(Y, lo)))
    return formula(sympy.Piecewise(*args), latex)


def _breakpoint(derivs: dict[str, Pieces], i: int) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    first = derivs["f"]
    entry["x"] = exact(first.breakpoints[i])
    entry["x_float"] = approx(first.breakpoints[i])
    for key, pieces in derivs.items():
        index = pieces.breakpoints.index(first.breakpoints[i]) if first.breakpoints[i] in pieces.breakpoints else None
        if index is None:
            continue
        left, right = pieces.one_sided(index)
        entry[key] = {
            "left": exact(left), "value": exact(pieces.values[index]), "right": exact(right),
            "left_float": approx(left), "value_float": approx(pieces.values[index]), "right_float": approx(right),
            "exists": pieces.values[index] is not None,
        }
    return entry


def describe(bound: BoundActivation, latex: bool = False) -> dict[str, Any]:
    """The definition, f', f'' and breakpoint values of ``bound`` as JSON-able data."""
    activation = bound.activation
    values = dict(bound.values)
    derivs = {key: bound.derivative(order) for key, order in ORDERS.items()}
    result: dict[str, Any] = {
        "name": activation.name,
        "aliases": list(activation.aliases),
        "description": activation.description,
        "citation": activation.citation,
        "notes": activation.notes,
        "parameters": {
            p.name: {"value": exact(values[p.name]), "default": exact(p.default), "domain": p.domain_text,
                     "learnable": p.learnable, "description": p.description}
            for p in activation.params
        },
        "definition": formula(activation.expr, latex),
        "df_of_output": _output_form(bound, latex),
        "breakpoints": [_breakpoint(derivs, i) for i in range(len(derivs["f"].breakpoints))],
    }
    for key, pieces in derivs.items():
        result[key] = formula(pieces.as_piecewise(), latex)
    return result
