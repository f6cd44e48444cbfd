r"""Certified interval evaluation of SymPy expressions with Arb.

An ``Interval`` is a closed set [lo, hi] of the extended reals. Finite
endpoints are exact Arb points; infinite ones are the floats ``-inf`` and
``inf``. Every operation returns an interval that contains the exact image:
Arb evaluates a function at an endpoint as a ball with rigorous error
bounds, and the lower (upper) endpoint of the result is the lower (upper)
end of that ball, so rounding is always outward.

Unary functions are evaluated through their monotonicity on the endpoints
(exp, log, tanh, erf, ... are monotone; cosh and even powers have their
minimum at 0; sin, cos and sinc use Arb's ball enclosure on short intervals,
sinc its envelope 1/|x| on long ones; tan is increasing between poles).
That is what lets an interval reach to infinity: on [R, +inf],
``1/(1 + exp(-x))`` is [1/(1 + e^-R), 1] exactly as the maths says.

The stable atoms of ``symact.functions`` are evaluated in forms that do not
cancel: ``sigmoid`` as 1/(1 + e^-x), ``softplus`` as max(x, 0) +
log1p(e^-|x|), ``gaussian_cdf`` as erfc(-x/sqrt 2)/2. Since each atom is
monotone, only its values at two points are ever computed.

``compile_interval(expr)`` turns an expression in ``x`` into a function
Interval -> Interval; an expression using anything else raises
``Unsupported``, and the caller reports *unknown*.
"""
from __future__ import annotations

import math
from typing import Callable

import sympy
from flint import arb
from sympy.codegen.cfunctions import expm1, log1p

from symact.functions import gaussian_cdf, log_sigmoid, sigmoid, softplus
from symact.parsing import X

INF = math.inf


class Unsupported(Exception):
    """The expression uses a function the interval evaluator does not know."""


def _is_inf(e) -> bool:
    return isinstance(e, float)


def _lower(ball: arb):
    if not ball.is_finite():
        return -INF
    return ball.lower()


def _upper(ball: arb):
    if not ball.is_finite():
        return INF
    return ball.upper()


def _le(a, b) -> bool:
    """a <= b for endpoints (exact)."""
    if _is_inf(a) and _is_inf(b):
        return a <= b
    if _is_inf(a):
        return a == -INF
    if _is_inf(b):
        return b == INF
    return bool(a <= b)


def _lt(a, b) -> bool:
    if _is_inf(a) and _is_inf(b):
        return a < b
    if _is_inf(a):
        return a == -INF
    if _is_inf(b):
        return b == INF
    return bool(a < b)


def _min(*values):
    best = values[0]
    for v in values[1:]:
        if _lt(v, best):
            best = v
    return best


def _max(*values):
    best = values[0]
    for v in values[1:]:
        if _lt(best, v):
            best = v
    return best


def float_down(e) -> float:
    """The largest float <= the endpoint ``e``."""
    if _is_inf(e):
        return e
    value = float(e.mid())
    return value if arb(value) <= e else math.nextafter(value, -INF)


def float_up(e) -> float:
    """The smallest float >= the endpoint ``e``."""
    if _is_inf(e):
        return e
    value = float(e.mid())
    return value if arb(value) >= e else math.nextafter(value, INF)


def to_float(e) -> float:
    """Nearest float of an endpoint (for reports only, never for proofs)."""
    return e if _is_inf(e) else float(e.mid())


class Interval:
    """The closed interval [lo, hi] of the extended real line."""

    __slots__ = ("lo", "hi")

    def __init__(self, lo, hi):
        self.lo = lo
        self.hi = hi

    @classmethod
    def point(cls, value) -> "Interval":
        """[v, v] for a Python/Arb number (an Arb ball gives its hull)."""
        if isinstance(value, float) and math.isinf(value):
            return cls(value, value)
        ball = value if isinstance(value, arb) else arb(value)
        return cls(_lower(ball), _upper(ball))

    @classmethod
    def of_ball(cls, ball: arb) -> "Interval":
        return cls(_lower(ball), _upper(ball))

    @classmethod
    def whole(cls) -> "Interval":
        return cls(-INF, INF)

    def is_finite(self) -> bool:
        return not (_is_inf(self.lo) or _is_inf(self.hi))

    def is_nonnegative(self) -> bool:
        return not _is_inf(self.lo) and self.lo >= 0 or self.lo == INF

    def is_positive(self) -> bool:
        return (not _is_inf(self.lo) and self.lo > 0) or self.lo == INF

    def is_nonpositive(self) -> bool:
        return (not _is_inf(self.hi) and self.hi <= 0) or self.hi == -INF

    def is_negative(self) -> bool:
        return (not _is_inf(self.hi) and self.hi < 0) or self.hi == -INF

    def contains(self, other: "Interval") -> bool:
        return _le(self.lo, other.lo) and _le(other.hi, self.hi)

    def width(self) -> float:
        if not self.is_finite():
            return INF
        return float((self.hi - self.lo).upper().mid())

    def midpoint(self):
        """An exact point inside (a finite interval's midpoint, rounded)."""
        lo, hi = self.lo, self.hi
        if _is_inf(lo) and _is_inf(hi):
            return arb(0)
        if _is_inf(hi):
            return lo + _tail_step(lo)
        if _is_inf(lo):
            return hi - _tail_step(-hi)
        mid = ((lo + hi) / 2).mid()
        return mid

    def intersect(self, other: "Interval") -> "Interval":
        return Interval(_max(self.lo, other.lo), _min(self.hi, other.hi))

    def hull(self, other: "Interval") -> "Interval":
        return Interval(_min(self.lo, other.lo), _max(self.hi, other.hi))

    def floats(self) -> list[float]:
        """[lo, hi] as floats rounded outward (for reports)."""
        return [float_down(self.lo), float_up(self.hi)]

    def __repr__(self) -> str:
        lo, hi = self.floats()
        return f"Interval({lo!r}, {hi!r})"

    # arithmetic -----------------------------------------------------------
    def __add__(self, other: "Interval") -> "Interval":
        lo = -INF if (self.lo == -INF or other.lo == -INF) else (INF if (self.lo == INF or other.lo == INF) else _lower(self.lo + other.lo))
        hi = INF if (self.hi == INF or other.hi == INF) else (-INF if (self.hi == -INF or other.hi == -INF) else _upper(self.hi + other.hi))
        return Interval(lo, hi)

    def __neg__(self) -> "Interval":
        return Interval(-self.hi, -self.lo)

    def __sub__(self, other: "Interval") -> "Interval":
        return self + (-other)

    def __mul__(self, other: "Interval") -> "Interval":
        a, b, c, d = self.lo, self.hi, other.lo, other.hi
        if type(a) is arb and type(b) is arb and type(c) is arb and type(d) is arb:
            # finite: the classic sign cases need two products, not four
            if a >= 0:
                lo, hi = (a * c, b * d) if c >= 0 else (b * c, a * d) if d <= 0 else (b * c, b * d)
            elif b <= 0:
                lo, hi = (a * d, b * c) if c >= 0 else (b * d, a * c) if d <= 0 else (a * d, a * c)
            elif c >= 0:
                lo, hi = a * d, b * d
            elif d <= 0:
                lo, hi = b * c, a * c
            else:
                lo1, lo2, hi1, hi2 = (a * d).lower(), (b * c).lower(), (a * c).upper(), (b * d).upper()
                return Interval(lo1 if lo1 < lo2 else lo2, hi1 if hi1 > hi2 else hi2)
            return Interval(lo.lower(), hi.upper())
        lows, highs = [], []
        for a in (self.lo, self.hi):
            for b in (other.lo, other.hi):
                lo, hi = _product(a, b)
                lows.append(lo)
                highs.append(hi)
        return Interval(_min(*lows), _max(*highs))

    def reciprocal(self) -> "Interval":
        if _le(self.lo, 0) and _le(0, self.hi):
            return Interval.whole()
        lo = 0 if _is_inf(self.hi) else _lower(1 / self.hi)
        hi = 0 if _is_inf(self.lo) else _upper(1 / self.lo)
        return Interval(arb(lo) if lo == 0 else lo, arb(hi) if hi == 0 else hi)


def _sign(e) -> int:
    if _is_inf(e):
        return 1 if e > 0 else -1
    if e > 0:
        return 1
    if e < 0:
        return -1
    return 0


def _product(a, b):
    """Exact-ish product of two endpoints as (lower, upper); 0 * inf = 0."""
    if _is_inf(a) or _is_inf(b):
        s = _sign(a) * _sign(b)
        value = arb(0) if s == 0 else (INF if s > 0 else -INF)
        return value, value
    ball = a * b
    return _lower(ball), _upper(ball)


def _tail_step(start) -> arb:
    """How far past a finite endpoint a point on an infinite side is taken."""
    magnitude = abs(float(start.mid())) if not _is_inf(start) else 1.0
    return arb(max(1.0, magnitude))


# unary functions ------------------------------------------------------------

def _pos_sigmoid(t: arb) -> arb:
    return 1 / (1 + (-t).exp())


def _softplus_point(t: arb) -> arb:
    if t > 0:
        return t + (-t).exp().log1p()
    return t.exp().log1p()


def _phi_point(t: arb) -> arb:
    return (-t / arb(2).sqrt()).erfc() / 2


def _lambertw_point(t: arb) -> arb:
    return t.lambertw()


_HALF_PI = arb.pi() / 2

# name: (point function, value at -inf, value at +inf, increasing, domain lo, domain hi)
_MONOTONE: dict[type, tuple] = {
    sympy.exp: (arb.exp, arb(0), INF, True, -INF, INF),
    sympy.log: (arb.log, -INF, INF, True, arb(0), INF),
    log1p: (arb.log1p, -INF, INF, True, arb(-1), INF),
    expm1: (arb.expm1, arb(-1), INF, True, -INF, INF),
    sympy.tanh: (arb.tanh, arb(-1), arb(1), True, -INF, INF),
    sympy.sinh: (arb.sinh, -INF, INF, True, -INF, INF),
    sympy.asinh: (arb.asinh, -INF, INF, True, -INF, INF),
    sympy.atan: (arb.atan, -_HALF_PI, _HALF_PI, True, -INF, INF),
    sympy.erf: (arb.erf, arb(-1), arb(1), True, -INF, INF),
    sympy.erfc: (arb.erfc, arb(2), arb(0), False, -INF, INF),
    sympy.asin: (arb.asin, None, None, True, arb(-1), arb(1)),
    sympy.acos: (arb.acos, None, None, False, arb(-1), arb(1)),
    sympy.atanh: (arb.atanh, -INF, INF, True, arb(-1), arb(1)),
    sigmoid: (_pos_sigmoid, arb(0), arb(1), True, -INF, INF),
    softplus: (_softplus_point, arb(0), INF, True, -INF, INF),
    log_sigmoid: (lambda t: -_softplus_point(-t), -INF, arb(0), True, -INF, INF),
    gaussian_cdf: (_phi_point, arb(0), arb(1), True, -INF, INF),
    sympy.LambertW: (_lambertw_point, None, INF, True, None, INF),
}


def _value_at(fn, at_inf, e, lower: bool):
    if _is_inf(e):
        value = at_inf
        if _is_inf(value):
            return value
        return _lower(value) if lower else _upper(value)
    ball = fn(e)
    return _lower(ball) if lower else _upper(ball)


def _monotone(kind, a: Interval) -> Interval:
    fn, at_minus, at_plus, increasing, dom_lo, dom_hi = _MONOTONE[kind]
    if kind is sympy.LambertW:
        dom_lo = _lower(-(arb(-1).exp()))
    if dom_lo is not None and dom_lo != -INF and _lt(a.lo, dom_lo):
        raise Unsupported(f"{kind.__name__} outside its domain")
    if dom_hi is not None and dom_hi != INF and _lt(dom_hi, a.hi):
        raise Unsupported(f"{kind.__name__} outside its domain")
    lo_at = at_minus if a.lo == -INF else at_plus
    hi_at = at_plus if a.hi == INF else at_minus
    if increasing:
        return Interval(_value_at(fn, lo_at, a.lo, True), _value_at(fn, hi_at, a.hi, False))
    return Interval(_value_at(fn, hi_at, a.hi, True), _value_at(fn, lo_at, a.lo, False))


def _even(fn, minimum: arb, a: Interval) -> Interval:
    """An even function increasing on [0, inf) with fn(0) = minimum."""
    def at(e, lower):
        if _is_inf(e):
            return INF
        ball = fn(e)
        return _lower(ball) if lower else _upper(ball)
    if a.is_nonnegative():
        return Interval(at(a.lo, True), at(a.hi, False))
    if a.is_nonpositive():
        return Interval(at(a.hi, True), at(a.lo, False))
    return Interval(_lower(minimum), _max(at(a.lo, False), at(a.hi, False)))


def _periodic(fn, a: Interval) -> Interval:
    if not a.is_finite() or a.width() > 6:
        return Interval(arb(-1), arb(1))
    ball = a.lo.union(a.hi)
    return Interval.of_ball(fn(ball)).intersect(Interval(arb(-1), arb(1)))


# sinc(x) = sin(x)/x >= -0.21724 (its minimum, at x = +-4.4934); |sinc(x)| <= min(1, 1/|x|)
_SINC_HULL = (arb(-0.21875), arb(1))  # exact dyadic endpoints: -7/32 < -0.21724
_SINC_FALLS = Interval(arb(-4.4921875), arb(4.4921875))  # sinc' < 0 on (0, 4.4934); 575/128 = 4.4921875


def _sinc(a: Interval) -> Interval:
    """sinc on an interval: Arb's ball enclosure on short boxes, else the envelope 1/|x|."""
    hull = Interval(*_SINC_HULL)
    if a.is_finite() and _le(_SINC_FALLS.lo, a.lo) and _le(a.hi, _SINC_FALLS.hi):
        # even and decreasing in |x| up to its first minimum: exact endpoint values
        def at(e):
            return Interval.of_ball(e.sinc())
        if a.is_nonnegative() or a.is_nonpositive():
            near, far = (a.lo, a.hi) if a.is_nonnegative() else (a.hi, a.lo)
            return Interval(at(far).lo, at(near).hi)
        return Interval(_min(at(a.lo).lo, at(a.hi).lo), arb(1))
    if a.is_finite() and a.width() <= 6:
        return Interval.of_ball(a.lo.union(a.hi).sinc()).intersect(hull)
    if a.is_nonnegative() or a.is_nonpositive():
        near, far = (a.lo, a.hi) if a.is_nonnegative() else (-a.hi, -a.lo)
        if near == INF:
            return Interval(arb(0), arb(0))
        turn = _SINC_FALLS.hi
        if _lt(near, turn) and _lt(turn, far):
            return _sinc(Interval(near, turn)).hull(_sinc(Interval(turn, far)))
        if near > 0:
            envelope = Interval(-_upper(1 / near), _upper(1 / near))
            return envelope.intersect(hull)
    return hull


def _tan(a: Interval) -> Interval:
    """tan: increasing between its poles pi/2 + k pi; the whole line on a box that may hold one."""
    if not a.is_finite():
        return Interval.whole()
    pi = arb.pi()
    first, last = ((a.lo - pi / 2) / pi).floor(), ((a.hi - pi / 2) / pi).floor()
    if not (first.is_exact() and last.is_exact() and first == last):
        return Interval.whole()  # a pole inside, or too close to tell
    return Interval(_lower(a.lo.tan()), _upper(a.hi.tan()))


def _integer_power(a: Interval, n: int) -> Interval:
    if n == 0:
        return Interval(arb(1), arb(1))
    if n < 0:
        return _integer_power(a, -n).reciprocal()

    def pw(e, lower):
        if _is_inf(e):
            return INF if (e > 0 or n % 2 == 0) else -INF
        ball = e ** n
        return _lower(ball) if lower else _upper(ball)
    if n % 2 == 1 or a.is_nonnegative():
        return Interval(pw(a.lo, True), pw(a.hi, False))
    if a.is_nonpositive():
        return Interval(pw(a.hi, True), pw(a.lo, False))
    return Interval(arb(0), _max(pw(a.lo, False), pw(a.hi, False)))


def _real_power(a: Interval, exponent: arb, positive: bool) -> Interval:
    """a ** e for a constant non-integer e, defined for a >= 0."""
    if _lt(a.lo, 0):
        raise Unsupported("a fractional power of a possibly negative number")

    def pw(e, lower):
        if _is_inf(e):
            return INF if positive else arb(0)
        if e == 0:
            if positive:
                return arb(0)
            return INF
        ball = e ** exponent
        return _lower(ball) if lower else _upper(ball)
    if positive:
        return Interval(pw(a.lo, True), pw(a.hi, False))
    return Interval(pw(a.hi, True), pw(a.lo, False))


# compilation ------------------------------------------------------------------

def _stable_sum(expr: sympy.Expr) -> sympy.Expr:
    """1 +- tanh(u) -> 2 sigmoid(+-2u), 1 +- erf(u) -> erfc(-+u), 1 - sigmoid(u) -> sigmoid(-u),
    1 - tanh(u)^2 -> cosh(u)^-2, sigmoid(u) - sigmoid(v) -> sigmoid(u) sigmoid(-v) (1 - e^(v-u)):
    sums that cancel become atoms (or products) that do not."""
    terms = list(expr.args)
    for index, term in enumerate(terms):
        coeff, atom = term.as_coeff_Mul()
        if isinstance(atom, sigmoid) and coeff.is_positive:
            for other, partner in enumerate(terms):
                c2, a2 = partner.as_coeff_Mul()
                if other != index and isinstance(a2, sigmoid) and c2 == -coeff:
                    # c (sigma(u) - sigma(v)) = c sigma(u) sigma(-v) (1 - e^(v - u)): a product, no cancellation
                    u, v = atom.args[0], a2.args[0]
                    rest = [t for k, t in enumerate(terms) if k not in (index, other)]
                    return sympy.Add(coeff * sigmoid(u) * sigmoid(-v) * -expm1(sympy.expand(v - u)), *rest)
    for index, term in enumerate(terms):
        coeff, atom = term.as_coeff_Mul()
        if (coeff == -1 and atom.is_Pow and atom.exp == 2 and isinstance(atom.base, sympy.tanh)
                and 1 in terms):
            rest = list(terms)
            rest.remove(term)
            rest.remove(sympy.S.One)
            return sympy.Add(sympy.cosh(atom.base.args[0]) ** -2, *rest)
        if coeff == -1 and isinstance(atom, sigmoid) and 1 in terms:
            rest = list(terms)
            rest.remove(term)
            rest.remove(sympy.S.One)
            return sympy.Add(sigmoid(-atom.args[0]), *rest)
        if coeff not in (1, -1) or not isinstance(atom, (sympy.tanh, sympy.erf)):
            continue
        for other, constant in enumerate(terms):
            if other != index and constant == 1:
                u = coeff * atom.args[0]
                # evaluate=False: SymPy would turn erfc(-u) back into 2 - erfc(u)
                stable = 2 * sigmoid(2 * u) if isinstance(atom, sympy.tanh) else sympy.erfc(-u, evaluate=False)
                rest = [t for k, t in enumerate(terms) if k not in (index, other)]
                return sympy.Add(stable, *rest)
    return expr


def stable_form(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with cancelling sums replaced by stable atoms (see ``_stable_sum``)."""
    return expr.replace(lambda e: e.is_Add, _stable_sum)


Evaluator = Callable[[Interval], Interval]


def constant_ball(value: sympy.Expr) -> arb:
    """An Arb ball containing the exact real constant ``value``."""
    interval = compile_interval(value)(Interval.point(arb(0)))
    if not interval.is_finite():
        raise Unsupported(f"the constant {value} is not finite")
    return interval.lo.union(interval.hi)


def compile_interval(expr: sympy.Expr) -> Evaluator:
    """A function mapping an Interval for x to an Interval containing
    {expr(x) : x in it}. Raises ``Unsupported`` for unknown functions."""
    if expr.is_Symbol and expr == X:  # equal, not always identical, once SymPy's cache evicts it
        return lambda box: box
    if expr.is_Rational:
        p, q = int(expr.p), int(expr.q)
        ball = arb(p) / arb(q) if q != 1 else arb(p)
        const = Interval.of_ball(ball)
        return lambda box: const
    if expr.is_Float:
        exact = sympy.Rational(expr)
        return compile_interval(exact)
    if expr is sympy.pi:
        const = Interval.of_ball(arb.pi())
        return lambda box: const
    if expr is sympy.E:
        const = Interval.of_ball(arb(1).exp())
        return lambda box: const
    if expr.is_Add:
        parts = [compile_interval(a) for a in expr.args]

        def add(box):
            total = parts[0](box)
            for part in parts[1:]:
                total = total + part(box)
            return total
        return add
    if expr.is_Mul:
        parts = [compile_interval(a) for a in expr.args]

        def mul(box):
            total = parts[0](box)
            for part in parts[1:]:
                total = total * part(box)
            return total
        return mul
    if expr.is_Pow:
        base, exponent = expr.args
        inner = compile_interval(base)
        if exponent.is_Integer:
            n = int(exponent)
            return lambda box: _integer_power(inner(box), n)
        if exponent.is_number and exponent.is_real:
            # an irrational exponent is a ball; the endpoint powers then cover its width
            e = constant_ball(exponent)
            positive = bool(exponent.is_positive)
            return lambda box: _real_power(inner(box), e, positive)
        return compile_interval(sympy.exp(exponent * sympy.log(base)))
    if isinstance(expr, sympy.Abs):
        inner = compile_interval(expr.args[0])
        return lambda box: _even(abs, arb(0), inner(box))
    if isinstance(expr, sympy.cosh):
        inner = compile_interval(expr.args[0])
        return lambda box: _even(arb.cosh, arb(1), inner(box))
    if isinstance(expr, (sympy.sin, sympy.cos)):
        fn = arb.sin if isinstance(expr, sympy.sin) else arb.cos
        inner = compile_interval(expr.args[0])
        return lambda box: _periodic(fn, inner(box))
    if isinstance(expr, sympy.tan):
        inner = compile_interval(expr.args[0])
        return lambda box: _tan(inner(box))
    if isinstance(expr, sympy.sinc):
        inner = compile_interval(expr.args[0])
        return lambda box: _sinc(inner(box))
    if isinstance(expr, sympy.LambertW) and len(expr.args) > 1 and expr.args[1] != 0:
        raise Unsupported("LambertW branches other than the principal one")
    kind = type(expr)
    if kind in _MONOTONE:
        inner = compile_interval(expr.args[0])
        return lambda box: _monotone(kind, inner(box))
    if expr.is_number:
        # other exact constants: let SymPy reduce them
        rewritten = expr.rewrite(sympy.exp)
        if rewritten != expr:
            return compile_interval(rewritten)
    raise Unsupported(f"no interval evaluation for '{type(expr).__name__}'")
