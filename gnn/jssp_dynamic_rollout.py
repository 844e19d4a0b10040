"""Running a job shop policy on the dynamic job shop: greedy or sampled dispatching at every
decision, the policy seeing only the present (:mod:`cosolve.problems.jssp.dynamic.observe`).

The network is the static job shop's :class:`JobShopPolicy` with wider inputs; a static
checkpoint warm-starts it (:func:`from_static`).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from cosolve.gnn.decode import masked_log_probs, pick
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.problems.jssp.dynamic.env import Dynamics, Execution, play, reset
from cosolve.problems.jssp.dynamic.observe import (
    N_CANDIDATE_FEATURES,
    N_FEATURES,
    STATIC_CANDIDATE_FEATURES,
    STATIC_FEATURES,
    Observation,
    observe,
)
from cosolve.problems.jssp.instance import Instance

PROBLEM = "jssp_dynamic"
"""The checkpoint problem tag of dynamic job shop policies."""


def dynamic_config(hidden: int = 48, layers: int = 3) -> PolicyConfig:
    """The architecture over the dynamic graph."""
    return PolicyConfig(hidden, layers, N_FEATURES, N_CANDIDATE_FEATURES)


def from_static(static: JobShopPolicy) -> JobShopPolicy:
    """A dynamic policy that starts as ``static``: the weights of the features the two graphs
    share are copied, those of the dynamic features start at zero."""
    config = dynamic_config(static.config.hidden, static.config.layers)
    policy = JobShopPolicy(config)
    weights = static.state_dict()
    hidden = config.hidden
    with torch.no_grad():
        for name, tensor in policy.state_dict().items():
            old = weights[name]
            if tensor.shape == old.shape:
                tensor.copy_(old)
            elif name == "embed.weight":
                tensor.zero_()
                tensor[:, :STATIC_FEATURES] = old
            elif name == "scorer.0.weight":
                tensor.zero_()
                tensor[:, : 3 * hidden + STATIC_CANDIDATE_FEATURES] = old
            else:
                raise ValueError(f"cannot carry {name} {tuple(old.shape)} -> {tuple(tensor.shape)}")
    return policy


def check_dynamic_graph(policy: JobShopPolicy) -> str | None:
    """Why ``policy`` cannot dispatch on the dynamic job shop, or None: the ``check`` to pass to
    :func:`~cosolve.gnn.loading.load_policy` with a dynamic checkpoint (problem :data:`PROBLEM`)."""
    if policy.config.node_features != N_FEATURES:
        return "checkpoint was trained on another graph (not the dynamic job shop's)"
    return None


def choose(
    policy: JobShopPolicy, observation: Observation, sample: bool = False, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``[B]`` the jobs to start and their log-probabilities (0 where the instance is done)."""
    logits, _ = policy(observation)
    log_probs = masked_log_probs(logits, observation.mask)
    actions = pick(log_probs, sample, generator)
    live = observation.mask.any(dim=1)
    return actions, torch.where(live, log_probs.gather(1, actions.unsqueeze(1)).squeeze(1), 0.0)


@torch.no_grad()
def simulate_policy(
    policy: JobShopPolicy,
    instances: Sequence[Instance],
    dynamics: Dynamics | None = None,
    seeds: Sequence[int] | None = None,
    device: str = "cpu",
    windows: Sequence[Sequence[tuple[int, int, int]]] | None = None,
) -> list[Execution]:
    """Greedy dispatching by ``policy`` for a batch of same-shape instances, instance ``b`` under
    scenario ``seeds[b]`` (or the given shutdown ``windows``)."""
    policy = policy.to(device).eval()
    state = reset(instances, dynamics, seeds, device, windows)
    return play(state, lambda state: choose(policy, observe(state))[0])[0]
