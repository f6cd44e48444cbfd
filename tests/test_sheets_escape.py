"""User text in sheets is typeset literally: no LaTeX or Markdown gets through."""
import pytest

from symact.sheets.escape import latex_text, markdown_text
from symact.sheets.mathtext import exact_latex, exact_value, number_latex, number_text

HOSTILE = [
    r"\input{/etc/passwd}",
    r"\write18{touch pwned}",
    r"\immediate\write18{rm -rf /}",
    "}}}} unbalanced {{",
    r"\def\x{\x}\x",
    r"\catcode`\{=12",
    "$\\$ & % # ^ _ ~ < > |",
    "\\end{document}",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_latex_text_leaves_no_command_and_no_brace(text):
    escaped = latex_text(text)
    # Every backslash starts one of the escape sequences, and every brace is escaped or belongs to one.
    stripped = escaped
    for sequence in (r"\textbackslash{}", r"\textasciicircum{}", r"\textasciitilde{}", r"\textless{}",
                     r"\textgreater{}", r"\textbar{}", r"\{", r"\}", r"\$", r"\&", r"\#", r"\%", r"\_"):
        stripped = stripped.replace(sequence, "")
    assert "\\" not in stripped and "{" not in stripped and "}" not in stripped
    assert "$" not in stripped and "%" not in stripped and "#" not in stripped


def test_latex_text_examples():
    assert latex_text(r"\input{x}") == r"\textbackslash{}input\{x\}"
    assert latex_text("50% & more_things") == r"50\% \& more\_things"
    assert latex_text("line\nbreak\ttab") == "line break tab"
    assert latex_text(None) == ""


def test_latex_text_accents_and_unknown_characters():
    assert latex_text("Schölkopf") == r"Sch{\"{o}}lkopf"
    assert latex_text("Erdős") == r"Erd{\H{o}}s"
    assert latex_text("naïve – done") == r"na{\"{\i}}ve -- done"
    assert latex_text("σ(x) 😀") == "[U+03C3](x) [U+1F600]"


def test_markdown_text_escapes_markup_and_math():
    assert markdown_text("a *b* `c` $x$ <script>") == r"a \*b\* \`c\` \$x\$ \<script\>"
    assert markdown_text("| cell |\nnext") == r"\| cell \| next"


def test_exact_latex_reads_sympy_text_back_safely():
    assert exact_latex("-LambertW(exp(-1))") == r"- W\left(e^{-1}\right)"
    assert exact_latex("sqrt(2)/2") == r"\frac{\sqrt{2}}{2}"
    assert exact_latex("-oo") == r"-\infty"
    assert exact_latex("1/100") == r"\frac{1}{100}"


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "x + 1", "().__class__", "lambda: 0"])
def test_exact_latex_keeps_anything_else_as_escaped_text(text):
    assert exact_value(text) is None
    assert exact_latex(text).startswith(r"\texttt{")
    assert "\\" not in exact_latex(text)[len(r"\texttt{"):].replace(r"\textquotedbl{}", "").replace(
        r"\_", "").replace(r"\{", "").replace(r"\}", "")


def test_numbers_are_formatted_stably():
    assert number_text(-0.27846454276107380) == "-0.278465"
    assert number_text(1.5e-8) == "1.5e-8"
    assert number_text(3.0e20) == "3e20"
    assert number_text(float("inf")) == "inf"
    assert number_latex(1.5e-8) == r"1.5 \cdot 10^{-8}"
    assert number_latex(float("-inf")) == r"-\infty"
