"""Show an activation's definition, exact f' and f'', and its breakpoints."""
from __future__ import annotations

import argparse

from symact.cli import add_target_arguments, bind_target, print_json
from symact.describe import describe


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print JSON (sorted keys; see docs/cli.md)")
    parser.add_argument("--latex", action="store_true", help="formulas as LaTeX")


def _side(values: dict, name: str, at: str) -> str:
    text = f"{name}({at}-) = {values['left']}, {name}({at}+) = {values['right']}"
    if values["exists"]:
        return f"{text}, {name}({at}) = {values['value']}"
    return f"{text}, {name}({at}) does not exist"


def run(args: argparse.Namespace) -> int:
    bound = bind_target(args)
    data = describe(bound, latex=args.latex)
    if args.json:
        print_json(data)
        return 0
    print(f"{data['name']}: {data['description']}" if data["description"] else data["name"])
    if data["citation"]:
        print(f"  source: {data['citation']}")
    if data["notes"]:
        print(f"  note: {data['notes']}")
    for pname, info in data["parameters"].items():
        learnable = ", learnable" if info["learnable"] else ""
        print(f"  parameter {pname} = {info['value']} (default {info['default']}, domain {info['domain']}{learnable})")
    print(f"f(x)   = {data['definition']}")
    if data["parameters"]:
        print(f"       = {data['f']}   (with the values above)")
    print(f"f'(x)  = {data['df']}")
    print(f"f''(x) = {data['d2f']}")
    if data["df_of_output"]:
        print(f"f'(x)  = {data['df_of_output']}   with y = f(x)")
    for point in data["breakpoints"]:
        print(f"breakpoint x = {point['x']}:")
        for key, label in (("f", "f"), ("df", "f'"), ("d2f", "f''")):
            if key in point:
                print(f"  {_side(point[key], label, point['x'])}")
    return 0
