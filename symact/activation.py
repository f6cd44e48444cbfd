r"""The activation model: a named SymPy expression in one real variable x.

An ``Activation`` holds the formula with its parameters symbolic (so code
generation can keep PReLU's slope learnable); ``bind`` substitutes values,
checks every parameter domain and constraint, and returns a
``BoundActivation``, on which exact derivatives and breakpoints are computed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping

import sympy
from sympy import S

from symact.errors import DefinitionError, ParameterError, ParseError
from symact.parsing import CONSTANTS, FUNCTIONS, X, parse_condition, parse_expression
from symact.pieces import Pieces

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

_DOMAIN_PATTERN = re.compile(
    r"^\s*(?:(?P<op>>=|<=|>|<|!=)\s*(?P<bound>[^\s].*?)|(?P<lb>[\[(])\s*(?P<lo>[^,]+?)\s*,\s*(?P<hi>[^,]+?)\s*(?P<rb>[\])]))\s*$"
)


def parse_domain(text: str) -> sympy.Set:
    """A parameter domain from text: ``real``, ``> 0``, ``>= 0``, ``< 1``,
    ``!= 0``, or an interval such as ``[0, 1]``, ``(0, 1]``, ``(-oo, 0)``."""
    if isinstance(text, sympy.Set):
        return text
    if text.strip() in ("real", "R", "reals", "(-oo, oo)"):
        return S.Reals
    match = _DOMAIN_PATTERN.match(text)
    if not match:
        raise DefinitionError(f"cannot read the domain '{text}'; write e.g. 'real', '> 0', '[0, 1]'")

    def number(token: str) -> sympy.Expr:
        token = token.strip()
        if token in ("oo", "inf", "+oo"):
            return S.Infinity
        if token in ("-oo", "-inf"):
            return S.NegativeInfinity
        value = parse_expression(token)
        if not value.is_number or not value.is_extended_real:
            raise DefinitionError(f"the domain bound '{token}' is not a real number")
        return value

    if match.group("op"):
        bound = number(match.group("bound"))
        return {
            ">": sympy.Interval.open(bound, S.Infinity),
            ">=": sympy.Interval(bound, S.Infinity),
            "<": sympy.Interval.open(S.NegativeInfinity, bound),
            "<=": sympy.Interval(S.NegativeInfinity, bound),
            "!=": S.Reals - sympy.FiniteSet(bound),
        }[match.group("op")]
    lo, hi = number(match.group("lo")), number(match.group("hi"))
    if not lo < hi:
        raise DefinitionError(f"the domain '{text}' is empty")
    return sympy.Interval(lo, hi, match.group("lb") == "(", match.group("rb") == ")")


def parse_value(value) -> sympy.Expr:
    """An exact real number from a Python number, a SymPy number or text
    such as ``"0.01"``, ``"1/3"``, ``"sqrt(2)"``."""
    if isinstance(value, bool):
        raise ParameterError(f"a parameter value must be a number, got {value!r}")
    if isinstance(value, int):
        result = sympy.Integer(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ParameterError(f"a parameter value must be finite, got {value!r}")
        result = sympy.Rational(repr(value))
    elif isinstance(value, str):
        try:
            result = parse_expression(value)
        except ParseError as exc:
            raise ParameterError(f"cannot read the value '{value}': {exc}") from None
    elif isinstance(value, sympy.Basic):
        result = value
    else:
        raise ParameterError(f"a parameter value must be a number, got {type(value).__name__}")
    if not (result.is_number and result.is_extended_real and result.is_finite):
        raise ParameterError(f"a parameter value must be a finite real number, got '{value}'")
    return result


def _domain_text(domain: sympy.Set) -> str:
    if domain == S.Reals:
        return "real"
    if isinstance(domain, sympy.Interval):
        if domain.sup is S.Infinity:
            return f"{'>' if domain.left_open else '>='} {domain.inf}"
        if domain.inf is S.NegativeInfinity:
            return f"{'<' if domain.right_open else '<='} {domain.sup}"
        return f"{'(' if domain.left_open else '['}{domain.inf}, {domain.sup}{')' if domain.right_open else ']'}"
    if isinstance(domain, sympy.Complement) and domain.args[0] == S.Reals:
        return f"!= {list(domain.args[1])[0]}"
    return str(domain)


@dataclass(frozen=True)
class Parameter:
    """A named real parameter with a default, a domain and a learnable flag."""

    name: str
    default: sympy.Expr
    domain: sympy.Set = S.Reals
    learnable: bool = False
    description: str = ""

    def __post_init__(self):
        if not NAME_PATTERN.match(self.name) and not re.match(r"^[A-Za-z][A-Za-z0-9_]{0,63}$", self.name):
            raise DefinitionError(f"the parameter name '{self.name}' is not a plain identifier")
        if self.name == "x" or self.name in FUNCTIONS or self.name in CONSTANTS:
            raise DefinitionError(f"the parameter name '{self.name}' is reserved")
        object.__setattr__(self, "default", parse_value(self.default))
        object.__setattr__(self, "domain", parse_domain(self.domain))
        if self.domain.contains(self.default) is not S.true:
            raise DefinitionError(
                f"the default {self.default} of '{self.name}' is outside its domain {self.domain_text}"
            )

    @property
    def domain_text(self) -> str:
        """The domain as written in specs: 'real', '> 0', '[0, 1]'."""
        return _domain_text(self.domain)

    @cached_property
    def symbol(self) -> sympy.Symbol:
        """The SymPy symbol, with the assumptions its domain implies."""
        assumptions = {"real": True}
        if self.domain.is_subset(sympy.Interval.open(0, S.Infinity)):
            assumptions["positive"] = True
        elif self.domain.is_subset(sympy.Interval(0, S.Infinity)):
            assumptions["nonnegative"] = True
        return sympy.Symbol(self.name, **assumptions)


def real_witness(expr: sympy.Expr) -> str | None:
    """A message naming a point where ``expr`` (in x only) is not a finite
    real number, or None when none is found among probe points.

    Assumptions settle most formulas (``x*tanh(x)`` is real); otherwise a
    fixed set of probes looks for a witness. Finding none proves nothing.
    """
    if expr.is_extended_real and expr.is_finite:
        return None
    probes = [-1000, -20, -3, -2, -1, sympy.Rational(-1, 2), sympy.Rational(-1, 10), 0,
              sympy.Rational(1, 10), sympy.Rational(1, 2), 1, 2, 3, 20, 1000]
    for point in probes:
        value = expr.subs(X, point)
        if value.has(sympy.nan, sympy.zoo, S.Infinity, S.NegativeInfinity):
            return f"it is not defined (or not finite) at x = {point}"
        number = value.evalf(30)
        if not number.is_number:
            continue
        real, imaginary = number.as_real_imag()
        if abs(imaginary) > 0:
            return f"it is not real at x = {point} (value {sympy.N(number, 6)})"
    return None


@dataclass(frozen=True)
class Activation:
    """An activation function f(x; params), defined symbolically.

    Attributes:
      name: lower-case identifier, also the generated function's name.
      expr: SymPy expression in ``symact.x`` and the parameters' symbols.
      params: the parameters, in call order.
      aliases: other names it is found under.
      description: one line.
      citation: the paper or library that defines it.
      notes: which definition this is where sources disagree.
      constraints: relations between parameters (``min_val < max_val``).
    """

    name: str
    expr: sympy.Expr
    params: tuple[Parameter, ...] = ()
    aliases: tuple[str, ...] = ()
    description: str = ""
    citation: str = ""
    notes: str = ""
    constraints: tuple[sympy.Basic, ...] = ()

    def __post_init__(self):
        for label in (self.name, *self.aliases):
            if not NAME_PATTERN.match(label):
                raise DefinitionError(
                    f"the name '{label}' must be lower-case letters, digits and '_', starting with a letter"
                )
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise DefinitionError(f"{self.name}: parameter names repeat: {names}")
        if not isinstance(self.expr, sympy.Expr):
            raise DefinitionError(f"{self.name}: the definition must be a SymPy expression")
        allowed = {X} | {p.symbol for p in self.params}
        stray = self.expr.free_symbols - allowed
        if stray:
            raise DefinitionError(
                f"{self.name}: the symbols {sorted(map(str, stray))} are neither x nor declared parameters"
            )
        if X not in self.expr.free_symbols:
            raise DefinitionError(f"{self.name}: the definition does not depend on x")

    @property
    def defaults(self) -> dict[str, sympy.Expr]:
        """Parameter name -> default value."""
        return {p.name: p.default for p in self.params}

    def bind(self, values: Mapping[str, object] | None = None, /, **more: object) -> "BoundActivation":
        """Substitute parameter values (defaults for those not given).

        Raises:
          ParameterError: an unknown name, a value that is not a real number,
            a value outside its domain, a violated constraint, or values that
            make f non-real somewhere.
        """
        given = {**(values or {}), **more}
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise ParameterError(
                f"{self.name} has no parameter {', '.join(map(repr, unknown))}; "
                f"its parameters are {sorted(known) or 'none'}"
            )
        bound: dict[str, sympy.Expr] = {}
        for parameter in self.params:
            value = parse_value(given[parameter.name]) if parameter.name in given else parameter.default
            if parameter.domain.contains(value) is not S.true:
                raise ParameterError(
                    f"{self.name}: {parameter.name} = {value} is outside its domain {parameter.domain_text}"
                )
            bound[parameter.name] = value
        substitution = {p.symbol: bound[p.name] for p in self.params}
        for constraint in self.constraints:
            if constraint.subs(substitution) is not S.true:
                raise ParameterError(f"{self.name}: the constraint {constraint} fails for {bound}")
        expr = self.expr.subs(substitution)
        problem = real_witness(expr)
        if problem:
            with_values = f" with {', '.join(f'{k} = {v}' for k, v in bound.items())}" if bound else ""
            raise ParameterError(f"{self.name}{with_values} is not a real function on the real line: {problem}")
        return BoundActivation(self, tuple(sorted(bound.items())), expr)


@dataclass(frozen=True)
class BoundActivation:
    """An activation with every parameter given a value: a function of x alone."""

    activation: Activation
    values: tuple[tuple[str, sympy.Expr], ...]
    expr: sympy.Expr

    @property
    def name(self) -> str:
        return self.activation.name

    @cached_property
    def pieces(self) -> Pieces:
        """f split at its breakpoints."""
        return Pieces.from_expr(self.expr)

    def derivative(self, order: int = 1) -> Pieces:
        """The exact ``order``-th derivative with breakpoints, simplified within a budget."""
        from symact.derivatives import derivative

        return derivative(self, order)


def define(
    name: str,
    expr: str | sympy.Expr,
    params: tuple = (),
    *,
    aliases: tuple[str, ...] = (),
    description: str = "",
    citation: str = "",
    notes: str = "",
    constraints: tuple[str, ...] = (),
) -> Activation:
    """Make an ``Activation`` from a formula string (or SymPy expression).

    Args:
      name: lower-case identifier.
      expr: e.g. ``"where(x > 0, x, alpha * expm1(x))"``, parsed safely by
        ``symact.parsing.parse_expression``; or a SymPy expression whose
        symbols are named ``x`` and the parameters' names.
      params: ``Parameter`` objects or dicts of their fields.
      constraints: relations between parameters, e.g. ``"min_val < max_val"``.

    The definition is bound once at its defaults, so a default that makes it
    non-real, or a violated constraint, is an error here.
    """
    parameters = tuple(p if isinstance(p, Parameter) else Parameter(**p) for p in params)
    symbols = {p.name: p.symbol for p in parameters}
    if isinstance(expr, str):
        formula = parse_expression(expr, symbols)
    elif isinstance(expr, sympy.Expr):
        by_name = {"x": X, **symbols}
        stray = sorted(str(s) for s in expr.free_symbols if str(s) not in by_name)
        if stray:
            raise DefinitionError(f"{name}: the symbols {stray} are neither x nor declared parameters")
        formula = expr.xreplace({s: by_name[str(s)] for s in expr.free_symbols})
    else:
        raise DefinitionError(f"{name}: the definition must be a string or a SymPy expression")
    relations = tuple(parse_condition(text, symbols) for text in constraints)
    activation = Activation(name, formula, parameters, tuple(aliases), description, citation, notes,
                            relations)
    activation.bind()
    return activation
