"""Running the offline bin packing policy: greedy and sampled packings on the batched env
(``mode="offline"``, sequential bin filling: the policy picks an item, the target bin is implied)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from cosolve.gnn.binpacking_policy import BinPackingPolicy
from cosolve.gnn.decode import best_of, chunks, decode
from cosolve.problems.binpacking.env import State, reset, step
from cosolve.problems.binpacking.instance import Instance
from cosolve.problems.binpacking.observe import item_actions, observe

PROBLEM = "binpacking_offline"
"""The checkpoint's problem name."""


@torch.no_grad()
def run_packing(
    policy: BinPackingPolicy, state: State, sample: bool = False, generator: torch.Generator | None = None
) -> State:
    """Pack every item of the batch (in place; ``state`` of ``mode="offline"``, possibly partly
    packed, with the same number of items packed in every instance): ``n - steps`` policy steps,
    the argmax item or one drawn from the policy's distribution. Returns the state."""
    return decode(policy, state, observe, step, sample, generator, to_actions=item_actions, finished=all_packed)


def all_packed(state: State) -> bool:
    """Whether every item of the batch is packed (the same number in every instance)."""
    return state.steps >= state.n_items


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
    bins, best = greedy.n_open, greedy.assignment
    generator = torch.Generator(device=device).manual_seed(seed)
    for copies in chunks(samples - 1, max(1, chunk // max(batch, 1))):
        state = run_packing(policy, reset(list(instances) * copies, device, mode="offline"), True, generator)
        bins, best = best_of(
            torch.cat([bins, state.n_open]).view(-1, batch),
            torch.cat([best, state.assignment]).view(copies + 1, batch, -1),
        )
    return best
