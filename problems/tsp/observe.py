"""The graph view of a TSP state for a GNN (the BQ-NCO state, as one PyG ``Batch``).

The state of a partial tour is the *remaining problem*: the unvisited nodes, the current
node (where the path stands) and the first node (where it must return). Per instance the
graph has ``m + 2`` tokens: the ``m`` unvisited nodes in increasing id, then the current and
the first node (the same node at the first step). Coordinates are rescaled to the unit box
of these tokens, so a late step of a large instance looks like an early step of a small
one: this is what lets a policy trained on 100 nodes work on 1,000.

Relations (``edge_type``): 0 ``k``-nearest-neighbour edges among the tokens (neighbour ->
token), 1 current -> every token, 2 first -> every token.

Token features (``N_FEATURES``): rescaled x, rescaled y, is-current, is-first, rescaled
distance to the current node, rescaled distance to the first node (what nearest-neighbour
and insertion heuristics look at, given directly rather than left to be learned).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch_geometric.data import Batch

from cosolve.problems.tsp.env import State
from cosolve.problems.typed_graph import typed_graph_batch

N_FEATURES = 6
N_RELATIONS = 3
K_NEIGHBOURS = 16


@dataclass
class Observation:
    """What a TSP policy sees.

    Attributes:
        graph: ``x`` ``[B * T, N_FEATURES]``, ``edge_index`` ``[2, E]``, ``edge_type`` ``[E]``,
            ``batch`` ``[B * T]`` with ``T = m + 2`` tokens per instance.
        candidates: ``[B, m]`` node id of each unvisited token (the actions).
        current_token: ``[B]`` graph index of each instance's current-node token.
        first_token: ``[B]`` graph index of each instance's first-node token.
    """

    graph: Batch
    candidates: torch.Tensor
    current_token: torch.Tensor
    first_token: torch.Tensor


def token_coordinates(coords: torch.Tensor) -> torch.Tensor:
    """``[B, T, 2]`` coordinates rescaled to ``[0, 1]`` per instance (aspect ratio kept)."""
    low = coords.amin(dim=1, keepdim=True)
    span = (coords.amax(dim=1, keepdim=True) - low).amax(dim=2, keepdim=True).clamp(min=1e-9)
    return (coords - low) / span


def observe(state: State, coords: torch.Tensor, k: int = K_NEIGHBOURS, window: int | None = None) -> Observation:
    """The graphs of a batch of partial tours.

    Args:
        coords: ``[B, n, 2]`` node coordinates of the instances.
        window: when more nodes than this are unvisited, only the ``window`` unvisited nodes
            nearest to the current node are candidates (and tokens): a large instance is
            then decided on a neighbourhood of the size the policy was trained on, at a cost
            per step that no longer grows with ``n``.
    """
    batch, n = state.visited.shape
    device = coords.device
    m = n - state.position
    rows = torch.arange(batch, device=device)
    if window is not None and m > window:
        reach = state.distances[rows, state.current].masked_fill(state.visited, float("inf"))
        candidates = reach.topk(window, dim=1, largest=False).indices.sort(dim=1).values
        m = window
    else:
        candidates = (~state.visited).nonzero()[:, 1].view(batch, m)
    nodes = torch.cat([candidates, state.current.unsqueeze(1), state.tour[:, :1]], dim=1)  # [B, T]
    tokens = m + 2
    xy = token_coordinates(coords[rows.unsqueeze(1), nodes].float())
    flags = torch.zeros(batch, tokens, 2, device=device)
    flags[:, m, 0] = 1.0
    flags[:, m + 1, 1] = 1.0
    to_current = (xy - xy[:, m : m + 1]).norm(dim=2, keepdim=True)
    to_first = (xy - xy[:, m + 1 : m + 2]).norm(dim=2, keepdim=True)
    x = torch.cat([xy, flags, to_current, to_first], dim=2).view(batch * tokens, N_FEATURES)

    base = (rows * tokens).view(batch, 1, 1)
    neighbours = min(k, tokens - 1)
    gaps = torch.cdist(xy, xy).diagonal_scatter(
        torch.full((batch, tokens), float("inf"), device=device), dim1=1, dim2=2
    )
    nearest = gaps.topk(neighbours, dim=2, largest=False).indices  # [B, T, k]
    target = torch.arange(tokens, device=device).view(1, tokens, 1).expand(batch, tokens, neighbours)
    knn = torch.stack([(base + nearest).reshape(-1), (base + target).reshape(-1)])
    every = (base.view(batch, 1) + torch.arange(tokens, device=device)).reshape(-1)
    current = (rows * tokens + m).repeat_interleave(tokens)
    first = (rows * tokens + m + 1).repeat_interleave(tokens)
    relations = [knn, torch.stack([current, every]), torch.stack([first, every])]
    graph = typed_graph_batch(x, relations, batch, tokens)
    return Observation(graph, candidates, rows * tokens + m, rows * tokens + m + 1)
