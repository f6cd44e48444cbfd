r"""Code generation: standalone NumPy and PyTorch modules for activations.

``render(activation, target)`` returns the source of a module for
``target`` ("numpy" or "torch"); ``load(activation, target)`` executes it as
a fresh module. See docs/codegen.md for the generated API, the numerical
choices and the measured speed.
"""
from symact.codegen.printers import CodegenError
from symact.codegen.render import TARGETS, camel_name, load, render

__all__ = ["CodegenError", "TARGETS", "camel_name", "load", "render"]
