"""symact: activation functions defined symbolically.

Exact derivatives, certified properties, and verified NumPy / PyTorch code,
all derived from one catalogue of SymPy definitions.
"""
from symact.activation import Activation, BoundActivation, Parameter, define
from symact.catalogue import CATALOGUE, lookup, names
from symact.errors import DefinitionError, ParameterError, ParseError, SpecError, SymactError
from symact.parsing import X as x
from symact.parsing import parse_expression
from symact.pieces import Pieces

__version__ = "0.1.0"

__all__ = [
    "Activation", "BoundActivation", "CATALOGUE", "DefinitionError", "Parameter", "ParameterError",
    "ParseError", "Pieces", "SpecError", "SymactError", "define", "lookup", "names",
    "parse_expression", "x",
]
