"""The token network shared by the TSP, CVRP, knapsack and offline bin packing construction
policies (BQ-NCO style).

A state is a set of tokens per instance (for routing: the remaining nodes plus the current node
and the depot / first node; for knapsack and bin packing: the items and the knapsack / bin, see
the problems' ``observe``). The network embeds the token features,
runs relational message passing over the PyG graph (``k``-nearest-neighbour edges give each
token its local geometry; the current and anchor relations tell every token where the path
stands), then full self-attention among the tokens of each instance (global structure: what
decides a good tour is rarely among the 16 nearest nodes alone), and scores each token
against the current and anchor tokens.

The same weights handle any number of tokens.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch_geometric.data import Batch

from cosolve.gnn.relational_conv import RelationalConv


@dataclass(frozen=True)
class TokenNetConfig:
    """Architecture of :class:`TokenNet` (stored in checkpoints)."""

    hidden: int = 128
    graph_layers: int = 1
    attention_layers: int = 6
    heads: int = 8

    def to_dict(self) -> dict:
        return asdict(self)


class TokenNet(nn.Module):
    """Scores every token of a batch of routing states.

    Args:
        features: token feature size of the observation.
        relations: number of edge types of the observation graph.

    Shapes:
        - **input:** ``graph`` with ``x`` ``[B * T, features]``, ``edge_index``, ``edge_type``;
          ``current`` and ``anchor`` ``[B]`` graph indices of each instance's current and
          anchor (first node or depot) token; ``padding`` ``[B, T]`` bool, True for tokens
          that no other token may attend to (or None)
        - **output:** scores ``[B, T]``
    """

    def __init__(self, features: int, relations: int, config: TokenNetConfig):
        super().__init__()
        self.config = config
        hidden = config.hidden
        self.embed = nn.Linear(features, hidden)
        self.convs = nn.ModuleList([RelationalConv(hidden, relations) for _ in range(config.graph_layers)])
        self.attention = nn.ModuleList(
            [
                nn.TransformerEncoderLayer(
                    hidden, config.heads, 4 * hidden, dropout=0.0, batch_first=True, norm_first=True
                )
                for _ in range(config.attention_layers)
            ]
        )
        self.norm = nn.LayerNorm(hidden)
        self.scorer = nn.Sequential(nn.Linear(3 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(
        self,
        graph: Batch,
        batch: int,
        current: torch.Tensor,
        anchor: torch.Tensor,
        padding: torch.Tensor | None = None,
    ) -> torch.Tensor:
        h = self.embed(graph.x)
        for conv in self.convs:
            h = conv(h, graph.edge_index, graph.edge_type)
        tokens = h.view(batch, -1, h.shape[1])
        for layer in self.attention:
            tokens = layer(tokens, src_key_padding_mask=padding)
        tokens = self.norm(tokens)
        flat = tokens.reshape(-1, tokens.shape[2])
        size = tokens.shape[1]
        here = flat[current].unsqueeze(1).expand(-1, size, -1)
        goal = flat[anchor].unsqueeze(1).expand(-1, size, -1)
        return self.scorer(torch.cat([tokens, here, goal], dim=2)).squeeze(2)
