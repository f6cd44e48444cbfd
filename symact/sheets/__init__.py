"""Property sheets: one page per activation, in LaTeX (compiled to PDF with
pgfplots plots) and in Markdown for docs/, and the catalogue book.

The pipeline is data in, text out:

1. ``build_sheet(bound, properties, accuracy)`` gathers plain data:
   ``symact.describe.describe`` (formulas, breakpoints), the property
   checker's JSON and the verifier's JSON (each optional; a missing one is
   shown as *not computed*), and plot samples (``symact.sheets.plot``);
2. ``symact.sheets.render`` turns that data into LaTeX or Markdown with the
   templates in ``symact/templates/sheets``;
3. ``symact.sheets.pdf.compile_pdf`` runs pdflatex.
"""
from __future__ import annotations

from typing import Any, Mapping

from symact.describe import describe
from symact.sheets.model import extrema_points, finite_limits, sheet_model
from symact.sheets.plot import plot_data
from symact.sheets.render import latex_book, latex_sheet, markdown_index, markdown_page

__all__ = ["build_sheet", "latex_book", "latex_sheet", "markdown_index", "markdown_page"]


def build_sheet(bound, properties: Mapping[str, Any] | None = None,
                accuracy: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The sheet of a ``BoundActivation`` as plain data (``symact.sheets.model``).

    Args:
      bound: the activation with its parameters bound.
      properties: ``symact.properties.check(bound).to_json()``, or None.
      accuracy: ``symact.verify.verify(...).to_json()``, or None.
    """
    plot = plot_data(bound, extrema=extrema_points(properties), asymptotes=finite_limits(properties))
    return sheet_model(describe(bound, latex=True), properties, accuracy, plot)
