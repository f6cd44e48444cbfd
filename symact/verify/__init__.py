r"""Verification of generated code against mpmath, in ULPs.

``verify(activation)`` generates the NumPy and torch code of an activation
(``symact.codegen.load``), runs it on sample inputs of float32 and float64
(``inputs``), and compares forward values, gradients and fused
forward-and-gradient with correctly rounded references computed from the
original definition at rising precision (``reference``), by ULP distance and
error counters (``metrics``). Bounds: 2 ULP forward, 4 ULP gradient.
Built-in relaxations, each reported in its own counter: relative accuracy
at exact non-zero zeros (``core``, ``excused``) and results whose reference
lies below the normal range (``metrics``, ``subnormal_flushed``). Catalogue
entries may carry named exceptions from a checked-in table (``exceptions``).

``verify_implementations`` checks any ``Implementation`` (three array
callables), which is how hand-written code and library baselines are
measured with the same metrics. ``verify_many`` runs a list of activations
in parallel worker processes; references are cached on disk (``cache``).
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from symact.activation import Activation, BoundActivation
from symact.verify.cache import ReferenceCache, default_cache_dir
from symact.verify.core import (BOUNDS, DTYPES, KINDS, Cell, Report, bind_activation, parameter_floats,
                                verify_implementations)  # noqa: F401 - Report is public
from symact.verify.exceptions import NamedException, apply_exceptions, is_catalogue_default, load_exceptions
from symact.verify.implementation import TARGETS, Implementation, ImplementationError, from_module, generated

__all__ = ["BOUNDS", "DTYPES", "KINDS", "TARGETS", "Cell", "Implementation", "ImplementationError",
           "NamedException", "Report", "ReferenceCache", "default_cache_dir", "from_module", "load_exceptions",
           "verify", "verify_implementations", "verify_many"]

def _cache(cache_dir) -> ReferenceCache:
    if cache_dir is False:
        return ReferenceCache(None)
    return ReferenceCache(default_cache_dir() if cache_dir is None else Path(cache_dir))


def verify(activation: Activation | BoundActivation, targets: Sequence[str] = TARGETS,
           dtypes: Sequence[str] = DTYPES, *, params: Mapping[str, object] | None = None,
           cache_dir: str | Path | None | bool = None,
           implementations: Mapping[str, Implementation] | None = None,
           exceptions: Sequence[NamedException] | None = None) -> Report:
    """Verify the generated code of ``activation`` for each target and dtype.

    Args:
      activation: an ``Activation`` (bound at its defaults, or at ``params``)
        or a ``BoundActivation``.
      targets: "numpy" and/or "torch".
      dtypes: "float32" and/or "float64".
      cache_dir: reference cache directory; None for the default
        (``default_cache_dir()``), False for no cache.
      implementations: target -> ``Implementation`` to check instead of
        generating code (e.g. a generated file loaded from disk).
      exceptions: named exceptions to apply; None for the checked-in table
        (``load_exceptions()``) when the generated code is checked, none when
        ``implementations`` are given. Either way they apply only to a
        catalogue entry at its default parameters.

    Returns:
      A ``Report``; ``report.passed``, ``report.status()`` and ``report.to_json()``.
    """
    bound = bind_activation(activation, params)
    if exceptions is None:
        exceptions = load_exceptions() if implementations is None else ()
    if not is_catalogue_default(bound):
        exceptions = ()
    if implementations is None:
        values = parameter_floats(bound)
        implementations = {}
        errors = []
        for target in targets:
            try:
                implementations[target] = generated(bound.activation, target, values)
            except ImplementationError as exc:
                errors.append(f"{target}: {exc}")
        report = verify_implementations(bound, implementations, dtypes, _cache(cache_dir))
        report.errors += errors
    else:
        report = verify_implementations(bound, dict(implementations), dtypes, _cache(cache_dir))
    apply_exceptions(report, exceptions)
    return report


def _verify_worker(job) -> Report:
    activation, targets, dtypes, params, cache_dir, exceptions = job
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    try:
        return verify(activation, targets, dtypes, params=params, cache_dir=cache_dir, exceptions=exceptions)
    except Exception as exc:  # noqa: BLE001 - one broken entry must not hide the others
        report = Report(getattr(activation, "name", "?"), {})
        report.errors.append(f"verification failed: {type(exc).__name__}: {exc}")
        return report


def verify_many(activations: Iterable[Activation], targets: Sequence[str] = TARGETS,
                dtypes: Sequence[str] = DTYPES, *, cache_dir=None, jobs: int | None = None,
                progress: Callable[[int, int, Report], None] | None = None,
                exceptions: Sequence[NamedException] | None = None) -> list[Report]:
    """Verify several activations (at their defaults) in ``jobs`` worker
    processes (default: the CPU count); reports come back in input order.
    ``progress(done, total, report)`` is called as each one finishes.
    ``exceptions`` as for ``verify`` (None: the checked-in table)."""
    activations = list(activations)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(activations) or 1))
    exceptions = load_exceptions() if exceptions is None else tuple(exceptions)
    work = [(a, tuple(targets), tuple(dtypes), None, cache_dir, exceptions) for a in activations]
    reports: list[Report | None] = [None] * len(work)
    if jobs == 1:
        for index, job in enumerate(work):
            reports[index] = _verify_worker(job)
            if progress:
                progress(index + 1, len(work), reports[index])
        return reports
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
        futures = {pool.submit(_verify_worker, job): index for index, job in enumerate(work)}
        for done, future in enumerate(as_completed(futures), 1):
            index = futures[future]
            try:
                reports[index] = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker killed (e.g. out of memory)
                reports[index] = Report(getattr(activations[index], "name", "?"), {})
                reports[index].errors.append(f"the worker process died: {type(exc).__name__}: {exc}")
            if progress:
                progress(done, len(work), reports[index])
    return reports
