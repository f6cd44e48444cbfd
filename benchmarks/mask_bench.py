"""Selection masks in torch: bool comparisons against float 0/1 masks.

The generated piecewise torch code selects branches with masks. This script
measures, side by side in one run, why those masks are float tensors made
by clamp and ceil (``TorchCodePrinter.indicator``) and not bool tensors:

1. eager, one op at a time: a comparison, its cast to float, the
   clamp-and-ceil mask, ``torch.where`` on a random mask, against a copy;
2. forward+backward of ReLU written as an autograd Function whose backward
   reads the slope off the output with a bool mask or with a float mask,
   eager and under ``torch.compile`` (Inductor's partitioner saves the bool
   masks for backward, and a bool output is stored element by element).

Prints medians of REPEATS calls at n = 1e6 float32, one thread, and ratios
against the baseline of each table (copy; torch's own relu).

Run from the repository root:  python3 benchmarks/mask_bench.py
"""
from __future__ import annotations

import torch

from timing import median_time

N = 1_000_000
REPEATS = 21


def median_ms(call) -> float:
    return median_time(call, REPEATS) * 1e3


def relu_function(slope):
    class Relu(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = torch.clamp(x, min=0)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            y, = ctx.saved_tensors
            return grad_output * slope(y)
    return Relu.apply


def main() -> None:
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(N, generator=generator) * 3
    other = torch.randn(N, generator=generator)
    bool_mask = x > 0
    float_mask = bool_mask.to(x.dtype)
    print(f"n = {N:.0e} float32, 1 thread, median of {REPEATS} (ms); torch {torch.__version__}")
    print("\n## One op at a time (eager)")
    ops = {
        "copy (baseline)": lambda: x.clone(),
        "x > 0 (bool)": lambda: x > 0,
        "bool mask .to(float)": lambda: bool_mask.to(x.dtype),
        "(x > 0).to(float)": lambda: (x > 0).to(x.dtype),
        "ceil(clamp(x, 0, 1))": lambda: torch.ceil(torch.clamp(x, 0, 1)),
        "where(bool mask, x, y)": lambda: torch.where(bool_mask, x, other),
        "float mask * x": lambda: float_mask * x,
    }
    baseline = None
    print(f"{'op':28} {'ms':>8} {'x copy':>7}")
    for label, call in ops.items():
        ms = median_ms(call)
        baseline = baseline or ms
        print(f"{label:28} {ms:8.2f} {ms / baseline:7.2f}")

    print("\n## ReLU forward+backward, slope read off the output")
    grad = torch.ones_like(x)
    functions = {
        "torch.relu (baseline)": torch.relu,
        "bool mask": relu_function(lambda y: (y > 0).to(y.dtype)),
        "float mask (clamp, ceil)": relu_function(lambda y: torch.ceil(torch.clamp(y, 0, 1))),
    }

    def step(function):
        leaf = x.detach().requires_grad_()
        function(leaf).backward(grad)

    print(f"{'slope':28} {'eager':>8} {'ratio':>7} {'compiled':>9} {'ratio':>7}")
    native = None
    for label, function in functions.items():
        eager = median_ms(lambda: step(function))
        compiled_function = torch.compile(function, dynamic=False)
        compiled = median_ms(lambda: step(compiled_function))
        native = native or eager
        print(f"{label:28} {eager:8.2f} {eager / native:7.2f} {compiled:9.2f} {compiled / native:7.2f}")


if __name__ == "__main__":
    main()
