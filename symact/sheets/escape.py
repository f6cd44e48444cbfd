r"""Text from users, made safe to typeset.

Names, descriptions, citations and notes come from catalogue entries and from
users' spec files. In LaTeX every one of them goes through ``latex_text``:
the ten special characters become their printed forms (so ``\input``,
``\write18`` and unbalanced braces are plain text), control characters
become spaces, accented letters become accent commands, and any other
non-ASCII character is written as its code point, because pdflatex halts on
a character it has no glyph for.
"""
from __future__ import annotations

import unicodedata

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
}

# Combining marks that LaTeX's OT1 accent commands can put on a letter.
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0308": '"',
    "\u0304": "=", "\u0307": ".", "\u030a": "r", "\u030c": "v", "\u0306": "u",
    "\u0327": "c", "\u030b": "H",
}

_PUNCTUATION = {
    "\u2013": "--", "\u2014": "---", "\u2018": "`", "\u2019": "'", "\u201c": "``", "\u201d": "''",
    "\u00a0": "~", "\u2026": r"\ldots{}", "\u00df": r"\ss{}", "\u00e6": r"\ae{}", "\u00c6": r"\AE{}",
    "\u00f8": r"\o{}", "\u00d8": r"\O{}", "\u0142": r"\l{}", "\u0141": r"\L{}",
}


def _non_ascii(char: str) -> str:
    if char in _PUNCTUATION:
        return _PUNCTUATION[char]
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if base.isascii() and base.isalpha() and marks and all(m in _ACCENTS for m in marks):
        text = base if base not in "ij" else "\\" + base
        for mark in marks:
            command = _ACCENTS[mark]
            text = f"\\{command}{{{text}}}"
        return "{" + text + "}"
    return f"[U+{ord(char):04X}]"


def latex_text(text: str | None) -> str:
    r"""``text`` as LaTeX that prints exactly these characters.

    >>> latex_text(r"50% of \input{x}")
    '50\\% of \\textbackslash{}input\\{x\\}'
    """
    if not text:
        return ""
    out = []
    for char in str(text):
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif char in "\n\r\t\f\v" or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(" ")
        elif char.isascii():
            out.append(char)
        else:
            out.append(_non_ascii(char))
    return "".join(out)


def markdown_text(text: str | None) -> str:
    """``text`` for a Markdown page: one line, with the characters that
    Markdown (and the ``$`` of its math) would interpret escaped."""
    if not text:
        return ""
    flat = " ".join(str(text).split())
    out = []
    for char in flat:
        if char in "\\`*_[]<>|$":
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)
