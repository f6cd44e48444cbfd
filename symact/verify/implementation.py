"""What the verifier measures: an implementation as three array callables.

An ``Implementation`` is the small protocol every check runs against:
``forward(x) -> f``, ``gradient(x) -> df/dx`` and ``fused(x) -> (f, df)``,
each taking a NumPy array of one floating dtype and returning NumPy arrays.
Adapters turn a generated module (``symact.codegen`` contract) into one:

* NumPy module for activation ``name``: ``name``, ``name_grad``,
  ``name_forward_and_grad``;
* Torch module: ``name`` (forward), ``name_grad`` (df/dx directly) and, as
  ``fused``, ``name`` with autograd: the gradient that training uses.

Parameters are passed by keyword as Python floats (the generated defaults
are used when the bound values are the defaults).
"""
from __future__ import annotations

import importlib.util
import sys
import types
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from symact.errors import SymactError

Array = np.ndarray
TARGETS = ("numpy", "torch")


class ImplementationError(SymactError):
    """A module does not provide the functions the generated-code contract names."""


@dataclass(frozen=True)
class Implementation:
    """Callables on NumPy arrays of one dtype; ``None`` where not provided."""

    label: str
    forward: Callable[[Array], Array]
    gradient: Callable[[Array], Array] | None = None
    fused: Callable[[Array], tuple[Array, Array]] | None = None

    def call(self, kind: str, x: Array):
        """Run ``kind`` ("forward", "gradient", "fused") on ``x`` with
        floating-point warnings silenced (overflow to inf is measured, not warned)."""
        function = getattr(self, kind)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return function(x)


def _required(module: types.ModuleType, attribute: str) -> Callable:
    function = getattr(module, attribute, None)
    if not callable(function):
        raise ImplementationError(
            f"the module {getattr(module, '__name__', module)!r} has no function '{attribute}' "
            "(see the generated-code contract in docs/verify.md)")
    return function


def from_numpy_module(module: types.ModuleType, name: str, params: Mapping[str, float] | None = None,
                      label: str = "numpy") -> Implementation:
    """Adapt a generated NumPy module: ``name``, ``name_grad``, ``name_forward_and_grad``."""
    kwargs = dict(params or {})
    forward = _required(module, name)
    gradient = _required(module, f"{name}_grad")
    fused = getattr(module, f"{name}_forward_and_grad", None)
    return Implementation(
        label,
        lambda x: np.asarray(forward(x, **kwargs)),
        lambda x: np.asarray(gradient(x, **kwargs)),
        (lambda x: tuple(np.asarray(v) for v in fused(x, **kwargs))) if callable(fused) else None,
    )


def from_torch_functions(forward: Callable, gradient: Callable | None, params: Mapping[str, float] | None = None,
                         label: str = "torch") -> Implementation:
    """Adapt torch callables: ``fused`` is ``forward`` differentiated by autograd."""
    import torch

    kwargs = dict(params or {})

    def run_forward(x: Array) -> Array:
        with torch.no_grad():
            return forward(torch.from_numpy(np.array(x)), **kwargs).numpy()

    def run_gradient(x: Array) -> Array:
        with torch.no_grad():
            return gradient(torch.from_numpy(np.array(x)), **kwargs).numpy()

    def run_autograd(x: Array) -> tuple[Array, Array]:
        tensor = torch.from_numpy(np.array(x)).requires_grad_(True)
        y = forward(tensor, **kwargs)
        (slope,) = torch.autograd.grad(y, tensor, torch.ones_like(y))
        return y.detach().numpy(), slope.numpy()

    return Implementation(label, run_forward, run_gradient if gradient is not None else None, run_autograd)


def from_torch_module(module: types.ModuleType, name: str, params: Mapping[str, float] | None = None,
                      label: str = "torch") -> Implementation:
    """Adapt a generated torch module: ``name`` (with autograd) and ``name_grad``."""
    return from_torch_functions(_required(module, name), _required(module, f"{name}_grad"), params, label)


def from_module(module: types.ModuleType, name: str, target: str,
                params: Mapping[str, float] | None = None) -> Implementation:
    """Adapt a generated module of ``target`` ("numpy" or "torch")."""
    if target == "numpy":
        return from_numpy_module(module, name, params)
    if target == "torch":
        return from_torch_module(module, name, params)
    raise ImplementationError(f"unknown target '{target}'; choose from {', '.join(TARGETS)}")


def load_file(path: str | Path) -> types.ModuleType:
    """Import a generated Python file as a fresh module (not added to sys.modules)."""
    path = Path(path)
    if not path.is_file():
        raise ImplementationError(f"{path}: no such file")
    spec = importlib.util.spec_from_file_location(f"symact_verify_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - a broken file is the user's input
        raise ImplementationError(f"{path}: importing it failed: {type(exc).__name__}: {exc}") from None
    return module


def module_target(module: types.ModuleType) -> str:
    """"torch" when the module imports torch, else "numpy"."""
    return "torch" if isinstance(getattr(module, "torch", None), types.ModuleType) or "torch" in {
        getattr(v, "__name__", "") for v in vars(module).values() if isinstance(v, types.ModuleType)} else "numpy"


def generated(activation, target: str, params: Mapping[str, float] | None = None) -> Implementation:
    """The code ``symact.codegen.load(activation, target)`` generates, adapted."""
    try:
        from symact import codegen
    except ImportError as exc:
        raise ImplementationError(f"code generation is not available: {exc}") from None
    module = codegen.load(activation, target)
    return from_module(module, activation.name, target, params)


def torch_available() -> bool:
    """Whether torch can be imported here."""
    return "torch" in sys.modules or importlib.util.find_spec("torch") is not None
