"""Conditions on the parameters: each case agrees with the check bound inside it.

For every catalogue entry with one parameter whose verdicts carry a
``condition``, a value is picked inside each case (the point of an
equation, a rational inside an interval) and the entry is checked there:
the bound verdict must have the case's value. The known facts of issue 7
are asserted as such.
"""
from __future__ import annotations

from functools import lru_cache

import pytest
import sympy

from symact.catalogue import lookup, names
from symact.properties import check
from test_properties import RUN_SLOW, SLOW, checked

TIMEOUT = 30.0


@lru_cache(maxsize=None)
def checked_at(name: str, value: str):
    activation = lookup(name)
    return check(activation.bind({activation.params[0].name: value}), timeout=TIMEOUT).to_json()["properties"]


def _inside(when: str, param) -> sympy.Expr | None:
    symbol = param.symbol
    condition = sympy.sympify(when, locals={symbol.name: symbol})
    region = (sympy.S.Reals if condition in (True, sympy.true) else condition.as_set()).intersect(param.domain)
    if isinstance(region, sympy.FiniteSet):
        return next(iter(region))
    if isinstance(region, sympy.Union):
        region = region.args[0]
    if isinstance(region, sympy.Interval):
        lo, hi = region.inf, region.sup
        if lo.is_infinite and hi.is_infinite:
            return sympy.Rational(1, 3)
        if lo.is_infinite:
            return hi - sympy.Rational(7, 10)
        if hi.is_infinite:
            return lo + sympy.Rational(7, 10)
        return (lo + hi) / 2
    return None


ONE_PARAMETER = [name for name in names() if len(lookup(name).params) == 1 and (RUN_SLOW or name not in SLOW)]


def _bound_value(verdict, prop):
    if isinstance(verdict["value"], bool) or prop in ("non_decreasing", "strictly_increasing", "non_increasing"):
        return {"proved": True, "disproved": False}.get(verdict["verdict"])
    if prop == "range":
        return verdict["value"]["text"] if verdict["verdict"] == "proved" else None
    return verdict["value"] if verdict["verdict"] == "proved" else None


@pytest.mark.parametrize("name", ONE_PARAMETER)
def test_each_case_agrees_with_the_check_inside_it(name):
    param = lookup(name).params[0]
    for prop, verdict in checked(name).to_json()["properties"].items():
        for case in (verdict.get("condition") or {}).get("cases", []):
            _agrees(name, param, prop, case["when"], case["value"])


def _agrees(name, param, prop, when, value):
    point = _inside(when, param)
    assert point is not None, when
    data = checked_at(name, sympy.sstr(point))
    got = _bound_value(data[prop], prop)
    if prop == "range":
        expected = sympy.sympify(value.strip("()").split(",")[0], locals={param.name: param.symbol}).subs(param.symbol, point)
        assert data[prop]["value"]["lower_closed"] is False and data[prop]["value"]["upper_closed"] is False
        lo = data[prop]["enclosure"][0]
        if expected.is_finite:
            assert lo <= float(expected) + 1e-12 and float(expected) - 1e-9 <= lo, (point, lo, expected)
        else:
            assert lo == "-inf"
        return
    assert got == value, (point, prop, data[prop])


def test_elu_is_c1_exactly_when_alpha_is_1():
    condition = checked("elu").to_json()["properties"]["continuity_class"]["condition"]
    assert {c["when"]: c["value"] for c in condition["cases"]} == {"Eq(alpha, 1)": "C1", "Ne(alpha, 1)": "C0"}


def test_leaky_relu_is_monotone_exactly_when_the_slope_is_nonnegative():
    condition = checked("leaky_relu").to_json()["properties"]["non_decreasing"]["condition"]
    assert {c["when"]: c["value"] for c in condition["cases"]} == {"0 <= negative_slope": True,
                                                                 "negative_slope < 0": False}


def test_soft_exponential_range_depends_on_alpha():
    """Over its domain alpha > 0 (alpha = 0, the identity, is the limit and not part of the entry)."""
    condition = checked("soft_exponential").to_json()["properties"]["range"]["condition"]
    assert {c["when"]: c["value"] for c in condition["cases"]} == {"True": "(alpha - 1/alpha, oo)"}


def test_entries_without_parameters_carry_no_condition():
    assert all("condition" not in v for v in checked("relu").to_json()["properties"].values())
