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

from symact.functions import elementary, gaussian_cdf, log_sigmoid, sigmoid, softplus
from symact.parsing import X


class CodegenAtom(sympy.Function):
    """A function of two arguments that generated code computes without
    overflow or cancellation, introduced only by the final rules. The
    lowering differentiates the textbook form, not the atom, unless the atom
    sets ``differentiate_as_atom``: then its ``fdiff`` is itself a stable
    atom, a form no rule recovers from the textbook derivative (``fdiff`` is
    exact either way)."""

    nargs = 2
    differentiate_as_atom = False

    @classmethod
    def definition(cls, w, c):  # pragma: no cover - overridden
        raise NotImplementedError


class hypot(CodegenAtom):
    r"""hypot(w, c) = sqrt(w^2 + c^2), computed without forming w^2
    (``np.hypot``/``torch.hypot``: finite for every finite w)."""

    @classmethod
    def definition(cls, w, c):
        return sympy.sqrt(w ** 2 + c ** 2)

    def fdiff(self, argindex=1):
        return self.args[argindex - 1] / self


class hypot_minus(CodegenAtom):
    r"""hypot(w, c) - c = w^2 / (hypot(w, c) + c), printed as
    w (w / (hypot(w, c) + c)): no cancellation near w = 0, no overflow of w^2."""

    @classmethod
    def definition(cls, w, c):
        return sympy.sqrt(w ** 2 + c ** 2) - c

    def fdiff(self, argindex=1):
        w, c = self.args
        return w / hypot(w, c) if argindex == 1 else c / hypot(w, c) - 1


class half_hypot_plus(CodegenAtom):
    r"""(w + hypot(w, c)) / 2, for w < 0 computed as c^2 / (2 (hypot(w, c) - w)):
    no cancellation in the negative tail; halves taken before the sum, so
    finite for every finite w."""

    @classmethod
    def definition(cls, w, c):
        return (w + sympy.sqrt(w ** 2 + c ** 2)) / 2

    def fdiff(self, argindex=1):
        w, c = self.args
        return self / hypot(w, c) if argindex == 1 else c / (2 * hypot(w, c))


class exp_neg_square(CodegenAtom):
    r"""exp(-k w^2) for k a power of 2, with w^2 = hi + lo split exactly
    (Dekker): exp(-k hi) (1 - k lo). The rounding of w^2 alone costs
    k w^2 / 2 ulp in exp (232 ulp for exp(-x^2) at x = 17)."""

    @classmethod
    def definition(cls, w, k):
        return sympy.exp(-k * w ** 2)

    def fdiff(self, argindex=1):
        w, k = self.args
        return -2 * k * w * self if argindex == 1 else -w ** 2 * self


class exp_product(CodegenAtom):
    r"""exp(a) exp(b) for b <= 0, computed as (exp(a) h) h with h = exp(b / 2)
    (b / 2 is exact): h stays normal where exp(b) underflows though the
    product is a normal number (cloglog' = exp(x) exp(-exp(x)) was 0 at
    x = 4.51 in float32, true 4.4e-38). Not exp(a + b): the rounding of
    a + b, amplified by |a + b|, measured 1.3-1.7x the error of the product."""

    @classmethod
    def definition(cls, a, b):
        return sympy.exp(a + b)

    def fdiff(self, argindex=1):
        return self


class expm1_sigmoid(CodegenAtom):
    r"""expm1(s) sigma(u - s) for s > 0, computed for u < s as
    -expm1(-s) exp(u) / (1 + exp(u - s)): exp sees u itself, not the
    rounded u - s, whose rounding exp amplifies by |u - s| (soft clipping
    was off by 15 ulp at x = -15.5, in float32 and float64); for u >= s as
    expm1(s) / (1 + exp(s - u))."""

    @classmethod
    def definition(cls, s, u):
        return expm1(s) * sigmoid(u - s)

    def fdiff(self, argindex=1):
        s, u = self.args
        if argindex == 2:
            return self * sigmoid(s - u)
        return sympy.exp(s) * sigmoid(u - s) - self * sigmoid(s - u)


class tanh_remainder(sympy.Function):
    r"""w - tanh(w), for |w| < 3/2 from Lambert's continued fraction
    tanh(w) = w / (1 + q), q = w^2 / (3 + w^2 / (5 + ...)): w - tanh(w) =
    w q / (1 + q), every term positive (w - tanh(w) loses every digit as
    w -> 0: 0 instead of 2.9e-12 at w = -2e-4 in float32)."""

    nargs = 1

    @classmethod
    def definition(cls, w):
        return w - sympy.tanh(w)

    def fdiff(self, argindex=1):
        return sympy.tanh(self.args[0]) ** 2


class hypot_plus_ratio(CodegenAtom):
    r"""(1 + w / hypot(w, c)) / 2 = half_hypot_plus(w, c) / hypot(w, c), in
    [0, 1]: one bounded value, so x times it cannot overflow (PFLU at 3e19)."""

    @classmethod
    def definition(cls, w, c):
        return (1 + w / sympy.sqrt(w ** 2 + c ** 2)) / 2

    def fdiff(self, argindex=1):
        w, c = self.args
        return c ** 2 / (2 * hypot(w, c) ** 3) if argindex == 1 else -c * w / (2 * hypot(w, c) ** 3)


class hypot_plus_product(CodegenAtom):
    r"""w (1 + w / hypot(w, c)) / 2 = w hypot_plus_ratio(w, c), as one value.
    With h = hypot(w, c), v = w / h and q = (h + |w|) / 2: w (1 + v) / 2 for
    w >= 0, and (w / h) ((c^2 / 4) / q) for w < 0, where 1 + v = c^2 / (h (h - w)).
    Every intermediate is within [-1, 1] or of the result's size, so none
    underflows where the result does not (the ratio alone is 2.9e-46 at
    w = -2.9e22, 0 in float32, while PFLU there is -8.5e-24) and none overflows."""

    differentiate_as_atom = True

    @classmethod
    def definition(cls, w, c):
        return w * (1 + w / sympy.sqrt(w ** 2 + c ** 2)) / 2

    def fdiff(self, argindex=1):
        w, c = self.args
        return hypot_plus_slope(w, c) if argindex == 1 else -w ** 2 * c / (2 * hypot(w, c) ** 3)


class hypot_plus_slope(CodegenAtom):
    r"""d/dw [w (1 + w / hypot(w, c)) / 2] = (1 + v) / 2 + v t^2 / 2 with
    v = w / h, t = c / h, h = hypot(w, c); as t^2 + v^2 = 1 it is
    (1 + v) (t^2 + v) / 2, with 1 + v = t^2 / (1 - v) for w < 0: no
    cancellation in the negative tail (only near its zero, w = -0.786 c)
    (where the textbook (h + w^3 + 2 w + h w^2) / (2 h^3) cancels and overflows:
    PFLU'(-16131) was 0 in float32, true -9.6e-10), and no w^2 is formed."""

    @classmethod
    def definition(cls, w, c):
        h = sympy.sqrt(w ** 2 + c ** 2)
        return (1 + w / h) / 2 + w * c ** 2 / (2 * h ** 3)

    def fdiff(self, argindex=1):
        w, c = self.args
        if argindex == 1:
            return c ** 2 * (2 * c ** 2 - w ** 2) / (2 * hypot(w, c) ** 5)
        return w * c * (w ** 2 - 2 * c ** 2) / (2 * hypot(w, c) ** 5)


class expm1_plus(CodegenAtom):
    r"""expm1(u) + r, given s = r - 1 in a form exact where it is small
    ((alpha - 1)(alpha + 1) for r = alpha^2). Where e^u <= r or r >= 1 it is
    exp(u) + s, elsewhere expm1(u) + r: each form's rounding error is then at
    most the size of the result, except near its own zero. expm1(u) + r alone
    loses e^u against -1 + r (soft exponential's expm1(x) + 1 is 0 for
    x < -17.3 in float32, true e^x); exp(u) + s alone loses u against
    1 - r when r is small (expm1(0.01 x) + 1e-4 near x = 0)."""

    nargs = 3

    @classmethod
    def definition(cls, u, r, s):
        return sympy.exp(u) - 1 + r

    def fdiff(self, argindex=1):
        return sympy.exp(self.args[0]) if argindex == 1 else S.One if argindex == 2 else S.Zero


class tanh_softplus(CodegenAtom):
    r"""tanh(softplus(w)), Mish's gate, computed as tanh of the stable
    softplus; differentiated as an atom, so that its slope is the one-exp
    ``tanh_softplus_slope`` (SymPy's derivative of the textbook form becomes
    4 sigma(2s) sigma(-2s) sigma(w), s = softplus(w): three sigmoids, six exps)."""

    nargs = 1
    differentiate_as_atom = True

    @classmethod
    def definition(cls, w):
        return sympy.tanh(softplus(w))

    def fdiff(self, argindex=1):
        return tanh_softplus_slope(self.args[0])


class tanh_softplus_slope(CodegenAtom):
    r"""d/dw tanh(softplus(w)) = sech^2(softplus(w)) sigma(w) = 4 n (n + 1) / (n^2 + 2 n + 2)^2
    with n = e^w; computed homogeneous in a = e^min(w, 0) and b = e^-max(w, 0)
    (n = a / b, both in (0, 1]): 4 a b^2 (a + b) / (a (a + 2 b) + 2 b^2)^2, every
    term positive (no cancellation) and no e^w formed (no overflow)."""

    nargs = 1

    @classmethod
    def definition(cls, w):
        return (1 - sympy.tanh(softplus(w)) ** 2) * sigmoid(w)

    def fdiff(self, argindex=1):
        w = sympy.Dummy("w", real=True)
        return sympy.diff(elementary(self.definition(w)), w).xreplace({w: self.args[0]})


class softplus_shifted(sympy.Function):
    r"""softplus(w) - log 2 = max(w, 0) + log1p(expm1(-|w|) / 2): no
    cancellation near w = 0 (the shifted softplus of SchNet was 0 for
    |w| < 1e-8 in float32)."""

    nargs = 1

    @classmethod
    def definition(cls, w):
        return softplus(w) - sympy.log(2)

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])


class sigmoid_scaled(sigmoid):
    r"""sigma(z) where a factor unbounded in x multiplies it (x sigma(x)): its
    subnormal values matter, since the product is a normal number
    (-88.7 sigma(-88.7) = -2.6e-37 in float32). The same function; targets
    whose sigmoid flushes subnormal results (``torch.sigmoid``) print a
    helper for it, others their sigmoid."""


def elementary_form(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with the stable atoms and the codegen atoms replaced by their
    elementary definitions (for high-precision comparison)."""
    expr = expr.replace(lambda e: isinstance(e, (CodegenAtom, tanh_remainder, softplus_shifted)),
                        lambda e: type(e).definition(*e.args))
    return elementary(expr)


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


def _complement(atom: type, power: int, minus: Callable, plus: Callable | None = None,
                any_coefficient: bool = False):
    """Rewrite ``c - c f(z)**power`` as ``c minus(z)`` (and ``c + c f(z)**power``
    as ``c plus(z)``) inside any sum, for any x-free constant c (with
    ``any_coefficient``, for any c free of f: ``x - x sigma(z) = x sigma(-z)``)."""
    def match(e):
        if not e.is_Add:
            return None
        for constant in e.args:
            if constant.has(atom) or (X in constant.free_symbols and not any_coefficient):
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


def _outside_codegen_atoms(transform: Callable[[sympy.Expr], sympy.Expr], expr: sympy.Expr) -> sympy.Expr:
    """``transform(expr)`` with every codegen atom held fixed: SymPy's
    ``expm1_opt`` also tries ``expr.factor()``, which rewrites atom arguments
    that were formed on purpose ((alpha - 1)(alpha + 1) became alpha^2 - 1)."""
    atoms = {atom: sympy.Dummy() for atom in expr.atoms(CodegenAtom)}
    if not atoms:
        return transform(expr)
    return transform(expr.xreplace(atoms)).xreplace({v: k for k, v in atoms.items()})


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


def _square_root_of_sum_of_squares(base: sympy.Expr):
    """``(w', c')`` with ``base = w'^2 + c'^2`` when base is ``a w^2 + c`` with
    a, c >= 0 free of x (w' = sqrt(a) w, c' = sqrt(c)), else None."""
    if not base.is_Add:
        return None
    constant, rest = base.as_independent(X, as_Add=True)
    if constant == 0 or not constant.is_nonnegative:
        return None
    squares = [f for f in sympy.Mul.make_args(rest) if f.is_Pow and f.exp == 2 and X in f.base.free_symbols]
    if len(squares) != 1:
        return None
    scale = rest / squares[0]
    if X in scale.free_symbols or not scale.is_nonnegative:
        return None
    return sympy.sqrt(scale) * squares[0].base, sympy.sqrt(constant)


def _hypot_forms(expr: sympy.Expr) -> sympy.Expr:
    def match(e):
        return (e.is_Pow and e.exp.is_Rational and e.exp.q == 2
                and _square_root_of_sum_of_squares(e.base) is not None)

    def rewrite(e):
        w, c = _square_root_of_sum_of_squares(e.base)
        return hypot(w, c) ** (2 * e.exp)

    return expr.replace(match, rewrite)


def _split(term: sympy.Expr, atom: type):
    """``(k, a)`` when term = k a with k free of x and a an ``atom``, else None."""
    k, rest = term.as_independent(X, as_Add=False)
    return (k, rest) if isinstance(rest, atom) else None


def _combine_in_sums(find: Callable) -> Callable[[sympy.Expr], sympy.Expr]:
    """A transform replacing two terms of a sum by one: ``find(term, other)``
    returns the replacement of the pair, or None."""
    def pair(e):
        if not e.is_Add:
            return None
        for term in e.args:
            for other in e.args:
                if other is not term:
                    value = find(term, other)
                    if value is not None:
                        return term, other, value
        return None

    def rewrite(e):
        term, other, value = pair(e)
        return sympy.Add(value, *[a for a in e.args if a is not term and a is not other])

    return lambda expr: expr.replace(lambda e: pair(e) is not None, rewrite)


def _equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    return a == b or sympy.expand(a - b) == 0


def _hypot_minus_pair(term, other):
    split = _split(term, hypot)
    if split is None:
        return None
    k, h = split
    if X in other.free_symbols or not _equal(other, -k * h.args[1]):
        return None
    return k * hypot_minus(*h.args)


def _half_hypot_plus_pair(term, other):
    split = _split(term, hypot)
    if split is not None:
        k, h = split
        return 2 * k * half_hypot_plus(*h.args) if _equal(other, k * h.args[0]) else None
    # k + k w / hypot(w, c)  =  2 k half_hypot_plus(w, c) / hypot(w, c)
    if X in other.free_symbols or not term.is_Mul:
        return None
    for factor in term.args:
        if factor.is_Pow and factor.exp == -1 and isinstance(factor.base, hypot):
            w, c = factor.base.args
            if _equal(term, other * w / factor.base):
                return 2 * other * hypot_plus_ratio(w, c)
    return None


def _sigmoid_difference_pair(term, other):
    a, b = _split(term, sigmoid), _split(-other, sigmoid)
    if a is None or b is None or not _equal(a[0], b[0]) or a[0].could_extract_minus_sign():
        return None
    k, (u,), (v,) = a[0], a[1].args, b[1].args
    shift = sympy.expand(v - u)
    if X in shift.free_symbols or shift == 0:
        return None
    return -k * expm1(shift) * sigmoid(u) * sigmoid(-v)


def _softplus_difference_pair(term, other):
    a = _split(term, softplus)
    if a is None:
        return None
    b = _split(other, log_sigmoid)
    if b is not None:
        b = (b[0], softplus(-b[1].args[0]))
    else:
        b = _split(-other, softplus)
    if b is None or not _equal(a[0], b[0]):
        return None
    k, (u,), (v,) = a[0], a[1].args, b[1].args
    shift = sympy.expand(u - v)
    if X in shift.free_symbols or shift == 0:
        return None
    if shift.is_positive:
        return k * log1p(expm1_sigmoid(shift, u))
    return k * log1p(expm1(shift) * sigmoid(v))


def _exp_neg_square_forms(expr: sympy.Expr) -> sympy.Expr:
    def parts(e):
        """(w, k) when e = exp(-k w^2) with k a power of 2, else None."""
        if not isinstance(e, sympy.exp):
            return None
        k, rest = (-e.args[0]).as_independent(X, as_Add=False)
        if not (k.is_Rational and k > 0 and (k.p & (k.p - 1)) == 0 and (k.q & (k.q - 1)) == 0):
            return None
        if rest.is_Pow and rest.exp == 2 and X in rest.base.free_symbols:
            return rest.base, k
        return None

    return expr.replace(lambda e: parts(e) is not None, lambda e: exp_neg_square(*parts(e)))


def _exp_products(expr: sympy.Expr) -> sympy.Expr:
    """Every product with two or more ``exp`` factors as one ``exp_product(a, b)``:
    b the sum of the arguments known to be <= 0, a the sum of the others; as
    one ``exp`` of the sum when either group is empty (only ``sympy.exp``
    itself: ``exp_neg_square`` keeps its exact split)."""
    def exps(e):
        return [f for f in e.args if type(f) is sympy.exp]

    def rewrite(e):
        factors = exps(e)
        rest = [f for f in e.args if type(f) is not sympy.exp]
        falling = [f.args[0] for f in factors if f.args[0].is_nonpositive]
        others = [f.args[0] for f in factors if not f.args[0].is_nonpositive]
        if falling and others:
            return sympy.Mul(exp_product(sympy.Add(*others), sympy.Add(*falling)), *rest)
        return sympy.Mul(sympy.exp(sympy.Add(*[f.args[0] for f in factors])), *rest)

    return expr.replace(lambda e: e.is_Mul and len(exps(e)) >= 2, rewrite)


def _tanh_remainder_pair(term, other):
    split = _split(-other, sympy.tanh)
    if split is None:
        return None
    k, t = split
    return k * tanh_remainder(t.args[0]) if _equal(term, k * t.args[0]) else None


def _hypot_plus_products(expr: sympy.Expr) -> sympy.Expr:
    def parts(e):
        """(k, w, c) when e = k w hypot_plus_ratio(w, c) with k free of x, else None."""
        if not e.is_Mul:
            return None
        for factor in e.args:
            if isinstance(factor, hypot_plus_ratio):
                w, c = factor.args
                k = sympy.cancel(e / (factor * w))
                if X not in k.free_symbols:
                    return k, w, c
        return None

    return expr.replace(lambda e: parts(e) is not None,
                        lambda e: parts(e)[0] * hypot_plus_product(*parts(e)[1:]))


def _expm1_plus_pair(term, other):
    split = _split(term, expm1)
    if split is None or X in other.free_symbols or other.has(expm1):
        return None
    k, (u,) = split[0], split[1].args
    r = sympy.cancel(other / k)
    if r.is_nonpositive:  # expm1(u) + r > -1 >= s everywhere: nothing to gain
        return None
    s = sympy.factor(r - 1)
    return k * sympy.exp(u) if s == 0 else k * expm1_plus(u, r, s)


def _softplus_shifted_pair(term, other):
    split = _split(term, softplus)
    if split is None:
        return None
    k, sp = split
    return k * softplus_shifted(sp.args[0]) if _equal(other, -k * sympy.log(2)) else None


def mark_scaled_sigmoids(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with every sigmoid as ``sigmoid_scaled`` when some product in
    it multiplies a sigmoid by a factor unbounded in x (the same function:
    a marker for targets whose sigmoid flushes subnormal results; not a
    rule, since it rewrites nothing)."""
    def match(e):
        if not e.is_Mul or not any(type(a) is sigmoid for a in e.atoms(sigmoid)):
            return False
        return any(X in f.free_symbols and not isinstance(f, (sigmoid, sympy.tanh, sympy.erf, sympy.erfc,
                                                              sympy.sin, sympy.cos))
                   for f in e.args)

    # Every sigmoid of such a formula: in Logish' = x sigma sigma(-x)/(sigma + 1) + log1p(sigma)
    # the second term is subnormal but 1/88 of the normal sum at x = -88.7.
    if not any(match(e) for e in sympy.preorder_traversal(expr)):
        return expr
    return expr.replace(lambda a: type(a) is sigmoid, lambda a: sigmoid_scaled(*a.args))


def _tanh_offset(expr: sympy.Expr) -> sympy.Expr:
    def pair(e):
        if not e.is_Add:
            return None
        offsets = [a for a in e.args if X not in a.free_symbols and not a.is_number]
        tanhs = [a for a in e.args if isinstance(a, sympy.tanh)]
        return (offsets[0], tanhs[0]) if offsets and tanhs else None

    def rewrite(e):
        offset, t = pair(e)
        rest = [a for a in e.args if a is not offset and a is not t]
        return sympy.Add(offset - 1, 2 * sigmoid(2 * t.args[0]), *rest)

    return expr.replace(lambda e: pair(e) is not None, rewrite)


def _common_factors(expr: sympy.Expr) -> sympy.Expr:
    def match(e):
        return e.is_Pow and e.exp.is_Integer and e.exp < 0 and e.base.is_Add
    expr = expr.replace(match, lambda e: sympy.factor_terms(e.base) ** e.exp)

    def polynomial(e):
        if not e.is_Add or X not in e.free_symbols:
            return False
        try:
            poly = sympy.Poly(e, X)
        except sympy.PolynomialError:
            return False
        return poly.degree() >= 2 and all(c.is_Rational for c in poly.all_coeffs())

    def factored(e):
        # Only a nonzero rational root pays: (x + 1) is exact near -1 (Sterbenz).
        # Other factors keep e's own coefficients (no 200000 that overflows float16).
        coefficient, factors = sympy.factor_list(e, X)
        linear = [(f, m) for f, m in factors if sympy.degree(f, X) == 1 and f.subs(X, 0) != 0]
        if not linear:
            return e
        product = sympy.Mul(*[(f / sympy.LC(f, X)) ** m for f, m in linear])
        rest = sympy.cancel(e / product)
        return rest * product

    expr = expr.replace(polynomial, factored)

    def common(e):
        """The x-dependent function factors every term of the sum e has."""
        if not e.is_Add or X not in e.free_symbols:
            return []
        terms = [set(sympy.Mul.make_args(t)) for t in e.args]
        shared = set.intersection(*terms)
        return sorted((f for f in shared if isinstance(f, sympy.Function) and X in f.free_symbols), key=str)

    # a w + a r = a (w + r) for an x-dependent a: HardELiSH's
    # x expm1(x)/2 + expm1(x)/2 cancels near -1, (x + 1) expm1(x)/2 does not.
    def pull_out(e):
        factor = sympy.Mul(*common(e))
        return factor * sympy.Add(*[t / factor for t in e.args])

    return expr.replace(lambda e: bool(common(e)), pull_out)


RULES: tuple[Rule, ...] = (
    Rule("expm1", "exp(z) - 1 = expm1(z)",
         "exp(z) - 1 cancels for |z| < 1e-8 (ELU, CELU, SELU near 0 lose every digit)",
         lambda expr: _outside_codegen_atoms(expm1_opt, expr),
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
    Rule("sigmoid_complement", "c - c sigmoid(z) = c sigmoid(-z)  (any c, also c = x)",
         "1 - sigmoid(z) is 0 once sigmoid(z) rounds to 1 (z > 17 in float32): sigmoid'(z) would be 0; "
         "x sigma(x) - x is inf - inf = nan at x = 3e38 (SiLU', E-swish', sigmoid-GELU')",
         _complement(sigmoid, 1, lambda z: sigmoid(-z), any_coefficient=True),
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


#: Rules for the formulas as printed: applied after differentiation (the
#: lowering differentiates the textbook form, whose derivative SymPy
#: simplifies; the derivative of ``x / hypot(x, 1)`` would be
#: ``1/h - x^2/h^3``, which cancels).
FINAL_RULES: tuple[Rule, ...] = (
    Rule("hypot", "sqrt(a w^2 + c) = hypot(sqrt(a) w, sqrt(c))  (a, c >= 0; also its odd powers)",
         "w^2 overflows for |w| > 1.8e19 (float32) / 1.3e154 (float64): ISRU(-3e38) was 0, not -1",
         _hypot_forms,
         X / sympy.sqrt(1 + X ** 2), (1e200, -1e300, 3e160)),
    Rule("hypot_minus", "sqrt(w^2 + c^2) - c = w^2 / (sqrt(w^2 + c^2) + c)",
         "sqrt(w^2 + 1) - 1 is 0 for |w| < 1e-8 (bent identity's w^2/4 lost; x + h/2 - 1/2 lost x)",
         lambda expr: _combine_in_sums(_hypot_minus_pair)(_hypot_forms(expr)),
         (sympy.sqrt(X ** 2 + 1) - 1) / 2, (1e-5, -3e-9, 1e-100, 1e200)),
    Rule("half_hypot_plus", "w + sqrt(w^2 + c^2) = c^2 / (sqrt(w^2 + c^2) - w);  "
         "1 + w / sqrt(w^2 + c^2) = (w + sqrt(w^2 + c^2)) / sqrt(w^2 + c^2), in [0, 2]",
         "w + sqrt(w^2 + c^2) cancels for w << -c: squareplus(-1e4) lost 4 digits, squareplus(-1e20) was 0",
         lambda expr: _combine_in_sums(_half_hypot_plus_pair)(_hypot_forms(expr)),
         (X + sympy.sqrt(X ** 2 + 4)) / 2, (-1e4, -1e9, -1e200)),
    Rule("hypot_plus_product", "w (1 + w / h) / 2 = (w / h) (c^2 / 4) / ((h - w) / 2) for w < 0, "
         "h = sqrt(w^2 + c^2)",
         "the ratio (1 + w / h) / 2 underflows where w times it does not (PFLU(-2.9e22) = -0.0 in float32, "
         "true -8.5e-24); 1 + w / h cancels for w << -c; w^2 overflows",
         lambda expr: _hypot_plus_products(_combine_in_sums(_half_hypot_plus_pair)(_hypot_forms(expr))),
         X * (1 + X / sympy.sqrt(X ** 2 + 1)) / 2, (-1e4, -1e30, -1e200)),
    Rule("expm1_plus", "k expm1(u) + d = k (exp(u) + (r - 1)) where e^u <= r or r >= 1, else k (expm1(u) + r); "
         "r = d / k",
         "expm1(u) + 1 is 0 for u < -37 (float64) though e^u is normal: soft exponential (alpha = 1) "
         "was 0 at x = -88.7 in float64, true 2.9e-39",
         _combine_in_sums(_expm1_plus_pair),
         expm1(sympy.Symbol("alpha", positive=True) * X) / sympy.Symbol("alpha", positive=True)
         + sympy.Symbol("alpha", positive=True), (-40.0, -100.0, -700.0)),
    Rule("sigmoid_difference", "sigma(u) - sigma(v) = -expm1(v - u) sigma(u) sigma(-v)",
         "sigma(x) - sigma(x - 1) cancels once both round to 1 (soft clipping' = 0 for x > 17 in float32)",
         _combine_in_sums(_sigmoid_difference_pair),
         sigmoid(X) - sigmoid(X - 1), (40.0, 100.0, 700.0)),
    Rule("softplus_difference", "softplus(u) - softplus(v) = log1p(expm1(s) sigma(v)),  s = u - v; "
         "for s > 0, expm1(s) sigma(v) = -expm1(-s) exp(min(u, s)) / (1 + exp(-|v|))",
         "softplus(x) - softplus(x - 1) is inf - inf or cancels to 0 for large x (soft clipping(1e7) = 0); "
         "exp(x - 1) amplifies the rounding of x - 1 (15 ulp at x = -15.55)",
         _combine_in_sums(_softplus_difference_pair),
         softplus(X) - softplus(X - 1), (800.0, 1e7, 1e300, -15.55)),
    Rule("tanh_offset", "c + tanh(z) = (c - 1) + 2 sigma(2 z)  (c a parameter)",
         "alpha + tanh(z) cancels to 0 for z < -9 at alpha = 1 (APTx's negative tail)",
         _tanh_offset,
         sympy.Symbol("alpha", positive=True) + sympy.tanh(X), (-20.0, -300.0)),
    Rule("exp_neg_square", "exp(-k w^2) = exp(-k hi) exp(-k lo),  w^2 = hi + lo exactly (k a power of 2)",
         "the rounding of w^2 is amplified by k w^2 in exp: exp(-x^2) off by 232 ulp at x = 17, "
         "GELU' by 108 ulp at x = -18",
         _exp_neg_square_forms,
         sympy.exp(-X ** 2), (17.083333333333336, -18.733093532339808, 26.1)),
    Rule("exp_product", "exp(a) exp(b) = (exp(a) exp(b/2)) exp(b/2)  (b <= 0; else exp(a + b))",
         "exp(b) underflows where the product is a normal number: cloglog' = exp(x) exp(-exp(x)) "
         "was 0 at x = 4.51 in float32 (true 4.4e-38)",
         _exp_products,
         sympy.exp(X ** 2) * sympy.exp(-2 * X ** 2 - 1), (20.0, -22.5, 26.0)),
    Rule("softplus_shifted", "softplus(w) - log 2 = max(w, 0) + log1p(expm1(-|w|) / 2)",
         "softplus(w) - log 2 cancels near w = 0 (0 instead of w/2 for |w| < 1e-8 in float32)",
         _combine_in_sums(_softplus_shifted_pair),
         softplus(X) - sympy.log(2), (1e-20, -3e-9, 1e-4, 800.0)),
    Rule("tanh_remainder", "w - tanh(w) = w q / (1 + q),  q = w^2 / (3 + w^2 / (5 + w^2 / (7 + ...)))",
         "w - tanh(w) cancels as w -> 0 (Tanhshrink(-2e-4) = 0 in float32, true -2.9e-12)",
         _combine_in_sums(_tanh_remainder_pair),
         X - sympy.tanh(X), (1e-5, -3e-3, 0.01, -0.1)),
    Rule("tanh_softplus", "tanh(softplus(w))' = sech^2(softplus(w)) sigma(w) = 4 a b^2 (a + b) / (a (a + 2 b) + 2 b^2)^2, "
         "a = e^min(w, 0), b = e^-max(w, 0)",
         "tanh(log(1 + e^w)) is 0 for w < -37 in float64 (true e^w); the derivative SymPy forms, "
         "4 sigma(2s) sigma(-2s) sigma(w), takes six exps where this slope takes two (Mish' eagerly 21 torch ops)",
         lambda expr: expr.replace(lambda e: isinstance(e, sympy.tanh) and isinstance(e.args[0], softplus),
                                   lambda e: tanh_softplus(e.args[0].args[0])),
         sympy.tanh(softplus(X)), (-40.0, -100.0, -700.0)),
    Rule("common_factors", "a w + a r = a (w + r);  polynomials with rational roots as products",
         "x/(2x + 2) overflows to 0 at x = 3e38; x^2 + x cancels near its root -1 (SQU: 15 ulp)",
         _common_factors,
         X ** 2 + X, (-0.9999999, -1.0 - 2.0 ** -30)),
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


def finalize(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` as generated code prints it: every rule of ``RULES`` and
    ``FINAL_RULES`` applied until it stops changing."""
    return mark_scaled_sigmoids(optimize(expr, RULES + FINAL_RULES))


def rule(name: str) -> Rule:
    """The rule called ``name``."""
    for candidate in RULES + FINAL_RULES:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
