r"""Exact values written as text (``"-LambertW(exp(-1))"``, ``"sqrt(2)/2"``)
turned into LaTeX for the sheets.

``symact.describe`` and the property checker write exact numbers in SymPy's
text form. To typeset them, the text is read back with the project's safe
parser (``symact.parsing.parse_expression``: a whitelist, never ``eval``),
after renaming the few SymPy spellings the expression language writes
differently, and printed with ``symact.describe.formula``. Text that does
not read back stays text (escaped), so nothing is lost and nothing is run.
"""
from __future__ import annotations

import math
import re

import sympy

from symact.describe import formula
from symact.errors import SymactError
from symact.parsing import parse_expression

_SPELLINGS = {"LambertW": "lambertw", "Abs": "abs", "E": "e"}
_INFINITIES = {"oo": r"\infty", "+oo": r"\infty", "-oo": r"-\infty", "zoo": r"\tilde\infty", "inf": r"\infty",
               "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_TEXT = 4000


def exact_value(text: str) -> sympy.Expr | None:
    """The finite number that ``text`` writes exactly, or None if it does
    not read back as a number without free symbols."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return None
    renamed = _IDENTIFIER.sub(lambda m: _SPELLINGS.get(m.group(0), m.group(0)), text)
    try:
        value = parse_expression(renamed)
    except (SymactError, TypeError, ValueError, ZeroDivisionError):
        return None
    return value if value.is_number else None


def exact_latex(text: str | None) -> str | None:
    r"""LaTeX for an exact value given as text; None for None.

    >>> exact_latex("-LambertW(exp(-1))")
    '- W\\left(e^{-1}\\right)'
    """
    if text is None:
        return None
    stripped = str(text).strip()
    if stripped in _INFINITIES:
        return _INFINITIES[stripped]
    value = exact_value(stripped)
    if value is None:
        from symact.sheets.escape import latex_text

        return r"\texttt{" + latex_text(stripped) + "}"
    return formula(value, latex=True)


def number_text(value: float | None, digits: int = 6) -> str:
    """A float rounded to ``digits`` significant digits, stable across
    platforms; '-' for None, and the names of the infinities and NaN."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    return text.replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")


def number_latex(value: float | None, digits: int = 6) -> str:
    r"""``number_text`` in LaTeX math (``1.5\cdot 10^{-8}``, ``\infty``)."""
    text = number_text(value, digits)
    if text == "inf":
        return r"\infty"
    if text == "-inf":
        return r"-\infty"
    if text in ("NaN", "-"):
        return r"\mathrm{" + text + "}" if text == "NaN" else "-"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    return text


SEPARATOR = r",\ "


def top_level_parts(latex: str) -> list[str]:
    r"""``latex`` cut at the separators ``,\ `` that are outside every
    group: braces and ``\left`` ... ``\right`` pairs."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(latex):
        if latex.startswith(r"\left", index) or latex.startswith(r"\right", index):
            depth += 1 if latex.startswith(r"\left", index) else -1
            index += 5 if latex.startswith(r"\left", index) else 6
            continue
        char = latex[index]
        if char == "\\":
            index += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and latex.startswith(SEPARATOR, index):
            parts.append(latex[start:index])
            index += len(SEPARATOR)
            start = index
            continue
        index += 1
    parts.append(latex[start:])
    return parts
