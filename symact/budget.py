"""Time budgets for symbolic work that can hang.

SymPy can loop inside C code (gmpy, flint), where an alarm signal is never
delivered, so a budget is enforced by running the work in a forked worker
process that is killed when its time is up. The caller gets ``TimedOut``
instead of a hang.

A budget counts wall-clock seconds, so on a busy machine less work fits in
it and a result can differ from one run to the next. Output that must read
the same on every run (checked-in pages) is computed inside
``cpu_time_budgets()``, where a budget counts the CPU time of its worker:
the same work fits whatever else the machine is doing.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import time
import traceback
from contextlib import contextmanager
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


POLL_SECONDS = 0.02
IDLE_FACTOR = 10.0  # with CPU-time budgets, a worker that waits instead of computing ends after this many budgets
_clock = {"cpu": False}


@contextmanager
def cpu_time_budgets():
    """Within this block, each budget of ``run_with_budget`` counts the CPU
    time its worker has used instead of wall-clock time (on Linux, from
    ``/proc``; elsewhere the wall clock stays). A worker that uses no CPU
    (it waits) is still stopped after ``IDLE_FACTOR`` times its budget."""
    previous, _clock["cpu"] = _clock["cpu"], True
    try:
        yield
    finally:
        _clock["cpu"] = previous


def _cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process, from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _answered(receiver, pid: int, seconds: float) -> bool:
    """Whether the worker answered (or died) within its budget."""
    if not _clock["cpu"] or _cpu_seconds(pid) is None:
        return receiver.poll(seconds)
    deadline = time.monotonic() + IDLE_FACTOR * seconds
    while not receiver.poll(POLL_SECONDS):
        used = _cpu_seconds(pid)
        if used is None or used >= seconds or time.monotonic() >= deadline:
            return receiver.poll(0)
    return True


def run_with_budget(fn: Callable[..., Any], *args: Any, seconds: float, **kwargs: Any) -> Any:
    """Return ``fn(*args, **kwargs)`` computed in a worker process.

    Returns ``TimedOut(seconds)`` when the worker has not answered in time
    (it is killed), and ``Failed(message)`` when ``fn`` raised. The result
    must be picklable. On platforms without ``fork`` the call runs inline
    without a budget. The budget is wall-clock time, or the worker's CPU
    time inside ``cpu_time_budgets()``.
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
        if not _answered(receiver, worker.pid, seconds):
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
