"""On-disk cache of reference tables, content-addressed.

A table is stored under the SHA-256 of everything it depends on: the exact
function (``PiecewiseReference.key``: breakpoints, branch formulas and
breakpoint conventions), the float64 bytes of the points, and the precision
policy of ``symact.verify.reference``. Change any of them and the key
changes; nothing is ever invalidated by hand. Files are written atomically
(``symact.output``: temporary file, then ``os.replace``), so concurrent workers and interrupted
runs never leave a half-written entry; an unreadable entry is recomputed.

The default directory is ``$SYMACT_CACHE_DIR``, else
``$XDG_CACHE_HOME/symact/verify``, else ``~/.cache/symact/verify``.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Callable

import numpy as np

from symact.output import write_bytes_atomic, write_text_atomic
from symact.verify import reference as ref

CACHE_FORMAT = 6


def default_cache_dir() -> Path:
    """Where reference tables are kept unless a directory is given."""
    explicit = os.environ.get("SYMACT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "symact" / "verify"


def _policy() -> str:
    return (f"format={CACHE_FORMAT} start={ref.PRECISION_START} cap={ref.PRECISION_CAP} "
            f"underflow={ref.UNDERFLOW_PRECISION} agree={ref.AGREEMENT_BITS}")


def table_key(function_key: str, points: np.ndarray) -> str:
    """The content address of the table of ``function_key`` at ``points``."""
    digest = hashlib.sha256()
    digest.update(_policy().encode())
    digest.update(function_key.encode())
    digest.update(np.ascontiguousarray(points, dtype=np.float64).tobytes())
    return digest.hexdigest()


class ReferenceCache:
    """Reference tables on disk; ``directory=None`` disables caching."""

    def __init__(self, directory: str | Path | None):
        self.directory = Path(directory) if directory is not None else None
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.npz"

    def load(self, key: str, points: np.ndarray) -> ref.ReferenceTable | None:
        """The stored table for ``key``, or None (missing or unreadable)."""
        if self.directory is None:
            return None
        try:
            with np.load(self._path(key)) as stored:
                if not np.array_equal(stored["points"].view(np.uint64),
                                      np.asarray(points, np.float64).view(np.uint64)):
                    return None
                return ref.ReferenceTable(stored["points"], {d: stored[d] for d in ref.FORMATS},
                                          stored["status"], stored["precision"])
        except (OSError, KeyError, ValueError):
            return None

    def store(self, key: str, table: ref.ReferenceTable) -> None:
        """Write ``table`` under ``key`` atomically (errors leave no file)."""
        if self.directory is None:
            return
        try:
            _write_npz(self._path(key), points=table.points, status=table.status, precision=table.precision,
                       **table.rounded)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def table(self, function: ref.PiecewiseReference, points: np.ndarray,
              compute: Callable[[ref.PiecewiseReference, np.ndarray], ref.ReferenceTable] = ref.reference_table
              ) -> ref.ReferenceTable:
        """The reference table of ``function`` at ``points``, from disk or computed."""
        points = np.asarray(points, dtype=np.float64)
        key = table_key(function.key, points)
        found = self.load(key, points)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        table = compute(function, points)
        self.store(key, table)
        return table

    def mask(self, parts: tuple[str, ...], points: np.ndarray, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """A boolean array over ``points`` depending only on ``parts`` (content
        keys) and the points, from disk or computed: the excused points."""
        points = np.asarray(points, dtype=np.float64)
        digest = hashlib.sha256("\n".join((_policy(), "mask", *parts)).encode())
        digest.update(np.ascontiguousarray(points).tobytes())
        key = digest.hexdigest()
        if self.directory is not None:
            try:
                with np.load(self._path(key)) as stored:
                    found = stored["mask"]
                if found.shape == points.shape and found.dtype == bool:
                    self.hits += 1
                    return found
            except (OSError, KeyError, ValueError):
                pass
        self.misses += 1
        result = np.asarray(compute(), dtype=bool)
        if self.directory is not None:
            try:
                _write_npz(self._path(key), mask=result)
            except OSError:
                pass
        return result

    def analysis(self, parts: tuple[str, ...], compute: Callable[[], dict]) -> dict:
        """A JSON-able result depending only on ``parts`` (content keys), from
        disk or computed: the zeros of f and f' and the derivative check."""
        digest = hashlib.sha256("\n".join((_policy(), "analysis", *parts)).encode()).hexdigest()
        if self.directory is not None:
            path = self.directory / digest[:2] / f"{digest}.json"
            try:
                found = json.loads(path.read_text(encoding="utf-8"))
                self.hits += 1
                return found
            except (OSError, ValueError):
                pass
        self.misses += 1
        result = compute()
        if self.directory is not None:
            try:
                write_text_atomic(path, json.dumps(result, sort_keys=True))
            except OSError:
                pass
        return result


def _write_npz(path: Path, **arrays: np.ndarray) -> None:
    """Store ``arrays`` as an ``.npz`` file at ``path`` atomically."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_bytes_atomic(path, buffer.getvalue())
