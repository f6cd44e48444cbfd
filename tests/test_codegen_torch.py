"""Generated PyTorch code, for every catalogue entry."""
from __future__ import annotations

import math
import os
from functools import lru_cache

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from symact.catalogue import CATALOGUE, names
from symact.codegen import camel_name, load

# Test data, not generation logic: torch's own implementation of entries it
# has, called with the entry's default parameters.
TORCH_NATIVE = {
    "relu": F.relu, "relu6": F.relu6, "elu": F.elu, "selu": F.selu, "celu": F.celu,
    "leaky_relu": F.leaky_relu, "prelu": lambda x: F.prelu(x, torch.tensor([0.25], dtype=x.dtype)),
    "gelu": F.gelu, "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"), "silu": F.silu,
    "mish": F.mish, "softplus": F.softplus, "softsign": F.softsign, "hardtanh": F.hardtanh,
    "hardsigmoid": F.hardsigmoid, "hardswish": F.hardswish, "log_sigmoid": F.logsigmoid,
    "softshrink": F.softshrink, "hardshrink": F.hardshrink, "tanhshrink": F.tanhshrink,
    "sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda x: x,
    "threshold": lambda x: F.threshold(x, 1.0, 0.0),
}


@lru_cache(maxsize=None)
def module(name):
    return load(CATALOGUE[name], "torch")


def away_from_breakpoints(name, n=24, seed=0, scale=4.0):
    """Random float64 points at least 1e-3 from every breakpoint (finite
    differences across a kink are not a derivative)."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=generator, dtype=torch.float64) * scale
    for point in CATALOGUE[name].bind().pieces.breakpoints:
        c = float(point)
        x = torch.where((x - c).abs() < 1e-3, x + 0.01, x)
    return x


@pytest.mark.parametrize("name", names())
def test_gradcheck_and_gradgradcheck_in_float64(name):
    f = getattr(module(name), name)
    x = away_from_breakpoints(name).requires_grad_()
    assert torch.autograd.gradcheck(f, (x,))
    assert torch.autograd.gradgradcheck(f, (x,))


@pytest.mark.parametrize("name", [n for n in names() if CATALOGUE[n].params])
def test_parameter_gradients_pass_gradcheck(name):
    activation = CATALOGUE[name]
    f = getattr(module(name), name)
    x = away_from_breakpoints(name).requires_grad_()
    parameters = [torch.tensor(float(p.default), dtype=torch.float64, requires_grad=True)
                  for p in activation.params]
    assert torch.autograd.gradcheck(f, (x, *parameters))
    assert torch.autograd.gradgradcheck(f, (x, *parameters))


@pytest.mark.parametrize("name", names())
def test_grad_function_is_the_autograd_gradient(name):
    m = module(name)
    x = away_from_breakpoints(name).requires_grad_()
    (slope,) = torch.autograd.grad(getattr(m, name)(x).sum(), x)
    torch.testing.assert_close(slope, getattr(m, f"{name}_grad")(x.detach()), rtol=0, atol=0)


@pytest.mark.parametrize("name", sorted(set(TORCH_NATIVE) & set(names())))
def test_agrees_with_torch_native(name):
    m = module(name)
    x = torch.linspace(-8, 8, 161, dtype=torch.float64).requires_grad_()
    ours = getattr(m, name)(x)
    native = TORCH_NATIVE[name](x)
    torch.testing.assert_close(ours, native, rtol=1e-12, atol=1e-14)
    (g_ours,) = torch.autograd.grad(ours.sum(), x)
    (g_native,) = torch.autograd.grad(native.sum(), x)
    # rtol 1e-7: torch's float64 hardsigmoid backward multiplies by a float32 1/6
    # (pinned below); ours is exact. Accuracy itself is tested against mpmath.
    torch.testing.assert_close(g_ours, g_native, rtol=1e-7, atol=1e-14)


def test_torch_float64_hardsigmoid_backward_uses_a_float32_sixth():
    x = torch.tensor([0.5], dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(F.hardsigmoid(x).sum(), x)
    assert slope.item() == float(np.float32(1 / 6))
    assert module("hardsigmoid").hardsigmoid_grad(x.detach()).item() == 1 / 6


@pytest.mark.parametrize("name", names())
def test_agrees_with_generated_numpy(name):
    # rtol 1e-11: the NumPy Phi corrects the rounding of -x/sqrt(2) in the far
    # tail (gelu(-29) differs by 1e-13 relative); torch's erfc does not.
    x = np.linspace(-30, 30, 241)
    numpy_module = load(CATALOGUE[name], "numpy")
    torch_module = module(name)
    np.testing.assert_allclose(getattr(torch_module, name)(torch.from_numpy(x)).numpy(),
                               getattr(numpy_module, name)(x), rtol=1e-11, atol=1e-300)
    np.testing.assert_allclose(getattr(torch_module, f"{name}_grad")(torch.from_numpy(x)).numpy(),
                               getattr(numpy_module, f"{name}_grad")(x), rtol=1e-11, atol=1e-300)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32], ids=str)
@pytest.mark.parametrize("name", names())
def test_low_precision_inputs_are_accepted(name, dtype):
    m = module(name)
    x64 = torch.linspace(-6, 6, 49, dtype=torch.float64)
    x = x64.to(dtype).requires_grad_()
    y = getattr(m, name)(x)
    (slope,) = torch.autograd.grad(y.sum(), x)
    assert y.dtype == slope.dtype == dtype
    tolerance = {torch.float16: 4e-3, torch.bfloat16: 3e-2, torch.float32: 1e-6}[dtype]
    reference = getattr(m, name)(x.detach().to(torch.float64))
    torch.testing.assert_close(y.to(torch.float64), reference, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
@pytest.mark.parametrize("name", names())
def test_low_precision_infinities_give_the_float64_limits(name, dtype):
    """At x = +-inf, float16 and bfloat16 give f and f' of float64 rounded,
    to one rounding of the narrow arithmetic (lecun_tanh's 1.7159 tanh): the
    limits, whether corrected by a mask or computed at the largest finite
    float of the narrow dtype (``EdgeValues.finite_sides``, probed there)."""
    m = module(name)
    x = torch.tensor([float("-inf"), float("inf")], dtype=dtype)
    for fn in (getattr(m, name), getattr(m, f"{name}_grad")):
        expected = fn(x.to(torch.float64)).to(dtype)
        got = fn(x)
        assert got.dtype == dtype
        torch.testing.assert_close(got, expected, rtol=torch.finfo(dtype).eps, atol=0, equal_nan=True)


@pytest.mark.parametrize("name", names())
def test_backward_saves_at_most_one_tensor(name):
    f = getattr(module(name), name)
    saved = []
    x = away_from_breakpoints(name).requires_grad_()
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        y = f(x)
    assert len(saved) <= 1
    # the saved tensor is the input or the output, never an intermediate
    assert all(t is x or t.data_ptr() == y.data_ptr() for t in saved)


def test_relu_backward_keeps_the_output_and_identity_keeps_nothing():
    for name, expected in (("relu", 1), ("identity", 0), ("elu", 1)):
        saved = []
        x = torch.randn(5, requires_grad=True)
        with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
            y = getattr(module(name), name)(x)
        assert len(saved) == expected
        if name == "relu":
            assert saved[0].data_ptr() == y.data_ptr()
        if name == "elu":
            assert saved[0] is x


@pytest.mark.parametrize("name", names())
def test_module_parameters(name):
    activation = CATALOGUE[name]
    layer = getattr(module(name), camel_name(name))()
    learnable = {p.name for p in activation.params if p.learnable}
    assert {n for n, _ in layer.named_parameters()} == learnable
    x = away_from_breakpoints(name, n=8).to(torch.float32).requires_grad_()
    layer(x).sum().backward()
    assert x.grad is not None
    for _, parameter in layer.named_parameters():
        assert parameter.grad is not None and parameter.grad.shape == parameter.shape


def test_prelu_slope_gradient_is_the_sum_of_negative_inputs():
    layer = module("prelu").Prelu()
    x = torch.tensor([-2.0, -0.5, 1.0, 3.0])
    layer(x).sum().backward()
    assert layer.a.grad.item() == pytest.approx(-2.5)


def test_simple_cnn_with_generated_relu_matches_nn_relu():
    """The example the project started from (shared/seed): a Conv2d 1->16,
    kernel 3, with the generated ReLU module instead of nn.ReLU."""
    Relu = module("relu").Relu

    class SimpleCNN(torch.nn.Module):
        def __init__(self, activation):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(1, 16, kernel_size=3)
            self.relu = activation

        def forward(self, x):
            return self.relu(self.conv1(x))

    torch.manual_seed(0)
    ours = SimpleCNN(Relu())
    native = SimpleCNN(torch.nn.ReLU())
    native.load_state_dict(ours.state_dict())
    image = torch.randn(1, 1, 28, 28)
    out = ours(image)
    assert out.shape == (1, 16, 26, 26)
    assert torch.equal(out, native(image))
    out.sum().backward()
    native(image).sum().backward()
    assert torch.equal(ours.conv1.weight.grad, native.conv1.weight.grad)


def _constant_slope(name):
    from symact.codegen.lowering import output_slope

    slope = output_slope(CATALOGUE[name])
    return slope is not None and slope.constant is not None


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("name", names())
def test_nan_and_infinities_match_the_generated_numpy_edges(name, dtype):
    """At NaN and +-inf the functional, ``_grad`` and the autograd backward
    give what the NumPy code gives (checked against mpmath limits in
    test_codegen_numpy.py): NaN in gives NaN out (the backward too, except
    where f' is a constant and nothing is saved), and the limits at +-inf."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_codegen_numpy import module as numpy_module

    m, reference = module(name), numpy_module(name)
    x = torch.tensor([float("nan"), float("-inf"), float("inf")], dtype=dtype, requires_grad=True)
    y = getattr(m, name)(x)
    (backward,) = torch.autograd.grad(y.sum(), x)
    expected_f = getattr(reference, name)(x.detach().numpy())
    expected_df = getattr(reference, f"{name}_grad")(x.detach().numpy())
    np.testing.assert_array_equal(y.detach().numpy(), expected_f)
    np.testing.assert_array_equal(getattr(m, f"{name}_grad")(x.detach()).numpy(), expected_df)
    if _constant_slope(name):
        backward, expected_df = backward[1:], expected_df[1:]
    np.testing.assert_array_equal(backward.numpy(), expected_df)


@pytest.mark.parametrize("name", ["silu", "gelu", "gelu_tanh", "hardswish", "mish", "elu"])
def test_compiles_as_one_graph_and_matches_eager(name):
    """torch.compile(fullgraph=True) traces the generated function, forward
    and backward, without a graph break (no data_ptr or .item() in the
    helpers), and the fused kernels agree with eager execution to rounding
    (Inductor's own exp/expm1 and operation order differ by a few ULP, more
    next to a zero of f', such as mish' at -1.19)."""
    eager, compiled = _eager_and_compiled(name, torch.linspace(-6, 6, 1001, dtype=torch.float64))
    torch.testing.assert_close(compiled, eager, rtol=1e-12, atol=1e-15)


def test_compiled_sigmoid_keeps_the_tail_that_torch_sigmoid_flushes():
    """Under torch.compile, ``_sigmoid_scaled`` is one exp and a select; SiLU
    and its slope stay normal numbers below -88.72 in float32 (x sigma(x) =
    -7.37e-38 at -90, where torch.sigmoid(-90) is 0), as eagerly. Below -87.3
    sigma is subnormal: Inductor's exp and torch's may round it one step of
    1.4e-45 apart, which x (|x| <= 103) scales to at most 1.5e-43."""
    x = torch.tensor([-103.0, -95.0, -90.0, -88.8, -20.0, 0.0, 20.0], dtype=torch.float32)
    eager, compiled = _eager_and_compiled("silu", x)
    assert (compiled[:, :5] != 0).all()
    torch.testing.assert_close(compiled, eager, rtol=4 * torch.finfo(torch.float32).eps, atol=1.5e-43)


def test_inductor_lowers_expm1_to_exp_minus_one_on_cpu():
    """Pins the upstream defect the generated ``_expm1`` works around: torch
    2.13's Inductor compiles expm1 as exp(z) - 1 on CPU (pytorch#189803,
    fixed upstream by pytorch#190533) in its vectorised loop, so expm1(-1e-10)
    is 0 (a tensor of 64, not a scalar tail). When this fails, torch has the
    fix and ``_expm1_compiled`` can go."""
    torch._dynamo.reset()
    compiled = torch.compile(lambda z: torch.expm1(z), fullgraph=True, dynamic=False)
    assert (compiled(torch.full((64,), -1e-10, dtype=torch.float32)) == 0).all()


@pytest.mark.parametrize("name", ["elu", "celu", "selu"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_compiled_expm1_entries_keep_their_digits_near_zero(name, dtype):
    """Compiled ELU, CELU and SELU (through ``_expm1``: Kahan's
    (u - 1) z / log(u) under torch.compile) agree with eager within 2 ulp
    from -1e-30 to the saturation, where exp(z) - 1 gave 0 at -1e-10 and
    lost 1% at -1e-6 in float32. Forward and the autograd backward."""
    x = -torch.cat([torch.logspace(-30, 1.5, 64, dtype=torch.float64), torch.tensor([0.99, 1.0, 1.01, 100.0],
                                                                                      dtype=torch.float64)])
    eager, compiled = _eager_and_compiled(name, x.to(dtype))
    assert (compiled[0] != 0).all()
    torch.testing.assert_close(compiled, eager, rtol=2 * torch.finfo(dtype).eps, atol=0)


def test_inductor_float32_erf_loses_its_digits_near_zero():
    """Pins the upstream defect the generated ``_erf`` works around: torch
    2.13's Inductor float32 erf (CPU, vectorised loop) is 0 at 1e-30 and 5%
    off at 1e-6, where erf(z) = 2 z / sqrt(pi) to float32 precision. When
    this fails, ``_erf`` can drop its float64 detour."""
    torch._dynamo.reset()
    compiled = torch.compile(lambda z: torch.special.erf(z), fullgraph=True, dynamic=False)
    got = compiled(torch.full((64,), 1e-6, dtype=torch.float32))
    assert abs(float(got[0]) / (2e-6 / math.sqrt(math.pi)) - 1) > 0.01


def test_compiled_serf_keeps_its_digits_in_the_negative_tail():
    """Compiled SERF = x erf(softplus(x)) goes through ``_erf`` (float64 under
    torch.compile for narrower inputs): within 2 ulp of eager in float32 down
    to x = -60, where softplus is 8.8e-27 (Inductor's float32 erf was 1.5e7
    ulp off at -30)."""
    x = -torch.cat([torch.logspace(-6, math.log10(60), 64, dtype=torch.float64), torch.tensor([0.5, 1.0])])
    eager, compiled = _eager_and_compiled("serf", x.to(torch.float32))
    torch.testing.assert_close(compiled, eager, rtol=2 * torch.finfo(torch.float32).eps, atol=0)


RUN_SLOW = os.environ.get("SYMACT_SLOW_TESTS") == "1"
COMPILE_POINTS = [-100.0, -30.0, -10.0, -3.0, -1.0, -0.3, -1e-3, -1e-6, -1e-10, -1e-30, 0.0,
                  1e-30, 1e-10, 1e-6, 1e-3, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]


@pytest.mark.slow
@pytest.mark.skipif(not RUN_SLOW, reason="compiles every entry twice (about 5 min): set SYMACT_SLOW_TESTS=1")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("name", names())
def test_every_entry_compiled_matches_eager(name, dtype):
    """Each entry under torch.compile(fullgraph=True), forward and autograd
    backward, within 64 eps of eager (differences below the smallest normal
    number aside: subnormal results round apart), at points from -100 to 100
    through 1e-30, repeated so that Inductor's vectorised loop runs. Found
    the expm1 and float32 erf lowerings that ``_expm1`` and ``_erf`` avoid
    (ELU(-1e-10) compiled was 0, SERF(-30) 1.5e7 ulp off)."""
    x = torch.tensor(COMPILE_POINTS * 4, dtype=dtype)
    torch._dynamo.reset()
    eager, compiled = _eager_and_compiled(name, x)
    torch.testing.assert_close(compiled, eager, rtol=64 * torch.finfo(dtype).eps, atol=torch.finfo(dtype).tiny,
                               equal_nan=True)


def _eager_and_compiled(name, x):
    """(f(x), f'(x) by autograd) of entry ``name``, eager and under
    torch.compile(fullgraph=True), each as one stacked tensor."""
    function = getattr(module(name), name)
    compiled = torch.compile(function, fullgraph=True, dynamic=False)
    results = []
    for run in (function, compiled):
        leaf = x.clone().requires_grad_()
        value = run(leaf)
        value.sum().backward()
        results.append(torch.stack([value.detach(), leaf.grad]))
    return results


EDGES = [float("-inf"), -3.4028234663852886e38, -3.0, -1.0, -0.5, -1e-45, -0.0, 0.0, 1e-45, 1e-300, 0.5, 1.0,
         3.0, 3.4028234663852886e38, float("inf"), float("nan")]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("condition, expected", [
    ("x > 0", lambda x: x > 0), ("x >= 1/2", lambda x: x >= 0.5), ("x < -3", lambda x: x < -3),
    ("x <= 3", lambda x: x <= 3), ("Eq(x, 0)", lambda x: x == 0), ("Ne(x, 1)", lambda x: x != 1),
    ("-x > 1", lambda x: -x > 1), ("(x > -1) & (x < 1)", lambda x: (x > -1) & (x < 1)),
    ("(x < -1) | (x > 1)", lambda x: (x < -1) | (x > 1)), ("~(x > 0)", lambda x: ~(x > 0)),
])
def test_indicator_masks_are_the_comparisons_as_floats_and_keep_nan(condition, expected, dtype):
    """``TorchCodePrinter.indicator`` (clamp and ceil, no bool tensor) gives
    exactly the 0/1 of the comparison at zeros of both signs, subnormals, the
    largest floats and infinities, and NaN (not 0) at NaN, so a piecewise
    body needs no NaN correction afterwards."""
    import sympy

    from symact.codegen.printers import TorchCodePrinter
    from symact.parsing import X

    text = TorchCodePrinter().indicator(sympy.sympify(condition, locals={"x": X}))
    x = torch.tensor(EDGES, dtype=dtype)
    mask = eval(text, {"torch": torch, "x": x})  # noqa: S307 - text printed by symact from a fixed condition
    nan = torch.isnan(x)
    assert torch.isnan(mask[nan]).all(), text
    assert torch.equal(mask[~nan], expected(x[~nan]).to(dtype)), (text, mask[~nan])
    assert "<" not in text and ">" not in text and "==" not in text, text


@pytest.mark.parametrize("name", ["gelu", "probit"])
def test_compiled_float32_gaussian_cdf_agrees_with_eager(name):
    """``_gaussian_cdf`` evaluates float32 in float64 eagerly but takes the
    compensated float32 form under torch.compile (Inductor's float64 erfc is
    scalar); both are accurate, so they agree to float32 rounding, tails included."""
    eager, compiled = _eager_and_compiled(name, torch.linspace(-14, 6, 2001, dtype=torch.float32))
    torch.testing.assert_close(compiled, eager, rtol=2e-6, atol=1e-40)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("entry, helper, extra", [
    ("silu", "_sigmoid_scaled", ()), ("gelu", "_gaussian_cdf", ()), ("gelu", "_exp_neg_square", (0.5,)),
    ("tanhshrink", "_tanh_remainder", ()), ("mish", "_tanh_softplus", ()), ("mish", "_tanh_softplus_slope", ()),
], ids=lambda v: v if isinstance(v, str) else "")
def test_in_place_helpers_are_bitwise_the_recorded_ones(entry, helper, extra, dtype):
    """Helpers work in place when autograd does not record their argument,
    and out of place (differentiable) when it does: the same operations, so
    the values agree bit for bit, subnormals and edges included; the argument
    itself is left unchanged."""
    function = getattr(module(entry), helper)
    z = torch.cat([torch.tensor(EDGES + [-100.0]), torch.linspace(-760, 60, 8201, dtype=torch.float64),
                   torch.linspace(-2, 2, 4001, dtype=torch.float64)]).to(dtype)
    before = z.clone()
    in_place = function(z, *extra)
    recorded = function(z.clone().requires_grad_(), *extra).detach()
    assert torch.equal(z[~z.isnan()], before[~before.isnan()])
    assert torch.equal(in_place.isnan(), recorded.isnan())
    finite = ~in_place.isnan()
    assert torch.equal(in_place[finite], recorded[finite])
    if helper == "_sigmoid_scaled" and dtype != torch.float16:
        assert torch.all(in_place[z == -100] > 0)  # exp(-100), subnormal in float32, not flushed
