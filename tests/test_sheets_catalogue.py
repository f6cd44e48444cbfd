"""The whole catalogue: docs/catalogue is up to date, and the book compiles.

Both are built from one set of sheet models, computed once for the module
exactly as ``symact sheet --markdown`` builds them (the property check when
the checker is installed; no accuracy table, see docs/sheets.md).
"""
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from symact.catalogue import names
from symact.sheets import catalogue_sheets, latex_book
from symact.sheets.output import stale_files
from symact.sheets.render import markdown_tree

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "catalogue"
TEX_PACKAGES = "apt-get install texlive-latex-base texlive-latex-recommended texlive-pictures poppler-utils"
needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                               reason=f"pdflatex or pdftotext is not installed ({TEX_PACKAGES})")
needs_checker = pytest.mark.skipif(importlib.util.find_spec("symact.properties") is None,
                                   reason="the property checker (symact.properties) is not installed")


@pytest.fixture(scope="module")
def sheets():
    return catalogue_sheets(accuracy=False)  # as `symact sheet --markdown` builds them


@pytest.fixture(scope="module")
def book_text(sheets, tmp_path_factory):
    """The book's text as pdftotext reads it, words separated by one space,
    with the typographic minus read as '-'."""
    from symact.sheets.pdf import compile_pdf

    pdf = compile_pdf(latex_book(sheets), tmp_path_factory.mktemp("book") / "catalogue.pdf")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.replace("\u2212", "-").split())


def sheet_text(book: str, name: str) -> str:
    """The part of the book's text that is the sheet of ``name``: from its
    section heading (its second occurrence; the first is the contents) to
    the next one."""
    entries = names()
    number = entries.index(name) + 2  # section 1 is the comparison table
    start = book.index(f"{number} {name} ", book.index(f"{number} {name} ") + 1)
    if name == entries[-1]:
        return book[start:]
    following = f"{number + 1} {entries[number - 1]} "
    return book[start:book.index(following, book.index(following) + 1)]


def test_docs_catalogue_is_up_to_date(sheets):
    stale = stale_files(DOCS, markdown_tree(sheets))
    assert not stale, (f"docs/catalogue is stale ({', '.join(stale)}); "
                       "regenerate with: python -m symact sheet --markdown docs/catalogue")


def test_docs_index_links_every_entry():
    index = (DOCS / "index.md").read_text()
    for name in names():
        assert f"]({name}.md)" in index
        assert (DOCS / f"{name}.md").is_file() and (DOCS / "plots" / f"{name}.svg").is_file()


@needs_tex
def test_the_book_has_contents_and_every_sheet(book_text):
    contents = book_text[book_text.index("Contents"):book_text.index("1 Comparison", book_text.index("Contents") + 20)]
    for number, name in enumerate(names(), start=2):
        assert f"{number} {name}" in contents, name
        assert "Definition and derivatives" in sheet_text(book_text, name)
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
    assert "range (0, 1)" in sigmoid  # the property table row: open at both ends
    assert "lipschitz constant proved interval 1 4" in sigmoid  # 1/4, typeset as a fraction
    relu = sheet_text(book_text, "relu")
    assert "dead zone proved symbolic (-∞, 0)" in relu
    assert "dying-ReLU" in relu  # the warning
    silu = sheet_text(book_text, "silu")
    assert "≈ -0.278465" in silu and "≈ -1.27846" in silu  # min -W(1/e) at -1 - W(1/e)
    gelu = sheet_text(book_text, "gelu")
    assert "≈ -0.169971" in gelu
    elu = sheet_text(book_text, "elu")
    assert "range (-1, ∞)" in elu  # the infimum -alpha is approached, not attained
