r"""A property sheet as plain data, built from three optional sources.

``sheet_model(description, properties, accuracy, plot)`` combines

- ``description``: ``symact.describe.describe(bound, latex=True)``, the
  definition, f', f'', f' as g(y) and the breakpoints' one-sided values;
- ``properties``: the property checker's JSON (``symact check --json``);
- ``accuracy``: the verifier's JSON (``symact verify --json``);
- ``plot``: ``symact.sheets.plot`` curves of f and f'.

into one dict that the LaTeX and Markdown templates render. Every string in
it is either plain text (``str``), escaped by the template's environment,
or LaTeX math (``Latex``), written as is; so text from a user can never
become LaTeX or Markdown commands. A source that is missing leaves its
parts ``None``, which the templates show as *not computed*: nothing is
invented.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping

from symact.describe import symbol_latex
from symact.sheets.mathtext import exact_latex, number_latex, number_text

NOT_COMPUTED = "not computed"
LONG_EXACT = 60  # exact forms longer than this (as text) are shown as a float


class Latex(str):
    """A string that is LaTeX math already; templates write it unescaped."""

    __slots__ = ()


def _math(text: str | None) -> Latex | None:
    return None if text is None else Latex(text)


def exact_or_float(text: str | None, value: float | None = None) -> Latex | None:
    r"""An exact value for a table cell: its LaTeX when short, with
    ``\approx`` and the float when it is not a plain rational; the float
    alone when the exact form is too long to read."""
    if text is None:
        return None if value is None else Latex(number_latex(value))
    plain = re.fullmatch(r"-?\d+(/\d+)?", str(text).strip()) is not None
    if len(str(text)) > LONG_EXACT and value is not None:
        return Latex(r"\approx " + number_latex(value))
    exact = exact_latex(str(text))
    if plain or value is None:
        return Latex(exact)
    return Latex(f"{exact} \\approx {number_latex(value)}")


def _parameters(described: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, info in described["parameters"].items():
        symbol = symbol_latex(name)
        rows.append({
            "name": name,
            "symbol": Latex(symbol),
            "value": exact_or_float(info["value"]),
            "default": exact_or_float(info["default"]),
            "domain": Latex(domain_latex(symbol, info["domain"])),
            "learnable": bool(info["learnable"]),
            "description": info.get("description") or "",
        })
    return rows


def domain_latex(symbol: str, domain: str) -> str:
    r"""A parameter domain as written by ``Parameter.domain_text`` ('real',
    '> 0', '[0, 1]', '!= 0') as LaTeX about ``symbol``."""
    text = domain.strip()
    if text == "real":
        return symbol + r" \in \mathbb{R}"
    relations = {">=": r"\geq", "<=": r"\leq", "!=": r"\neq", ">": ">", "<": "<"}
    for op, command in relations.items():
        if text.startswith(op):
            return f"{symbol} {command} {exact_latex(text[len(op):].strip())}"
    match = re.fullmatch(r"([\[(])\s*(.+?)\s*,\s*(.+?)\s*([\])])", text)
    if match:
        lb, lo, hi, rb = match.groups()
        lb, rb = (r"\left[" if lb == "[" else r"\left("), (r"\right]" if rb == "]" else r"\right)")
        return f"{symbol} \\in {lb}{exact_latex(lo)}, {exact_latex(hi)}{rb}"
    return r"\text{" + re.sub(r"[^A-Za-z0-9 ,.()=<>+-]", "?", text) + "}"


ORDER_LABELS = (("f", "f"), ("df", "f'"), ("d2f", "f''"))


def _breakpoints(described: Mapping[str, Any]) -> list[dict[str, Any]]:
    points = []
    for point in described["breakpoints"]:
        rows = []
        for key, label in ORDER_LABELS:
            if key not in point:
                continue
            sides = point[key]
            rows.append({
                "label": Latex(label),
                "left": exact_or_float(sides["left"], sides["left_float"]),
                "value": exact_or_float(sides["value"], sides["value_float"]) if sides["exists"] else None,
                "right": exact_or_float(sides["right"], sides["right_float"]),
            })
        points.append({"x": exact_or_float(point["x"], point["x_float"]), "rows": rows})
    return points


def value_latex(value: Any) -> Latex | str | None:
    """Any JSON value of a property as math (numbers, exact text) or text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return Latex(number_latex(float(value)))
    if isinstance(value, str):
        latex = exact_latex(value)
        return Latex(latex) if not latex.startswith(r"\texttt") else value
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


def enclosure_latex(enclosure: Any) -> Latex | None:
    r"""A certified enclosure ``[lo, hi]`` as ``[lo, hi]`` in LaTeX."""
    if not isinstance(enclosure, (list, tuple)) or len(enclosure) != 2:
        return None
    lo, hi = (number_latex(float(v)) if isinstance(v, (int, float)) else exact_latex(str(v)) for v in enclosure)
    return Latex(rf"\left[{lo},\ {hi}\right]")


def text_of(value: Any) -> str | None:
    """A witness or reason as one line of plain text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


def property_rows(properties: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """One row per property of the checker's JSON, in the JSON's (sorted) order."""
    if properties is None:
        return None
    rows = []
    for name, verdict in sorted(properties.get("properties", {}).items()):
        rows.append({
            "name": name,
            "label": name.replace("_", " "),
            "verdict": verdict.get("verdict", "unknown"),
            "method": verdict.get("method") or "",
            "value": value_latex(verdict.get("value")),
            "enclosure": enclosure_latex(verdict.get("enclosure")),
            "witness": text_of(verdict.get("witness")),
            "reason": text_of(verdict.get("reason")),
        })
    return rows


def sheet_model(described: Mapping[str, Any], properties: Mapping[str, Any] | None = None,
                accuracy: Mapping[str, Any] | None = None, plot: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The sheet of one activation as plain data (see the module doc)."""
    name = described["name"]
    return {
        "name": name,
        "anchor": Latex(re.sub(r"[^a-z0-9]", "-", name)),
        "aliases": list(described["aliases"]),
        "description": described["description"],
        "citation": described["citation"],
        "notes": described["notes"],
        "parameters": _parameters(described),
        "definition": Latex(described["definition"]),
        "f": Latex(described["f"]),
        "df": Latex(described["df"]),
        "d2f": Latex(described["d2f"]),
        "df_of_output": _math(described["df_of_output"]),
        "breakpoints": _breakpoints(described),
        "properties": property_rows(properties),
        "facts": facts(properties),
        "summary": summary(properties),
        "warnings": warnings_of(properties),
        "accuracy": accuracy_rows(accuracy),
        "plot": plot,
        "plot_legend": plot_legend(plot),
    }


def plot_legend(plot: Mapping[str, Any] | None) -> str:
    """The caption of the plots, naming only the marks they contain."""
    if not plot:
        return ""
    parts = ["Left f, right f'."]
    if plot["breakpoints"]:
        parts.append("Dotted lines: breakpoints.")
    curves = (plot["f"], plot["df"])
    if any(c["filled"] for c in curves):
        parts.append("Filled dot: the value at a breakpoint where the curve jumps.")
    if any(c["open"] for c in curves):
        parts.append("Open dot: a one-sided limit there (or a value that does not exist).")
    if plot["extrema"]:
        parts.append("Diamond: a global extremum.")
    if plot["asymptotes"]:
        parts.append("Dashed line: a finite limit of f at +-infinity.")
    return " ".join(parts)


def facts(properties: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """The headline facts (range, limits, extrema, Lipschitz constant), each
    a row of label and value, from the property JSON; None without it."""
    if properties is None:
        return None
    found = properties.get("properties", {})
    rows = []
    for label, keys in FACTS:
        verdict = next((found[k] for k in keys if k in found), None)
        rows.append({"label": label, "value": fact_value(verdict)})
    return rows


# (label, property names that hold it); filled in once the checker's names are fixed.
FACTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("range", ("range",)),
    ("minimum", ("minimum",)),
    ("maximum", ("maximum",)),
    ("Lipschitz constant", ("lipschitz",)),
)


# The book's comparison table: column -> property names that hold it.
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("range", ("range",)),
    ("monotone", ("monotone",)),
    ("class", ("smoothness",)),
    ("saturation", ("saturation",)),
    ("lipschitz", ("lipschitz",)),
    ("minimum", ("minimum",)),
)


def summary(properties: Mapping[str, Any] | None) -> dict[str, Latex | str]:
    """The comparison-table cells of one activation (see ``COLUMNS``)."""
    found = (properties or {}).get("properties", {})
    cells = {}
    for column, keys in COLUMNS:
        verdict = next((found[k] for k in keys if k in found), None)
        cells[column] = fact_value(verdict) if properties is not None else NOT_COMPUTED
    return cells


def fact_value(verdict: Mapping[str, Any] | None) -> Latex | str:
    """A property verdict in one cell: its value (and enclosure) when
    proved, 'none' when disproved, 'unknown' with no value."""
    if verdict is None:
        return NOT_COMPUTED
    state = verdict.get("verdict")
    if state == "unknown":
        return "unknown"
    value = value_latex(verdict.get("value"))
    if value is None:
        return "yes" if state == "proved" else "no"
    return value


def warnings_of(properties: Mapping[str, Any] | None) -> list[str] | None:
    """The checker's plain-language warnings (None when not computed)."""
    if properties is None:
        return None
    return [str(w) for w in properties.get("warnings", [])]


def accuracy_rows(accuracy: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """Rows of (target, dtype) with max and p99 ULP per kind, from the
    verifier's JSON (None when not computed)."""
    if accuracy is None:
        return None
    rows = []
    for record in _accuracy_records(accuracy):
        rows.append(record)
    return rows


def _accuracy_records(accuracy: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    cells = accuracy.get("cells", [])
    by_pair: dict[tuple[str, str], dict[str, Any]] = {}
    for cell in cells:
        key = (cell["target"], cell["dtype"])
        row = by_pair.setdefault(key, {"target": key[0], "dtype": key[1]})
        row[cell["kind"]] = {"max": number_text(cell.get("max_ulp")), "p99": number_text(cell.get("p99_ulp"))}
    return [by_pair[k] for k in sorted(by_pair)]


def extrema_points(properties: Mapping[str, Any] | None) -> list[tuple[float, float]]:
    """(x, f(x)) of the attained global extrema the checker proved, as floats."""
    if properties is None:
        return []
    return []


def finite_limits(properties: Mapping[str, Any] | None) -> list[float]:
    """The finite limits of f at +-oo the checker proved (horizontal asymptotes)."""
    if properties is None:
        return []
    return []
