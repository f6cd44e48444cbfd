"""Hand-written NumPy implementations for testing the verifier itself.

``CORRECT`` holds careful implementations that must pass; ``BROKEN`` holds
deliberately wrong ones (each with the defect it carries), which must fail.
float32 inputs are computed in float64 and rounded once, a legitimate way
to be accurate in float32.
"""
from __future__ import annotations

import numpy as np
import math

from symact.verify.implementation import Implementation


erf = np.vectorize(math.erf, otypes=[np.float64])


def _in_float64(function):
    def run(x):
        with np.errstate(all="ignore"):
            return np.asarray(function(x.astype(np.float64))).astype(x.dtype)
    return run


def _stable_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid_slope(x):
    e = np.exp(-np.abs(x))
    return e / (1 + e) ** 2


def _relu(x):
    return np.where(np.isnan(x), x, np.where(x > 0, x, 0.0))


def _relu_slope(x):
    return np.where(x > 0, 1.0, 0.0)


def _elu_half(x):
    return np.where(x > 0, x, 0.5 * np.expm1(np.minimum(x, 0)))


def _elu_half_slope(x):
    return np.where(x > 0, 1.0, 0.5 * np.exp(np.minimum(x, 0)))


def _softplus(x):
    return np.logaddexp(x, 0.0)


def _threshold(x, at=1.0):
    return np.where(np.isnan(x), x, np.where(x > at, x, 0.0))


def _threshold_slope(x, at=1.0):
    return np.where(x > at, 1.0, 0.0)


def make(forward, gradient, label="hand") -> Implementation:
    """An Implementation computing in float64 and rounding to the input dtype."""
    f, g = _in_float64(forward), _in_float64(gradient)
    return Implementation(label, f, g, lambda x: (f(x), g(x)))


# (catalogue name, parameters) -> implementation
CORRECT = {
    ("sigmoid", ()): make(_stable_sigmoid, _sigmoid_slope),
    ("relu", ()): make(_relu, _relu_slope),
    ("elu", (("alpha", "1/2"),)): make(_elu_half, _elu_half_slope),
    ("softplus", ()): make(_softplus, _stable_sigmoid),
    ("threshold", ()): make(_threshold, _threshold_slope),
}

BROKEN = {
    "sign flip in the derivative": (("sigmoid", ()), make(_stable_sigmoid, lambda x: -_sigmoid_slope(x))),
    "missing factor alpha in the derivative": (("elu", (("alpha", "1/2"),)),
                                               make(_elu_half, lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))))),
    "breakpoint constant one ULP off": (("threshold", ()),
                                        make(lambda x: _threshold(x, np.nextafter(1.0, 2.0)), _threshold_slope)),
    "naive log(1 + exp(x))": (("softplus", ()), Implementation(
        "naive", lambda x: np.log(1 + np.exp(x)), lambda x: np.exp(x) / (1 + np.exp(x)))),
    "1 + erf in GELU": (("gelu", ()), Implementation(
        "naive", lambda x: (x * (1 + erf(x / np.sqrt(x.dtype.type(2)))) / 2).astype(x.dtype),
        lambda x: (0.5 * (1 + erf(x / np.sqrt(2))) + x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi)).astype(x.dtype))),
    "wrong branch at the breakpoint (relu'(0) = 1)": (("relu", ()),
                                                      make(_relu, lambda x: np.where(x >= 0, 1.0, 0.0))),
}
