"""The batched TSP env agrees with the independent checker and the heuristics."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cosolve.baselines.tsp_heuristics import nearest_neighbour
from cosolve.problems import tsp
from cosolve.problems.tsp.env import reset, step, to_solutions


@given(st.integers(3, 25), st.integers(1, 6), st.integers(0, 10_000))
def test_random_feasible_actions_give_checked_tours_of_the_env_length(n, batch, seed):
    instances = tsp.generate(str(n), batch, seed=seed % 97)
    state = reset(instances)
    generator = torch.Generator().manual_seed(seed)
    while not bool(state.done.all()):
        actions = torch.multinomial(state.mask.double(), 1, generator=generator).squeeze(1)
        step(state, actions)
    for instance, solution, length in zip(instances, to_solutions(state), state.length.tolist()):
        tsp.check(instance, solution)
        assert tsp.evaluate(instance, solution) == pytest.approx(length)


def test_greedy_on_the_env_is_nearest_neighbour():
    instances = tsp.generate("30", 5, seed=7)
    state = reset(instances)
    while not bool(state.done.all()):
        step(state, state.distances[torch.arange(5), state.current].masked_fill(~state.mask, float("inf")).argmin(1))
    assert torch.equal(state.tour, nearest_neighbour(state.distances))


def test_invalid_steps_are_refused():
    state = reset(tsp.generate("4", 2, seed=0))
    with pytest.raises(ValueError, match="already on its tour"):
        step(state, torch.tensor([0, 1]))
    for _ in range(3):
        step(state, state.mask.double().argmax(dim=1))
    assert bool(state.done.all())
    with pytest.raises(ValueError, match="complete"):
        step(state, torch.tensor([1, 1]))
