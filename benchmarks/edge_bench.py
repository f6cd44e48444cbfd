"""Cost of the NaN / +-inf corrections in generated code, measured side by side.

    python3 benchmarks/edge_bench.py                     # a few entries that get corrections
    python3 benchmarks/edge_bench.py relu silu gelu      # chosen entries

For each entry, the module as generated (with the corrections that
``symact.codegen.render`` decides by running the draft at NaN and +-inf) is
timed against the same module rendered without them, n = 1e6 float32,
torch with 1 thread. Before/after runs alternate (three rounds, the best of
each taken, each the median of 15 calls), so drift on a shared machine
hits both. Prints milliseconds and the ratio after / before.
"""
from __future__ import annotations

import statistics
import sys
import time
import types
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from symact.catalogue import CATALOGUE  # noqa: E402
from symact.codegen import render as render_module  # noqa: E402
from symact.codegen.render import _numpy, _torch  # noqa: E402

DEFAULT = ["relu", "hardshrink", "binary_step", "silu", "gelu", "tanhexp", "isru"]


def _execute(source: str, label: str) -> types.ModuleType:
    module = types.ModuleType(label)
    exec(compile(source, label, "exec"), module.__dict__)
    return module


def _median_ms(call, repeat: int = 15) -> float:
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def _pair(name: str, target: str):
    activation = CATALOGUE[name]
    plain = (_numpy if target == "numpy" else _torch)(activation, {})
    return (_execute(plain, f"{name}_{target}_without"),
            _execute(render_module(activation, target), f"{name}_{target}_with"))


def main(argv: list[str]) -> int:
    torch.set_num_threads(1)
    names = argv or DEFAULT
    x = torch.randn(10 ** 6) * 4
    xn = x.numpy()
    print(f"{'activation':14s} {'call':18s} {'without':>8s} {'with':>8s} {'ratio':>6s}   (ms, n = 1e6, float32)")
    for name in names:
        for target in ("numpy", "torch"):
            before, after = _pair(name, target)
            if target == "numpy":
                calls = {"f": lambda m: lambda: getattr(m, name)(xn),
                         "df": lambda m: lambda: getattr(m, f"{name}_grad")(xn),
                         "f+df fused": lambda m: lambda: getattr(m, f"{name}_forward_and_grad")(xn)}
            else:
                xs = x.clone().requires_grad_()
                ones = torch.ones_like(x)
                calls = {"f": lambda m: lambda: getattr(m, name)(x),
                         "df": lambda m: lambda: getattr(m, f"{name}_grad")(x),
                         "f+backward": lambda m: lambda: getattr(m, name)(xs).backward(ones)}
            for label, make in calls.items():
                rounds = [(_median_ms(make(before)), _median_ms(make(after))) for _ in range(3)]
                without, with_ = min(r[0] for r in rounds), min(r[1] for r in rounds)
                print(f"{name:14s} {target + ' ' + label:18s} {without:8.2f} {with_:8.2f} {with_ / without:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
