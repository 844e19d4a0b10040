"""The learned job shop search: chains of N5 moves picked by the improvement policy.

Each instance gets ``chains`` chains started from its schedule; all chains of the batch step
together (one policy call per step for the whole batch), each move drawn from the policy's softmax
(L2S tests with one sampled chain). The best schedule any chain of an instance has seen is kept,
so the result is never worse than the start.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import torch

from cosolve import interrupt
from cosolve.gnn.decode import masked_log_probs, pick
from cosolve.gnn.jssp_improve_policy import ImprovePolicy
from cosolve.problems.jssp import improve as mdp
from cosolve.problems.jssp.instance import Instance, Solution


def choose(logits: torch.Tensor, mask: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """``[B]`` a sampled move per chain (a chain with no allowed move gets 0, which the env ignores)."""
    return pick(masked_log_probs(logits, mask), sample=True, generator=generator)


@torch.no_grad()
def improve(
    policy: ImprovePolicy,
    instances: Sequence[Instance],
    starts: Sequence[Solution],
    steps: int | None = None,
    time_limit_s: float | None = None,
    chains: int = 1,
    seed: int = 0,
    device: str | torch.device = "cpu",
    stats: dict | None = None,
) -> list[Solution]:
    """Improve the schedules ``starts`` of the same-shape ``instances``; the best schedule of each.

    Stops after ``steps`` moves per chain or ``time_limit_s`` seconds for the whole batch,
    whichever comes first (one of them is needed; at least one step is made), or on Ctrl-C.
    ``stats``, when given, receives ``steps`` and ``seconds``.
    """
    if steps is None and time_limit_s is None:
        raise ValueError("give a number of steps or a time limit")
    begin = time.perf_counter()
    copies = [instance for instance in instances for _ in range(chains)]
    state = mdp.start(copies, [solution for solution in starts for _ in range(chains)])
    generator = torch.Generator(device=device).manual_seed(seed)
    with interrupt.stoppable(lambda: None):
        while steps is None or state.steps < steps:
            if state.steps and (
                interrupt.requested() or time_limit_s is not None and time.perf_counter() - begin >= time_limit_s
            ):
                break
            if state.done.all():
                break
            observation = mdp.observe(state, device)
            chosen = choose(policy(observation), observation.mask, generator)
            mdp.step(state, chosen.cpu().numpy())
    if stats is not None:
        stats.update(steps=state.steps, seconds=time.perf_counter() - begin)
    best = state.best.reshape(len(instances), chains).argmin(axis=1) + np.arange(len(instances)) * chains
    return [mdp.solution_from_orders(instance, state.best_orders[b]) for instance, b in zip(instances, best)]
