r"""Rewrite rules for numerically stable code, as values.

A ``Rule`` states the identity it uses and a transformation of SymPy
expressions; ``optimize(expr)`` applies every rule of ``RULES`` until nothing
changes. Each rule preserves the function: ``tests/test_codegen_rules.py``
compares the rewritten expression with the original at 50 digits, and each
earns its place by the error table that ``benchmarks/codegen_bench.py
--errors`` prints (reproduced in docs/codegen.md).

Rules are applied to the definition before differentiation (so a textbook
``log(1 + exp(x))`` becomes the stable atom ``softplus(x)`` whose derivative
is ``sigmoid(x)``) and to every derivative before printing (so
``sigma(x) (1 - sigma(x))`` never forms ``1 - 1``).

Deliberately absent: SymPy's stock ``log1p_opt`` (``log(1 + e^x)`` ->
``log1p(e^x)``) makes log-sigmoid worse, ``x - log1p(exp(x))`` is ``-inf``
at x = 800; ``softplus`` (``logaddexp(x, 0)``) is the stable form.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy
from sympy import S, Wild
from sympy.codegen.cfunctions import expm1, log1p
from sympy.codegen.rewriting import expm1_opt

from symact.functions import gaussian_cdf, log_sigmoid, sigmoid, softplus
from symact.parsing import X


@dataclass(frozen=True)
class Rule:
    """A function-preserving rewrite.

    Attributes:
      name: short identifier.
      identity: the identity it applies, as text.
      reason: the floating-point failure it avoids.
      transform: expression -> equal expression.
      example: a formula in x the rule rewrites.
      witnesses: points where the example, evaluated as written, is off by
        more than a few ulp (the error table measures both forms there).
    """

    name: str
    identity: str
    reason: str
    transform: Callable[[sympy.Expr], sympy.Expr]
    example: sympy.Expr
    witnesses: tuple[float, ...]

    def apply(self, expr: sympy.Expr) -> sympy.Expr:
        """``expr`` rewritten by this rule (unchanged where it does not apply)."""
        return self.transform(expr)


_w = Wild("w")


def _pattern(pattern: sympy.Expr, value: sympy.Expr) -> Callable[[sympy.Expr], sympy.Expr]:
    def transform(expr: sympy.Expr) -> sympy.Expr:
        return expr.replace(pattern, value)
    return transform


def _complement(atom: type, power: int, minus: Callable, plus: Callable | None = None):
    """Rewrite ``c - c f(z)**power`` as ``c minus(z)`` (and ``c + c f(z)**power``
    as ``c plus(z)``) inside any sum, for any x-free constant c."""
    def match(e):
        if not e.is_Add:
            return None
        for constant in e.args:
            if constant.has(atom) or X in constant.free_symbols:
                continue
            for term in e.args:
                if term is constant:
                    continue
                ratio = term / constant
                for sign, make in ((-1, minus), (1, plus)):
                    if make is None:
                        continue
                    base = sign * ratio
                    if power != 1:
                        base = base.base if base.is_Pow and base.exp == power else None
                    if base is not None and isinstance(base, atom):
                        return constant, term, make(base.args[0])
        return None

    def rewrite(e):
        constant, term, value = match(e)
        rest = [a for a in e.args if a is not constant and a is not term]
        return sympy.Add(constant * value, *rest)

    return lambda expr: expr.replace(lambda e: match(e) is not None, rewrite)


def _softplus_forms(expr: sympy.Expr) -> sympy.Expr:
    expr = expr.replace(sympy.log(1 + sympy.exp(_w)), softplus(_w))
    expr = expr.replace(log1p(sympy.exp(_w)), softplus(_w))
    return expr


def _log_sigmoid_forms(expr: sympy.Expr) -> sympy.Expr:
    expr = expr.replace(sympy.log(sigmoid(_w)), log_sigmoid(_w))
    return expr.replace(lambda e: e.is_Mul and len(e.args) == 2 and S.NegativeOne in e.args
                        and isinstance(e.args[1], softplus),
                        lambda e: log_sigmoid(-e.args[1].args[0]))


def _sigmoid_forms(expr: sympy.Expr) -> sympy.Expr:
    expr = expr.replace(1 / (1 + sympy.exp(-_w)), sigmoid(_w))
    return expr.replace(1 / (1 + sympy.exp(_w)), sigmoid(-_w))


RULES: tuple[Rule, ...] = (
    Rule("expm1", "exp(z) - 1 = expm1(z)",
         "exp(z) - 1 cancels for |z| < 1e-8 (ELU, CELU, SELU near 0 lose every digit)",
         lambda expr: expm1_opt(expr),
         sympy.exp(X) - 1, (1e-10, -3e-8, 1e-5)),
    Rule("softplus", "log(1 + exp(z)) = log1p(exp(z)) = softplus(z) = logaddexp(z, 0)",
         "exp(z) overflows for z > 88 (float32) / 709 (float64) and log(1 + tiny) = 0",
         _softplus_forms,
         sympy.log(1 + sympy.exp(X)), (800.0, -40.0, -100.0)),
    Rule("log_sigmoid", "log(sigmoid(z)) = -softplus(-z) = log_sigmoid(z)",
         "log of a sigmoid that underflowed is -inf; x - log1p(exp(x)) is -inf at x = 800",
         _log_sigmoid_forms,
         sympy.log(sigmoid(X)), (-800.0, 40.0, 100.0)),
    Rule("sigmoid", "1 / (1 + exp(-z)) = sigmoid(z)",
         "exp(-z) overflows for large negative z (inf warnings, 0 instead of a subnormal)",
         _sigmoid_forms,
         1 / (1 + sympy.exp(-X)), (-720.0, -740.0)),
    Rule("sigmoid_complement", "1 - sigmoid(z) = sigmoid(-z)",
         "1 - sigmoid(z) is 0 once sigmoid(z) rounds to 1 (z > 17 in float32): sigmoid'(z) would be 0",
         _complement(sigmoid, 1, lambda z: sigmoid(-z)),
         sigmoid(X) * (1 - sigmoid(X)), (40.0, 100.0, 700.0)),
    # SymPy evaluates erfc(-z) to 2 - erfc(z), undoing the rewrite, so the
    # plus form goes to the Gaussian CDF atom, printed as erfc(-z/sqrt(2))/2.
    Rule("erfc", "1 - erf(z) = erfc(z),  1 + erf(z) = erfc(-z) = 2 Phi(sqrt(2) z)",
         "1 + erf(z) cancels to 0 for z < -4 (GELU's negative tail)",
         _complement(sympy.erf, 1, lambda z: sympy.erfc(z), lambda z: 2 * gaussian_cdf(sympy.sqrt(2) * z)),
         (1 + sympy.erf(X / sympy.sqrt(2))) / 2, (-10.0, -30.0)),
    Rule("tanh_complement", "1 + tanh(z) = 2 sigmoid(2 z),  1 - tanh(z) = 2 sigmoid(-2 z)",
         "1 + tanh(z) cancels to 0 for z < -9 (float32): the tanh-GELU's negative tail",
         _complement(sympy.tanh, 1, lambda z: 2 * sigmoid(-2 * z), lambda z: 2 * sigmoid(2 * z)),
         (1 + sympy.tanh(X)) / 2, (-20.0, -300.0)),
    # Not 1 / cosh(z)^2: cosh overflows (with a warning) for |z| > 710.
    Rule("sech_squared", "1 - tanh(z)^2 = 4 sigmoid(2 z) sigmoid(-2 z)",
         "1 - tanh(z)^2 is 0 once tanh(z) rounds to 1 (|z| > 9 in float32) though tanh'(z) is normal",
         _complement(sympy.tanh, 2, lambda z: 4 * sigmoid(2 * z) * sigmoid(-2 * z)),
         1 - sympy.tanh(X) ** 2, (20.0, -30.0, 300.0)),
)


def optimize(expr: sympy.Expr, rules: tuple[Rule, ...] = RULES) -> sympy.Expr:
    """``expr`` with every rule applied until it stops changing (at most 4 rounds)."""
    for _ in range(4):
        before = expr
        for rule in rules:
            expr = rule.apply(expr)
        if expr == before:
            break
    return expr


def rule(name: str) -> Rule:
    """The rule called ``name``."""
    for candidate in RULES:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
