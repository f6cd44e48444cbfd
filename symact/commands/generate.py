"""Generate standalone NumPy/PyTorch code for the catalogue or one activation.

Without a TARGET, (re)writes generated/numpy/<name>.py and
generated/torch/<name>.py for every catalogue entry; with --check it writes
nothing and exits 1 naming every stale, missing or orphaned file. With a
TARGET (a catalogue name, an expression, or a spec file ending in .toml, as
in 'symact show'; --expr and --spec say the same), renders that one
activation for --target to -o FILE (or stdout). Files are written
atomically.
"""
from __future__ import annotations

import argparse
import sys

from symact.catalogue import lookup
from symact.cli import parse_params
from symact.errors import SymactError
from symact.output import write_text_atomic

EXIT_STALE = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("activation", nargs="?", metavar="TARGET",
                        help="one activation: a catalogue name, an expression such as 'x*tanh(softplus(x))', "
                             "or a spec file ending in .toml (default: the whole catalogue into --dir)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--expr", metavar="EXPR", help="an expression (the same as giving it as TARGET)")
    source.add_argument("--spec", metavar="FILE.toml", help="a TOML spec file, docs/spec.md (the same as "
                                                            "giving it as TARGET)")
    parser.add_argument("--name", help="the name of an expression activation (default: custom)")
    parser.add_argument("--param", action="append", default=[], metavar="K=V",
                        help="declare a parameter of an expression with its default (repeatable)")
    parser.add_argument("--target", choices=("numpy", "torch"),
                        help="the target (default: both for the catalogue; numpy for --expr/--spec)")
    parser.add_argument("-o", "--output", metavar="FILE.py", help="where to write --expr/--spec code "
                                                                  "(default: stdout)")
    parser.add_argument("--dir", default="generated", help="the catalogue's output folder (default: generated)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 and name the files that are not up to date")


def _one(args: argparse.Namespace) -> int:
    from symact.codegen import render
    from symact.user import resolve

    if args.check:
        raise SymactError("--check applies to the catalogue's generated folder, not to one activation")
    if args.activation is not None and (args.expr is not None or args.spec is not None):
        raise SymactError("give either TARGET or --expr/--spec, not both")
    target = args.activation or args.expr or args.spec
    if (target.endswith(".toml") or lookup(target) is not None) and (args.name or args.param):
        raise SymactError("--name and --param apply to an expression; a catalogue entry or spec file names "
                          "its activation and declares its parameters")
    activation = resolve(target, args.name, parse_params(args.param))
    text = render(activation, args.target or "numpy")
    if args.output:
        write_text_atomic(args.output, text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.activation is not None or args.expr is not None or args.spec is not None:
        return _one(args)
    if args.output or args.name or args.param:
        raise SymactError("-o, --name and --param need one activation (TARGET)")
    from symact.codegen.files import catalogue_files, stale_files

    targets = (args.target,) if args.target else ("numpy", "torch")
    if args.check:
        problems = stale_files(args.dir, targets)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"symact generate: {len(problems)} generated files are not up to date; "
                  f"run: python -m symact generate", file=sys.stderr)
            return EXIT_STALE
        print(f"{args.dir}: up to date")
        return 0
    changed = 0
    for path, text in sorted(catalogue_files(args.dir, targets).items()):
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        write_text_atomic(path, text)
        changed += 1
    print(f"{args.dir}: {changed} files written")
    return 0
