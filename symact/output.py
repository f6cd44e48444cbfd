"""Writing files so that nobody ever sees half of one.

Every file symact writes (generated code, reports, sheets, Markdown pages,
the verifier's reference cache) goes through ``write_text_atomic`` or
``write_bytes_atomic``: the text is written to a temporary file
in the destination's directory and moved over the destination with
``os.replace``, which POSIX and Windows make atomic within one file system.
A reader sees the old file or the new one; a failure (disk full, an
interrupt) leaves the old file and no temporary file behind.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_bytes_atomic", "write_text_atomic"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically and return the path.

    The text is UTF-8 with ``\\n`` line ends on every platform (``text`` is
    written as given: no newline translation); otherwise as
    ``write_bytes_atomic``.

    Raises:
      OSError: the file could not be written; ``path`` is unchanged.
    """
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    Missing parent directories are created; the file gets the permissions a
    plain ``open(path, "wb")`` would give it (``0o666`` less the umask), not
    the private ``0o600`` of a temporary file. The data is flushed to disk
    before the rename, so a crash cannot leave an empty file in its place.

    Raises:
      OSError: the file could not be written; ``path`` is unchanged.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(staged, 0o666 & ~_umask())
        os.replace(staged, path)
    except BaseException:
        if os.path.exists(staged):
            os.unlink(staged)
        raise
    return path
