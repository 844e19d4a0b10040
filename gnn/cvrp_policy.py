"""The CVRP construction policy: a relational GNN over the live nodes (depot, current node,
unserved customers; see :mod:`cosolve.problems.cvrp.observe`) and a scorer over the nodes.

Size-agnostic: the same weights handle any number of customers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from cosolve.gnn.relational_conv import RelationalConv
from cosolve.problems.cvrp.observe import N_FEATURES, N_RELATIONS, Observation


@dataclass(frozen=True)
class CvrpPolicyConfig:
    """Architecture of :class:`CvrpPolicy` (stored in checkpoints)."""

    hidden: int = 64
    layers: int = 4

    def to_dict(self) -> dict:
        return asdict(self)


class CvrpPolicy(nn.Module):
    """Scores the next node of a batch of partial route sets.

    Shapes:
        - **input:** an :class:`Observation` of ``B`` states with ``N`` nodes each
        - **output:** logits ``[B, N]`` (``-inf`` where ``observation.mask`` is False)
    """

    def __init__(self, config: CvrpPolicyConfig | None = None):
        super().__init__()
        self.config = config or CvrpPolicyConfig()
        hidden = self.config.hidden
        self.embed = nn.Linear(N_FEATURES, hidden)
        self.convs = nn.ModuleList([RelationalConv(hidden, N_RELATIONS) for _ in range(self.config.layers)])
        self.scorer = nn.Sequential(nn.Linear(3 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, observation: Observation) -> torch.Tensor:
        graph = observation.graph
        h = self.embed(graph.x)
        for conv in self.convs:
            h = conv(h, graph.edge_index, graph.edge_type)
        batch, nodes = observation.mask.shape
        current = h[observation.current_node].unsqueeze(1).expand(batch, nodes, -1)
        depot = h[observation.depot_node].unsqueeze(1).expand(batch, nodes, -1)
        logits = self.scorer(torch.cat([h.view(batch, nodes, -1), current, depot], dim=2)).squeeze(2)
        return logits.masked_fill(~observation.mask, float("-inf"))
