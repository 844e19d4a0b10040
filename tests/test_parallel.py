"""The process pool of compare and the expert solvers: results in order, errors raised here."""

from __future__ import annotations

import pytest

from cosolve.parallel import run_in_processes


def test_results_come_in_order_and_each_is_reported():
    seen = []
    assert run_in_processes(pow, [(2, 3), (3, 2), (5, 1)], 2, on_result=lambda i, v: seen.append((i, v))) == [8, 9, 5]
    assert sorted(seen) == [(0, 8), (1, 9), (2, 5)]


def test_a_task_error_is_raised_in_the_parent():
    with pytest.raises(ZeroDivisionError):
        run_in_processes(divmod, [(1, 1), (1, 0)], 2)
