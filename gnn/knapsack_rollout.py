"""Running the knapsack policy: greedy, sampled and multi-start selections on the batched env."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.errors import CosolveInputError
from cosolve.gnn.knapsack_policy import KnapsackPolicy, load_narrower_weights
from cosolve.gnn.routing_net import RoutingNetConfig
from cosolve.problems.knapsack.env import State, reset, step
from cosolve.problems.knapsack.instance import Instance
from cosolve.problems.knapsack.observe import greedy_fill, observe


def load_knapsack_policy(path: str | Path, device: str = "cpu") -> KnapsackPolicy:
    """The policy of a knapsack checkpoint, in eval mode on ``device``. A checkpoint from before
    the lookahead features acts exactly as it was trained (those inputs get zero weights)."""
    payload = load_checkpoint(path, "knapsack")
    try:
        policy = KnapsackPolicy(RoutingNetConfig(**payload["policy"]["config"]))
        load_narrower_weights(policy, payload["weights"])
    except (TypeError, RuntimeError, ValueError) as error:
        raise CosolveInputError(f"checkpoint does not fit this version's policy: {str(error)[:120]}", path) from None
    return policy.to(device).eval()


@torch.no_grad()
def run_selection(
    policy: KnapsackPolicy, state: State, sample: bool = False, generator: torch.Generator | None = None
) -> State:
    """Fill the batch's knapsacks (in place) with the policy until every one is done."""
    while not bool(state.done.all()):
        logits = policy(observe(state))
        if sample:
            actions = torch.multinomial(torch.softmax(logits, dim=1), 1, generator=generator).squeeze(1)
        else:
            actions = logits.argmax(dim=1)
        step(state, torch.where(state.done, state.stop_action, actions))
    return state


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
    every, values = torch.cat(chosen), torch.cat(value)
    return every[values.argmax(dim=0), torch.arange(batch, device=values.device)]
