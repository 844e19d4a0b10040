"""Running the offline bin packing policy: greedy and sampled packings on the batched env
(``mode="offline"``, sequential bin filling: the policy picks an item, the target bin is implied)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.errors import CosolveInputError
from cosolve.gnn.binpacking_policy import BinPackingPolicy
from cosolve.gnn.routing_net import RoutingNetConfig
from cosolve.problems.binpacking.env import State, reset, step
from cosolve.problems.binpacking.instance import Instance
from cosolve.problems.binpacking.observe import item_actions, observe

PROBLEM = "binpacking_offline"
"""The checkpoint's problem name."""


def load_binpacking_policy(path: str | Path, device: str = "cpu") -> BinPackingPolicy:
    """The policy of an offline bin packing checkpoint (problem ``binpacking_offline``), in eval
    mode on ``device``."""
    payload = load_checkpoint(path, PROBLEM)
    try:
        policy = BinPackingPolicy(RoutingNetConfig(**payload["policy"]["config"]))
        policy.load_state_dict(payload["weights"])
    except (TypeError, RuntimeError) as error:
        raise CosolveInputError(f"checkpoint does not fit this version's policy: {str(error)[:120]}", path) from None
    return policy.to(device).eval()


@torch.no_grad()
def run_packing(
    policy: BinPackingPolicy, state: State, sample: bool = False, generator: torch.Generator | None = None
) -> State:
    """Pack every item of the batch (in place; ``state`` of ``mode="offline"``, possibly partly
    packed, with the same number of items packed in every instance): ``n - steps`` policy steps,
    the argmax item or one drawn from the policy's distribution. Returns the state."""
    while state.steps < state.n_items:
        logits = policy(observe(state))
        if sample:
            items = torch.multinomial(torch.softmax(logits, dim=1), 1, generator=generator).squeeze(1)
        else:
            items = logits.argmax(dim=1)
        step(state, item_actions(state, items))
    return state


def best_packings(
    policy: BinPackingPolicy,
    instances: Sequence[Instance],
    samples: int = 1,
    device: str = "cpu",
    seed: int = 0,
    chunk: int = 256,
) -> torch.Tensor:
    """``[B, n]`` int64 bin numbers (``0..bins-1``): the packing with the fewest bins per instance
    among the greedy rollout and ``samples - 1`` sampled rollouts (ties: the earlier one, the
    greedy first). Instances must share ``n``. The sampled rollouts run in batches of at most
    ``chunk`` rollouts (whole copies of the instance list; at least one copy), to bound the
    ``[rollouts, n, n]`` tensors of the observation."""
    batch = len(instances)
    greedy = run_packing(policy, reset(instances, device, mode="offline"))
    best, bins = greedy.assignment.clone(), greedy.n_open.clone()
    if samples > 1:
        generator = torch.Generator(device=device).manual_seed(seed)
        copies = max(1, chunk // max(batch, 1))
        left = samples - 1
        while left > 0:
            now = min(copies, left)
            state = reset(list(instances) * now, device, mode="offline")
            run_packing(policy, state, True, generator)
            assignment = state.assignment.view(now, batch, -1)
            counts = state.n_open.view(now, batch)
            for copy in range(now):
                better = counts[copy] < bins
                best[better], bins[better] = assignment[copy][better], counts[copy][better]
            left -= now
    return best
