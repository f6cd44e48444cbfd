r"""Numerically stable building blocks as SymPy Functions.

Each atom is a SymPy ``Function`` with an exact ``fdiff`` and a rewrite back
to elementary functions (``rewrite(exp)`` / ``rewrite(erfc)``), in the manner
of ``sympy.codegen.cfunctions.expm1``. Defining activations with these atoms
keeps derivatives compact (d/dx softplus = sigmoid) and lets a code printer
emit the framework's stable primitive instead of a textbook formula.

``elementary(expr)`` replaces every atom by its definition; use it before
handing an expression to ``limit``, ``solve`` or an mpmath reference.
"""
from __future__ import annotations

import sympy
from mpmath.libmp import prec_to_dps
from sympy import S, Function, erfc, exp, log, pi, sqrt


class StableFunction(Function):
    """Base class of the stable atoms: one argument, an elementary definition."""

    nargs = 1
    latex_name = r"\operatorname{f}"  # how the atom is written in LaTeX

    @classmethod
    def definition(cls, arg: sympy.Expr) -> sympy.Expr:
        """The atom written with elementary functions of ``arg``."""
        raise NotImplementedError

    def _eval_evalf(self, prec):
        return self.definition(self.args[0]).evalf(prec_to_dps(prec))

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def _latex(self, printer, exp=None):
        name = self.latex_name if exp is None else f"{self.latex_name}^{{{exp}}}"
        return rf"{name}\left({printer._print(self.args[0])}\right)"

    def _eval_is_finite(self):
        arg = self.args[0]
        if arg.is_extended_real and arg.is_finite:
            return True
        return None


class sigmoid(StableFunction):
    r"""Logistic sigmoid.

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}}, \qquad \sigma'(x) = \sigma(x)(1 - \sigma(x))
    """

    latex_name = r"\sigma"

    @classmethod
    def definition(cls, arg):
        return 1 / (1 + exp(-arg))

    @classmethod
    def eval(cls, arg):
        if arg is S.Zero:
            return S.Half
        if arg is S.Infinity:
            return S.One
        if arg is S.NegativeInfinity:
            return S.Zero
        return None

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return self.definition(arg)

    def _eval_is_positive(self):
        if self.args[0].is_extended_real and self.args[0].is_finite:
            return True
        return None


class softplus(StableFunction):
    r"""Softplus, the smooth ReLU.

    .. math:: \operatorname{softplus}(x) = \log(1 + e^{x}), \qquad
              \operatorname{softplus}'(x) = \sigma(x)
    """

    latex_name = r"\operatorname{softplus}"

    @classmethod
    def definition(cls, arg):
        return log(1 + exp(arg))

    @classmethod
    def eval(cls, arg):
        if arg is S.Zero:
            return log(2)
        if arg is S.Infinity:
            return S.Infinity
        if arg is S.NegativeInfinity:
            return S.Zero
        return None

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return self.definition(arg)

    def _eval_rewrite_as_log(self, arg, **kwargs):
        return self.definition(arg)

    def _eval_is_positive(self):
        if self.args[0].is_extended_real and self.args[0].is_finite:
            return True
        return None


class log_sigmoid(StableFunction):
    r"""Logarithm of the logistic sigmoid.

    .. math:: \log\sigma(x) = -\log(1 + e^{-x}) = -\operatorname{softplus}(-x),
              \qquad (\log\sigma)'(x) = \sigma(-x)
    """

    latex_name = r"\log\sigma"

    @classmethod
    def definition(cls, arg):
        return -log(1 + exp(-arg))

    @classmethod
    def eval(cls, arg):
        if arg is S.Zero:
            return -log(2)
        if arg is S.Infinity:
            return S.Zero
        if arg is S.NegativeInfinity:
            return S.NegativeInfinity
        return None

    def fdiff(self, argindex=1):
        return sigmoid(-self.args[0])

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return self.definition(arg)

    def _eval_rewrite_as_log(self, arg, **kwargs):
        return self.definition(arg)

    def _eval_is_negative(self):
        if self.args[0].is_extended_real and self.args[0].is_finite:
            return True
        return None


class gaussian_cdf(StableFunction):
    r"""Standard normal cumulative distribution function.

    .. math:: \Phi(x) = \tfrac12 \operatorname{erfc}(-x/\sqrt2), \qquad
              \Phi'(x) = \varphi(x) = \frac{e^{-x^2/2}}{\sqrt{2\pi}}

    Written with ``erfc`` rather than ``1 + erf``: the latter cancels to 0 for
    x below about -5.5 in float32.
    """

    latex_name = r"\Phi"

    @classmethod
    def definition(cls, arg):
        # evaluate=False: SymPy would turn erfc(-z) into 2 - erfc(z), which cancels for x < 0.
        return erfc(-arg / sqrt(2), evaluate=False) / 2

    @classmethod
    def eval(cls, arg):
        if arg is S.Zero:
            return S.Half
        if arg is S.Infinity:
            return S.One
        if arg is S.NegativeInfinity:
            return S.Zero
        return None

    def fdiff(self, argindex=1):
        return exp(-self.args[0] ** 2 / 2) / sqrt(2 * pi)

    def _eval_rewrite_as_erfc(self, arg, **kwargs):
        return self.definition(arg)

    def _eval_rewrite_as_erf(self, arg, **kwargs):
        return (1 + sympy.erf(arg / sqrt(2))) / 2

    def _eval_is_positive(self):
        if self.args[0].is_extended_real and self.args[0].is_finite:
            return True
        return None


STABLE_FUNCTIONS: tuple[type[StableFunction], ...] = (sigmoid, softplus, log_sigmoid, gaussian_cdf)


def elementary(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with every stable atom replaced by its elementary definition."""
    return expr.replace(
        lambda e: isinstance(e, StableFunction),
        lambda e: type(e).definition(e.args[0]),
    )
