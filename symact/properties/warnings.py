"""Plain-language warnings derived from proved or disproved verdicts.

Each warning names a known training pitfall (see the Common Pitfalls of the
activation-function literature): dying units in a dead zone, vanishing
gradients where f saturates or sup |f'| < 1, non-differentiable points, and
a gradient that is zero almost everywhere. A warning is issued only from a
settled verdict; the unsettled inputs are named in the reason.
"""
from __future__ import annotations

from symact.properties.verdict import DERIVED, proved


def derive_warnings(props: dict) -> object:
    """The ``warnings`` property from the other verdicts."""
    warnings, unsettled = [], []

    def settled(name):
        verdict = props.get(name)
        if verdict is None or verdict.verdict == "unknown":
            unsettled.append(name)
            return None
        return verdict

    grad_zero = settled("gradient_zero_almost_everywhere")
    if grad_zero is not None and grad_zero.verdict == "proved":
        warnings.append({"code": "zero_gradient", "message":
                         "f' = 0 almost everywhere: gradient descent receives no signal through this unit."})
    dead = settled("dead_zone")
    if dead is not None and dead.verdict == "proved" and not (grad_zero and grad_zero.verdict == "proved"):
        zones = ", ".join(f"({lo}, {hi})" for lo, hi in dead.value)
        unbounded = any(lo == "-oo" or hi == "oo" for lo, hi in dead.value)
        message = f"f' = 0 exactly on {zones}"
        if unbounded:
            message += ": units whose inputs stay there get no gradient and can die (the dying-ReLU problem)."
        else:
            message += ": inputs there pass no gradient."
        warnings.append({"code": "dying_units" if unbounded else "dead_zone", "message": message})
    saturation = settled("saturation")
    if saturation is not None and saturation.value:
        warnings.append({"code": "vanishing_gradient", "message":
                         f"f saturates towards {' and '.join(saturation.value)}: f' -> 0, so gradients vanish "
                         "for inputs far out on that side."})
    lipschitz = settled("lipschitz_constant")
    if lipschitz is not None and lipschitz.verdict == "proved" and lipschitz.enclosure[1] < 1:
        bound = lipschitz.value.get("value") or f"{lipschitz.enclosure[1]:.6g}"
        warnings.append({"code": "shrinking_gradient", "message":
                         f"sup |f'| = {bound} < 1: through L layers the gradient shrinks by at least ({bound})^L."})
    smooth = settled("continuity_class")
    if smooth is not None and smooth.verdict == "proved" and smooth.value in ("discontinuous", "C0"):
        points = ", ".join(sorted({p["x"] for p in smooth.witness or []}))
        kind = "f jumps" if smooth.value == "discontinuous" else "f is not differentiable"
        warnings.append({"code": "non_differentiable", "message":
                         f"{kind} at x = {points}; the gradient there is a convention of the implementation."})
    reason = "derived from settled verdicts"
    if unsettled:
        reason += f"; not settled: {', '.join(unsettled)}"
    return proved(DERIVED, warnings, reason)
