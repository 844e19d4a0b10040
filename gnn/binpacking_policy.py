"""The offline bin packing policy: :class:`~cosolve.gnn.token_net.TokenNet` over the unpacked
items and the bin token (see :mod:`cosolve.problems.binpacking.observe`), scoring the items that may
go into the target bin next (sequential bin filling: the bin is implied by the state).

Size-agnostic: the same weights handle any number of items and any capacity.
"""

from __future__ import annotations

import torch
from torch import nn

from cosolve.gnn.token_net import TokenNet, TokenNetConfig
from cosolve.problems.binpacking.observe import N_FEATURES, N_RELATIONS, Observation

DEFAULT_CONFIG = TokenNetConfig(hidden=64, graph_layers=1, attention_layers=3, heads=4)


class BinPackingPolicy(nn.Module):
    """Scores the next item of a batch of partial packings.

    Shapes:
        - **input:** an :class:`Observation` of ``B`` states with ``n`` items each
          (``graph.x`` ``[B * (L + 1), N_FEATURES]`` for ``L`` item slots, ``items`` ``[B, L]``,
          ``mask`` ``[B, n]``)
        - **output:** logits ``[B, n]`` over the items (``-inf`` where ``mask`` forbids)
    """

    config_class = TokenNetConfig  # the architecture in checkpoints (see cosolve.gnn.loading)

    def __init__(self, config: TokenNetConfig | None = None):
        super().__init__()
        self.config = config or DEFAULT_CONFIG
        self.net = TokenNet(N_FEATURES, N_RELATIONS, self.config)

    def forward(self, observation: Observation) -> torch.Tensor:
        batch = observation.mask.shape[0]
        token = observation.bin_token
        scores = self.net(observation.graph, batch, token, token, padding=observation.padding)  # [B, L + 1]
        n = observation.mask.shape[1]
        slots = observation.items.where(observation.items >= 0, n)  # padding slots to a spare column
        logits = scores.new_full((batch, n + 1), float("-inf")).scatter(1, slots, scores[:, :-1])
        return logits[:, :n].masked_fill(~observation.mask, float("-inf"))
