"""Assembling a batch of equal-sized graphs with typed edges, as the problems' ``observe`` do."""

from __future__ import annotations

import torch
from torch_geometric.data import Batch


def typed_graph_batch(x: torch.Tensor, relations: list[torch.Tensor], batch: int, nodes: int) -> Batch:
    """One PyG ``Batch`` of ``batch`` graphs of ``nodes`` nodes each.

    Args:
        x: ``[batch * nodes, F]`` node features, graph by graph.
        relations: one ``[2, E_r]`` (source, target) edge index per relation, with global node
            indices; relation ``r`` becomes ``edge_type == r``.
    """
    device = x.device
    edge_type = torch.cat(
        [torch.full((edges.shape[1],), kind, dtype=torch.int64, device=device) for kind, edges in enumerate(relations)]
    )
    return Batch(
        x=x,
        edge_index=torch.cat(relations, dim=1),
        edge_type=edge_type,
        batch=torch.arange(batch, device=device).repeat_interleave(nodes),
        ptr=torch.arange(batch + 1, device=device) * nodes,
    )
