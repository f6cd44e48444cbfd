"""Max-ulp table of two ``symact verify --json`` runs side by side.

    python3 -m symact verify --json > before.json        # (a list of reports)
    ... change the code ...
    python3 -m symact verify --json > after.json
    python3 benchmarks/verify_diff.py before.json after.json

Also takes folders of per-entry ``NAME.json`` files. Prints, as Markdown,
every (entry, target/dtype/kind) cell that failed in either run or changed:
max ulp before and after, and for a cell still over its bound the worst
input, its true value, and whether that value is subnormal (a miss the
verifier's subnormal-flush policy may excuse).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

MIN_NORMAL = {"float32": 1.1754943508222875e-38, "float64": 2.2250738585072014e-308}


def load(path: str) -> dict[str, dict]:
    """Reports by activation name, from a JSON list/object or a folder of them."""
    source = Path(path)
    files = sorted(source.glob("*.json")) if source.is_dir() else [source]
    reports = {}
    for file in files:
        try:
            data = json.loads(file.read_text())
        except (json.JSONDecodeError, OSError):
            continue
        for report in data if isinstance(data, list) else [data]:
            reports[report["activation"]] = report
    return reports


def cells(report: dict | None) -> dict[tuple[str, str, str], tuple]:
    """(target, dtype, kind) -> (max ulp or None, bound, worst point)."""
    found = {}
    for target, dtypes in (report or {}).get("cells", {}).items():
        for dtype, kinds in dtypes.items():
            for kind in ("forward", "gradient"):
                cell = kinds.get(kind)
                if cell is None:
                    continue
                worst = (cell.get("worst") or {}).get("max_ulp") or {}
                found[(target, dtype, kind)] = (None if cell.get("error") else cell.get("max_ulp"),
                                                cell["bound_ulp"], worst)
    return found


def _ulp(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if value >= 1e6 else str(value)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__)
        return 2
    before, after = load(argv[0]), load(argv[1])
    print("| entry | cell | max ulp before | after | worst input after (true value) |")
    print("|---|---|---:|---:|---|")
    for name in sorted(set(before) | set(after)):
        old, new = cells(before.get(name)), cells(after.get(name))
        for key in sorted(set(old) | set(new)):
            u_old, bound, _ = old.get(key, (None, None, None))
            u_new, bound_new, worst = new.get(key, (None, bound, {}))
            bound = bound_new or bound
            failed = [u is not None and u > bound for u in (u_old, u_new)]
            if not any(failed) and u_old == u_new:
                continue
            note = ""
            if failed[1] and worst:
                expected = worst.get("expected", "?")
                try:
                    subnormal = abs(float(expected)) < MIN_NORMAL[key[1]]
                except ValueError:
                    subnormal = False
                note = f"x = {worst.get('x')} ({expected}{', subnormal' if subnormal else ''})"
            cell = f"{key[0]}/{key[1].replace('float', '')}/{key[2]}"
            print(f"| {name} | {cell} | {_ulp(u_old)} | {_ulp(u_new)} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
