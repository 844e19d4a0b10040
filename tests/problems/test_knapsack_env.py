"""The batched knapsack env agrees with the independent checker and replays the greedy."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cosolve.baselines.knapsack_greedy import ratio_greedy, ratio_priority
from cosolve.problems import knapsack
from cosolve.problems.knapsack.env import reset, step, to_solutions


def _play(state, choose) -> int:
    steps = 0
    while not bool(state.done.all()):
        step(state, choose(state))
        steps += 1
    return steps


@given(st.sampled_from(["uncorrelated", "weak", "strong", "subset"]), st.integers(1, 40), st.integers(1, 6),
       st.integers(0, 10_000), st.floats(0.0, 0.3))  # fmt: skip
def test_random_feasible_actions_give_checked_selections_of_the_env_value(kind, n, batch, seed, stop_weight):
    instances = knapsack.generate(f"{kind}{n}", batch, seed=seed % 101)
    state = reset(instances)
    generator = torch.Generator().manual_seed(seed)

    def choose(s):
        weights = s.mask.double()
        weights[:, -1] *= stop_weight  # stop now and then, with probability about stop_weight / feasible items
        weights[s.done, -1] = 1.0
        return torch.multinomial(weights, 1, generator=generator).squeeze(1)

    _play(state, choose)
    for k, (instance, solution) in enumerate(zip(instances, to_solutions(state))):
        knapsack.check(instance, solution)
        assert knapsack.evaluate(instance, solution) == int(state.value[k])
        assert int(state.remaining[k]) == instance.capacity - int(instance.weights[solution.items].sum())
        assert (np.diff(solution.items) > 0).all() and solution.items.dtype == np.int64
        if not bool(state.stopped[k]):  # ended because nothing fits
            left = np.setdiff1d(np.arange(n), solution.items)
            assert (instance.weights[left] > int(state.remaining[k])).all()


def test_mask_rules_and_stop():
    instance = knapsack.Instance("hand", np.array([5, 4, 3]), np.array([4, 3, 2]), 6)
    other = knapsack.Instance("other", np.array([1, 1, 1]), np.array([7, 7, 7]), 6)  # nothing ever fits
    state = reset([instance, other])
    assert state.mask.tolist() == [[True, True, True, True], [False, False, False, True]]
    assert state.done.tolist() == [False, True] and state.stop_action == 3
    step(state, torch.tensor([0, 3]))  # the finished instance may only stop: a no-op
    assert state.mask.tolist() == [[False, False, True, True], [False, False, False, True]]
    assert state.value.tolist() == [5, 0] and state.remaining.tolist() == [2, 6]
    with pytest.raises(ValueError, match="not feasible"):
        step(state, torch.tensor([1, 3]))  # weight 3 > 2 left
    with pytest.raises(ValueError, match="not feasible"):
        step(state, torch.tensor([2, 0]))  # the finished instance may not add items
    with pytest.raises(ValueError, match=r"actions must be in 0\.\.3"):
        step(state, torch.tensor([4, 3]))
    step(state, torch.tensor([2, 3]))
    assert state.done.all() and state.value.tolist() == [8, 0] and state.remaining.tolist() == [0, 6]
    assert [s.items.tolist() for s in to_solutions(state)] == [[0, 2], []]


def test_stop_ends_an_episode_early():
    state = reset([knapsack.Instance("s", np.array([5, 4]), np.array([1, 1]), 10)])
    step(state, torch.tensor([1]))
    step(state, torch.tensor([2]))
    assert bool(state.done.all()) and bool(state.stopped.all()) and state.mask.tolist() == [[False, False, True]]
    assert to_solutions(state)[0].items.tolist() == [1] and state.steps == 2


def test_reset_needs_one_size():
    with pytest.raises(ValueError, match="one number of items"):
        reset(knapsack.generate("5", 1, seed=0) + knapsack.generate("6", 1, seed=0))


@pytest.mark.parametrize("size", ["uncorrelated60", "weak60", "strong60", "subset60"])
def test_the_ratio_rule_on_the_env_replays_the_plain_greedy(size):
    instances = knapsack.generate(size, 16, seed=4)
    state = reset(instances)
    _play(state, lambda s: ratio_priority(s).masked_fill(~s.mask, -torch.inf).argmax(dim=1))
    values = torch.as_tensor(np.stack([i.values for i in instances]))
    weights = torch.as_tensor(np.stack([i.weights for i in instances]))
    capacity = torch.as_tensor([i.capacity for i in instances])
    assert torch.equal(state.chosen, ratio_greedy(values, weights, capacity, best_single=False))
