r"""Generated NumPy and PyTorch code for the vector activations of
``symact.vector`` (softmax family and gated family), along one axis.

``render_vector(entry, target)`` returns the source of a standalone module
(templates ``vector_numpy.py.j2`` / ``vector_torch.py.j2``) with

* ``name(x, axis=-1)``: the activation;
* ``name_vjp(x, grad_output, axis=-1)``: the vector-Jacobian product
  :math:`J^T g` a backward pass needs, the closed form of
  ``NormalizingActivation.vjp_closed_form`` (checked against the symbolic
  Jacobian at fixed n by ``symact.vector``):
  :math:`t\, s \odot (g - \langle g, s\rangle)` for softmax (t = 1) and
  softmin (t = -1) with :math:`s` the output, :math:`t\,(g - s \sum_i g_i)` for
  log-softmax with :math:`s = e^y`, and :math:`(g_a \odot \sigma(b),\;
  g_b \odot a \odot \sigma'(b))` for a gate :math:`\sigma`;
* torch only: ``<Camel>Function`` (an autograd Function whose backward is that
  product in differentiable torch ops: softmax and log-softmax save their
  output, the gated family its input) and the module ``<Camel>(axis=-1)``.

Numerics: the softmax family subtracts the maximum (no exp overflows) and
carries the rounding error of that subtraction (TwoSum), sums the
exponentials without the terms equal to 1 so that
:math:`\log \sum_j e^{d_j} = \operatorname{log1p}(r)` keeps its relative
accuracy, and float16/bfloat16/float32 inputs compute in float64 and round
once. The gates are the *elementwise* generated code of their catalogue
entries (``symact.codegen.lowering.lower`` printed by the same printers and
helper partials as the elementwise modules), so GeGLU's GELU is the verified
GELU.
"""
from __future__ import annotations

import types

import sympy

from symact.catalogue import CATALOGUE
from symact.codegen.emit import numpy_body, torch_body
from symact.codegen.lowering import lower
from symact.codegen.printers import CodegenError, NumpyCodePrinter, TorchCodePrinter
from symact.codegen.render import (TARGETS, camel_name, default_literal, execute_source, template_environment,
                                   tidy_blank_lines)
from symact.parsing import X
from symact.vector import VECTOR_CATALOGUE, GatedActivation, NormalizingActivation

# (x, grad_output) of the docstring examples, per family
NUMPY_EXAMPLE = {"softmax": ("np.array([1.0, 2.0, 3.0])", "np.array([1.0, 0.0, 0.0])"),
                 "gated": ("np.array([1.0, -2.0, 0.5, 3.0])", "np.array([1.0, 1.0])")}
TORCH_EXAMPLE = {"softmax": ("torch.tensor([1.0, 2.0, 3.0])", "torch.tensor([1.0, 0.0, 0.0])"),
                 "gated": ("torch.tensor([1.0, -2.0, 0.5, 3.0])", "torch.tensor([1.0, 1.0])")}


def _latex(expr: sympy.Expr) -> str:
    return sympy.latex(expr).replace("\n", " ")


def formulas(entry) -> tuple[str, str]:
    """(forward, vector-Jacobian product) of ``entry`` as LaTeX lines."""
    if isinstance(entry, NormalizingActivation):
        forward = f"y_i = {_latex(entry.output())}"
        t = "" if entry.sign == 1 else "-"
        if entry.logarithmic:
            return forward, rf"(J^T g)_k = {t}\left(g_k - s_k \sum_i g_i\right), \quad s = e^{{y}}"
        return forward, rf"(J^T g)_k = {t}s_k \left(g_k - \sum_i g_i s_i\right), \quad s = y"
    gate = _latex(CATALOGUE[entry.gate].expr.subs(X, sympy.Symbol("b")))
    slope = _latex(sympy.diff(CATALOGUE[entry.gate].expr, X).subs(X, sympy.Symbol("b")))
    return (rf"y = a \odot \sigma(b), \quad [a, b] = x, \quad \sigma(b) = {gate}",
            rf"J^T g = \left(g \odot \sigma(b),\; g \odot a \odot \sigma'(b)\right), \quad \sigma'(b) = {slope}")


def _docstring(entry, summary: str, args: list[str], returns: str, example: str) -> str:
    forward, vjp = formulas(entry)
    lines = [summary, "", ".. math::", "", f"   {forward}", "", f"   {vjp}", "",
             f"Reference: {entry.citation}.", ""]
    if entry.notes:
        lines += [f"Note: {entry.notes}", ""]
    lines += ["Args:"] + [f"  {a}" for a in args] + ["", "Returns:", f"  {returns}"]
    if example:
        lines += ["", "Example:", ""] + [f"  {e}" for e in example.splitlines()]
    return "\n".join(lines).replace('"""', "'''")


def _gate_code(entry, target: str) -> dict:
    """The gate's elementwise forward and derivative bodies for ``target``."""
    if not isinstance(entry, GatedActivation):
        return {"gate": "", "gate_params": [], "gate_forward": [], "gate_gradient": [], "helpers": []}
    activation = CATALOGUE[entry.gate]
    lowering = lower(activation)
    if target == "numpy":
        printer = NumpyCodePrinter()
        params = [f"{p.name} = np.asarray({default_literal(p)}, dtype=x.dtype)" for p in activation.params]
        forward = numpy_body(lowering, [("out", "forward")], printer)
        gradient = numpy_body(lowering, [("out", "gradient")], printer)
    else:
        printer = TorchCodePrinter()
        params = [f"{p.name} = {default_literal(p)}" for p in activation.params]
        lines, (value,) = torch_body(lowering, ["forward"], printer)
        forward = lines + [f"return {value}"]
        lines, (value,) = torch_body(lowering, ["gradient"], printer)
        gradient = lines + [f"return {value}"]
    return {"gate": entry.gate, "gate_params": params, "gate_forward": forward, "gate_gradient": gradient,
            "helpers": sorted(printer.helpers_used)}


def _text(entry, target: str, examples: dict[str, str]) -> str:
    name, camel = entry.name, camel_name(entry.name)
    array = "an array" if target == "numpy" else "a tensor"
    x_arg = f"x: input {array[array.index(' ') + 1:]} (any floating dtype)."
    axis_arg = ("axis: the axis the activation acts along (default -1)." if entry.family == "softmax" else
                "axis: the axis split in two halves [a, b] (default -1); its length must be even.")
    g_arg = f"grad_output: the upstream gradient g, {array} of the output's shape."
    out_shape = "of x's shape" if entry.family == "softmax" else "of x's shape with axis halved"
    gate = _gate_code(entry, target)
    helpers = gate.pop("helpers")
    context = {
        "name": name, "camel": camel, "family": entry.family,
        "sign": getattr(entry, "sign", 1), "logarithmic": getattr(entry, "logarithmic", False),
        "source": f"vector catalogue entry '{name}'",
        "title": f"{name}: {entry.description}",
        "summary": f"Definition: {entry.formula}",
        "helpers": helpers,
        "uses_functional": bool(helpers) or any("F." in line for line in gate["gate_forward"] + gate["gate_gradient"]),
        **gate,
        "forward_doc": _docstring(entry, entry.description, [x_arg, axis_arg], f"y, {array} {out_shape} "
                                  f"and x's dtype.", examples.get(name, "")),
        "vjp_doc": _docstring(entry, f"The vector-Jacobian product J^T g of {name} along axis, exact closed form.",
                              [x_arg, g_arg, axis_arg], f"J^T g, {array} of x's shape and dtype.",
                              examples.get(f"{name}_vjp", "")),
        "function_doc": _docstring(entry, f"Autograd Function of {name}: backward is the exact vector-Jacobian "
                                   f"product in differentiable torch ops (double backward works).",
                                   [x_arg, axis_arg], "y; ``backward`` returns J^T g for x.",
                                   examples.get(f"{camel}Function", "")),
        "module_doc": _docstring(entry, f"{entry.description} As a module.", [axis_arg],
                                 "a module applying the activation along axis.", examples.get(camel, "")),
    }
    return template_environment().get_template(f"vector_{target}.py.j2").render(**context)


def _examples(entry, target: str, module: types.ModuleType) -> dict[str, str]:
    name, camel = entry.name, camel_name(entry.name)
    if target == "numpy":
        import numpy as np

        x, g = NUMPY_EXAMPLE[entry.family]
        calls = {name: f"{name}({x})", f"{name}_vjp": f"{name}_vjp({x}, {g})"}
        namespace, prefix = {"np": np, **vars(module)}, "import numpy as np"
    else:
        import torch

        x, g = TORCH_EXAMPLE[entry.family]
        calls = {name: f"{name}({x})", f"{name}_vjp": f"{name}_vjp({x}, {g})",
                 camel: f"{camel}()({x})", f"{camel}Function": f"{camel}Function.apply({x}, -1)"}
        namespace, prefix = {"torch": torch, **vars(module)}, "import torch"
    examples = {}
    for key, call in calls.items():
        value = eval(call, namespace)  # generated code at fixed sample points
        examples[key] = f">>> {prefix}\n>>> {call}\n{value!r}"
    return examples


def render_vector(entry: NormalizingActivation | GatedActivation, target: str) -> str:
    """Source of a standalone module implementing the vector activation
    ``entry`` for ``target`` ("numpy" or "torch"); no I/O."""
    if target not in TARGETS:
        raise CodegenError(f"unknown target '{target}'; choose one of {', '.join(TARGETS)}")
    draft = execute_source(_text(entry, target, {}), entry.name, target)
    return tidy_blank_lines(_text(entry, target, _examples(entry, target, draft)))


def load_vector(entry: NormalizingActivation | GatedActivation, target: str) -> types.ModuleType:
    """``render_vector(entry, target)`` executed as a fresh module."""
    return execute_source(render_vector(entry, target), entry.name, target)


def vector_names() -> list[str]:
    """The vector catalogue's names, sorted."""
    return sorted(VECTOR_CATALOGUE)


__all__ = ["formulas", "load_vector", "render_vector", "vector_names"]
