"""Sheet models of the whole catalogue, built once per test run and shared
by the sheet tests (plots, models, the book): building them is most of the
time those tests take."""
from functools import lru_cache

from symact.sheets import catalogue_sheets


@lru_cache(maxsize=None)
def plain_sheets() -> dict:
    """name -> sheet of every catalogue entry at its defaults, without the
    property check and the accuracy table: describe() and the plots. Built in
    this process, so the derivatives stay cached for the tests that follow."""
    return {sheet["name"]: sheet for sheet in catalogue_sheets(properties=False, accuracy=False, jobs=1)}


@lru_cache(maxsize=None)
def checked_sheets() -> tuple:
    """The book's content: every entry's sheet with the property check (the
    accuracy tables are tested on single sheets, verifying the whole
    catalogue takes minutes), in name order, then the vector activations."""
    return tuple(catalogue_sheets(accuracy=False, jobs=2, vectors=True))
