r"""Render an activation to standalone NumPy or PyTorch source, and load it.

``render`` returns source text and does no I/O; ``load`` executes that text
as a fresh module. Rendering is deterministic: the same activation gives the
same bytes (no timestamps, sorted and stable choices everywhere).

Doctests in the generated docstrings show real outputs: the module is first
rendered without them, executed, and its outputs at a few sample points are
written into the final text.
"""
from __future__ import annotations

import keyword
import re
import types
from functools import lru_cache
from importlib import resources

import jinja2
import sympy

from symact.activation import Activation
from symact.codegen.emit import edges_after_clamp, finite_sides, numpy_body, torch_body, torch_edges
from symact.codegen.inplace import in_place_body
from symact.codegen.lowering import EdgeValues, Lowering, limit_at_infinity, lower, output_slope
from symact.codegen.printers import CodegenError, NumpyCodePrinter, TorchCodePrinter
from symact.parsing import X
from symact.pieces import to_piecewise_form

TARGETS = ("numpy", "torch")
SAMPLE_POINTS = "[-2.0, -0.5, 0.0, 0.5, 2.0]"
RESERVED = {"x", "out", "np", "math", "torch", "nn", "F", "ctx", "grad_output", "grad_x", "parameters",
            "tensors", "self", "super"}


SINC_SLOPE_TERMS = 10  # enough below |z| = 1.5 for float64 (measured: 8 terms lose 230 ulp at 1.3)


def sinc_slope_series(terms: int = SINC_SLOPE_TERMS) -> str:
    r"""The coefficients :math:`c_k = (-1)^k 2k / (2k+1)!`, k = 1..terms, of
    :math:`\mathrm{sinc}'(z) = \sum_k c_k z^{2k-1}`, as a Python tuple literal
    of doubles (each the exact rational rounded once)."""
    from fractions import Fraction
    from math import factorial

    values = [float(Fraction((-1) ** k * 2 * k, factorial(2 * k + 1))) for k in range(1, terms + 1)]
    return "(\n    " + ",\n    ".join(repr(v) for v in values) + ",\n)"


def camel_name(name: str) -> str:
    """``leaky_relu`` -> ``LeakyRelu``: the class names of the torch module."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


@lru_cache(maxsize=1)
def template_environment() -> jinja2.Environment:
    """The jinja2 environment of ``symact/templates`` (strict undefined names,
    no autoescaping, trailing newlines kept): every generated file's templates."""
    loader = jinja2.FunctionLoader(
        lambda name: resources.files("symact").joinpath("templates", name).read_text(encoding="utf-8"))
    return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              autoescape=False)


def _check_names(activation: Activation) -> None:
    for label in (activation.name, *(p.name for p in activation.params)):
        if keyword.iskeyword(label) or label in RESERVED:
            raise CodegenError(f"'{label}' cannot be a name in generated code (a Python keyword or a name "
                               f"the generated code uses); rename it")


def _source(activation: Activation) -> str:
    from symact.catalogue import lookup

    if lookup(activation.name) is activation:
        return f"catalogue entry '{activation.name}'"
    return f"user definition '{activation.name}'"


def _latex(expr: sympy.Expr) -> str:
    return sympy.latex(expr).replace("\n", " ")


def default_literal(parameter) -> str:
    """A parameter's default as the Python float literal generated code uses."""
    return repr(float(parameter.default))


def _docstring(activation: Activation, summary: str, args: list[str], returns: str, example: str,
               math: bool = True) -> str:
    lines = [summary, ""]
    if math:
        f = activation.expr
        df = sympy.diff(to_piecewise_form(f), X)
        lines += [".. math::", "", f"   f(x) = {_latex(f)}", "",
                  f"   f'(x) = {_latex(df)}", ""]
    if activation.citation:
        lines += [f"Reference: {activation.citation}.", ""]
    if activation.notes:
        lines += [f"Note: {activation.notes}", ""]
    lines += ["Args:"] + [f"  {a}" for a in args]
    lines += ["", "Returns:", f"  {returns}"]
    if example:
        lines += ["", "Example:", ""] + [f"  {e}" for e in example.splitlines()]
    return "\n".join(lines).replace('"""', "'''")


def _param_args(activation: Activation, kind: str) -> list[str]:
    lines = ["x: input array." if kind == "numpy" else "x: input tensor (any floating dtype)."]
    for p in activation.params:
        extra = " Learnable." if p.learnable else ""
        what = f" {p.description[:1].upper()}{p.description[1:]}." if p.description else ""
        lines.append(f"{p.name}: default {default_literal(p)}, domain {p.domain_text}.{what}{extra}")
    return lines


class _Context:
    """Everything a template needs for one activation."""

    def __init__(self, activation: Activation, target: str):
        _check_names(activation)
        self.activation = activation
        self.lowering: Lowering = lower(activation)
        self.target = target
        self.name = activation.name
        self.params = [p.name for p in activation.params]

    def common(self) -> dict:
        a = self.activation
        return {
            "name": self.name,
            "camel": camel_name(self.name),
            "params": self.params,
            "source": _source(a),
            "catalogue": _source(a).startswith("catalogue"),
            "title": f"{self.name}: {a.description}" if a.description else self.name,
            "summary": f"Definition: f(x) = {a.expr}" + (f"  (parameters: {', '.join(self.params)})"
                                                          if self.params else ""),
        }


def _numpy(activation: Activation, examples: dict[str, str], edges: dict[str, EdgeValues] | None = None) -> str:
    ctx = _Context(activation, "numpy")
    edges = edges or {}
    name, lowering = ctx.name, ctx.lowering
    printer = NumpyCodePrinter()
    defaults = "".join(f", {p.name}={default_literal(p)}" for p in activation.params)
    args = _param_args(activation, "numpy")
    out_arg = "out: optional array of x's shape and dtype to write the result into."
    functions = [
        {
            "signature": f"{name}(x{defaults}, *, out=None)",
            "doc": _docstring(activation, activation.description or f"The activation {name}.",
                              args + [out_arg], "f(x), an array of x's dtype.", examples.get(name, "")),
            "allocate": ["out"], "has_out": True,
            "body": numpy_body(lowering, [("out", "forward")], printer, edges),
            "quiet_invalid": _quiet(edges, ["forward"]),
            "returns": "out",
        },
        {
            "signature": f"{name}_grad(x{defaults}, *, out=None)",
            "doc": _docstring(activation, f"The derivative df/dx of {name}, exact, branch by branch.",
                              args + [out_arg], "df/dx at x, an array of x's dtype; at a breakpoint the "
                              "derivative of the branch that owns it.", examples.get(f"{name}_grad", "")),
            "allocate": ["out"], "has_out": True,
            "body": numpy_body(lowering, [("out", "gradient")], printer, edges),
            "quiet_invalid": _quiet(edges, ["gradient"]),
            "returns": "out",
        },
        {
            "signature": f"{name}_forward_and_grad(x{defaults})",
            "doc": _docstring(activation, f"{name} and its derivative in one pass, sharing subexpressions.",
                              args, "(f(x), df/dx), two arrays of x's dtype.",
                              examples.get(f"{name}_forward_and_grad", "")),
            "allocate": ["y", "dy"], "has_out": False,
            "body": numpy_body(lowering, [("y", "forward"), ("dy", "gradient")], printer, edges),
            "quiet_invalid": _quiet(edges, ["forward", "gradient"]),
            "returns": "y, dy",
        },
    ]
    helpers = sorted(printer.helpers_used)
    return template_environment().get_template("numpy.py.j2").render(
        **ctx.common(), functions=functions, helpers=helpers, sinc_series=sinc_slope_series())


def _quiet(edges: dict[str, EdgeValues], outputs: list[str]) -> bool:
    """Whether a body computing ``outputs`` corrects a NaN at +-inf or in the
    tails (so its 'invalid value' warnings are expected)."""
    sides = finite_sides(edges, outputs)
    found = [edges_after_clamp(edges[output], sides) for output in outputs if output in edges]
    return any(e.infinities or e.saturations for e in found)


def _torch(activation: Activation, examples: dict[str, str], edges: dict[str, EdgeValues] | None = None) -> str:
    ctx = _Context(activation, "torch")
    edges = {output: _torch_parameters(activation, e) for output, e in (edges or {}).items()}
    name, lowering = ctx.name, ctx.lowering
    printer = TorchCodePrinter()
    plain = ", ".join(["x", *ctx.params])
    defaults = ", ".join(["x"] + [f"{p.name}={default_literal(p)}" for p in activation.params])
    lines, (forward,) = torch_body(lowering, ["forward"], printer, edges)
    # Function.forward runs with autograd off: its temporaries may be overwritten.
    forward_body = in_place_body(lines + [f"return {forward}"], ctx.params)
    lines, (gradient,) = torch_body(lowering, ["gradient"], printer, edges)
    grad_body = lines + [f"return {gradient}"]
    grad_in_place_body = in_place_body(grad_body, ctx.params)
    param_grads = []
    for index, p in enumerate(activation.params):
        lines, (value,) = torch_body(lowering, [str(index)], printer)
        param_grads.append({"name": p.name, "body": lines + [f"return {value}"]})
    slope = output_slope(activation)
    output_body = None
    if slope is not None and slope.constant is None:
        y = sympy.Symbol("y", real=True)
        terms = []
        for lo, hi, value in slope.cases:
            if value == 0:
                continue
            if lo == hi:
                condition = sympy.Eq(y, lo)
            else:
                condition = sympy.And(y > lo if lo.is_finite else sympy.true, y < hi if hi.is_finite else sympy.true)
            mask = printer.indicator(condition)
            mask = f"({mask})" if mask.startswith("1 - ") else mask
            terms.append(mask if value == 1 else f"{printer.doprint(value)} * {mask}")
        slope_text = " + ".join(terms) if terms else "torch.zeros_like(y)"
        if edges.get("output_slope"):
            slope_text = torch_edges(edges["output_slope"], slope_text, printer, name="y")
        output_body = [f"return {slope_text}"]
    args = _param_args(activation, "torch")
    camel = camel_name(name)
    shown = [p.name for p in activation.params if not p.learnable]
    extra = repr(", ".join(f"{p}={{self.{p}!r}}" for p in shown)) if shown else '""'
    extra = ("f" + extra) if shown else extra
    helpers = sorted(printer.helpers_used)
    fills = any("_fill(" in line for line in forward_body + grad_body + (output_body or []))
    text = template_environment().get_template("torch.py.j2").render(
        **ctx.common(),
        helpers=helpers, sinc_series=sinc_slope_series(), fills=fills,
        uses_functional=bool(helpers) or "F." in "\n".join(forward_body + grad_body),
        plain_args=plain, default_args=defaults,
        forward_body=forward_body, grad_body=grad_body, param_grads=param_grads,
        grad_in_place_body=None if grad_in_place_body == grad_body else grad_in_place_body,
        param_info=[{"name": p.name, "default": default_literal(p), "learnable": p.learnable} for p in activation.params],
        extra_repr=extra,
        output_body=output_body,
        constant_slope=None if slope is None or slope.constant is None else printer.doprint(slope.constant),
        doc=_docstring(activation, activation.description or f"The activation {name}.", args,
                       "f(x), a tensor of x's dtype, differentiable (also twice).", examples.get(name, "")),
        grad_doc=_docstring(activation, f"The derivative df/dx of {name}, exact, branch by branch.", args,
                            "df/dx at x; at a breakpoint the derivative of the branch that owns it.",
                            examples.get(f"{name}_grad", "")),
        function_doc=_docstring(activation, f"Autograd Function of {name}: backward is the exact "
                                f"derivative in differentiable torch ops.", args,
                                "f(x); ``backward`` returns the gradients for x and tensor parameters.",
                                examples.get(f"{camel}Function", "")),
        module_doc=_docstring(activation, f"{activation.description or name} As a module; learnable "
                              f"parameters are ``nn.Parameter``.", args[1:] or ["(none)"],
                              "a module applying f elementwise.", examples.get(camel, "")),
    )
    return text


def _examples(activation: Activation, target: str, module: types.ModuleType) -> dict[str, str]:
    name = activation.name
    if target == "numpy":
        import numpy as np

        calls = {name: f"{name}(np.array({SAMPLE_POINTS}))",
                 f"{name}_grad": f"{name}_grad(np.array({SAMPLE_POINTS}))",
                 f"{name}_forward_and_grad": f"{name}_forward_and_grad(np.array([-1.0, 1.0]))"}
        namespace = {"np": np, **vars(module)}
    else:
        import torch

        camel = camel_name(name)
        calls = {name: f"{name}(torch.tensor({SAMPLE_POINTS}))",
                 f"{name}_grad": f"{name}_grad(torch.tensor({SAMPLE_POINTS}))",
                 camel: f"{camel}()(torch.tensor({SAMPLE_POINTS}))",
                 f"{camel}Function": f"{camel}Function.apply(torch.tensor({SAMPLE_POINTS})"
                                     + "".join(f", {default_literal(p)}" for p in activation.params) + ")"}
        namespace = {"torch": torch, **vars(module)}
    examples = {}
    for key, call in calls.items():
        value = eval(call, namespace)  # generated code at fixed sample points
        prefix = "import numpy as np" if target == "numpy" else "import torch"
        examples[key] = f">>> {prefix}\n>>> {call}\n{value!r}"
    return examples


def render(activation: Activation, target: str) -> str:
    """Source of a standalone module implementing ``activation`` for ``target``
    ("numpy" or "torch"); see docs/codegen.md for its API. No I/O."""
    if target not in TARGETS:
        raise CodegenError(f"unknown target '{target}'; choose one of {', '.join(TARGETS)}")
    make = _numpy if target == "numpy" else _torch
    draft = make(activation, {})
    module = execute_source(draft, activation.name, target)
    edges = _edges(activation, target, module)
    # The corrections change nothing at the finite sample points of the examples.
    return tidy_blank_lines(make(activation, _examples(activation, target, module), edges))


EDGE_PROBE = (float("nan"), float("-inf"), float("inf"), "-max", "max")


#: The dtypes whose values at the largest finite floats decide ``EdgeValues.finite_sides``.
NARROW_DTYPES = {"numpy": ("float16",), "torch": ("float16", "bfloat16")}


def _probe(activation: Activation, target: str, module: types.ModuleType,
           dtypes: tuple[str, ...] = ("float32", "float64")) -> dict[str, list]:
    """The unpatched generated code's values at x = NaN, -inf, +inf and the
    largest finite floats of each sign, per output and dtype, at the
    parameters' defaults."""
    import warnings

    import numpy as np

    name = activation.name
    defaults = [float(p.default) for p in activation.params]
    values: dict[str, list] = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for dtype in dtypes:
            if target == "numpy":
                big = float(np.finfo(dtype).max)
            else:
                import torch

                big = float(torch.finfo(getattr(torch, dtype)).max)
            points = [{"-max": -big, "max": big}.get(p, p) for p in EDGE_PROBE]
            if target == "numpy":
                x = np.array(points, dtype=dtype)
                calls = {"forward": lambda: getattr(module, name)(x, *defaults),
                         "gradient": lambda: getattr(module, f"{name}_grad")(x, *defaults)}
            else:
                import torch

                x = torch.tensor(points, dtype=getattr(torch, dtype))
                calls = {"forward": lambda: getattr(module, f"_{name}_forward")(x, *defaults),
                         "gradient": lambda: getattr(module, f"{name}_grad")(x, *defaults)}
                from_output = getattr(module, f"_{name}_grad_from_output", None)
                if from_output is not None:
                    calls["output_slope"] = lambda: from_output(torch.full_like(x, float("nan")))
            for output, call in calls.items():
                result = call()
                result = result.double().numpy() if hasattr(result, "numpy") else np.asarray(result)
                values.setdefault(output, []).append(np.broadcast_to(result, x.shape).astype(np.float64))
    return values


def _edges(activation: Activation, target: str, module: types.ModuleType) -> dict[str, EdgeValues]:
    r"""Where the unpatched code is wrong at x = NaN or +-inf, the corrections
    (``EdgeValues``): NaN where NaN came in and came out a number, and the
    exact limit (``limit_at_infinity``) where +-inf gave NaN and the limit
    exists, or throughout the tail where the largest finite floats gave NaN,
    or +-inf though the limit is finite. Outputs that are already right get none, so their code stays
    as it is. A parameter-free output whose formula is already the limit at
    the largest finite floats of a sign, in every dtype, names that sign in
    ``finite_sides``."""
    import math

    edges = {}
    narrow = None
    for output, results in _probe(activation, target, module).items():
        nan = any(not math.isnan(r[0]) for r in results)
        infinities, saturations = [], []
        if output != "output_slope":
            for infinite, largest, sign in ((1, 3, -1), (2, 4, 1)):
                nan_in_tail = any(math.isnan(r[largest]) for r in results)
                inf_in_tail = any(math.isinf(r[largest]) for r in results)
                nan_at_infinity = any(math.isnan(r[infinite]) for r in results)
                if nan_in_tail or inf_in_tail or nan_at_infinity:
                    found = limit_at_infinity(activation, output, sign)
                    if found is None:
                        continue
                    # inf at the largest floats is an overflow only where the limit is finite
                    finite = not found[0].has(sympy.oo, -sympy.oo, sympy.zoo)
                    if nan_in_tail or (inf_in_tail and finite):
                        saturations.append((sign, *found))
                    elif nan_at_infinity:
                        infinities.append((sign, *found))
        sides = ()
        if infinities and not saturations and not activation.params:
            narrow = narrow or _probe(activation, target, module, NARROW_DTYPES[target])
            sides = tuple(sorted(sign for sign, value, _ in infinities
                                 if all(r[3 if sign < 0 else 4] == float(value)
                                        for r in results + narrow[output])))
        found = EdgeValues(nan, tuple(infinities), tuple(saturations), sides)
        if found:
            edges[output] = found
    return edges


def _torch_parameters(activation: Activation, edges: EdgeValues) -> EdgeValues:
    """Limits that apply functions to parameters alone take them as tensors
    (a Python float parameter has no ``torch.sqrt``)."""
    def as_tensor(value):
        if not value.has(sympy.Function, sympy.Pow):
            return value
        return value.xreplace({p.symbol: sympy.Symbol(f"torch.as_tensor({p.name}, dtype=x.dtype)", real=True)
                               for p in activation.params})
    return EdgeValues(edges.nan,
                      tuple((sign, as_tensor(value), condition) for sign, value, condition in edges.infinities),
                      tuple((sign, as_tensor(value), condition) for sign, value, condition in edges.saturations),
                      edges.finite_sides)


def tidy_blank_lines(text: str) -> str:
    """At most two blank lines in a row (the templates' optional blocks leave more)."""
    return re.sub(r"\n{4,}", "\n\n\n", text)


def execute_source(source: str, name: str, target: str) -> types.ModuleType:
    """Generated ``source`` executed as a fresh module (nothing written to disk)."""
    module = types.ModuleType(f"symact_generated_{target}_{name}")
    module.__file__ = f"<symact generated {target} {name}>"
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def load(activation: Activation, target: str) -> types.ModuleType:
    """``render(activation, target)`` executed as a fresh module."""
    return execute_source(render(activation, target), activation.name, target)
