"""Sample inputs cover every binade, the specials, breakpoints and zeros."""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from symact.catalogue import CATALOGUE, names
from symact.verify.inputs import (PERIODIC_ZERO_RANGE, TRIGONOMETRIC, bit_pattern_samples, find_zeros, periodic_zeros,
                                 sample_inputs)
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


def test_periodic_double_zeros_without_a_sign_change_are_solved_and_enumerated():
    # snake' = 1 + sin(2x) touches 0 at -pi/4 + k pi (no sign change: the grid cannot see it).
    slope = PiecewiseReference(CATALOGUE["snake"].bind().derivative(1))
    with mpmath.workdps(50):
        expected = [float(-mpmath.pi / 4 + k * mpmath.pi) for k in range(-6, 7)]
    assert expected[0] > -PERIODIC_ZERO_RANGE and expected[-1] + math.pi > PERIODIC_ZERO_RANGE
    assert find_zeros(slope) == expected
    assert -0.7853981633974483 in expected


def test_sign_changing_periodic_zeros_are_not_listed_twice():
    # siren = sin(30 x): the grid's bisected zeros in the core are replaced by SymPy's k pi / 30.
    function = PiecewiseReference(CATALOGUE["siren"].bind().pieces)
    zeros = find_zeros(function)
    core = [z for z in zeros if abs(z) <= PERIODIC_ZERO_RANGE]
    with mpmath.workdps(50):
        assert core == [float(k * mpmath.pi / 30) for k in range(-190, 191)]
    assert len(zeros) > len(core)  # sign changes beyond the core are still found on the grid


@pytest.mark.parametrize("name", names())
def test_solved_periodic_zeros_are_zeros_of_the_function(name):
    bound = CATALOGUE[name].bind()
    if not any(branch.atoms(*TRIGONOMETRIC) for branch in bound.pieces.branches):
        assert periodic_zeros(PiecewiseReference(bound.pieces)) == []  # f' of f without trig has none either
        return
    for pieces in (bound.pieces, bound.derivative(1)):
        reference = PiecewiseReference(pieces)
        for zero in periodic_zeros(reference):
            assert abs(zero) <= PERIODIC_ZERO_RANGE
            # |g| at the float zero is below |g| one float either side: a zero lies within half a float.
            here = abs(reference.at(zero, 200))
            for side in (-math.inf, math.inf):
                assert here <= abs(reference.at(float(np.nextafter(zero, side)), 200)), (name, zero)
