"""Known mathematical facts about catalogue activations, to test verdicts against.

Each entry is textbook or published (ranges, monotonicity, smoothness,
Lipschitz constants) or a high-precision reference value (the minima from
the issue, computed with mpmath at 50 digits by their authors). An entry
lists only what is known; a property missing from an entry is not tested
against a fact (but every catalogue entry still runs the whole check).

Range is (lower, lower_closed, upper, upper_closed) with exact text ends.
"""
from __future__ import annotations

SELU_SCALE_ALPHA = "1.7580993408473768599402175208123"

FACTS: dict[str, dict] = {
    "identity": {"continuity_class": "C-infinity", "monotonicity": "strictly increasing",
                 "range": ("-oo", False, "oo", False), "lipschitz": "1", "odd": True, "identity_near_origin": True,
                 "zero_centred": True},
    "binary_step": {"continuity_class": "discontinuous", "monotonicity": "non-decreasing",
                    "gradient_zero_almost_everywhere": True, "range_hull": ("0", True, "1", True)},
    "sigmoid": {"continuity_class": "C-infinity", "monotonicity": "strictly increasing",
                "range": ("0", False, "1", False), "lipschitz": "1/4", "limits": ("0", "1"),
                "derivative_limits": ("0", "0"), "f0": "1/2", "df0": "1/4", "odd": False, "zero_centred": False,
                "saturation": ["-oo", "+oo"]},
    "tanh": {"continuity_class": "C-infinity", "monotonicity": "strictly increasing",
             "range": ("-1", False, "1", False), "lipschitz": "1", "limits": ("-1", "1"), "odd": True,
             "zero_centred": True, "identity_near_origin": True, "saturation": ["-oo", "+oo"]},
    "relu": {"continuity_class": "C0", "monotonicity": "non-decreasing", "range": ("0", True, "oo", False),
             "lipschitz": "1", "dead_zone": [["-oo", "0"]], "minimum": ("0", None), "df0": None,
             "convex": True, "zero_centred": False},
    "leaky_relu": {"continuity_class": "C0", "monotonicity": "strictly increasing",
                   "range": ("-oo", False, "oo", False), "lipschitz": "1", "dead_zone": False, "convex": True},
    "prelu": {"continuity_class": "C0", "monotonicity": "strictly increasing", "lipschitz": "1",
              "range": ("-oo", False, "oo", False)},
    "elu": {"continuity_class": "C1", "monotonicity": "strictly increasing", "range": ("-1", False, "oo", False),
            "lipschitz": "1", "limits": ("-1", "oo"), "convex": True, "identity_near_origin": True},
    "celu": {"continuity_class": "C1", "monotonicity": "strictly increasing", "range": ("-1", False, "oo", False),
             "lipschitz": "1"},
    "selu": {"continuity_class": "C0", "monotonicity": "strictly increasing",
             "range_float": (f"-{SELU_SCALE_ALPHA}", "inf"), "lipschitz_float": SELU_SCALE_ALPHA},
    "gelu": {"continuity_class": "C-infinity", "monotonicity": "not monotone",
             "minimum": ("-0.169971207479903661693868470982", "-0.751791524693564457457906"),
             "limits": ("0", "oo"), "derivative_limits": ("0", "1"), "identity_near_origin": False, "df0": "1/2"},
    "gelu_tanh": {"continuity_class": "C-infinity", "monotonicity": "not monotone", "limits": ("0", "oo")},
    "silu": {"continuity_class": "C-infinity", "monotonicity": "not monotone",
             "minimum": ("-0.278464542761073795109358739022", "-1.278464542761073795109358739022"),
             "limits": ("0", "oo"), "derivative_limits": ("0", "1"), "df0": "1/2"},
    "swish": {"continuity_class": "C-infinity", "monotonicity": "not monotone",
              "minimum": ("-0.278464542761073795109358739022", "-1.278464542761073795109358739022")},
    "mish": {"continuity_class": "C-infinity", "monotonicity": "not monotone",
             "minimum": ("-0.308843413017250406628760229042", "-1.192431214515495212137588340"),
             "limits": ("0", "oo")},
    "softplus": {"continuity_class": "C-infinity", "monotonicity": "strictly increasing",
                 "range": ("0", False, "oo", False), "lipschitz": "1", "convex": True, "limits": ("0", "oo"),
                 "derivative_limits": ("0", "1")},
    "softsign": {"continuity_class": "C1", "monotonicity": "strictly increasing", "range": ("-1", False, "1", False),
                 "lipschitz": "1", "odd": True, "identity_near_origin": True, "limits": ("-1", "1")},
    "hardtanh": {"continuity_class": "C0", "monotonicity": "non-decreasing", "range": ("-1", True, "1", True),
                 "lipschitz": "1", "odd": True},
    "relu6": {"continuity_class": "C0", "monotonicity": "non-decreasing", "range": ("0", True, "6", True),
              "lipschitz": "1", "maximum": ("6", None)},
    "hardsigmoid": {"continuity_class": "C0", "monotonicity": "non-decreasing", "range": ("0", True, "1", True),
                    "lipschitz": "1/6", "f0": "1/2"},
    "hardswish": {"continuity_class": "C0", "monotonicity": "not monotone", "range": ("-3/8", True, "oo", False),
                  "lipschitz": "3/2", "minimum": ("-0.375", "-1.5")},
    "log_sigmoid": {"continuity_class": "C-infinity", "monotonicity": "strictly increasing",
                    "range": ("-oo", False, "0", False), "lipschitz": "1", "concave": True},
    "softshrink": {"continuity_class": "C0", "monotonicity": "non-decreasing", "range": ("-oo", False, "oo", False),
                   "lipschitz": "1", "dead_zone": [["-1/2", "1/2"]], "odd": True},
    "hardshrink": {"continuity_class": "discontinuous", "monotonicity": "non-decreasing", "odd": True},
    "tanhshrink": {"continuity_class": "C-infinity", "monotonicity": "strictly increasing",
                   "range": ("-oo", False, "oo", False), "odd": True, "lipschitz_float": "1"},
    "threshold": {"continuity_class": "discontinuous", "monotonicity": "non-decreasing"},
}
