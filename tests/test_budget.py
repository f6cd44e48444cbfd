"""Symbolic work under a time budget ends in TimedOut, never in a hang."""
import time

from symact.budget import Failed, TimedOut, run_with_budget


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
