"""The CVRP construction policy: :class:`~cosolve.gnn.token_net.TokenNet` over the live
nodes (depot, current node, unserved customers; see :mod:`cosolve.problems.cvrp.observe`),
scoring the feasible next nodes.

Size-agnostic: the same weights handle any number of customers.
"""

from __future__ import annotations

import torch
from torch import nn

from cosolve.gnn.token_net import TokenNet, TokenNetConfig
from cosolve.problems.cvrp.observe import N_FEATURES, N_RELATIONS, Observation


class CvrpPolicy(nn.Module):
    """Scores the next node of a batch of partial route sets.

    Shapes:
        - **input:** an :class:`Observation` of ``B`` states with ``N`` nodes each
        - **output:** logits ``[B, N]`` (``-inf`` where ``observation.mask`` is False)
    """

    config_class = TokenNetConfig  # the architecture in checkpoints (see cosolve.gnn.loading)

    def __init__(self, config: TokenNetConfig | None = None):
        super().__init__()
        self.config = config or TokenNetConfig()
        self.net = TokenNet(N_FEATURES, N_RELATIONS, self.config)

    def forward(self, observation: Observation) -> torch.Tensor:
        batch = observation.mask.shape[0]
        scores = self.net(
            observation.graph, batch, observation.current_node, observation.depot_node, padding=~observation.live
        )
        return scores.masked_fill(~observation.mask, float("-inf"))
