"""The knapsack construction policy: :class:`~cosolve.gnn.token_net.TokenNet` over the
remaining items and a stop token (see :mod:`cosolve.problems.knapsack.observe`), scoring the
items that fit and stop.

Size-agnostic: the same weights handle any number of items.
"""

from __future__ import annotations

import torch
from torch import nn

from cosolve.gnn.token_net import TokenNet, TokenNetConfig
from cosolve.problems.knapsack.observe import N_FEATURES, N_RELATIONS, Observation

DEFAULT_CONFIG = TokenNetConfig(hidden=64, graph_layers=1, attention_layers=3, heads=4)


class KnapsackPolicy(nn.Module):
    """Scores the next action of a batch of partly filled knapsacks.

    Shapes:
        - **input:** an :class:`Observation` of ``B`` states with ``n`` items each
        - **output:** logits ``[B, n + 1]`` (item indices, then stop; ``-inf`` where infeasible)
    """

    config_class = TokenNetConfig  # the architecture in checkpoints (see cosolve.gnn.loading)

    def __init__(self, config: TokenNetConfig | None = None):
        super().__init__()
        self.config = config or DEFAULT_CONFIG
        self.net = TokenNet(N_FEATURES, N_RELATIONS, self.config)

    def forward(self, observation: Observation) -> torch.Tensor:
        batch = observation.mask.shape[0]
        stop = observation.stop_token
        scores = self.net(observation.graph, batch, stop, stop, padding=observation.padding)
        return scores.masked_fill(~observation.mask, float("-inf"))

    def load_weights(self, weights: dict[str, torch.Tensor]) -> None:
        """Load a checkpoint's ``weights``, also those of a policy from before the lookahead
        features, which then acts exactly as it was trained (:func:`load_narrower_weights`)."""
        load_narrower_weights(self, weights)


def load_narrower_weights(policy: KnapsackPolicy, weights: dict[str, torch.Tensor]) -> KnapsackPolicy:
    """Load ``weights`` of a policy that read fewer features (the first ones of this version's
    observation, e.g. a checkpoint from before the lookahead features) into ``policy``: the
    embedding columns of the new features start at zero, so the policy first acts as the old
    one did, and fine-tuning learns what the new features add. Returns ``policy``.

    Raises:
        ValueError: the parameter names differ, a tensor other than the input embedding
            differs in shape, or the old embedding is wider than the new one.
    """
    state = policy.state_dict()
    if set(weights) != set(state):
        raise ValueError(f"the parameter names differ: {sorted(set(weights) ^ set(state))[:4]}")
    for name, tensor in weights.items():
        target = state[name]
        if tensor.shape == target.shape:
            target.copy_(tensor)
        elif name == "net.embed.weight" and tensor.shape[0] == target.shape[0] and tensor.shape[1] < target.shape[1]:
            target.zero_()
            target[:, : tensor.shape[1]] = tensor
        else:
            raise ValueError(f"{name}: shape {tuple(tensor.shape)} does not fit {tuple(target.shape)}")
    policy.load_state_dict(state)
    return policy
