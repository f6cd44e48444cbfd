r"""The checked-in generated code: which files exist and their expected text
(written with ``symact.output.write_text_atomic``). Rendering (``symact.codegen.render``) does no I/O; this
module is the thin step that touches the file system.

Layout: ``generated/numpy/<name>.py`` and ``generated/torch/<name>.py`` for
every catalogue entry, elementwise and vector (``symact.codegen.vector``).
"""
from __future__ import annotations

from pathlib import Path

from symact.codegen.render import TARGETS, render

GENERATED_DIR = Path("generated")


def catalogue_files(root: str | Path = GENERATED_DIR, targets=TARGETS) -> dict[Path, str]:
    """Every generated file of the catalogue, elementwise and vector: path -> expected text."""
    from symact.catalogue import CATALOGUE, names

    from symact.codegen.vector import render_vector, vector_names
    from symact.vector import VECTOR_CATALOGUE

    root = Path(root)
    files = {root / target / f"{name}.py": render(CATALOGUE[name], target)
             for target in targets for name in names()}
    files.update({root / target / f"{name}.py": render_vector(VECTOR_CATALOGUE[name], target)
                  for target in targets for name in vector_names()})
    return files


def stale_files(root: str | Path = GENERATED_DIR, targets=TARGETS) -> list[str]:
    """Files under ``root`` that are missing, differ from a fresh rendering,
    or belong to no catalogue entry, as sorted messages."""
    root = Path(root)
    expected = catalogue_files(root, targets)
    problems = []
    for path, text in sorted(expected.items()):
        if not path.exists():
            problems.append(f"{path} is missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path} is stale")
    for target in targets:
        for path in sorted((root / target).glob("*.py")) if (root / target).is_dir() else []:
            if path not in expected:
                problems.append(f"{path} belongs to no catalogue entry")
    return problems
