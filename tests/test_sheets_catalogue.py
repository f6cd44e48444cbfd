"""The whole catalogue: docs/catalogue is up to date, and the book compiles.

Both are built from one set of sheet models, computed once for the module
exactly as ``symact sheet --markdown`` and ``symact sheet --all`` do.
"""
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


@pytest.fixture(scope="module")
def sheets():
    return catalogue_sheets(accuracy=False)  # as `symact sheet --markdown` builds them


def test_docs_catalogue_is_up_to_date(sheets):
    stale = stale_files(DOCS, markdown_tree(sheets))
    assert not stale, (f"docs/catalogue is stale ({', '.join(stale)}); "
                       "regenerate with: python -m symact sheet --markdown docs/catalogue")


def test_docs_index_links_every_entry(sheets):
    index = (DOCS / "index.md").read_text()
    for name in names():
        assert f"]({name}.md)" in index
        assert (DOCS / f"{name}.md").is_file() and (DOCS / "plots" / f"{name}.svg").is_file()


@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                    reason=f"pdflatex or pdftotext is not installed ({TEX_PACKAGES})")
def test_the_book_compiles_with_contents_and_every_sheet(sheets, tmp_path):
    from symact.sheets.pdf import compile_pdf

    pdf = compile_pdf(latex_book(sheets), tmp_path / "catalogue.pdf")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    text = " ".join(done.stdout.split())
    contents = text[text.index("Contents"):text.index("Comparison", text.index("Comparison") + 1)]
    for number, name in enumerate(names(), start=2):
        assert f"{number} {name}" in contents, name  # section 1 is the comparison table
    assert "Klambauer et al. (2017), Self-normalizing neural networks" in text
