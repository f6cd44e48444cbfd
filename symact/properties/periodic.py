r"""Branches with trigonometric factors: periods and limits along arithmetic sequences.

Let every trigonometric atom (sin, cos, tan) of a branch g have an argument
linear in x, and let P be a common period of them (SymPy's
``periodicity``). For an exact a and an integer k, SymPy's own evaluation
rules reduce sin(w (a + k P) + c) to sin(w a + c): after substituting
x = a + k P (k a positive integer symbol), the result must be free of k
inside every trigonometric atom, which *checks* the period instead of
trusting it. What is left is trig-free in k, so its limit as k -> oo is
an ordinary limit.

* g periodic (g(x + P) = g(x) exactly): inf and sup over the line are
  those over [0, P], and are attained.
* Two sequences x = a + kP and x = b + kP along which g tends to different
  limits certify that g has no limit at +oo (x = a - kP for -oo); a
  sequence limit of +-oo certifies that g is unbounded there.
"""
from __future__ import annotations

from functools import lru_cache

import sympy
from sympy import S

from symact.budget import run_with_budget
from symact.parsing import X

TRIG = (sympy.sin, sympy.cos, sympy.tan)
STARTS = (sympy.Integer(0), sympy.Rational(1, 3), sympy.Rational(1, 2), sympy.Integer(1), sympy.Rational(7, 4),
          sympy.Integer(2), sympy.Rational(5, 2), sympy.Integer(3), sympy.Rational(9, 2))
SECONDS = 3.0

_K = sympy.Symbol("k", integer=True, positive=True)
_T = sympy.Symbol("t", positive=True)


def _trig_atoms(expr: sympy.Expr) -> list[sympy.Expr]:
    return [a for a in expr.atoms(*TRIG) if X in a.free_symbols]


def _period(expr: sympy.Expr):
    atoms = _trig_atoms(expr)
    if not atoms or any(not sympy.Poly(a.args[0], X).is_linear for a in atoms if a.args[0].is_polynomial(X)) \
            or any(not a.args[0].is_polynomial(X) for a in atoms):
        return None
    period = sympy.periodicity(sympy.Add(*atoms), X)
    return period if period is not None and period.is_positive else None


@lru_cache(maxsize=1024)
def common_period(expr: sympy.Expr):
    """A positive exact P with every trig atom of ``expr`` invariant under x -> x + P, or None.

    None also when ``expr`` has x outside trig atoms in a way that makes
    the check below impossible (it is then simply not used).
    """
    period = run_with_budget(_period, expr, seconds=SECONDS)
    if not isinstance(period, sympy.Expr):
        return None
    moved = expr.subs(X, S.Half + _K * period)
    if any(_K in atom.free_symbols for atom in moved.atoms(*TRIG)):
        return None  # SymPy did not reduce the shifted atoms: the period is not confirmed
    return period


@lru_cache(maxsize=1024)
def is_periodic(expr: sympy.Expr) -> bool:
    """Whether g(x + P) - g(x) is exactly 0 for the common period P (checked by SymPy's
    evaluation of the shifted atoms, then ``expand``)."""
    period = common_period(expr)
    if period is None:
        return False
    shifted = sympy.expand(expr.subs(X, X + period) - expr)
    return shifted == 0


@lru_cache(maxsize=1024)
def least_period(expr: sympy.Expr):
    """The period of a periodic ``expr`` itself (2 sin x cos x has pi where its atoms have 2 pi),
    checked like ``is_periodic``; else the common period of its atoms."""
    period = common_period(expr)
    own = run_with_budget(sympy.periodicity, expr, X, seconds=SECONDS)
    if isinstance(own, sympy.Expr) and own.is_positive and (own - period).is_negative:
        shifted = sympy.expand(sympy.expand_trig(expr.subs(X, X + own)) - sympy.expand_trig(expr))
        if shifted == 0:
            return own
    return period


def _sequence_limit(expr, start, period, side):
    moved = expr.subs(X, start + side * _K * period)
    if any(_K in atom.free_symbols for atom in moved.atoms(*TRIG)):
        return None
    value = sympy.limit(moved.subs(_K, _T), _T, S.Infinity)
    if value.is_number and value.is_extended_real and not value.has(sympy.AccumBounds, sympy.nan):
        return value
    return None


@lru_cache(maxsize=1024)
def sequence_limits(expr: sympy.Expr, side: int) -> list[tuple[sympy.Expr, sympy.Expr]]:
    """[(a, L)]: exact limits L of g(a + side k P) as the integer k -> oo, for a few starts a."""
    period = common_period(expr)
    if period is None:
        return []
    out = []
    for start in STARTS:
        value = run_with_budget(_sequence_limit, expr, start, period, side, seconds=SECONDS)
        if isinstance(value, sympy.Expr):
            out.append((start, value))
    return out


def sequence_text(start, side: int, expr: sympy.Expr) -> str:
    """'x = a + k*P' for a witness."""
    period = common_period(expr)
    return f"x = {sympy.sstr(start)} {'+' if side > 0 else '-'} k*{sympy.sstr(period)}, k -> oo"
