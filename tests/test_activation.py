"""The Activation model: parameters, domains, constraints, binding, realness."""
import pytest
import sympy

from symact.activation import Parameter, define, parse_domain
from symact.catalogue import CATALOGUE, ENTRIES, lookup
from symact.errors import DefinitionError, ParameterError
from symact.parsing import X


def test_selu_constants_are_klambauers_exact_values():
    selu = CATALOGUE["selu"].bind()
    positive_slope = selu.derivative(1).branches[-1]
    negative_limit = sympy.limit(selu.pieces.branches[0], X, -sympy.oo)
    assert abs(sympy.N(positive_slope, 32) - sympy.Float("1.0507009873554804934193349852946", 32)) < 1e-30
    assert abs(sympy.N(-negative_limit / positive_slope, 32)
               - sympy.Float("1.6732632423543772848170429916717", 32)) < 1e-30


def test_names_and_aliases_are_unique_across_the_catalogue():
    labels = [label for entry in ENTRIES for label in (entry.name, *entry.aliases)]
    assert len(labels) == len(set(labels))


def test_lookup_by_alias_and_spelling():
    assert lookup("logistic") is CATALOGUE["sigmoid"]
    assert lookup("Leaky-ReLU") is CATALOGUE["leaky_relu"]
    assert lookup("no_such_thing") is None


@pytest.mark.parametrize("text, inside, outside", [
    ("> 0", 1, 0),
    (">= 0", 0, -1),
    ("< 1", 0, 1),
    ("[0, 1]", 1, 2),
    ("(0, 1]", 1, 0),
    ("!= 0", -1, 0),
    ("real", -5, None),
])
def test_domains(text, inside, outside):
    domain = parse_domain(text)
    assert domain.contains(inside) is sympy.true
    if outside is not None:
        assert domain.contains(outside) is sympy.false


def test_binding_outside_the_domain_names_the_parameter():
    with pytest.raises(ParameterError, match=r"alpha = -1 is outside its domain > 0"):
        CATALOGUE["elu"].bind(alpha=-1)


def test_binding_an_unknown_parameter_lists_the_known_ones():
    with pytest.raises(ParameterError, match=r"no parameter 'alhpa'.*\['alpha'\]"):
        CATALOGUE["elu"].bind(alhpa=1)


@pytest.mark.parametrize("value", ["nan", float("inf"), "x", "1+", True, "sqrt(-1)"])
def test_binding_a_non_number_is_refused(value):
    with pytest.raises(ParameterError):
        CATALOGUE["elu"].bind(alpha=value)


def test_constraint_between_parameters_is_checked():
    with pytest.raises(ParameterError, match="min_val < max_val"):
        CATALOGUE["hardtanh"].bind(min_val=2, max_val=1)


def test_binding_substitutes_exact_values():
    bound = CATALOGUE["leaky_relu"].bind(negative_slope="0.2")
    assert dict(bound.values) == {"negative_slope": sympy.Rational(1, 5)}
    assert bound.pieces.branches[0] == X / 5


def test_learnable_parameters_are_flagged():
    assert [p.name for p in CATALOGUE["prelu"].params if p.learnable] == ["a"]


def test_parameter_symbol_carries_domain_assumptions():
    assert Parameter("alpha", 1, "> 0").symbol.is_positive
    assert Parameter("lambd", "0.5", ">= 0").symbol.is_nonnegative
    assert Parameter("slope", "0.5", "real").symbol.is_positive is None


def test_default_outside_domain_is_a_definition_error():
    with pytest.raises(DefinitionError, match="outside its domain"):
        Parameter("alpha", 0, "> 0")


@pytest.mark.parametrize("expr, message", [
    ("sqrt(x)", "not real at x = -"),
    ("log(x)", "not real at x = -"),
    ("1/x", "not defined"),
    ("asin(x)", "not real"),
])
def test_non_real_definitions_are_refused_with_a_witness(expr, message):
    with pytest.raises(ParameterError, match=message):
        define("bad", expr)


def test_parameters_that_make_it_non_real_are_refused_at_binding():
    root = define("root", "sqrt(x**2 + c)", [Parameter("c", 1, "real")])
    with pytest.raises(ParameterError, match="c = -1 is not a real function"):
        root.bind(c=-1)


def test_define_from_a_sympy_expression_renames_symbols_to_the_model():
    a, x = sympy.symbols("a x")
    activation = define("scaled", a * sympy.tanh(x), [Parameter("a", 2, "> 0")])
    assert activation.bind().expr == 2 * sympy.tanh(X)


def test_stray_symbols_are_refused():
    with pytest.raises(DefinitionError, match=r"\['b'\]"):
        define("stray", sympy.Symbol("b") * sympy.Symbol("x"))


@pytest.mark.parametrize("name", ["ReLU", "1relu", "my-act", ""])
def test_bad_names_are_refused(name):
    with pytest.raises(DefinitionError, match="name"):
        define(name, "x")
