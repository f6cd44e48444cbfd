"""Certified properties of activation functions (see docs/properties.md).

``check(bound, timeout=...)`` returns a ``CheckResult`` whose ``to_json()``
maps each property name in ``PROPERTY_NAMES`` to a verdict: proved
(symbolically or by certified interval arithmetic), disproved (with a
certified witness) or unknown (with the reason).
"""
from symact.properties.check import DEFAULT_TIMEOUT, PROPERTY_NAMES, CheckResult, check
from symact.properties.verdict import Verdict

__all__ = ["DEFAULT_TIMEOUT", "PROPERTY_NAMES", "CheckResult", "Verdict", "check"]
