"""In-place torch forward bodies: the same operations as the plain text, bitwise."""
from __future__ import annotations

import importlib

import pytest
import torch

from symact.catalogue import CATALOGUE, names
from symact.codegen import load, render
from symact.codegen.inplace import in_place_body
from symact.codegen.render import execute_source

# the module, which the package's ``render`` function shadows
render_module = importlib.import_module("symact.codegen.render")


def rewritten(*lines, parameters=()):
    return in_place_body(list(lines), list(parameters))


def test_fresh_values_and_last_reads_are_overwritten():
    assert rewritten("_t0 = torch.exp(x - 1)", "return _t0 * x") == [
        "_t0 = (x - 1).exp_()", "return _t0.mul_(x)"]
    # commutative operations write into whichever operand is fresh
    assert rewritten("return 2 * torch.tanh(x) + x") == ["return torch.tanh(x).mul_(2).add_(x)"]
    assert rewritten("return torch.clamp(x - 3, 0, 1).ceil_()") == ["return (x - 3).clamp_(0, 1).ceil_()"]
    assert rewritten("return -torch.exp(x)") == ["return torch.exp(x).neg_()"]
    # a helper with an in-place twin (IN_PLACE_HELPERS); never on x itself
    assert rewritten("return 2 * _expm1(x - 1)") == ["return _expm1_(x - 1).mul_(2)"]
    assert rewritten("return 2 * _expm1(x)") == ["return _expm1(x).mul_(2)"]


def test_operand_order_and_rounding_are_kept():
    # c - a = (-a) + c: negation is exact, the one rounding the same
    assert rewritten("return x - torch.exp(x)") == ["return torch.exp(x).neg_().add_(x)"]
    # a number over a tensor is reciprocal then product in torch (Tensor.__rdiv__): kept so
    assert rewritten("return 2 / torch.exp(x)") == ["return torch.exp(x).reciprocal_().mul_(2)"]
    # a tensor over a fresh tensor has no in-place form with one rounding: it allocates
    assert rewritten("return x / torch.exp(x)") == ["return x / torch.exp(x)"]


def test_values_still_read_are_not_overwritten():
    # read again by a later statement
    assert rewritten("_t0 = torch.exp(x)", "_t1 = _t0 + 1", "return _t1 * _t0") == [
        "_t0 = torch.exp(x)", "_t1 = _t0 + 1", "return _t1.mul_(_t0)"]
    # read twice in one statement: the first read is pending while the second is
    # evaluated, so _t0 + 1 is not written into _t0 (the product goes into the sum)
    assert rewritten("_t0 = torch.exp(x)", "return _t0 * (_t0 + 1)") == [
        "_t0 = torch.exp(x)", "return (_t0 + 1).mul_(_t0)"]
    # an alias is the same tensor
    assert rewritten("_c0 = torch.exp(x)", "_s0 = _c0", "_n0 = 1 - _c0", "return _s0 * _n0") == [
        "_c0 = torch.exp(x)", "_s0 = _c0", "_n0 = 1 - _c0", "return _n0.mul_(_s0)"]
    # x itself is the caller's tensor
    assert rewritten("return torch.exp(x)") == ["return torch.exp(x)"]


def test_a_parameter_the_tensor_does_not_involve_is_not_broadcast_into_it():
    # alpha may be a tensor larger than x: alpha * exp(x) must allocate
    assert rewritten("return alpha * torch.exp(x - 1)", parameters=["alpha"]) == [
        "return alpha * (x - 1).exp_()"]
    assert rewritten("_t0 = alpha * x", "return torch.exp(_t0) * alpha", parameters=["alpha"]) == [
        "_t0 = alpha * x", "return _t0.exp_().mul_(alpha)"]
    # x's dtype is not a value of x: sqrt(alpha) stays a 0-dim tensor, never written into
    assert rewritten("return x * torch.sqrt(torch.as_tensor(alpha, dtype=x.dtype))", parameters=["alpha"]) == [
        "return x * torch.sqrt(torch.as_tensor(alpha, dtype=x.dtype))"]


def _plain(name, monkeypatch):
    """The torch module of ``name`` rendered without the in-place rewrite."""
    with monkeypatch.context() as patch:
        patch.setattr(render_module, "in_place_body", lambda lines, parameters: lines)
        return execute_source(render(CATALOGUE[name], "torch"), name, "torch")


EDGES = [float("-inf"), -3.4e38, -1e10, -750.0, -100.0, -88.7, -20.0, -3.0, -1.0, -0.5, -1e-45, -0.0, 0.0,
         1e-45, 0.5, 1.0, 3.0, 20.0, 88.7, 750.0, 1e10, 3.4e38, float("inf"), float("nan")]


@pytest.mark.parametrize("name", names())
def test_in_place_forward_is_bitwise_the_plain_one(name, monkeypatch):
    """Every catalogue entry's forward, in place and as plain text, on edges,
    random points and a wide grid, float32 and float64: equal bit for bit
    (NaN where NaN), and the input is left unchanged."""
    fast, plain = load(CATALOGUE[name], "torch"), _plain(name, monkeypatch)
    defaults = [float(p.default) for p in CATALOGUE[name].params]
    generator = torch.Generator().manual_seed(1)
    for dtype in (torch.float32, torch.float64):
        x = torch.cat([torch.tensor(EDGES), torch.randn(2000, generator=generator, dtype=torch.float64) * 6,
                       torch.linspace(-800, 800, 2001, dtype=torch.float64)]).to(dtype)
        before = x.clone()
        got = getattr(fast, f"_{name}_forward")(x, *defaults)
        want = getattr(plain, f"_{name}_forward")(x.clone(), *defaults)
        assert torch.equal(x.nan_to_num(), before.nan_to_num()) and torch.equal(x.isnan(), before.isnan())
        assert got.dtype == want.dtype and torch.equal(got.isnan(), want.isnan())
        kept = ~got.isnan()
        assert torch.equal(got[kept], want[kept]) and torch.equal(got[kept].signbit(), want[kept].signbit())


@pytest.mark.parametrize("name", names())
def test_in_place_gradient_is_bitwise_the_plain_one(name):
    """The backward without create_graph takes ``_<name>_grad_in_place``
    (where the rewrite changed anything): the same values as ``<name>_grad``
    bit for bit, and so the same gradient as a backward with create_graph."""
    generated = load(CATALOGUE[name], "torch")
    defaults = [float(p.default) for p in CATALOGUE[name].params]
    generator = torch.Generator().manual_seed(2)
    for dtype in (torch.float32, torch.float64):
        x = torch.cat([torch.tensor(EDGES), torch.randn(2000, generator=generator, dtype=torch.float64) * 6,
                       torch.linspace(-800, 800, 2001, dtype=torch.float64)]).to(dtype)
        want = getattr(generated, f"{name}_grad")(x, *defaults)
        # (result, where compared): at x = NaN a constant slope's backward
        # (grad_output * 0) gives 0 where name_grad gives NaN
        results = []
        for create_graph in (False, True):
            leaf = x.clone().requires_grad_()
            value = getattr(generated, name)(leaf, *defaults)
            (grad,) = torch.autograd.grad(value, leaf, torch.ones_like(value), create_graph=create_graph)
            results.append((grad.detach(), ~x.isnan()))
        if hasattr(generated, f"_{name}_grad_in_place"):
            results.append((getattr(generated, f"_{name}_grad_in_place")(x.clone(), *defaults),
                            torch.ones_like(x, dtype=torch.bool)))
        for got, where in results:
            got, expected = got[where], want[where]
            assert got.dtype == expected.dtype and torch.equal(got.isnan(), expected.isnan()), name
            kept = ~got.isnan()
            assert torch.equal(got[kept], expected[kept]), name
            assert torch.equal(got[kept].signbit(), expected[kept].signbit()), name
