"""Named exceptions: a cell failing only within its exception is excepted,
beyond the limit it fails, and an exception that relaxes nothing is stale."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from symact.catalogue import CATALOGUE, names
from symact.cli import main
from symact.errors import SymactError
from symact.verify import verify
from symact.verify.exceptions import NamedException, is_catalogue_default, load_exceptions, parse_exceptions
from symact.verify.implementation import Implementation
from symact.verify.report import format_table, junit_xml
from tests.verify_implementations import BROKEN, CORRECT

# relu with relu'(0) = 1: the gradient misses by exactly 1.0 at x = 0, i.e.
# the lattice index of 1.0: 0x3f800000 in float32.
RELU_WRONG_AT_ZERO = BROKEN["wrong branch at the breakpoint (relu'(0) = 1)"][1]
ONE_IN_FLOAT32_ULP = 0x3F800000


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("exceptions-cache")


def _exception(**fields) -> NamedException:
    values = {"activation": "relu", "target": "numpy", "dtype": "float32", "part": "gradient",
              "metric": "max_ulp", "limit": ONE_IN_FLOAT32_ULP, "measured": ONE_IN_FLOAT32_ULP,
              "reason": "test: the owner convention at 0 is not followed"}
    values.update(fields)
    return NamedException(**values)


def _relu_report(implementation, exceptions, cache_dir, **kwargs):
    return verify(CATALOGUE["relu"], dtypes=("float32",), implementations={"numpy": implementation},
                  cache_dir=cache_dir, exceptions=exceptions, **kwargs)


def test_a_cell_failing_only_within_its_exception_is_excepted(cache_dir):
    report = _relu_report(RELU_WRONG_AT_ZERO, [_exception()], cache_dir)
    cells = {cell.kind: cell for cell in report.cells}
    assert cells["gradient"].status == "excepted" and cells["gradient"].passed
    used = cells["gradient"].excepted[0]
    assert (used["metric"], used["figure"], used["limit"]) == ("max_ulp", ONE_IN_FLOAT32_ULP, ONE_IN_FLOAT32_ULP)
    assert used["failure"].startswith(f"gradient: {ONE_IN_FLOAT32_ULP} ULP > 4 at x = ")
    # The fused gradient misses the same bound, and no exception names it.
    assert cells["fused"].status == "failed" and cells["forward"].status == "passed"
    assert report.status() == "failed"
    json_cell = report.to_json()["cells"]["numpy"]["float32"]["gradient"]
    assert json_cell["status"] == "excepted" and json_cell["excepted"][0]["reason"].startswith("test:")


def test_a_wildcard_part_excepts_the_activation(cache_dir):
    report = _relu_report(RELU_WRONG_AT_ZERO, [_exception(part="*")], cache_dir)
    assert [c.status for c in report.cells] == ["passed", "excepted", "excepted"]
    assert report.passed and report.status() == "excepted" and report.stale_exceptions == []
    table = format_table([report])
    assert table.splitlines()[2].split()[4] == "excepted"
    assert "excepted relu numpy float32 gradient: max_ulp 1065353216 within the named limit 1065353216" in table
    assert table.splitlines()[-1] == "1 activation: 0 passed, 1 passed with named exceptions, 0 failed"
    suite = ET.fromstring(junit_xml([report]))
    gradient = next(c for c in suite.iter("testcase") if c.get("name") == "numpy-float32-gradient")
    properties = {p.get("name"): p.get("value") for p in gradient.iter("property")}
    assert properties["symact.status"] == "excepted"
    assert properties["symact.exception"].endswith("test: the owner convention at 0 is not followed")
    assert gradient.find("failure") is None and suite.get("failures") == "0"


def test_a_figure_beyond_the_limit_still_fails(cache_dir):
    report = _relu_report(RELU_WRONG_AT_ZERO, [_exception(part="*", limit=ONE_IN_FLOAT32_ULP - 1,
                                                          measured=ONE_IN_FLOAT32_ULP - 1)], cache_dir)
    gradient = next(c for c in report.cells if c.kind == "gradient")
    assert gradient.status == "failed" and not gradient.excepted
    assert "beyond the named exception's limit 1065353215" in gradient.failures[0]
    assert report.stale_exceptions == []  # it is needed, only too tight


def test_an_exception_on_another_metric_does_not_cover(cache_dir):
    report = _relu_report(RELU_WRONG_AT_ZERO, [_exception(part="*", metric="wrong_zero", limit=5, measured=0)],
                          cache_dir)
    assert report.status() == "failed"
    assert [e["metric"] for e in report.stale_exceptions] == ["wrong_zero"]


def test_an_exception_that_relaxes_nothing_is_stale(cache_dir):
    correct = CORRECT[("relu", ())]
    report = _relu_report(correct, [_exception(part="forward")], cache_dir)
    assert report.passed and report.status() == "passed"
    assert report.status(strict_exceptions=True) == "failed"
    assert report.stale_exceptions == [_exception(part="forward").to_json()]
    assert "warning stale exception: relu numpy float32 forward max_ulp" in format_table([report])
    assert format_table([report], strict_exceptions=True).splitlines()[-1] == (
        "1 activation: 0 passed, 0 passed with named exceptions, 1 failed")
    strict = ET.fromstring(junit_xml([report], strict_exceptions=True))
    assert strict.get("failures") == "1"
    assert ET.fromstring(junit_xml([report])).get("failures") == "0"


def test_an_exception_for_cells_not_measured_is_not_stale(cache_dir):
    report = _relu_report(CORRECT[("relu", ())], [_exception(dtype="float64")], cache_dir)
    assert report.stale_exceptions == [] and report.status(strict_exceptions=True) == "passed"


def test_exceptions_apply_only_at_default_parameters(cache_dir):
    key, implementation = BROKEN["missing factor alpha in the derivative"]
    bound = CATALOGUE["elu"].bind(dict(key[1]))
    assert not is_catalogue_default(bound) and is_catalogue_default(CATALOGUE["elu"].bind())
    broad = [_exception(activation="elu", part="*", dtype="*", metric=metric, limit=2 ** 62, measured=0)
             for metric in ("max_ulp", "wrong_zero", "sign_errors")]
    report = verify(bound, dtypes=("float64",), implementations={"numpy": implementation}, cache_dir=cache_dir,
                    exceptions=broad)
    assert report.status() == "failed" and not any(c.excepted for c in report.cells)


def test_the_checked_in_table_is_valid_and_names_catalogue_entries():
    from symact.vector import VECTOR_CATALOGUE

    table = load_exceptions()
    catalogue = set(names()) | set(VECTOR_CATALOGUE)
    assert table  # the catalogue's misses are named, not absent
    for exception in table:
        assert exception.activation in catalogue
        assert exception.measured <= exception.limit and exception.reason.strip()


ENTRY = """
[[exception]]
activation = "relu"
target = "torch"
dtype = "float64"
part = "gradient"
metric = "max_ulp"
limit = 6
measured = 5
reason = "a reason"
"""


def test_parse_reads_an_entry():
    (found,) = parse_exceptions(ENTRY, known_names={"relu"})
    assert found == NamedException("relu", "torch", "float64", "gradient", "max_ulp", 6, 5, "a reason")
    assert found.matches("relu", "torch", "float64", "gradient")
    assert not found.matches("relu", "numpy", "float64", "gradient")


@pytest.mark.parametrize("change, message", [
    (('limit = 6', 'limit = 4'), "measured 5 exceeds its own limit 4"),
    (('metric = "max_ulp"', 'metric = "p99"'), "metric must be max_ulp or one of"),
    (('part = "gradient"', 'part = "backward"'), "part must be one of forward, gradient, fused, *"),
    (('reason = "a reason"', 'reason = " "'), "reason must say why"),
    (('activation = "relu"', 'activation = "rleu"'), "no catalogue entry 'rleu'"),
    (('limit = 6', 'limit = 6\nextra = 1'), "unknown keys ['extra']"),
    (('limit = 6', 'limit = 6.5'), "limit must be a non-negative integer"),
    (('measured = 5\n', ''), "missing measured"),
    (('[[exception]]', '[exception]'), "array of tables"),
])
def test_parse_names_each_problem(change, message):
    with pytest.raises(SymactError, match=None) as caught:
        parse_exceptions(ENTRY.replace(*change), "table.toml", known_names={"relu"})
    assert message in str(caught.value) and str(caught.value).startswith("table.toml")


def test_parse_rejects_a_repeated_entry():
    with pytest.raises(SymactError, match="exception 2 repeats relu torch float64 gradient max_ulp"):
        parse_exceptions(ENTRY + ENTRY, known_names={"relu"})


def test_cli_strict_exceptions_fails_on_a_stale_entry(tmp_path, capsys, cache_dir):
    table = tmp_path / "exceptions.toml"
    table.write_text(ENTRY.replace('target = "torch"', 'target = "numpy"').replace('dtype = "float64"',
                                                                                   'dtype = "float32"'))
    argv = ["verify", "relu", "--target", "numpy", "--dtype", "float32", "--cache-dir", str(cache_dir),
            "--exceptions", str(table)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "warning stale exception: relu numpy float32 gradient max_ulp (limit 6)" in out
    assert out.splitlines()[-1] == "1 activation: 1 passed, 0 passed with named exceptions, 0 failed"
    junit = tmp_path / "verify.xml"
    assert main([*argv, "--strict-exceptions", "--junit", str(junit)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "1 activation: 0 passed, 0 passed with named exceptions, 1 failed")
    case = next(c for c in ET.parse(junit).getroot().iter("testcase") if c.get("name") == "exceptions")
    assert "stale exception" in case.find("failure").get("message")


def test_cli_rejects_a_broken_table_with_one_line(tmp_path, capsys):
    table = tmp_path / "exceptions.toml"
    table.write_text(ENTRY.replace("limit = 6", "limit = 1"))
    assert main(["verify", "relu", "--exceptions", str(table)]) == 2
    err = capsys.readouterr().err
    assert "measured 5 exceeds its own limit 1" in err and err.count("\n") == 1


def test_a_flushing_kernel_passes_with_its_subnormal_results_counted(cache_dir):
    """sigmoid computed exactly then flushed below the normal range (as FTZ
    hardware does) passes; the same kernel answering 1e-30 for those fails."""
    correct = CORRECT[("sigmoid", ())]

    def flushed(x):
        value = correct.forward(x)
        return np.where(np.abs(value) < np.finfo(x.dtype).smallest_normal, 0, value).astype(x.dtype)

    def too_big(x):
        value = correct.forward(x)
        return np.where((value != 0) & (np.abs(value) < np.finfo(x.dtype).smallest_normal), 1e-30,
                        value).astype(x.dtype)



    report = verify(CATALOGUE["sigmoid"], dtypes=("float32",), cache_dir=cache_dir, exceptions=(),
                    implementations={"numpy": Implementation("ftz", flushed, None, None)})
    (cell,) = report.cells
    assert cell.passed and cell.metrics.counts["subnormal_flushed"] >= 5
    flush = cell.metrics.worst["subnormal_flushed"]
    assert float(flush.actual) == 0 and flush.ulp > 10 ** 6  # millions of subnormal quanta, all accepted
    assert "subnormal sigmoid:" in format_table([report])
    report = verify(CATALOGUE["sigmoid"], dtypes=("float32",), cache_dir=cache_dir, exceptions=(),
                    implementations={"numpy": Implementation("big", too_big, None, None)})
    (cell,) = report.cells
    assert not cell.passed and cell.metrics.counts["subnormal_flushed"] == 0
    assert cell.metrics.worst["max_ulp"].actual == "1e-30"
