"""The verifier passes careful code and catches each deliberate defect."""
from __future__ import annotations

import numpy as np
import pytest

from symact.catalogue import CATALOGUE
from symact.verify import verify
from symact.verify.core import BOUNDS
from tests.verify_implementations import BROKEN, CORRECT


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("verify-cache")


def _bound(key):
    name, params = key
    return CATALOGUE[name].bind(dict(params))


@pytest.mark.parametrize("key", sorted(CORRECT), ids=lambda key: key[0])
def test_careful_hand_written_code_passes(key, cache_dir):
    report = verify(_bound(key), implementations={"numpy": CORRECT[key]}, cache_dir=cache_dir)
    assert report.passed, "\n".join(report.failures())
    assert {(c.dtype, c.kind) for c in report.cells} == {
        (d, k) for d in ("float32", "float64") for k in ("forward", "gradient", "fused")}
    for cell in report.cells:
        assert cell.metrics.max_ulp <= cell.bound_ulp
        assert cell.metrics.points > 1000


@pytest.mark.parametrize("defect", sorted(BROKEN))
def test_deliberate_defect_is_caught(defect, cache_dir):
    key, implementation = BROKEN[defect]
    report = verify(_bound(key), implementations={"numpy": implementation}, cache_dir=cache_dir)
    assert not report.passed
    assert report.failures()


def test_sign_flip_is_counted_as_sign_errors(cache_dir):
    key, implementation = BROKEN["sign flip in the derivative"]
    report = verify(_bound(key), dtypes=("float64",), implementations={"numpy": implementation},
                    cache_dir=cache_dir)
    gradient = next(c for c in report.cells if c.kind == "gradient")
    forward = next(c for c in report.cells if c.kind == "forward")
    assert forward.passed
    assert gradient.metrics.counts["sign_errors"] > 1000


def test_wrong_branch_at_breakpoint_is_found_at_zero(cache_dir):
    key, implementation = BROKEN["wrong branch at the breakpoint (relu'(0) = 1)"]
    report = verify(_bound(key), dtypes=("float32",), implementations={"numpy": implementation},
                    cache_dir=cache_dir)
    gradient = next(c for c in report.cells if c.kind == "gradient")
    worst = gradient.metrics.worst["max_ulp"]
    assert (worst.x, worst.expected, worst.actual) in {("0.0", "0.0", "1.0"), ("-0.0", "0.0", "1.0")}


def test_one_ulp_breakpoint_constant_gives_a_wrong_zero_next_to_the_breakpoint(cache_dir):
    key, implementation = BROKEN["breakpoint constant one ULP off"]
    report = verify(_bound(key), dtypes=("float64",), implementations={"numpy": implementation},
                    cache_dir=cache_dir)
    forward = next(c for c in report.cells if c.kind == "forward")
    assert forward.metrics.counts["wrong_zero"] == 1
    assert forward.metrics.worst["wrong_zero"].x == str(np.nextafter(1.0, 2.0))


def test_naive_softplus_underflows_and_overflows(cache_dir):
    key, implementation = BROKEN["naive log(1 + exp(x))"]
    report = verify(_bound(key), implementations={"numpy": implementation}, cache_dir=cache_dir)
    cells = {(c.dtype, c.kind): c for c in report.cells}
    # log(1 + exp(-40)) is 0 in float64 (true 4.2e-18); exp(89) is inf in float32.
    assert cells["float64", "forward"].metrics.counts["wrong_zero"] > 0
    assert cells["float32", "forward"].metrics.counts["wrong_nonfinite"] > 0


def test_one_plus_erf_gelu_returns_zero_in_the_negative_tail(cache_dir):
    key, implementation = BROKEN["1 + erf in GELU"]
    report = verify(_bound(key), dtypes=("float32",), implementations={"numpy": implementation},
                    cache_dir=cache_dir)
    forward = next(c for c in report.cells if c.kind == "forward")
    assert forward.metrics.counts["wrong_zero"] > 0
    worst = forward.metrics.worst["wrong_zero"]
    assert float(worst.actual) == 0 and float(worst.expected) < 0


def test_report_json_has_every_cell_with_bounds_and_counts(cache_dir):
    key = ("relu", ())
    report = verify(_bound(key), implementations={"numpy": CORRECT[key]}, cache_dir=cache_dir)
    data = report.to_json()
    assert data["activation"] == "relu" and data["passed"] is True
    assert data["bounds_ulp"] == BOUNDS
    cell = data["cells"]["numpy"]["float32"]["gradient"]
    assert set(cell) >= {"max_ulp", "p99_ulp", "counts", "worst", "points", "bound_ulp", "passed", "excused",
                         "status", "excepted"}
    assert set(cell["counts"]) == {"wrong_nonfinite", "wrong_zero", "sign_errors", "wrong_nan",
                                   "nan_not_propagated", "subnormal_flushed"}
    assert cell["status"] == "passed" and cell["excepted"] == [] and data["status"] == "passed"
    assert data["stale_exceptions"] == []
    # relu'(NaN) = 0 by the mask: reported, not failed.
    assert cell["counts"]["nan_not_propagated"] == 1
    assert data["conventions"] == [{"x": "0", "gradient": "0", "owner": "left branch", "value": "0",
                                    "derivative_exists": False}]
    assert data["derivative_check"]["passed"] is True


def test_raising_implementation_is_a_failure_with_the_message(cache_dir):
    from symact.verify.implementation import Implementation

    def broken(x):
        raise RuntimeError("boom")

    report = verify(_bound(("relu", ())), dtypes=("float32",),
                    implementations={"numpy": Implementation("x", broken)}, cache_dir=cache_dir)
    assert not report.passed
    assert report.cells[0].error == "RuntimeError: boom"


def test_output_of_the_wrong_dtype_fails(cache_dir):
    from symact.verify.implementation import Implementation

    report = verify(_bound(("relu", ())), dtypes=("float32",),
                    implementations={"numpy": Implementation("x", lambda x: np.maximum(x, 0).astype(np.float64))},
                    cache_dir=cache_dir)
    assert "returned float64 for float32 input" in report.cells[0].error
