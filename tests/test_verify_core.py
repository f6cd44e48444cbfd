"""The verifier passes careful code and catches each deliberate defect."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest

from symact.catalogue import CATALOGUE
from symact.verify import verify
from symact.verify.core import BOUNDS, condition_number, excused_near_zeros
from symact.verify.inputs import find_zeros
from symact.verify.reference import PiecewiseReference
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


def test_failing_cells_give_the_condition_number_at_their_worst_input(cache_dir):
    # Naive log(1 + exp(x)): softplus has kappa(x) = |x sigmoid(x) / softplus(x)| in closed form.
    key, implementation = BROKEN["naive log(1 + exp(x))"]
    report = verify(_bound(key), dtypes=("float64",), implementations={"numpy": implementation},
                    cache_dir=cache_dir)
    forward = next(c for c in report.cells if c.kind == "forward")
    condition = forward.worst_condition
    assert condition["part"] == "forward" and condition["metric"] == "max_ulp"
    assert condition["x"] == forward.metrics.worst["max_ulp"].x
    with mpmath.workdps(60):
        x = mpmath.mpf(float(condition["x"]))
        expected = abs(x / (1 + mpmath.exp(-x)) / mpmath.log1p(mpmath.exp(x)))
    assert condition["condition"] == pytest.approx(float(expected), rel=1e-9)
    assert f"condition number {condition['condition']:.3g}" in forward.failures[0]
    assert report.to_json()["cells"]["numpy"]["float64"]["forward"]["worst_condition"] == condition
    passing = verify(_bound(("relu", ())), dtypes=("float64",), implementations={"numpy": CORRECT[("relu", ())]},
                     cache_dir=cache_dir)
    assert all(cell.worst_condition is None for cell in passing.cells)


@pytest.mark.parametrize("x", [-1.2055691425196291e+163, 206.5605010986328, -0.7859104201668465])
def test_condition_number_of_a_periodic_gradient_at_any_magnitude(x):
    # snake' = 1 + sin 2x: kappa = |2 x cos 2x / (1 + sin 2x)|; at 1e163 the difference
    # quotient needs x + h to be exact.
    slope = PiecewiseReference(CATALOGUE["snake"].bind().derivative(1))
    with mpmath.workprec(1200):
        point = mpmath.mpf(x)
        expected = abs(2 * point * mpmath.cos(2 * point) / (1 + mpmath.sin(2 * point)))
    assert condition_number(slope, x) == pytest.approx(float(expected), rel=1e-9)


def test_snake_gradient_is_excused_next_to_its_periodic_double_zero():
    # The point that failed by 5.6e5 ULP before periodic zeros were solved: 5.1e-4 from -pi/4.
    slope = PiecewiseReference(CATALOGUE["snake"].bind().derivative(1))
    zeros = find_zeros(slope)
    points = np.array([-0.7859104201668465, -0.5, 1.0e163])
    assert excused_near_zeros(slope, zeros, points).tolist() == [True, False, False]
    assert condition_number(slope, -0.7859104201668465) > 3000
