"""Running the CVRP policy: greedy, sampled and augmented route sets on the batched env."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.errors import CosolveInputError
from cosolve.gnn.cvrp_policy import CvrpPolicy
from cosolve.gnn.routing_net import RoutingNetConfig
from cosolve.gnn.tsp_rollout import symmetries
from cosolve.problems.cvrp.env import State, reset, step, to_solutions
from cosolve.problems.cvrp.instance import Instance, Solution
from cosolve.problems.cvrp.observe import observe
from cosolve.problems.planar_embedding import planar_embedding


def load_cvrp_policy(path: str | Path, device: str = "cpu") -> CvrpPolicy:
    """The policy of a CVRP checkpoint, in eval mode on ``device``."""
    payload = load_checkpoint(path, "cvrp")
    try:
        policy = CvrpPolicy(RoutingNetConfig(**payload["policy"]["config"]))
        policy.load_state_dict(payload["weights"])
    except (TypeError, RuntimeError) as error:
        raise CosolveInputError(f"checkpoint does not fit this version's policy: {str(error)[:120]}", path) from None
    return policy.to(device).eval()


@torch.no_grad()
def run_routes(policy: CvrpPolicy, state: State, coords: torch.Tensor, sample: bool = False, generator=None) -> State:
    """Complete the batch's route sets (in place) with the policy; returns the state."""
    while not bool(state.done.all()):
        logits = policy(observe(state, coords))
        if sample:
            actions = torch.multinomial(torch.softmax(logits, dim=1), 1, generator=generator).squeeze(1)
        else:
            actions = logits.argmax(dim=1)
        step(state, actions)
    return state


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
    points = [planar_embedding(i.distances) if i.coords is None else i.coords for i in instances]
    coords = torch.as_tensor(np.stack(points), dtype=torch.float32, device=device)  # matrix-only files: embedded
    views = symmetries(coords) if augment else coords.unsqueeze(0)
    n_views, batch = views.shape[0], len(instances)
    greedy = run_routes(policy, reset(list(instances) * n_views, device), views.flatten(0, 1))
    candidates, costs = to_solutions(greedy), [greedy.length]
    if samples > 1:
        copies = (samples - 1) * n_views
        generator = torch.Generator(device=device).manual_seed(seed)
        state = reset(list(instances) * copies, device)
        state = run_routes(policy, state, views.repeat(samples - 1, 1, 1, 1).flatten(0, 1), True, generator)
        candidates += to_solutions(state)
        costs.append(state.length)
    best = torch.cat(costs).view(-1, batch).argmin(dim=0).tolist()
    return [candidates[choice * batch + index] for index, choice in enumerate(best)]
