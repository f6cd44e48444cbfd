r"""SymPy printers for generated activation code, one per target.

Each printer subclasses SymPy's own (``NumPyPrinter``, ``TorchPrinter``) and
owns its function table: the stable atoms of ``symact.functions`` print as
the framework's stable primitive, and anything without an entry raises
``CodegenError`` instead of printing code that would be wrong (SymPy 1.14's
``NumPyPrinter`` prints ``erf`` as the scalar ``math.erf``; its
``TorchPrinter`` lacks ``expm1``/``log1p`` and ignores ``user_functions``).

Shared conventions (``ArrayPrinting``):

* numbers print as Python literals (``repr(float)``, integers, ``p/q``), which
  NumPy >= 2 and PyTorch treat as weak scalars, so float32 stays float32;
* integer powers up to 4 print as multiplications (``np.power(x, 3)`` was
  measured 94x slower than ``x*x*x``), ``x**-1`` as a division and
  ``x**(1/2)`` as ``sqrt``;
* relations and boolean connectives print as operators (``x > 0``, ``&``).
"""
from __future__ import annotations

import sympy
from sympy.codegen.cfunctions import expm1, log1p
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pytorch import TorchPrinter

from symact.codegen.rules import (exp_neg_square, exp_product, expm1_plus, expm1_sigmoid, half_hypot_plus, hypot,
                                  hypot_minus, hypot_plus_product, hypot_plus_ratio, hypot_plus_slope,
                                  sigmoid_scaled, softplus_shifted, tanh_remainder, tanh_softplus,
                                  tanh_softplus_slope)
from symact.errors import SymactError
from symact.functions import gaussian_cdf, log_sigmoid, sigmoid, softplus
from symact.parsing import X

MAX_MULTIPLIED_POWER = 4
BOUNDED = (exp_neg_square, hypot_plus_ratio, sigmoid, gaussian_cdf, sympy.tanh, sympy.erf, sympy.erfc, sympy.sin,
           sympy.cos, sympy.sinc)  # and sigmoid_slope, sinc_slope


class sigmoid_slope(sympy.Function):
    r"""sigma(w) sigma(-w) = sigma'(w), a printing-level atom: NumPy code
    computes it as t / (1 + t)^2 with t = exp(-|w|) (one exp, no overflow)."""

    nargs = 1


class sinc_slope(sympy.Function):
    r"""sinc'(z) = (z cos z - sin z) / z^2, 0 at z = 0, a printing-level atom:
    the generated helper switches to a Taylor series near 0, where the
    difference cancels (SymPy's own derivative of ``sinc`` is that difference,
    NaN at 0)."""

    nargs = 1


class differentiable_sinc(sympy.sinc):
    r"""``sympy.sinc`` whose derivative is the atom ``sinc_slope``: the
    lowering differentiates through it (``symact.codegen.lowering``), and it
    prints as ``sinc`` does."""

    def fdiff(self, argindex=1):
        return sinc_slope(self.args[0])


class CodegenError(SymactError):
    """An expression cannot be turned into code for the requested target."""


class ArrayPrinting:
    """Printing rules shared by the NumPy and PyTorch printers.

    Subclasses define ``FUNCTIONS`` (SymPy class -> template with ``{0}`` for
    the argument), ``HELPERS`` (SymPy class -> name of a helper function the
    template defines), ``square`` and ``power`` (names of the functions).
    """

    FUNCTIONS: dict[type, str] = {}
    HELPERS: dict[type, str] = {}
    square = ""
    power = ""
    sqrt = ""

    def __init__(self):
        super().__init__({"fully_qualified_modules": True, "strict": True, "order": "none"})
        self.helpers_used: set[str] = set()
        # the common subexpressions (``_t0``, ...) of the body being printed that depend on x
        self.x_temporaries: set[sympy.Symbol] = set()

    def _print(self, expr, **kwargs):
        # Every function goes through this printer's own table, never through
        # the parent printer's per-function methods (math.erf, numpy.* names).
        if isinstance(expr, sympy.Function):
            return self._print_Function(expr)
        return super()._print(expr, **kwargs)

    # numbers -------------------------------------------------------------
    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Integer(self, expr):
        return str(int(expr))

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}"

    def _print_NumberSymbol(self, expr):
        return repr(float(expr))

    _print_Pi = _print_Exp1 = _print_NumberSymbol

    def _print_Infinity(self, expr):
        return "float('inf')"

    def _print_NegativeInfinity(self, expr):
        return "float('-inf')"

    def _print_NaN(self, expr):
        return "float('nan')"

    # arithmetic ------------------------------------------------------------
    @staticmethod
    def root_form(expr: sympy.Expr):
        """``(t, r, c)`` when ``expr = c t + c r`` with rationals c, r and r
        a dyadic number (exact in binary floating point), else None.

        Printed as ``c (t + r)``: near the root t = -r the sum is exact
        (Sterbenz), where ``c t + c r`` cancels (hardsigmoid's x/6 + 1/2 lost
        2.7 ulp near -3, hardswish' = x/3 + 1/2 lost 43 ulp near -3/2).
        """
        if not expr.is_Add or len(expr.args) != 2:
            return None
        constant, term = sorted(expr.args, key=lambda a: not a.is_Rational)
        if not constant.is_Rational or term.is_number:
            return None
        slope, rest = term.as_coeff_Mul()
        if not slope.is_Rational or slope in (1, -1):  # -(t + r) is r' - t, rounded the same
            return None
        offset = constant / slope
        denominator = offset.q
        if denominator & (denominator - 1):
            return None
        return rest, offset, slope

    def _print_Add(self, expr, order=None):
        form = self.root_form(expr)
        if form is None:
            return super()._print_Add(expr, order=order)
        rest, offset, slope = form
        inner = f"({self._print(sympy.Add(rest, offset, evaluate=False))})"
        if slope.q == 1:
            return f"{self._print(slope)}*{inner}"
        numerator = inner if slope.p == 1 else f"{slope.p}*{inner}"
        return f"{numerator}/{slope.q}"

    def _print_Mul(self, expr):
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient.is_Rational and coefficient.q != 1 and rest is not sympy.S.One:
            numerator = sympy.Mul(coefficient.p, rest, evaluate=False) if coefficient.p != 1 else rest
            text = self.parenthesize(numerator, PRECEDENCE["Mul"], strict=False)
            return f"{text}/{coefficient.q}"
        split = self.split_divisor(expr)
        if split is not None:
            rest, divisor = split
            return (f"{self.parenthesize(rest, PRECEDENCE['Mul'], strict=False)}/"
                    f"{self.parenthesize(divisor, PRECEDENCE['Mul'], strict=True)}")
        return super()._print_Mul(self._bounded_first(self._pair_sigmoids(expr)))

    @classmethod
    def split_divisor(cls, expr: sympy.Expr):
        """``(expr * d, d)`` when the product or power ``expr`` divides by two
        or more factors that depend on x, counted with multiplicity
        (``n / d^2``, ``n / (a b)``, ``d^-2``), d the first of them; else None.

        Printed as ``(expr * d) / d``, one division per factor: ``n / d / d``
        is a normal number wherever ``n / d^2`` is (for ``|d| > 1``, ``n / d``
        is smaller than n; for ``|d| < 1``, smaller than the result), while
        ``d * d`` overflows first (soft root sign' in float32 was 0 at
        x = 178.6, true 1.05e-28: ``d = alpha + x e^(x/beta)`` is 1.3e28).
        """
        if not (expr.is_Mul or expr.is_Pow):
            return None
        divisors = [(f.base, -f.exp) for f in sympy.Mul.make_args(expr)
                    if f.is_Pow and f.exp.is_Integer and f.exp < 0 and not f.base.is_number
                    and not cls.is_parameter_only(f.base)]
        if sum(int(k) for _, k in divisors) < 2:
            return None
        divisor = divisors[0][0]
        return expr * divisor, divisor

    def _pair_sigmoids(self, expr: sympy.Mul) -> sympy.Expr:
        """sigmoid(w) sigmoid(-w) as one ``sigmoid_slope(w)`` where the target
        has a helper for it (one exp instead of two sigmoids)."""
        if sigmoid_slope not in self.HELPERS:
            return expr
        factors = list(sympy.Mul.make_args(expr))
        for i, a in enumerate(factors):
            if not isinstance(a, sigmoid):
                continue
            for j, b in enumerate(factors):
                if j != i and isinstance(b, sigmoid) and b.args[0] == -a.args[0]:
                    argument = a.args[0] if not a.args[0].could_extract_minus_sign() else b.args[0]
                    rest = [f for k, f in enumerate(factors) if k not in (i, j)]
                    return sympy.Mul(sigmoid_slope(argument), *rest, evaluate=False)
        return expr

    @staticmethod
    def _bounded_first(expr: sympy.Mul) -> sympy.Mul:
        """The factors reordered: numbers, then functions bounded by 1 in
        magnitude, then the rest. Python multiplies left to right, so a
        factor that underflowed to 0 meets a huge x before it overflows:
        mish'(3e38) = 1, not inf * 0 = nan."""
        def rank(factor):
            if factor.is_number or ArrayPrinting.is_parameter_only(factor):
                return 0
            return 1 if isinstance(factor, (*BOUNDED, sigmoid_slope, sinc_slope)) else 2
        factors = sorted(sympy.Mul.make_args(expr), key=rank)
        return sympy.Mul(*factors, evaluate=False)

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.as_base_exp()
        split = self.split_divisor(expr) if exponent.is_Integer and exponent <= -2 else None
        if split is not None:  # 1/d^k as 1/d/.../d, as in products
            rest, divisor = split
            return (f"{self.parenthesize(rest, PRECEDENCE['Mul'], strict=False)}/"
                    f"{self.parenthesize(divisor, PRECEDENCE['Mul'], strict=True)}")
        base_text = self.parenthesize(base, PRECEDENCE["Mul"], strict=False)
        if exponent.is_Integer and 2 <= exponent <= MAX_MULTIPLIED_POWER:
            if base.is_Symbol:  # parenthesised: a Pow may be printed as a divisor
                return "(" + "*".join([base_text] * int(exponent)) + ")"
            if exponent == 2:
                return f"{self.square}({self._print(base)})"
            if exponent == 3:  # (b*b)*b, as fused code computes a shared _t*_t*_t
                return f"({self.square}({self._print(base)})*{base_text})"
            if exponent == 4:
                return f"{self.square}({self.square}({self._print(base)}))"
        if exponent.is_Integer and -MAX_MULTIPLIED_POWER <= exponent <= -1:
            return f"1/({self._print(base ** -exponent)})"
        if exponent == sympy.S.Half and self.is_parameter_only(base, temporaries=True):
            # a Python float parameter stays a (weak) Python float
            return f"{self.parenthesize(base, PRECEDENCE['Pow'], strict=True)}**0.5"
        if exponent == sympy.S.Half:
            return f"{self.sqrt}({self._print(base)})"
        if exponent == -sympy.S.Half:
            return f"1/{self.sqrt}({self._print(base)})"
        return f"{self.power}({self._print(base)}, {self._print(exponent)})"

    # conditions --------------------------------------------------------------
    def _print_Relational(self, expr):
        operator = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[expr.rel_op]
        lhs, rhs = expr.lhs, expr.rhs
        if X in rhs.free_symbols and X not in lhs.free_symbols:
            lhs, rhs = rhs, lhs
            operator = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}[operator]
        return f"({self._print(lhs)} {operator} {self._print(rhs)})"

    def _print_And(self, expr):
        return "(" + " & ".join(self._print(a) for a in expr.args) + ")"

    def _print_Or(self, expr):
        return "(" + " | ".join(self._print(a) for a in expr.args) + ")"

    def _print_Not(self, expr):
        return f"~{self._print(expr.args[0])}"

    def _print_Piecewise(self, expr):
        raise CodegenError("a Piecewise must be lowered to branches before printing")

    # functions ------------------------------------------------------------------
    @staticmethod
    def is_parameter_only(expr: sympy.Expr, temporaries: bool = False) -> bool:
        """Whether ``expr`` depends on the parameters alone: not on x, nor on
        the names generated code gives to x-dependent values (``_x0``,
        ``_s0``, and unless ``temporaries``, the common subexpressions ``_t0``,
        which may or may not depend on x)."""
        symbols = expr.free_symbols
        prefixes = ("_x", "_s") if temporaries else ("_",)
        return bool(symbols) and X not in symbols and not any(s.name.startswith(prefixes) for s in symbols)

    def _print_Function(self, expr):
        kind = type(expr)
        for cls in kind.__mro__:
            if cls in self.HELPERS:
                self.helpers_used.add(self.HELPERS[cls])
                return f"{self.HELPERS[cls]}({', '.join(self._print(a) for a in expr.args)})"
            if cls in self.FUNCTIONS:
                return self.FUNCTIONS[cls].format(*[self._print(a) for a in expr.args])
        raise CodegenError(f"no {self.target_name} translation for the function '{kind.__name__}'")

    def _print_Abs(self, expr):
        return self._print_Function(expr)

    def _print_sign(self, expr):
        return self._print_Function(expr)

    def emptyPrinter(self, expr):
        raise CodegenError(f"cannot print '{expr}' ({type(expr).__name__}) as {self.target_name} code")


# Stable forms with a helper of the same name in both targets' templates
# (numpy_helpers.py.j2, torch_helpers.py.j2); each printer adds its own.
_SHARED_HELPERS = {
    softplus: "_softplus", hypot_minus: "_hypot_minus", half_hypot_plus: "_half_hypot_plus",
    exp_neg_square: "_exp_neg_square", exp_product: "_exp_product", expm1_sigmoid: "_expm1_sigmoid",
    tanh_remainder: "_tanh_remainder", hypot_plus_ratio: "_hypot_plus_ratio", softplus_shifted: "_softplus_shifted",
    hypot_plus_product: "_hypot_plus_product", hypot_plus_slope: "_hypot_plus_slope", expm1_plus: "_expm1_plus",
    gaussian_cdf: "_gaussian_cdf", sympy.sinc: "_sinc", sinc_slope: "_sinc_slope",
    tanh_softplus: "_tanh_softplus", tanh_softplus_slope: "_tanh_softplus_slope",
}
_COMMON = (sympy.exp, sympy.log, sympy.tanh, sympy.sinh, sympy.cosh, sympy.sin, sympy.cos, sympy.tan,
           sympy.asinh, sympy.atan, sympy.asin, sympy.acos, sympy.atanh, sympy.Abs, sympy.sign)


class NumpyCodePrinter(ArrayPrinting, NumPyPrinter):
    """NumPy code: ufuncs for elementary functions, ``logaddexp`` for
    softplus, and helper functions (defined in the template) for the
    sigmoid, erf and erfc, which NumPy lacks."""

    target_name = "NumPy"
    square = "np.square"
    power = "np.power"
    sqrt = "np.sqrt"
    FUNCTIONS = {
        **{f: f"np.{name}({{0}})" for f, name in zip(
            _COMMON, ("exp", "log", "tanh", "sinh", "cosh", "sin", "cos", "tan", "arcsinh", "arctan",
                      "arcsin", "arccos", "arctanh", "abs", "sign"))},
        expm1: "np.expm1({0})",
        log1p: "np.log1p({0})",
        hypot: "np.hypot({0}, {1})",
    }
    HELPERS = {**_SHARED_HELPERS, sigmoid: "_sigmoid", log_sigmoid: "_log_sigmoid", sigmoid_slope: "_sigmoid_slope",
               sympy.erf: "_erf", sympy.erfc: "_erfc"}


class TorchCodePrinter(ArrayPrinting, TorchPrinter):
    """PyTorch code: every function is a differentiable torch op, so a
    backward written with them supports double backward."""

    target_name = "PyTorch"
    square = "torch.square"
    power = "torch.pow"
    sqrt = "torch.sqrt"
    FUNCTIONS = {
        **{f: f"torch.{name}({{0}})" for f, name in zip(
            _COMMON, ("exp", "log", "tanh", "sinh", "cosh", "sin", "cos", "tan", "asinh", "atan",
                      "asin", "acos", "atanh", "abs", "sign"))},
        expm1: "torch.expm1({0})",
        log1p: "torch.log1p({0})",
        sympy.erf: "torch.special.erf({0})",
        sympy.erfc: "torch.special.erfc({0})",
        sigmoid: "torch.sigmoid({0})",
        log_sigmoid: "F.logsigmoid({0})",
    }
    # expm1 and erf of x go through helpers (under torch.compile, Inductor's
    # expm1 cancels near 0 and its float32 erf is wrong there); of parameters
    # alone they stay torch functions (FUNCTIONS, see _print_Function).
    HELPERS = {**_SHARED_HELPERS, sigmoid_scaled: "_sigmoid_scaled", hypot: "_hypot", expm1: "_expm1",
               sympy.erf: "_erf"}

    def indicator(self, condition) -> str:
        r"""``condition`` as a tensor of 0.0 and 1.0 (NaN where x is NaN), made
        without a bool tensor: :math:`[d > 0] = \lceil \min(\max(d, 0), 1) \rceil`
        for d = a - b, :math:`[a \ge b] = 1 - [b > a]`,
        :math:`[a = b] = 1 - \lceil \min(|a - b|, 1) \rceil`, And as a product, Or
        as a maximum, Not as :math:`1 - c`. fl(a - b) has the sign of a - b (0
        only when a = b), so the mask is exact; clamp and ceil keep NaN, so a
        NaN input needs no correction afterwards.

        Measured (``benchmarks/mask_bench.py``, 1e6 float32, one thread): a
        comparison and its cast cost 1.50 ms against 0.70 for clamp and ceil;
        under ``torch.compile`` the partitioner saves bool masks for backward
        and Inductor stores them element by element, so ReLU's forward+backward
        took 18.3 ms with a bool slope mask, 1.38 with this one (torch.relu
        eager: 1.09).
        """
        if condition is sympy.true:
            return "1.0"
        if condition is sympy.false:
            return "0.0"
        if isinstance(condition, sympy.And):
            masks = [self.indicator(a) for a in condition.args]
            return " * ".join(f"({m})" if m.startswith("1 - ") else m for m in masks)
        if isinstance(condition, sympy.Or):
            masks = [self.indicator(a) for a in condition.args]
            text = masks[0]
            for mask in masks[1:]:
                text = f"torch.maximum({text}, {mask})"
            return text
        if isinstance(condition, sympy.Not):
            return f"1 - ({self.indicator(condition.args[0])})"
        if not isinstance(condition, sympy.core.relational.Relational):
            raise CodegenError(f"cannot print the condition {condition} as a mask")
        lhs, rhs, op = condition.lhs, condition.rhs, condition.rel_op
        if op in ("<", "<="):
            lhs, rhs, op = rhs, lhs, {"<": ">", "<=": ">="}[op]
        if op == ">":
            return f"torch.clamp({self._print(lhs - rhs)}, 0, 1).ceil_()"
        if op == ">=":
            return f"1 - torch.clamp({self._print(rhs - lhs)}, 0, 1).ceil_()"
        difference = f"torch.clamp(torch.abs({self._print(lhs - rhs)}), max=1).ceil_()"
        return f"1 - {difference}" if op == "==" else difference

    def _print_Function(self, expr):
        if (not self.is_parameter_only(expr, temporaries=True) or expr.free_symbols & self.x_temporaries
                or type(expr) not in self.FUNCTIONS):
            return super()._print_Function(expr)
        # torch functions refuse the Python floats parameters may be
        self.helpers_used.add("_tensor")
        return self.FUNCTIONS[type(expr)].format(*[f"_tensor({self._print(a)})" for a in expr.args])
