"""A bound activation's definition and exact derivatives as plain data.

``describe`` is what ``symact show --json`` prints and what documents are
made from: formulas as SymPy strings (and LaTeX), breakpoints with the
one-sided values of f, f' and f'' at each. Keys are stable; see docs/cli.md.
"""
from __future__ import annotations

from typing import Any

import re

import sympy
from sympy.printing.latex import LatexPrinter, greek_letters_set

from symact.activation import BoundActivation
from symact.derivatives import Y, derivative_of_output
from symact.parsing import format_expression
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


def symbol_latex(name: str) -> str:
    r"""LaTeX for a variable or parameter name: single letters and Greek
    names as SymPy writes them (``alpha`` -> ``\alpha``, ``a1`` -> ``a_{1}``,
    ``omega0`` -> ``\omega_{0}``),
    ``lambd`` (Python's spelling of lambda) as ``\lambda``, and any other
    name upright and whole (``negative_slope`` -> ``\mathrm{negative\_slope}``)."""
    if name == "lambd":
        return r"\lambda"
    letters = re.fullmatch(r"([A-Za-z]+)[0-9]*", name)
    if letters and (len(letters.group(1)) == 1 or letters.group(1).lower() in greek_letters_set):
        return sympy.latex(sympy.Symbol(name))
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


class _Latex(LatexPrinter):
    """SymPy's LaTeX printer with symact's names: ``expm1``/``log1p`` as
    operators, parameter names whole (see ``symbol_latex``)."""

    def _print_Symbol(self, expr, style="plain"):
        return symbol_latex(expr.name)

    def _print_expm1(self, expr, exp=None):
        name = r"\operatorname{expm1}" if exp is None else rf"\operatorname{{expm1}}^{{{exp}}}"
        return rf"{name}\left({self._print(expr.args[0])}\right)"

    def _print_log1p(self, expr, exp=None):
        name = r"\operatorname{log1p}" if exp is None else rf"\operatorname{{log1p}}^{{{exp}}}"
        return rf"{name}\left({self._print(expr.args[0])}\right)"


def formula(expr: sympy.Expr, latex: bool) -> str:
    """``expr`` as LaTeX, or as text in the expression language (which
    ``parse_expression`` reads back)."""
    return _Latex().doprint(expr) if latex else format_expression(expr)


def _output_form(bound: BoundActivation, latex: bool) -> str | None:
    form = derivative_of_output(bound)
    if not form.complete:
        return None
    if len(form.branches) == 1:
        return formula(form.branches[0], latex)
    args = []
    for g, (lo, hi) in zip(form.branches, form.images):
        args.append((g, sympy.And(Y > lo, Y < hi) if lo != hi else sympy.Eq(Y, lo)))
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
