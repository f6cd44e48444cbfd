r"""Continuity and differentiability: the class C^k and where smoothness breaks.

Every branch formula is checked to be C-infinity on its closed interval:
each sub-expression that can be singular (log, a fractional or negative
power, atanh, asin, acos, LambertW) must have its argument certified inside
the open domain of analyticity by interval search. Then the class is
decided at the breakpoints from the exact one-sided values of f, f', f'',
... in ``Pieces``: f is C^k when f, ..., f^(k) exist and are continuous at
every breakpoint and f^(k+1) fails to exist at one of them.
"""
from __future__ import annotations

import sympy
from flint import arb

from symact.parsing import X
from symact.properties.analysis import MAX_ORDER, Analysis
from symact.properties.intervals import _lt
from symact.properties.search import smooth
from symact.properties.verdict import INTERVAL, SYMBOLIC, disproved, exact_text, proved, unknown

ENTIRE = (sympy.exp, sympy.tanh, sympy.sinh, sympy.cosh, sympy.atan, sympy.asinh, sympy.erf, sympy.erfc,
          sympy.sin, sympy.cos, sympy.sinc)


def _domain_conditions(expr: sympy.Expr) -> list[tuple[sympy.Expr, object, bool]]:
    """(g, t, above) meaning 'g > t' (above), 'g < t' (not above) or 'g != 0' (above None,
    for a negative integer power: one strict sign of g on the branch) must hold for expr to be smooth."""
    from sympy.codegen.cfunctions import expm1, log1p

    conditions = []
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.log):
            conditions.append((node.args[0], arb(0), True))
        elif isinstance(node, log1p):
            conditions.append((node.args[0], arb(-1), True))
        elif isinstance(node, sympy.Pow):
            base, exponent = node.args
            if X not in base.free_symbols:
                continue
            if exponent.is_Integer and exponent >= 0:
                continue
            if exponent.is_Integer:
                conditions.append((base, arb(0), None))  # base != 0: one strict sign on the branch
            else:
                conditions.append((base, arb(0), True))
        elif isinstance(node, (sympy.atanh, sympy.asin, sympy.acos)):
            conditions.append((node.args[0], arb(-1), True))
            conditions.append((node.args[0], arb(1), False))
        elif isinstance(node, sympy.LambertW):
            conditions.append((node.args[0], -(arb(-1).exp()).upper(), True))
        elif isinstance(node, sympy.Function) and not isinstance(node, ENTIRE + (expm1,)):
            from symact.functions import StableFunction
            if not isinstance(node, StableFunction):
                conditions.append((None, None, None))
    return conditions


def branch_is_smooth(an: Analysis, i: int) -> tuple[bool, str]:
    """Whether branch i is C-infinity on its closed interval, and how that was shown."""
    formula = an.f.branches[i]
    conditions = _domain_conditions(formula)
    if not conditions:
        return True, SYMBOLIC
    a, b = an.search_interval(i)
    for g, threshold, above in conditions:
        if g is None:
            return False, "a function without a smoothness rule"
        if above is None:
            if an.search.sign(smooth(g), a, b).kind not in ("pos", "neg"):
                return False, f"could not certify {g} != 0 on branch {i}"
            continue
        target = smooth(g if above else -g)
        limit = threshold if above else -threshold
        bound = an.search.minimize(target, a, b, stop_at=limit)
        if not _lt(limit, bound.lower):
            return False, f"could not certify {g} {'>' if above else '<'} {threshold} on branch {i}"
    return True, INTERVAL


def _point_json(an: Analysis, order: int, k: int) -> dict:
    left, value, right = an.one_sided(order, k)
    return {"x": exact_text(an.f.breakpoints[k]), "order": order,
            "left": exact_text(left), "value": exact_text(value), "right": exact_text(right)}


def check_smoothness(an: Analysis) -> dict:
    """continuous, continuity_class, differentiable_everywhere,
    differentiable_almost_everywhere."""
    methods = set()
    an.smooth = False  # until every branch is shown C-infinity: the sign of f' then decides nothing
    for i in range(len(an.f.branches)):
        ok, how = branch_is_smooth(an, i)
        if not ok:
            reason = f"branch {i} not shown smooth: {how}"
            return {name: unknown(reason) for name in
                    ("continuous", "continuity_class", "differentiable_everywhere", "differentiable_almost_everywhere")}
        methods.add(how)
    an.smooth = True
    method = INTERVAL if INTERVAL in methods else SYMBOLIC
    result = {"differentiable_almost_everywhere": proved(
        method, True, "smooth branches between finitely many breakpoints")}
    jumps = [k for k in range(len(an.f.breakpoints)) if not an.f.is_continuous_at(k)]
    if jumps:
        witness = [_point_json(an, 0, k) for k in jumps]
        result["continuous"] = disproved(SYMBOLIC, witness, "f jumps (or is undefined) at a breakpoint")
        result["continuity_class"] = proved(SYMBOLIC, "discontinuous", "exact one-sided values at the breakpoints",
                                            witness=witness)
        result["differentiable_everywhere"] = disproved(SYMBOLIC, witness, "not continuous")
        return result
    result["continuous"] = proved(method, True, "smooth branches, equal one-sided values at every breakpoint")
    if not an.f.breakpoints:
        result["continuity_class"] = proved(method, "C-infinity", "one smooth formula on the whole line")
        result["differentiable_everywhere"] = proved(method, True, "one smooth formula on the whole line")
        return result
    for order in range(1, MAX_ORDER + 2):
        pieces = an.derivative(order)
        breaks = [k for k, point in enumerate(an.f.breakpoints)
                  if point in pieces.breakpoints and pieces.values[pieces.breakpoints.index(point)] is None]
        if breaks:
            witness = [_point_json(an, order, k) for k in breaks]
            result["continuity_class"] = proved(
                SYMBOLIC, f"C{order - 1}", f"f^({order}) does not exist at {len(breaks)} breakpoint(s)",
                witness=witness)
            if order == 1:
                result["differentiable_everywhere"] = disproved(SYMBOLIC, witness, "one-sided derivatives differ")
            else:
                result["differentiable_everywhere"] = proved(SYMBOLIC, True, "f' exists at every breakpoint")
            return result
        if not pieces.breakpoints:
            result["continuity_class"] = proved(
                method, "C-infinity", f"f^({order}) is one smooth formula on the whole line")
            result["differentiable_everywhere"] = proved(SYMBOLIC, True, "f' exists at every breakpoint")
            return result
    result["continuity_class"] = unknown(f"at least C{MAX_ORDER + 1}; higher orders were not examined",
                                         value=f"C{MAX_ORDER + 1}")
    result["differentiable_everywhere"] = proved(SYMBOLIC, True, "f' exists at every breakpoint")
    return result
