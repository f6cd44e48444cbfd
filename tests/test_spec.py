"""User-defined activations from TOML spec files and expression strings."""
from pathlib import Path

import pytest
import sympy

from symact.errors import SpecError
from symact.functions import sigmoid
from symact.parsing import X
from symact.user import from_expression, from_spec, from_spec_text, resolve

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "penalized_tanh.toml"


def test_example_spec_loads_with_its_parameter():
    activation = from_spec(EXAMPLE)
    assert activation.name == "penalized_tanh"
    (param,) = activation.params
    assert (param.name, param.default, param.domain_text, param.learnable) == (
        "a", sympy.Rational(1, 4), "[0, 1]", False)
    slopes = activation.bind().derivative(1)
    assert slopes.one_sided(0) == (sympy.Rational(1, 4), 1)


def test_resolve_prefers_catalogue_then_spec_then_expression():
    assert resolve("gelu").name == "gelu"
    assert resolve(str(EXAMPLE)).name == "penalized_tanh"
    assert resolve("x*tanh(softplus(x))", "mymish").name == "mymish"


def test_expression_parameters_are_declared_with_their_values():
    activation = from_expression("x*sigmoid(b*x)", "swishb", {"b": "1.5"})
    assert activation.bind().expr == X * sigmoid(sympy.Rational(3, 2) * X)


@pytest.mark.parametrize("text, message", [
    ("name = 'a'", "'expression' is missing"),
    ("expression = 'x'", "'name' is missing"),
    ("name = 'a'\nexpression = 'x'\ncolour = 'red'", "unknown keys ['colour']"),
    ("name = 'a'\nexpression = 'x*k'", "unknown name 'k'"),
    ("name = 'a'\nexpression = 'x*k'\n[parameters.k]\ndomain = '> 0'", "'default' is missing"),
    ("name = 'a'\nexpression = 'x*k'\n[parameters.k]\ndefault = -1\ndomain = '> 0'", "outside its domain"),
    ("name = 'a'\nexpression = 'x*k'\n[parameters.k]\ndefault = 1\nlearnable = 'yes'", "true or false"),
    ("name = 'a'\nexpression = 'sqrt(x)'", "not real"),
    ("name = = 'a'", "not valid TOML"),
    ("name = 3\nexpression = 'x'", "'name' must be a string"),
    ("name = 'a'\nexpression = '__import__(\"os\")'", "dunder name '__import__'"),
])
def test_bad_specs_are_refused_naming_the_problem(text, message):
    with pytest.raises(SpecError) as info:
        from_spec_text(text, "spec.toml")
    assert message in str(info.value)
    assert str(info.value).startswith("spec.toml")


def test_missing_spec_file_is_a_clear_error(tmp_path):
    with pytest.raises(SpecError, match="cannot read the spec file"):
        from_spec(tmp_path / "missing.toml")
