"""The batched CVRP env agrees with the independent checker and replays the baselines."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cosolve.instances import path_of
from cosolve.problems import cvrp
from cosolve.problems.cvrp.env import reset, step, to_solutions
from cosolve.solve import solve


def _play(state, choose) -> None:
    while not bool(state.done.all()):
        step(state, choose(state))


@given(st.integers(2, 30), st.integers(1, 5), st.integers(0, 10_000))
def test_random_feasible_actions_give_checked_routes_of_the_env_length(n, batch, seed):
    instances = cvrp.generate(str(n), batch, seed=seed % 89)
    state = reset(instances)
    generator = torch.Generator().manual_seed(seed)
    _play(state, lambda s: torch.multinomial(s.mask.double(), 1, generator=generator).squeeze(1))
    for instance, solution, length in zip(instances, to_solutions(state), state.length.tolist()):
        cvrp.check(instance, solution)
        assert cvrp.evaluate(instance, solution) == pytest.approx(length)


def test_replaying_the_savings_routes_gives_their_cost():
    instance = cvrp.read(path_of("cvrp", "A-n32-k5"))
    result = solve("cvrp", [instance], "savings")[0]
    plan = [node for route in result.solution.routes for node in [*route, 0]]
    state = reset([instance])
    for node in plan:
        step(state, torch.tensor([node]))
    assert bool(state.done.all()) and state.length.item() == result.objective
    assert to_solutions(state)[0].routes == [list(route) for route in result.solution.routes]


def test_mask_rules():
    instance = cvrp.Instance(
        "hand", None, torch.tensor([0, 3, 2, 2]).numpy(), 4, (1 - torch.eye(4, dtype=torch.float64)).numpy(), "EXPLICIT"
    )
    state = reset([instance])
    assert state.mask.tolist() == [[False, True, True, True]]  # no empty route
    step(state, torch.tensor([1]))
    assert state.mask.tolist() == [[True, False, False, False]]  # 1 unit left: only back to the depot
    step(state, torch.tensor([0]))
    step(state, torch.tensor([2]))
    assert state.mask.tolist() == [[True, False, False, True]]
    with pytest.raises(ValueError, match="not feasible"):
        step(state, torch.tensor([1]))
    step(state, torch.tensor([3]))
    step(state, torch.tensor([0]))
    assert bool(state.done.all()) and state.length.item() == 5
    assert state.mask.tolist() == [[True, False, False, False]]  # finished: the depot, a no-op
