"""The TSP construction policy: a relational GNN over the remaining-problem graph (BQ-NCO
state, see :mod:`cosolve.problems.tsp.observe`) and a scorer over the unvisited nodes.

Size-agnostic: the same weights handle any number of nodes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from cosolve.gnn.relational_conv import RelationalConv
from cosolve.problems.tsp.observe import N_FEATURES, N_RELATIONS, Observation


@dataclass(frozen=True)
class TspPolicyConfig:
    """Architecture of :class:`TspPolicy` (stored in checkpoints)."""

    hidden: int = 64
    layers: int = 4

    def to_dict(self) -> dict:
        return asdict(self)


class TspPolicy(nn.Module):
    """Scores the unvisited nodes of a batch of partial tours.

    Shapes:
        - **input:** an :class:`Observation` of ``B`` states with ``m`` unvisited nodes each
        - **output:** logits ``[B, m]`` over ``observation.candidates``
    """

    def __init__(self, config: TspPolicyConfig | None = None):
        super().__init__()
        self.config = config or TspPolicyConfig()
        hidden = self.config.hidden
        self.embed = nn.Linear(N_FEATURES, hidden)
        self.convs = nn.ModuleList([RelationalConv(hidden, N_RELATIONS) for _ in range(self.config.layers)])
        self.scorer = nn.Sequential(nn.Linear(3 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, observation: Observation) -> torch.Tensor:
        graph = observation.graph
        h = self.embed(graph.x)
        for conv in self.convs:
            h = conv(h, graph.edge_index, graph.edge_type)
        batch, m = observation.candidates.shape
        tokens = h.view(batch, m + 2, -1)
        current = h[observation.current_token].unsqueeze(1).expand(batch, m, -1)
        first = h[observation.first_token].unsqueeze(1).expand(batch, m, -1)
        return self.scorer(torch.cat([tokens[:, :m], current, first], dim=2)).squeeze(2)
