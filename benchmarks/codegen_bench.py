"""Speed of generated code against its baselines, measured side by side.

    python3 benchmarks/codegen_bench.py            # n = 1e6 and 1e7, float32 and float64
    python3 benchmarks/codegen_bench.py --quick    # n = 1e6, float32, a few activations
    python3 benchmarks/codegen_bench.py --errors   # the rules' error table, then exit
    python3 benchmarks/codegen_bench.py --accuracy # max ulp error of generated NumPy per entry, then exit
    python3 benchmarks/codegen_bench.py --compiled --torch-only --only relu silu  # + torch.compile column

PyTorch (torch.set_num_threads(1)): the generated functional against torch's
native op and against the textbook formula in torch ops with autograd,
forward and forward+backward. NumPy: the generated forward / gradient /
fused functions against sympy.lambdify(cse=True) of the same definition and
against hand-optimised NumPy. Roofline rows: a plain copy (read, write) and
an add (read, read, write) of the same size; "x copy" says how many copies'
time an activation takes. Medians of repeated runs; ratios < 1 mean the
generated code is faster.
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import warnings
from pathlib import Path

import numpy as np
import sympy
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_time  # noqa: E402
from symact.catalogue import CATALOGUE, names  # noqa: E402
from symact.codegen import load  # noqa: E402
from symact.functions import elementary  # noqa: E402
from symact.parsing import X  # noqa: E402
from symact.verify.baselines import torch_functions  # noqa: E402

SQRT1_2 = 1 / math.sqrt(2)
GELU_C = math.sqrt(2 / math.pi)

TORCH_NATIVE = torch_functions()

# The formula as a paper writes it, in torch ops, differentiated by autograd.
TORCH_TEXTBOOK = {
    "sigmoid": lambda x: 1 / (1 + torch.exp(-x)),
    "elu": lambda x: torch.where(x > 0, x, torch.exp(x) - 1),
    "gelu": lambda x: 0.5 * x * (1 + torch.erf(x * SQRT1_2)),
    "gelu_tanh": lambda x: 0.5 * x * (1 + torch.tanh(GELU_C * (x + 0.044715 * x * x * x))),
    "silu": lambda x: x * torch.sigmoid(x),
    "mish": lambda x: x * torch.tanh(torch.log1p(torch.exp(x))),
    "softplus": lambda x: torch.log1p(torch.exp(x)),
    "log_sigmoid": lambda x: torch.log(torch.sigmoid(x)),
    "hardswish": lambda x: x * torch.clamp(x + 3, 0, 6) / 6,
    "tanhshrink": lambda x: x - torch.tanh(x),
    "softsign": lambda x: x / (1 + torch.abs(x)),
}


def _np_sigmoid(x):
    e = np.exp(-np.abs(x))
    s = 1 / (1 + e)
    return np.where(x < 0, e * s, s)


def _np_erf():
    try:
        from scipy.special import erf
        return erf
    except ImportError:  # pragma: no cover
        return None


# What an expert writes by hand in NumPy, stable where it matters.
NUMPY_HAND = {
    "relu": lambda x: np.maximum(x, 0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "sigmoid": _np_sigmoid,
    "tanh": np.tanh,
    "silu": lambda x: x * _np_sigmoid(x),
    "softplus": lambda x: np.logaddexp(x, 0),
    "log_sigmoid": lambda x: -np.logaddexp(0, -x),
    "mish": lambda x: x * np.tanh(np.logaddexp(x, 0)),
    "gelu_tanh": lambda x: 0.5 * x * (1 + np.tanh(np.float32(GELU_C).astype(x.dtype) * (x + 0.044715 * x * x * x))),
    "hardswish": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "relu6": lambda x: np.clip(x, 0, 6),
}
if _np_erf() is not None:
    NUMPY_HAND["gelu"] = lambda x, erf=_np_erf(): 0.5 * x * (1 + erf(x * x.dtype.type(SQRT1_2)))


def torch_rows(activations, n, dtype, repeat, compiled=False):
    x = torch.randn(n, dtype=dtype) * 3
    g = torch.ones_like(x)
    out = torch.empty_like(x)
    y2 = torch.randn(n, dtype=dtype)
    copy = median_time(lambda: out.copy_(x), repeat)
    add = median_time(lambda: torch.add(x, y2, out=out), repeat)
    rows = [("copy (roofline)", copy, None, None, None, None, None, None),
            ("add (roofline)", add, None, None, None, None, None, None)]
    for name in activations:
        f = getattr(load(CATALOGUE[name], "torch"), name)
        native = TORCH_NATIVE.get(name)
        textbook = TORCH_TEXTBOOK.get(name)

        def forward(fn):
            with torch.no_grad():
                return median_time(lambda: fn(x), repeat)

        def both(fn):
            xr = x.detach().requires_grad_()

            def step():
                y = fn(xr)
                y.backward(g)
                xr.grad = None
            return median_time(step, repeat)

        # Inductor fuses the generated ops into one loop; the one-off compile is not timed.
        both_compiled = both(torch.compile(f, dynamic=False)) if compiled else None
        rows.append((name, forward(f), forward(native) if native else None, both(f),
                     both(native) if native else None, both(textbook) if textbook else None, both_compiled, copy))
    return rows


def numpy_rows(activations, n, dtype, repeat):
    x = (np.random.default_rng(0).standard_normal(n) * 3).astype(dtype)
    out = np.empty_like(x)
    y2 = np.ones_like(x)
    copy = median_time(lambda: np.copyto(out, x), repeat)
    add = median_time(lambda: np.add(x, y2, out=out), repeat)
    rows = [("copy (roofline)", copy, None, None, None, None, None, None),
            ("add (roofline)", add, None, None, None, None, None, None)]
    for name in activations:
        m = load(CATALOGUE[name], "numpy")
        f, df, fused = getattr(m, name), getattr(m, f"{name}_grad"), getattr(m, f"{name}_forward_and_grad")
        bound = CATALOGUE[name].bind()
        textbook = elementary(bound.expr)
        lam_f = sympy.lambdify(X, textbook, "numpy", cse=True)
        lam_both = sympy.lambdify(X, [textbook, sympy.diff(textbook, X)], "numpy", cse=True)
        hand = NUMPY_HAND.get(name)
        buffer = np.empty_like(x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                lam_f(x)
                lam_time = median_time(lambda: lam_f(x), repeat)
                lam_both_time = median_time(lambda: lam_both(x), repeat)
            except TypeError:  # lambdify printed math.erf, which rejects arrays
                lam_time = lam_both_time = None
            rows.append((name, median_time(lambda: f(x, out=buffer), repeat), lam_time,
                         median_time(lambda: hand(x), repeat) if hand else None,
                         median_time(lambda: fused(x), repeat), lam_both_time,
                         median_time(lambda: df(x, out=buffer), repeat), copy))
    return rows


def ratio(a, b):
    return f"{a / b:6.2f}" if a is not None and b else "     -"


def ms(t):
    return f"{t * 1e3:8.2f}" if t is not None else "       -"


def print_torch(rows, n, dtype):
    print(f"\n## PyTorch, n = {n:.0e}, {dtype}, 1 thread (ms; ratios generated / baseline)")
    print(f"{'activation':18} {'fwd gen':>8} {'fwd nat':>8} {'ratio':>6} | {'f+b gen':>8} {'f+b nat':>8} "
          f"{'ratio':>6} {'f+b txt':>8} {'ratio':>6} | {'f+b cmp':>8} {'/ nat':>6} | {'x copy':>6}")
    for name, fg, fn, bg, bn, bt, bc, copy in rows:
        if copy is None:
            print(f"{name:18} {ms(fg)}")
            continue
        print(f"{name:18} {ms(fg)} {ms(fn)} {ratio(fg, fn)} | {ms(bg)} {ms(bn)} {ratio(bg, bn)} {ms(bt)} "
              f"{ratio(bg, bt)} | {ms(bc)} {ratio(bc, bn)} | {ratio(bg, copy)}")
    eager = [bg / bn for _, _, _, bg, bn, _, _, copy in rows if copy is not None and bn]
    if eager:
        print(f"eager f+b / native over {len(eager)} entries with a native op: median "
              f"{statistics.median(eager):.2f}, at or below 1: {sum(r <= 1 for r in eager)}")
    compiled = [bc / bn for _, _, _, _, bn, _, bc, copy in rows if copy is not None and bc and bn]
    if compiled:
        print(f"compiled f+b / native over {len(compiled)} entries with a native op: median "
              f"{statistics.median(compiled):.2f}, at or below 1: {sum(r <= 1 for r in compiled)}")


def print_numpy(rows, n, dtype):
    print(f"\n## NumPy, n = {n:.0e}, {dtype} (ms; ratios generated / baseline)")
    print(f"{'activation':18} {'f gen':>8} {'lambdify':>8} {'ratio':>6} {'hand':>8} {'ratio':>6} | "
          f"{'f+df gen':>8} {'lambdify':>8} {'ratio':>6} | {'df gen':>8} | {'x copy':>6}")
    for name, fg, fl, fh, bg, bl, dg, copy in rows:
        if copy is None:
            print(f"{name:18} {ms(fg)}")
            continue
        print(f"{name:18} {ms(fg)} {ms(fl)} {ratio(fg, fl)} {ms(fh)} {ratio(fg, fh)} | {ms(bg)} {ms(bl)} "
              f"{ratio(bg, bl)} | {ms(dg)} | {ratio(fg, copy)}")


def print_errors():
    """Per rule: ulp error of the formula as written and of the generated
    code at the rule's witnesses (float64), against mpmath at 1000 digits."""
    import mpmath

    from symact.activation import define

    from symact.activation import Parameter
    from symact.codegen.rules import FINAL_RULES, RULES, elementary_form
    print("## Rewrite rules: float64 error at their witnesses (ulp; inf = not finite; parameters at 1)")
    print(f"{'rule':20} {'x':>10} {'as written':>12} {'generated':>10}")
    for rule in RULES + FINAL_RULES:
        parameters = sorted(rule.example.free_symbols - {X}, key=str)
        at_one = elementary_form(rule.example.subs({p: 1 for p in parameters}))
        exact_fn = sympy.lambdify(X, at_one, "mpmath")
        naive_fn = sympy.lambdify(X, at_one, "numpy")
        activation = define("example", rule.example, [Parameter(str(p), 1) for p in parameters])
        generated = getattr(load(activation, "numpy"), "example")
        for point in rule.witnesses:
            with mpmath.workdps(1000):
                exact = float(exact_fn(mpmath.mpf(point)))
            with np.errstate(all="ignore"):
                naive = float(naive_fn(np.float64(point)))
            got = float(generated(np.array([point]))[0])

            def ulps(v):
                if not math.isfinite(v):
                    return "inf"
                if v == exact:
                    return "0"
                return f"{abs(v - exact) / np.spacing(abs(np.float64(exact))):.3g}"
            print(f"{rule.name:20} {point:10.3g} {ulps(naive):>12} {ulps(got):>10}")


def print_accuracy(activations):
    """Max ulp error of the generated NumPy forward and gradient, float32 and
    float64, on the reference grid of tests/codegen_reference.py."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from codegen_reference import grid, reference, ulp_error

    print("## Generated NumPy: max ulp error vs mpmath (at x), 321 points per dtype")
    print(f"{'activation':14} {'f32 forward':>18} {'f32 gradient':>18} {'f64 forward':>18} {'f64 gradient':>18}")
    for name in activations:
        bound = CATALOGUE[name].bind()
        m = load(CATALOGUE[name], "numpy")
        cells = []
        for dtype in (np.float32, np.float64):
            x = grid(dtype)
            for kind, fn in (("forward", getattr(m, name)), ("gradient", getattr(m, f"{name}_grad"))):
                error = ulp_error(fn(x), reference(bound, x, kind), dtype)
                worst = int(np.nanargmax(error))
                cells.append(f"{error[worst]:8.3g} @ {float(x[worst]):<8.3g}")
        print(f"{name:14} " + " ".join(f"{c:>18}" for c in cells))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 1e6, float32, a few activations")
    parser.add_argument("--errors", action="store_true", help="print the rules' error table and exit")
    parser.add_argument("--accuracy", action="store_true", help="print the ulp table of generated NumPy and exit")
    parser.add_argument("--only", nargs="*", help="activations to time (default: the whole catalogue)")
    parser.add_argument("--compiled", action="store_true",
                        help="also time forward+backward under torch.compile (compiles each entry once)")
    parser.add_argument("--torch-only", action="store_true", help="skip the NumPy tables")
    parser.add_argument("--numpy-only", action="store_true", help="skip the PyTorch tables")
    parser.add_argument("--repeat", type=int, help="timed runs per median (default 7, --quick 5)")
    args = parser.parse_args(argv)
    if args.errors:
        print_errors()
        return 0
    if args.accuracy:
        print_accuracy(args.only or names())
        return 0
    torch.set_num_threads(1)
    activations = args.only or (["relu", "elu", "gelu", "gelu_tanh", "silu", "mish", "softplus", "log_sigmoid",
                                 "hardswish", "sigmoid"] if args.quick else names())
    sizes = [10 ** 6] if args.quick else [10 ** 6, 10 ** 7]
    dtypes = ["float32"] if args.quick else ["float32", "float64"]
    repeat = args.repeat or (5 if args.quick else 7)
    print(f"torch {torch.__version__}, numpy {np.__version__}, sympy {sympy.__version__}")
    for n in sizes:
        for dtype in dtypes:
            if not args.numpy_only:
                print_torch(torch_rows(activations, n, getattr(torch, dtype), repeat, args.compiled), n, dtype)
            if not args.torch_only:
                print_numpy(numpy_rows(activations, n, getattr(np, dtype), repeat), n, dtype)
    return 0


if __name__ == "__main__":
    sys.exit(main())
