"""Symbolic work under a time budget ends in TimedOut, never in a hang."""
import multiprocessing
import os
import time

import pytest

from symact.budget import Failed, TimedOut, cpu_time_budgets, run_with_budget


def _sleep_forever():
    while True:
        time.sleep(0.05)


def _add(a, b):
    return a + b


def _raise():
    raise ZeroDivisionError("boom")


def test_result_comes_back():
    assert run_with_budget(_add, 2, 3, seconds=10) == 5


def test_runaway_work_is_killed_within_budget():
    start = time.monotonic()
    result = run_with_budget(_sleep_forever, seconds=0.5)
    assert isinstance(result, TimedOut)
    assert time.monotonic() - start < 5


def test_exception_is_reported_not_raised():
    result = run_with_budget(_raise, seconds=10)
    assert isinstance(result, Failed)
    assert "ZeroDivisionError: boom" in str(result)


def _spin(iterations):
    total = 0
    for k in range(iterations):
        total += k * k
    return total


def _spin_on(cpu, iterations):
    os.sched_setaffinity(0, {cpu})
    return _spin(iterations)


def _burn_on(cpu):
    os.sched_setaffinity(0, {cpu})
    while True:
        pass


linux_only = pytest.mark.skipif(not (hasattr(os, "sched_setaffinity") and os.path.exists("/proc/self/stat")),
                                reason="CPU-time budgets read /proc and pin processes to a core")


@linux_only
def test_cpu_time_budgets_give_the_same_result_on_a_busy_machine():
    # Work of about 0.1 s of CPU, on a core shared with three busy loops: about 0.4 s of wall time.
    start = time.process_time()
    _spin(200_000)
    iterations = int(200_000 * 0.1 / max(time.process_time() - start, 1e-3))
    cpu = sorted(os.sched_getaffinity(0))[0]
    burners = [multiprocessing.get_context("fork").Process(target=_burn_on, args=(cpu,), daemon=True)
               for _ in range(3)]
    for burner in burners:
        burner.start()
    try:
        assert isinstance(run_with_budget(_spin_on, cpu, iterations, seconds=0.25), TimedOut)
        with cpu_time_budgets():
            assert run_with_budget(_spin_on, cpu, iterations, seconds=0.25) == _spin(iterations)
    finally:
        for burner in burners:
            burner.kill()
            burner.join()


@linux_only
def test_cpu_time_budgets_still_stop_runaway_and_idle_workers():
    with cpu_time_budgets():
        start = time.monotonic()
        assert isinstance(run_with_budget(_spin, 10**12, seconds=0.3), TimedOut)
        assert isinstance(run_with_budget(_sleep_forever, seconds=0.2), TimedOut)  # no CPU used: 10 budgets of wall time
        assert time.monotonic() - start < 10
        assert run_with_budget(_add, 2, 3, seconds=10) == 5
        assert isinstance(run_with_budget(_raise, seconds=10), Failed)
