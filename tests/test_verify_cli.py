"""``symact verify``: table, JSON, JUnit, exit codes."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from symact.cli import main


@pytest.fixture
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("cli-cache"))


def test_verify_json_has_every_target_dtype_and_kind(capsys, cache):
    status = main(["verify", "hardtanh", "--json", "--cache-dir", cache])
    data = json.loads(capsys.readouterr().out)
    assert data["activation"] == "hardtanh"
    assert sorted(data["cells"]) == ["numpy", "torch"]
    for target in ("numpy", "torch"):
        assert sorted(data["cells"][target]) == ["float32", "float64"]
        for dtype in ("float32", "float64"):
            assert sorted(data["cells"][target][dtype]) == ["forward", "fused", "gradient"]
    assert status == (0 if data["passed"] else 1)


def test_verify_table_and_junit_for_an_expression(tmp_path, capsys, cache):
    junit = tmp_path / "report.xml"
    status = main(["verify", "--expr", "where(x > 0, x, 0)", "--name", "myrelu", "--target", "numpy",
                   "--dtype", "float32", "--junit", str(junit), "--cache-dir", cache])
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["activation", "forward", "gradient", "fused", "result", "worst",
                                           "input"]
    assert out.splitlines()[2].startswith("myrelu")
    suite = ET.parse(junit).getroot()
    names = sorted(case.get("name") for case in suite.iter("testcase"))
    assert names == ["numpy-float32-forward", "numpy-float32-fused", "numpy-float32-gradient"]
    assert suite.get("failures") == str(sum(1 for c in suite.iter("testcase") if c.find("failure") is not None))
    assert status == (1 if int(suite.get("failures")) else 0)


def test_verify_takes_an_expression_as_a_positional_target(capsys, cache):
    """A positional TARGET may be an expression, as in `symact show`: the
    same report as --expr (here ReLU written as a where, which passes)."""
    argv = ["--name", "myrelu", "--target", "numpy", "--dtype", "float64", "--json", "--cache-dir", cache]
    assert main(["verify", "where(x > 0, x, 0)", *argv]) == 0
    by_position = json.loads(capsys.readouterr().out)
    assert main(["verify", "--expr", "where(x > 0, x, 0)", *argv]) == 0
    by_flag = json.loads(capsys.readouterr().out)
    assert by_position["activation"] == "myrelu"
    assert by_position["cells"] == by_flag["cells"]


@pytest.mark.parametrize("argv, message", [
    (["verify", "no_such_activation"], "'no_such_activation' is neither a catalogue entry nor a valid expression"),
    (["verify", "relu", "--target", "jax"], "--target takes a comma-separated list of numpy, torch"),
    (["verify", "relu", "--dtype", "float16"], "--dtype takes a comma-separated list of float32, float64"),
    (["verify", "relu", "--expr", "x"], "give either NAMES or --expr/--spec"),
])
def test_verify_bad_input_exits_2_with_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
