"""Baselines measured with the same metrics: textbook formulas and torch.

* ``textbook(bound)``: the definition with every stable atom replaced by its
  elementary formula, and its symbolic derivative, lambdified for NumPy (``erf``/``erfc``
  from ``math``, elementwise) exactly as written: what a
  careful first implementation from the paper looks like.
* ``torch_native(name)``: the ``torch.nn.functional`` function of the same
  name at the catalogue's default parameters, with gradients by autograd;
  None where torch has no such function.

They exist to be compared against (``benchmarks/verify_bench.py``) and to
show that the metrics see known failures of real code.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import sympy

from symact.activation import BoundActivation
from symact.functions import elementary
from symact.parsing import X
from symact.verify.implementation import Implementation, from_torch_functions


def textbook(bound: BoundActivation) -> Implementation:
    """f and f' of the elementary definition, lambdified as written."""
    formula = elementary(bound.pieces.as_piecewise())
    slope = sympy.diff(formula, X)
    modules = [{"erf": np.vectorize(math.erf, otypes=[np.float64]),
                "erfc": np.vectorize(math.erfc, otypes=[np.float64])}, "numpy"]
    forward = sympy.lambdify(X, formula, modules=modules)
    gradient = sympy.lambdify(X, slope, modules=modules)

    def on_array(function: Callable) -> Callable[[np.ndarray], np.ndarray]:
        def run(x: np.ndarray) -> np.ndarray:
            return np.asarray(function(x) + np.zeros_like(x), dtype=x.dtype)
        return run

    return Implementation("textbook", on_array(forward), on_array(gradient))


def torch_functions() -> dict[str, Callable]:
    """torch's own function per catalogue entry that has one, at the
    entry's default parameters (``F.threshold`` at threshold 1, value 0;
    ``F.prelu`` with the slope 0.25), by catalogue name."""
    import torch
    import torch.nn.functional as F

    return {
        "celu": F.celu, "elu": F.elu, "gelu": F.gelu, "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
        "hardshrink": F.hardshrink, "hardsigmoid": F.hardsigmoid, "hardswish": F.hardswish,
        "hardtanh": F.hardtanh, "leaky_relu": F.leaky_relu, "log_sigmoid": F.logsigmoid, "mish": F.mish,
        "prelu": lambda x: F.prelu(x, torch.tensor([0.25], dtype=x.dtype)), "relu": F.relu, "relu6": F.relu6,
        "selu": F.selu, "sigmoid": torch.sigmoid, "silu": F.silu, "softplus": F.softplus,
        "softshrink": F.softshrink, "softsign": F.softsign, "tanh": torch.tanh, "tanhshrink": F.tanhshrink,
        "threshold": lambda x: F.threshold(x, 1.0, 0.0),
    }


def torch_native_names() -> list[str]:
    """Catalogue names with a torch.nn.functional counterpart."""
    return sorted(torch_functions())


def torch_native(name: str) -> Implementation | None:
    """torch's own function for catalogue entry ``name``: forward, and its
    autograd gradient (as ``gradient``); None where torch has none."""
    function = torch_functions().get(name)
    if function is None:
        return None
    autograd = from_torch_functions(function, None, label="torch-native").fused
    return Implementation("torch-native", from_torch_functions(function, None).forward,
                          lambda x: autograd(x)[1])
