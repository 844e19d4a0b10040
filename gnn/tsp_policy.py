"""The TSP construction policy: :class:`~cosolve.gnn.token_net.TokenNet` over the
remaining-problem tokens (BQ-NCO state, see :mod:`cosolve.problems.tsp.observe`), scoring
the unvisited nodes.

Size-agnostic: the same weights handle any number of nodes.
"""

from __future__ import annotations

import torch
from torch import nn

from cosolve.gnn.token_net import TokenNet, TokenNetConfig
from cosolve.problems.tsp.observe import N_FEATURES, N_RELATIONS, Observation


class TspPolicy(nn.Module):
    """Scores the unvisited nodes of a batch of partial tours.

    Shapes:
        - **input:** an :class:`Observation` of ``B`` states with ``m`` unvisited nodes each
        - **output:** logits ``[B, m]`` over ``observation.candidates``
    """

    config_class = TokenNetConfig  # the architecture in checkpoints (see cosolve.gnn.loading)

    def __init__(self, config: TokenNetConfig | None = None):
        super().__init__()
        self.config = config or TokenNetConfig()
        self.net = TokenNet(N_FEATURES, N_RELATIONS, self.config)

    def forward(self, observation: Observation) -> torch.Tensor:
        batch, m = observation.candidates.shape
        scores = self.net(observation.graph, batch, observation.current_token, observation.first_token)
        return scores[:, :m]
