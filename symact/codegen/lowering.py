r"""From an activation to what generated code computes, branch by branch.

``lower(activation)`` keeps the parameters symbolic (generated functions take
them as arguments) and produces, for each branch of the piecewise form of f
in the definition's priority order:

* the condition that selects it (the first true condition wins, as in
  ``Piecewise``), so the branch whose condition contains a breakpoint owns
  it and the gradient there is that branch's one-sided derivative
  (ReLU'(0) = 0, hardswish'(3) = 3/2, as PyTorch);
* f, df/dx and df/dp for every parameter p, each rewritten by
  ``symact.codegen.rules`` and with exact constants folded to the nearest
  double (printed as Python float literals, which NumPy and PyTorch treat as
  weak scalars: float32 in, float32 out);
* a *guard*: a point strictly inside the branch's region where every formula
  of the branch is finite. Generated code evaluates a branch on
  ``where(selected, x, guard)`` (the "double where"), so a branch never sees
  an input outside its region: no overflow warnings, no NaN from an unused
  branch, also under double backward. Branches linear in x need no guard.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import S

from symact.activation import Activation
from symact.codegen.printers import CodegenError, differentiable_sinc
from symact.codegen.rules import finalize, optimize
from symact.errors import DefinitionError
from symact.parsing import X
from symact.pieces import to_piecewise_form

CONSTANT_DIGITS = 40


@dataclass(frozen=True)
class Branch:
    """One branch of the generated piecewise code.

    Attributes:
      condition: when it applies (``S.true`` for the last branch), in x and
        the parameters; earlier branches take precedence.
      guard: a point inside the branch's region (in the parameters), or
        None when the branch is safe everywhere (linear in x).
      clamp: ``(lo, hi)`` when the branch holds on the single interval
        between them (None for an infinite end) and its formulas are finite
        at the finite ends: clamping x into [lo, hi] is then a cheaper guard
        (``np.clip``/``torch.clamp``, no data-dependent branching), and the
        branch's value at any x is finite. None otherwise.
      forward: f on this branch.
      gradient: df/dx on this branch.
      parameter_gradients: df/dp on this branch, in parameter order.
    """

    condition: sympy.Basic
    guard: sympy.Expr | None
    clamp: tuple[sympy.Expr | None, sympy.Expr | None] | None
    forward: sympy.Expr
    gradient: sympy.Expr
    parameter_gradients: tuple[sympy.Expr, ...]

    def formula(self, output: str) -> sympy.Expr:
        """``forward``, ``gradient`` or the gradient of parameter number ``output``."""
        if output == "forward":
            return self.forward
        if output == "gradient":
            return self.gradient
        return self.parameter_gradients[int(output)]


@dataclass(frozen=True)
class Lowering:
    """An activation ready for printing: its branches, in priority order."""

    activation: Activation
    definition: sympy.Expr
    branches: tuple[Branch, ...]
    intervals: tuple[tuple[sympy.Expr | None, sympy.Expr | None, int], ...] = ()

    @property
    def is_piecewise(self) -> bool:
        return len(self.branches) > 1

    def telescoping(self, output: str) -> sympy.Expr | None:
        r"""The output as one expression in the clamped inputs, when it is
        continuous for every parameter value and each branch holds on one
        interval:

        .. math:: f(x) = f_0(\mathrm{clamp}_0(x)) + \sum_{k \ge 1}
                  \bigl(f_k(\mathrm{clamp}_k(x)) - f_k(c_k)\bigr)

        (ReLU = max(x, 0), hardtanh = clip(x, lo, hi), ELU = alpha expm1(min(x,
        0)) + max(x, 0)): no masks at all. None when not applicable.
        """
        if not self.is_piecewise or not self.intervals:
            return None
        return self._telescoped([branch.formula(output) for branch in self.branches])

    def factored(self, output: str) -> sympy.Expr | None:
        r"""The output as x times a telescoping form, when every branch is x
        times a polynomial and those polynomials form a continuous function
        whose telescoping is exact:

        .. math:: f(x) = x\, h(x), \quad h = h_0(\mathrm{clamp}_0(x)) + \dots

        (hardswish = x (clip(x, -3, 3) + 3) / 6: four array operations where
        the masks take ten; on the middle branch x ((x + 3) / 6) rounds as
        often as x (x + 3) / 6, in another order, and verifies at 1 ULP; on
        the outer ones h is 0 or 1, exact). None when not applicable.
        """
        if not self.is_piecewise or not self.intervals:
            return None
        factors = [sympy.cancel(branch.formula(output) / X) for branch in self.branches]
        if not all(factor.is_polynomial(X) for factor in factors):
            return None
        if all(X not in factor.free_symbols for factor in factors):
            return None  # x times constants: telescoping or the masks do as well
        telescoped = self._telescoped(factors)
        return None if telescoped is None else X * telescoped

    def _telescoped(self, formulas: list[sympy.Expr]) -> sympy.Expr | None:
        """``telescoping`` of the given per-branch formulas."""
        used = [index for _, _, index in self.intervals]
        if sorted(used) != list(range(len(self.branches))):
            return None
        if any(b.clamp is None for b in self.branches):
            return None
        total = S.Zero
        for position, (lo, _, index) in enumerate(self.intervals):
            formula = formulas[index]
            total += formula.xreplace({X: clamped_symbol(index)})
            if position:
                total -= formula.xreplace({X: lo})
                previous = formulas[self.intervals[position - 1][2]]
                if not _same(previous.xreplace({X: lo}), formula.xreplace({X: lo})):
                    return None
        return total if self._exact_telescoping(total, formulas) else None

    def _exact_telescoping(self, total: sympy.Expr, formulas: list[sympy.Expr]) -> bool:
        """Whether floating-point evaluation of ``total`` gives each branch
        without cancellation: either it is one branch on its clamped input
        (hardtanh = clip(x, lo, hi); the constant branches are that branch's
        end values), or on every interval the terms of the other branches
        are exactly 0 there (ELU: alpha expm1(min(x, 0)) is 0 for x > 0), or
        ``total`` is a sum of two terms that is, there, the branch's own sum of
        two terms (one rounding either way) or c + (-c) for a branch 0
        (softshrink = max(x, l) + min(x, -l): x - l, l - l, x + l). Offsets
        that cancel in exact arithmetic only (hardswish: 3 + x - 3) are
        refused."""
        symbols = [clamped_symbol(i) for i in range(len(self.branches))]
        present = [s for s in symbols if s in total.free_symbols]
        if not present:
            return True
        if len(present) == 1:
            index = symbols.index(present[0])
            if total == formulas[index].xreplace({X: present[0]}):
                return True
        for lo, hi, index in self.intervals:
            ends = {}
            for j, branch in enumerate(self.branches):
                if j == index:
                    continue
                clamp_lo, clamp_hi = branch.clamp
                # x inside interval (lo, hi) clamps to the end of branch j's interval nearest to it
                below = clamp_lo is not None and (hi is None or _not_after(hi, clamp_lo, self.activation))
                ends[symbols[j]] = clamp_lo if below else clamp_hi
            if not (all(term.xreplace(ends) == 0 for term in sympy.Add.make_args(total)
                        if symbols[index] not in term.free_symbols)
                    or _same_two_term_sum(total, ends, formulas[index].xreplace({X: symbols[index]}))):
                return False
        return True

    def blend(self, output: str) -> sympy.Expr | None:
        """The output as a sum of selection masks times branches on clamped
        inputs, when every branch that depends on x has a clamp (so every
        term is finite where its mask is 0). None otherwise."""
        if not self.is_piecewise:
            return None
        total = S.Zero
        for index, branch in enumerate(self.branches):
            formula = branch.formula(output)
            if X in formula.free_symbols:
                if branch.clamp is None:
                    return None
                formula = formula.xreplace({X: clamped_symbol(index)})
            total += mask_symbol(index) * formula
        return total


def _same_two_term_sum(total: sympy.Expr, ends: dict, own: sympy.Expr) -> bool:
    """``total``, two terms, with ``ends`` substituted term by term, is the two
    terms of ``own`` (in either order), or two exact opposites where ``own`` is 0."""
    terms = sympy.Add.make_args(total)
    if len(terms) != 2:
        return False
    first, second = (term.xreplace(ends) for term in terms)
    if own == 0:
        return first == -second
    return own.is_Add and len(own.args) == 2 and set(own.args) == {first, second}


def _not_after(a: sympy.Expr, b: sympy.Expr, activation: Activation) -> bool:
    """a <= b at the defaults."""
    return bool(sympy.N(_at_defaults(activation, a - b), 30) <= 0)


def clamped_symbol(index: int) -> sympy.Symbol:
    """The name generated code gives x clamped into branch ``index``'s interval."""
    return sympy.Symbol(f"_x{index}", real=True)


def mask_symbol(index: int) -> sympy.Symbol:
    """The name generated code gives branch ``index``'s selection mask (0/1 in x's dtype)."""
    return sympy.Symbol(f"_s{index}", real=True)


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """a = b for every parameter value (and both finite)."""
    if a.has(S.NaN, S.ComplexInfinity, S.Infinity, S.NegativeInfinity):
        return False
    return a == b or sympy.simplify(a - b) == 0


def fold_constants(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with every irrational constant subexpression (``sqrt(2/pi)``,
    the SELU constants) replaced by a Float correct to 40 digits; integers
    and rationals stay exact so the printer can write ``x/6``."""
    if expr.is_number and not expr.is_Rational:
        value = expr.evalf(CONSTANT_DIGITS)
        if not (value.is_Float or value.is_Rational):
            raise DefinitionError(f"the constant '{expr}' is not a real number")
        return value
    if not expr.args or isinstance(expr, sympy.Symbol):
        return expr
    return expr.func(*[fold_constants(arg) if isinstance(arg, sympy.Expr) else arg for arg in expr.args])


def is_linear_in_x(expr: sympy.Expr) -> bool:
    """a x + b with a, b free of x: safe to evaluate at any finite x."""
    if X not in expr.free_symbols:
        return True
    try:
        poly = sympy.Poly(expr, X)
    except sympy.PolynomialError:
        return False
    return poly.degree() <= 1 and all(X not in c.free_symbols for c in poly.all_coeffs())


def _at_defaults(activation: Activation, expr: sympy.Expr) -> sympy.Expr:
    return expr.subs({p.symbol: p.default for p in activation.params})


def _boundaries(conditions, activation: Activation) -> list[sympy.Expr] | None:
    """The points where some condition changes, as expressions in the
    parameters, sorted by their values at the defaults; None when a
    condition is not linear in x."""
    points: dict[sympy.Expr, sympy.Expr] = {}
    for condition in conditions:
        for relation in condition.atoms(sympy.core.relational.Relational):
            try:
                poly = sympy.Poly(relation.lhs - relation.rhs, X)
            except sympy.PolynomialError:
                return None
            if poly.degree() == 0:
                continue
            if poly.degree() != 1:
                return None
            a, b = poly.all_coeffs()
            point = sympy.simplify(-b / a)
            points.setdefault(sympy.nsimplify(_at_defaults(activation, point)), point)
    return [points[key] for key in sorted(points, key=lambda v: sympy.N(v, 30))]


def _selected(pairs, activation: Activation, at: sympy.Expr) -> int | None:
    for index, (_, condition) in enumerate(pairs):
        truth = _at_defaults(activation, condition.subs(X, at))
        if truth is S.true or truth is True:
            return index
        if truth not in (S.false, False):
            return None
    return None


def _regions(pairs, activation: Activation):
    """The intervals between breakpoints in increasing order (at the
    defaults' ordering), each with the branch selected there, and a guard
    point for each branch (an interval midpoint where possible, else a
    breakpoint where it is selected). ``(None, guards)`` when a condition
    is not linear in x."""
    boundaries = _boundaries([c for _, c in pairs], activation)
    guards: list[sympy.Expr | None] = [None] * len(pairs)
    if boundaries is None:
        return None, guards
    edges = [None, *boundaries, None]
    intervals = []
    for lo, hi in zip(edges, edges[1:]):
        if lo is None and hi is None:
            probe = S.Zero
        elif lo is None:
            probe = hi - 1
        elif hi is None:
            probe = lo + 1
        else:
            probe = (lo + hi) / 2
        index = _selected(pairs, activation, probe)
        if index is None:
            return None, guards
        intervals.append((lo, hi, index))
        if guards[index] is None:
            guards[index] = sympy.simplify(probe)
    for point in boundaries:
        index = _selected(pairs, activation, point)
        if index is not None and guards[index] is None:
            guards[index] = point
    return intervals, [g if g is not None else S.Zero for g in guards]


def _clamp(index, intervals, formulas, activation: Activation):
    """(lo, hi) of the single interval where branch ``index`` holds, if its
    formulas are finite at the finite ends (at the defaults)."""
    mine = [(lo, hi) for lo, hi, i in intervals if i == index]
    if len(mine) != 1:
        return None
    lo, hi = mine[0]
    for end in (lo, hi):
        if end is None:
            continue
        for formula in formulas:
            value = _at_defaults(activation, formula.xreplace({X: end}))
            if not (value.is_number and value.is_finite and value.is_extended_real):
                return None
    return lo, hi


def _refuse_parameter_conditions(activation: Activation, pairs) -> None:
    """Generated code selects branches per element of x; a condition on the
    parameters alone (``where(alpha > 0, expm1(alpha x)/alpha, x)``) would
    select a whole formula, and evaluating the unused one may be 0/0 (alpha =
    0 above). That is not supported: a clear error instead of wrong code."""
    for _, condition in pairs:
        for relation in condition.atoms(sympy.core.relational.Relational):
            if X not in relation.free_symbols:
                raise CodegenError(
                    f"{activation.name}: the condition '{relation}' depends on the parameters only; generated "
                    f"code selects branches by x, so restrict the parameter's domain instead (e.g. a "
                    f"domain '> 0' makes '{relation}' always true)")


def differentiate(expr: sympy.Expr, symbol: sympy.Symbol) -> sympy.Expr:
    """d expr / d symbol, with sinc'(u) as the atom ``sinc_slope(u)`` (SymPy's
    cos(u)/u - sin(u)/u^2 is NaN at 0 and cancels near it)."""
    return sympy.diff(expr.replace(sympy.sinc, differentiable_sinc), symbol).replace(differentiable_sinc, sympy.sinc)


def _prepare(expr: sympy.Expr) -> sympy.Expr:
    return fold_constants(finalize(optimize(expr)))


def differentiated_form(forward: sympy.Expr) -> sympy.Expr:
    """The form of a branch the gradient is derived from: the textbook form
    (the final rules then rewrite SymPy's derivative of it), unless its
    rewritten form holds an atom that is differentiated as an atom
    (``CodegenAtom.differentiate_as_atom``: pflu's w (1 + w / h) / 2, whose
    slope atom no rule recovers from the textbook derivative)."""
    final = finalize(forward)
    atoms = final.atoms(sympy.Function)
    return final if any(getattr(type(a), "differentiate_as_atom", False) for a in atoms) else forward


@lru_cache(maxsize=512)
def lower(activation: Activation) -> Lowering:
    """The branches, guards and rewritten formulas generated code computes."""
    definition = optimize(activation.expr)
    folded = to_piecewise_form(definition)
    if isinstance(folded, sympy.Piecewise):
        pairs = [(expr, cond) for expr, cond in folded.args]
        if pairs[-1][1] is not S.true:
            pairs.append((S.NaN, S.true))
    else:
        pairs = [(folded, S.true)]
    if any(arg.has(sympy.Piecewise) for arg, _ in pairs):
        raise DefinitionError(f"{activation.name}: cannot bring the definition to one piecewise form")
    _refuse_parameter_conditions(activation, pairs)
    symbols = [p.symbol for p in activation.params]
    intervals, guards = _regions(pairs, activation) if len(pairs) > 1 else ([], [None])
    branches = []
    for index, ((expr, condition), guard) in enumerate(zip(pairs, guards)):
        forward = optimize(expr)
        gradient = differentiate(differentiated_form(forward), X)
        parameter_gradients = tuple(_prepare(differentiate(forward, s)) for s in symbols)
        formulas = (forward, gradient, *parameter_gradients)
        needs_guard = len(pairs) > 1 and not all(is_linear_in_x(f) for f in formulas)
        clamp = _clamp(index, intervals, formulas, activation) if intervals else None
        branches.append(Branch(
            condition=condition,
            guard=fold_constants(guard) if needs_guard and guard is not None else None,
            clamp=None if clamp is None else tuple(None if e is None else fold_constants(e) for e in clamp),
            forward=_prepare(forward),
            gradient=_prepare(gradient),
            parameter_gradients=parameter_gradients,
        ))
    lowering = Lowering(activation, definition, tuple(branches), tuple(intervals or ()))
    return _through_abs(lowering) or lowering


def _through_abs(lowering: Lowering) -> Lowering | None:
    r"""One branch in |x| instead of two at 0, where that computes the same
    formulas: f has no parameters, its only non-smooth atom is |x|, the
    printed f with |x| = -x is the printed branch for x < 0, and with |x| = x
    the one for x >= 0 (so no rewrite made a branch more accurate than the
    |x| form), and f' is even and continuous at 0:

    .. math:: f'(x) = g(|x|), \quad g = f' \text{ on } x \ge 0

    (softsign: x / (1 + |x|) and 1 / (1 + |x|)^2, 3 array operations where
    the two clamped branches take 7). The gradient evaluates the branch for
    x >= 0 at |x|, inside the region where that formula was made accurate.
    None otherwise (elliott's negative branch is rewritten to 1 / (2 (1 - x))).
    """
    definition = lowering.definition
    nonsmooth = {type(e) for e in definition.atoms(sympy.Function) if isinstance(
        e, (sympy.Abs, sympy.sign, sympy.Max, sympy.Min, sympy.Heaviside))}
    if (lowering.activation.params or nonsmooth != {sympy.Abs} or definition.has(sympy.Piecewise)
            or definition.atoms(sympy.Abs) != {sympy.Abs(X)}):
        return None
    if [(lo, hi) for lo, hi, _ in lowering.intervals] != [(None, S.Zero), (S.Zero, None)]:
        return None
    negative, positive = (lowering.branches[index] for _, _, index in lowering.intervals)
    forward = _prepare(definition)
    if (forward.xreplace({sympy.Abs(X): -X}) != negative.forward
            or forward.xreplace({sympy.Abs(X): X}) != positive.forward):
        return None
    if not (_same(negative.gradient, positive.gradient.xreplace({X: -X}))
            and _same(negative.gradient.subs(X, 0), positive.gradient.subs(X, 0))):
        return None
    gradient = positive.gradient.xreplace({X: sympy.Abs(X)})
    return Lowering(lowering.activation, definition,
                    (Branch(S.true, None, None, forward, gradient, ()),))


@dataclass(frozen=True)
class EdgeValues:
    """What generated code returns at x = NaN and x = +-inf for one output,
    where its formula alone gets it wrong (decided by running the unpatched
    code there, ``symact.codegen.render``); empty for most outputs.

    Attributes:
      nan: return NaN where x is NaN (a clamp, mask or constant branch maps
        NaN to a branch value: binary_step(NaN) would be 1).
      infinities: ``(sign, value, condition)``: at x = sign * inf, where the
        parameters satisfy ``condition``, return ``value``, the exact limit
        there, where the formula forms inf - inf, 0 * inf or inf / inf
        (silu(-inf) = -inf * 0).
      saturations: the same triples, for outputs whose formula already
        gives NaN at the largest finite floats of that sign (x^2 overflows,
        then inf / inf), or +-inf there though the limit is finite (x^3 / h
        / h / h): there, a NaN or +-inf computed for a non-NaN x of that
        sign is replaced by the limit. The definition is real and finite on
        the whole line, so such a value is an overflow artefact in the tail
        (tanhexp'(710) = 1 + e^x sech^2(e^x) x forms inf * 0).
      finite_sides: the signs of ``infinities`` where the formula at the
        largest finite float of that sign (float16 to float64) already is the
        limit: a body whose outputs all agree on them clamps x there instead
        (one pass, where each masked correction takes two).
    """

    nan: bool = False
    infinities: tuple[tuple[int, sympy.Expr, sympy.Basic], ...] = ()
    saturations: tuple[tuple[int, sympy.Expr, sympy.Basic], ...] = ()
    finite_sides: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return self.nan or bool(self.infinities) or bool(self.saturations)


def limit_at_infinity(activation: Activation, output: str, sign: int) -> tuple[sympy.Expr, sympy.Basic] | None:
    r"""The exact limit of ``output`` ("forward" or "gradient") as x -> sign * oo,
    in the parameters, taken from the original definition's outer branch
    (``symact.pieces.limit_of_branch``, under its time budget):

    .. math:: \lim_{x \to \pm\infty} f(x), \quad \lim_{x \to \pm\infty} f'(x)

    Returns ``(value, condition)``: the limit holds where ``condition`` on the
    parameters does. The condition is true unless the limit depends on the
    sign of a parameter whose domain leaves it open (swish's beta is real:
    x sigmoid(beta x) -> 0 at -oo only for beta > 0); then it is the sign the
    defaults have; failing that, the parameters equal to their defaults. None where there is no limit (sin), SymPy cannot find it
    in time, or its value is not a real number or +-oo at the defaults.
    """
    at = S.Infinity if sign > 0 else S.NegativeInfinity
    definition = to_piecewise_form(activation.expr)
    if isinstance(definition, sympy.Piecewise):
        pairs = list(definition.args)
        index = _selected(pairs, activation, at)
        if index is None:
            return None
        branch = pairs[index][0]
    else:
        branch = definition
    if output == "gradient":
        branch = sympy.diff(branch, X)
    elif output != "forward":
        raise ValueError(f"no limit for the output '{output}'")
    value = _limit_or_none(activation, branch, at)
    if value is not None:
        return _fold_limit(value), S.true
    # The limit may hinge on the sign of a parameter: assume the defaults' signs.
    signed, conditions = {}, []
    for p in activation.params:
        default = sympy.sympify(p.default)
        if p.symbol.is_positive or p.symbol.is_negative or default == 0:
            continue
        positive = bool(default > 0)
        signed[p.symbol] = sympy.Symbol(p.name, positive=True) if positive else sympy.Symbol(p.name, negative=True)
        conditions.append(p.symbol > 0 if positive else p.symbol < 0)
    if signed:
        value = _limit_or_none(activation, branch.xreplace(signed), at)
        if value is not None:
            return _fold_limit(value.xreplace({v: k for k, v in signed.items()})), sympy.And(*conditions)
    # Last, the limit at the defaults only (aptx = gamma x (alpha + tanh(beta x))
    # tends to 0 at -oo for alpha = 1 alone).
    if not activation.params:
        return None
    value = _limit_or_none(activation, _at_defaults(activation, branch), at)
    if value is None:
        return None
    return _fold_limit(value), sympy.And(*[sympy.Eq(p.symbol, p.default) for p in activation.params])


def _fold_limit(value: sympy.Expr) -> sympy.Expr:
    """``fold_constants`` for a limit, which may be +-oo or contain it (oo sign(a1 + a2))."""
    if value.is_infinite or not value.has(S.Infinity, S.NegativeInfinity):
        return value if value.is_infinite else fold_constants(value)
    return value.func(*[_fold_limit(arg) for arg in value.args])


def _limit_or_none(activation: Activation, branch: sympy.Expr, at: sympy.Expr) -> sympy.Expr | None:
    from symact.errors import SymactError
    from symact.pieces import limit_of_branch

    try:
        value = limit_of_branch(branch, at, "-" if at > 0 else "+")
    except SymactError:
        return None
    if value.has(sympy.Limit, sympy.AccumBounds, S.NaN, S.ComplexInfinity) or X in value.free_symbols:
        return None
    defaults = {p.name: sympy.sympify(p.default) for p in activation.params}
    at_defaults = value.xreplace({s: defaults[s.name] for s in value.free_symbols if s.name in defaults})
    if not (at_defaults.is_number and at_defaults.is_extended_real):
        return None
    return value


@dataclass(frozen=True)
class OutputSlope:
    """f' read off the output y = f(x), for a backward pass that keeps y.

    ``cases`` are ``(lo, hi, slope)``: where ``lo < y < hi`` (``lo == hi``:
    where ``y == lo``) the derivative is the number ``slope``. ``constant``
    is set when the slope is the same everywhere (nothing need be saved).
    """

    cases: tuple[tuple[sympy.Expr, sympy.Expr, sympy.Expr], ...]
    constant: sympy.Expr | None


@lru_cache(maxsize=512)
def output_slope(activation: Activation) -> OutputSlope | None:
    """f' as a function of y where that is exact: parameter-free activations
    whose branches are x or constants with disjoint images (ReLU: 1 where
    y > 0, else 0; relu6; the identity, whose slope needs nothing), found by
    ``symact.derivatives.derivative_of_output``. At each breakpoint the value
    f(c) selects the owner branch's slope, as the input-based code does.

    None otherwise: forms such as sigmoid's y (1 - y) or tanh's 1 - y^2 cancel
    in the saturated tails (sigmoid'(40) would be 0, not 4e-18), so those
    backward passes keep the input.
    """
    from symact.derivatives import derivative_of_output
    from symact.pieces import NEITHER

    if activation.params:
        return None
    bound = activation.bind()
    # Only branches that return x itself or a constant: then y tells the branch
    # exactly. (x + 3)/6 rounds to 1 for x just below 3, which would select
    # hardsigmoid's flat branch; 0.01 x underflows to 0 for subnormal x.
    if not all(branch == X or (X not in branch.free_symbols and branch.is_number)
               for branch in bound.pieces.branches):
        return None
    form = derivative_of_output(bound)
    if not form.complete or not all(g.is_number and g.is_finite for g in form.branches):
        return None
    cases = [(lo, hi, g) for (lo, hi), g in zip(form.images, form.branches)]
    pieces = bound.pieces
    for index in range(len(pieces.breakpoints)):
        owner = pieces.owners[index]
        if owner == NEITHER:
            return None
        value, slope = pieces.convention_value(index), form.branches[owner]
        matched = False
        for lo, hi, g in cases:
            if lo == hi == value:
                if g != slope:
                    return None
                matched = True
            elif lo != hi and sympy.N(lo) < sympy.N(value) < sympy.N(hi):
                return None
        if not matched:
            cases.append((value, value, slope))
    slopes = {g for _, _, g in cases}
    return OutputSlope(tuple(cases), slopes.pop() if len(slopes) == 1 else None)
