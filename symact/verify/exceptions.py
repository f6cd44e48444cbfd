r"""Named exceptions to the accuracy bounds: a checked-in table, each with its reason.

The bounds of ``symact.verify`` (2 ULP forward, 4 ULP gradient, every counter
0) are the goal for every catalogue entry. Where an entry cannot meet one
yet, or cannot at all, the miss is named in ``exceptions.toml`` next to this
module, one ``[[exception]]`` table each::

    [[exception]]
    activation = "silu"        # a catalogue name, elementwise or vector (geglu)
    target = "torch"           # "numpy", "torch" or "*"
    dtype = "float32"          # "float32", "float64" or "*"
    part = "gradient"          # "forward", "gradient", "fused" or "*"
    metric = "max_ulp"         # "max_ulp" or a counter, e.g. "wrong_zero"
    limit = 6                  # the cap: max_ulp <= 6, or the counter <= limit
    measured = 5               # the figure when the entry was written
    reason = "why this cannot (yet) be met"

A cell (target, dtype, part) whose every failing metric is covered by a
matching exception, with its figure within the exception's ``limit``, is
*excepted*: it passes, and the table, JSON and JUnit say so with the reason.
A figure above the limit still fails. An exception that matches measured
cells but relaxes nothing in any of them (the metric is within the strict
bound everywhere) is *stale*: a warning, and a failure under
``symact verify --strict-exceptions``. Exceptions apply only to the code
symact generates for a catalogue entry bound at its default parameters,
and to the generated code of the vector entries (``symact.verify.vector``:
part "gradient" is the vector-Jacobian product, "fused" the torch autograd
Function).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from symact.errors import SymactError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TABLE = Path(__file__).with_name("exceptions.toml")
WILDCARD = "*"
KEYS = ("activation", "target", "dtype", "part", "metric", "limit", "measured", "reason")


@dataclass(frozen=True)
class NamedException:
    """One row of the exceptions table: a relaxed metric of matching cells."""

    activation: str
    target: str
    dtype: str
    part: str
    metric: str
    limit: int
    measured: int
    reason: str

    def matches(self, activation: str, target: str, dtype: str, part: str) -> bool:
        """Whether this exception is about the cell (activation, target, dtype, part)."""
        return (self.activation == activation and self.target in (WILDCARD, target)
                and self.dtype in (WILDCARD, dtype) and self.part in (WILDCARD, part))

    @property
    def label(self) -> str:
        return f"{self.activation} {self.target} {self.dtype} {self.part} {self.metric}"

    def to_json(self) -> dict:
        return {key: getattr(self, key) for key in KEYS}


def _check(entry: dict, where: str, known_names) -> NamedException:
    from symact.verify.core import DTYPES, KINDS
    from symact.verify.implementation import TARGETS
    from symact.verify.metrics import COUNTERS

    missing = [key for key in KEYS if key not in entry]
    unknown = sorted(set(entry) - set(KEYS))
    if missing or unknown:
        raise SymactError(f"{where}: " + "; ".join(
            ([f"missing {', '.join(missing)}"] if missing else []) + ([f"unknown keys {unknown}"] if unknown else [])))
    choices = {"target": TARGETS, "dtype": DTYPES, "part": KINDS}
    for key, allowed in choices.items():
        if entry[key] not in (*allowed, WILDCARD):
            raise SymactError(f"{where}: {key} must be one of {', '.join((*allowed, WILDCARD))}; got {entry[key]!r}")
    if entry["metric"] not in ("max_ulp", *COUNTERS):
        raise SymactError(f"{where}: metric must be max_ulp or one of {', '.join(COUNTERS)}; got {entry['metric']!r}")
    for key in ("limit", "measured"):
        if not isinstance(entry[key], int) or isinstance(entry[key], bool) or entry[key] < 0:
            raise SymactError(f"{where}: {key} must be a non-negative integer; got {entry[key]!r}")
    if entry["measured"] > entry["limit"]:
        raise SymactError(f"{where}: measured {entry['measured']} exceeds its own limit {entry['limit']}")
    if not isinstance(entry["reason"], str) or not entry["reason"].strip():
        raise SymactError(f"{where}: reason must say why, in words")
    if known_names is not None and entry["activation"] not in known_names:
        raise SymactError(f"{where}: no catalogue entry '{entry['activation']}'")
    return NamedException(**{key: entry[key] for key in KEYS})


def parse_exceptions(text: str, source: str = "<exceptions>", known_names=None) -> tuple[NamedException, ...]:
    """The named exceptions of a TOML text (``[[exception]]`` tables).

    Raises:
      SymactError: invalid TOML, an unknown or missing key, a value outside
        its choices, a limit below the measured figure, an empty reason, an
        activation not in ``known_names`` (when given), or a duplicate
        (activation, target, dtype, part, metric).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SymactError(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"exception"})
    if unknown:
        raise SymactError(f"{source}: unknown top-level keys {unknown}; write [[exception]] tables")
    entries = data.get("exception", [])
    if not isinstance(entries, list):
        raise SymactError(f"{source}: 'exception' must be an array of tables ([[exception]])")
    found = []
    seen = set()
    for number, entry in enumerate(entries, 1):
        exception = _check(entry, f"{source}: exception {number}", known_names)
        key = (exception.activation, exception.target, exception.dtype, exception.part, exception.metric)
        if key in seen:
            raise SymactError(f"{source}: exception {number} repeats {exception.label}")
        seen.add(key)
        found.append(exception)
    return tuple(found)


def load_exceptions(path: str | Path | None = None) -> tuple[NamedException, ...]:
    """The checked-in table (``exceptions.toml``), or the table at ``path``,
    with activation names checked against the catalogue: the elementwise
    entries and the vector entries (softmax, geglu, ...)."""
    from symact.catalogue import names
    from symact.vector import VECTOR_CATALOGUE

    path = Path(path) if path is not None else TABLE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SymactError(f"cannot read the exceptions table {path}: {exc.strerror}") from None
    return parse_exceptions(text, str(path), set(names()) | set(VECTOR_CATALOGUE))


def is_catalogue_default(bound) -> bool:
    """Whether ``bound`` is a catalogue entry bound at its default parameters."""
    from symact.catalogue import CATALOGUE

    entry = CATALOGUE.get(bound.name)
    if entry is None or entry != bound.activation:
        return False
    defaults = entry.defaults
    return all(value == defaults[name] for name, value in bound.values)


def apply_exceptions(report, exceptions) -> None:
    """Mark the cells of ``report`` that fail only within ``exceptions``.

    A problem (a missed bound) of a cell is covered by a matching exception
    on the same metric whose ``limit`` is at least the problem's figure; a
    cell whose problems are all covered becomes *excepted* (it passes). An
    exception that matches measured cells of the report but covers no
    problem in any of them is listed in ``report.stale_exceptions``.
    Exceptions about other activations are ignored; ``report`` is changed
    in place.
    """
    from dataclasses import replace

    relevant = [e for e in exceptions if e.activation == report.activation]
    if not relevant:
        return
    matched: set[NamedException] = set()
    used: set[NamedException] = set()
    cells = []
    for cell in report.cells:
        matching = [e for e in relevant if e.matches(report.activation, cell.target, cell.dtype, cell.kind)]
        if not matching or cell.metrics is None:
            cells.append(cell)
            continue
        matched.update(matching)
        failures, excepted = [], []
        for metric, figure, text in cell.problems:
            covering = [e for e in matching if e.metric == metric]
            used.update(covering)
            within = [e for e in covering if figure <= e.limit]
            if within:
                chosen = within[0]
                excepted.append({"metric": metric, "figure": figure, "limit": chosen.limit,
                                 "reason": chosen.reason, "failure": text})
            elif covering:
                failures.append(f"{text}; beyond the named exception's limit {covering[0].limit} "
                                f"({covering[0].reason})")
            else:
                failures.append(text)
        cells.append(replace(cell, failures=tuple(failures), excepted=tuple(excepted)))
    report.cells = cells
    report.stale_exceptions = [e.to_json() for e in relevant if e in matched and e not in used]
