"""symact.output.write_text_atomic: the old file or the new one, never half of either."""
import os
import stat
from pathlib import Path

import pytest

import symact.output
from symact.output import write_text_atomic


def test_writes_utf8_with_unix_line_ends_and_creates_directories(tmp_path):
    path = tmp_path / "a" / "b" / "page.md"
    assert write_text_atomic(path, "σ(x)\r\nline\n") == path
    assert path.read_bytes() == "σ(x)\r\nline\n".encode("utf-8")
    write_text_atomic(path, "one\ntwo\n")
    assert path.read_bytes() == b"one\ntwo\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["page.md"]  # no temporary left


def test_permissions_follow_the_umask_not_the_temporary_file(tmp_path):
    previous = os.umask(0o022)
    try:
        path = write_text_atomic(tmp_path / "f.txt", "x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # mkstemp alone would give 0o600


@pytest.mark.parametrize("broken", ["replace", "fsync"])
def test_a_failure_keeps_the_old_file_and_leaves_nothing_behind(tmp_path, monkeypatch, broken):
    path = tmp_path / "f.py"
    path.write_text("old")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(f"symact.output.os.{broken}", fail)
    with pytest.raises(OSError, match="disk full"):
        write_text_atomic(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.py"]


def test_no_module_but_symact_output_writes_files_its_own_way():
    """One atomic write: every other module goes through symact.output."""
    root = Path(symact.output.__file__).parent
    offenders = sorted(str(path.relative_to(root)) for path in root.rglob("*.py")
                       if path.name != "output.py" and any(call in path.read_text(encoding="utf-8")
                                                           for call in ("os.replace(", "mkstemp(", "os.rename(")))
    assert offenders == []
