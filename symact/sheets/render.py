r"""Rendering sheet models (``symact.sheets.model``) with jinja2 templates.

Two environments share the templates in ``symact/templates/sheets``:

- LaTeX, with delimiters that do not clash with TeX: ``\VAR{...}`` for
  values, ``\BLOCK{...}`` for statements, ``\#{...}`` for comments. Every
  value is escaped by ``latex_text`` unless it is ``Latex`` (math made by
  symact), so escaping is the default and cannot be forgotten.
- Markdown, with jinja's usual delimiters; text is escaped by
  ``markdown_text`` and ``Latex`` goes into ``$...$`` as is.

Rendering is pure: source text in, source text out, no I/O.
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote
from typing import Any, Mapping, Sequence

import jinja2

from symact.sheets.escape import latex_text, markdown_text
from symact.sheets.mathtext import number_text, top_level_parts
from symact.sheets.model import Latex
from symact.sheets.svg import plot_svg

TEMPLATES = "templates/sheets"


class _Rendered(str):
    """Output of a rendering filter, already in the target language."""

    __slots__ = ()


def _finalize(escape, math=str):
    def finalize(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, _Rendered):
            return str(value)
        if isinstance(value, Latex):
            return math(value)
        if isinstance(value, float):
            return number_text(value)
        return escape(str(value))
    return finalize


def _coordinates(points: Sequence[Sequence[float]]) -> Latex:
    """pgfplots coordinates '(x,y) (x,y)' with 6 significant digits."""
    return Latex(" ".join(f"({number_text(x)},{number_text(y)})" for x, y in points))


def _markdown_math(latex: str) -> str:
    """Math for ``$...$`` in Markdown: a ``|`` would end a table cell, so it
    is written ``\\vert``, and the line stays one line."""
    return " ".join(latex.replace("|", r"\vert ").split())


def _latex_cell(value: Any, width: str) -> _Rendered:
    """A table cell: math in pieces that the line may break between, each
    shrunk to ``width`` only when wider; or escaped text."""
    if value is None:
        return _Rendered("")
    if isinstance(value, Latex):
        return _Rendered(", ".join(rf"\fitcell{{{width}}}{{{part}}}" for part in top_level_parts(value)))
    return _Rendered(latex_text(str(value)))


def _markdown_cell(value: Any) -> _Rendered:
    """A table cell: math in ``$...$``, or escaped text."""
    if value is None:
        return _Rendered("")
    if isinstance(value, Latex):
        return _Rendered(f"${_markdown_math(value)}$")
    return _Rendered(markdown_text(str(value)))


@lru_cache(maxsize=None)
def latex_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("symact", TEMPLATES),
        block_start_string=r"\BLOCK{", block_end_string="}",
        variable_start_string=r"\VAR{", variable_end_string="}",
        comment_start_string=r"\#{", comment_end_string="}",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        autoescape=False, undefined=jinja2.StrictUndefined, finalize=_finalize(latex_text),
    )
    env.filters["coordinates"] = _coordinates
    env.filters["cell"] = _latex_cell
    env.filters["raw"] = _Rendered  # template text only, never data
    env.filters["num"] = lambda v: Latex(number_text(v))
    env.tests["latex"] = lambda v: isinstance(v, Latex)
    return env


@lru_cache(maxsize=None)
def markdown_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("symact", TEMPLATES),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        autoescape=False, undefined=jinja2.StrictUndefined,
        finalize=_finalize(markdown_text, _markdown_math),
    )
    env.filters["num"] = lambda v: Latex(number_text(v))
    env.filters["cell"] = _markdown_cell
    env.filters["url"] = lambda v: Latex(quote(str(v)))
    env.tests["latex"] = lambda v: isinstance(v, Latex)
    return env


def _is_vector(model: Mapping[str, Any]) -> bool:
    return model.get("kind") == "vector"


def latex_sheet(model: Mapping[str, Any]) -> str:
    """A standalone LaTeX document: the sheet of one activation (elementwise,
    or vector: ``symact.sheets.vector``)."""
    template = "vector_document.tex.j2" if _is_vector(model) else "sheet_document.tex.j2"
    return latex_environment().get_template(template).render(sheet=model)


def latex_book(models: Sequence[Mapping[str, Any]], title: str = "The symact activation catalogue") -> str:
    """The catalogue book: contents, a comparison table of the elementwise
    activations, one sheet each, then the vector activations' sheets."""
    return latex_environment().get_template("book.tex.j2").render(
        sheets=[m for m in models if not _is_vector(m)], vectors=[m for m in models if _is_vector(m)], title=title)


def markdown_page(model: Mapping[str, Any]) -> str:
    """The sheet of one activation as a Markdown page (math in ``$...$``)."""
    template = "vector.md.j2" if _is_vector(model) else "sheet.md.j2"
    return markdown_environment().get_template(template).render(sheet=model)


def markdown_index(models: Sequence[Mapping[str, Any]]) -> str:
    """The index page: one row per activation, linking to its page; the
    vector activations in a table of their own."""
    return markdown_environment().get_template("index.md.j2").render(
        sheets=[m for m in models if not _is_vector(m)], vectors=[m for m in models if _is_vector(m)])


def markdown_tree(models: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The Markdown catalogue as files: relative path -> text.

    ``index.md``, ``<name>.md`` for each sheet, and ``plots/<name>.svg``
    for each sheet with plots.
    """
    files = {"index.md": markdown_index(models)}
    for model in models:
        files[f"{model['name']}.md"] = markdown_page(model)
        if model.get("plot"):
            files[f"plots/{model['name']}.svg"] = plot_svg(model["plot"], model["name"])
    return files
