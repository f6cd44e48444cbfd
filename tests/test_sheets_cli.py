"""symact sheet: modes, files, errors, and PDFs read back with pdftotext."""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from symact.cli import main
from symact.vector import VECTOR_CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
TEX_PACKAGES = "apt-get install texlive-latex-base texlive-latex-recommended texlive-pictures lmodern poppler-utils"
needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                               reason=f"pdflatex or pdftotext is not installed ({TEX_PACKAGES})")


def pdf_text(path: Path) -> str:
    """The PDF's text, one space between words (pdftotext, reading order)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def symact(*args, cwd=ROOT, path=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if path is not None:
        env["PATH"] = path
    return subprocess.run([sys.executable, "-m", "symact", "sheet", *args], cwd=cwd, capture_output=True,
                          text=True, env=env)


def test_one_sheet_to_stdout(capsys):
    assert main(["sheet", "relu", "--no-properties", "--no-accuracy"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("% Property sheet of relu")
    assert out.rstrip().endswith(r"\end{document}")


def test_expression_with_name_and_parameter(tmp_path, capsys):
    target = tmp_path / "sheet.tex"
    assert main(["sheet", "x * sigmoid(b * x)", "--name", "myswish", "--param", "b=2", "--no-properties",
                 "--no-accuracy", "-o", str(target)]) == 0
    tex = target.read_text()
    assert r"\section{myswish}" in tex
    assert r"b \in \mathbb{R}" in tex and r"x \sigma\left(2 x\right)" in tex


@pytest.mark.parametrize("argv, message", [
    ([], "give exactly one of"),
    (["relu", "--all", "-o", "d"], "got target and --all"),
    (["--all"], "--all needs -o DIR"),
    (["relu", "--check"], "--check works with --markdown"),
    (["--markdown", "d", "--param", "a=1"], "apply to one activation"),
    (["relu", "--properties", "p.json", "--no-properties"], "both given as a file and switched off"),
    (["relu", "--timeout", "0"], "--timeout must be a positive"),
    (["nosuchthing(x)"], "unknown function 'nosuchthing'"),
])
def test_bad_usage_is_one_clear_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["sheet", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_properties_file_is_used_and_checked(tmp_path, capsys):
    data = {"activation": "relu", "params": {}, "properties": {
        "range": {"verdict": "proved", "method": "symbolic", "value": "[0, oo)", "enclosure": None,
                  "witness": None, "reason": None}}}
    path = tmp_path / "relu.json"
    path.write_text(json.dumps(data))
    assert main(["sheet", "relu", "--properties", str(path), "--no-accuracy"]) == 0
    assert r"\proved & symbolic" in capsys.readouterr().out
    assert main(["sheet", "gelu", "--properties", str(path), "--no-accuracy"]) == 2
    assert "is about 'relu', not 'gelu'" in capsys.readouterr().err
    path.write_text("[1, 2]")
    assert main(["sheet", "relu", "--properties", str(path)]) == 2
    assert "does not hold a JSON object" in capsys.readouterr().err


def test_without_tex_pdf_fails_clearly_and_the_tex_is_still_written(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    done = symact("relu", "--pdf", "--no-properties", "--no-accuracy", "-o", str(tmp_path / "relu.tex"),
                  path=str(empty))
    assert done.returncode == 2
    assert "pdflatex was not found" in done.stderr and "texlive-latex-base" in done.stderr
    assert (tmp_path / "relu.tex").read_text().startswith("% Property sheet of relu")
    assert not (tmp_path / "relu.pdf").exists()


def test_markdown_check_names_stale_and_orphaned_files(tmp_path, monkeypatch, capsys):
    import symact.sheets
    from symact.catalogue import CATALOGUE

    # two entries are enough to exercise the tree logic
    models = {n: symact.sheets.build_sheet(CATALOGUE[n].bind()) for n in ("relu", "sigmoid")}
    monkeypatch.setattr(symact.sheets, "names", lambda: ["relu", "sigmoid"])
    monkeypatch.setattr(symact.sheets, "collect_sheet", lambda bound, *rest: models[bound.name])
    softmax = symact.sheets.vector_sheet(VECTOR_CATALOGUE["softmax"])
    monkeypatch.setattr("symact.sheets.vector.vector_sheets", lambda accuracy=False: [softmax])
    out = tmp_path / "catalogue"
    assert main(["sheet", "--markdown", str(out)]) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "index.md", "plots/relu.svg", "plots/sigmoid.svg", "relu.md", "sigmoid.md", "softmax.md"]
    assert main(["sheet", "--markdown", str(out), "--check"]) == 0
    (out / "relu.md").write_text("edited by hand\n")
    (out / "old_entry.md").write_text("no longer generated\n")
    capsys.readouterr()
    assert main(["sheet", "--markdown", str(out), "--check"]) == 1
    stdout = capsys.readouterr().out
    assert f"stale: {out / 'old_entry.md'}" in stdout and f"stale: {out / 'relu.md'}" in stdout
    assert main(["sheet", "--markdown", str(out)]) == 0
    assert not (out / "old_entry.md").exists()
    assert main(["sheet", "--markdown", str(out), "--check"]) == 0


@needs_tex
def test_pdf_of_a_sheet_has_its_breakpoint_values(tmp_path):
    done = symact("hardswish", "--pdf", "--no-properties", "--no-accuracy", "-o", str(tmp_path / "hs.tex"))
    assert done.returncode == 0, done.stderr
    text = pdf_text(tmp_path / "hs.pdf")
    assert "hardswish" in text and "Howard et al. (2019), Searching for MobileNetV3" in text
    assert "Breakpoints" in text and "undefined" in text
    assert "not computed (no property check was run)" in text
    assert not list(tmp_path.glob("*.aux")) and not list(tmp_path.glob("*.log"))


@needs_tex
def test_hostile_spec_compiles_to_literal_text(tmp_path):
    spec = tmp_path / "evil.toml"
    spec.write_text(
        'name = "evil"\n'
        'expression = "x * sigmoid(x)"\n'
        "description = '''\\input{/etc/hostname} \\write18{touch PWNED} }}} {{ $ & % # ^ _ ~'''\n"
        "citation = '''\\immediate\\write18{touch PWNED2}\\end{document}'''\n"
    )
    done = symact(str(spec), "--pdf", "--no-properties", "--no-accuracy", "-o", "evil.tex", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = pdf_text(tmp_path / "evil.pdf")
    assert r"\input{/etc/hostname} \write18{touch PWNED} }}} {{ $ & % # ^ _ ~" in text
    assert r"\immediate\write18{touch PWNED2}\end{document}" in text
    assert "Definition and derivatives" in text  # the document went on after the citation
    assert not list(tmp_path.glob("PWNED*"))


@needs_tex
@pytest.mark.skipif(importlib.util.find_spec("symact.verify") is None, reason="the verifier is not installed")
def test_pdf_of_a_sheet_has_the_accuracy_table_of_the_generated_code(tmp_path):
    done = symact("relu", "--pdf", "--no-properties", "-o", str(tmp_path / "relu.tex"))
    assert done.returncode == 0, done.stderr
    done = subprocess.run(["pdftotext", "-layout", str(tmp_path / "relu.pdf"), "-"], capture_output=True, text=True,
                          check=True)
    lines = [" ".join(line.split()) for line in done.stdout.splitlines()]
    # ReLU is exact in every target and dtype: 0 ULP everywhere, within the bounds
    for target in ("numpy", "torch"):
        for dtype in ("float32", "float64"):
            assert f"{target} {dtype} 0 0 0 0 0 0 yes" in lines
    assert "Bounds: 2 ULP forward, 4 ULP gradient." in lines


def test_a_vector_activation_gets_its_own_sheet(capsys):
    assert main(["sheet", "softmax"]) == 0
    tex = capsys.readouterr().out
    assert r"\section{softmax}" in tex
    assert r"\frac{\partial y_{i}}{\partial x_{k}} = \left(\delta_{i k} - {s}_{k}\right) {s}_{i}" in tex
    assert r"\left(J^{T} g\right)_{k} = \left({g}_{k} - \sum_{i=1}^{n} {g}_{i} {s}_{i}\right) {s}_{k}" in tex
    assert r"\unknown" not in tex.split(r"\begin{document}")[1]  # every check proved
    assert main(["sheet", "SwiGLU", "--param", "beta=2"]) == 2
    assert "'swiglu' is a vector activation: its sheet takes no --param" in capsys.readouterr().err


@needs_tex
def test_pdf_of_a_gated_sheet_names_its_gate_and_the_checks(tmp_path):
    done = symact("geglu", "--pdf", "--no-accuracy", "-o", str(tmp_path / "geglu.tex"))
    assert done.returncode == 0, done.stderr
    assert "vector activation (gated family), gate gelu" in pdf_text(tmp_path / "geglu.pdf")
    done = subprocess.run(["pdftotext", "-layout", str(tmp_path / "geglu.pdf"), "-"], capture_output=True, text=True,
                          check=True)
    lines = [" ".join(line.split()) for line in done.stdout.splitlines()]
    for n in (2, 3):
        assert f"at n = {n}, the Jacobian of explicit inputs equals the closed form proved symbolic" in lines


@needs_tex
@pytest.mark.skipif(importlib.util.find_spec("symact.verify.vector") is None, reason="no vector verifier")
def test_pdf_of_a_vector_sheet_has_the_accuracy_table_of_its_generated_code(tmp_path):
    done = symact("softmax", "--pdf", "-o", str(tmp_path / "softmax.tex"))
    assert done.returncode == 0, done.stderr
    done = subprocess.run(["pdftotext", "-layout", str(tmp_path / "softmax.pdf"), "-"], capture_output=True, text=True,
                          check=True)
    lines = [" ".join(line.split()) for line in done.stdout.splitlines()]
    for target, kinds in (("numpy", 2), ("torch", 3)):  # numpy has no fused kernel
        for dtype in ("float32", "float64"):
            row = next(line.split() for line in lines if line.startswith(f"{target} {dtype} "))
            assert row[-1] == "yes" and len(row) == 9
            ulps = [int(v) for v in row[2:8] if v != "\u2013"]
            assert len(ulps) == 2 * kinds and max(ulps) <= 4  # within the bounds below
    assert "Bounds: 2 ULP forward, 4 ULP gradient." in lines
