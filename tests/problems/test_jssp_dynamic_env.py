"""The dynamic job shop env: hand-checked blocking, swap and shutdown cases, agreement with the
static env when nothing happens, the independent checker on every run, deterministic replay."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from jssp_strategies import instances

from cosolve.baselines.jssp_dynamic_rules import simulate_rule
from cosolve.baselines.jssp_rules import RULES, run_rule
from cosolve.errors import CosolveInputError
from cosolve.problems.jssp import Instance, generate
from cosolve.problems.jssp.dynamic.check import InfeasibleExecution, check
from cosolve.problems.jssp.dynamic.env import WAIT, Dynamics, reset, step, to_executions
from cosolve.problems.jssp.dynamic.shutdowns import ShutdownModel

BLOCKING_SWAP = Dynamics(blocking=True, swap=True)


def _instance(machines, durations) -> Instance:
    return Instance("hand", np.array(machines, dtype=np.int64), np.array(durations, dtype=np.int64))


def _play(instance, dynamics, jobs, windows=None):
    """Run one instance, starting the jobs of ``jobs`` in that order; returns the execution and
    the (time, eligible jobs) seen at each decision."""
    state = reset([instance], dynamics, windows=None if windows is None else [windows])
    seen = []
    for job in jobs:
        seen.append((int(state.time[0]), state.mask[0].nonzero().flatten().tolist()))
        step(state, torch.tensor([job]))
    assert bool(state.done.all())
    return to_executions(state)[0], seen


# ---------------------------------------------------------------------------- hand-checked cases


def test_swap_resolves_a_deadlock_cycle():
    # Job 0: M0 (3) then M1 (2); job 1: M1 (5) then M0 (1). Job 0 finishes on M0 at 3 and waits
    # for M1 (processing job 1 until 5), holding M0; job 1 then waits for M0: a cycle, swapped at 5.
    shop = _instance([[0, 1], [1, 0]], [[3, 2], [5, 1]])
    execution, seen = _play(shop, BLOCKING_SWAP, [1, 0])
    assert seen == [(0, [0, 1]), (0, [0])]
    assert execution.dispatch_times.tolist() == [[0, 5], [0, 5]]
    assert execution.end_times.tolist() == [[3, 7], [5, 6]]
    assert execution.leave_times.tolist() == [[5, 7], [5, 6]]  # job 0 held M0 from 3 to 5
    assert execution.makespan == 7 and execution.swaps == 2
    check(shop, execution)


def test_a_cycle_with_a_machine_down_swaps_when_it_is_repaired():
    # The cycle of the case above forms at 5; M0 is down from 4 to 8, so the swap waits for the
    # repair (job 0 may leave a down machine, but job 1 cannot start on it).
    shop = _instance([[0, 1], [1, 0]], [[3, 2], [5, 1]])
    execution, _ = _play(shop, Dynamics(blocking=True, swap=True), [1, 0], windows=[(0, 4, 8)])
    assert execution.dispatch_times.tolist() == [[0, 8], [0, 8]]
    assert execution.makespan == 10 and execution.swaps == 2
    check(shop, execution)


def test_a_three_machine_cycle_swaps_at_once():
    # Job j: M(j) (times 2, 3, 4), then M(j + 1 mod 3) and M(j + 2 mod 3) (1 each). At 4 all three
    # are blocked, each waiting for the machine the next one holds: all move at 4; at 5 the same
    # again, one machine on.
    shop = _instance([[0, 1, 2], [1, 2, 0], [2, 0, 1]], [[2, 1, 1], [3, 1, 1], [4, 1, 1]])
    execution, _ = _play(shop, BLOCKING_SWAP, [0, 1, 2])
    assert execution.dispatch_times.tolist() == [[0, 4, 5]] * 3
    assert execution.leave_times[:, :2].tolist() == [[4, 5]] * 3
    assert execution.makespan == 6 and execution.swaps == 6
    check(shop, execution)


def test_without_swaps_the_cycle_is_a_deadlock():
    shop = _instance([[0, 1], [1, 0]], [[3, 2], [5, 1]])
    state = reset([shop], Dynamics(blocking=True))
    step(state, torch.tensor([1]))
    step(state, torch.tensor([0]))
    assert bool(state.deadlocked[0]) and bool(state.done[0])
    execution = to_executions(state)[0]
    assert execution.deadlocked and execution.makespan == -1
    with pytest.raises(InfeasibleExecution, match="deadlock"):
        check(shop, execution)


def test_a_blocked_job_holds_its_machine():
    # A: M0 (2), M1 (3), M2 (1); B: M1 (5), M2 (1), M0 (1); C: M0 (1), M2 (1), M1 (1).
    # A finishes on M0 at 2 but M1 is busy until 5, so A keeps M0 and C cannot start before 5.
    # At 6 B (on M2, wants M0) and C (on M0, wants M2) swap; at 8 A and C swap M1 and M2.
    shop = _instance([[0, 1, 2], [1, 2, 0], [0, 2, 1]], [[2, 3, 1], [5, 1, 1], [1, 1, 1]])
    execution, seen = _play(shop, BLOCKING_SWAP, [0, 1, 1, 0, 2])
    assert seen == [(0, [0, 1, 2]), (0, [1]), (5, [1]), (5, [0]), (5, [2])]
    assert execution.dispatch_times.tolist() == [[0, 5, 8], [0, 5, 6], [5, 6, 8]]
    assert execution.leave_times[0, 0] == 5  # A blocked M0 from 2 to 5
    assert execution.leave_times[1, 0] == 5  # B left M1 when it took M2
    assert execution.makespan == 9 and execution.swaps == 4
    check(shop, execution)
    free = simulate_rule([shop], "mwkr", Dynamics())[0]
    assert free.dispatch_times[2, 0] == 2  # without blocking C starts as soon as A is done on M0
    check(shop, free)


@pytest.mark.parametrize(("interrupt", "end"), [("restart", 9), ("resume", 7)])
def test_a_shutdown_interrupts_the_operation(interrupt, end):
    shop = _instance([[0]], [[5]])
    execution, _ = _play(shop, Dynamics(interrupt=interrupt), [0], windows=[(0, 2, 4)])
    assert (execution.dispatch_times[0, 0], execution.end_times[0, 0]) == (0, end)
    assert execution.windows.tolist() == [[0, 2, 4]] and execution.interruptions == 1
    check(shop, execution)


def test_no_operation_starts_on_a_machine_that_is_down():
    shop = _instance([[0, 1], [1, 0]], [[2, 2], [2, 2]])
    execution, seen = _play(shop, Dynamics(), [1, 0, 0, 1], windows=[(0, 0, 3)])
    assert seen[0] == (0, [1])  # M0 is down until 3: only job 1 (on M1) can start at 0
    assert execution.dispatch_times.tolist() == [[3, 5], [0, 5]]  # at 3 both want M0; job 0 goes first
    check(shop, execution)


# ---------------------------------------------------------------------------- the checker catches


def _mutated(execution, **changes):
    return dataclasses.replace(execution, **changes)


def test_checker_rejects_broken_executions():
    shop = _instance([[0, 1], [1, 0]], [[3, 2], [5, 1]])
    good, _ = _play(shop, BLOCKING_SWAP, [1, 0])
    leave = good.leave_times.copy()
    leave[0, 0] = 3  # released at its end although blocked until 5
    with pytest.raises(InfeasibleExecution, match="releases its machine"):
        check(shop, _mutated(good, leave_times=leave))
    with pytest.raises(InfeasibleExecution, match="down"):
        check(shop, _mutated(good, windows=np.array([[1, 5, 6]])))
    unblocked = _mutated(good, blocking=False)
    with pytest.raises(InfeasibleExecution, match="releases its machine"):
        check(shop, unblocked)
    free = simulate_rule([shop], "mwkr", Dynamics())[0]
    dispatch = free.dispatch_times.copy()
    dispatch[1, 1] = free.end_times[1, 0] - 1
    with pytest.raises(InfeasibleExecution, match="before operation 0 ends"):
        check(shop, _mutated(free, dispatch_times=dispatch))
    with pytest.raises(InfeasibleExecution, match="makespan"):
        check(shop, _mutated(good, makespan=8))


def test_checker_rejects_overlapping_occupation():
    shop = _instance([[0], [0]], [[3], [3]])
    good, _ = _play(shop, Dynamics(), [0, 1])
    times = np.array([[0], [2]])
    bad = _mutated(good, dispatch_times=times, end_times=times + 3, leave_times=times + 3, makespan=5)
    with pytest.raises(InfeasibleExecution, match="overlaps"):
        check(shop, bad)


# ---------------------------------------------------------------------------- properties


@given(instances(max_jobs=5, max_machines=4, min_time=1), st.sampled_from(sorted(RULES)))
def test_without_events_every_rule_matches_the_static_env(instance, rule):
    static = run_rule([instance], rule)[0]
    execution = simulate_rule([instance], rule)[0]
    assert (execution.dispatch_times == static.start_times).all()
    assert execution.makespan == int((static.start_times + instance.durations).max())
    check(instance, execution)


def test_taillard_shops_match_the_static_env_for_every_rule():
    shops = generate("10x10", 4, seed=11)
    for rule in RULES:
        static = [int((s.start_times + i.durations).max()) for s, i in zip(run_rule(shops, rule), shops)]
        assert [e.makespan for e in simulate_rule(shops, rule)] == static


DYNAMICS = st.builds(
    Dynamics,
    shutdowns=st.builds(
        ShutdownModel,
        prob=st.sampled_from([0.0, 0.02, 0.1]),
        repair=st.sampled_from([None, (1, 3), (4, 9)]),
    ),
    interrupt=st.sampled_from(["restart", "resume"]),
    blocking=st.booleans(),
).map(lambda d: dataclasses.replace(d, swap=d.blocking))


@given(
    instances(max_jobs=5, max_machines=4, max_time=9),
    DYNAMICS,
    st.sampled_from(["mwkr", "spt", "random"]),
    st.integers(0, 1000),
)
def test_every_run_passes_the_checker_and_replays_exactly(instance, dynamics, rule, seed):
    first = simulate_rule([instance, instance], rule, dynamics, seeds=[seed, seed + 1])
    again = simulate_rule([instance], rule, dynamics, seeds=[seed])[0]
    for execution in first:
        check(instance, execution)
    assert again.makespan == first[0].makespan  # same seed, same scenario, whatever the batch
    assert (again.dispatch_times == first[0].dispatch_times).all()
    assert (again.windows == first[0].windows).all()


def test_random_scenarios_are_the_same_for_every_method():
    shops = generate("6x6", 2, seed=2)
    dynamics = Dynamics(ShutdownModel(prob=0.02), interrupt="resume")
    by_rule = {rule: simulate_rule(shops, rule, dynamics, seeds=[7, 8]) for rule in ("mwkr", "spt")}
    for first, second in zip(by_rule["mwkr"], by_rule["spt"]):
        horizon = min(first.makespan, second.makespan)
        early = [w.tolist() for w in first.windows if w[1] < horizon]
        assert early == [w.tolist() for w in second.windows if w[1] < horizon] and early


def test_bad_settings_are_refused():
    with pytest.raises(CosolveInputError, match="probability"):
        ShutdownModel(prob=1.5)
    with pytest.raises(CosolveInputError, match="not both"):
        ShutdownModel(prob=0.1, mtbf=10)
    with pytest.raises(CosolveInputError, match="blocking"):
        Dynamics(swap=True)
    with pytest.raises(CosolveInputError, match="interrupt"):
        Dynamics(interrupt="pause")
    state = reset([_instance([[0], [0]], [[5], [5]])], Dynamics())
    step(state, torch.tensor([0]))
    with pytest.raises(ValueError, match="cannot start"):
        step(state, torch.tensor([0]))  # job 0 has no operation left


def test_a_hopeless_restart_setting_stops_with_a_clear_error():
    shop = _instance([[0]], [[99]])
    with pytest.raises(CosolveInputError, match="interrupt resume"):
        simulate_rule([shop], "spt", Dynamics(ShutdownModel(prob=0.5, repair=(1, 1))), seeds=[0])


def test_waiting_moves_to_the_next_event_and_never_stalls():
    shop = _instance([[0, 1], [1, 0]], [[3, 2], [5, 1]])
    state = reset([shop], Dynamics())
    step(state, torch.tensor([0]))  # job 0 on M0 [0, 3); job 1 could take M1 now
    assert state.mask.tolist() == [[False, True]]
    step(state, torch.tensor([WAIT]))  # keep M1 free: on to job 0's completion at 3
    assert int(state.time[0]) == 3 and state.mask.tolist() == [[True, True]]
    idle = reset([_instance([[0], [0]], [[5], [5]])], Dynamics())
    with pytest.raises(ValueError, match="stall"):
        step(idle, torch.tensor([WAIT]))  # nothing runs and nothing fails: waiting never ends
