"""The online bin packing policy: one round of message passing on the item–bin graph.

Each bin the item fits is embedded from its features; these bins send their embeddings to
the item node (PyG mean and max aggregation over the item's edges); the item node combines
them with its own features (which include the histogram of all open bins' rooms); every
candidate bin is then scored from its embedding and the item's. The network is small (a few
thousand weights) because it runs once per arriving item: a 5,000-item stream is 5,000
decisions.

Size-agnostic: the same weights handle any number of bins, items and any capacity.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch_geometric.nn import aggr

from cosolve.problems.binpacking.observe_online import N_BIN_FEATURES, N_ITEM_FEATURES, OnlineObservation


@dataclass(frozen=True)
class OnlinePolicyConfig:
    """Architecture of :class:`OnlinePackingPolicy` (stored in checkpoints)."""

    hidden: int = 32

    def to_dict(self) -> dict:
        return asdict(self)


def mlp(inputs: int, hidden: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, outputs))


class OnlinePackingPolicy(nn.Module):
    """Scores the bins for the arriving item of a batch of online packings.

    Shapes:
        - **input:** an :class:`OnlineObservation` of ``B`` decisions with ``K`` candidate bins
        - **output:** logits ``[B, K]`` over the candidates (``-inf`` on padding)
    """

    config_class = OnlinePolicyConfig  # the architecture in checkpoints (see cosolve.gnn.loading)

    def __init__(self, config: OnlinePolicyConfig | None = None):
        super().__init__()
        self.config = config or OnlinePolicyConfig()
        hidden = self.config.hidden
        self.embed_bin = mlp(N_BIN_FEATURES, hidden, hidden)
        self.pool = aggr.MultiAggregation(["mean", "max"])
        self.embed_item = mlp(N_ITEM_FEATURES + 2 * hidden, hidden, hidden)
        self.score = mlp(2 * hidden, hidden, 1)

    def forward(self, observation: OnlineObservation) -> torch.Tensor:
        batch, width, _ = observation.bins.shape
        bins = self.embed_bin(observation.bins)  # [B, K, H]
        rows = torch.arange(batch, device=bins.device).unsqueeze(1).expand(batch, width)
        pooled = self.pool(bins[observation.mask], rows[observation.mask], dim_size=batch)  # [B, 2H]
        item = self.embed_item(torch.cat([observation.item, pooled], dim=1))  # [B, H]
        scores = self.score(torch.cat([bins, item.unsqueeze(1).expand_as(bins)], dim=2)).squeeze(2)
        return scores.masked_fill(~observation.mask, float("-inf"))
