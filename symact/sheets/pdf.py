"""Compiling LaTeX to PDF with pdflatex, safely and atomically.

pdflatex runs in a fresh temporary directory with shell escape disabled
(``-no-shell-escape``), without stopping for input
(``-interaction=nonstopmode``) and stopping at the first error
(``-halt-on-error``); twice, so the contents and cross-references resolve.
The PDF replaces the destination only when both runs succeed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from symact.errors import SymactError
from symact.output import write_bytes_atomic

RUNS = 2
TIMEOUT_SECONDS = 600
DEBIAN_PACKAGES = ("texlive-latex-base", "texlive-latex-recommended", "texlive-pictures", "lmodern")


class TexNotFound(SymactError):
    """pdflatex is not installed."""


class TexFailed(SymactError):
    """pdflatex ran and stopped with an error."""


def pdflatex() -> str | None:
    """The path of pdflatex, or None when TeX is not installed."""
    return shutil.which("pdflatex")


def _first_error(log: str) -> str:
    lines = log.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("!"):
            return " ".join(part.strip() for part in lines[index:index + 3] if part.strip())
    return "no error line in the log; see the last lines: " + " ".join(lines[-3:])


def compile_pdf(source: str, destination: str | os.PathLike) -> Path:
    """Compile the LaTeX ``source`` and write the PDF to ``destination``.

    Raises:
      TexNotFound: pdflatex is not on PATH (the message names the packages).
      TexFailed: pdflatex stopped; the message quotes its first error.
    """
    executable = pdflatex()
    if executable is None:
        raise TexNotFound("pdflatex was not found; install TeX Live (on Debian/Ubuntu: apt-get install "
                          + " ".join(DEBIAN_PACKAGES) + ") to make PDFs")
    destination = Path(destination)
    with tempfile.TemporaryDirectory(prefix="symact-tex-") as work:
        (Path(work) / "sheet.tex").write_text(source, encoding="utf-8")
        env = {**os.environ, "openout_any": "p", "openin_any": "p", "shell_escape": "f"}
        for _ in range(RUNS):
            try:
                done = subprocess.run(
                    [executable, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                     "-file-line-error", "sheet.tex"],
                    cwd=work, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_SECONDS, env=env,
                )
            except subprocess.TimeoutExpired:
                raise TexFailed(f"pdflatex did not finish within {TIMEOUT_SECONDS} s") from None
            if done.returncode != 0:
                log_path = Path(work) / "sheet.log"
                log = log_path.read_text(errors="replace") if log_path.exists() else done.stdout.decode(errors="replace")
                raise TexFailed(f"pdflatex failed: {_first_error(log)}")
        write_bytes_atomic(destination, (Path(work) / "sheet.pdf").read_bytes())
    return destination
