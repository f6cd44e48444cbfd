"""Adapters from modules following the generated-code contract, the cache,
and parallel runs."""
from __future__ import annotations

import textwrap
import types

import numpy as np
import pytest

from symact.catalogue import CATALOGUE
from symact.verify import ReferenceCache, verify, verify_many
from symact.verify.core import prepare
from symact.verify.implementation import ImplementationError, from_module, load_file, module_target

NUMPY_RELU = """
import numpy as np

def relu(x, *, out=None):
    return np.where(np.isnan(x), x, np.where(x > 0, x, np.zeros_like(x)))

def relu_grad(x, *, out=None):
    return np.where(x > 0, np.ones_like(x), np.zeros_like(x))

def relu_forward_and_grad(x):
    return relu(x), relu_grad(x)
"""

TORCH_RELU = """
import torch

def relu(x):
    return torch.where(x > 0, x, torch.where(torch.isnan(x), x, torch.zeros_like(x)))

def relu_grad(x):
    return (x > 0).to(x.dtype)
"""


def _module(tmp_path, source, stem):
    path = tmp_path / f"{stem}.py"
    path.write_text(textwrap.dedent(source))
    return load_file(path)


def test_numpy_module_following_the_contract_passes(tmp_path):
    module = _module(tmp_path, NUMPY_RELU, "relu_np")
    assert module_target(module) == "numpy"
    report = verify(CATALOGUE["relu"], implementations={"numpy": from_module(module, "relu", "numpy")},
                    cache_dir=tmp_path / "cache")
    assert report.passed, report.failures()


def test_torch_module_fused_kind_is_autograd_through_the_function(tmp_path):
    pytest.importorskip("torch")
    module = _module(tmp_path, TORCH_RELU, "relu_torch")
    assert module_target(module) == "torch"
    report = verify(CATALOGUE["relu"], dtypes=("float32",),
                    implementations={"torch": from_module(module, "relu", "torch")}, cache_dir=tmp_path / "c")
    assert report.passed, report.failures()
    fused = next(c for c in report.cells if c.kind == "fused")
    # autograd of torch.where gives relu'(0) = 0 here: the branch x > 0 is not taken at 0.
    assert fused.metrics.max_ulp == 0 and fused.forward_part.max_ulp == 0


def test_module_missing_a_contract_function_is_named():
    module = types.ModuleType("incomplete")
    module.relu = lambda x: x
    with pytest.raises(ImplementationError, match="has no function 'relu_grad'"):
        from_module(module, "relu", "numpy")


def test_load_file_reports_a_broken_file(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("import nonexistent_module_xyz\n")
    with pytest.raises(ImplementationError, match="importing it failed: ModuleNotFoundError"):
        load_file(path)


def test_second_run_reads_every_reference_from_the_cache(tmp_path):
    bound = CATALOGUE["softsign"].bind()
    first = ReferenceCache(tmp_path)
    cold = prepare(bound, ("float32",), first)
    # forward and gradient tables, their excused masks, and the analysis
    assert first.hits == 0 and first.misses == 5
    second = ReferenceCache(tmp_path)
    warm = prepare(bound, ("float32",), second)
    assert second.hits == 5 and second.misses == 0
    for kind in ("forward", "gradient"):
        assert np.array_equal(cold.formats["float32"].excused[kind], warm.formats["float32"].excused[kind])
    for kind in ("forward", "gradient"):
        a, b = cold.formats["float32"].tables[kind], warm.formats["float32"].tables[kind]
        assert np.array_equal(a.expected("float32").view(np.uint32), b.expected("float32").view(np.uint32))
    assert cold.zeros == warm.zeros


def test_a_corrupt_cache_entry_is_recomputed(tmp_path):
    bound = CATALOGUE["relu"].bind()
    prepare(bound, ("float32",), ReferenceCache(tmp_path))
    for path in tmp_path.rglob("*.npz"):
        path.write_bytes(b"not a numpy file")
    again = ReferenceCache(tmp_path)
    prepare(bound, ("float32",), again)
    assert again.misses == 4 and not list(tmp_path.rglob(".tmp-*"))  # two tables, two masks


def test_verify_many_runs_in_worker_processes_in_input_order(tmp_path):
    from symact.verify import core

    seen = []
    entries = [CATALOGUE["relu"], CATALOGUE["hardtanh"], CATALOGUE["identity"]]
    reports = verify_many(entries, targets=("numpy",), dtypes=("float32",), cache_dir=tmp_path, jobs=2,
                          progress=lambda done, total, report: seen.append((done, total)))
    assert [r.activation for r in reports] == ["relu", "hardtanh", "identity"]
    assert sorted(seen) == [(1, 3), (2, 3), (3, 3)]
    assert all(isinstance(r, core.Report) and r.cells for r in reports)
