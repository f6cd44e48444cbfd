"""Where a sheet's optional parts come from: the property checker
(``symact.properties``) and the verifier (``symact.verify``), or JSON files
they wrote earlier. A source that is not installed gives None, which the
sheet shows as *not computed*.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
from pathlib import Path
from typing import Any

from symact.errors import SymactError

PROPERTY_SECONDS = 10.0


def _module(name: str):
    return importlib.import_module(name) if importlib.util.find_spec(name) is not None else None


def properties_of(bound, timeout: float = PROPERTY_SECONDS) -> dict[str, Any] | None:
    """``symact.properties.check(bound).to_json()``; None without the checker."""
    module = _module("symact.properties")
    if module is None or not hasattr(module, "check"):
        return None
    return module.check(bound, timeout=timeout).to_json()


def accuracy_of(bound) -> dict[str, Any] | None:
    """``symact.verify.verify(bound).to_json()``: the generated code at
    ``bound``'s parameter values; None without the verifier."""
    module = _module("symact.verify")
    if module is None or not hasattr(module, "verify"):
        return None
    return module.verify(bound).to_json()


def vector_accuracy_of(entry) -> dict[str, Any] | None:
    """``symact.verify.vector.verify_vector(entry).to_json()``: the generated
    code of a vector activation; None without the vector verifier."""
    module = _module("symact.verify.vector")
    if module is None or not hasattr(module, "verify_vector"):
        return None
    return module.verify_vector(entry).to_json()


def accuracy_of_catalogue(activations, progress=None) -> list[dict[str, Any] | None]:
    """The verifier's reports of several activations at their defaults, in
    parallel worker processes (``symact.verify.verify_many``) when it has
    them; None for each without the verifier."""
    module = _module("symact.verify")
    if module is None or not hasattr(module, "verify"):
        return [None] * len(activations)
    if not hasattr(module, "verify_many"):
        return [module.verify(a).to_json() for a in activations]
    report = None if progress is None else (lambda done, total, r: progress(f"verified {done}/{total}: {r.activation}"))
    return [r.to_json() for r in module.verify_many(activations, progress=report)]


def read_json(path: str | Path, what: str) -> dict[str, Any]:
    """A JSON object from a file written by ``symact check/verify --json``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SymactError(f"cannot read the {what} file '{path}': {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise SymactError(f"the {what} file '{path}' is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SymactError(f"the {what} file '{path}' does not hold a JSON object")
    return data
