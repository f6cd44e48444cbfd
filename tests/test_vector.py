"""Vector activations: Jacobians derived for a general n, checked at fixed n."""
import pytest
import sympy

from symact.errors import SymactError
from symact.vector import (S, VECTOR_CATALOGUE, derived_jacobian, explicit_matches_closed_form,
                           jacobian_matches_closed_form, lookup_vector, shift_invariant, sums_to_one,
                           vjp_matches_jacobian)

NORMALIZING = [name for name, entry in VECTOR_CATALOGUE.items() if entry.family == "softmax"]
GATED = [name for name, entry in VECTOR_CATALOGUE.items() if entry.family == "gated"]


def test_softmax_jacobian_is_diag_s_minus_s_s_transpose():
    i, k = sympy.symbols("i k", integer=True, positive=True)
    assert sympy.simplify(derived_jacobian("softmax") - S[i] * (sympy.KroneckerDelta(i, k) - S[k])) == 0


@pytest.mark.parametrize("name", NORMALIZING)
def test_general_n_derivation_matches_documented_form(name):
    assert jacobian_matches_closed_form(name)


@pytest.mark.parametrize("name", NORMALIZING + GATED)
@pytest.mark.parametrize("n", [2, 3])
def test_closed_form_matches_explicit_jacobian_at_fixed_n(name, n):
    assert explicit_matches_closed_form(name, n)


@pytest.mark.parametrize("name", NORMALIZING)
def test_vector_jacobian_product_matches_jacobian_transpose(name):
    assert vjp_matches_jacobian(name, 4)


@pytest.mark.parametrize("name", ["softmax", "softmin"])
def test_outputs_sum_to_one_for_every_n(name):
    assert sums_to_one(name)


@pytest.mark.parametrize("name", NORMALIZING)
def test_invariant_to_adding_a_constant(name):
    assert shift_invariant(name)


def test_log_softmax_does_not_sum_to_one():
    assert not sums_to_one("log_softmax")


def test_unknown_vector_activation_names_the_known_ones():
    with pytest.raises(SymactError, match="softmax"):
        lookup_vector("softmaxx")
