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
        "identity", "x", aliases=("linear", "purelin"),
        description="The identity map; no non-linearity.",
        citation="Keras activations.linear; jax.nn.identity",
    ),
    define(
        "binary_step", "where(x < 0, 0, 1)", aliases=("step", "heaviside", "hardlim"),
        description="The threshold unit of the perceptron: 0 below 0, 1 from 0 on.",
        citation="Rosenblatt (1958), The perceptron",
        notes="The value at 0 is 1, as numpy.heaviside(x, 1).",
    ),
    define(
        "sigmoid", "sigmoid(x)", aliases=("logistic", "logsig"),
        description="The logistic function 1 / (1 + exp(-x)).",
        citation="torch.nn.Sigmoid; Rumelhart, Hinton & Williams (1986)",
    ),
    define(
        "tanh", "tanh(x)", aliases=("tansig",),
        description="Hyperbolic tangent, the zero-centred sigmoid.",
        citation="torch.nn.Tanh; LeCun et al. (1998), Efficient BackProp",
    ),
    define(
        "relu", "where(x > 0, x, 0)", aliases=("rectifier", "poslin"),
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
        aliases=("gelu_approximate", "gelu_new"),
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
        "softsign", "x / (1 + abs(x))", aliases=("soft_sign", "elliotsig"),
        description="x / (1 + |x|), a sigmoid with polynomial tails.",
        citation="Bergstra et al. (2009), Quadratic polynomials learn better image features; torch.nn.Softsign",
    ),
    define(
        "hardtanh", "where(x <= min_val, min_val, where(x >= max_val, max_val, x))",
        aliases=("hard_tanh", "satlins"),
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
        "hardsigmoid", "where(x <= -3, 0, where(x >= 3, 1, x / 6 + 1/2))", aliases=("hard_sigmoid",),
        description="Piecewise-linear sigmoid relu6(x + 3) / 6.",
        citation="Howard et al. (2019), Searching for MobileNetV3; torch.nn.Hardsigmoid",
        notes="PyTorch, JAX and Keras 3 form with slope 1/6. Keras 2's clip(0.2 x + 0.5, 0, 1) is "
              "hard_sigmoid_keras2 and Courbariaux et al.'s clip((x + 1) / 2, 0, 1) is sparse_sigmoid.",
    ),
    define(
        "hardswish", "where(x <= -3, 0, where(x >= 3, x, x * (x + 3) / 6))", aliases=("hard_swish", "hard_silu"),
        description="x relu6(x + 3) / 6, the piecewise-quadratic Swish of MobileNetV3.",
        citation="Howard et al. (2019), Searching for MobileNetV3; torch.nn.Hardswish",
        notes="The outer branches own -3 and 3, so the gradient there is 0 and 1, as torch 2.13's "
              "autograd of F.hardswish (older releases gave -1/2 and 3/2, the middle branch's).",
    ),
    define(
        "log_sigmoid", "log_sigmoid(x)", aliases=("logsigmoid",),
        description="log(sigma(x)) = -softplus(-x).",
        citation="torch.nn.LogSigmoid; jax.nn.log_sigmoid",
    ),
    define(
        "softshrink", "where(x > lambd, x - lambd, where(x < -lambd, x + lambd, 0))",
        aliases=("soft_shrink",),
        params=[Parameter("lambd", "0.5", ">= 0")],
        description="Soft thresholding: shrink towards 0 by lambd, 0 inside [-lambd, lambd].",
        citation="Donoho (1995), De-noising by soft-thresholding; torch.nn.Softshrink",
    ),
    define(
        "hardshrink", "where(x > lambd, x, where(x < -lambd, x, 0))", aliases=("hard_shrink",),
        params=[Parameter("lambd", "0.5", ">= 0")],
        description="Hard thresholding: x outside [-lambd, lambd], 0 inside.",
        citation="Donoho & Johnstone (1994), Ideal spatial adaptation; torch.nn.Hardshrink",
    ),
    define(
        "tanhshrink", "x - tanh(x)", aliases=("tanh_shrink",),
        description="x - tanh(x).",
        citation="torch.nn.Tanhshrink",
    ),
    define(
        "threshold", "where(x > threshold, x, value)", aliases=("thresholded_relu",),
        params=[Parameter("threshold", 1, "real"), Parameter("value", 0, "real")],
        description="x above the threshold, a constant value at and below it.",
        citation="torch.nn.Threshold",
        notes="torch.nn.Threshold has no defaults; here threshold = 1, value = 0, which is Keras 2's "
              "ThresholdedReLU(theta=1).",
    ),
    # Library variants: torch.nn, jax.nn and Keras functions not covered above.
    define(
        "rrelu", "where(x > 0, x, (lower + upper) / 2 * x)", aliases=("randomized_leaky_relu",),
        params=[Parameter("lower", "1/8", "real"), Parameter("upper", "1/3", "real")],
        constraints=("lower <= upper",),
        description="Randomized leaky ReLU in its evaluation form: slope (lower + upper) / 2 below 0.",
        citation="Xu et al. (2015), Empirical evaluation of rectified activations in convolutional network; "
                 "torch.nn.RReLU",
        notes="Training draws the slope from U(lower, upper); this is the deterministic eval-mode function "
              "of torch.nn.RReLU (defaults 1/8 and 1/3). The gradient at 0 is the slope, as PyTorch.",
    ),
    define(
        "leaky_relu_keras", "where(x > 0, x, negative_slope * x)",
        params=[Parameter("negative_slope", "0.2", "real")],
        description="Leaky ReLU with Keras 3's default negative slope 0.2.",
        citation="keras.activations.leaky_relu (Keras 3); Maas, Hannun & Ng (2013)",
        notes="Same function as leaky_relu; only the default slope differs (Keras 0.2, PyTorch 0.01).",
    ),
    define(
        "hard_sigmoid_keras2", "where(x < -2.5, 0, where(x <= 2.5, 0.2 * x + 0.5, 1))",
        description="Keras 2's hard sigmoid clip(0.2 x + 0.5, 0, 1).",
        citation="tf.keras.activations.hard_sigmoid of Keras 2 (TensorFlow < 2.16)",
        notes="Not the hard sigmoid of PyTorch, JAX and Keras 3 (slope 1/6, see hardsigmoid). The middle "
              "branch owns -2.5 and 2.5 (gradient 0.2), as tf.clip_by_value's gradient.",
    ),
    define(
        "exponential", "exp(x)", aliases=("exp",),
        description="The exponential function e^x.",
        citation="keras.activations.exponential",
    ),
    define(
        "squareplus", "(x + sqrt(x**2 + b)) / 2",
        params=[Parameter("b", 4, ">= 0", description="smoothness")],
        description="Algebraic smooth ReLU (x + sqrt(x^2 + b)) / 2.",
        citation="Barron (2021), Squareplus: a softplus-like algebraic rectifier; jax.nn.squareplus",
        notes="Default b = 4 as jax.nn.squareplus and keras.activations.squareplus.",
    ),
    define(
        "sparse_plus", "where(x <= -1, 0, where(x < 1, (x + 1)**2 / 4, x))",
        description="Sparse twin of softplus: 0 up to -1, (x + 1)^2 / 4 on (-1, 1), x from 1.",
        citation="Blondel, Martins & Niculae (2020), Learning with Fenchel-Young losses; jax.nn.sparse_plus",
        notes="Case split as in the jax.nn.sparse_plus and keras.activations.sparse_plus docs.",
    ),
    define(
        "sparse_sigmoid", "where(x <= -1, 0, where(x >= 1, 1, (x + 1) / 2))",
        aliases=("hard_sigmoid_binaryconnect",),
        description="Sparse twin of the sigmoid clip((x + 1) / 2, 0, 1), the derivative of sparse_plus.",
        citation="Blondel, Martins & Niculae (2020); jax.nn.sparse_sigmoid; Courbariaux, Bengio & David "
                 "(2015), BinaryConnect (the same clip as its hard sigmoid)",
        notes="Case split of the jax.nn.sparse_sigmoid docs: the outer branches own -1 and 1, so the "
              "gradient there is 0. JAX's autodiff of 0.5 * clip(x + 1, 0, 2) gives 1/4 at the ties.",
    ),
    # The classic comparison table of activation functions.
    define(
        "arctan", "atan(x)", aliases=("atan",),
        description="The inverse tangent, a sigmoid with range (-pi/2, pi/2).",
        citation="Wikipedia, Activation function (comparison table)",
    ),
    define(
        "isru", "x / sqrt(1 + alpha * x**2)",
        params=[Parameter("alpha", 1, "> 0")],
        description="Inverse square root unit x / sqrt(1 + alpha x^2), range (-1/sqrt(alpha), 1/sqrt(alpha)).",
        citation="Carlile et al. (2017), Improving deep learning by inverse square root linear units (ISRLUs)",
        notes="The paper leaves alpha a hyperparameter; alpha = 1 here.",
    ),
    define(
        "isrlu", "where(x >= 0, x, x / sqrt(1 + alpha * x**2))",
        params=[Parameter("alpha", 1, "> 0")],
        description="Inverse square root linear unit: x from 0 on, x / sqrt(1 + alpha x^2) below.",
        citation="Carlile et al. (2017), Improving deep learning by inverse square root linear units (ISRLUs)",
        notes="The paper leaves alpha a hyperparameter; alpha = 1 here.",
    ),
    define(
        "plu", "where(x < -c, alpha * (x + c) - c, where(x <= c, x, alpha * (x - c) + c))",
        params=[Parameter("alpha", "0.1", "real"), Parameter("c", 1, "> 0")],
        description="Piecewise linear unit max(alpha (x + c) - c, min(alpha (x - c) + c, x)).",
        citation="Nicolae (2018), PLU: the piecewise linear unit activation function",
        notes="alpha = 0.1 and c = 1 as in the paper.",
    ),
    define(
        "bent_identity", "(sqrt(x**2 + 1) - 1) / 2 + x",
        description="Bent identity (sqrt(x^2 + 1) - 1) / 2 + x.",
        citation="Wikipedia, Activation function (comparison table)",
    ),
    define(
        "soft_exponential", "expm1(alpha * x) / alpha + alpha",
        params=[Parameter("alpha", 1, "> 0", learnable=True,
                          description="> 0: exponential side; alpha -> 0+ tends to the identity")],
        description="Soft exponential: (e^(alpha x) - 1) / alpha + alpha, for alpha > 0.",
        citation="Godfrey & Gashler (2016), A continuum among logarithmic, linear, and exponential functions",
        notes="Only alpha > 0: the logarithmic side alpha < 0, -log(1 - alpha (x + alpha)) / alpha, is "
              "undefined for x <= 1/alpha - alpha, and alpha = 0 (the identity, the limit as alpha -> 0+) "
              "would make this branch 0/0; the generated code cannot select between whole formulas on a "
              "parameter-only condition. The paper learns alpha and fixes no initial value; "
              "alpha = 1 here.",
    ),
    define(
        "sinusoid", "sin(x)", aliases=("sine",),
        description="The sine function as a periodic activation.",
        citation="Gashler & Ashmore (2014), Training deep Fourier neural networks to fit time-series data",
    ),
    define(
        "sinc", "sinc(x)",
        description="sin(x) / x, with the value 1 at 0.",
        citation="Wikipedia, Activation function (comparison table)",
        notes="Unnormalised sinc (sin(x)/x), not numpy.sinc's sin(pi x)/(pi x).",
    ),
    define(
        "gaussian", "exp(-x**2)", aliases=("radbas",),
        description="The Gaussian bump e^(-x^2).",
        citation="Wikipedia, Activation function (comparison table); MATLAB radbas",
    ),
    define(
        "sqnl", "where(x > 2, 1, where(x >= 0, x - x**2 / 4, where(x >= -2, x + x**2 / 4, -1)))",
        description="Square nonlinearity: a piecewise-quadratic tanh saturating at -1 and 1 beyond |x| = 2.",
        citation="Wuraola & Patel (2018), SQNL: a new computationally efficient activation function",
    ),
    define(
        "srelu",
        "where(x <= t_left, t_left + a_left * (x - t_left), where(x < t_right, x, t_right + a_right * (x - t_right)))",
        params=[Parameter("t_left", 0, "real", learnable=True), Parameter("a_left", "0.2", "real", learnable=True),
                Parameter("t_right", 2, "real", learnable=True), Parameter("a_right", "0.5", "real", learnable=True)],
        constraints=("t_left < t_right",),
        description="S-shaped ReLU: identity between two learned thresholds, learned slopes outside.",
        citation="Jin et al. (2016), Deep learning with S-shaped rectified linear activation units",
        notes="All four parameters are learned; the paper initialises them per layer ('freezing'), so it has "
              "no defaults. The defaults here are illustrative, not from the paper.",
    ),
    define(
        "apl", "where(x > 0, x, 0) + a1 * where(x < b1, b1 - x, 0) + a2 * where(x < b2, b2 - x, 0)",
        params=[Parameter("a1", "0.2", "real", learnable=True), Parameter("b1", 0, "real", learnable=True),
                Parameter("a2", "-0.1", "real", learnable=True), Parameter("b2", -1, "real", learnable=True)],
        description="Adaptive piecewise linear unit with S = 2 hinges: max(0, x) + sum a_s max(0, b_s - x).",
        citation="Agostinelli et al. (2015), Learning activation functions to improve deep neural networks",
        notes="The number of hinges S is a hyperparameter; S = 2 here. The hinge parameters are learned "
              "and the paper gives no defaults; the values here are illustrative.",
    ),
    # Newer activations from the literature.
    define(
        "eswish", "beta * x * sigmoid(x)", aliases=("e_swish",),
        params=[Parameter("beta", "1.5", "[1, 2]")],
        description="E-swish: Swish scaled by beta, beta x sigma(x).",
        citation="Alcaide (2018), E-swish: adjusting activations to different network depths",
        notes="The paper studies 1 <= beta <= 2 and fixes no default; beta = 1.5 here.",
    ),
    define(
        "tanhexp", "x * tanh(exp(x))", aliases=("tanh_exp", "telu"),
        description="TanhExp x tanh(e^x).",
        citation="Liu & Di (2020), TanhExp: a smooth activation function with high convergence speed",
        notes="Fernandez & Mali (2024) proposed the same function as TeLU.",
    ),
    define(
        "logish", "x * log1p(sigmoid(x))",
        description="Logish x log(1 + sigma(x)).",
        citation="Zhu et al. (2021), Logish: a new nonlinear nonmonotonic activation function for CNNs",
    ),
    define(
        "smish", "alpha * x * tanh(log1p(sigmoid(beta * x)))",
        params=[Parameter("alpha", 1, "> 0"), Parameter("beta", 1, "> 0")],
        description="Smish alpha x tanh(log(1 + sigma(beta x))).",
        citation="Wang et al. (2022), Smish: a novel activation function for deep learning methods",
        notes="alpha = beta = 1, the values the paper found best.",
    ),
    define(
        "serf", "x * erf(softplus(x))",
        description="Serf x erf(log(1 + e^x)).",
        citation="Nag & Bhattacharyya (2021), SERF: log-softplus error activation function",
    ),
    define(
        "gcu", "x * cos(x)", aliases=("growing_cosine_unit",),
        description="Growing cosine unit x cos(x), an oscillating activation.",
        citation="Noel et al. (2021), Growing cosine unit: a novel oscillatory activation function",
    ),
    define(
        "snake", "x + sin(frequency * x)**2 / frequency",
        params=[Parameter("frequency", 1, "> 0", learnable=True, description="a, frequency of the periodic part")],
        description="Snake x + sin^2(a x) / a, a monotone activation with a periodic part.",
        citation="Ziyin, Hartwig & Ueda (2020), Neural networks fail to learn periodic functions and how to "
                 "fix it; tfa.activations.snake",
        notes="Default a = 1 as tfa.activations.snake and the authors' code.",
    ),
    define(
        "pflu", "x * (1 + x / sqrt(1 + x**2)) / 2",
        description="Power function linear unit x (1 + x / sqrt(1 + x^2)) / 2.",
        citation="Zhu et al. (2020), PFLU and FPFLU: two novel non-monotonic activation functions",
    ),
    define(
        "squared_relu", "where(x > 0, x**2, 0)", aliases=("relu_squared", "relu2"),
        description="Squared ReLU max(0, x)^2.",
        citation="So et al. (2021), Primer: searching for efficient transformers for language modeling",
    ),
    define(
        "star_relu", "s * where(x > 0, x**2, 0) + b",
        params=[Parameter("s", "2/sqrt(5)", "real", learnable=True, description="scale"),
                Parameter("b", "-1/sqrt(5)", "real", learnable=True, description="bias")],
        description="StarReLU s relu(x)^2 + b, squared ReLU normalised for standard normal inputs.",
        citation="Yu et al. (2022), MetaFormer baselines for vision",
        notes="s = 2/sqrt(5) ~ 0.8944 and b = -1/sqrt(5) ~ -0.4472 as in the paper (exactly 1/std and "
              "-mean/std of relu(X)^2 for X ~ N(0, 1)); the authors' code initialises s = 1, b = 0.",
    ),
    define(
        "elish", "where(x >= 0, x * sigmoid(x), expm1(x) * sigmoid(x))",
        description="Exponential linear sigmoid squashing: x sigma(x) from 0 on, (e^x - 1) sigma(x) below.",
        citation="Basirat & Roth (2018), The quest for the golden activation function",
    ),
    define(
        "hard_elish",
        "where(x <= -1, 0, where(x < 0, expm1(x) * (x + 1) / 2, where(x < 1, x * (x + 1) / 2, x)))",
        aliases=("hardelish",),
        description="Hard ELiSH: ELiSH with sigma replaced by max(0, min(1, (x + 1) / 2)).",
        citation="Basirat & Roth (2018), The quest for the golden activation function",
    ),
    define(
        "phish", "x * tanh(x * Phi(x))",
        description="Phish x tanh(GELU(x)).",
        citation="Naveen (2022), Phish: a novel hyper-optimizable activation function",
    ),
    define(
        "shifted_softplus", "softplus(x) - log(2)", aliases=("ssp",),
        description="Softplus shifted to pass through 0: log(e^x / 2 + 1/2).",
        citation="Schuett et al. (2017), SchNet: a continuous-filter convolutional neural network",
    ),
    define(
        "soft_clipping", "(softplus(alpha * x) - softplus(alpha * (x - 1))) / alpha",
        params=[Parameter("alpha", 1, "> 0", description="sharpness")],
        description="Soft clipping to (0, 1): log((1 + e^(alpha x)) / (1 + e^(alpha (x - 1)))) / alpha.",
        citation="Klimek & Perelstein (2020), Neural network-based approach to phase space integration",
        notes="The paper leaves alpha a hyperparameter; alpha = 1 here.",
    ),
    define(
        "lecun_tanh", "1.7159 * tanh(2 * x / 3)", aliases=("scaled_tanh",),
        description="LeCun's scaled tanh 1.7159 tanh(2x/3), with f(1) ~ 1 and f(-1) ~ -1.",
        citation="LeCun et al. (1998), Efficient BackProp",
    ),
    define(
        "bipolar_sigmoid", "tanh(x / 2)",
        description="Bipolar sigmoid (1 - e^(-x)) / (1 + e^(-x)) = 2 sigma(x) - 1, range (-1, 1).",
        citation="Fausett (1994), Fundamentals of neural networks",
        notes="Written as the identical tanh(x / 2), which does not cancel near 0 as 2 sigma(x) - 1 does.",
    ),
    define(
        "cloglog", "-expm1(-exp(x))", aliases=("complementary_log_log",),
        description="Complementary log-log 1 - exp(-exp(x)), an asymmetric sigmoid.",
        citation="Gomes, Ludermir & Lima (2011), Comparison of new activation functions in neural network "
                 "for forecasting financial time series",
    ),
    define(
        "loglog", "exp(-exp(-x))", aliases=("log_log",),
        description="Log-log (Gumbel CDF) exp(-exp(-x)), the mirror of cloglog.",
        citation="Gomes, Ludermir & Lima (2011), Comparison of new activation functions in neural network "
                 "for forecasting financial time series",
    ),
    define(
        "probit", "Phi(x)",
        description="Probit: the standard normal CDF Phi(x) as a sigmoid.",
        citation="Gomes, Ludermir & Lima (2011), Comparison of new activation functions in neural network "
                 "for forecasting financial time series",
    ),
    define(
        "elliott", "x / (2 * (1 + abs(x))) + 1/2", aliases=("elliott_sigmoid",),
        description="Elliott sigmoid x / (2 (1 + |x|)) + 1/2, a softsign mapped to (0, 1).",
        citation="Elliott (1993), A better activation function for artificial neural networks; FANN FANN_ELLIOT",
        notes="The symmetric Elliott function x / (1 + |x|) is softsign.",
    ),
    define(
        "gelu_sigmoid", "x * sigmoid(1.702 * x)", aliases=("quick_gelu",),
        description="GELU with the sigmoid approximation x sigma(1.702 x).",
        citation="Hendrycks & Gimpel (2016), Gaussian error linear units; Radford et al. (2021), CLIP",
    ),
    define(
        "lisht", "x * tanh(x)",
        description="Linearly scaled hyperbolic tangent x tanh(x).",
        citation="Roy et al. (2019), LiSHT: non-parametric linearly scaled hyperbolic tangent activation",
    ),
    define(
        "siren", "sin(omega0 * x)",
        params=[Parameter("omega0", 30, "> 0")],
        description="SIREN's sine activation sin(omega_0 x).",
        citation="Sitzmann et al. (2020), Implicit neural representations with periodic activation functions",
        notes="omega_0 = 30 as in the paper.",
    ),
    define(
        "penalized_tanh", "where(x > 0, tanh(x), a * tanh(x))",
        params=[Parameter("a", "0.25", "real")],
        description="Penalized tanh: tanh(x) above 0, a tanh(x) below.",
        citation="Xu, Huang & Li (2016), Revise saturated activation functions; Eger, Youssef & Gurevych (2018)",
        notes="a = 0.25 as in both papers.",
    ),
    define(
        "nlrelu", "where(x > 0, log1p(beta * x), 0)",
        params=[Parameter("beta", 1, "> 0")],
        description="Natural-logarithm ReLU log(beta max(0, x) + 1).",
        citation="Liu et al. (2019), Natural-logarithm-rectified activation function in CNNs",
        notes="beta is a hyperparameter of the paper; beta = 1 here.",
    ),
    define(
        "soft_root_sign", "x / (x / alpha + exp(-x / beta))", aliases=("srs",),
        params=[Parameter("alpha", 2, "> 0", learnable=True), Parameter("beta", 3, "> 0", learnable=True)],
        constraints=("beta < e * alpha",),
        description="Soft-root-sign x / (x / alpha + e^(-x / beta)).",
        citation="Zhou et al. (2020), Soft-root-sign activation function",
        notes="alpha = 2, beta = 3 as the paper's initial values. The denominator has no real zero exactly "
              "when beta < e alpha, hence the constraint.",
    ),
    define(
        "smelu", "where(x <= -beta, 0, where(x < beta, (x + beta)**2 / (4 * beta), x))",
        params=[Parameter("beta", 1, "> 0", description="half-width of the quadratic region")],
        description="Smooth ReLU: 0, then (x + beta)^2 / (4 beta) on (-beta, beta), then x.",
        citation="Shamir, Lin & Chen (2020), Smooth activations and reproducibility in deep networks",
        notes="The paper varies beta; beta = 1 here, where SmeLU equals sparse_plus.",
    ),
    define(
        "aptx", "(alpha + tanh(beta * x)) * gamma * x",
        params=[Parameter("alpha", 1, "real"), Parameter("beta", 1, "real"), Parameter("gamma", "1/2", "real")],
        description="APTx (alpha + tanh(beta x)) gamma x, a cheap Mish-like activation.",
        citation="Kumar (2022), APTx: better activation function than MISH, SWISH, and ReLU's variants",
        notes="alpha = 1, beta = 1, gamma = 1/2, the values the paper gives to resemble Mish.",
    ),
    define(
        "dsilu", "sigmoid(x) * (1 + x * (1 - sigmoid(x)))",
        description="Derivative of SiLU, sigma(x)(1 + x(1 - sigma(x))), used as a sigmoid-like activation.",
        citation="Elfwing, Uchibe & Doya (2018), Sigmoid-weighted linear units",
    ),
    define(
        "laplace", "Phi((x - mu) / sigma)",
        params=[Parameter("mu", "sqrt(1/2)", "real"), Parameter("sigma", "sqrt(1/(4*pi))", "> 0")],
        description="Laplace attention function: the normal CDF Phi((x - mu) / sigma).",
        citation="Ma et al. (2023), Mega: moving average equipped gated attention",
        notes="mu = sqrt(1/2) and sigma = sqrt(1/(4 pi)) as the paper (transformers' LaplaceActivation "
              "rounds them to 0.707107 and 0.282095).",
    ),
    define(
        "cube", "x**3",
        description="The cube x^3.",
        citation="Chen & Manning (2014), A fast and accurate dependency parser using neural networks",
    ),
    define(
        "squ", "x**2 + x", aliases=("shifted_quadratic_unit",),
        description="Shifted quadratic unit x^2 + x.",
        citation="Noel et al. (2021), Biologically inspired oscillating activation functions can bridge the "
                 "performance gap between biological and artificial neurons",
    ),
    define(
        "ncu", "x - x**3", aliases=("non_monotonic_cubic_unit",),
        description="Non-monotonic cubic unit x - x^3.",
        citation="Noel et al. (2021), Biologically inspired oscillating activation functions can bridge the "
                 "performance gap between biological and artificial neurons",
    ),
    # MATLAB Deep Learning Toolbox transfer functions not equal to an entry above.
    define(
        "satlin", "where(x <= 0, 0, where(x >= 1, 1, x))",
        description="Saturating linear transfer function: x clipped to [0, 1].",
        citation="MATLAB Deep Learning Toolbox, satlin",
        notes="The gradient at 0 and 1 is 0, the convention of hardtanh and relu6 here.",
    ),
    define(
        "tribas", "where(x <= -1, 0, where(x <= 0, 1 + x, where(x < 1, 1 - x, 0)))",
        aliases=("triangular_basis",),
        description="Triangular basis function max(0, 1 - |x|).",
        citation="MATLAB Deep Learning Toolbox, tribas",
    ),
    define(
        "hardlims", "where(x < 0, -1, 1)", aliases=("symmetric_hard_limit",),
        description="Symmetric hard limit: -1 below 0, 1 from 0 on.",
        citation="MATLAB Deep Learning Toolbox, hardlims",
        notes="The value at 0 is 1, as MATLAB's hardlims.",
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
