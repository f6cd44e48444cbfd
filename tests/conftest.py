"""Shared fixtures: the catalogue bound at its defaults, cached per session."""
from __future__ import annotations

import functools

import pytest

from symact.catalogue import CATALOGUE


@functools.lru_cache(maxsize=None)
def bound_default(name: str):
    """The catalogue entry ``name`` bound at its defaults (cached)."""
    return CATALOGUE[name].bind()


@pytest.fixture
def bound():
    return bound_default
