"""ULP distance on the ordered float lattice, and the error counters."""
from __future__ import annotations

import numpy as np
import pytest

from symact.verify.metrics import measure, ulp_distance


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_lattice_steps_are_one_ulp_across_zero_subnormals_and_overflow(dtype):
    kind = np.dtype(dtype).type
    tiny = np.finfo(dtype).smallest_subnormal
    big = np.finfo(dtype).max
    expected = np.array([0.0, -0.0, tiny, tiny, 1.0, big, np.finfo(dtype).smallest_normal], dtype=dtype)
    actual = np.array([-0.0, 0.0, -tiny, 0.0, np.nextafter(kind(1), kind(2)), np.inf,
                       np.nextafter(kind(np.finfo(dtype).smallest_normal), kind(0))], dtype=dtype)
    assert ulp_distance(expected, actual).tolist() == [0, 0, 2, 1, 1, 1, 1]


def test_distance_between_opposite_extremes_does_not_overflow():
    big = np.finfo(np.float64).max
    distance = ulp_distance(np.array([big]), np.array([-big]))
    assert int(distance[0]) == 2 * 0x7FEFFFFFFFFFFFFF


def test_counters_and_worst_cases():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, np.nan, np.inf], dtype=np.float32)
    expected = np.array([1.0, 0.5, -2.0, 1e-3, np.inf, np.nan, 1.0], dtype=np.float32)
    actual = np.array([1.0, 0.0, 2.0, np.nan, np.nan, 0.0, 1.0], dtype=np.float32)
    metrics = measure(x, expected, actual)
    assert metrics.counts == {"wrong_nonfinite": 1, "wrong_zero": 1, "sign_errors": 1, "wrong_nan": 2,
                              "nan_not_propagated": 1}
    assert metrics.worst["sign_errors"].to_json() == {"x": "3.0", "expected": "-2.0", "actual": "2.0",
                                                      "ulp": 2 * 0x40000000}
    assert metrics.worst["wrong_zero"].x == "2.0"
    assert metrics.max_ulp == 2 * 0x40000000 and metrics.points == 7


def test_p99_ignores_a_single_outlier_among_hundreds():
    x = np.linspace(1, 2, 500)
    expected = x.copy()
    actual = x.copy()
    actual[7] = np.nextafter(np.nextafter(np.nextafter(actual[7], 3), 3), 3)
    metrics = measure(x, expected, actual)
    assert metrics.max_ulp == 3 and metrics.p99_ulp == 0
