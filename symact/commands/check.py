"""Check an activation's properties, each proved, disproved or unknown.

Every verdict says how it was reached: symbolic (exact SymPy reasoning),
interval (certified Arb interval arithmetic) or derived (from other
verdicts); a disproof carries a certified witness; unknown says why.
See docs/properties.md for every property and the JSON.
"""
from __future__ import annotations

import argparse

from symact.cli import add_target_arguments, bind_target, print_json
from symact.errors import SymactError
from symact.properties import DEFAULT_TIMEOUT, PROPERTY_NAMES, check
from symact.properties.vector import check_vector


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print JSON (sorted keys; see docs/properties.md)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                        help=f"seconds for the whole check (default {DEFAULT_TIMEOUT:g}); past it, unknown")


def _short(value) -> str:
    if isinstance(value, dict):
        if "text" in value:
            return value["text"]
        if "value" in value and not isinstance(value.get("value"), dict):
            shown = value["value"] if value["value"] is not None else f"{value.get('value_float')!r}"
            if value.get("argmin") is not None or value.get("argmin_float") is not None:
                where = value.get("argmin") or repr(value.get("argmin_float"))
                return f"{shown} at x = {where}"
            return str(shown)
    if isinstance(value, list):
        return ", ".join(v["message"] if isinstance(v, dict) and "message" in v else str(v) for v in value) or "none"
    return str(value)


def _vector_entry(args: argparse.Namespace) -> str | None:
    """The name of a vector activation (softmax, glu, ...) given as the target, else None."""
    from symact.vector import VECTOR_CATALOGUE

    name = args.target.strip().lower().replace("-", "_")
    if name not in VECTOR_CATALOGUE:
        return None
    if args.param:
        raise SymactError(f"the vector activation '{name}' has no parameters")
    return name


def run(args: argparse.Namespace) -> int:
    if not args.timeout > 0:
        raise SymactError(f"--timeout must be positive, got {args.timeout}")
    vector = _vector_entry(args)
    if vector is not None:
        result = check_vector(vector, timeout=args.timeout)
    else:
        result = check(bind_target(args), timeout=args.timeout)
    data = result.to_json()
    if vector is not None:
        data["kind"] = "vector"  # additive: the elementwise JSON stays as documented
    if args.json:
        print_json(data)
        return 0
    params = ", ".join(f"{k} = {v}" for k, v in data["params"].items())
    print(f"{data['activation']}" + (f" ({params})" if params else ""))
    for name in (PROPERTY_NAMES if vector is None else data["properties"]):
        verdict = data["properties"][name]
        if name == "warnings":
            continue
        how = f" [{verdict['method']}]" if verdict["method"] else ""
        line = f"  {name:36s} {verdict['verdict']:9s}{how}"
        if verdict["verdict"] == "proved" and verdict["value"] is not True:
            line += f"  {_short(verdict['value'])}"
        elif verdict["verdict"] == "unknown":
            line += f"  ({verdict['reason']})"
        print(line)
        if verdict.get("condition"):
            cases = "; ".join(f"{_short(c['value'])} when {c['when']}" for c in verdict["condition"]["cases"])
            print(f"  {'':36s} depends on the parameters: {cases}")
    for warning in (data["properties"].get("warnings") or {}).get("value") or []:
        print(f"warning: {warning['message']}")
    return 0
