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
                              "nan_not_propagated": 1, "subnormal_flushed": 0}
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


SUBNORMAL_CASES = {
    # reference (as a multiple of the smallest normal N), answer, accepted?
    "flush to +0": (2.0 ** -10, 0.0, True),
    "flush to -0 of a positive reference": (2.0 ** -10, -0.0, True),
    "flush of a negative reference": (-(2.0 ** -20), -0.0, True),
    "another subnormal of the right sign": (2.0 ** -3, 2.0 ** -12, True),
    "the smallest normal for a subnormal reference": (2.0 ** -1, 1.0, True),
    "a subnormal of the wrong sign": (2.0 ** -10, -(2.0 ** -10), True),
    "a wrong sign further than the smallest normal": (2.0 ** -1, -0.75, False),
    "normal answer far above": (2.0 ** -10, 2.0 ** 6, False),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", sorted(SUBNORMAL_CASES))
def test_subnormal_policy_accepts_an_absolute_error_within_the_smallest_normal(case, dtype):
    scale = np.finfo(dtype).smallest_normal
    reference, answer, accepted = SUBNORMAL_CASES[case]
    expected = np.array([reference * scale, 1.0], dtype=dtype)
    actual = np.array([answer * scale, 1.0], dtype=dtype)
    strict_distance = int(ulp_distance(expected, actual)[0])
    assert strict_distance > 4  # every case is far beyond the bound on the lattice
    metrics = measure(np.array([-100.0, 1.0], dtype=dtype), expected, actual, bound_ulp=4)
    assert metrics.counts["subnormal_flushed"] == int(accepted)
    assert metrics.max_ulp == (0 if accepted else strict_distance)
    if accepted:
        assert metrics.worst["subnormal_flushed"].ulp == strict_distance
    assert metrics.counts["sign_errors"] == int(case == "a wrong sign further than the smallest normal")
    # Without a bound every point is strict.
    assert measure(np.array([-100.0, 1.0], dtype=dtype), expected, actual).max_ulp == strict_distance


def test_a_normal_reference_flushed_to_zero_is_still_a_wrong_zero():
    expected = np.array([1e-37, 2.0 ** -126], dtype=np.float32)  # both normal in float32
    actual = np.zeros(2, dtype=np.float32)
    metrics = measure(np.array([-80.0, -87.0], dtype=np.float32), expected, actual, bound_ulp=2)
    assert metrics.counts["wrong_zero"] == 2 and metrics.counts["subnormal_flushed"] == 0
    assert metrics.max_ulp == int(np.array([1e-37], dtype=np.float32).view(np.int32)[0])


def test_a_normal_answer_for_a_subnormal_reference_fails():
    expected = np.array([1e-40], dtype=np.float32)
    actual = np.array([1e-30], dtype=np.float32)
    metrics = measure(np.array([-90.0], dtype=np.float32), expected, actual, bound_ulp=2)
    assert metrics.counts["subnormal_flushed"] == 0
    assert metrics.max_ulp == int(ulp_distance(expected, actual)[0]) > 10 ** 8


def test_subnormal_results_within_the_bound_are_not_counted():
    tiny = np.finfo(np.float32).smallest_subnormal
    expected = np.array([3 * tiny], dtype=np.float32)
    actual = np.array([4 * tiny], dtype=np.float32)
    metrics = measure(np.array([-100.0], dtype=np.float32), expected, actual, bound_ulp=2)
    assert metrics.counts["subnormal_flushed"] == 0 and metrics.max_ulp == 1


def test_phish_gradient_of_the_wrong_sign_within_the_smallest_normal_is_judged_by_absolute_error():
    # phish' at x = -14.375 in float32: the reference 1.1e-43 (78 subnormal quanta), the generated
    # code -1e-45 (one quantum below 0). Its absolute error, 1.11e-43, is that of a flush to -0:
    # accepted by the subnormal policy and not a sign error; without a bound every point is strict.
    quantum = np.finfo(np.float32).smallest_subnormal
    expected = np.array([78 * quantum, 0.5], dtype=np.float32)
    actual = np.array([-quantum, 0.5], dtype=np.float32)
    assert str(expected[0]) == "1.1e-43" and str(actual[0]) == "-1e-45"
    x = np.array([-14.375, 1.0], dtype=np.float32)
    policy = measure(x, expected, actual, bound_ulp=4)
    assert policy.counts["sign_errors"] == 0 and policy.counts["subnormal_flushed"] == 1
    assert policy.max_ulp == 0 and policy.worst["subnormal_flushed"].ulp == 79
    strict = measure(x, expected, actual)
    assert strict.counts["sign_errors"] == 1 and strict.max_ulp == 79
    # The same answer within the bound (reference 1 quantum): not flushed, within 2 ULP, no sign error.
    near = measure(x, np.array([quantum, 0.5], dtype=np.float32), actual, bound_ulp=4)
    assert near.counts["sign_errors"] == 0 and near.counts["subnormal_flushed"] == 0 and near.max_ulp == 2
