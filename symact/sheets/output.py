"""A directory of generated pages kept in step with what symact renders
(``--check`` style); every file is written atomically
(``symact.output.write_text_atomic``).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from symact.output import write_text_atomic

MANAGED_SUFFIXES = (".md", ".svg")


def _managed(directory: Path) -> set[str]:
    if not directory.is_dir():
        return set()
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*")
            if p.is_file() and p.suffix in MANAGED_SUFFIXES}


def stale_files(directory: str | os.PathLike, files: Mapping[str, str]) -> list[str]:
    """Relative paths under ``directory`` that differ from ``files``: changed,
    missing, or generated earlier but no longer produced."""
    directory = Path(directory)
    stale = []
    for relative, text in files.items():
        path = directory / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(relative)
    stale += [relative for relative in _managed(directory) if relative not in files]
    return sorted(stale)


def sync_tree(directory: str | os.PathLike, files: Mapping[str, str]) -> list[str]:
    """Make ``directory`` hold exactly ``files`` (among .md and .svg files):
    write what changed, remove what is no longer produced. Returns the
    relative paths it touched."""
    directory = Path(directory)
    touched = stale_files(directory, files)
    for relative in touched:
        if relative in files:
            write_text_atomic(directory / relative, files[relative])
        else:
            (directory / relative).unlink()
    return touched
