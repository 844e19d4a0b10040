"""Running the knapsack policy: greedy, sampled and multi-start selections on the batched env."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from cosolve.gnn.decode import best_of, decode
from cosolve.gnn.knapsack_policy import KnapsackPolicy
from cosolve.problems.knapsack.env import State, reset, step
from cosolve.problems.knapsack.instance import Instance
from cosolve.problems.knapsack.observe import greedy_fill, observe


@torch.no_grad()
def run_selection(
    policy: KnapsackPolicy, state: State, sample: bool = False, generator: torch.Generator | None = None
) -> State:
    """Fill the batch's knapsacks (in place) with the policy until every one is done (a done row
    takes the stop action)."""
    return decode(policy, state, observe, step, sample, generator, to_actions=stop_when_done)


def stop_when_done(state: State, actions: torch.Tensor) -> torch.Tensor:
    """``actions`` ``[B]``, with the stop action in the rows that are done."""
    return torch.where(state.done, state.stop_action, actions)


def start_items(state: State, starts: int) -> torch.Tensor:
    """``[B, starts]`` the first items of a multi-start: the fitting items whose inclusion is
    least clear, those where the ratio greedy's fill (the weight of the items of at least their
    ratio, over the capacity) is closest to 1 (the best one again where fewer fit). Forcing an
    item the greedy takes anyway would only repeat the greedy rollout."""
    doubt = torch.where(state.fits, (greedy_fill(state)[1] - 1.0).abs(), torch.inf)
    best = doubt.topk(min(starts, state.n_items), dim=1, largest=False)
    return torch.where(torch.isfinite(best.values), best.indices, best.indices[:, :1])


def best_selections(
    policy: KnapsackPolicy,
    instances: Sequence[Instance],
    samples: int = 1,
    starts: int = 0,
    device: str = "cpu",
    seed: int = 0,
) -> torch.Tensor:
    """``[B, n]`` bool, the most valuable selection per instance among: the greedy rollout,
    ``starts`` greedy rollouts that first take one of the items of :func:`start_items` each
    (multi-start), and ``samples - 1`` sampled rollouts; each kind in one batch."""
    batch = len(instances)
    greedy = run_selection(policy, reset(instances, device))
    chosen, value = [greedy.chosen.unsqueeze(0)], [greedy.value.unsqueeze(0)]
    if starts > 0:
        firsts = start_items(reset(instances, device), starts)  # [B, S]
        forced = step(reset(list(instances) * firsts.shape[1], device), firsts.T.reshape(-1))
        run_selection(policy, forced)
        chosen.append(forced.chosen.view(firsts.shape[1], batch, -1))
        value.append(forced.value.view(firsts.shape[1], batch))
    if samples > 1:
        generator = torch.Generator(device=device).manual_seed(seed)
        sampled = run_selection(policy, reset(list(instances) * (samples - 1), device), True, generator)
        chosen.append(sampled.chosen.view(samples - 1, batch, -1))
        value.append(sampled.value.view(samples - 1, batch))
    return best_of(torch.cat(value), torch.cat(chosen), maximize=True)[1]
