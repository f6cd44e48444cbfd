"""The pytest plugin verifies a user's spec and file in one line."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MODULE = '''
import numpy as np

def myrelu(x):
    return np.where(np.isnan(x), x, np.where(x > 0, x, 0).astype(x.dtype))

def myrelu_grad(x):
    return np.where(x {compare} 0, 1, 0).astype(x.dtype)

def myrelu_forward_and_grad(x):
    return myrelu(x), myrelu_grad(x)
'''

TESTS = '''
def test_myrelu_is_accurate(symact_verify):
    symact_verify("myrelu.toml", module="myrelu.py", dtypes=("float32",))
'''


def _run_user_project(tmp_path: Path, compare: str) -> subprocess.CompletedProcess:
    (tmp_path / "myrelu.toml").write_text('name = "myrelu"\nexpression = "where(x > 0, x, 0)"\n')
    (tmp_path / "myrelu.py").write_text(textwrap.dedent(MODULE.format(compare=compare)))
    (tmp_path / "test_mine.py").write_text(textwrap.dedent(TESTS))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SYMACT_CACHE_DIR": str(tmp_path / "cache")}
    # Installed (CI runs `pip install -e .`), the pytest11 entry point loads the
    # plugin; a second `-p symact.pytest_plugin` would make pytest refuse to start.
    load = [] if _entry_point_installed() else ["-p", "symact.pytest_plugin"]
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *load, "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def _entry_point_installed() -> bool:
    from importlib.metadata import entry_points

    return any(e.value == "symact.pytest_plugin" for e in entry_points(group="pytest11"))


def test_plugin_passes_a_correct_user_file(tmp_path):
    result = _run_user_project(tmp_path, ">")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_plugin_failure_names_cell_input_expected_and_actual(tmp_path):
    result = _run_user_project(tmp_path, ">=")
    assert result.returncode == 1
    assert "symact verify: myrelu fails its accuracy bounds" in result.stdout
    assert "numpy float32 gradient: gradient: 1065353216 ULP > 4 at x = 0.0 (expected 0.0, got 1.0)" in result.stdout


def test_entry_point_is_registered_in_pyproject():
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["project"]["entry-points"]["pytest11"] == {"symact": "symact.pytest_plugin"}
