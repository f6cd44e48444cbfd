"""`symact check` on the vector activations: verdicts, and the Lipschitz constants against the
spectral norm of the Jacobian at fixed dimensions (numerically, never as the proof)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from symact.cli import main
from symact.properties.vector import check_vector
from symact.vector import VECTOR_CATALOGUE

SOFTMAX = [n for n, e in VECTOR_CATALOGUE.items() if e.family == "softmax"]
GATED = [n for n, e in VECTOR_CATALOGUE.items() if e.family == "gated"]


def _softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


def _spectral_norms(logarithmic: bool, n: int, scale: float, rng) -> list[float]:
    out = []
    for _ in range(400):
        x = rng.normal(0, scale, n)
        s = _softmax(x)
        jac = np.eye(n) - np.outer(np.ones(n), s) if logarithmic else np.diag(s) - np.outer(s, s)
        out.append(np.linalg.norm(jac, 2))
    return out


@pytest.mark.parametrize("n", [2, 3, 5, 8])
def test_softmax_lipschitz_half_bounds_the_jacobian_norm(n):
    verdict = check_vector("softmax").to_json()["properties"]["lipschitz_constant"]
    assert (verdict["verdict"], verdict["value"]["value"]) == ("proved", "1/2")
    rng = np.random.default_rng(n)
    norms = _spectral_norms(False, n, 3.0, rng)
    assert max(norms) <= 0.5 + 1e-12
    if n == 2:  # attained at x1 = x2
        assert abs(np.linalg.norm(np.diag([0.5, 0.5]) - 0.25, 2) - 0.5) < 1e-15


@pytest.mark.parametrize("n", [2, 3, 5])
def test_log_softmax_lipschitz_sqrt_n_is_approached_not_exceeded(n):
    verdict = check_vector("log_softmax").to_json()["properties"]["lipschitz_constant"]
    assert (verdict["verdict"], verdict["value"]["value"]) == ("proved", "sqrt(n)")
    rng = np.random.default_rng(n)
    assert max(_spectral_norms(True, n, 5.0, rng)) <= np.sqrt(n) + 1e-12
    x = np.zeros(n)
    x[0] = 40.0  # one dominant logit: s is nearly e_1
    s = _softmax(x)
    assert np.linalg.norm(np.eye(n) - np.outer(np.ones(n), s), 2) > np.sqrt(n) - 1e-6


@pytest.mark.parametrize("name", SOFTMAX)
def test_softmax_family_verdicts(name):
    data = check_vector(name).to_json()["properties"]
    logarithmic = VECTOR_CATALOGUE[name].logarithmic
    assert data["shift_invariant"]["verdict"] == "proved"
    assert data["sums_to_one"]["verdict"] == ("disproved" if logarithmic else "proved")
    assert data["range"]["value"]["text"] == ("(-oo, 0)" if logarithmic else "(0, 1)")
    rng = np.random.default_rng(0)
    for _ in range(50):
        s = _softmax(VECTOR_CATALOGUE[name].sign * rng.normal(0, 10, 6))
        values = np.log(s) if logarithmic else s
        assert np.all(values < (0 if logarithmic else 1)) and (logarithmic or np.all(values > 0))


@pytest.mark.parametrize("name", GATED)
def test_gated_family_is_unbounded_and_not_lipschitz(name):
    data = check_vector(name).to_json()["properties"]
    assert data["bounded"]["verdict"] == "disproved"
    assert data["lipschitz_constant"]["verdict"] == "disproved"
    assert data["continuity_class"]["value"] == ("C0" if name == "reglu" else "C-infinity")


def test_cli_checks_a_vector_activation(capsys):
    assert main(["check", "softmax", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "vector" and data["activation"] == "softmax"
    assert data["properties"]["sums_to_one"]["verdict"] == "proved"
    assert main(["check", "softmax", "--param", "t=1"]) == 2
