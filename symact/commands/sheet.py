"""Property sheets: LaTeX and PDF for one activation, the catalogue book, Markdown pages for docs/.

  symact sheet NAME|EXPR [--param K=V ...] [-o FILE.tex] [--pdf]
  symact sheet VECTOR_NAME [-o FILE.tex] [--pdf]   softmax, glu, ...: definition, Jacobian, VJP, checks
  symact sheet --all -o DIR [--no-pdf]        the book: DIR/catalogue.tex and .pdf
  symact sheet --markdown DIR [--check]       docs pages: index.md, NAME.md, plots/NAME.svg
                                              (without the parts that depend on the machine)

A sheet shows the definition, f', f'', breakpoints, plots, the property
check and the accuracy of the generated code; a part whose source is not
available (or is switched off) says "not computed". See docs/sheets.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from symact.cli import add_target_arguments, bind_target
from symact.errors import SymactError

BOOK_NAME = "catalogue"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser, required=False)
    parser.add_argument("-o", "--output", metavar="PATH",
                        help="the .tex file to write (one sheet), or the directory of the book (--all)")
    parser.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=None,
                        help="compile with pdflatex (default: on for --all, off for one sheet)")
    parser.add_argument("--all", action="store_true", help="the catalogue book: every entry, with contents "
                                                           "and a comparison table")
    parser.add_argument("--markdown", metavar="DIR", help="write the catalogue as Markdown pages into DIR")
    parser.add_argument("--check", action="store_true",
                        help="with --markdown: write nothing, list stale files, exit 1 if any")
    parser.add_argument("--properties", metavar="FILE.json",
                        help="use this property check (symact check --json) instead of running one")
    parser.add_argument("--no-properties", action="store_true", help="leave the property parts out")
    parser.add_argument("--accuracy", metavar="FILE.json",
                        help="use this verification report (symact verify --json) instead of running one")
    parser.add_argument("--no-accuracy", action="store_true", help="leave the accuracy table out")
    parser.add_argument("--timeout", type=float, default=None, metavar="S",
                        help="time budget of the property check of each activation, in seconds")


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _validate(args: argparse.Namespace) -> str:
    modes = [m for m, on in (("target", args.target is not None), ("--all", args.all),
                             ("--markdown", args.markdown is not None)) if on]
    if len(modes) != 1:
        raise SymactError("give exactly one of: an activation (name or expression), --all, --markdown DIR"
                          + (f"; got {' and '.join(modes)}" if modes else ""))
    mode = modes[0]
    if args.check and mode != "--markdown":
        raise SymactError("--check works with --markdown DIR")
    if mode != "target" and (args.properties or args.accuracy or args.param or args.name):
        raise SymactError("--param, --name, --properties and --accuracy apply to one activation, not to "
                          f"{mode}")
    if mode == "--all" and not args.output:
        raise SymactError("--all needs -o DIR, the directory for the book")
    if mode == "--markdown" and (args.output or args.pdf):
        raise SymactError("--markdown DIR takes neither -o nor --pdf")
    if args.properties and args.no_properties or args.accuracy and args.no_accuracy:
        raise SymactError("a part cannot be both given as a file and switched off")
    if args.timeout is not None and not args.timeout > 0:
        raise SymactError("--timeout must be a positive number of seconds")
    return mode


def _sources(args: argparse.Namespace) -> dict:
    return {"properties": not args.no_properties, "accuracy": not args.no_accuracy, "timeout": args.timeout}


def _compile(source: str, tex_path: Path) -> None:
    from symact.sheets.pdf import compile_pdf

    pdf_path = compile_pdf(source, tex_path.with_suffix(".pdf"))
    print(f"wrote {pdf_path}")


def _one(args: argparse.Namespace) -> int:
    from symact.sheets import collect_sheet, latex_sheet, vector_sheet
    from symact.sheets.sources import read_json

    vector = _vector_entry(args)
    if vector is not None:
        return _write_one(args, latex_sheet(vector_sheet(vector, accuracy=not args.no_accuracy)), vector.name)
    bound = bind_target(args)
    properties = read_json(args.properties, "property check") if args.properties else None
    accuracy = read_json(args.accuracy, "verification") if args.accuracy else None
    for what, data in (("property check", properties), ("verification", accuracy)):
        if data is not None and data.get("activation", bound.name) != bound.name:
            raise SymactError(f"the {what} file is about '{data.get('activation')}', not '{bound.name}'")
    sources = _sources(args)
    sources["properties"] = properties or sources["properties"]
    sources["accuracy"] = accuracy or sources["accuracy"]
    return _write_one(args, latex_sheet(collect_sheet(bound, **sources)), bound.name)


def _vector_entry(args: argparse.Namespace):
    """The vector activation ``args.target`` names, or None (an elementwise
    target); refuses the options that apply to elementwise ones only."""
    from symact.vector import VECTOR_CATALOGUE

    entry = VECTOR_CATALOGUE.get(args.target.strip().lower().replace("-", "_"))
    if entry is None:
        return None
    given = [option for option, value in (("--param", args.param), ("--name", args.name),
                                          ("--properties", args.properties), ("--accuracy", args.accuracy))
             if value]
    if given:
        raise SymactError(f"'{entry.name}' is a vector activation: its sheet takes no {', '.join(given)}")
    return entry


def _write_one(args: argparse.Namespace, source: str, name: str) -> int:
    from symact.output import write_text_atomic

    if not args.output and not args.pdf:
        sys.stdout.write(source)
        return 0
    tex_path = Path(args.output or f"{name}.tex")
    write_text_atomic(tex_path, source)
    print(f"wrote {tex_path}")
    if args.pdf:
        _compile(source, tex_path)
    return 0


def _book(args: argparse.Namespace) -> int:
    from symact.sheets import catalogue_sheets, latex_book
    from symact.output import write_text_atomic

    directory = Path(args.output)
    if directory.exists() and not directory.is_dir():
        raise SymactError(f"-o {directory} exists and is not a directory")
    source = latex_book(catalogue_sheets(**_sources(args), progress=_progress, vectors=True))
    tex_path = write_text_atomic(directory / f"{BOOK_NAME}.tex", source)
    print(f"wrote {tex_path}")
    if args.pdf is not False:
        _compile(source, tex_path)
    return 0


def _markdown(args: argparse.Namespace) -> int:
    from symact.budget import cpu_time_budgets
    from symact.sheets import catalogue_sheets
    from symact.sheets.output import stale_files, sync_tree
    from symact.sheets.render import markdown_tree

    # The pages are checked in and checked for staleness on every machine. ULP
    # figures depend on the machine's numpy and torch builds, and some property
    # verdicts on how busy it is (measured: gelu_tanh's f' limit at -oo is proved
    # on one run and unknown on the next). Both are left to the PDF book and to
    # `symact check` / `symact verify`. The simplifications of f', f'' and the
    # search for f' as g(y) run under budgets that count CPU time here, not wall
    # time, so a busy machine gives the same pages (see docs/sheets.md).
    sources = {**_sources(args), "properties": False, "accuracy": False}
    with cpu_time_budgets():
        files = markdown_tree(catalogue_sheets(**sources, progress=_progress, jobs=1, vectors=True))
    if args.check:
        stale = stale_files(args.markdown, files)
        for relative in stale:
            print(f"stale: {Path(args.markdown) / relative}")
        if stale:
            print(f"{len(stale)} file(s) out of date; run: python -m symact sheet --markdown {args.markdown}",
                  file=sys.stderr)
            return 1
        print(f"{args.markdown}: {len(files)} files up to date")
        return 0
    touched = sync_tree(args.markdown, files)
    print(f"{args.markdown}: {len(files)} files, {len(touched)} changed")
    return 0


def run(args: argparse.Namespace) -> int:
    mode = _validate(args)
    if mode == "--all":
        return _book(args)
    if mode == "--markdown":
        return _markdown(args)
    return _one(args)
