"""Time budgets for symbolic work that can hang.

SymPy can loop inside C code (gmpy, flint), where an alarm signal is never
delivered, so a budget is enforced by running the work in a forked worker
process that is killed when its time is up. The caller gets ``TimedOut``
instead of a hang.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import traceback
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class TimedOut:
    """The work did not finish within ``seconds``."""

    seconds: float

    def __str__(self) -> str:
        return f"gave up after the time budget of {self.seconds:g} s"


@dataclass(frozen=True)
class Failed:
    """The work raised ``error`` (its type name and message)."""

    error: str

    def __str__(self) -> str:
        return self.error


def _child(conn, fn, args, kwargs) -> None:
    try:
        result = ("ok", fn(*args, **kwargs))
        payload = pickle.dumps(result)
    except BaseException as exc:  # report, never propagate out of the worker
        payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}",
                                traceback.format_exc()))
    try:
        conn.send_bytes(payload)
    finally:
        conn.close()
        os._exit(0)


def run_with_budget(fn: Callable[..., Any], *args: Any, seconds: float, **kwargs: Any) -> Any:
    """Return ``fn(*args, **kwargs)`` computed in a worker process.

    Returns ``TimedOut(seconds)`` when the worker has not answered in time
    (it is killed), and ``Failed(message)`` when ``fn`` raised. The result
    must be picklable. On platforms without ``fork`` the call runs inline
    without a budget.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # pragma: no cover - non-POSIX only
            return Failed(f"{type(exc).__name__}: {exc}")
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_child, args=(sender, fn, args, kwargs), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            return TimedOut(seconds)
        try:
            status, *rest = pickle.loads(receiver.recv_bytes())
        except EOFError:
            return Failed("worker process died without an answer")
        if status == "ok":
            return rest[0]
        return Failed(rest[0])
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join()
