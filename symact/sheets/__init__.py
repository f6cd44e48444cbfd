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

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, Callable, Mapping, Union

from symact.catalogue import CATALOGUE, names
from symact.describe import describe
from symact.sheets.model import extrema_points, finite_limits, sheet_model
from symact.sheets.plot import plot_data
from symact.sheets.render import latex_book, latex_sheet, markdown_index, markdown_page
from symact.sheets.vector import vector_sheet

__all__ = ["build_sheet", "catalogue_sheets", "collect_sheet", "latex_book", "latex_sheet", "markdown_index",
           "markdown_page", "vector_sheet"]

Source = Union[bool, Mapping[str, Any], None]



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


def collect_sheet(bound, properties: Source = True, accuracy: Source = True,
                  timeout: float | None = None) -> dict[str, Any]:
    """``build_sheet`` with each optional part given as data, computed
    (``True``: run the property checker / verifier when installed), or left
    out (``False`` or None)."""
    from symact.sheets.sources import PROPERTY_SECONDS, accuracy_of, properties_of

    if properties is True:
        properties = properties_of(bound, timeout or PROPERTY_SECONDS)
    if accuracy is True:
        accuracy = accuracy_of(bound)
    return build_sheet(bound, properties or None, accuracy or None)


def _catalogue_sheet(job) -> dict[str, Any]:
    name, properties, report, timeout = job
    return collect_sheet(CATALOGUE[name].bind(), properties, report or False, timeout)


def catalogue_sheets(properties: bool = True, accuracy: bool = True, timeout: float | None = None,
                     progress: Callable[[str], None] | None = None, jobs: int | None = None,
                     vectors: bool = False) -> list[dict[str, Any]]:
    """The sheet of every catalogue entry at its defaults, in name order,
    followed, with ``vectors``, by the sheet of every vector activation
    (``symact.sheets.vector``).

    Verification, when asked for, runs for all entries at once, in parallel
    (``symact.verify.verify_many``); the sheets are then built in ``jobs``
    worker processes (default: the CPU count).

    Where the output must not depend on the machine's speed (the checked-in
    Markdown pages), use ``jobs=1`` and leave the property check out: its
    limits and searches, like simplification and the search for f' as g(y)
    in ``symact.derivatives``, run under fixed wall-clock budgets that a busy
    machine can end early: run those inside ``symact.budget.cpu_time_budgets()``."""
    from symact.sheets.sources import accuracy_of_catalogue

    entries = names()
    reports = accuracy_of_catalogue([CATALOGUE[n] for n in entries], progress) if accuracy else [None] * len(entries)
    work = [(name, properties, report, timeout) for name, report in zip(entries, reports)]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(work)))
    sheets = []
    if jobs == 1:
        for index, job in enumerate(work, 1):
            if progress:
                progress(f"[{index}/{len(work)}] {job[0]}")
            sheets.append(_catalogue_sheet(job))
    else:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            for index, sheet in enumerate(pool.map(_catalogue_sheet, work), 1):
                if progress:
                    progress(f"[{index}/{len(work)}] {sheet['name']}")
                sheets.append(sheet)
    if vectors:
        from symact.sheets.vector import vector_sheets

        if progress:
            progress("vector activations")
        sheets += vector_sheets(accuracy)
    return sheets
