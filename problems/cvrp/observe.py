"""The graph view of a CVRP state for a GNN (one PyG ``Batch``).

Per instance the graph keeps all ``N = n + 1`` nodes (depot 0, customers 1..n), so that every
state of a batch has the same shape even though instances serve customers at different
speeds; served customers stay as isolated tokens that cannot be chosen. Coordinates are
rescaled to the unit box of the depot, the current node and the unserved customers, so a late
state of a big instance looks like an early state of a small one.

Relations (``edge_type``): 0 ``k``-nearest-neighbour edges among the live tokens (depot,
current node, unserved customers), 1 current node -> every live token, 2 depot -> every live
token.

Token features (``N_FEATURES``): rescaled x, rescaled y, demand / capacity, remaining
capacity / capacity, is-depot, is-current, is-served.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch_geometric.data import Batch

from cosolve.problems.cvrp.env import State
from cosolve.problems.typed_graph import typed_graph_batch

N_FEATURES = 7
N_RELATIONS = 3
K_NEIGHBOURS = 16


@dataclass
class Observation:
    """What a CVRP policy sees.

    Attributes:
        graph: ``x`` ``[B * N, N_FEATURES]``, ``edge_index`` ``[2, E]``, ``edge_type`` ``[E]``,
            ``batch`` ``[B * N]``.
        mask: ``[B, N]`` bool, the feasible next nodes (the actions are node ids).
        current_node: ``[B]`` graph index of each instance's current node.
        depot_node: ``[B]`` graph index of each instance's depot.
        live: ``[B, N]`` bool, the depot, the current node and the unserved customers (the
            tokens of the remaining problem; served customers are padding).
    """

    graph: Batch
    mask: torch.Tensor
    current_node: torch.Tensor
    depot_node: torch.Tensor
    live: torch.Tensor


def observe(state: State, coords: torch.Tensor, k: int = K_NEIGHBOURS) -> Observation:
    """The graphs of a batch of partial route sets.

    Args:
        coords: ``[B, N, 2]`` float32 node coordinates, depot first.
    """
    batch, nodes = state.demands.shape
    device = coords.device
    rows = torch.arange(batch, device=device)
    live = ~state.visited
    live[rows, state.current] = True
    low = torch.where(live.unsqueeze(2), coords, float("inf")).amin(dim=1, keepdim=True)
    high = torch.where(live.unsqueeze(2), coords, float("-inf")).amax(dim=1, keepdim=True)
    span = (high - low).amax(dim=2, keepdim=True).clamp(min=1e-9)
    xy = torch.where(live.unsqueeze(2), (coords - low) / span, 0.0)  # served customers sit at 0
    capacity = state.capacity.float().unsqueeze(1)
    flags = torch.zeros(batch, nodes, 3, device=device)
    flags[:, 0, 0] = 1.0
    flags[rows, state.current, 1] = 1.0
    flags[:, :, 2] = state.visited.float()
    x = torch.cat(
        [
            xy,
            (state.demands.float() / capacity).unsqueeze(2),
            (state.remaining.float().unsqueeze(1) / capacity).expand(batch, nodes).unsqueeze(2),
            flags,
        ],
        dim=2,
    ).view(batch * nodes, N_FEATURES)

    base = (rows * nodes).view(batch, 1, 1)
    gaps = torch.cdist(xy, xy)
    blocked = ~(live.unsqueeze(1) & live.unsqueeze(2)) | torch.eye(nodes, dtype=torch.bool, device=device)
    neighbours = min(k, nodes - 1)
    nearest = gaps.masked_fill(blocked, float("inf")).topk(neighbours, dim=2, largest=False)
    valid = torch.isfinite(nearest.values) & live.unsqueeze(2)
    target = torch.arange(nodes, device=device).view(1, nodes, 1).expand(batch, nodes, neighbours)
    knn = torch.stack([(base + nearest.indices)[valid], (base + target)[valid]])
    live_index = (base.view(batch, 1) + torch.arange(nodes, device=device))[live]
    owner = rows.repeat_interleave(live.sum(dim=1))
    current = (rows * nodes + state.current)[owner]
    depot = (rows * nodes)[owner]
    relations = [knn, torch.stack([current, live_index]), torch.stack([depot, live_index])]
    graph = typed_graph_batch(x, relations, batch, nodes)
    return Observation(graph, state.mask, rows * nodes + state.current, rows * nodes, live)
