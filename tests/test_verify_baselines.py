"""The metrics see the failures of real code measured in the issue.

torch's own functions are measured through the same protocol; each test
pins one published miss (issue 5) at the input where it happens.
"""
from __future__ import annotations

import numpy as np
import pytest

from symact.catalogue import CATALOGUE
from symact.verify import verify
from symact.verify.baselines import textbook, torch_native

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("baseline-cache")


def _cell(name, dtype, kind, cache_dir, implementation=None):
    bound = CATALOGUE[name].bind()
    implementation = implementation or torch_native(name)
    report = verify(bound, dtypes=(dtype,), implementations={"baseline": implementation}, cache_dir=cache_dir)
    return next(c for c in report.cells if c.kind == kind)


@pytest.mark.parametrize("name, kind, first_wrong_zero", [
    ("sigmoid", "gradient", 16.6),  # sigmoid' = 0 from x = 16.6
    ("tanh", "gradient", 9.04),  # tanh' = 0 for |x| > 9.04
])
def test_torch_float32_derivative_flushes_to_zero(name, kind, first_wrong_zero, cache_dir):
    cell = _cell(name, "float32", kind, cache_dir)
    case = cell.metrics.worst["wrong_zero"]
    assert float(case.actual) == 0.0 and float(case.expected) > 0
    assert first_wrong_zero <= abs(float(case.x)) < first_wrong_zero + 0.1
    assert cell.metrics.max_ulp > 10**6


def test_torch_float32_gelu_cancels_in_the_negative_tail(cache_dir):
    cell = _cell("gelu", "float32", "forward", cache_dir)
    case = cell.metrics.worst["wrong_zero"]
    assert -6.0 < float(case.x) < -5.5 and case.actual == "-0.0" and float(case.expected) < -1e-8


def test_torch_float32_silu_is_zero_below_minus_88_72(cache_dir):
    cell = _cell("silu", "float32", "forward", cache_dir)
    assert cell.metrics.worst["wrong_zero"].x == "-88.72284"


def test_torch_float64_hardsigmoid_gradient_is_float32_one_sixth(cache_dir):
    cell = _cell("hardsigmoid", "float64", "gradient", cache_dir)
    assert float(cell.metrics.worst["max_ulp"].actual) == float(np.float32(1 / 6))
    assert cell.metrics.max_ulp > 10**8


def test_textbook_formulas_fail_where_the_stable_atoms_do_not(cache_dir):
    # log(1 + exp(x)) overflows to inf in float32 at x = 88.73 where softplus is finite.
    cell = _cell("softplus", "float32", "forward", cache_dir, textbook(CATALOGUE["softplus"].bind()))
    assert cell.metrics.counts["wrong_nonfinite"] > 0
