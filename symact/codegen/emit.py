r"""Function bodies from a ``Lowering``: common subexpressions, guarded
branches, and the final write, as lines of Python for the templates.

A body computes one or more *outputs* (f, df/dx, df/dp) that share common
subexpressions (``sympy.cse`` over all outputs of a branch). Piecewise
bodies evaluate each branch on its guarded input ``_x<j> = where(selected,
x, guard)`` (see ``symact.codegen.lowering``).

NumPy bodies write into preallocated output arrays with in-place ufuncs
(``np.multiply(a, b, out=out)``, ``np.copyto(out, v, where=mask)``), so the
``out=`` argument of the generated functions avoids the result allocation.
PyTorch bodies are pure expressions: masked forms multiply by 0/1 float
masks (``TorchCodePrinter.indicator``), other piecewise bodies combine
branches with ``torch.where``.
"""
from __future__ import annotations

import dataclasses
import itertools
from typing import Mapping, Sequence

import sympy
from sympy import S

from symact.codegen.lowering import Branch, EdgeValues, Lowering
from symact.codegen.printers import ArrayPrinting, NumpyCodePrinter
from symact.parsing import X

INDENT = "    "


def _formula(branch: Branch, output: str) -> sympy.Expr:
    return branch.formula(output)


def _masked_forms(lowering: Lowering, outputs: Sequence[str]) -> list[sympy.Expr] | None:
    """Each output as one expression in clamped inputs and selection masks
    (``Lowering.telescoping``, else ``Lowering.factored``, else
    ``Lowering.blend``), or None when some output has none of these forms."""
    forms = []
    for output in outputs:
        form = lowering.telescoping(output)
        if form is None:
            form = lowering.factored(output)
        if form is None:
            form = lowering.blend(output)
        if form is None:
            return None
        forms.append(form)
    return forms


def _clamp_line(index: int, clamp, printer: ArrayPrinting, target: str) -> str:
    lo, hi = clamp
    p = printer.doprint
    if target == "numpy":
        if lo is None:
            value = f"np.minimum(x, {p(hi)})"
        elif hi is None:
            value = f"np.maximum(x, {p(lo)})"
        else:
            value = f"np.clip(x, {p(lo)}, {p(hi)})"
    else:
        if lo is None:
            value = f"torch.clamp(x, max={p(hi)})"
        elif hi is None:
            value = f"torch.clamp(x, min={p(lo)})"
        elif lo.is_number and hi.is_number:
            value = f"torch.clamp(x, {p(lo)}, {p(hi)})"
        else:
            value = f"torch.clamp(x, min={p(lo)}).clamp(max={p(hi)})"
    return f"_x{index} = {value}"


def _masked_preamble(lowering: Lowering, forms: list[sympy.Expr], printer: ArrayPrinting,
                     target: str) -> list[str]:
    """Definitions of the clamped inputs and selection masks ``forms`` use."""
    names = set().union(*(f.free_symbols for f in forms)) if forms else set()
    count = len(lowering.branches)
    clamped = [i for i in range(count) if sympy.Symbol(f"_x{i}", real=True) in names]
    masks = [i for i in range(count) if sympy.Symbol(f"_s{i}", real=True) in names]
    lines = []
    if clamped:
        lines.append("# each branch sees x clamped into its own interval, where it is finite")
    lines += [_clamp_line(i, lowering.branches[i].clamp, printer, target) for i in clamped]
    conditions = lowering.branches[:min(max(masks, default=-1) + 1, count - 1)]
    if target == "numpy":
        lines += [f"_c{i} = {printer.doprint(b.condition)}" for i, b in enumerate(conditions)]
        if masks:
            lines.append("# selection masks (0 or 1): the first branch whose condition holds")
        return lines + [f"_s{i} = ({_mask(i, count)}).astype(x.dtype)" for i in masks]
    if conditions:
        lines.append("# conditions _c and negations _n as 0/1 tensors (NaN at NaN) by clamp and ceil: no bool tensor")
    for i, branch in enumerate(conditions):
        lines += _float_conditions(i, branch.condition, i in masks, any(j > i for j in masks), printer)
    if masks:
        lines.append("# selection masks (0 or 1): the first branch whose condition holds")
    return lines + [f"_s{i} = {_float_mask(i, count)}" for i in masks]


def _float_conditions(index: int, condition, positive: bool, negated: bool, printer: ArrayPrinting) -> list[str]:
    """``_c<index>`` (the condition) and ``_n<index>`` (its negation) as far as
    the masks use them: the one whose indicator is a strict comparison (one
    op fewer than ``1 - [...]``) computed, the other as 1 minus it."""
    texts = {"c": printer.indicator(condition), "n": printer.indicator(sympy.Not(condition))}
    wanted = [kind for kind, needed in (("c", positive), ("n", negated)) if needed]
    base = next((kind for kind in wanted if not texts[kind].startswith("1 - ")), wanted[0])
    lines = [f"_{base}{index} = {texts[base]}"]
    lines += [f"_{kind}{index} = 1 - _{base}{index}" for kind in wanted if kind != base]
    return lines


def _float_mask(index: int, count: int) -> str:
    """``_mask`` on 0/1 tensors: its condition times each earlier negation."""
    factors = ([] if index == count - 1 else [f"_c{index}"]) + [f"_n{i}" for i in range(min(index, count - 1))]
    return "*".join(factors)


class _Names:
    """Fresh temporaries ``_t0, _t1, ...`` shared by all branches of a body."""

    def __init__(self):
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self):
        symbol = sympy.Symbol(f"_t{self.count}", real=True)
        self.count += 1
        return symbol


def _cse(exprs: list[sympy.Expr], names: _Names, printer: ArrayPrinting) -> tuple[list[str], list[sympy.Expr]]:
    # Pair sigmoid(w) sigmoid(-w) before CSE, so that a fused function and the
    # separate ones compute the same operations (bitwise equal results).
    exprs = [e.replace(lambda n: n.is_Mul, printer._pair_sigmoids) for e in exprs]
    # A divisor raised to a power k >= 2 is divided by k times (``split_divisor``):
    # computed once, as a temporary (listed as one more expression, CSE names it).
    divisors = sorted({n.base for e in exprs for n in sympy.preorder_traversal(e)
                       if n.is_Pow and n.exp.is_Integer and n.exp <= -2 and not n.base.is_Symbol
                       and not n.base.is_number and not printer.is_parameter_only(n.base)},
                      key=sympy.default_sort_key)
    scratch = (sympy.Dummy(f"cse{i}", real=True) for i in itertools.count())
    replacements, reduced = sympy.cse(exprs + divisors, symbols=scratch, optimizations=None, order="canonical")
    # x / p stays a division: x * (1/p) rounds twice, and an exp amplifies
    # that (soft root sign': 165 ulp from exp(x * (1/beta)), 83 from exp(x / beta)).
    # The other temporaries take the next names.
    renamed: dict[sympy.Symbol, sympy.Expr] = {}
    lines = []
    for symbol, value in replacements:
        value = value.xreplace(renamed)
        if value.is_Pow and value.exp == -1 and printer.is_parameter_only(value.base):
            renamed[symbol] = value
            continue
        renamed[symbol] = next(names)
        if any(s == X or s.name.startswith(("_x", "_s")) or s in printer.x_temporaries for s in value.free_symbols):
            printer.x_temporaries.add(renamed[symbol])
        lines.append(f"{renamed[symbol]} = {printer.doprint(value)}")
    return lines, [e.xreplace(renamed) for e in reduced[:len(exprs)]]


def _numpy_into(expr: sympy.Expr, var: str, printer: NumpyCodePrinter) -> str:
    """A statement that writes ``expr`` into the array ``var`` with an
    in-place ufunc where the top-level operation allows it."""
    p = printer.doprint
    if not any(str(s) == "x" or str(s).startswith("_") for s in expr.free_symbols):
        return f"np.copyto({var}, {p(expr)})"
    if expr.is_Symbol:
        return f"np.copyto({var}, {p(expr)})"
    if expr.is_Add and printer.root_form(expr) is not None:
        return f"{var}[...] = {p(expr)}"
    split = printer.split_divisor(expr)
    if split is not None:
        return f"np.divide({p(split[0])}, {p(split[1])}, out={var})"
    numerator, denominator = sympy.fraction(expr)
    if denominator is not S.One and not denominator.is_Integer:
        return f"np.divide({p(numerator)}, {p(denominator)}, out={var})"
    if expr.is_Add and printer.root_form(expr) is None:
        first = sympy.Add(*expr.args[:-1])
        return f"np.add({p(first)}, {p(expr.args[-1])}, out={var})"
    if expr.is_Mul:
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient == -1:
            return f"np.negative({p(rest)}, out={var})"
        if coefficient.is_Rational and coefficient.q != 1:
            return f"np.divide({p(coefficient.p * rest)}, {coefficient.q}, out={var})"
        paired = printer._pair_sigmoids(expr)
        factors = sympy.Mul.make_args(paired) if paired.is_Mul else (paired,)
        if len(factors) == 1:
            return f"{var}[...] = {p(factors[0])}"
        first = sympy.Mul(*factors[:-1], evaluate=False) if len(factors) > 2 else factors[0]
        return f"np.multiply({p(first)}, {p(factors[-1])}, out={var})"
    text = p(expr)
    if isinstance(expr, sympy.Function) and text.startswith("np.") and text.endswith(")"):
        return f"{text[:-1]}, out={var})"
    return f"{var}[...] = {text}"


def _mask(index: int, count: int) -> str:
    """The selection mask of branch ``index`` of ``count``: its condition
    and none of the earlier ones."""
    earlier = [f"_c{i}" for i in range(min(index, count - 1))]
    if index == count - 1:
        return f"~({' | '.join(earlier)})" if len(earlier) > 1 else f"~{earlier[0]}"
    return " & ".join([f"_c{index}"] + [f"~{e}" for e in earlier])


def _guarded(branch: Branch, index: int, count: int, where: str, printer: ArrayPrinting,
             lines: list[str]) -> dict:
    if branch.guard is None:
        return {}
    safe = sympy.Symbol(f"_x{index}", real=True)
    lines.append(f"# branch {index} is evaluated only inside its region (guard x = {branch.guard})")
    lines.append(f"{safe} = {where}({_mask(index, count)}, x, {printer.doprint(branch.guard)})")
    return {X: safe}


def _conditions(lowering: Lowering, printer: ArrayPrinting) -> list[str]:
    return [f"_c{i} = {printer.doprint(b.condition)}" for i, b in enumerate(lowering.branches[:-1])]


INFINITY_TEXT = {1: "float('inf')", -1: "float('-inf')"}


def finite_sides(edges: Mapping[str, EdgeValues], outputs: Sequence[str]) -> tuple[int, ...]:
    """The signs at which a body computing ``outputs`` clamps x to the finite
    floats instead of correcting its +-inf values: those that every output's
    ``EdgeValues.finite_sides`` names (mish's fused body clamps at -inf only,
    where its f and f' are both the limit at -max, and corrects f' at +inf)."""
    sides = set.intersection(*(set(edges[output].finite_sides if output in edges else ()) for output in outputs))
    return tuple(sorted(sides))


def edges_after_clamp(edges: EdgeValues, sides: tuple[int, ...]) -> EdgeValues:
    """``edges`` less the +-inf corrections that clamping x at ``sides`` makes."""
    if not sides:
        return edges
    return dataclasses.replace(edges, infinities=tuple(e for e in edges.infinities if e[0] not in sides))


def finite_lines(sides: tuple[int, ...], target: str) -> list[str]:
    """Lines replacing x = +-inf at ``sides`` by the largest finite float of
    that sign (NaN stays NaN), where the formula already gives the limit."""
    if not sides:
        return []
    where = " and ".join(f"x = {'+' if sign > 0 else '-'}inf" for sign in sides)
    module = "np" if target == "numpy" else "torch"
    big = f"{module}.finfo(x.dtype).max"
    if target == "numpy":
        value = (f"np.clip(x, -{big}, {big})" if len(sides) == 2
                 else f"np.maximum(x, -{big})" if sides[0] < 0 else f"np.minimum(x, {big})")
    else:
        value = (f"torch.clamp(x, -{big}, {big})" if len(sides) == 2
                 else f"torch.clamp(x, min=-{big})" if sides[0] < 0 else f"torch.clamp(x, max={big})")
    return [f"# {where}: computed at the largest finite float of that sign, where the formula is",
            "# already the limit (at inf itself it forms 0 * inf, inf / inf or inf - inf)",
            f"x = {value}"]


def numpy_edges(edges: EdgeValues, var: str, printer: NumpyCodePrinter) -> list[str]:
    """Lines overwriting ``var`` at x = NaN and x = +-inf where the formula's
    own value there is wrong (``EdgeValues``): one masked copy each, after
    the output is written, so the common path is unchanged."""
    lines = []
    if edges.nan:
        lines.append("# NaN in, NaN out: the branch selection above maps NaN to a branch value")
        lines.append(f"np.copyto({var}, x, where=np.isnan(x))")
    for sign, value, condition in edges.infinities:
        lines.append(f"# x = {'+' if sign > 0 else '-'}inf: the exact limit (the formula gives inf - inf, "
                     f"0 * inf or inf / inf)" + ("" if condition is S.true else f", for {condition}"))
        lines.append(f"np.copyto({var}, {printer.doprint(value)}, where={_at_infinity(sign, condition, printer)})")
    for sign, value, condition in edges.saturations:
        lines.append(f"# x {'> 0' if sign > 0 else '< 0'} where the formula overflowed to NaN or inf (inf / inf, "
                     f"0 * inf far in the tail), and x = {'+' if sign > 0 else '-'}inf: the exact limit"
                     + ("" if condition is S.true else f", for {condition}"))
        lines.append(f"np.copyto({var}, {printer.doprint(value)}, "
                     f"where={_in_tail(sign, condition, f'~np.isfinite({var})', printer)})")
    return lines


def _in_tail(sign: int, condition, nan_test: str, printer: ArrayPrinting, name: str = "x") -> str:
    mask = f"{nan_test} & ({name} {'>' if sign > 0 else '<'} 0)"
    return f"({mask})" if condition is S.true else f"({mask} & {printer.doprint(condition)})"


def _at_infinity(sign: int, condition, printer: ArrayPrinting, name: str = "x") -> str:
    mask = f"({name} == {INFINITY_TEXT[sign]})"
    return mask if condition is S.true else f"({mask} & {printer.doprint(condition)})"


def torch_edges(edges: EdgeValues, result: str, printer: ArrayPrinting, name: str = "x",
                non_finite: str | None = None) -> str:
    """``result`` with the ``EdgeValues`` corrections at ``name`` = NaN and +-inf,
    through the template's ``_fill`` (in place where autograd does not record,
    else ``torch.where``, which is differentiable; autograd sees a constant there).
    ``non_finite``: a mask of the non-finite elements of ``result`` computed
    once for the saturations (else each computes its own)."""
    base = result
    for sign, value, condition in edges.saturations:
        mask = _in_tail(sign, condition, non_finite or f"~(torch.abs({base}) < float('inf'))", printer, name)
        result = f"_fill({result}, {mask}, {printer.doprint(value)}, {name})"
    for sign, value, condition in edges.infinities:
        result = f"_fill({result}, {_at_infinity(sign, condition, printer, name)}, {printer.doprint(value)}, {name})"
    if edges.nan:
        result = f"_fill({result}, {name} != {name}, float('nan'), {name})"
    return result


def numpy_body(lowering: Lowering, outputs: Sequence[tuple[str, str]], printer: NumpyCodePrinter,
               edges: Mapping[str, EdgeValues] | None = None) -> list[str]:
    """Lines computing each ``(var, output)`` into the preallocated array
    ``var``, then the corrections ``edges[output]`` at NaN and +-inf."""
    edges = edges or {}
    sides = finite_sides(edges, [output for _, output in outputs])
    corrections = [line for var, output in outputs if edges.get(output)
                   for line in numpy_edges(edges_after_clamp(edges[output], sides), var, printer)]
    return finite_lines(sides, "numpy") + _numpy_body(lowering, outputs, printer) + corrections


def _numpy_body(lowering: Lowering, outputs: Sequence[tuple[str, str]], printer: NumpyCodePrinter) -> list[str]:
    names = _Names()
    printer.x_temporaries = set()
    forms = _masked_forms(lowering, [output for _, output in outputs]) if lowering.is_piecewise else None
    if forms is not None:
        lines = _masked_preamble(lowering, forms, printer, "numpy")
        cse_lines, reduced = _cse(forms, names, printer)
        writes = []
        for (var, _), expr in zip(outputs, reduced):
            prefix = f"{expr} = np."
            at = next((i for i, line in enumerate(lines) if expr.is_Symbol and line.startswith(prefix)), None)
            if at is not None and "out=" not in lines[at]:
                lines[at] = f"{lines[at][:-1]}, out={var})"  # clamp straight into the output (ReLU, hardtanh)
            else:
                writes.append(_numpy_into(expr, var, printer))
        return lines + cse_lines + writes
    lines = _conditions(lowering, printer)
    count = len(lowering.branches)
    for index in reversed(range(count)):
        branch = lowering.branches[index]
        substitution = _guarded(branch, index, count, "np.where", printer, lines)
        exprs = [_formula(branch, output).xreplace(substitution) for _, output in outputs]
        cse_lines, reduced = _cse(exprs, names, printer)
        lines += cse_lines
        for (var, _), expr in zip(outputs, reduced):
            if index == count - 1:
                lines.append(_numpy_into(expr, var, printer))
            else:
                lines.append(f"np.copyto({var}, {printer.doprint(expr)}, where=_c{index})")
    return lines


def _torch_value(expr: sympy.Expr, printer: ArrayPrinting, dependent: bool) -> str:
    """``expr`` as a tensor of x's shape and dtype when it does not depend on x."""
    text = printer.doprint(expr)
    if dependent:
        return text
    if expr.is_number:
        return f"torch.full_like(x, {text})"
    return f"torch.zeros_like(x) + {text}" if not text.startswith("-") else f"torch.zeros_like(x) - ({text[1:]})"


def _depends_on_x(expr: sympy.Expr) -> bool:
    return any(str(s) == "x" or str(s).startswith("_") for s in expr.free_symbols)


def torch_body(lowering: Lowering, outputs: Sequence[str], printer: ArrayPrinting,
               edges: Mapping[str, EdgeValues] | None = None) -> tuple[list[str], list[str]]:
    """Lines and one final expression per output (torch, no mutation), with
    the corrections ``edges[output]`` at NaN and +-inf."""
    edges = edges or {}
    sides = finite_sides(edges, outputs)
    lines, results = _torch_body(lowering, outputs, printer)
    lines = finite_lines(sides, "torch") + lines
    final = []
    for index, (output, result) in enumerate(zip(outputs, results)):
        non_finite = None
        if edges.get(output) and edges[output].saturations:
            lines.append(f"_y{index} = {result}")  # tested for NaN, then corrected
            result = f"_y{index}"
            if len(edges[output].saturations) > 1:
                non_finite = f"_n{index}"
                lines.append(f"{non_finite} = ~(torch.abs({result}) < float('inf'))")
        found = edges_after_clamp(edges[output], sides) if edges.get(output) else None
        final.append(torch_edges(found, result, printer, non_finite=non_finite) if found else result)
    return lines, final


def _torch_body(lowering: Lowering, outputs: Sequence[str], printer: ArrayPrinting) -> tuple[list[str], list[str]]:
    names = _Names()
    printer.x_temporaries = set()
    forms = _masked_forms(lowering, outputs) if lowering.is_piecewise else None
    if forms is not None:
        lines = _masked_preamble(lowering, forms, printer, "torch")
        cse_lines, reduced = _cse(forms, names, printer)
        results = [_torch_value(expr, printer, _depends_on_x(expr)) for expr in reduced]
        return lines + cse_lines, results
    lines = _conditions(lowering, printer)
    count = len(lowering.branches)
    finals: dict[str, list[str]] = {output: [] for output in outputs}
    for index in range(count):
        branch = lowering.branches[index]
        substitution = _guarded(branch, index, count, "torch.where", printer, lines)
        originals = [_formula(branch, output) for output in outputs]
        exprs = [f.xreplace(substitution) for f in originals]
        cse_lines, reduced = _cse(exprs, names, printer)
        lines += cse_lines
        for output, original, expr in zip(outputs, originals, reduced):
            finals[output].append((X in original.free_symbols, expr))
    results = []
    for output in outputs:
        parts = finals[output]
        anything_dependent = any(dependent for dependent, _ in parts)
        texts = []
        for position, (dependent, expr) in enumerate(parts):
            # torch.where promotes to x's dtype when one operand is a tensor like x.
            needs_tensor = not anything_dependent and position == len(parts) - 1
            texts.append(_torch_value(expr, printer, dependent or not needs_tensor))
        result = texts[-1]
        for index in reversed(range(count - 1)):
            result = f"torch.where(_c{index}, {texts[index]}, {result})"
        results.append(result)
    return lines, results
