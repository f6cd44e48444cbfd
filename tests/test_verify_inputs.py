"""Sample inputs cover every binade, the specials, breakpoints and zeros."""
from __future__ import annotations

import math

import numpy as np
import pytest

from symact.catalogue import CATALOGUE
from symact.verify.inputs import bit_pattern_samples, find_zeros, sample_inputs
from symact.verify.reference import PiecewiseReference


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bit_patterns_cover_the_exponent_range_without_nan(dtype):
    samples = bit_pattern_samples(dtype, 512)
    assert samples.size == 512 and not np.isnan(samples).any()
    exponents = np.frexp(samples[np.isfinite(samples) & (samples != 0)])[1]
    span = np.finfo(dtype).maxexp - np.finfo(dtype).minexp
    # Uniform bit patterns: about as many samples above 1 in magnitude as below.
    assert 0.4 < np.mean(exponents > 0) < 0.6
    assert exponents.max() - exponents.min() > 0.9 * span


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_samples_hold_specials_breakpoint_neighbours_and_exp_thresholds(dtype):
    samples = sample_inputs(dtype, [3.0], [-1.25])
    points = samples.points
    kind = np.dtype(dtype).type
    bits = set(points.view({"float32": np.uint32, "float64": np.uint64}[dtype]).tolist())
    for value in (0.0, -0.0, np.inf, -np.inf, np.finfo(dtype).smallest_subnormal, np.finfo(dtype).max):
        assert np.array([value], dtype=dtype).view({"float32": np.uint32, "float64": np.uint64}[dtype])[0] in bits
    assert np.isnan(points).sum() == 1
    neighbour = kind(3)
    for _ in range(4):
        neighbour = np.nextafter(neighbour, kind(4))
        assert neighbour in points
    assert kind(math.log(float(np.finfo(np.float32).max))) in points  # 88.72...
    assert -kind(math.log(float(np.finfo(np.float64).max))) in points  # -709.78...
    assert np.any((points >= -20) & (points <= 20) & (points != 0)) and len(points) > 1000
    assert set(samples.categories) == {"special", "subnormal", "breakpoint", "zero", "exp_threshold", "core",
                                       "bits"}


@pytest.mark.parametrize("name, zero", [("silu", -1.2784645427610738), ("gelu", -0.7517915246935645)])
def test_zeros_of_the_derivative_are_found_to_full_precision(name, zero):
    slope = PiecewiseReference(CATALOGUE[name].bind().derivative(1))
    zeros = find_zeros(slope)
    assert len(zeros) == 1
    assert zeros[0] == pytest.approx(zero, rel=1e-15)


def test_identically_zero_branches_have_no_isolated_zeros():
    assert find_zeros(PiecewiseReference(CATALOGUE["relu"].bind().derivative(1))) == []
