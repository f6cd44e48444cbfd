"""Cost of the catalogue book (``symact sheet --all``) and of the Markdown
catalogue (``symact sheet --markdown``), stage by stage, in one process.

Stages, each timed in wall-clock and CPU seconds (this process and its
finished worker processes):

* plain sheets: describe() (f', f'', f' as g(y), breakpoints) and the plot
  samples of every elementwise entry, one process (as ``--markdown``);
* property checks: every entry's sheet again with ``symact.properties.check``,
  in ``--jobs`` worker processes (as ``--all``, which also verifies; pass
  ``--verify`` to include the verifier, minutes with a cold cache);
* vector sheets: the symbolic checks of the 7 vector activations;
* render: the book's LaTeX and the Markdown tree (pure string work);
* pdflatex: the book compiled, two runs (contents and references);
* baseline: one entry's standalone sheet compiled, two runs, for scale.

Run from the repository root:  python3 benchmarks/sheets_bench.py [--jobs N] [--verify]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symact.catalogue import names  # noqa: E402
from symact.sheets import catalogue_sheets, latex_book, latex_sheet  # noqa: E402
from symact.sheets.pdf import compile_pdf  # noqa: E402
from symact.sheets.render import markdown_tree  # noqa: E402
from symact.sheets.vector import vector_sheets  # noqa: E402


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(rows, label, fn):
    wall, cpu = time.perf_counter(), _cpu()
    result = fn()
    rows.append((label, time.perf_counter() - wall, _cpu() - cpu))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--verify", action="store_true", help="include the verifier's accuracy tables")
    args = parser.parse_args()
    rows: list[tuple[str, float, float]] = []
    plain = _timed(rows, "plain sheets (1 process)", lambda: catalogue_sheets(False, False, jobs=1))
    checked = _timed(rows, f"property checks ({args.jobs} jobs)" + (" + verify" if args.verify else ""),
                     lambda: catalogue_sheets(True, args.verify, jobs=args.jobs))
    vectors = _timed(rows, "vector sheets", vector_sheets)
    book = _timed(rows, "render book + Markdown",
                  lambda: (latex_book(checked + vectors), markdown_tree(plain + vectors))[0])
    with tempfile.TemporaryDirectory() as work:
        _timed(rows, "pdflatex book (2 runs)", lambda: compile_pdf(book, Path(work) / "book.pdf"))
        _timed(rows, "baseline: pdflatex one sheet (2 runs)",
               lambda: compile_pdf(latex_sheet(plain[0]), Path(work) / "one.pdf"))
    load = os.getloadavg()
    print(f"{len(names())} elementwise + {len(vectors)} vector entries; {os.cpu_count()} CPUs; "
          f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    print(f"{'stage':<40} {'wall s':>8} {'CPU s':>8}")
    for label, wall, cpu in rows:
        print(f"{label:<40} {wall:8.1f} {cpu:8.1f}")
    book_rows = rows[1:5]
    print(f"{'book (--all without plain sheets)':<40} {sum(r[1] for r in book_rows):8.1f} "
          f"{sum(r[2] for r in book_rows):8.1f}")


if __name__ == "__main__":
    main()
