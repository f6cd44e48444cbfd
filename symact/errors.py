"""Errors symact raises for bad input. Each message names the problem."""


class SymactError(ValueError):
    """Base class: the input is wrong in a way the message explains."""


class ParseError(SymactError):
    """An expression string is malformed or uses something not allowed."""


class DefinitionError(SymactError):
    """An activation definition is inconsistent (names, parameters, realness)."""


class ParameterError(SymactError):
    """A parameter value is missing, unknown, or outside its domain."""


class SpecError(SymactError):
    """A spec file cannot be read or does not describe an activation."""


class AnalysisTimeout(SymactError):
    """Symbolic work needed to answer did not finish within its time budget."""
