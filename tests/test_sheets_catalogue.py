"""The whole catalogue: docs/catalogue is up to date, and the book, with
every entry's sheet and its property check, compiles.

The docs are checked by the command itself in a fresh process, as CI and a
contributor run it; the book is built from the sheet models shared by the
sheet tests (``tests/sheet_models.py``), as ``symact sheet --all`` builds it.
"""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from symact.catalogue import names
from symact.sheets import latex_book
from symact.vector import VECTOR_CATALOGUE
from tests.sheet_models import checked_sheets

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "catalogue"
TEX_PACKAGES = "apt-get install texlive-latex-base texlive-latex-recommended texlive-pictures lmodern poppler-utils"
needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                               reason=f"pdflatex or pdftotext is not installed ({TEX_PACKAGES})")
needs_checker = pytest.mark.skipif(importlib.util.find_spec("symact.properties") is None,
                                   reason="the property checker (symact.properties) is not installed")


@pytest.fixture(scope="module")
def book_text(tmp_path_factory):
    """The book's text as ``pdftotext -layout`` reads it (a table row stays
    one line), with runs of spaces made one and the typographic minus '-'."""
    from symact.sheets.pdf import compile_pdf

    pdf = compile_pdf(latex_book(checked_sheets()), tmp_path_factory.mktemp("book") / "catalogue.pdf")
    done = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True)
    return "\n".join(" ".join(line.split()) for line in done.stdout.replace("\u2212", "-").splitlines())


def sheet_text(book: str, name: str) -> str:
    """The lines of the book that are the sheet of ``name``: from its section
    heading (a line of its own; in the contents the page number follows) to
    the next one."""
    lines = book.splitlines()
    number = names().index(name) + 2  # section 1 is the comparison table
    start = lines.index(f"{number} {name}")
    heading = re.compile(rf"{number + 1} \S+$")
    end = next((i for i in range(start + 1, len(lines)) if heading.match(lines[i])), len(lines))
    return "\n".join(lines[start:end])


def test_docs_catalogue_is_up_to_date():
    done = subprocess.run([sys.executable, "-m", "symact", "sheet", "--markdown", str(DOCS), "--check"], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, (f"docs/catalogue is stale:\n{done.stdout}"
                                  "regenerate with: python -m symact sheet --markdown docs/catalogue")
    assert done.stdout.strip() == f"{DOCS}: {2 * len(names()) + len(VECTOR_CATALOGUE) + 1} files up to date"


def test_docs_index_links_every_entry():
    index = (DOCS / "index.md").read_text()
    for name in names():
        assert f"]({name}.md)" in index
        assert (DOCS / f"{name}.md").is_file() and (DOCS / "plots" / f"{name}.svg").is_file()
    for name in VECTOR_CATALOGUE:
        assert f"]({name}.md)" in index.split("## Vector activations")[1] and (DOCS / f"{name}.md").is_file()


@needs_tex
def test_the_book_has_contents_and_every_sheet(book_text):
    lines = book_text.splitlines()
    contents = lines[lines.index("Contents"):lines.index("1 Comparison")]
    for number, name in enumerate(names(), start=2):
        assert any(line.startswith(f"{number} {name} ") for line in contents), name
        assert "Definition and derivatives" in sheet_text(book_text, name)
    for number, name in enumerate(sorted(VECTOR_CATALOGUE), start=len(names()) + 2):
        assert any(line.startswith(f"{number} {name} ") for line in contents), name
    assert "Jacobian and vector-Jacobian product" in book_text.split(f"{len(names()) + 2} ")[-1]
    assert "Klambauer et al. (2017), Self-normalizing neural networks" in sheet_text(book_text, "selu")


@needs_tex
def test_the_book_shows_breakpoint_values(book_text):
    relu = sheet_text(book_text, "relu")
    assert "Breakpoints" in relu and "undefined" in relu  # f'(0) does not exist
    assert "None: f is one formula on the whole real line." in sheet_text(book_text, "sigmoid")


@needs_tex
@needs_checker
def test_the_book_shows_certified_key_values(book_text):
    sigmoid = sheet_text(book_text, "sigmoid")
    assert "range proved interval (0, 1)" in sigmoid  # open at both ends
    assert "monotonicity proved derived strictly increasing" in sigmoid
    relu = sheet_text(book_text, "relu")
    assert "dead zone proved symbolic (-∞, 0)" in relu
    assert "dying-ReLU" in relu  # the warning
    silu = sheet_text(book_text, "silu")
    assert "≈ -0.278465, at x = -1 - W" in silu and "≈ -1.27846" in silu  # min -W(1/e) at -1 - W(1/e)
    assert "≈ -0.169971, at x ≈ -0.751792" in sheet_text(book_text, "gelu")
    assert "range proved interval (-1, ∞)" in sheet_text(book_text, "elu")  # -alpha approached, not attained
