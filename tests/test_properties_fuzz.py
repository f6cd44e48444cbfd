"""Soundness fuzzing: random definitions, and no proved verdict that samples contradict.

Samples can never prove a property, but one sample can refute a wrong
"proved"; that is the worst bug this checker could have, so definitions
are generated (in the spirit of attrs' strategies) and every proved
monotonicity, bound and extremum is checked against 50-digit values.
"""
from __future__ import annotations

import mpmath
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symact.functions import elementary
from symact.parsing import X
from symact.properties import check
from symact.user import from_expression

ATOMS = ("tanh({})", "sigmoid({})", "exp(-({})**2)", "atan({})", "softplus({})", "({})/(1 + abs({}))")
coefficient = st.sampled_from(["-2", "-1", "-1/2", "-1/10", "1/10", "1/3", "1/2", "1", "2", "3"])


@st.composite
def definitions(draw):
    """a x + b atom(c x + d) + e atom'(x): smooth and piecewise shapes, monotone or not."""
    inner = f"{draw(coefficient)}*x + {draw(coefficient)}"
    first = draw(st.sampled_from(ATOMS)).format(inner, inner)
    second = draw(st.sampled_from(ATOMS)).format("x", "x")
    return f"{draw(coefficient)}*x + {draw(coefficient)}*{first} + {draw(coefficient)}*{second}"


SAMPLES = [mpmath.mpf(k) / 7 for k in range(-140, 141)] + [mpmath.mpf(v) for v in (-300, -60, 60, 300)]


def _values(text: str):
    f = sympy.lambdify(X, elementary(from_expression(text).bind().expr), "mpmath")
    with mpmath.workdps(50):
        xs = sorted(SAMPLES)
        return xs, [f(x) for x in xs]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_no_proved_verdict_is_contradicted_by_samples(text):
    data = check(from_expression(text).bind(), timeout=3).to_json()["properties"]
    xs, ys = _values(text)
    tolerance = mpmath.mpf(10) ** -30
    if data["non_decreasing"]["verdict"] == "proved":
        assert all(b >= a - tolerance for a, b in zip(ys, ys[1:])), text
    if data["non_increasing"]["verdict"] == "proved":
        assert all(b <= a + tolerance for a, b in zip(ys, ys[1:])), text
    lo, hi = data["range"]["enclosure"] if data["range"]["enclosure"] else ("-inf", "inf")
    lo = -mpmath.inf if lo == "-inf" else mpmath.mpf(lo) - abs(mpmath.mpf(lo)) * 1e-15 - tolerance
    hi = mpmath.inf if hi == "inf" else mpmath.mpf(hi) + abs(mpmath.mpf(hi)) * 1e-15 + tolerance
    assert all(lo <= y <= hi for y in ys), text
    for name, pick in (("global_minimum", min), ("global_maximum", max)):
        verdict = data[name]
        if verdict["verdict"] == "proved":
            a, b = verdict["enclosure"]
            if name == "global_minimum":
                assert pick(ys) >= mpmath.mpf(a) - abs(mpmath.mpf(a)) * 1e-15 - tolerance, text
            else:
                assert pick(ys) <= mpmath.mpf(b) + abs(mpmath.mpf(b)) * 1e-15 + tolerance, text
