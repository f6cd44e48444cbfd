"""Forward + backward of generated torch code, eager and under torch.compile, against torch native.

Issue 4's speed goal asks generated torch forward+backward to run at or
below torch native's time (1 thread). In eager mode every torch op of the
generated formula is its own kernel with its own output tensor, while the
native function is one kernel; this script measures how much of that gap
`torch.compile` (Inductor, which fuses the elementwise ops of the generated
autograd Function into one C++ loop) closes.

Prints, per activation: the median of REPEATS timed forward+backward calls
at n = 1e6 float32 with one thread, for native, generated eager and
generated compiled, the ratios against native, and the one-off compile time.

Run from the repository root:  python3 benchmarks/torch_compile_bench.py [NAMES...]
"""
from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from symact.catalogue import CATALOGUE  # noqa: E402
from symact.codegen import load  # noqa: E402
from symact.verify.baselines import torch_functions  # noqa: E402

N = 1_000_000
REPEATS = 21
DEFAULT = ("relu", "silu", "elu", "softplus", "mish", "gelu_tanh")


def forward_backward(function, x: torch.Tensor, grad: torch.Tensor) -> None:
    leaf = x.detach().requires_grad_()
    function(leaf).backward(grad)


def median_ms(function, x, grad) -> float:
    forward_backward(function, x, grad)
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        forward_backward(function, x, grad)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def main(names) -> None:
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(N, generator=generator) * 4
    grad = torch.ones(N)
    native = torch_functions()
    print(f"forward+backward, n = {N:.0e} float32, 1 thread, median of {REPEATS} (ms); torch {torch.__version__}")
    print(f"{'activation':<12} {'native':>8} {'eager':>8} {'compiled':>9} {'eager/nat':>10} {'comp/nat':>9} {'compile s':>10}")
    for name in names:
        generated = getattr(load(CATALOGUE[name], "torch"), name)
        started = time.perf_counter()
        compiled = torch.compile(generated, dynamic=False)
        forward_backward(compiled, x, grad)
        compile_seconds = time.perf_counter() - started
        t_native = median_ms(native[name], x, grad)
        t_eager = median_ms(generated, x, grad)
        t_compiled = median_ms(compiled, x, grad)
        print(f"{name:<12} {t_native:>8.2f} {t_eager:>8.2f} {t_compiled:>9.2f} {t_eager / t_native:>10.2f} "
              f"{t_compiled / t_native:>9.2f} {compile_seconds:>10.1f}")


if __name__ == "__main__":
    main(sys.argv[1:] or DEFAULT)
