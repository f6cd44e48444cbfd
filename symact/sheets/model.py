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

import re
from typing import Any, Mapping

from symact.describe import symbol_latex
from symact.sheets.escape import latex_text
from symact.sheets.mathtext import exact_latex, exact_value, number_latex, number_text, top_level_parts

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
        return None if value is None else Latex(r"\approx " + number_latex(value))
    if str(text).strip() not in ("oo", "-oo") and exact_value(str(text)) is None:
        return Latex(_text(str(text)))  # words, such as "every x in (-oo, 0)"
    plain = re.fullmatch(r"-?(\d+(/\d+)?|oo)", str(text).strip()) is not None
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


def _text(text: str) -> str:
    return r"\text{" + latex_text(text) + "}"


def _scalar_math(value: Any) -> str:
    if value is None:
        return _text("none")
    if isinstance(value, bool):
        return _text("yes" if value else "no")
    if isinstance(value, (int, float)):
        return number_latex(float(value))
    if isinstance(value, str):
        if value in ("inf", "-inf", "oo", "-oo"):
            return exact_latex(value)
        return exact_latex(value) if exact_value(value) is not None else _text(value)
    if isinstance(value, (list, tuple)):
        return r"\left[" + r",\ ".join(_scalar_math(v) for v in value) + r"\right]"
    return _dict_math(value)


def _end(data: Mapping[str, Any], key: str) -> str:
    """An end of an interval: exact when short, else the float after ``\\approx``."""
    exact, number = data.get(key), data.get(f"{key}_float")
    if exact is not None and (len(str(exact)) <= LONG_EXACT or not isinstance(number, (int, float))):
        return _scalar_math(exact)
    if isinstance(number, (int, float)):
        return r"\approx " + number_latex(float(number))
    return _scalar_math(exact)


def _dict_math(data: Mapping[str, Any]) -> str:
    """A property value or witness that is a JSON object, as math.

    Intervals (``lower``/``upper`` with ``*_closed``) print as intervals;
    a ``value`` with its float prints as the exact form and its float; other
    keys print as ``key = value``. A float beside its exact key is dropped."""
    parts = []
    keys = set(data)
    if {"lower", "upper"} <= keys:
        closed = (data.get("lower_closed"), data.get("upper_closed"))
        if None in closed:  # attainment unsettled: say inf and sup, not an interval
            parts.append(rf"\inf f = {_end(data, 'lower')},\ \sup f = {_end(data, 'upper')}")
        else:
            left, right = ("[" if closed[0] else "("), ("]" if closed[1] else ")")
            parts.append(rf"\left{left}{_end(data, 'lower')},\ {_end(data, 'upper')}\right{right}")
        if data.get("is_interval") is False:  # a hull: f skips values in between
            parts[-1] = r"\subseteq " + parts[-1]
        keys -= {"lower", "upper", "lower_float", "upper_float", "lower_closed", "upper_closed", "text", "is_interval"}
    if "value_float" in keys:  # an exact value with its float (extrema, limits, constants)
        if data.get("value") is not None or data["value_float"] is not None:
            parts.append(exact_or_float(data.get("value"), data["value_float"]))
        keys -= {"value", "value_float"}
    for where in ("argmin", "argmax"):
        if where in keys:
            if data[where] is not None and exact_value(str(data[where])) is None:
                parts.append(_text("at " + str(data[where])))  # "every x in (-oo, 0)"
            elif data[where] is not None:
                parts.append(r"\text{at } x = " + exact_or_float(data[where], data.get(f"{where}_float")))
            elif data.get(f"{where}_float") is not None:
                parts.append(r"\text{at } x \approx " + number_latex(data[f"{where}_float"]))
            if data.get(f"{where}_enclosure") is not None:
                parts.append(r"x \in " + _scalar_math(data[f"{where}_enclosure"]))
            keys -= {where, f"{where}_float", f"{where}_enclosure"}
    for key in sorted(keys):
        if data[key] is None or (key.endswith("_float") and data.get(key[: -len("_float")]) is not None):
            continue
        label = key[: -len("_float")] if key.endswith("_float") else key
        name = label if len(label) == 1 else _text(label.replace("_", " "))
        parts.append(f"{name} = {_scalar_math(data[key])}")
    return r",\ ".join(parts) if parts else _text("none")


def value_latex(value: Any) -> Latex | str | None:
    """A property's value (or witness) from the checker's JSON: plain text
    for a word (``"strictly increasing"``, ``"C1"``) or a yes/no, LaTeX math
    for numbers, exact values, lists and objects."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and exact_value(value) is None and value not in ("inf", "-inf", "oo", "-oo"):
        return value
    return Latex(_scalar_math(value))


def enclosure_latex(enclosure: Any) -> Latex | None:
    r"""A certified enclosure ``[lo, hi]`` as ``[lo, hi]`` in LaTeX."""
    if not isinstance(enclosure, (list, tuple)) or len(enclosure) != 2:
        return None
    lo, hi = (number_latex(float(v)) if isinstance(v, (int, float)) else exact_latex(str(v)) for v in enclosure)
    return Latex(rf"\left[{lo},\ {hi}\right]")


def _sides_latex(sides: Any) -> Latex | str | None:
    """Saturation's ends, ``["+oo", "-oo"]``, as ``\\pm\\infty``."""
    if not isinstance(sides, list):
        return value_latex(sides)
    ends = sorted({str(side).lstrip("+") for side in sides})
    if not ends:
        return "none"
    return Latex({("-oo", "oo"): r"\pm\infty", ("-oo",): r"-\infty", ("oo",): r"+\infty"}.get(tuple(ends))
                 or _scalar_math(sides))


def _intervals_latex(intervals: Any) -> Latex | str | None:
    """The open intervals of a dead zone, ``[["-oo", "0"]]``, as a union."""
    if not (isinstance(intervals, list) and all(isinstance(i, list) and len(i) == 2 for i in intervals)):
        return value_latex(intervals)
    if not intervals:
        return "none"
    return Latex(r" \cup ".join(rf"\left({_scalar_math(lo)},\ {_scalar_math(hi)}\right)" for lo, hi in intervals))


# Properties whose value has a shape of its own; the rest go through value_latex.
VALUE_RENDERERS = {"saturation": _sides_latex, "dead_zone": _intervals_latex,
                   "continuity_class": lambda value: smoothness_latex(value)}
WARNINGS = "warnings"  # the checker's warnings come as a property of this name


def property_rows(properties: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """One row per property of the checker's JSON, in the JSON's (sorted)
    order; the warnings have a section of their own."""
    if properties is None:
        return None
    rows = []
    for name, verdict in sorted(properties.get("properties", {}).items()):
        if name == WARNINGS:
            continue
        rows.append({
            "name": name,
            "label": name.replace("_", " "),
            "verdict": verdict.get("verdict", "unknown"),
            "method": verdict.get("method") or "",
            "value": VALUE_RENDERERS.get(name, value_latex)(verdict.get("value")),
            "enclosure": enclosure_latex(verdict.get("enclosure")),
            "witness": value_latex(verdict.get("witness") or None),  # [] and {} witness nothing
            "reason": verdict.get("reason") or None,
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
        "accuracy_notes": accuracy_notes(accuracy),
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


# Property names of the checker (symact check --json) that the sheet singles out.
FACTS: tuple[tuple[str, str], ...] = (
    ("range", "range"),
    ("minimum", "global_minimum"),
    ("maximum", "global_maximum"),
    ("Lipschitz constant", "lipschitz_constant"),
)
LIMIT_MARK = "limit"  # every property whose name contains it is a fact (limits of f, f' at +-oo)

# The book's comparison table: column -> property name.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("range", "range"),
    ("monotone", "monotonicity"),
    ("class", "continuity_class"),
    ("saturation", "saturation"),
    ("lipschitz", "lipschitz_constant"),
    ("minimum", "global_minimum"),
)


def facts(properties: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """The headline facts (range, extrema, Lipschitz constant, limits at
    +-oo), each a row of label, value and enclosure; None without a check."""
    if properties is None:
        return None
    found = properties.get("properties", {})
    named = list(FACTS) + [(key.replace("_", " "), key) for key in sorted(found) if LIMIT_MARK in key]
    rows = []
    for label, key in named:
        verdict = found.get(key)
        bounds = (verdict or {}).get("enclosure")
        # a point enclosure only repeats the value
        enclosure = enclosure_latex(bounds) if bounds and bounds[0] != bounds[1] else None
        rows.append({"label": label, "value": fact_value(verdict, render=VALUE_RENDERERS.get(key, value_latex), name=key),
                     "enclosure": enclosure})
    return rows


def summary(properties: Mapping[str, Any] | None) -> dict[str, Latex | str]:
    """The comparison-table cells of one activation (see ``COLUMNS``): each
    value alone (no argmin), a long exact form as its float."""
    found = (properties or {}).get("properties", {})
    return {column: brief(fact_value(found.get(key), brief=True, render=VALUE_RENDERERS.get(key, value_latex),
                                     name=key))
            if properties is not None else NOT_COMPUTED for column, key in COLUMNS}


def brief(cell: Latex | str) -> Latex | str:
    r"""The first part of a value (``-W(e^{-1}) \approx -0.278465`` of the
    minimum and where it is attained), and of an exact form with its float
    only the float when the exact form is long."""
    if not isinstance(cell, Latex):
        return cell
    first = top_level_parts(cell)[0]
    exact, approx, number = first.rpartition(r" \approx ")
    if approx and len(exact) > LONG_EXACT // 2 and not first.startswith(r"\left"):
        return Latex(r"\approx " + number)
    return Latex(first)


def smoothness_latex(value: Any) -> Latex | str | None:
    """``"C-infinity"`` -> C^\\infty, ``"C1"`` -> C^1; other values as ``value_latex``."""
    match = re.fullmatch(r"C(\d+|-infinity)", value) if isinstance(value, str) else None
    if match:
        return Latex("C^{" + (r"\infty" if match.group(1) == "-infinity" else match.group(1)) + "}")
    return value_latex(value)


# Properties that are a quantity: when disproved there is none (rather than "no").
QUANTITIES = {"global_minimum", "global_maximum", "lipschitz_constant", "range"}


def fact_value(verdict: Mapping[str, Any] | None, brief: bool = False, render=None, name: str = "") -> Latex | str:
    """One verdict in one cell: its value when proved; 'no' or 'none' (with
    the witness unless ``brief``) when disproved; 'unknown', without the
    partial value the checker may offer, when unknown."""
    if verdict is None:
        return NOT_COMPUTED
    state = verdict.get("verdict")
    if state == "proved":
        value = verdict.get("value")
        return "yes" if value is None or value is True else (render or value_latex)(value)
    if state == "disproved":
        word = "none" if name in QUANTITIES else "no"
        witness = verdict.get("witness")
        if brief or not witness:
            return word
        return Latex(_text(word + ": ") + _scalar_math(witness))
    return "unknown"


def warnings_of(properties: Mapping[str, Any] | None) -> list[str] | None:
    """The checker's plain-language warnings (None when not computed): the
    messages of its ``warnings`` property (``[{"code", "message"}]``)."""
    if properties is None:
        return None
    verdict = properties.get("properties", {}).get(WARNINGS) or {}
    return [str(w.get("message", w)) if isinstance(w, dict) else str(w) for w in verdict.get("value") or []]


def accuracy_rows(accuracy: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """One row per (target, dtype) of the verifier's JSON, in sorted order:
    max and p99 ULP per kind (forward, gradient, fused) and whether every
    bound held (None when not computed)."""
    if accuracy is None:
        return None
    rows = []
    for target, by_dtype in sorted(accuracy.get("cells", {}).items()):
        for dtype, by_kind in sorted(by_dtype.items()):
            row: dict[str, Any] = {"target": target, "dtype": dtype}
            for kind, cell in by_kind.items():
                if cell.get("error"):
                    row[kind] = {"max": "error", "p99": "error"}
                else:
                    row[kind] = {"max": number_text(cell.get("max_ulp")), "p99": number_text(cell.get("p99_ulp"))}
            verdicts = [cell.get("passed") for cell in by_kind.values()]
            row["passed"] = "yes" if all(v is True for v in verdicts) else "no"
            rows.append(row)
    return rows


def accuracy_notes(accuracy: Mapping[str, Any] | None) -> list[str]:
    """The verifier's bounds and errors as sentences for under the table."""
    if accuracy is None:
        return []
    notes = []
    bounds = accuracy.get("bounds_ulp") or {}
    if bounds:
        notes.append("Bounds: " + ", ".join(f"{b} ULP {k}" for k, b in sorted(bounds.items())) + ".")
    notes += [str(error) for error in accuracy.get("errors") or []]
    return notes


def extrema_points(properties: Mapping[str, Any] | None) -> list[tuple[float, float]]:
    """(x, f(x)) of the global extrema the checker proved attained, as floats."""
    found = (properties or {}).get("properties", {})
    points = []
    for key in ("global_minimum", "global_maximum"):
        verdict = found.get(key)
        if not verdict or verdict.get("verdict") != "proved" or not isinstance(verdict.get("value"), dict):
            continue
        value = verdict["value"]
        x = value.get("argmin_float", value.get("argmax_float"))
        y = value.get("value_float")
        if isinstance(x, (int, float)) and isinstance(y, (int, float)):
            points.append((float(x), float(y)))
    return points


def finite_limits(properties: Mapping[str, Any] | None) -> list[float]:
    """The finite limits of f at +-oo the checker proved (horizontal asymptotes)."""
    found = (properties or {}).get("properties", {})
    limits = []
    for key in LIMITS_OF_F:
        verdict = found.get(key)
        if verdict and verdict.get("verdict") == "proved":
            value = verdict.get("value")
            value = value.get("value") if isinstance(value, dict) else value
            number = exact_value(value) if isinstance(value, str) else None
            if number is not None and number.is_finite:
                limits.append(float(number))
    return limits


LIMITS_OF_F = ("limit_at_minus_infinity", "limit_at_plus_infinity")
