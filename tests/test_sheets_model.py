"""Sheet models and their LaTeX / Markdown: every part from data, nothing invented."""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from symact.catalogue import CATALOGUE, names
from symact.describe import describe
from symact.sheets import build_sheet, latex_book, latex_sheet, markdown_index, markdown_page
from symact.sheets.model import Latex, domain_latex
from symact.sheets.render import markdown_tree
from symact.sheets.svg import nice_ticks, plot_svg
from symact.user import from_expression
from tests.sheet_models import plain_sheets

ROOT = Path(__file__).resolve().parents[1]

# A property check in the JSON of the contract (symact check --json), written by hand.
SILU_PROPERTIES = {
    "activation": "silu",
    "params": {},
    "properties": {
        "global_minimum": {
            "verdict": "proved", "method": "symbolic",
            "value": {"value": "-LambertW(exp(-1))", "value_float": -0.2784645427610738,
                      "argmin": "-1 - LambertW(exp(-1))", "argmin_float": -1.2784645427610738},
            "enclosure": [-0.27846454276107385, -0.27846454276107374], "witness": None, "reason": "attained"},
        "range": {
            "verdict": "proved", "method": "interval",
            "value": {"lower": "-LambertW(exp(-1))", "lower_float": -0.2784645427610738, "lower_closed": True,
                      "upper": "oo", "upper_float": None, "upper_closed": False},
            "enclosure": [-0.27846454276107385, "inf"], "witness": None, "reason": None},
        "monotonicity": {"verdict": "proved", "method": "derived", "value": "not monotone",
                         "enclosure": None, "witness": {"x": "-2", "df": [-0.09, -0.08]}, "reason": None},
        "continuity_class": {"verdict": "proved", "method": "symbolic", "value": "C-infinity",
                             "enclosure": None, "witness": None, "reason": "one smooth formula"},
        "lipschitz_constant": {"verdict": "unknown", "method": None, "value": None, "enclosure": None,
                               "witness": None, "reason": "gave up after the time budget of 10 s"},
        "bounded_above": {"verdict": "disproved", "method": "symbolic", "value": False, "enclosure": None,
                          "witness": {"limit": "oo"}, "reason": "f tends to an infinite limit"},
        "saturation": {"verdict": "proved", "method": "symbolic", "value": ["-oo"], "enclosure": None,
                       "witness": None, "reason": "ends where f has a finite limit and f' -> 0"},
        "dead_zone": {"verdict": "disproved", "method": "interval", "value": False, "enclosure": None,
                      "witness": [], "reason": "f' != 0 at a certified point of every branch"},
        "limit_at_minus_infinity": {"verdict": "proved", "method": "symbolic",
                                    "value": {"value": "0", "value_float": 0.0}, "enclosure": [0.0, 0.0],
                                    "witness": None, "reason": "exact limit of the outermost branch"},
        "warnings": {"verdict": "proved", "method": "derived", "enclosure": None, "witness": None, "reason": None,
                     "value": [{"code": "vanishing_gradient",
                                "message": "f saturates towards -oo: f' -> 0, so gradients vanish."}]},
    },
}
SILU_ACCURACY = {  # the shape of symact verify --json, abridged
    "activation": "silu", "params": {}, "passed": False, "bounds_ulp": {"forward": 2, "gradient": 4},
    "cells": {"numpy": {"float32": {
        "forward": {"passed": True, "max_ulp": 1, "p99_ulp": 0, "error": None},
        "gradient": {"passed": False, "max_ulp": 5, "p99_ulp": 1, "error": None}}}},
    "errors": ["torch: cannot load the generated module"],
}


@pytest.fixture(scope="module")
def silu():
    return CATALOGUE["silu"].bind()


def test_missing_sources_are_shown_as_not_computed(silu):
    model = build_sheet(silu)
    assert model["properties"] is None and model["facts"] is None and model["warnings"] is None
    assert model["accuracy"] is None
    assert set(model["summary"].values()) == {"not computed"}
    tex = latex_sheet(model)
    assert tex.count(r"\notcomputed{}") == 4
    page = markdown_page(model)
    assert page.count("*Not computed here* (see below).") == 3
    assert "*Not computed here*: these checked-in pages must read the same on every machine" in page


def test_property_json_is_rendered_with_verdict_method_and_evidence(silu):
    model = build_sheet(silu, SILU_PROPERTIES, SILU_ACCURACY)
    rows = {row["name"]: row for row in model["properties"]}
    minimum = rows["global_minimum"]
    assert (minimum["verdict"], minimum["method"]) == ("proved", "symbolic")
    assert minimum["value"] == (r"- W\left(e^{-1}\right) \approx -0.278465,\ "
                                r"\text{at } x = -1 - W\left(e^{-1}\right) \approx -1.27846")
    assert minimum["enclosure"] == r"\left[-0.278465,\ -0.278465\right]"
    assert rows["range"]["value"] == r"\left[- W\left(e^{-1}\right),\ \infty\right)"
    assert rows["range"]["enclosure"] == r"\left[-0.278465,\ \infty\right]"
    assert rows["bounded_above"]["witness"] == r"\text{limit} = \infty"
    assert rows["monotonicity"]["value"] == "not monotone"
    assert rows["monotonicity"]["witness"] == r"\text{df} = \left[-0.09,\ -0.08\right],\ x = -2"
    assert rows["lipschitz_constant"]["verdict"] == "unknown"
    assert rows["lipschitz_constant"]["reason"] == "gave up after the time budget of 10 s"
    tex = latex_sheet(model)
    assert r"global minimum & \proved & symbolic & \fitcell{0.47\linewidth}{- W\left(e^{-1}\right)" in tex
    assert r"\unknown &  & \emph{gave up after the time budget of 10 s} \\[0.3ex]" in tex
    assert r"\item f saturates towards -oo: f' -\textgreater{} 0, so gradients vanish." in tex
    assert "warnings" not in rows  # a section of its own, not a row
    assert rows["saturation"]["value"] == r"-\infty"
    assert (rows["dead_zone"]["value"], rows["dead_zone"]["witness"]) == ("no", None)
    assert "numpy & float32 & 1 & 0 & 5 & 1 & -- & -- & no" in tex
    assert "Bounds: 2 ULP forward, 4 ULP gradient." in tex and "torch: cannot load the generated module" in tex
    page = markdown_page(model)
    assert (r"| range | proved | interval | $\left[- W\left(e^{-1}\right),\ \infty\right)$ in "
            r"$\left[-0.278465,\ \infty\right]$ |") in page
    assert "| numpy | float32 | 1 | 0 | 5 | 1 | - | - | no |" in page
    # the plot marks the proved minimum and the finite limit at -oo
    assert model["plot"]["extrema"] == [[-1.2784645427610738, -0.2784645427610738]]
    assert model["plot"]["asymptotes"] == [0.0]


def test_facts_show_proved_values_and_unknown_as_unknown(silu):
    model = build_sheet(silu, SILU_PROPERTIES)
    facts = {row["label"]: row for row in model["facts"]}
    assert facts["minimum"]["value"].startswith(r"- W\left(e^{-1}\right) \approx -0.278465")
    assert facts["minimum"]["enclosure"] == r"\left[-0.278465,\ -0.278465\right]"
    assert facts["limit at minus infinity"] == {"label": "limit at minus infinity", "value": "0",
                                                "enclosure": None}  # a point enclosure repeats the value
    assert facts["Lipschitz constant"]["value"] == "unknown"
    assert facts["maximum"]["value"] == "not computed"  # the JSON has no global_maximum at all
    assert model["summary"] == {
        "range": r"\left[- W\left(e^{-1}\right),\ \infty\right)", "monotone": "not monotone",
        "class": r"C^{\infty}", "saturation": r"-\infty", "lipschitz": "unknown",
        "minimum": r"- W\left(e^{-1}\right) \approx -0.278465"}  # the value alone, without the argmin


def test_the_comparison_table_keeps_cells_short():
    from symact.sheets.model import brief
    long_exact = r"- \frac{\operatorname{erfc}{\left(1 \right)}}{2} + \frac{1}{e \sqrt{\pi}} + 1 \approx 1.1289"
    assert brief(Latex(long_exact)) == r"\approx 1.1289"
    assert brief(Latex(r"- \frac{3}{8},\ \text{at } x = - \frac{3}{2}")) == r"- \frac{3}{8}"
    assert brief(Latex(r"\left[\approx -1.7581,\ \infty\right)")) == r"\left[\approx -1.7581,\ \infty\right)"
    assert brief("none") == "none"


@pytest.mark.parametrize("name", names())
def test_breakpoint_rows_carry_the_one_sided_values(name):
    bound = CATALOGUE[name].bind()
    described = describe(bound, latex=True)  # the derivatives are cached from building the sheets
    model = plain_sheets()[name]
    assert len(model["breakpoints"]) == len(bound.pieces.breakpoints)
    for point, raw in zip(model["breakpoints"], described["breakpoints"]):
        for row in point["rows"]:
            key = {"f": "f", "f'": "df", "f''": "d2f"}[row["label"]]
            assert (row["value"] is None) == (not raw[key]["exists"])
            assert isinstance(row["left"], Latex) and isinstance(row["right"], Latex)


def test_relu_breakpoint_says_the_derivative_does_not_exist():
    model = build_sheet(CATALOGUE["relu"].bind())
    (point,) = model["breakpoints"]
    assert point["x"] == "0"
    slope = point["rows"][1]
    assert (slope["left"], slope["value"], slope["right"]) == ("0", None, "1")


def test_long_exact_values_become_floats_with_approx():
    model = build_sheet(CATALOGUE["selu"].bind())
    slope = model["breakpoints"][0]["rows"][1]
    assert slope["left"] == r"\approx 1.7581"
    assert slope["right"] == r"\approx 1.0507"


def test_parameters_with_domains_in_latex():
    model = build_sheet(CATALOGUE["leaky_relu"].bind())
    (parameter,) = model["parameters"]
    assert parameter["symbol"] == r"\mathrm{negative\_slope}"
    assert parameter["value"] == r"\frac{1}{100}"
    assert parameter["domain"] == r"\mathrm{negative\_slope} \in \mathbb{R}"
    assert domain_latex(r"\alpha", "> 0") == r"\alpha > 0"
    assert domain_latex(r"\lambda", ">= 0") == r"\lambda \geq 0"
    assert domain_latex("p", "(0, 1]") == r"p \in \left(0, 1\right]"


def test_bound_parameters_show_in_the_formula():
    model = build_sheet(CATALOGUE["elu"].bind(alpha="1/2"))
    assert model["parameters"][0]["value"] == r"\frac{1}{2}"
    assert r"\frac{\operatorname{expm1}\left(x\right)}{2}" in model["f"]


HOSTILE_FIELDS = {
    "description": r"\input{/etc/passwd} \write18{touch pwned} }}} {{",
    "citation": r"\immediate\write18{id} $x$ & % # \end{document}",
    "notes": "| col | *bold* <script>alert(1)</script> `code` $$",
}


@pytest.fixture(scope="module")
def hostile():
    activation = from_expression("x * sigmoid(x)", name="evil_one", **HOSTILE_FIELDS)
    return build_sheet(activation.bind())


def _strip_escapes(text: str) -> str:
    for sequence in (r"\textbackslash{}", r"\textasciicircum{}", r"\textasciitilde{}", r"\textless{}",
                     r"\textgreater{}", r"\textbar{}", r"\{", r"\}", r"\$", r"\&", r"\#", r"\%", r"\_"):
        text = text.replace(sequence, "")
    return text


def test_hostile_text_is_escaped_in_latex(hostile):
    tex = latex_sheet(hostile)
    assert r"\input{" not in tex and r"\write18" not in tex and r"\immediate" not in tex
    assert tex.count(r"\end{document}") == 1
    assert r"\textbackslash{}input\{/etc/passwd\} \textbackslash{}write18\{touch pwned\} \}\}\} \{\{" in tex
    # braces balance over the whole document once escapes are removed
    body = _strip_escapes(tex)
    body = re.sub(r"(?m)^%.*$", "", body)
    assert body.count("{") == body.count("}")


def test_hostile_text_is_escaped_in_markdown(hostile):
    page = markdown_page(hostile)
    assert "<script>" not in page
    assert r"\| col \| \*bold\* \<script\>alert(1)\</script\> \`code\` \$\$" in page
    assert r"*\\input{/etc/passwd} \\write18{touch pwned} }}} {{*" in page  # backslashes doubled: literal


@pytest.mark.parametrize("name", names())
def test_rendering_is_deterministic_and_balanced(name):
    model = plain_sheets()[name]
    tex = latex_sheet(model)
    assert tex == latex_sheet(dict(model))
    assert r"\VAR{" not in tex and r"\BLOCK{" not in tex
    body = re.sub(r"(?m)^%.*$", "", _strip_escapes(tex))
    assert body.count("{") == body.count("}")
    assert tex.count(r"\begin{") == tex.count(r"\end{")
    ElementTree.fromstring(plot_svg(model["plot"], name))


def test_markdown_is_the_same_in_a_fresh_process_with_another_hash_seed():
    script = ("import sys; from symact.catalogue import CATALOGUE; from symact.sheets import build_sheet, "
              "markdown_page; sys.stdout.write(markdown_page(build_sheet(CATALOGUE['hardswish'].bind(), "
              "None, None)))")
    fresh = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"})
    assert fresh.stdout == markdown_page(build_sheet(CATALOGUE["hardswish"].bind()))


def test_markdown_tree_has_an_index_a_page_and_a_plot_per_entry():
    models = [build_sheet(CATALOGUE[name].bind()) for name in ("relu", "gelu_tanh")]
    files = markdown_tree(models)
    assert sorted(files) == ["gelu_tanh.md", "index.md", "plots/gelu_tanh.svg", "plots/relu.svg", "relu.md"]
    assert "| [gelu\\_tanh](gelu_tanh.md) |" in files["index.md"]
    assert "![f and f' of relu](plots/relu.svg)" in files["relu.md"]


def test_the_book_has_contents_a_comparison_table_and_every_sheet():
    models = [build_sheet(CATALOGUE[name].bind(), props) for name, props in
              (("relu", None), ("silu", SILU_PROPERTIES))]
    tex = latex_book(models)
    assert r"\tableofcontents" in tex
    assert tex.count(r"\section{") == 3  # the comparison and two sheets
    assert (r"\hyperref[sheet:silu]{silu} & \fitcell{0.14\linewidth}{\left[- W\left(e^{-1}\right),\ \infty"
            r"\right)} & not monotone & \fitcell{0.14\linewidth}{C^{\infty}} & \fitcell{0.14\linewidth}{-\infty} & "
            r"unknown & ") in tex
    assert r"\hyperref[sheet:relu]{relu} & not computed & not computed & not computed" in tex


def test_svg_ticks_are_round_numbers():
    assert nice_ticks(-4.0, 9.0) == [-4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0]
    assert nice_ticks(-0.08, 1.08) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_vector_sheets_derive_the_vjp_and_run_every_check():
    from symact.sheets.vector import vector_sheets
    from symact.vector import VECTOR_CATALOGUE

    sheets = {sheet["name"]: sheet for sheet in vector_sheets()}
    assert sorted(sheets) == sorted(VECTOR_CATALOGUE)
    assert sheets["log_softmax"]["vjp"] == r"\left(J^{T} g\right)_{k} = {g}_{k} - {s}_{k} \sum_{i=1}^{n} {g}_{i}"
    assert sheets["softmin"]["jacobian"].endswith(r"= - \left(\delta_{i k} - {s}_{k}\right) {s}_{i}")
    assert sheets["glu"]["where"] == (r"\psi\left(b\right) = \sigma\left(b\right), \quad \psi'\left(b\right) = "
                                     r"\left(1 - \sigma\left(b\right)\right) \sigma\left(b\right)")
    for sheet in sheets.values():
        assert sheet["checks"] and all(check["verdict"] == "proved" for check in sheet["checks"]), sheet["name"]
    labels = [check["label"] for check in sheets["softmax"]["checks"]]
    assert "the outputs sum to 1, for a general n" in labels
    assert "the outputs sum to 1, for a general n" not in [c["label"] for c in sheets["log_softmax"]["checks"]]
    page = markdown_page(sheets["reglu"])
    assert "gate [relu](relu.md)" in page and "| proved | symbolic |" in page
    assert "## Vector activations" in markdown_index(list(sheets.values()))
