"""The vector verifier: references, policies, generated code passing, broken code caught."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from symact.cli import main
from symact.vector import VECTOR_CATALOGUE
from symact.verify.vector import (LENGTHS, VectorCase, VectorImplementation, case_references, vector_cases,
                                  verify_vector)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("vector-cache")


def _reference(name, x, g, dtype="float64"):
    entry = VECTOR_CATALOGUE[name]
    case = VectorCase("test", np.array(x, dtype=np.float64), np.array(g, dtype=np.float64))
    return case_references(entry, [case], dtype)[0]


def test_references_are_the_definition_rounded_once():
    ref = _reference("softmax", [0.0, math.log(3.0)], [1.0, 0.0])
    # s = (1/4, 3/4) up to the rounding of log 3; J^T g = s_1 (1 - s_1), -s_2 s_1.
    assert ref.forward.tolist() == pytest.approx([0.25, 0.75], rel=1e-15)
    assert ref.gradient.tolist() == pytest.approx([0.1875, -0.1875], rel=1e-15)
    ref = _reference("log_softmax", [1000.0, -1000.0], [1.0, 1.0])
    assert ref.forward.tolist() == [-0.0, -2000.0]
    # log_softmax(700, 0)_0 = -log(1 + e^-700): needs 1000+ bits, not 0.
    ref = _reference("log_softmax", [700.0, 0.0], [1.0, 0.0])
    assert ref.forward[0] == -math.exp(-700.0) and ref.precision > 1000
    ref = _reference("softmin", [2.0, 2.0, 2.0], [1.0, 1.0, 1.0])
    assert ref.forward.tolist() == [1 / 3] * 3 and ref.gradient.tolist() == [0.0, 0.0, 0.0]
    ref = _reference("glu", [3.0, 0.0], [2.0])
    assert ref.forward.tolist() == [1.5] and ref.gradient.tolist() == [1.0, 1.5]
    ref = _reference("softmax", [-math.inf, 1.0], [1.0, 1.0])
    assert ref.forward.tolist() == [0.0, 1.0]


def test_cases_cover_the_stability_cases():
    labels = " | ".join(case.label for case in vector_cases(VECTOR_CATALOGUE["softmax"], "float32"))
    for needle in ("mixed 1000/-1000", "all equal", "one-hot-ish", "huge", "tiny", "near ties", "masked", "NaN"):
        assert needle in labels
    sizes = {case.x.size for case in vector_cases(VECTOR_CATALOGUE["softmax"], "float64")}
    assert set(LENGTHS) <= sizes
    mixed = [c for c in vector_cases(VECTOR_CATALOGUE["softmax"], "float64") if c.label.startswith("mixed")]
    assert any(1000.0 in c.x and -1000.0 in c.x for c in mixed)
    gated = vector_cases(VECTOR_CATALOGUE["glu"], "float32")
    assert all(c.x.size % 2 == 0 and c.g.size == c.x.size // 2 for c in gated)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin", "glu", "reglu"])
def test_generated_code_passes(name, cache_dir):
    report = verify_vector(VECTOR_CATALOGUE[name], cache_dir=cache_dir)
    assert report.passed, report.failures()
    data = report.to_json()
    assert data["kind"] == "vector" and data["bounds_ulp"] == {"forward": 2, "gradient": 4}
    assert set(data["cells"]) == {"numpy", "torch"}
    assert set(data["cells"]["torch"]["float32"]) == {"forward", "gradient", "fused"}
    assert data["derivative_check"]["passed"]
    assert json.loads(json.dumps(data, sort_keys=True)) == data


def test_softmax_policies_are_reported(cache_dir):
    report = verify_vector(VECTOR_CATALOGUE["softmax"], targets=("numpy",), cache_dir=cache_dir)
    policy = report.policies["numpy float64 gradient"]
    # J^T 1 = 0 exactly: those components cancel completely and are measured against their terms.
    assert policy["cancelling"] > 0 and policy["cancelling_max_ulp_of_terms"] <= 4
    assert report.policies["numpy float32 forward"]["unresolved"] == 0


def _softmax(x, sign=1.0):
    z = sign * x
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def _numpy(forward, gradient):
    return VectorImplementation("numpy", forward, gradient)


def _correct_vjp(x, g):
    s = _softmax(x)
    return s * (g - np.sum(g * s))


BROKEN_SOFTMAX = {
    # No max subtraction: exp overflows at the mixed 1000/-1000 vectors.
    "naive exp": _numpy(lambda x: np.exp(x) / np.sum(np.exp(x)), _correct_vjp),
    # A sign flip in the vector-Jacobian product.
    "vjp sign": _numpy(_softmax, lambda x, g: -_correct_vjp(x, g)),
    # A missing factor s in the vector-Jacobian product.
    "vjp factor": _numpy(_softmax, lambda x, g: g - np.sum(g * _softmax(x))),
    # Three ULPs off everywhere.
    "ulp constant": _numpy(lambda x: _softmax(x) * np.nextafter(np.nextafter(np.nextafter(
        x.dtype.type(1), 2), 2), 2), _correct_vjp),
    # softmin's sign forgotten: this is softmax.
    "softmin as softmax": None,
}


@pytest.mark.parametrize("broken", sorted(BROKEN_SOFTMAX))
def test_broken_softmax_family_code_is_caught(broken, cache_dir):
    name, implementation = "softmax", BROKEN_SOFTMAX[broken]
    if implementation is None:
        name = "softmin"
        implementation = _numpy(_softmax, lambda x, g: -_correct_vjp(-x, g))
    with np.errstate(all="ignore"):
        report = verify_vector(VECTOR_CATALOGUE[name], cache_dir=cache_dir, implementations={"numpy": implementation})
    assert not report.passed


def test_unstable_log_softmax_forms_are_caught(cache_dir):
    def naive_log(x):
        d = x - np.max(x)
        return d - np.log(np.sum(np.exp(d)))  # log(1 + r) loses a tiny r: 0 instead of -r

    def vjp(x, g):
        return g - np.exp(naive_log(x)) * np.sum(g)

    entry = VECTOR_CATALOGUE["log_softmax"]
    report = verify_vector(entry, dtypes=("float64",), cache_dir=cache_dir,
                           implementations={"numpy": _numpy(naive_log, vjp)})
    assert not report.passed
    assert any("wrong zero" in line for line in report.failures())
    with np.errstate(all="ignore"):
        report = verify_vector(entry, dtypes=("float64",), cache_dir=cache_dir, implementations={
            "numpy": _numpy(lambda x: np.log(_softmax(x)), vjp)})
    assert any("wrong nonfinite" in line for line in report.failures())


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


def test_broken_gated_code_is_caught(cache_dir):
    def swapped(x):  # value and gate halves exchanged
        a, b = np.split(x, 2)
        return b * _sigmoid(a)

    def vjp(x, g):
        a, b = np.split(x, 2)
        s = _sigmoid(b)
        return np.concatenate([g * s, g * a * s * (1 - s)])

    report = verify_vector(VECTOR_CATALOGUE["glu"], dtypes=("float64",), cache_dir=cache_dir,
                           implementations={"numpy": _numpy(swapped, vjp)})
    assert not report.passed and any(line.startswith("numpy float64 forward") for line in report.failures())

    def tanh_gelu(z):  # GeGLU with the tanh approximation: a different function
        return 0.5 * z * (1 + np.tanh(0.7978845608028654 * (z + 0.044715 * z ** 3)))

    def geglu(x):
        a, b = np.split(x, 2)
        return a * tanh_gelu(b)

    with np.errstate(all="ignore"):
        report = verify_vector(VECTOR_CATALOGUE["geglu"], dtypes=("float64",), cache_dir=cache_dir,
                               implementations={"numpy": _numpy(geglu, vjp)})
    assert not report.passed


def test_cli_verifies_a_vector_entry(capsys, cache_dir):
    assert main(["verify", "softmin", "--target", "numpy", "--cache-dir", str(cache_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["activation"] == "softmin" and data["passed"] and data["kind"] == "vector"
    assert main(["verify", "glu", "--param", "a=1"]) == 2
    assert "takes no --param" in capsys.readouterr().err


def test_torch_native_log_softmax_loses_the_tiny_sum(cache_dir):
    """Pinned torch 2.13 behaviour, the reason for log1p in the generated code:
    torch.log_softmax returns 0 where the true value is -3.3e-8 (float32)."""
    from symact.verify.vector import torch_native_vector

    report = verify_vector(VECTOR_CATALOGUE["log_softmax"], dtypes=("float32",), cache_dir=cache_dir,
                           implementations={"torch": torch_native_vector("log_softmax")})
    assert any("wrong zero" in line for line in report.failures())


def test_junit_has_a_case_per_cell(tmp_path, cache_dir):
    path = tmp_path / "verify.xml"
    assert main(["verify", "reglu", "--target", "numpy", "--dtype", "float64", "--cache-dir", str(cache_dir),
                 "--junit", str(path)]) == 0
    text = path.read_text()
    assert 'name="numpy-float64-forward"' in text and 'name="numpy-float64-gradient"' in text


def _reglu_off_by(units: int) -> VectorImplementation:
    """ReGLU whose J^T g is exact (one rounding of a product) and then moved ``units``
    steps along the float lattice at every finite non-zero component."""
    def forward(x):
        a, b = np.split(x, 2)
        return a * np.maximum(b, 0)

    def vjp(x, g):
        a, b = np.split(x, 2)
        exact = np.concatenate([g * np.maximum(b, 0), g * a * (b > 0)])
        moved = (exact.view(np.int64) + units).view(np.float64)
        return np.where(np.isfinite(exact) & (exact != 0), moved, exact)

    return VectorImplementation("numpy", forward, vjp)


def test_named_exceptions_apply_to_vector_entries(cache_dir, tmp_path):
    from symact.verify.exceptions import NamedException, load_exceptions

    def exception(limit):
        return NamedException("reglu", "numpy", "float64", "gradient", "max_ulp", limit, 1000,
                              "test: J^T g moved 1000 units")

    def run(exceptions):
        return verify_vector(VECTOR_CATALOGUE["reglu"], dtypes=("float64",), cache_dir=cache_dir,
                             implementations={"numpy": _reglu_off_by(1000)}, exceptions=exceptions)

    strict = run(())
    gradient = next(c for c in strict.cells if c.kind == "gradient")
    assert gradient.metrics.max_ulp == 1000 and gradient.status == "failed"
    assert gradient.problems[0][:2] == ("max_ulp", 1000)
    excepted = run([exception(1000)])
    cells = {c.kind: c for c in excepted.cells}
    assert cells["gradient"].status == "excepted" and cells["forward"].status == "passed"
    assert excepted.passed and excepted.status() == "excepted" and excepted.stale_exceptions == []
    assert excepted.to_json()["cells"]["numpy"]["float64"]["gradient"]["excepted"][0]["limit"] == 1000
    # The worst component's condition number is the gate's at its b: relu(b) = b has kappa 1 for
    # d/da = g relu(b) (b > 0), relu' = 1 has kappa 0 for d/db = g a relu'(b).
    condition = cells["gradient"].worst_condition
    assert condition["x"] == cells["gradient"].metrics.worst["max_ulp"].x and float(condition["b"]) > 0
    assert condition["condition"] == {"gate": 1.0, "gate derivative": 0.0}[condition["part"]]
    assert condition["x"].split(": ")[1].startswith({"gate": "d/da_", "gate derivative": "d/db_"}[condition["part"]])
    beyond = run([exception(999)])
    assert not beyond.passed and "beyond the named exception's limit 999" in beyond.failures()[0]
    # The checked-in loader accepts vector names (one table for every entry).
    table = tmp_path / "exceptions.toml"
    table.write_text('[[exception]]\nactivation = "swiglu"\ntarget = "*"\ndtype = "float64"\npart = "gradient"\n'
                     'metric = "max_ulp"\nlimit = 30\nmeasured = 25\nreason = "test"\n')
    assert [e.activation for e in load_exceptions(table)] == ["swiglu"]
