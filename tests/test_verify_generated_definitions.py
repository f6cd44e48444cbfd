"""Property: for random piecewise-linear definitions, a correctly rounded
implementation passes and one that gives the breakpoint to the wrong branch
fails. Definitions are generated (dyadic constants, so the float32
implementation below, computed in float64 and rounded once, is within
1 ULP by construction)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symact.user import from_expression
from symact.verify import verify
from symact.verify.implementation import Implementation

DYADIC = st.sampled_from([Fraction(n, 4) for n in range(-12, 13)])


def _implementation(at, left, right, owner_right: bool) -> Implementation:
    (a, b), (d, e) = left, right

    def choose(x, on_left, on_right):
        right_side = (x >= at) if owner_right else (x > at)
        return np.where(np.isnan(x), x, np.where(right_side, on_right, on_left))

    def line(slope, intercept, wide):
        # A zero slope is the constant itself, also at +-inf (0 * inf would be NaN).
        return float(slope) * wide + float(intercept) if slope else np.full_like(wide, float(intercept))

    def forward(x):
        wide = x.astype(np.float64)
        return choose(wide, line(a, b, wide), line(d, e, wide)).astype(x.dtype)

    def gradient(x):
        wide = x.astype(np.float64)
        return choose(wide, np.full_like(wide, float(a)), np.full_like(wide, float(d))).astype(x.dtype)

    return Implementation("generated-test", forward, gradient, lambda x: (forward(x), gradient(x)))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(at=DYADIC, a=DYADIC, b=DYADIC, d=DYADIC, e=DYADIC)
def test_owner_convention_is_enforced_for_generated_piecewise_definitions(tmp_path_factory, at, a, b, d, e):
    assume(a != 0 or d != 0)
    # The branch x > at owns nothing; x <= at (the left formula) owns the breakpoint.
    text = f"where(x > {at}, ({d})*x + ({e}), ({a})*x + ({b}))"
    activation = from_expression(text, "generated")
    cache = tmp_path_factory.getbasetemp() / "generated-definitions-cache"
    good = verify(activation, dtypes=("float32",), cache_dir=cache,
                  implementations={"numpy": _implementation(at, (a, b), (d, e), owner_right=False)})
    assert good.passed, (text, good.failures())
    jump = a * at + b != d * at + e
    if jump or a != d:
        wrong = verify(activation, dtypes=("float32",), cache_dir=cache,
                       implementations={"numpy": _implementation(at, (a, b), (d, e), owner_right=True)})
        assert not wrong.passed, text
