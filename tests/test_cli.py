"""The command line: output, JSON stability, and errors on stderr with exit 2."""
import json
import subprocess
import sys

import pytest

from symact.catalogue import CATALOGUE
from symact.cli import main
from symact.vector import VECTOR_CATALOGUE


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_json_has_every_entry_with_parameters(capsys):
    status, out, _ = run(capsys, "list", "--json")
    rows = json.loads(out)
    assert status == 0
    assert [row["name"] for row in rows if row["kind"] == "elementwise"] == sorted(CATALOGUE)
    assert [row["name"] for row in rows if row["kind"] == "vector"] == sorted(VECTOR_CATALOGUE)
    assert all(row["citation"] for row in rows)
    elu = next(row for row in rows if row["name"] == "elu")
    assert elu["parameters"] == {"alpha": {"default": "1", "domain": "> 0", "learnable": False}}


def test_list_text_counts_entries(capsys):
    status, out, _ = run(capsys, "list")
    assert status == 0
    assert out.strip().endswith(f"{len(CATALOGUE)} elementwise and {len(VECTOR_CATALOGUE)} vector activations")


def test_show_relu_json_reports_the_kink(capsys):
    status, out, _ = run(capsys, "show", "relu", "--json")
    data = json.loads(out)
    assert status == 0
    (point,) = data["breakpoints"]
    assert point["x"] == "0"
    assert point["df"] == {"left": "0", "right": "1", "value": None, "exists": False,
                           "left_float": 0.0, "right_float": 1.0, "value_float": None}
    assert data["df_of_output"] is not None


def test_show_json_is_byte_stable(capsys):
    first = run(capsys, "show", "hardswish", "--json")[1]
    second = run(capsys, "show", "hardswish", "--json")[1]
    assert first == second
    assert list(json.loads(first)) == sorted(json.loads(first))


def test_show_user_expression_with_name(capsys):
    status, out, _ = run(capsys, "show", "x*tanh(softplus(x))", "--name", "mymish", "--json")
    data = json.loads(out)
    assert status == 0
    assert data["name"] == "mymish"
    assert data["definition"] == "x*tanh(softplus(x))"
    assert "sigmoid(x)" in data["df"]


def test_show_param_changes_the_derivative(capsys):
    status, out, _ = run(capsys, "show", "leaky_relu", "--param", "negative_slope=0.2", "--json")
    assert json.loads(out)["breakpoints"][0]["df"]["left"] == "1/5"


def test_show_latex(capsys):
    status, out, _ = run(capsys, "show", "gelu", "--latex", "--json")
    assert "\\frac" in json.loads(out)["df"]


@pytest.mark.parametrize("argv, message", [
    (["show", "elu", "--param", "alpha=-1"], "outside its domain"),
    (["show", "elu", "--param", "alpha"], "K=V"),
    (["show", "elu", "--param", "beta=2"], "no parameter 'beta'"),
    (["show", "open('x', 'w')"], "unknown function 'open'"),
    (["show", "sqrt(x)"], "not real"),
    (["show", "missing.toml"], "cannot read the spec file"),
    (["show", "sillu"], "'sillu' is neither a catalogue entry nor a valid expression"),
    (["show", "sillu"], "did you mean silu"),
    (["generate", "silu", "--name", "mine"], "--name and --param apply to an expression"),
    (["generate", "silu", "--expr", "x"], "either TARGET or --expr/--spec"),
])
def test_errors_go_to_stderr_with_exit_2_and_no_output(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_python_dash_m_entry_point():
    result = subprocess.run([sys.executable, "-m", "symact", "show", "sigmoid"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "f'(x)  = (1 - sigmoid(x))*sigmoid(x)" in result.stdout
    assert "y*(1 - y)" in result.stdout
