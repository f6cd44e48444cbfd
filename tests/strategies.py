"""Hypothesis strategies that generate activation *definitions*, not only values."""
from hypothesis import strategies as st

SMOOTH_UNARY = ["tanh", "sigmoid", "softplus", "atan", "sin", "exp", "Phi", "log_sigmoid", "asinh", "erf"]
LEAVES = st.sampled_from(["x", "1", "2", "0.5", "3/4", "pi"])


def _combine(children):
    unary = st.tuples(st.sampled_from(SMOOTH_UNARY), children).map(lambda t: f"{t[0]}({t[1]})")
    binary = st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    square = children.map(lambda c: f"({c})**2")
    return unary | binary | square


smooth_formulas = st.recursive(LEAVES, _combine, max_leaves=6).filter(lambda text: "x" in text)

piecewise_formulas = st.tuples(
    st.sampled_from(["-1", "0", "1/2", "2"]), smooth_formulas, smooth_formulas,
).map(lambda t: f"where(x > {t[0]}, {t[1]}, {t[2]})")
