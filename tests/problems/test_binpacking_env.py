"""The batched bin packing env agrees with the independent checker, in both modes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cosolve.problems import binpacking
from cosolve.problems.binpacking.env import reset, step, to_solutions


def _random_instances(seed: int, n: int, batch: int, capacity: int) -> list[binpacking.Instance]:
    rng = np.random.default_rng(seed)
    return [binpacking.Instance(f"r{k}", rng.integers(1, capacity + 1, size=n), capacity) for k in range(batch)]


@given(st.sampled_from(["online", "offline"]), st.integers(1, 25), st.integers(1, 5), st.integers(1, 60),
       st.integers(0, 10_000))  # fmt: skip
def test_random_feasible_actions_give_checked_packings_of_the_env_bin_count(mode, n, batch, capacity, seed):
    instances = _random_instances(seed, n, batch, capacity)
    state = reset(instances, mode=mode)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(n):
        assert not bool(state.done.any())
        step(state, torch.multinomial(state.mask.double(), 1, generator=generator).squeeze(1))
    assert bool(state.done.all()) and not bool(state.mask.any())
    for k, (instance, solution) in enumerate(zip(instances, to_solutions(state))):
        binpacking.check(instance, solution)
        assert binpacking.evaluate(instance, solution) == int(state.n_open[k]) == int(state.objective[k])
        loads = sorted(int(instance.weights[items].sum()) for items in solution.bins)
        assert loads == sorted(state.loads[k, : int(state.n_open[k])].tolist())


def test_online_mask_allows_open_bins_with_room_and_one_new_bin():
    instance = binpacking.Instance("hand", np.array([6, 5, 5, 6]), 10)
    state = reset([instance])
    assert state.mask.tolist() == [[True, False, False, False]]  # only bin 0 (the new one) at first
    step(state, torch.tensor([0]))
    assert state.mask.tolist() == [[False, True, False, False]]  # 6 + 5 > 10: a new bin
    with pytest.raises(ValueError, match="not feasible"):
        step(state, torch.tensor([0]))
    with pytest.raises(ValueError, match="not feasible"):
        step(state, torch.tensor([2]))  # an unopened bin that is not the next one
    step(state, torch.tensor([1]))
    assert state.mask.tolist() == [[False, True, True, False]]  # 5 fits bin 1 (5 + 5), not bin 0 (6 + 5)
    step(state, torch.tensor([1]))
    step(state, torch.tensor([2]))
    assert state.n_open.tolist() == [3] and state.assignment.tolist() == [[0, 1, 1, 2]]
    with pytest.raises(ValueError, match="episode is over"):
        step(state, torch.tensor([0]))
    assert to_solutions(state)[0].bins == [[0], [1, 2], [3]]


def test_offline_actions_pick_an_item_and_a_bin():
    instance = binpacking.Instance("hand", np.array([6, 5, 4]), 10)
    state = reset([instance], mode="offline")
    n = 3
    assert state.mask.view(1, n, n).tolist() == [[[True, False, False]] * 3]
    step(state, torch.tensor([2 * n + 0]))  # item 2 into bin 0
    mask = state.mask.view(n, n).tolist()
    assert mask == [[True, True, False], [True, True, False], [False, False, False]]
    with pytest.raises(ValueError, match="not feasible"):
        step(state, torch.tensor([2 * n + 1]))  # item 2 is packed already
    with pytest.raises(ValueError, match=r"actions must be in 0\.\.8"):
        step(state, torch.tensor([9]))
    step(state, torch.tensor([0 * n + 0]))
    step(state, torch.tensor([1 * n + 1]))
    assert to_solutions(state)[0].bins == [[0, 2], [1]]


def test_reset_needs_one_size_and_a_known_mode():
    with pytest.raises(ValueError, match="one number of items"):
        reset(binpacking.generate("u5", 1, 0) + binpacking.generate("u6", 1, 0))
    with pytest.raises(ValueError, match="unknown mode"):
        reset(binpacking.generate("u5", 1, 0), mode="batch")
    with pytest.raises(ValueError, match="unfinished"):
        to_solutions(reset(binpacking.generate("u5", 1, 0)))
