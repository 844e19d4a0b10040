"""The lookahead (pilot) dispatcher of the dynamic job shop: state copies, copies that know only
the present, the rollout's cost-improving property, checker-valid runs."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cosolve.baselines.jssp_dynamic_pilot import (
    lookahead_makespans,
    pilot_choice,
    pilot_decider,
    without_future_shutdowns,
)
from cosolve.baselines.jssp_dynamic_rules import dispatch, simulate_rule
from cosolve.errors import CosolveInputError
from cosolve.instances import path_of
from cosolve.problems.jssp import generate, read
from cosolve.problems.jssp.dynamic.check import check
from cosolve.problems.jssp.dynamic.env import Dynamics, play, reset, select, step
from cosolve.problems.jssp.dynamic.shutdowns import NEVER, ShutdownModel

torch.set_num_threads(1)
SHOPS = st.builds(
    lambda size, seed: generate(size, 1, seed=seed)[0], st.sampled_from(["3x3", "4x3", "5x4"]), st.integers(0, 10**6)
)
BLOCKING = Dynamics(ShutdownModel(prob=0.05), interrupt="resume", blocking=True, swap=True)


def _finish(state, rule):
    while not bool(state.done.all()):
        step(state, dispatch(state, rule))
    return state


def test_a_selected_copy_goes_on_exactly_like_the_original():
    shops = generate("6x6", 2, seed=4)
    state = reset(shops, BLOCKING, seeds=[3, 9])
    for _ in range(5):
        step(state, dispatch(state, "spt"))
    copies = select(state, torch.tensor([1, 0, 1]))
    _finish(copies, "mor")
    original = _finish(state, "mor")
    assert copies.makespan.tolist() == [original.makespan[1], original.makespan[0], original.makespan[1]]
    assert torch.equal(copies.dispatch_times[0], original.dispatch_times[1])
    assert torch.equal(copies.log_start[2], original.log_start[1])


def test_a_copy_shares_nothing_with_the_original():
    state = reset(generate("6x6", 1, seed=1), BLOCKING, seeds=[5])
    before = state.dispatch_times.clone(), state.time.clone()
    _finish(select(state, torch.tensor([0])), "spt")
    assert torch.equal(state.dispatch_times, before[0]) and torch.equal(state.time, before[1])


def test_copies_without_future_shutdowns_keep_the_present_repair_only():
    state = reset(generate("6x6", 1, seed=1), BLOCKING, seeds=[5])
    while not bool(state.down.any()):
        step(state, dispatch(state, "spt"))
    down = state.down.clone()
    copy = without_future_shutdowns(select(state, torch.tensor([0])))
    assert torch.equal(copy.window_end[down], state.window_end[down])
    assert (copy.window_start[~down] == NEVER).all()
    _finish(copy, "spt")
    started = copy.window_index + copy.down.long()
    assert torch.equal(started, state.window_index + state.down.long())  # no window after the present one


@settings(max_examples=25, deadline=None)
@given(SHOPS, st.booleans(), st.sampled_from(["mor", "spt", "lwkr"]))
def test_without_shutdowns_the_pilot_never_ends_after_its_rule(instance, blocking, rule):
    # The rollout's cost-improving property: with a deterministic shop and rule, starting the job
    # of the best lookahead never ends later than following the rule throughout.
    dynamics = Dynamics(blocking=blocking, swap=blocking)
    executions, _ = play(reset([instance], dynamics), pilot_decider([rule]))
    check(instance, executions[0])
    assert executions[0].makespan <= simulate_rule([instance], rule, dynamics)[0].makespan


@settings(max_examples=10, deadline=None)
@given(SHOPS, st.integers(0, 100))
def test_pilot_runs_under_shutdowns_pass_the_checker(instance, seed):
    dynamics = dataclasses.replace(BLOCKING, shutdowns=ShutdownModel(prob=0.1))
    state = reset([instance, instance], dynamics, seeds=[seed, seed + 1])
    for execution in play(state, pilot_decider())[0]:
        check(instance, execution)


def test_lookahead_scores_only_the_jobs_that_can_start():
    state = reset(generate("6x6", 2, seed=3), BLOCKING, seeds=[1, 2])
    step(state, dispatch(state, "spt"))
    scores = lookahead_makespans(state)
    assert torch.equal(torch.isfinite(scores), state.mask)
    mask_before = state.mask.clone()
    lookahead_makespans(state)
    assert torch.equal(state.mask, mask_before)


def test_an_unknown_pilot_rule_is_a_user_error():
    with pytest.raises(CosolveInputError, match="unknown rule"):
        pilot_decider(["nope"])


@settings(max_examples=10, deadline=None)
@given(SHOPS, st.integers(0, 100))
def test_the_pilot_skipping_instances_without_a_choice_chooses_as_the_full_lookahead(instance, seed):
    state = reset([instance, instance], BLOCKING, seeds=[seed, seed + 1])
    while not bool(state.done.all()):
        full = lookahead_makespans(state).argmin(dim=1)
        chosen = pilot_choice(state)
        live = ~state.done
        assert torch.equal(chosen[live], full[live])
        step(state, chosen)


def test_the_pilot_on_blocking_without_swaps_counts_deadlocks_instead_of_crashing():
    """Regression: where every copy deadlocked (blocking, no swaps) the pilot picked job 0,
    which could not start, and the run stopped on a ValueError."""
    instance = read(path_of("jssp", "ft06"))
    dynamics = Dynamics(shutdowns=ShutdownModel(prob=0.02), blocking=True, swap=False)
    executions, _ = play(reset([instance] * 3, dynamics, seeds=[1, 2, 3]), pilot_decider())
    for execution in executions:
        if not execution.deadlocked:
            check(instance, execution)
    assert any(execution.deadlocked for execution in executions)
