"""The ``symact`` command line.

Each subcommand is a module with ``add_arguments(parser)`` and
``run(args) -> int``; ``SUBCOMMANDS`` lists them. Bad input prints one line
to stderr naming the problem and exits with status 2; nothing is written.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any, Sequence

from symact.errors import SymactError

SUBCOMMANDS: dict[str, str] = {
    "list": "symact.commands.list_",
    "show": "symact.commands.show",
    "check": "symact.commands.check",
    "sheet": "symact.commands.sheet",
    "generate": "symact.commands.generate",
    "verify": "symact.commands.verify",
}

EXIT_USAGE = 2


def add_target_arguments(parser: argparse.ArgumentParser, required: bool = True) -> None:
    """The arguments every per-activation command takes: the target (a
    catalogue name, an expression, or a .toml spec), --name and --param.
    ``required=False`` makes the target optional (for commands that also
    work on the whole catalogue)."""
    parser.add_argument("target", nargs=None if required else "?", help="a catalogue name, an expression such as 'x*tanh(softplus(x))', "
                                       "or a spec file ending in .toml")
    parser.add_argument("--name", help="name of an expression target (default: custom)")
    parser.add_argument("--param", action="append", default=[], metavar="K=V",
                        help="parameter value, e.g. alpha=0.5 (repeatable); for an expression this "
                             "declares the parameter")


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """``["alpha=0.5"]`` -> ``{"alpha": "0.5"}``, refusing malformed pairs."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SymactError(f"--param expects K=V, got '{pair}'")
        if key.strip() in values:
            raise SymactError(f"--param {key.strip()} is given twice")
        values[key.strip()] = value.strip()
    return values


def bind_target(args: argparse.Namespace):
    """Resolve ``args.target`` and bind ``--param`` values: a ``BoundActivation``."""
    from symact.user import resolve

    params = parse_params(args.param)
    activation = resolve(args.target, args.name, params)
    return activation.bind(params)


def print_json(data: Any) -> None:
    """Stable JSON: sorted keys, two-space indent, ASCII only."""
    print(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symact",
        description="Activation functions defined symbolically: derivatives, properties, code.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sub = commands.add_parser(name, help=module.__doc__.strip().splitlines()[0],
                                  description=module.__doc__)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args) or 0)
    except SymactError as exc:
        print(f"symact {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"symact {args.command}: interrupted", file=sys.stderr)
        return 130
