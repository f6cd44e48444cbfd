"""pytest plugin: verify your activation's generated code in one line.

Registered through the ``pytest11`` entry point, so installing symact makes
the ``symact_verify`` fixture available in every test suite::

    def test_my_activation_is_accurate(symact_verify):
        symact_verify("activations/penalized_tanh.toml")

The argument is a spec file, a catalogue name or an expression. By default
the code symact generates for it is checked; pass ``module=`` (a path to a
generated ``.py`` file, or a module object) to check checked-in code
instead. A failing bound fails the test with one line per failing cell,
naming the target, dtype, kind, worst input, expected and actual value.
A catalogue entry at its defaults passes within its named exceptions
(``symact/verify/exceptions.toml``), as in ``symact verify``; checked-in
code passed as ``module=`` and user activations are held to the bounds.
Options: ``--symact-cache-dir DIR`` (reference cache, default
``$SYMACT_CACHE_DIR`` or ``~/.cache/symact/verify``).

Importing this module is cheap: symact, SymPy and torch load only when the
fixture is used.
"""
from __future__ import annotations

import pytest


def pytest_addoption(parser) -> None:
    group = parser.getgroup("symact")
    group.addoption("--symact-cache-dir", default=None,
                    help="directory of the symact verify reference cache")


class Verifier:
    """The ``symact_verify`` fixture: call it with what to verify."""

    def __init__(self, cache_dir):
        self.cache_dir = cache_dir

    def __call__(self, activation, *, module=None, targets=None, dtypes=("float32", "float64"),
                 params=None, name=None):
        """Verify and fail the test with a readable message when a bound fails.

        Args:
          activation: a spec file path, a catalogue name, an expression, or
            an ``Activation``.
          module: a generated file (path) or module to check instead of the
            code symact generates now; its target is detected (torch if it
            imports torch).
          targets: "numpy" and/or "torch" (default: both, or the module's).
          dtypes: "float32" and/or "float64".
          params: parameter values to bind.
          name: the function name in ``module`` (default: the activation's).

        Returns:
          The ``symact.verify.Report`` when it passes.
        """
        from symact.activation import Activation
        from symact.user import resolve
        from symact.verify import verify
        from symact.verify.implementation import from_module, load_file, module_target

        if not isinstance(activation, Activation):
            activation = resolve(str(activation), parameters=None)
        implementations = None
        if module is not None:
            loaded = load_file(module) if not hasattr(module, "__dict__") else module
            target = module_target(loaded)
            bound = activation.bind(params or {})
            from symact.verify.core import parameter_floats

            implementations = {target: from_module(loaded, name or activation.name, target,
                                                   parameter_floats(bound))}
            report = verify(bound, dtypes=dtypes, cache_dir=self.cache_dir, implementations=implementations)
        else:
            report = verify(activation, targets or ("numpy", "torch"), dtypes, params=params,
                            cache_dir=self.cache_dir)
        if not report.passed:
            lines = report.failures()
            shown = "\n".join(f"  {line}" for line in lines[:20])
            more = f"\n  ... and {len(lines) - 20} more" if len(lines) > 20 else ""
            pytest.fail(f"symact verify: {report.activation} fails its accuracy bounds "
                        f"(2 ULP forward, 4 ULP gradient):\n{shown}{more}", pytrace=False)
        return report


@pytest.fixture
def symact_verify(request) -> Verifier:
    """Verify an activation's generated code against mpmath; see ``Verifier``."""
    return Verifier(request.config.getoption("--symact-cache-dir"))
