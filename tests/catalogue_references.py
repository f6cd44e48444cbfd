"""Independent mpmath references for every catalogue entry at its defaults.

Each formula is written out here from its source (the paper or the library
documentation cited by the entry), directly in mpmath, without going through
symact's parser, atoms or expressions. A transcription error in a catalogue
entry therefore shows up as a disagreement with this table.

``REFERENCES[name]`` is a function of one mpmath number. Evaluate it under a
working precision of at least 30 digits.
"""
from __future__ import annotations

from mpmath import atan, cos, erf, erfc, exp, log, mpf, pi, sin, sqrt, tanh


def _sigmoid(x):
    return 1 / (1 + exp(-x))


def _softplus(x):
    return log(1 + exp(x))


def _normal_cdf(x):
    return erfc(-x / sqrt(2)) / 2


def _clip(x, lo, hi):
    return min(max(x, lo), hi)


def _relu(x):
    return max(x, 0)


# Klambauer et al. (2017), as printed below eq. (14). Kept as text: an mpf made
# at import would be rounded to the import-time precision (15 digits).
SELU_ALPHA = "1.6732632423543772848170429916717"
SELU_SCALE = "1.0507009873554804934193349852946"


def _gelu_tanh(x):
    return x / 2 * (1 + tanh(sqrt(2 / pi) * (x + mpf("0.044715") * x ** 3)))


def _sqnl(x):
    if x > 2:
        return mpf(1)
    if x >= 0:
        return x - x ** 2 / 4
    if x >= -2:
        return x + x ** 2 / 4
    return mpf(-1)


def _srelu(x, t_left=0, a_left="0.2", t_right=2, a_right="0.5"):
    a_left, a_right = mpf(a_left), mpf(a_right)
    if x <= t_left:
        return t_left + a_left * (x - t_left)
    if x >= t_right:
        return t_right + a_right * (x - t_right)
    return x


def _hard_elish(x):
    gate = max(0, min(1, (x + 1) / 2))
    return x * gate if x >= 0 else (exp(x) - 1) * gate


REFERENCES = {
    # torch.nn, jax.nn and Keras
    "identity": lambda x: x,
    "binary_step": lambda x: mpf(0) if x < 0 else mpf(1),
    "sigmoid": _sigmoid,
    "tanh": tanh,
    "relu": _relu,
    "leaky_relu": lambda x: x if x > 0 else mpf("0.01") * x,
    "prelu": lambda x: x if x > 0 else mpf("0.25") * x,
    "elu": lambda x: x if x > 0 else exp(x) - 1,
    "selu": lambda x: mpf(SELU_SCALE) * (x if x > 0 else mpf(SELU_ALPHA) * (exp(x) - 1)),
    "celu": lambda x: max(0, x) + min(0, 1 * (exp(x / 1) - 1)),
    "gelu": lambda x: x / 2 * (1 + erf(x / sqrt(2))),
    "gelu_tanh": _gelu_tanh,
    "silu": lambda x: x / (1 + exp(-x)),
    "swish": lambda x: x / (1 + exp(-1 * x)),
    "mish": lambda x: x * tanh(log(1 + exp(x))),
    "softplus": lambda x: log(1 + exp(1 * x)) / 1,
    "softsign": lambda x: x / (1 + abs(x)),
    "hardtanh": lambda x: _clip(x, -1, 1),
    "relu6": lambda x: min(max(0, x), 6),
    "hardsigmoid": lambda x: min(max(0, x + 3), 6) / 6,
    "hardswish": lambda x: x * min(max(0, x + 3), 6) / 6,
    "log_sigmoid": lambda x: log(1 / (1 + exp(-x))),
    "softshrink": lambda x: x - mpf("0.5") if x > mpf("0.5") else (x + mpf("0.5") if x < mpf("-0.5") else mpf(0)),
    "hardshrink": lambda x: x if abs(x) > mpf("0.5") else mpf(0),
    "tanhshrink": lambda x: x - tanh(x),
    "threshold": lambda x: x if x > 1 else mpf(0),
    "rrelu": lambda x: x if x >= 0 else (mpf(1) / 8 + mpf(1) / 3) / 2 * x,
    "leaky_relu_keras": lambda x: x if x >= 0 else mpf("0.2") * x,
    "hard_sigmoid_keras2": lambda x: _clip(mpf("0.2") * x + mpf("0.5"), 0, 1),
    "exponential": exp,
    "squareplus": lambda x: (x + sqrt(x ** 2 + 4)) / 2,
    "sparse_plus": lambda x: mpf(0) if x <= -1 else ((x + 1) ** 2 / 4 if x < 1 else x),
    "sparse_sigmoid": lambda x: _clip(x + 1, 0, 2) / 2,
    # The classic comparison table
    "arctan": atan,
    "isru": lambda x: x / sqrt(1 + x ** 2),
    "isrlu": lambda x: x if x >= 0 else x / sqrt(1 + x ** 2),
    "plu": lambda x: max(mpf("0.1") * (x + 1) - 1, min(mpf("0.1") * (x - 1) + 1, x)),
    "bent_identity": lambda x: (sqrt(x ** 2 + 1) - 1) / 2 + x,
    "soft_exponential": lambda x: (exp(1 * x) - 1) / 1 + 1,
    "sinusoid": sin,
    "sinc": lambda x: sin(x) / x if x != 0 else mpf(1),
    "gaussian": lambda x: exp(-x ** 2),
    "sqnl": _sqnl,
    "srelu": _srelu,
    "apl": lambda x: max(0, x) + mpf("0.2") * max(0, -x + 0) + mpf("-0.1") * max(0, -x - 1),
    # Newer activations
    "eswish": lambda x: mpf("1.5") * x * _sigmoid(x),
    "tanhexp": lambda x: x * tanh(exp(x)),
    "logish": lambda x: x * log(1 + _sigmoid(x)),
    "smish": lambda x: x * tanh(log(1 + _sigmoid(x))),
    "serf": lambda x: x * erf(log(1 + exp(x))),
    "gcu": lambda x: x * cos(x),
    "snake": lambda x: x + (1 - cos(2 * x)) / 2,
    "pflu": lambda x: x * (1 + x / sqrt(1 + x ** 2)) / 2,
    "squared_relu": lambda x: _relu(x) ** 2,
    "star_relu": lambda x: 2 / sqrt(5) * _relu(x) ** 2 - 1 / sqrt(5),
    "elish": lambda x: x / (1 + exp(-x)) if x >= 0 else (exp(x) - 1) / (1 + exp(-x)),
    "hard_elish": _hard_elish,
    "phish": lambda x: x * tanh(x * _normal_cdf(x)),
    "shifted_softplus": lambda x: log(exp(x) / 2 + mpf(1) / 2),
    "soft_clipping": lambda x: log((1 + exp(x)) / (1 + exp(x - 1))),
    "lecun_tanh": lambda x: mpf("1.7159") * tanh(mpf(2) / 3 * x),
    "bipolar_sigmoid": lambda x: (1 - exp(-x)) / (1 + exp(-x)),
    "cloglog": lambda x: 1 - exp(-exp(x)),
    "loglog": lambda x: exp(-exp(-x)),
    "probit": _normal_cdf,
    "elliott": lambda x: mpf("0.5") * x / (1 + abs(x)) + mpf("0.5"),
    "gelu_sigmoid": lambda x: x * _sigmoid(mpf("1.702") * x),
    "lisht": lambda x: x * tanh(x),
    "siren": lambda x: sin(30 * x),
    "penalized_tanh": lambda x: tanh(x) if x > 0 else mpf("0.25") * tanh(x),
    "nlrelu": lambda x: log(1 * _relu(x) + 1),
    "soft_root_sign": lambda x: x / (x / 2 + exp(-x / 3)),
    "smelu": lambda x: mpf(0) if x <= -1 else ((x + 1) ** 2 / 4 if x <= 1 else x),
    "aptx": lambda x: (1 + tanh(x)) * x / 2,
    "dsilu": lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x))),
    "laplace": lambda x: (1 + erf((x - sqrt(mpf(1) / 2)) / (sqrt(1 / (4 * pi)) * sqrt(2)))) / 2,
    "cube": lambda x: x ** 3,
    "squ": lambda x: x ** 2 + x,
    "ncu": lambda x: x - x ** 3,
    # MATLAB transfer functions
    "satlin": lambda x: _clip(x, 0, 1),
    "tribas": lambda x: max(0, 1 - abs(x)),
    "hardlims": lambda x: mpf(1) if x >= 0 else mpf(-1),
}


def torch_functions():
    """Entry name -> the torch function it follows, at the entry's defaults.

    Used to check values and gradient conventions (which branch owns a
    breakpoint) against PyTorch's own autograd. Imported lazily: torch is an
    optional dependency.
    """
    import torch
    import torch.nn.functional as F

    return {
        "identity": lambda x: x,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": F.relu,
        "leaky_relu": F.leaky_relu,
        "leaky_relu_keras": lambda x: F.leaky_relu(x, 0.2),
        "prelu": lambda x: F.prelu(x, torch.tensor([0.25], dtype=x.dtype)),
        "rrelu": lambda x: F.rrelu(x, training=False),
        "elu": F.elu,
        "selu": F.selu,
        "celu": F.celu,
        "gelu": F.gelu,
        "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
        "silu": F.silu,
        "mish": F.mish,
        "softplus": lambda x: F.softplus(x, threshold=1000),
        "softsign": F.softsign,
        "hardtanh": F.hardtanh,
        "relu6": F.relu6,
        "hardsigmoid": F.hardsigmoid,
        "hardswish": F.hardswish,
        "log_sigmoid": F.logsigmoid,
        "softshrink": F.softshrink,
        "hardshrink": F.hardshrink,
        "tanhshrink": F.tanhshrink,
        "threshold": lambda x: F.threshold(x, 1.0, 0.0),
        "squared_relu": lambda x: F.relu(x) ** 2,
        "sparse_plus": lambda x: torch.where(x <= -1, 0.0, torch.where(x >= 1, x, (x + 1) ** 2 / 4)),
    }
