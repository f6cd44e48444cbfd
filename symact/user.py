"""User-defined activations: from an expression string, a TOML spec file, or
a command-line argument that is either a catalogue name or an expression.

Every route ends in ``symact.activation.define``, so user activations are
checked exactly as catalogue entries are.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Mapping

from symact.activation import Activation, Parameter, define, parse_value
from symact.catalogue import lookup
from symact.errors import SpecError, SymactError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_SPEC_BYTES = 1_000_000
SPEC_KEYS = {"name", "expression", "description", "citation", "notes", "aliases", "constraints", "parameters"}
PARAMETER_KEYS = {"default", "domain", "learnable", "description"}


def from_expression(text: str, name: str = "custom", parameters: Mapping[str, object] | None = None,
                    **fields) -> Activation:
    """An activation from a formula string.

    Args:
      text: e.g. ``"x * tanh(softplus(x))"``.
      name: its name (a lower-case identifier).
      parameters: name -> default value, each declared with a real domain;
        pass ``Parameter`` objects for domains and learnable flags.
      fields: ``description``, ``citation``, ``notes``, ``aliases``,
        ``constraints`` as for ``define``.
    """
    params = []
    for key, value in (parameters or {}).items():
        params.append(value if isinstance(value, Parameter) else Parameter(key, parse_value(value)))
    return define(name, text, tuple(params), **fields)


def _string(table: Mapping, key: str, where: str, default: str = "") -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise SpecError(f"{where}: '{key}' must be a string, got {type(value).__name__}")
    return value


def from_spec_text(text: str, source: str = "<spec>") -> Activation:
    """An activation from the text of a TOML spec (see docs/spec.md)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - SPEC_KEYS)
    if unknown:
        raise SpecError(f"{source}: unknown keys {unknown}; allowed: {sorted(SPEC_KEYS)}")
    for required in ("name", "expression"):
        if required not in data:
            raise SpecError(f"{source}: the key '{required}' is missing")
    parameters = data.get("parameters", {})
    if not isinstance(parameters, dict):
        raise SpecError(f"{source}: 'parameters' must be a table of tables")
    params = []
    for pname, table in parameters.items():
        where = f"{source}: parameter '{pname}'"
        if not isinstance(table, dict):
            raise SpecError(f"{where} must be a table with at least 'default'")
        extra = sorted(set(table) - PARAMETER_KEYS)
        if extra:
            raise SpecError(f"{where}: unknown keys {extra}; allowed: {sorted(PARAMETER_KEYS)}")
        if "default" not in table:
            raise SpecError(f"{where}: 'default' is missing")
        learnable = table.get("learnable", False)
        if not isinstance(learnable, bool):
            raise SpecError(f"{where}: 'learnable' must be true or false")
        try:
            params.append(Parameter(pname, parse_value(table["default"]), _string(table, "domain", where, "real"),
                                    learnable, _string(table, "description", where)))
        except SymactError as exc:
            raise SpecError(f"{where}: {exc}") from None
    lists = {}
    for key in ("aliases", "constraints"):
        value = data.get(key, [])
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise SpecError(f"{source}: '{key}' must be a list of strings")
        lists[key] = tuple(value)
    try:
        return define(
            _string(data, "name", source), _string(data, "expression", source), tuple(params),
            description=_string(data, "description", source), citation=_string(data, "citation", source),
            notes=_string(data, "notes", source), **lists,
        )
    except SpecError:
        raise
    except SymactError as exc:
        raise SpecError(f"{source}: {exc}") from None


def from_spec(path: str | Path) -> Activation:
    """An activation from a TOML spec file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise SpecError(f"{path}: the spec file is larger than {MAX_SPEC_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"{path}: cannot read the spec file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SpecError(f"{path}: the spec file is not UTF-8 text") from None
    return from_spec_text(text, str(path))


def resolve(target: str, name: str | None = None, parameters: Mapping[str, object] | None = None) -> Activation:
    """A catalogue entry by name or alias, a spec file ending in ``.toml``,
    or else an expression string (named ``name``, default ``custom``) whose
    ``parameters`` are declared with the given values as defaults.

    Raises:
      SymactError: the spec or expression is invalid; for a bare word that
        is neither a catalogue name nor a valid expression, the message says
        both and suggests the closest catalogue names.
    """
    entry = lookup(target)
    if entry is not None:
        return entry
    if target.endswith(".toml"):
        return from_spec(target)
    try:
        return from_expression(target, name or "custom", parameters)
    except SymactError as exc:
        if not target.strip().replace("-", "_").isidentifier():
            raise
        import difflib

        from symact.catalogue import names

        close = difflib.get_close_matches(target.strip().lower().replace("-", "_"), names(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see 'symact list'"
        raise SymactError(f"'{target}' is neither a catalogue entry nor a valid expression ({exc}){hint}") from None
