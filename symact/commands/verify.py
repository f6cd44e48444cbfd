"""Verify generated code against mpmath in ULPs (exit 1 when a bound fails).

With no activation named, the whole catalogue is verified in parallel
worker processes. Each activation's NumPy and torch code is run on float32
and float64 samples (bit patterns, subnormals, +-0, +-inf, NaN, [-20, 20],
breakpoints, exp thresholds, zeros of f') and compared with the correctly
rounded reference of the original definition: 2 ULP forward, 4 ULP
gradient. Vector activations (softmax, glu, ...) are verified component by
component on stable-case vectors (``symact.verify.vector``). Catalogue
entries at their defaults may pass within named exceptions
(symact/verify/exceptions.toml, each with its reason); the last line counts
passed, excepted and failed activations. See docs/verify.md.
"""
from __future__ import annotations

import argparse
import sys

from symact.cli import parse_params, print_json
from symact.errors import SymactError

EXIT_FAILED = 1


def _choices(text: str, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [c for c in chosen if c not in allowed]
    if unknown or not chosen:
        raise SymactError(f"--{what} takes a comma-separated list of {', '.join(allowed)}; got '{text}'")
    return tuple(dict.fromkeys(chosen))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="TARGET",
                        help="catalogue names or aliases (elementwise, or vector such as softmax), "
                             "expressions such as 'x*tanh(softplus(x))', or spec files ending in .toml, "
                             "as in 'symact show' (default: the whole catalogue)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--expr", help="verify a formula (the same as giving it as TARGET)")
    source.add_argument("--spec", metavar="FILE.toml", help="verify the activation of a spec file (the same "
                                                            "as giving it as TARGET)")
    parser.add_argument("--name", help="name of an expression activation (default: custom)")
    parser.add_argument("--param", action="append", default=[], metavar="K=V",
                        help="parameter value, e.g. alpha=0.5 (repeatable; one activation only)")
    parser.add_argument("--target", default=None,
                        help="comma-separated: numpy, torch (default both, numpy alone when torch is not installed)")
    parser.add_argument("--dtype", default="float32,float64",
                        help="comma-separated: float32, float64 (default both)")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON (sorted keys)")
    parser.add_argument("--junit", metavar="FILE", help="also write JUnit XML to FILE")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPU count)")
    parser.add_argument("--cache-dir", help="reference cache directory (default: $SYMACT_CACHE_DIR or "
                                            "~/.cache/symact/verify)")
    parser.add_argument("--no-cache", action="store_true", help="compute every reference afresh")
    parser.add_argument("--exceptions", metavar="FILE.toml",
                        help="named exceptions table (default: the one shipped in symact/verify/exceptions.toml)")
    parser.add_argument("--strict-exceptions", action="store_true",
                        help="fail when a named exception is stale (the cell now meets the strict bound)")


def _vector_entry(name: str):
    """The vector activation called ``name`` (softmax, glu, ...), or None."""
    from symact.vector import VECTOR_CATALOGUE

    return VECTOR_CATALOGUE.get(name.strip().lower().replace("-", "_"))


def _activations(args: argparse.Namespace) -> list:
    from symact.catalogue import CATALOGUE, lookup, names
    from symact.user import from_expression, from_spec, resolve
    from symact.vector import VECTOR_CATALOGUE

    params = parse_params(args.param)
    if args.expr is not None or args.spec is not None:
        if args.names:
            raise SymactError("give either NAMES or --expr/--spec, not both")
        if args.expr is not None:
            return [(from_expression(args.expr, args.name or "custom", params), params)]
        return [(from_spec(args.spec), params)]
    if not args.names:
        if params:
            raise SymactError("--param needs one activation")
        return [(CATALOGUE[name], {}) for name in names()] + [(VECTOR_CATALOGUE[name], {})
                                                              for name in sorted(VECTOR_CATALOGUE)]
    found = []
    for name in args.names:
        entry = lookup(name) or _vector_entry(name)
        if entry is not None and entry.name in VECTOR_CATALOGUE and params:
            raise SymactError(f"the vector activation '{entry.name}' takes no --param")
        found.append((entry or resolve(name, args.name, params), params))
    if params and len(found) > 1:
        raise SymactError("--param needs one activation")
    return found


def run(args: argparse.Namespace) -> int:
    from symact.verify import TARGETS, load_exceptions, verify, verify_many
    from symact.verify.implementation import torch_available
    from symact.verify.reference import FORMATS
    from symact.output import write_text_atomic
    from symact.verify.report import RESULT_TEXT, format_table, junit_xml
    from symact.verify.vector import verify_vector

    if args.target is None and not torch_available():
        print("symact verify: torch is not installed; verifying the numpy target only", file=sys.stderr)
    default = "numpy,torch" if torch_available() else "numpy"
    targets = _choices(args.target or default, TARGETS, "target")
    dtypes = _choices(args.dtype, tuple(FORMATS), "dtype")
    cache_dir = False if args.no_cache else args.cache_dir
    strict = args.strict_exceptions
    exceptions = load_exceptions(args.exceptions)
    chosen = _activations(args)
    vectors = [entry for entry, _ in chosen if _vector_entry(entry.name) is entry]
    chosen = [(entry, params) for entry, params in chosen if _vector_entry(entry.name) is not entry]
    total = len(chosen) + len(vectors)

    def progress(done: int, _: int, report) -> None:
        verdict = RESULT_TEXT[report.status(strict)]
        print(f"[{done}/{total}] {report.activation}: {verdict} ({report.seconds:.1f} s)",
              file=sys.stderr, flush=True)

    if len(chosen) == 1:
        activation, params = chosen[0]
        reports = [verify(activation, targets, dtypes, params=params, cache_dir=cache_dir, exceptions=exceptions)]
        if total > 1:
            progress(1, total, reports[0])
    else:
        reports = verify_many([a for a, _ in chosen], targets, dtypes, cache_dir=cache_dir, jobs=args.jobs,
                              progress=progress, exceptions=exceptions) if chosen else []
    for entry in vectors:  # symact.verify.vector: softmax family and gated family
        reports.append(verify_vector(entry, targets, dtypes, cache_dir=cache_dir, exceptions=exceptions))
        if total > 1:
            progress(len(reports), total, reports[-1])
    if args.junit:
        write_text_atomic(args.junit, junit_xml(reports, strict))
    if args.json:
        data = [r.to_json() for r in reports]
        print_json(data[0] if len(data) == 1 and (args.expr or args.spec or len(args.names) == 1) else data)
    else:
        print(format_table(reports, strict))
    return 0 if all(r.status(strict) != "failed" for r in reports) else EXIT_FAILED
