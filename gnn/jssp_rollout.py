"""Running the job shop policy: greedy and sampled rollouts on the batched env."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.errors import CosolveInputError
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.problems.jssp.env import reset, step, to_solutions
from cosolve.problems.jssp.instance import Instance, Solution
from cosolve.problems.jssp.observe import observe

MAX_NODES_PER_CALL = 400_000
"""Sampled rollouts run in chunks of copies so that one forward pass stays below this many nodes."""


def load_policy(path: str | Path, device: str = "cpu") -> JobShopPolicy:
    """The policy of a job shop checkpoint, in eval mode on ``device``."""
    payload = load_checkpoint(path, "jssp")
    if payload["policy"]["name"] != "JobShopPolicy":
        raise CosolveInputError(f"checkpoint holds a {payload['policy']['name']}, not a JobShopPolicy", path)
    try:
        policy = JobShopPolicy(PolicyConfig(**payload["policy"]["config"]))
        policy.load_state_dict(payload["weights"])
    except (TypeError, RuntimeError) as error:
        raise CosolveInputError(f"checkpoint does not fit this version's policy: {str(error)[:120]}", path) from None
    return policy.to(device).eval()


@torch.no_grad()
def rollout(
    policy: JobShopPolicy,
    instances: Sequence[Instance],
    device: str = "cpu",
    sample: bool = False,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, list[Solution]]:
    """One episode per instance (same shape): greedy, or sampling from the policy.

    Returns:
        makespans ``[N]`` (on the CPU) and the schedules.
    """
    state = reset(instances, device)
    while not bool(state.done.all()):
        logits, _ = policy(observe(state))
        if sample:
            actions = torch.multinomial(torch.softmax(logits, dim=1), 1, generator=generator).squeeze(1)
        else:
            actions = logits.argmax(dim=1)
        step(state, actions)
    return state.makespan.cpu(), to_solutions(state)


def best_of_samples(
    policy: JobShopPolicy, instances: Sequence[Instance], samples: int, device: str = "cpu", seed: int = 0
) -> list[Solution]:
    """The best of a greedy rollout and ``samples - 1`` sampled ones, per instance.

    Copies of all instances run together in as few batches as :data:`MAX_NODES_PER_CALL` allows.
    """
    best_makespan, best = rollout(policy, instances, device)
    best = list(best)
    n_jobs, n_machines = instances[0].shape
    copies_per_call = max(1, MAX_NODES_PER_CALL // (len(instances) * (n_jobs * n_machines + n_machines)))
    generator = torch.Generator(device=device).manual_seed(seed)
    remaining = samples - 1
    while remaining > 0:
        copies = min(copies_per_call, remaining)
        makespans, solutions = rollout(policy, list(instances) * copies, device, sample=True, generator=generator)
        for index, makespan in enumerate(makespans.tolist()):
            instance = index % len(instances)
            if makespan < best_makespan[instance]:
                best_makespan[instance] = makespan
                best[instance] = solutions[index]
        remaining -= copies
    return best
