"""Speed of the generated vector activations against torch's own, one thread.

For each vector entry, on a (rows, 4096) batch along the last axis, float32
and float64, this measures the median time of

* forward: the generated torch ``name(x)`` and the baseline (torch.softmax,
  torch.log_softmax, F.softmin, F.glu, or the textbook ``a * F.gelu(b)`` ...);
* forward+backward: the same with ``backward`` of a fixed upstream gradient
  (generated: the autograd Function's analytic backward);
* numpy: the generated NumPy ``name(x)``;

and prints them with the ratio generated / baseline, measured side by side
in one run. The generated code computes float32 in float64 (accuracy first,
docs/vector.md); this table is its price.

Run from the repository root:  python3 benchmarks/vector_bench.py [ROWS]
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from symact.codegen.vector import load_vector, vector_names  # noqa: E402
from symact.vector import VECTOR_CATALOGUE  # noqa: E402
from symact.verify.vector import _torch_native_functions  # noqa: E402

REPEATS = 7
COLUMNS = 4096


def _median(function) -> float:
    function()  # warm up
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _forward_backward(function, x, g):
    def run():
        leaf = x.detach().requires_grad_(True)
        function(leaf).backward(g)
    return run


def main(rows: int) -> None:
    torch.set_num_threads(1)
    native = _torch_native_functions()
    print(f"rows x columns = {rows} x {COLUMNS}, last axis, 1 thread; median of {REPEATS}, milliseconds")
    header = ("entry", "dtype", "fwd gen", "fwd torch", "ratio", "f+b gen", "f+b torch", "ratio", "numpy gen")
    print("  ".join(f"{h:>11}" for h in header))
    for name in vector_names():
        generated = load_vector(VECTOR_CATALOGUE[name], "torch")
        generated_numpy = load_vector(VECTOR_CATALOGUE[name], "numpy")
        mine, theirs = getattr(generated, name), native[name]
        for dtype in (torch.float32, torch.float64):
            x = torch.randn(rows, COLUMNS, dtype=dtype, generator=torch.Generator().manual_seed(0)) * 4
            g = torch.randn_like(theirs(x))
            with torch.no_grad():
                forward = [_median(lambda f=f: f(x)) for f in (mine, theirs)]
            both = [_median(_forward_backward(f, x, g)) for f in (mine, theirs)]
            array = x.numpy()
            numpy_time = _median(lambda: getattr(generated_numpy, name)(array))
            row = (name, str(dtype).replace("torch.", ""), f"{forward[0] * 1e3:.2f}", f"{forward[1] * 1e3:.2f}",
                   f"{forward[0] / forward[1]:.2f}", f"{both[0] * 1e3:.2f}", f"{both[1] * 1e3:.2f}",
                   f"{both[0] / both[1]:.2f}", f"{numpy_time * 1e3:.2f}")
            print("  ".join(f"{v:>11}" for v in row))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 64)
