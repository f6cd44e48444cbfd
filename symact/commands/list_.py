"""List the catalogue: name, aliases, parameters, formula."""
from __future__ import annotations

import argparse

from symact.catalogue import CATALOGUE
from symact.cli import print_json
from symact.describe import exact, formula
from symact.vector import VECTOR_CATALOGUE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON (sorted keys)")


def run(args: argparse.Namespace) -> int:
    rows = []
    for name in sorted(CATALOGUE):
        entry = CATALOGUE[name]
        rows.append({
            "name": name,
            "kind": "elementwise",
            "aliases": list(entry.aliases),
            "parameters": {p.name: {"default": exact(p.default), "domain": p.domain_text,
                                    "learnable": p.learnable} for p in entry.params},
            "formula": formula(entry.expr, latex=False),
            "description": entry.description,
            "citation": entry.citation,
        })
    for name in sorted(VECTOR_CATALOGUE):
        entry = VECTOR_CATALOGUE[name]
        rows.append({"name": name, "kind": "vector", "aliases": list(entry.aliases), "parameters": {},
                     "formula": entry.formula, "description": entry.description, "citation": entry.citation})
    if args.json:
        print_json(rows)
        return 0
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        params = ", ".join(f"{k}={v['default']}" for k, v in row["parameters"].items())
        aliases = f" (also {', '.join(row['aliases'])})" if row["aliases"] else ""
        print(f"{row['name']:<{width}}  {row['formula']}" + (f"   [{params}]" if params else "") + aliases)
    vectors = sum(row["kind"] == "vector" for row in rows)
    print(f"{len(rows) - vectors} elementwise and {vectors} vector activations")
    return 0
