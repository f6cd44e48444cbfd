"""The built-in catalogue: one declarative entry per activation.

Everything else (``symact list``, docs, property sheets, tests, generated
code) is derived from ``CATALOGUE``. An entry is a name, a formula in the
safe expression language of ``symact.parsing``, its parameters, and where it
comes from. Where libraries disagree on a definition, ``notes`` says which
one the entry follows.

Breakpoint convention: the branch whose condition contains a breakpoint
*owns* it, and generated code takes that branch's one-sided derivative
there. Conditions are written so that this matches PyTorch (``x > 0`` keeps
0 in ReLU's zero branch, so ReLU'(0) = 0).
"""
from __future__ import annotations

from symact.activation import Activation, Parameter, define

# Klambauer et al. (2017), eq. (14): the fixed point of mean 0, variance 1.
SELU_ALPHA = "-sqrt(2/pi) / (erfc(1/sqrt(2)) * exp(1/2) - 1)"
SELU_SCALE = (
    "(1 - erfc(1/sqrt(2)) * sqrt(e)) * sqrt(2*pi) * (2*erfc(sqrt(2))*e**2 + pi*erfc(1/sqrt(2))**2*e"
    " - 2*(2 + pi)*erfc(1/sqrt(2))*sqrt(e) + pi + 2)**(-1/2)"
)

ENTRIES: tuple[Activation, ...] = (
    define(
        "identity", "x", aliases=("linear",),
        description="The identity map; no non-linearity.",
        citation="Keras activations.linear; jax.nn.identity",
    ),
    define(
        "binary_step", "where(x < 0, 0, 1)", aliases=("step", "heaviside"),
        description="The threshold unit of the perceptron: 0 below 0, 1 from 0 on.",
        citation="Rosenblatt (1958), The perceptron",
        notes="The value at 0 is 1, as numpy.heaviside(x, 1).",
    ),
    define(
        "sigmoid", "sigmoid(x)", aliases=("logistic",),
        description="The logistic function 1 / (1 + exp(-x)).",
        citation="torch.nn.Sigmoid; Rumelhart, Hinton & Williams (1986)",
    ),
    define(
        "tanh", "tanh(x)",
        description="Hyperbolic tangent, the zero-centred sigmoid.",
        citation="torch.nn.Tanh; LeCun et al. (1998), Efficient BackProp",
    ),
    define(
        "relu", "where(x > 0, x, 0)", aliases=("rectifier",),
        description="Rectified linear unit max(0, x).",
        citation="Nair & Hinton (2010), Rectified linear units improve restricted Boltzmann machines",
        notes="The gradient at 0 is taken as 0, as in PyTorch and JAX.",
    ),
    define(
        "leaky_relu", "where(x > 0, x, negative_slope * x)", aliases=("leakyrelu",),
        params=[Parameter("negative_slope", "0.01", "real")],
        description="ReLU with a small slope for negative inputs.",
        citation="Maas, Hannun & Ng (2013), Rectifier nonlinearities improve neural network acoustic models",
        notes="Default slope 0.01 as torch.nn.LeakyReLU (Keras 3 uses 0.2 and JAX 0.01).",
    ),
    define(
        "prelu", "where(x > 0, x, a * x)",
        params=[Parameter("a", "0.25", "real", learnable=True, description="learned negative slope")],
        description="Parametric ReLU: Leaky ReLU whose negative slope is learned.",
        citation="He et al. (2015), Delving deep into rectifiers",
        notes="Initial slope 0.25 as torch.nn.PReLU.",
    ),
    define(
        "elu", "where(x > 0, x, alpha * expm1(x))",
        params=[Parameter("alpha", 1, "> 0")],
        description="Exponential linear unit: identity for x > 0, alpha (e^x - 1) below.",
        citation="Clevert, Unterthiner & Hochreiter (2016), Fast and accurate deep network learning by ELUs",
    ),
    define(
        "selu", f"({SELU_SCALE}) * where(x > 0, x, ({SELU_ALPHA}) * expm1(x))",
        description="Scaled ELU with the self-normalising constants (alpha ~ 1.6733, scale ~ 1.0507).",
        citation="Klambauer et al. (2017), Self-normalizing neural networks",
        notes="The constants are the exact closed forms of eq. (14) of the paper.",
    ),
    define(
        "celu", "where(x > 0, x, alpha * expm1(x / alpha))",
        params=[Parameter("alpha", 1, "> 0")],
        description="Continuously differentiable ELU: alpha (e^(x/alpha) - 1) below 0.",
        citation="Barron (2017), Continuously differentiable exponential linear units",
    ),
    define(
        "gelu", "x * Phi(x)",
        description="Gaussian error linear unit x Phi(x), Phi the standard normal CDF (exact erf form).",
        citation="Hendrycks & Gimpel (2016), Gaussian error linear units",
        notes="torch.nn.GELU() default (approximate='none'); jax.nn.gelu defaults to the tanh form, see gelu_tanh.",
    ),
    define(
        "gelu_tanh", "x / 2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x**3)))",
        aliases=("gelu_approximate",),
        description="GELU with the tanh approximation of Phi.",
        citation="Hendrycks & Gimpel (2016); torch.nn.GELU(approximate='tanh'); jax.nn.gelu default",
    ),
    define(
        "silu", "x * sigmoid(x)", aliases=("sil",),
        description="Sigmoid-weighted linear unit x sigma(x) (Swish with beta = 1).",
        citation="Elfwing, Uchibe & Doya (2018), Sigmoid-weighted linear units; torch.nn.SiLU",
    ),
    define(
        "swish", "x * sigmoid(beta * x)",
        params=[Parameter("beta", 1, "real", learnable=True, description="gate sharpness")],
        description="Swish with a trainable gate sharpness beta: x sigma(beta x).",
        citation="Ramachandran, Zoph & Le (2017), Searching for activation functions",
        notes="Keras and TensorFlow call SiLU 'swish'; here swish keeps its beta.",
    ),
    define(
        "mish", "x * tanh(softplus(x))",
        description="Self-regularised non-monotone activation x tanh(softplus(x)).",
        citation="Misra (2019), Mish: a self regularized non-monotonic activation function",
    ),
    define(
        "softplus", "softplus(beta * x) / beta",
        params=[Parameter("beta", 1, "> 0")],
        description="Smooth ReLU log(1 + e^(beta x)) / beta.",
        citation="Dugas et al. (2001), Incorporating second-order functional knowledge; torch.nn.Softplus",
        notes="torch.nn.Softplus's threshold (default 20) is a numerical shortcut, not part of the function.",
    ),
    define(
        "softsign", "x / (1 + abs(x))",
        description="x / (1 + |x|), a sigmoid with polynomial tails.",
        citation="Bergstra et al. (2009), Quadratic polynomials learn better image features; torch.nn.Softsign",
    ),
    define(
        "hardtanh", "where(x <= min_val, min_val, where(x >= max_val, max_val, x))",
        params=[Parameter("min_val", -1, "real"), Parameter("max_val", 1, "real")],
        constraints=("min_val < max_val",),
        description="Identity clipped to [min_val, max_val].",
        citation="Collobert (2004), Large scale machine learning; torch.nn.Hardtanh",
        notes="The gradient at the clip points is 0, as in PyTorch.",
    ),
    define(
        "relu6", "where(x <= 0, 0, where(x >= 6, 6, x))",
        description="ReLU capped at 6: min(max(0, x), 6).",
        citation="Krizhevsky (2010), Convolutional deep belief networks on CIFAR-10; torch.nn.ReLU6",
        notes="The gradient at 0 and at 6 is 0, as in PyTorch.",
    ),
    define(
        "hardsigmoid", "where(x <= -3, 0, where(x >= 3, 1, x / 6 + 1/2))",
        description="Piecewise-linear sigmoid relu6(x + 3) / 6.",
        citation="Howard et al. (2019), Searching for MobileNetV3; torch.nn.Hardsigmoid",
        notes="PyTorch/JAX form with slope 1/6. Keras 2 used clip(0.2 x + 0.5) and Courbariaux et al. "
              "(2015) clip((x + 1) / 2); those are different functions.",
    ),
    define(
        "hardswish", "where(x < -3, 0, where(x <= 3, x * (x + 3) / 6, x))", aliases=("hard_swish",),
        description="x relu6(x + 3) / 6, the piecewise-quadratic Swish of MobileNetV3.",
        citation="Howard et al. (2019), Searching for MobileNetV3; torch.nn.Hardswish",
        notes="The gradient is -1/2 at -3 and 3/2 at 3 (the middle branch owns both), as in PyTorch.",
    ),
    define(
        "log_sigmoid", "log_sigmoid(x)", aliases=("logsigmoid",),
        description="log(sigma(x)) = -softplus(-x).",
        citation="torch.nn.LogSigmoid; jax.nn.log_sigmoid",
    ),
    define(
        "softshrink", "where(x > lambd, x - lambd, where(x < -lambd, x + lambd, 0))",
        params=[Parameter("lambd", "0.5", ">= 0")],
        description="Soft thresholding: shrink towards 0 by lambd, 0 inside [-lambd, lambd].",
        citation="Donoho (1995), De-noising by soft-thresholding; torch.nn.Softshrink",
    ),
    define(
        "hardshrink", "where(x > lambd, x, where(x < -lambd, x, 0))",
        params=[Parameter("lambd", "0.5", ">= 0")],
        description="Hard thresholding: x outside [-lambd, lambd], 0 inside.",
        citation="Donoho & Johnstone (1994), Ideal spatial adaptation; torch.nn.Hardshrink",
    ),
    define(
        "tanhshrink", "x - tanh(x)",
        description="x - tanh(x).",
        citation="torch.nn.Tanhshrink",
    ),
    define(
        "threshold", "where(x > threshold, x, value)",
        params=[Parameter("threshold", 1, "real"), Parameter("value", 0, "real")],
        description="x above the threshold, a constant value at and below it.",
        citation="torch.nn.Threshold",
        notes="torch.nn.Threshold has no defaults; here threshold = 1, value = 0.",
    ),
)


def _index(entries: tuple[Activation, ...]) -> dict[str, Activation]:
    index: dict[str, Activation] = {}
    for entry in entries:
        for label in (entry.name, *entry.aliases):
            assert label not in index, f"catalogue name '{label}' is used twice"
            index[label] = entry
    return index


CATALOGUE: dict[str, Activation] = {entry.name: entry for entry in ENTRIES}
_BY_LABEL = _index(ENTRIES)


def lookup(name: str) -> Activation | None:
    """The catalogue entry called ``name`` (or with that alias), else None."""
    return _BY_LABEL.get(name.strip().lower().replace("-", "_"))


def names() -> list[str]:
    """The catalogue's entry names, sorted."""
    return sorted(CATALOGUE)
