"""The re-optimisation baseline of the dynamic job shop: optimal plans executed without events,
re-plans at hand-made shutdowns, blocking with swaps, the fallback rule, determinism."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cosolve.baselines.jssp_cpsat import solve_cpsat
from cosolve.baselines.jssp_dynamic_rules import simulate_rule
from cosolve.baselines.jssp_reopt import ReoptStats, _plan, _shops, simulate_reopt
from cosolve.baselines.jssp_rules import RULES
from cosolve.errors import CosolveInputError
from cosolve.problems.jssp import Instance
from cosolve.problems.jssp.dynamic.check import check
from cosolve.problems.jssp.dynamic.env import Dynamics, reset, step
from cosolve.problems.jssp.dynamic.shutdowns import ShutdownModel

torch.set_num_threads(1)
BLOCKING_SWAP = Dynamics(blocking=True, swap=True)


def _instance(machines, durations) -> Instance:
    return Instance("hand", np.array(machines, dtype=np.int64), np.array(durations, dtype=np.int64))


def _optimum(instance: Instance) -> int:
    result = solve_cpsat(instance, time_limit_s=5, workers=1, seed=0)
    assert result.status == "optimal"
    return result.objective


# ---------------------------------------------------------------------------- no events


def test_without_events_the_optimal_plan_is_executed():
    # J0: M0 (2), M1 (4); J1: M0 (3), M1 (1). The optimum 7 (J0 first on M0, J1 after it on both
    # machines) is non-delay, so the env executes the plan exactly.
    shop = _instance([[0, 1], [0, 1]], [[2, 4], [3, 1]])
    (execution,), (stats,) = simulate_reopt([shop], time_limit=0.5)
    check(shop, execution)
    assert execution.makespan == _optimum(shop) == 7
    assert execution.dispatch_times.tolist() == [[0, 2], [2, 6]]
    assert (stats.solves, stats.fallbacks, stats.optimal, stats.plan_times) == (1, 0, 1, (0,))
    assert stats.mean_solve_s == stats.total_solve_s >= 0


def test_a_plan_with_deliberate_idle_time_is_followed_by_waiting():
    # J0: M0 (1), M1 (1), M2 (10); J1: M1 (10), M0 (1), M2 (1). The optimum 14 keeps M1 idle
    # over [0, 1) for J0. Non-delay dispatching cannot wait: J1 takes M1 at 0 and J0 gets it
    # only at 10 (makespan 22, as every rule). reopt follows the plan's machine order and waits
    # (the env's WAIT action) for J0 to reach M1.
    shop = _instance([[0, 1, 2], [1, 0, 2]], [[1, 1, 10], [10, 1, 1]])
    (execution,), _ = simulate_reopt([shop], time_limit=0.5)
    check(shop, execution)
    assert _optimum(shop) == 14 == execution.makespan
    assert execution.dispatch_times[1, 0] == 2  # J1 starts on M1 after J0 used it over [1, 2)
    assert min(simulate_rule([shop], rule)[0].makespan for rule in RULES) == 22


def test_without_events_reopt_is_never_below_the_optimum(make_random_jssp):
    shops = [make_random_jssp(seed, 3, 3, high=9) for seed in range(4)]
    executions, stats = simulate_reopt(shops, time_limit=0.5)
    for shop, execution, solved in zip(shops, executions, stats):
        check(shop, execution)
        assert execution.makespan >= _optimum(shop)
        assert (solved.solves, solved.fallbacks, solved.optimal) == (1, 0, 1)


# ---------------------------------------------------------------------------- shutdowns


def test_replans_at_the_shutdown_and_at_the_repair():
    # The shop of the first test, M1 down over [2, 5). The plan at 0 (optimum 7, J0 first) runs
    # J0 on M0 until 2, when M1 fails: J0 cannot go on, J1 takes M0 (a decision at 2, re-plan).
    # At 5 J1 is done and M1 is repaired: both jobs want M1 (a decision at 5, re-plan): 10.
    shop = _instance([[0, 1], [0, 1]], [[2, 4], [3, 1]])
    (execution,), (stats,) = simulate_reopt([shop], time_limit=0.5, windows=[[(1, 2, 5)]])
    check(shop, execution)
    assert stats.plan_times == (0, 2, 5)
    assert (stats.solves, stats.fallbacks, stats.optimal) == (3, 0, 3)
    assert execution.dispatch_times[:, 0].tolist() == [0, 2]
    assert execution.makespan == 10 and execution.windows.tolist() == [[1, 2, 5]]


# J0: M0 (2), M1 (1), M2 (1); J1: M1 (1), M2 (1), M0 (1); J2: M2 (2), M0 (1), M1 (1); M0 is down
# over [1, 3) and interrupts J0. At 2 J1 can take M2 (a decision, re-plan) while M0 is down with J0
# on it: J0 holds M0 until 3 + 2 (restart) or 3 + 1 (resume). No decision at the repair (M0 stays
# busy), the next one at J0's end sees the repair: a re-plan there.
CHAIN = _instance([[0, 1, 2], [1, 2, 0], [2, 0, 1]], [[2, 1, 1], [1, 1, 1], [2, 1, 1]])


@pytest.mark.parametrize(("interrupt", "j0_end"), [("restart", 5), ("resume", 4)])
def test_an_interrupted_operation_keeps_its_machine_in_the_plan(interrupt, j0_end):
    dynamics = Dynamics(interrupt=interrupt)
    (execution,), (stats,) = simulate_reopt([CHAIN], dynamics, time_limit=0.5, windows=[[(0, 1, 3)]])
    check(CHAIN, execution)
    assert execution.interruptions == 1 and execution.end_times[0, 0] == j0_end
    assert stats.plan_times == (0, 2, j0_end) and stats.fallbacks == 0

    # The plan made at 2 (the model itself, private): nothing else on M0 before J0 is done there.
    state = reset([CHAIN], dynamics, windows=[[(0, 1, 3)]])
    for job in (0, 1, 2):
        step(state, torch.tensor([job]))
    assert int(state.time[0]) == 2 and bool(state.down[0, 0]) and bool(state.running[0, 0])
    status, planned = _plan(_shops(state, [0])[0], blocking=False, time_limit=0.5, workers=1, hint=None)
    assert status == "optimal"
    assert planned[0, 0] == -1 and planned[0, 1] >= j0_end  # J0 goes on after its interrupted op
    assert planned[1, 2] >= j0_end and planned[2, 1] >= j0_end  # the other ops on M0 wait for it
    assert planned[1, 1] >= 2  # nothing starts in the past


def test_random_shutdowns_pass_the_checker(make_random_jssp):
    shops = [make_random_jssp(seed, 4, 4, high=9) for seed in range(3)]
    for interrupt in ("restart", "resume"):
        dynamics = Dynamics(ShutdownModel(prob=0.05), interrupt=interrupt)
        executions, stats = simulate_reopt(shops, dynamics, seeds=[1, 2, 3], time_limit=0.5)
        for shop, execution, solved in zip(shops, executions, stats):
            check(shop, execution)
            assert solved.solves == len(solved.plan_times) >= 1 and solved.plan_times[0] == 0
            assert list(solved.plan_times) == sorted(solved.plan_times)


# ---------------------------------------------------------------------------- blocking


def test_blocking_with_swaps_passes_the_checker_and_replays(make_random_jssp):
    shops = [make_random_jssp(seed, 4, 4, high=9) for seed in range(4)]
    for dynamics in (BLOCKING_SWAP, Dynamics(ShutdownModel(prob=0.05), "resume", blocking=True, swap=True)):
        first, first_stats = simulate_reopt(shops, dynamics, seeds=[3, 4, 5, 6], time_limit=0.5)
        again, again_stats = simulate_reopt(shops, dynamics, seeds=[3, 4, 5, 6], time_limit=0.5)
        for shop, execution in zip(shops, first):
            check(shop, execution)
        assert [e.makespan for e in first] == [e.makespan for e in again]
        assert all((a.dispatch_times == b.dispatch_times).all() for a, b in zip(first, again))
        assert [s.plan_times for s in first_stats] == [s.plan_times for s in again_stats]


def test_blocking_plan_swaps_a_cycle():
    # The deadlock cycle of the env tests: J0 on M0 then M1, J1 on M1 then M0, blocking. Both
    # start at 0; J0 finishes at 3 and holds M0 until J1 is done on M1 at 5: they swap at 5.
    shop = _instance([[0, 1], [1, 0]], [[3, 2], [5, 1]])
    (execution,), (stats,) = simulate_reopt([shop], BLOCKING_SWAP, time_limit=0.5)
    check(shop, execution)
    assert execution.makespan == 7 and execution.swaps == 2 and stats.optimal == 1


# ---------------------------------------------------------------------------- fallback, errors


def test_without_a_plan_in_time_the_rule_runs(make_random_jssp):
    # A time limit no solve can meet: every solve is a fallback, and with no plan ever found the
    # instances run the mwkr rule, exactly as the rule alone.
    shops = [make_random_jssp(seed, 4, 4, high=9) for seed in range(3)]
    dynamics = Dynamics(ShutdownModel(prob=0.05))
    executions, stats = simulate_reopt(shops, dynamics, seeds=[1, 2, 3], time_limit=1e-9)
    by_rule = simulate_rule(shops, "mwkr", dynamics, seeds=[1, 2, 3])
    assert [e.makespan for e in executions] == [e.makespan for e in by_rule]
    assert all(s.fallbacks == s.solves >= 1 and s.optimal == 0 for s in stats)
    assert isinstance(stats[0], ReoptStats)


def test_bad_settings_are_refused():
    shop = _instance([[0]], [[1]])
    with pytest.raises(CosolveInputError, match="swaps"):
        simulate_reopt([shop], Dynamics(blocking=True))
    with pytest.raises(CosolveInputError, match="time limit"):
        simulate_reopt([shop], time_limit=0)
