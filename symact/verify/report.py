"""Human and machine views of verification reports: a table, JSON, JUnit XML.

``format_table(reports)`` prints one row per activation: the largest ULP
distance of forward, gradient and fused over every target and dtype, the
verdict (ok, excepted or FAIL), and the worst input (the cell furthest
beyond its bound, or the largest error when all pass), followed by one line
per failure, per named exception used (with its figure, limit and reason),
each with the relative condition number :math:`|x g'(x)/g(x)|` at the worst
input (``Cell.worst_condition``, JSON ``worst_condition``),
per stale exception, per excused neighbourhood and per cell with results
accepted by the subnormal policy, then the summary line
``82 activations: 70 passed, 8 passed with named exceptions, 4 failed``.
``junit_xml(reports)`` gives one test case per (activation, target, dtype,
kind) for CI dashboards.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from symact.verify.core import KINDS, Cell, Report

FAILURES_SHOWN = 4


def _cell_ulp(cell: Cell) -> int | None:
    if cell.metrics is None:
        return None
    values = [cell.metrics.max_ulp] + ([cell.forward_part.max_ulp] if cell.forward_part else [])
    return max(values)


def _ulp_text(value: int | None) -> str:
    if value is None:
        return "error"
    return f"{value:.3g}" if value >= 100_000 else str(value)


def _worst_cell(report: Report) -> Cell | None:
    measured = [c for c in report.cells if c.metrics is not None]
    failing = [c for c in report.cells if not c.passed]
    pool = failing or measured
    if not pool:
        return None
    return max(pool, key=lambda c: ((c.metrics.max_ulp / c.bound_ulp) if c.metrics else float("inf")))


def _worst_text(cell: Cell | None) -> str:
    if cell is None:
        return ""
    if cell.metrics is None:
        return f"{cell.target} {cell.dtype} {cell.kind}: {cell.error}"
    for key in ("max_ulp", "wrong_nonfinite", "wrong_zero", "sign_errors", "wrong_nan", "nan_not_propagated"):
        case = cell.metrics.worst.get(key)
        if case is not None:
            return (f"{cell.target} {cell.dtype} {cell.kind} x={case.x}: got {case.actual}, "
                    f"want {case.expected}")
    return f"{cell.target} {cell.dtype} {cell.kind}: exact at every point"


def _condition_note(cell: Cell) -> str:
    """' (condition number K at x = X)' for a cell's worst input, or ''."""
    found = cell.worst_condition
    if not found or found.get("condition") is None:
        return ""
    return f" (condition number {found['condition']:.3g} at x = {found['x']})"


RESULT_TEXT = {"passed": "ok", "excepted": "excepted", "failed": "FAIL"}


def summary_line(reports: list[Report], strict_exceptions: bool = False) -> str:
    """``N activations: P passed, E passed with named exceptions, F failed``."""
    statuses = [r.status(strict_exceptions) for r in reports]
    noun = "activation" if len(reports) == 1 else "activations"
    return (f"{len(reports)} {noun}: {statuses.count('passed')} passed, "
            f"{statuses.count('excepted')} passed with named exceptions, {statuses.count('failed')} failed")


def _stale_text(report: Report, exception: dict) -> str:
    return (f"{report.activation} {exception['target']} {exception['dtype']} {exception['part']} "
            f"{exception['metric']} (limit {exception['limit']}) now meets the strict bound; "
            f"remove it from the exceptions table")


def _subnormal_flushed(report: Report):
    """(results, cells, (cell label, worst case)) accepted by the subnormal
    policy over the report's cells, or None."""
    total = cells = 0
    worst = None
    for cell in report.cells:
        counted = False
        for prefix, metrics in (("", cell.metrics), ("value of ", cell.forward_part)):
            if metrics is None or not metrics.counts.get("subnormal_flushed"):
                continue
            total += metrics.counts["subnormal_flushed"]
            counted = True
            case = metrics.worst["subnormal_flushed"]
            if worst is None or case.ulp > worst[1].ulp:
                worst = (f"{cell.target} {cell.dtype} {prefix}{cell.kind}", case)
        cells += counted
    return (total, cells, worst) if total else None


def format_table(reports: list[Report], strict_exceptions: bool = False) -> str:
    """The readable report: a table, then failures, named exceptions used,
    stale exceptions, excused neighbourhoods, subnormal results, and the
    summary line."""
    header = ("activation", "forward", "gradient", "fused", "result", "worst input")
    rows = []
    for report in reports:
        by_kind = {kind: [_cell_ulp(c) for c in report.cells if c.kind == kind] for kind in KINDS}
        columns = []
        for kind in KINDS:
            values = by_kind[kind]
            columns.append("-" if not values else "error" if None in values else _ulp_text(max(values)))
        result = RESULT_TEXT[report.status(strict_exceptions)]
        rows.append((report.activation, *columns, result, _worst_text(_worst_cell(report))))
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = ["  ".join(f"{value:<{width}}" for value, width in zip(row[:-1], widths)) + "  " + row[-1]
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths) + "  " + "-" * len(header[-1]))
    lines.append("")
    lines.append("ULP: largest distance to the correctly rounded reference over targets and dtypes "
                 "(subnormal-range results within the smallest normal number left out); "
                 "bounds 2 forward, 4 gradient.")
    for report in reports:
        failures = report.failures()
        for failure in failures[:FAILURES_SHOWN]:
            lines.append(f"FAIL {report.activation}: {failure}")
        if len(failures) > FAILURES_SHOWN:
            lines.append(f"FAIL {report.activation}: ... and {len(failures) - FAILURES_SHOWN} more (see --json)")
    for report in reports:
        for cell in report.cells:
            for used in cell.excepted:
                lines.append(f"excepted {report.activation} {cell.target} {cell.dtype} {cell.kind}: "
                             f"{used['metric']} {used['figure']} within the named limit {used['limit']}: "
                             f"{used['reason']}{_condition_note(cell)}")
    for report in reports:
        for exception in report.stale_exceptions:
            lines.append(f"{'FAIL' if strict_exceptions else 'warning'} stale exception: "
                         f"{_stale_text(report, exception)}")
    for report in reports:
        for cell in report.cells:
            if cell.excused is not None and cell.excused.max_ulp > cell.bound_ulp:
                case = cell.excused.worst.get("max_ulp")
                lines.append(f"excused {report.activation} {cell.target} {cell.dtype} {cell.kind}: "
                             f"{cell.excused.max_ulp} ULP over {cell.excused.points} points near a zero "
                             f"(condition number >= 64), worst x={case.x}: got {case.actual}, want {case.expected}")
    for report in reports:
        flushed = _subnormal_flushed(report)
        if flushed:
            total, cells, (label, case) = flushed
            lines.append(f"subnormal {report.activation}: {total} results in {cells} cells with references below "
                         f"the normal range accepted within the smallest normal number; largest {case.ulp} ULP "
                         f"at {label} x={case.x}: got {case.actual}, want {case.expected}")
    lines.append(summary_line(reports, strict_exceptions))
    return "\n".join(lines)


def _properties(case: ET.Element, values: list[tuple[str, str]]) -> None:
    properties = ET.SubElement(case, "properties")
    for name, value in values:
        ET.SubElement(properties, "property", name=name, value=value)


def junit_xml(reports: list[Report], strict_exceptions: bool = False) -> str:
    """JUnit XML: a test case per (activation, target, dtype, kind).

    An excepted cell passes, with the property ``symact.status`` =
    ``excepted`` and one ``symact.exception`` property per exception used
    (also in ``system-out``). Stale exceptions of an activation form the test
    case ``exceptions``: a failure under ``strict_exceptions``, otherwise a
    passing case whose ``system-out`` says which."""
    suite = ET.Element("testsuite", name="symact verify")
    total = failures = 0
    for report in reports:
        cases = []
        for cell in report.cells:
            case = ET.Element("testcase", classname=f"symact.verify.{report.activation}",
                              name=f"{cell.target}-{cell.dtype}-{cell.kind}")
            _properties(case, [("symact.status", cell.status)] + [
                ("symact.exception", f"{used['metric']} {used['figure']} <= {used['limit']}: {used['reason']}")
                for used in cell.excepted])
            if not cell.passed:
                failure = ET.SubElement(case, "failure", message=cell.failures[0] if cell.failures else cell.error)
                failure.text = "\n".join(cell.failures)
            if cell.excepted:
                ET.SubElement(case, "system-out").text = "\n".join(
                    f"excepted: {used['failure']} (within the named limit {used['limit']}: {used['reason']})"
                    for used in cell.excepted)
            cases.append(case)
        if report.stale_exceptions:
            case = ET.Element("testcase", classname=f"symact.verify.{report.activation}", name="exceptions")
            texts = [f"stale exception: {_stale_text(report, e)}" for e in report.stale_exceptions]
            if strict_exceptions:
                ET.SubElement(case, "failure", message=texts[0]).text = "\n".join(texts)
            else:
                ET.SubElement(case, "system-out").text = "\n".join(texts)
            cases.append(case)
        if report.errors or (report.derivative_check and not report.derivative_check.get("passed", False)):
            case = ET.Element("testcase", classname=f"symact.verify.{report.activation}", name="definition")
            reasons = [line for line in report.failures() if line in report.errors or "symbolic f'" in line]
            failure = ET.SubElement(case, "failure", message=reasons[0] if reasons else "failed")
            failure.text = "\n".join(reasons)
            cases.append(case)
        for case in cases:
            total += 1
            failures += case.find("failure") is not None
            suite.append(case)
    suite.set("tests", str(total))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
