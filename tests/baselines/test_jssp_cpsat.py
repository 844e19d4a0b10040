"""The CP-SAT job shop model."""

from __future__ import annotations

import numpy as np

from cosolve.baselines.jssp_cpsat import CpSatResult, solve_cpsat
from cosolve.baselines.jssp_rules import run_rule
from cosolve.problems.jssp import Instance, Solution, check, evaluate, generate


def test_ft06_is_solved_to_optimality(ft06):
    result = solve_cpsat(ft06, time_limit_s=10, workers=2, seed=0)
    assert isinstance(result, CpSatResult)
    assert result.status == "optimal"
    assert result.objective == 55
    assert result.bound == 55
    assert result.wall_time_s >= 0
    check(ft06, result.solution)
    assert evaluate(ft06, result.solution) == 55
    assert result.solution.start_times.dtype == np.int64


def test_hint_from_a_rule_keeps_optimality(ft06):
    hint = run_rule([ft06], "mwkr")[0]
    assert evaluate(ft06, hint) > 55
    result = solve_cpsat(ft06, time_limit_s=10, workers=2, hint=hint)
    assert result.status == "optimal"
    assert result.objective == 55
    check(ft06, result.solution)


def test_infeasible_hint_is_repaired(ft06):
    hint = Solution(start_times=np.zeros(ft06.shape, dtype=np.int64))
    result = solve_cpsat(ft06, time_limit_s=10, workers=2, hint=hint)
    assert result.objective == 55
    check(ft06, result.solution)


def test_small_instances_with_zero_durations():
    machines = np.array([[0, 1], [1, 0], [0, 1]])
    durations = np.array([[3, 0], [0, 4], [2, 2]])
    instance = Instance("z", machines, durations)
    result = solve_cpsat(instance, time_limit_s=5, workers=1)
    assert result.status == "optimal"
    check(instance, result.solution)
    # Machine M0 carries 3 + 4 + 2 = 9 units, and 9 is reachable.
    assert result.objective == evaluate(instance, result.solution) == 9


def test_time_limited_run_reports_a_consistent_bound():
    instance = generate("10x10", 1, seed=4)[0]
    result = solve_cpsat(instance, time_limit_s=0.5, workers=1, seed=1)
    assert result.status in ("feasible", "optimal", "unknown")
    if result.solution is not None:
        check(instance, result.solution)
        assert result.bound <= result.objective == evaluate(instance, result.solution)
