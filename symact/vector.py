r"""Vector activations: the softmax family and the gated (GLU) family.

Softmax family, along one axis of length n, with sign t = +1 (softmax,
log-softmax) or t = -1 (softmin):

.. math::
    s_i = \frac{e^{t x_i}}{\sum_j e^{t x_j}}, \qquad
    \frac{\partial s_i}{\partial x_k} = t\, s_i(\delta_{ik} - s_k), \qquad
    \frac{\partial \log s_i}{\partial x_k} = t\,(\delta_{ik} - s_k)

so the vector-Jacobian products a backward pass needs are
:math:`J^T g = t\, s \odot (g - \langle g, s\rangle)` and
:math:`J^T g = t\,(g - s \textstyle\sum_i g_i)` for log-softmax.

Gated family (Dauphin et al. 2017; Shazeer 2020): the input of length 2m is
split into halves a, b and :math:`y = a \odot \sigma(b)` with a gate
:math:`\sigma` from the elementwise catalogue (sigmoid for GLU, GELU, SiLU,
ReLU): :math:`J^T g = (g \odot \sigma(b),\; g \odot a \odot \sigma'(b))`.

Jacobians are derived by SymPy for a general dimension n (``IndexedBase``
and ``Sum``) and checked against explicit matrices at small fixed n.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import Sum, exp, log

from symact.catalogue import CATALOGUE
from symact.errors import SymactError
from symact.parsing import X

N = sympy.Symbol("n", integer=True, positive=True)
I, J, K = sympy.symbols("i j k", integer=True, positive=True)
XS = sympy.IndexedBase("x", real=True)
S = sympy.IndexedBase("s", positive=True)
G = sympy.IndexedBase("g", real=True)


@dataclass(frozen=True)
class NormalizingActivation:
    """softmax / softmin / log-softmax along an axis (see module docstring)."""

    name: str
    sign: int
    logarithmic: bool
    description: str
    citation: str
    torch_reference: str
    aliases: tuple[str, ...] = ()
    notes: str = ""
    family: str = "softmax"

    def output(self, i=I, xs=XS, n=N) -> sympy.Expr:
        """The i-th output for a general dimension n."""
        total = Sum(exp(self.sign * xs[J]), (J, 1, n))
        if self.logarithmic:
            return self.sign * xs[i] - log(total)
        return exp(self.sign * xs[i]) / total

    @property
    def formula(self) -> str:
        """The i-th output as text."""
        return sympy.sstr(self.output())

    def jacobian_closed_form(self, i=I, k=K) -> sympy.Expr:
        """dy_i/dx_k in terms of s = softmax(t x) (the documented form)."""
        delta = sympy.KroneckerDelta(i, k)
        if self.logarithmic:
            return self.sign * (delta - S[k])
        return self.sign * S[i] * (delta - S[k])

    def vjp_closed_form(self, n: int) -> list[sympy.Expr]:
        """(J^T g)_k for a fixed n, in terms of s and the upstream g."""
        gs = sum(G[i] * S[i] for i in range(1, n + 1))
        total = sum(G[i] for i in range(1, n + 1))
        if self.logarithmic:
            return [self.sign * (G[k] - S[k] * total) for k in range(1, n + 1)]
        return [self.sign * S[k] * (G[k] - gs) for k in range(1, n + 1)]

    def probabilities(self, values: list[sympy.Expr]) -> list[sympy.Expr]:
        """s = softmax(t x) at explicit values."""
        weights = [exp(self.sign * v) for v in values]
        total = sum(weights)
        return [w / total for w in weights]


@dataclass(frozen=True)
class GatedActivation:
    """a * gate(b) with [a, b] the two halves of the input along an axis."""

    name: str
    gate: str
    description: str
    citation: str
    torch_reference: str
    aliases: tuple[str, ...] = ()
    notes: str = ("Halves as torch.nn.functional.glu: the first half a is the value, the second "
                  "half b goes through the gate.")
    family: str = "gated"

    @property
    def formula(self) -> str:
        """The output as text."""
        return f"a*{self.gate}(b) with [a, b] = x split in halves"

    @property
    def gate_activation(self):
        """The elementwise catalogue entry used as the gate, bound at its defaults."""
        return CATALOGUE[self.gate].bind()


VECTOR_ENTRIES: tuple[NormalizingActivation | GatedActivation, ...] = (
    NormalizingActivation(
        "softmax", 1, False, "Normalised exponentials: positive outputs summing to 1.",
        "Bridle (1990), Probabilistic interpretation of feedforward classification network outputs; "
        "torch.softmax", "torch.softmax"),
    NormalizingActivation(
        "log_softmax", 1, True, "Logarithm of softmax, x_i - logsumexp(x).",
        "torch.log_softmax; jax.nn.log_softmax", "torch.log_softmax"),
    NormalizingActivation(
        "softmin", -1, False, "softmax(-x): weights favour the smallest input.",
        "torch.nn.Softmin", "torch.nn.functional.softmin"),
    GatedActivation(
        "glu", "sigmoid", "Gated linear unit a * sigmoid(b).",
        "Dauphin et al. (2017), Language modeling with gated convolutional networks; torch.nn.GLU",
        "torch.nn.functional.glu"),
    GatedActivation(
        "geglu", "gelu", "GLU with a GELU gate: a * gelu(b) (exact erf GELU).",
        "Shazeer (2020), GLU variants improve Transformer", "a * torch.nn.functional.gelu(b)"),
    GatedActivation(
        "swiglu", "silu", "GLU with a Swish (SiLU) gate: a * silu(b).",
        "Shazeer (2020), GLU variants improve Transformer", "a * torch.nn.functional.silu(b)"),
    GatedActivation(
        "reglu", "relu", "GLU with a ReLU gate: a * relu(b).",
        "Shazeer (2020), GLU variants improve Transformer", "a * torch.relu(b)"),
)

VECTOR_CATALOGUE = {entry.name: entry for entry in VECTOR_ENTRIES}
assert len(VECTOR_CATALOGUE) == len(VECTOR_ENTRIES), "vector activation names must be unique"
assert not set(VECTOR_CATALOGUE) & set(CATALOGUE), "vector and elementwise names must not collide"


def lookup_vector(name: str):
    """The vector activation called ``name``; raise ``SymactError`` naming the known ones."""
    entry = VECTOR_CATALOGUE.get(name.strip().lower().replace("-", "_"))
    if entry is None:
        raise SymactError(f"no vector activation '{name}'; known: {', '.join(sorted(VECTOR_CATALOGUE))}")
    return entry


def _to_probabilities(expr: sympy.Expr, entry: NormalizingActivation) -> sympy.Expr:
    """Replace e^{t x_m} / sum_j e^{t x_j} by s_m throughout."""
    total = Sum(exp(entry.sign * XS[J]), (J, 1, N))
    expr = sympy.expand(expr)
    for m in (I, K):
        expr = expr.subs(exp(entry.sign * XS[m]), S[m] * total)
    return sympy.simplify(expr)


@lru_cache(maxsize=None)
def derived_jacobian(name: str) -> sympy.Expr:
    r"""dy_i/dx_k derived by SymPy for a general n, rewritten with s.

    ``diff`` of the indexed formula gives Kronecker deltas and a sum of them;
    ``doit`` collapses that sum to a piecewise term that holds for
    :math:`1 \le k \le n`, which is the only case there is.
    """
    entry = lookup_vector(name)
    raw = sympy.diff(entry.output(), XS[K]).doit()
    raw = raw.replace(lambda e: isinstance(e, sympy.Piecewise), lambda e: e.args[0].expr)
    return _to_probabilities(raw, entry)


def jacobian_matches_closed_form(name: str) -> bool:
    """The general-n derivation equals the documented closed form (exactly)."""
    entry = lookup_vector(name)
    return sympy.simplify(derived_jacobian(name) - entry.jacobian_closed_form()) == 0


def explicit_jacobian(name: str, n: int) -> sympy.Matrix:
    """The Jacobian at fixed n from explicit symbols x_1..x_n (gated: 2n inputs)."""
    entry = lookup_vector(name)
    if isinstance(entry, GatedActivation):
        a = sympy.symbols(f"a1:{n + 1}", real=True)
        b = sympy.symbols(f"b1:{n + 1}", real=True)
        gate = entry.gate_activation.expr
        outputs = sympy.Matrix([a[m] * gate.subs(X, b[m]) for m in range(n)])
        return outputs.jacobian(sympy.Matrix([*a, *b]))
    xs = sympy.symbols(f"x1:{n + 1}", real=True)
    total = sum(exp(entry.sign * v) for v in xs)
    if entry.logarithmic:
        outputs = sympy.Matrix([entry.sign * v - log(total) for v in xs])
    else:
        outputs = sympy.Matrix([exp(entry.sign * v) / total for v in xs])
    return outputs.jacobian(sympy.Matrix(xs))


def closed_jacobian(name: str, n: int) -> sympy.Matrix:
    """The documented closed form at fixed n, with s written out in x_1..x_n."""
    entry = lookup_vector(name)
    if isinstance(entry, GatedActivation):
        a = sympy.symbols(f"a1:{n + 1}", real=True)
        b = sympy.symbols(f"b1:{n + 1}", real=True)
        gate = entry.gate_activation.expr
        slope = sympy.diff(gate, X)
        value_block = sympy.diag(*[gate.subs(X, b[m]) for m in range(n)])
        gate_block = sympy.diag(*[a[m] * slope.subs(X, b[m]) for m in range(n)])
        return value_block.row_join(gate_block)
    xs = sympy.symbols(f"x1:{n + 1}", real=True)
    probabilities = entry.probabilities(list(xs))
    form = entry.jacobian_closed_form()
    return sympy.Matrix(n, n, lambda r, c: form.subs({I: r + 1, K: c + 1}).doit().subs(
        {S[m + 1]: probabilities[m] for m in range(n)}))


def explicit_matches_closed_form(name: str, n: int) -> bool:
    """The fixed-n Jacobian equals the closed form (exact simplification)."""
    difference = explicit_jacobian(name, n) - closed_jacobian(name, n)
    return all(sympy.simplify(entry) == 0 for entry in difference)


def vjp_matches_jacobian(name: str, n: int) -> bool:
    """The closed-form vector-Jacobian product equals J^T g at fixed n."""
    entry = lookup_vector(name)
    if isinstance(entry, GatedActivation):
        return True  # J is block diagonal; its VJP is read off closed_jacobian directly
    form = entry.jacobian_closed_form()
    jac = sympy.Matrix(n, n, lambda r, c: form.subs({I: r + 1, K: c + 1}).doit())
    g = sympy.Matrix([G[m] for m in range(1, n + 1)])
    expected = jac.T * g
    return all(sympy.expand(expected[m] - entry.vjp_closed_form(n)[m]) == 0 for m in range(n))


def sums_to_one(name: str) -> bool:
    r"""Proves :math:`\sum_i s_i = 1` for a general n (softmax, softmin)."""
    entry = lookup_vector(name)
    total = Sum(entry.output(), (I, 1, N))
    numerator, denominator = sympy.fraction(sympy.simplify(total))
    numerator = numerator.change_index(I, I, J) if isinstance(numerator, Sum) else numerator
    return sympy.simplify(numerator - denominator) == 0


def shift_invariant(name: str) -> bool:
    """Proves y(x + c 1) = y(x) for a general n and any real c."""
    entry = lookup_vector(name)
    c = sympy.Symbol("c", real=True)
    shifted = entry.output(xs=sympy.IndexedBase("x", real=True)).replace(
        lambda e: isinstance(e, sympy.Indexed) and e.base == XS, lambda e: e + c)
    return sympy.simplify(shifted - entry.output()) == 0


__all__ = [
    "GatedActivation", "NormalizingActivation", "VECTOR_CATALOGUE", "VECTOR_ENTRIES", "closed_jacobian",
    "derived_jacobian", "explicit_jacobian", "explicit_matches_closed_form", "jacobian_matches_closed_form",
    "lookup_vector", "shift_invariant", "sums_to_one", "vjp_matches_jacobian",
]

