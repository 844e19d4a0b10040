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

    def forward_neighbours(self, x: torch.Tensor, neighbours: torch.Tensor) -> torch.Tensor:
        """The same layer on a graph where each node has at most one neighbour per relation (a
        schedule's job and machine predecessors and successors), without scatters: the mean over
        one neighbour is that neighbour. Equal to :meth:`forward` on that graph's arcs.

        Shapes:
            - **input:** ``x`` ``[N, channels]``, ``neighbours`` ``[relations, N]`` int64: node ``v``'s
              neighbour in relation ``r`` (``-1``: none)
            - **output:** ``[N, channels]``
        """
        n_nodes, slots = x.shape[0], self.relations + 1
        projected = self.transform(x)  # [N, slots * channels]
        rows = torch.cat([projected.view(n_nodes * slots, self.channels), projected.new_zeros(1, self.channels)])
        relation = torch.arange(1, slots, device=x.device).unsqueeze(1)
        index = torch.where(neighbours >= 0, neighbours * slots + relation, n_nodes * slots)  # [relations, N]
        messages = rows[index.view(-1)].view(self.relations, n_nodes, self.channels).sum(dim=0)
        return x + self.update(projected.view(n_nodes, slots, self.channels)[:, 0] + messages)
