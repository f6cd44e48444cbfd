"""Safe parsing of user expressions into SymPy.

An expression string is parsed by Python's ``ast`` module and converted node
by node; nothing is ever evaluated by Python. Only numbers, the variable
``x``, declared parameter names, a whitelist of functions and constants, and
arithmetic, comparison and boolean operators are accepted. Anything else
(attribute access, dunder names, lambdas, subscripts, strings, unknown
calls) is refused with a ``ParseError`` naming the offending token.

The same language writes the built-in catalogue, spec files and command-line
expressions, so all three are parsed by this one function.
"""
from __future__ import annotations

import ast
import math
from typing import Callable, Mapping

import sympy
from sympy.codegen.cfunctions import expm1, log1p

from symact.errors import ParseError
from symact.functions import gaussian_cdf, log_sigmoid, sigmoid, softplus

MAX_LENGTH = 10_000
MAX_DEPTH = 100
MAX_DIGITS = 1_000

X = sympy.Symbol("x", real=True)


def _where(cond, then, otherwise):
    return sympy.Piecewise((then, cond), (otherwise, True))


def _heaviside(arg, at_zero=sympy.S.Half):
    return sympy.Piecewise((0, arg < 0), (at_zero, sympy.Eq(arg, 0)), (1, True))


def _piecewise(*pairs):
    for pair in pairs:
        if not (isinstance(pair, sympy.Tuple) and len(pair) == 2):
            raise ParseError("piecewise() takes pairs (value, condition)")
    return sympy.Piecewise(*[tuple(pair) for pair in pairs])


def _arity(fn: Callable, lo: int, hi: int | None = None) -> tuple[Callable, int, int | None]:
    return fn, lo, lo if hi is None else hi


FUNCTIONS: dict[str, tuple[Callable, int, int | None]] = {
    "exp": _arity(sympy.exp, 1),
    "log": _arity(sympy.log, 1),
    "sqrt": _arity(sympy.sqrt, 1),
    "cbrt": _arity(sympy.cbrt, 1),
    "sin": _arity(sympy.sin, 1),
    "cos": _arity(sympy.cos, 1),
    "tan": _arity(sympy.tan, 1),
    "sinh": _arity(sympy.sinh, 1),
    "cosh": _arity(sympy.cosh, 1),
    "tanh": _arity(sympy.tanh, 1),
    "asinh": _arity(sympy.asinh, 1),
    "arcsinh": _arity(sympy.asinh, 1),
    "atan": _arity(sympy.atan, 1),
    "arctan": _arity(sympy.atan, 1),
    "asin": _arity(sympy.asin, 1),
    "acos": _arity(sympy.acos, 1),
    "atanh": _arity(sympy.atanh, 1),
    "erf": _arity(sympy.erf, 1),
    "erfc": _arity(sympy.erfc, 1),
    "sinc": _arity(sympy.sinc, 1),
    "lambertw": _arity(sympy.LambertW, 1),
    "abs": _arity(sympy.Abs, 1),
    "sign": _arity(sympy.sign, 1),
    "max": _arity(sympy.Max, 2, 16),
    "min": _arity(sympy.Min, 2, 16),
    "expm1": _arity(expm1, 1),
    "log1p": _arity(log1p, 1),
    "sigmoid": _arity(sigmoid, 1),
    "softplus": _arity(softplus, 1),
    "log_sigmoid": _arity(log_sigmoid, 1),
    "logsigmoid": _arity(log_sigmoid, 1),
    "Phi": _arity(gaussian_cdf, 1),
    "gaussian_cdf": _arity(gaussian_cdf, 1),
    "heaviside": _arity(_heaviside, 1, 2),
    "where": _arity(_where, 3),
    "piecewise": _arity(_piecewise, 1, 32),
    "Piecewise": _arity(_piecewise, 1, 32),
}

CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E, "E": sympy.E}

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: None,  # guarded, see _power
    ast.BitXor: None,  # '^' is read as a power, as mathematicians write it
    ast.BitAnd: lambda a, b: sympy.And(a, b),
    ast.BitOr: lambda a, b: sympy.Or(a, b),
}

_COMPARE = {
    ast.Lt: sympy.Lt,
    ast.LtE: sympy.Le,
    ast.Gt: sympy.Gt,
    ast.GtE: sympy.Ge,
    ast.Eq: sympy.Eq,
    ast.NotEq: sympy.Ne,
}

_REFUSED_NAMES = {
    ast.Lambda: "lambda",
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.IfExp: "conditional expression (use where(cond, a, b))",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.Dict: "dict literal",
    ast.Set: "set literal",
    ast.List: "list literal",
    ast.Starred: "starred argument",
    ast.NamedExpr: "assignment expression ':='",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield from",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.Slice: "slice",
}


def _depth(tree: ast.AST) -> int:
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _power(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    """``base ** exponent``, refusing exact numbers too large to hold."""
    if base.is_number and exponent.is_number and base.is_Rational and exponent.is_Rational:
        magnitude = abs(float(exponent)) * math.log10(max(abs(float(base)), 2.0)) if base != 0 else 0.0
        if magnitude > MAX_DIGITS:
            raise ParseError(f"the number {base}**{exponent} is too large (over {MAX_DIGITS} digits)")
    return sympy.Pow(base, exponent)


class _Converter:
    def __init__(self, source: str, symbols: Mapping[str, sympy.Symbol]):
        self.source = source
        self.symbols = dict(symbols)

    def token(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.source, node)
        return segment if segment and len(segment) <= 60 else (segment or "")[:57] + "..."

    def refuse(self, node: ast.AST, what: str) -> ParseError:
        column = getattr(node, "col_offset", None)
        where = f" at column {column + 1}" if column is not None else ""
        return ParseError(f"{what} is not allowed{where}: '{self.token(node)}'")

    def convert(self, node: ast.AST):
        kind = type(node)
        if kind in _REFUSED_NAMES:
            raise self.refuse(node, _REFUSED_NAMES[kind])
        method = getattr(self, f"visit_{kind.__name__}", None)
        if method is None:
            raise self.refuse(node, f"the construct {kind.__name__}")
        return method(node)

    def visit_Expression(self, node):
        return self.convert(node.body)

    def visit_Constant(self, node):
        value = node.value
        if isinstance(value, bool):
            return sympy.true if value else sympy.false
        if isinstance(value, int):
            if abs(value).bit_length() > MAX_DIGITS * 3.33:
                raise ParseError(f"the integer literal is too large (over {MAX_DIGITS} digits)")
            return sympy.Integer(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ParseError(f"the number '{self.token(node)}' is not finite")
            return sympy.Rational(repr(value))
        if isinstance(value, str):
            raise self.refuse(node, "a string literal")
        raise self.refuse(node, f"a {type(value).__name__} literal")

    def visit_Name(self, node):
        name = node.id
        if name.startswith("__"):
            raise self.refuse(node, f"the dunder name '{name}'")
        if name in self.symbols:
            return self.symbols[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS:
            raise ParseError(f"'{name}' is a function; call it as {name}(...)")
        raise ParseError(
            f"unknown name '{name}': the variable is 'x' and the declared parameters are "
            f"{sorted(n for n in self.symbols if n != 'x') or 'none'}"
        )

    def visit_UnaryOp(self, node):
        operand = self.convert(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, (ast.Not, ast.Invert)):
            return sympy.Not(operand)
        raise self.refuse(node, f"the operator {type(node.op).__name__}")

    def visit_BinOp(self, node):
        kind = type(node.op)
        if kind not in _BINARY:
            raise self.refuse(node, f"the operator {kind.__name__}")
        left, right = self.convert(node.left), self.convert(node.right)
        if kind in (ast.Pow, ast.BitXor):
            return _power(left, right)
        return _BINARY[kind](left, right)

    def visit_BoolOp(self, node):
        values = [self.convert(value) for value in node.values]
        return sympy.And(*values) if isinstance(node.op, ast.And) else sympy.Or(*values)

    def visit_Compare(self, node):
        operands = [self.convert(node.left)] + [self.convert(c) for c in node.comparators]
        relations = []
        for op, lhs, rhs in zip(node.ops, operands, operands[1:]):
            if type(op) not in _COMPARE:
                raise self.refuse(node, f"the comparison {type(op).__name__}")
            relations.append(_COMPARE[type(op)](lhs, rhs))
        return sympy.And(*relations) if len(relations) > 1 else relations[0]

    def visit_Tuple(self, node):
        return sympy.Tuple(*[self.convert(element) for element in node.elts])

    def visit_Call(self, node):
        if not isinstance(node.func, ast.Name):
            raise self.refuse(node.func, "calling anything but a known function")
        name = node.func.id
        if name.startswith("__"):
            raise self.refuse(node.func, f"the dunder name '{name}'")
        if name not in FUNCTIONS:
            raise ParseError(
                f"unknown function '{name}' at column {node.func.col_offset + 1}; known functions: "
                + ", ".join(sorted(FUNCTIONS))
            )
        if node.keywords:
            raise self.refuse(node, f"a keyword argument in the call of '{name}'")
        fn, lo, hi = FUNCTIONS[name]
        if not (lo <= len(node.args) <= (hi if hi is not None else lo)):
            expected = str(lo) if hi == lo else f"{lo} to {hi}"
            raise ParseError(f"'{name}' takes {expected} argument(s), got {len(node.args)}")
        args = [self.convert(arg) for arg in node.args]
        try:
            return fn(*args)
        except ParseError:
            raise
        except (TypeError, ValueError) as exc:
            raise ParseError(f"invalid arguments to '{name}': {exc}") from None


def _parse(text: str, parameters: Mapping[str, sympy.Symbol] | None):
    if not isinstance(text, str):
        raise ParseError(f"an expression must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise ParseError("the expression is empty")
    if "\x00" in text:
        raise ParseError("the expression contains a NUL character")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg):
            raise ParseError(f"the expression is nested too deeply (limit {MAX_DEPTH})") from None
        raise ParseError(f"invalid syntax at column {exc.offset or 1}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ParseError(f"the expression is nested too deeply (limit {MAX_DEPTH})") from None
    if _depth(tree) > MAX_DEPTH:
        raise ParseError(f"the expression is nested too deeply (limit {MAX_DEPTH})")
    dunders = sorted(
        (node.end_col_offset or 0, name)
        for node in ast.walk(tree)
        for name in (getattr(node, "id", None), getattr(node, "attr", None))
        if isinstance(name, str) and name.startswith("__")
    )
    if dunders:
        end, name = dunders[0]
        raise ParseError(f"the dunder name '{name}' is not allowed (column {end - len(name) + 1})")
    symbols = {"x": X, **(parameters or {})}
    try:
        return _Converter(text.strip(), symbols).convert(tree)
    except RecursionError:
        raise ParseError(f"the expression is nested too deeply (limit {MAX_DEPTH})") from None


def parse_expression(text: str, parameters: Mapping[str, sympy.Symbol] | None = None) -> sympy.Expr:
    """Parse ``text`` into a SymPy expression in ``x`` and ``parameters``.

    Args:
      text: the expression, e.g. ``"x * tanh(softplus(x))"``.
      parameters: parameter name -> SymPy symbol, the only names allowed
        besides ``x``, the constants ``pi`` and ``e``, and the whitelisted
        functions in ``FUNCTIONS``.

    Returns:
      The expression, with ``x`` the real symbol ``symact.x``.

    Raises:
      ParseError: the text is too long, too deeply nested, not an
        expression, or uses anything outside the whitelist.
    """
    result = _parse(text, parameters)
    if not isinstance(result, sympy.Expr) or isinstance(result, sympy.Tuple):
        raise ParseError(f"'{text}' is a condition or tuple, not a number-valued formula")
    return result


def parse_condition(text: str, parameters: Mapping[str, sympy.Symbol] | None = None) -> sympy.Basic:
    """Parse a relation such as ``"min_val < max_val"`` with the rules of
    ``parse_expression``; raise ``ParseError`` unless it is a condition."""
    result = _parse(text, parameters)
    if not isinstance(result, sympy.logic.boolalg.Boolean):
        raise ParseError(f"'{text}' is not a condition (use <, <=, >, >=, ==, !=)")
    return result


class _ExpressionPrinter(sympy.printing.str.StrPrinter):
    """Prints SymPy in this module's expression language (the inverse of
    ``parse_expression``): ``where``/``piecewise``, lower-case ``abs``,
    ``max``, ``min``, ``lambertw``, ``Phi``, ``==``/``!=``, ``and``/``or``."""

    _NAMES = {sympy.Abs: "abs", sympy.Max: "max", sympy.Min: "min", sympy.LambertW: "lambertw",
              gaussian_cdf: "Phi"}

    def _print_Function(self, expr):
        name = self._NAMES.get(type(expr), type(expr).__name__)
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    _print_Abs = _print_Max = _print_Min = _print_LambertW = _print_Function

    def _print_Piecewise(self, expr):
        pairs = [(self._print(e), self._print(c)) for e, c in expr.args]
        if len(pairs) == 2 and pairs[1][1] == "True":
            return f"where({pairs[0][1]}, {pairs[0][0]}, {pairs[1][0]})"
        return "piecewise(" + ", ".join(f"({e}, {c})" for e, c in pairs) + ")"

    def _print_Relational(self, expr):
        return f"{self.parenthesize(expr.lhs, 0)} {expr.rel_op} {self.parenthesize(expr.rhs, 0)}"

    def _print_And(self, expr):
        return " and ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Or(self, expr):
        return " or ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Not(self, expr):
        return f"not ({self._print(expr.args[0])})"

    def _print_BooleanTrue(self, expr):
        return "True"

    def _print_Exp1(self, expr):
        return "e"


def format_expression(expr: sympy.Basic) -> str:
    """``expr`` written in the expression language, so that
    ``parse_expression(format_expression(f), parameters)`` gives f back:
    what ``symact list`` and ``symact show`` print, ready to paste into a
    spec file or the command line."""
    return _ExpressionPrinter({"order": "none"}).doprint(expr)
