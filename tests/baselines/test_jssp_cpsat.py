"""The CP-SAT job shop model."""

from cosolve.baselines.jssp_cpsat import solve_cpsat
from cosolve.baselines.jssp_rules import run_rule
from cosolve.instances import path_of
from cosolve.problems.jssp import check, evaluate, generate, read


def test_ft06_is_solved_to_optimality():
    instance = read(path_of("jssp", "ft06"))
    result = solve_cpsat(instance, time_limit_s=10, workers=2)
    assert result.status == "optimal"
    assert result.objective == 55 and result.bound == 55
    check(instance, result.solution)
    assert evaluate(instance, result.solution) == 55


def test_hint_from_a_rule_keeps_optimality():
    instance = read(path_of("jssp", "ft06"))
    hint = run_rule([instance], "mwkr")[0]
    result = solve_cpsat(instance, time_limit_s=10, workers=2, hint=hint)
    assert result.objective == 55


def test_time_limited_run_reports_a_consistent_bound():
    instance = generate("15x15", 1, seed=4)[0]
    result = solve_cpsat(instance, time_limit_s=0.5, workers=1, seed=1)
    assert result.status in ("feasible", "optimal", "unknown")
    if result.solution is not None:
        check(instance, result.solution)
        assert result.bound <= result.objective == evaluate(instance, result.solution)
