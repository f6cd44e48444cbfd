r"""Torch bodies that reuse their temporaries: the same operations, in place.

A generated forward body runs inside ``torch.autograd.Function.forward``,
where autograd records nothing, and so does the twin of the gradient body
(``_<name>_grad_in_place``) that backward takes without ``create_graph``; in
them a tensor that nothing else reads may be overwritten: ``torch.exp(a - b)`` becomes ``(a - b).exp_()`` and, at the last
read of ``_t3``, ``_t3 * 2`` becomes ``_t3.mul_(2)``. Each rewrite is the
operation PyTorch runs for the original text, on the same operands, so the
results are bitwise equal; what changes is that no new tensor is allocated,
which eagerly costs more than the operation itself on large tensors (fresh
pages fault in on first write; ``benchmarks/codegen_bench.py``).

A value is overwritten only when

* it is *fresh*: made in this statement by an operation known to return a
  new tensor, or a temporary at its last read (read once in that statement,
  and by no later statement, aliases included);
* it depends on x, so it is a tensor of x's shape broadcast against the
  parameters it involves;
* the other operand involves no parameter that it does not: broadcasting
  cannot make the result larger than it, nor promote it to another dtype.

``c - a`` is written ``a.neg_().add_(c)`` (negation is exact, so the one
rounding is the same); ``c / a`` for a number c is ``a.reciprocal() * c`` in
PyTorch (``Tensor.__rdiv__``), and stays that: ``a.reciprocal_().mul_(c)``;
a tensor over a fresh tensor allocates.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from symact.codegen.printers import TorchCodePrinter

#: torch functions of one tensor with an in-place method: ``torch.exp(a)`` is ``a.exp_()``.
IN_PLACE_METHODS = {
    "torch.abs": "abs_", "torch.atan": "atan_", "torch.ceil": "ceil_", "torch.clamp": "clamp_",
    "torch.cos": "cos_", "torch.exp": "exp_", "torch.expm1": "expm1_", "torch.log": "log_",
    "torch.log1p": "log1p_", "torch.sigmoid": "sigmoid_", "torch.sign": "sign_", "torch.sin": "sin_",
    "torch.sqrt": "sqrt_", "torch.square": "square_", "torch.tanh": "tanh_",
    "torch.special.erf": "erf_", "torch.special.erfc": "erfc_",
}

#: Helpers with a twin that overwrites their argument: ``_expm1(a)`` is ``_expm1_(a)``.
IN_PLACE_HELPERS = {"_expm1": "_expm1_", "_erf": "_erf_"}

#: Calls known to return a new tensor (never one of their arguments): the
#: functions above, a few more, and every helper of the torch printer's table.
FRESH_CALLS = frozenset(IN_PLACE_METHODS) | frozenset(TorchCodePrinter.HELPERS.values()) | {
    "torch.where", "torch.maximum", "torch.minimum", "torch.hypot", "torch.full_like", "torch.zeros_like",
    "F.softplus", "F.logsigmoid",
}

_MODULES = frozenset({"torch", "torch.special", "F"})
_OPERATORS = {ast.Add: "add_", ast.Sub: "sub_", ast.Mult: "mul_", ast.Div: "div_"}
_COMMUTATIVE = (ast.Add, ast.Mult)


@dataclass(frozen=True)
class _Value:
    node: ast.expr
    fresh: bool
    sources: frozenset[str]  # x and the parameters the value depends on


def in_place_body(lines: list[str], parameters: list[str]) -> list[str]:
    """``lines`` (a body of assignments and comments ending in ``return``)
    with every operation whose tensor operand may be overwritten written in
    place; comments unchanged."""
    statements = [(i, ast.parse(line).body[0]) for i, line in enumerate(lines) if not line.lstrip().startswith("#")]
    alias: dict[str, str] = {}
    for _, statement in statements:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Name):
            alias[statement.targets[0].id] = _root(statement.value.id, alias)
    reads = [[_root(n.id, alias) for n in ast.walk(s.value) if isinstance(n, ast.Name)] for _, s in statements]
    last_read = {name: index for index, names in enumerate(reads) for name in names}
    sources: dict[str, frozenset[str]] = {"x": frozenset({"x"})}
    sources.update({p: frozenset({p}) for p in parameters})
    made: set[str] = set()  # temporaries holding a fresh tensor of their own
    out = list(lines)
    for index, (position, statement) in enumerate(statements):
        consumable = {name for name in set(reads[index]) if reads[index].count(name) == 1
                      and last_read[name] == index and name in made}
        rewriter = _Rewriter(sources, consumable, alias)
        value = rewriter.visit_value(statement.value)
        statement.value = value.node
        indent = lines[position][:len(lines[position]) - len(lines[position].lstrip())]
        out[position] = indent + ast.unparse(statement)
        if isinstance(statement, ast.Assign):
            target = statement.targets[0].id
            sources[target] = value.sources
            if value.fresh:
                made.add(target)
    return out


def _root(name: str, alias: dict[str, str]) -> str:
    while name in alias:
        name = alias[name]
    return name


class _Rewriter:
    def __init__(self, sources: dict[str, frozenset[str]], consumable: set[str], alias: dict[str, str]):
        self.sources = sources
        self.consumable = consumable
        self.alias = alias

    def visit_value(self, node: ast.expr) -> _Value:
        if isinstance(node, ast.Name):
            root = _root(node.id, self.alias)
            return _Value(node, root in self.consumable and node.id == root, self.sources.get(node.id, frozenset()))
        if isinstance(node, (ast.Constant, ast.Attribute)):  # x.dtype, torch.float64: no values of x
            return _Value(node, False, frozenset())
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.UnaryOp):
            operand = self.visit_value(node.operand)
            node.operand = operand.node
            if isinstance(node.op, ast.USub) and self._writable(operand):
                return _Value(_method(operand.node, "neg_", []), True, operand.sources)
            fresh = isinstance(node.op, ast.USub) and "x" in operand.sources
            return _Value(node, fresh, operand.sources)
        if isinstance(node, ast.Call):
            return self._call(node)
        # comparisons, boolean masks, subscripts: rewrite inside, never overwrite
        found: frozenset[str] = frozenset()
        for field, child in ast.iter_fields(node):
            if isinstance(child, ast.expr):
                value = self.visit_value(child)
                setattr(node, field, value.node)
                found |= value.sources
            elif isinstance(child, list):
                for i, item in enumerate(child):
                    if isinstance(item, ast.expr):
                        value = self.visit_value(item)
                        child[i] = value.node
                        found |= value.sources
        return _Value(node, False, found)

    def _writable(self, value: _Value, other: _Value | None = None) -> bool:
        return value.fresh and "x" in value.sources and (other is None or other.sources <= value.sources)

    def _binary(self, node: ast.BinOp) -> _Value:
        left, right = self.visit_value(node.left), self.visit_value(node.right)
        node.left, node.right = left.node, right.node
        sources = left.sources | right.sources
        method = _OPERATORS.get(type(node.op))
        if method is None:
            return _Value(node, False, sources)
        if self._writable(left, right):
            return _Value(_method(left.node, method, [right.node]), True, sources)
        if self._writable(right, left):
            if isinstance(node.op, _COMMUTATIVE):
                return _Value(_method(right.node, method, [left.node]), True, sources)
            if isinstance(node.op, ast.Sub):  # c - a = (-a) + c, the same single rounding
                return _Value(_method(_method(right.node, "neg_", []), "add_", [left.node]), True, sources)
            if isinstance(node.op, ast.Div) and isinstance(left.node, ast.Constant):
                # a number over a tensor is Tensor.__rdiv__: reciprocal, then product (by 1: exact)
                reciprocal = _method(right.node, "reciprocal_", [])
                if left.node.value == 1:
                    return _Value(reciprocal, True, sources)
                return _Value(_method(reciprocal, "mul_", [left.node]), True, sources)
        return _Value(node, "x" in sources, sources)

    def _call(self, node: ast.Call) -> _Value:
        name = ast.unparse(node.func)
        args = [self.visit_value(a) for a in node.args]
        keywords = [(k, self.visit_value(k.value)) for k in node.keywords]
        node.args = [a.node for a in args]
        for keyword, value in keywords:
            keyword.value = value.node
        rest = frozenset().union(*(a.sources for a in args), *(v.sources for _, v in keywords))
        if isinstance(node.func, ast.Attribute) and ast.unparse(node.func.value) not in _MODULES:
            return self._method_call(node, rest)
        method = IN_PLACE_METHODS.get(name)
        twin = IN_PLACE_HELPERS.get(name)
        if (method is not None or twin is not None) and args:
            others = frozenset().union(*(a.sources for a in args[1:]), *(v.sources for _, v in keywords))
            if self._writable(args[0], _Value(node, False, others)):
                if twin is not None:
                    return _Value(ast.Call(ast.Name(twin, ast.Load()), node.args, node.keywords), True, rest)
                return _Value(_method(args[0].node, method, node.args[1:], node.keywords), True, rest)
        return _Value(node, name in FRESH_CALLS and "x" in rest, rest)

    def _method_call(self, node: ast.Call, rest: frozenset[str]) -> _Value:
        """``receiver.method(...)``: ``clamp`` makes a new tensor (written in
        place when the receiver may be overwritten); an in-place method
        (``ceil_``) returns its receiver."""
        receiver = self.visit_value(node.func.value)
        node.func.value = receiver.node
        sources = receiver.sources | rest
        if node.func.attr == "clamp":
            if self._writable(receiver, _Value(node, False, rest)):
                node.func.attr = "clamp_"
            return _Value(node, "x" in sources, sources)
        return _Value(node, node.func.attr.endswith("_") and receiver.fresh, sources)


def _method(receiver: ast.expr, method: str, args: list[ast.expr], keywords: list[ast.keyword] | None = None) -> ast.Call:
    return ast.Call(ast.Attribute(receiver, method, ast.Load()), list(args), list(keywords or []))
