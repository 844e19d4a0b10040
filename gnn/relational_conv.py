"""A relational graph convolution with one weight matrix per edge type."""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.utils import scatter


class RelationalConv(nn.Module):
    r"""Residual relational message passing with mean aggregation per relation.

    .. math::
        h_v' = h_v + \mathrm{MLP}\Big(W_0 h_v + \sum_r \frac{1}{|N_r(v)|} \sum_{u \in N_r(v)} W_r h_u\Big)

    Args:
        channels: node embedding size (input = output).
        relations: number of edge types.

    Shapes:
        - **input:** node embeddings ``[N, channels]``, ``edge_index`` ``[2, E]``,
          ``edge_type`` ``[E]`` with values in ``0..relations-1``
        - **output:** ``[N, channels]``
    """

    def __init__(self, channels: int, relations: int):
        super().__init__()
        self.relations = relations
        self.channels = channels
        self.transform = nn.Linear(channels, channels * (relations + 1))
        self.update = nn.Sequential(nn.LayerNorm(channels), nn.ReLU(), nn.Linear(channels, channels))

    def reset_parameters(self) -> None:
        self.transform.reset_parameters()
        for module in self.update:
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor) -> torch.Tensor:
        n_nodes = x.shape[0]
        projected = self.transform(x).view(n_nodes, self.relations + 1, self.channels)
        source, target = edge_index
        messages = projected[source, edge_type + 1]  # [E, channels]
        slots = target * self.relations + edge_type
        pooled = scatter(messages, slots, dim=0, dim_size=n_nodes * self.relations, reduce="mean")
        combined = projected[:, 0] + pooled.view(n_nodes, self.relations, self.channels).sum(dim=1)
        return x + self.update(combined)
