r"""The sheet of a vector activation (``symact.vector``) as plain data.

A vector activation maps a vector to a vector, so its sheet has no plots,
breakpoints or elementwise properties. It shows the definition for a
general dimension n, the Jacobian and the vector-Jacobian product a
backward pass uses, and the symbolic checks of ``symact.vector``, each run
under a time budget (``symact.budget``) and shown as *proved* or *unknown*:

- softmax family (y = softmax(t x), or its logarithm): the Jacobian derived
  by SymPy for a general n equals the closed form; the Jacobian at n = 2, 3
  from explicit inputs equals it; the closed-form VJP equals J^T g at n = 3;
  the outputs sum to 1 (softmax, softmin); adding a constant to every input
  changes nothing;
- gated family (y = a * psi(b), [a, b] the halves of the input, psi the
  gate): the Jacobian at n = 2, 3 from explicit inputs equals the closed
  form [diag(psi(b)) | diag(a * psi'(b))].

The accuracy table of the generated code comes from the vector verifier
(``symact.verify.vector``) when asked for.

The VJP of the softmax family is derived here from the closed-form Jacobian
as (J^T g)_k = sum_i g_i dy_i/dx_k, summed by SymPy.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

import sympy
from sympy import Sum

from symact.budget import run_with_budget
from symact.describe import formula
from symact.parsing import X
from symact.sheets.model import Latex, accuracy_notes, accuracy_rows
from symact.vector import (G, I, K, N, XS, GatedActivation, NormalizingActivation, explicit_matches_closed_form,
                           jacobian_matches_closed_form, shift_invariant, sums_to_one, vjp_matches_jacobian)

CHECK_SECONDS = 20.0
SMALL_DIMENSIONS = (2, 3)
B = sympy.Symbol("b", real=True)


def _latex(expr: sympy.Expr) -> Latex:
    return Latex(formula(expr, latex=True))


def _check(label: str, method: str, fn, *args) -> dict[str, Any]:
    """One symbolic check under a budget: proved when it returns True."""
    result = run_with_budget(fn, *args, seconds=CHECK_SECONDS)
    if result is True:
        return {"label": label, "verdict": "proved", "method": method, "reason": None}
    reason = "SymPy did not reduce the difference to 0" if result is False else str(result)
    return {"label": label, "verdict": "unknown", "method": method, "reason": reason}


def _probabilities(entry: NormalizingActivation) -> sympy.Expr:
    """s_i, the softmax of t x that the Jacobian is written in."""
    return dataclasses.replace(entry, logarithmic=False).output()


def _vjp(entry: NormalizingActivation) -> sympy.Expr:
    """(J^T g)_k for a general n, summed from the closed-form Jacobian."""
    total = Sum(G[I] * entry.jacobian_closed_form(i=I, k=K), (I, 1, N)).doit()
    total = total.replace(lambda e: isinstance(e, sympy.Piecewise), lambda e: e.args[0].expr)  # 1 <= k <= n
    return sympy.factor_terms(sympy.expand(total))


def _normalizing(entry: NormalizingActivation) -> dict[str, Any]:
    name = entry.name
    checks = [_check("the Jacobian derived for a general n equals the closed form", "symbolic",
                     jacobian_matches_closed_form, name)]
    checks += [_check(f"at n = {n}, the Jacobian of explicit inputs equals the closed form", "symbolic",
                      explicit_matches_closed_form, name, n) for n in SMALL_DIMENSIONS]
    checks.append(_check(f"at n = {SMALL_DIMENSIONS[-1]}, the vector-Jacobian product equals J^T g", "symbolic",
                         vjp_matches_jacobian, name, SMALL_DIMENSIONS[-1]))
    if not entry.logarithmic:
        checks.append(_check("the outputs sum to 1, for a general n", "symbolic", sums_to_one, name))
    checks.append(_check("adding the same constant to every input changes nothing, for a general n", "symbolic",
                         shift_invariant, name))
    return {
        "definition": Latex(r"y_{i} = " + _latex(entry.output())),
        "where": Latex(r"s_{i} = " + _latex(_probabilities(entry))),
        "jacobian": Latex(r"\frac{\partial y_{i}}{\partial x_{k}} = " + _latex(entry.jacobian_closed_form())),
        "vjp": Latex(r"\left(J^{T} g\right)_{k} = " + _latex(_vjp(entry))),
        "checks": checks,
    }


def _gated(entry: GatedActivation) -> dict[str, Any]:
    gate = entry.gate_activation
    value = gate.pieces.as_piecewise().subs(X, B)
    slope = gate.derivative(1).as_piecewise().subs(X, B)
    checks = [_check(f"at n = {n}, the Jacobian of explicit inputs equals the closed form", "symbolic",
                     explicit_matches_closed_form, entry.name, n) for n in SMALL_DIMENSIONS]
    return {
        "definition": Latex(r"y = a \odot \psi\left(b\right), \quad \left[a,\ b\right] = x"),
        "where": Latex(r"\psi\left(b\right) = " + _latex(value) + r", \quad \psi'\left(b\right) = "
                       + _latex(slope)),
        "jacobian": Latex(r"\frac{\partial y}{\partial a} = \operatorname{diag}\left(\psi\left(b\right)\right), "
                          r"\quad \frac{\partial y}{\partial b} = \operatorname{diag}\left(a \odot "
                          r"\psi'\left(b\right)\right)"),
        "vjp": Latex(r"J^{T} g = \left(g \odot \psi\left(b\right),\ g \odot a \odot \psi'\left(b\right)\right)"),
        "checks": checks,
    }


def vector_sheet(entry: NormalizingActivation | GatedActivation, accuracy: Any = None) -> dict[str, Any]:
    """The sheet of a vector activation as plain data (see the module doc);
    strings are plain text except ``Latex`` ones, as in ``symact.sheets.model``.

    ``accuracy``: the vector verifier's JSON (``symact verify NAME --json``),
    ``True`` to run it when installed, or None/False for *not computed*."""
    if accuracy is True:
        from symact.sheets.sources import vector_accuracy_of

        accuracy = vector_accuracy_of(entry)
    accuracy = accuracy or None
    family = _normalizing(entry) if isinstance(entry, NormalizingActivation) else _gated(entry)
    return {
        "name": entry.name,
        "anchor": Latex(re.sub(r"[^a-z0-9]", "-", entry.name)),
        "kind": "vector",
        "family": entry.family,
        "gate": getattr(entry, "gate", None),
        "aliases": list(entry.aliases),
        "description": entry.description,
        "citation": entry.citation,
        "notes": entry.notes,
        "reference": entry.torch_reference,
        "accuracy": accuracy_rows(accuracy),
        "accuracy_notes": accuracy_notes(accuracy),
        **family,
    }


def vector_sheets(accuracy: bool = False) -> list[dict[str, Any]]:
    """The sheet of every vector activation, in name order, with the
    accuracy table of its generated code when ``accuracy``."""
    from symact.vector import VECTOR_CATALOGUE

    return [vector_sheet(VECTOR_CATALOGUE[name], accuracy) for name in sorted(VECTOR_CATALOGUE)]
