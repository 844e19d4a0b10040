"""Running the CVRP policy: greedy, sampled and augmented route sets on the batched env."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from cosolve.gnn.cvrp_policy import CvrpPolicy
from cosolve.gnn.decode import best_of, coordinates, decode, views
from cosolve.problems.cvrp.env import State, reset, step, to_solutions
from cosolve.problems.cvrp.instance import Instance, Solution
from cosolve.problems.cvrp.observe import observe


@torch.no_grad()
def run_routes(policy: CvrpPolicy, state: State, coords: torch.Tensor, sample: bool = False, generator=None) -> State:
    """Complete the batch's route sets (in place) with the policy; returns the state."""
    return decode(policy, state, lambda state: observe(state, coords), step, sample, generator)


def best_routes(
    policy: CvrpPolicy,
    instances: Sequence[Instance],
    samples: int = 1,
    device: str = "cpu",
    seed: int = 0,
    augment: bool = False,
) -> list[Solution]:
    """The cheapest route set per instance among greedy runs (of each of the 8 symmetric views
    with ``augment``) and ``samples - 1`` sampled runs per view, all in one batch."""
    every_view = views(coordinates(instances, device), augment)  # matrix-only files: embedded
    n_views, batch = every_view.shape[0], len(instances)
    greedy = run_routes(policy, reset(list(instances) * n_views, device), every_view.flatten(0, 1))
    candidates, costs = to_solutions(greedy), [greedy.length]
    if samples > 1:
        copies = (samples - 1) * n_views
        generator = torch.Generator(device=device).manual_seed(seed)
        state = reset(list(instances) * copies, device)
        state = run_routes(policy, state, every_view.repeat(samples - 1, 1, 1, 1).flatten(0, 1), True, generator)
        candidates += to_solutions(state)
        costs.append(state.length)
    return best_of(torch.cat(costs).view(-1, batch), candidates)[1]
