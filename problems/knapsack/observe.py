"""The graph view of a knapsack state for a GNN (one PyG ``Batch``).

The state is the *remaining problem*: the items that still fit the capacity left, and that
capacity. Per instance the graph has ``n + 1`` tokens: the ``n`` items in file order (those
chosen or too heavy are padding: isolated, and no token attends to them), then a stop token.
Features are scale-free, so a policy trained on some sizes and ranges reads others:

- weight / capacity left;
- value / the largest value among the live items;
- value-per-weight ratio / the largest live ratio;
- the ratio rank among the live items, 0 (best) to 1 (worst);
- greedy fill: the total weight of the live items whose ratio is at least this item's,
  divided by the capacity left (the ratio greedy takes the item while this is <= 1; the
  optimum differs from it around the item where it crosses 1);
- is-stop (the stop token also carries the live items' total weight / capacity left in the
  first feature);
- the one-step lookahead of the pilot method (:mod:`cosolve.problems.knapsack.completion`:
  take the item, then the ratio greedy on the rest): the value the completion adds / the
  largest such value among the live items; the completion's shortfall below the best
  completion / the largest live value; the capacity it leaves unused / the capacity left; and
  whether it is a best completion (1 or 0).

The first six features are those of the first shipped policy; the lookahead came after them
(see :func:`cosolve.gnn.knapsack_policy.load_narrower_weights`).

Relations (``edge_type``): 0 ``k`` nearest live items in (ratio, greedy fill) space, 1 stop
-> every live item, 2 every live item -> stop.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch_geometric.data import Batch

from cosolve.problems.knapsack.completion import greedy_completions
from cosolve.problems.knapsack.env import State
from cosolve.problems.typed_graph import typed_graph_batch

N_FEATURES = 10
N_RELATIONS = 3
K_NEIGHBOURS = 8


@dataclass
class Observation:
    """What a knapsack policy sees.

    Attributes:
        graph: ``x`` ``[B * (n + 1), N_FEATURES]``, ``edge_index``, ``edge_type``.
        mask: ``[B, n + 1]`` bool, the feasible actions (items that fit, and stop).
        stop_token: ``[B]`` graph index of each instance's stop token.
        padding: ``[B, n + 1]`` bool, tokens outside the remaining problem.
    """

    graph: Batch
    mask: torch.Tensor
    stop_token: torch.Tensor
    padding: torch.Tensor


def greedy_fill(state: State) -> tuple[torch.Tensor, torch.Tensor]:
    """``rank`` ``[B, n]`` int64 (each item's place by decreasing value/weight ratio, the items
    that fit first) and ``fill`` ``[B, n]`` float64: the weight of the fitting items of at least
    an item's ratio over the capacity left (the ratio greedy takes the item while it is <= 1)."""
    batch, n = state.values.shape
    live = state.fits
    ratio = torch.where(live, state.values.double() / state.weights.double(), -1.0)
    order = ratio.argsort(dim=1, descending=True, stable=True)
    rank = torch.empty_like(order).scatter_(1, order, torch.arange(n, device=order.device).expand(batch, n))
    weights = torch.where(live, state.weights.double(), 0.0)
    fill = weights.gather(1, order).cumsum(dim=1).gather(1, rank) / state.remaining.clamp(min=1).double().unsqueeze(1)
    return rank, fill


def observe(state: State, k: int = K_NEIGHBOURS) -> Observation:
    """The graphs of a batch of partly filled knapsacks."""
    batch, n = state.values.shape
    device = state.values.device
    tokens = n + 1
    live = state.fits
    left = state.remaining.clamp(min=1).double().unsqueeze(1)
    weights, values = state.weights.double(), state.values.double()
    ratio = values / weights
    live_ratio = torch.where(live, ratio, -1.0)
    rank, fill = greedy_fill(state)
    count = live.sum(dim=1, keepdim=True).clamp(min=1)
    live_weights = torch.where(live, weights, 0.0)
    largest_value = torch.where(live, values, 0.0).amax(dim=1, keepdim=True).clamp(min=1e-9)
    largest_ratio = live_ratio.amax(dim=1, keepdim=True).clamp(min=1e-9)
    completions = greedy_completions(state)
    best = completions.value.amax(dim=1, keepdim=True)
    added = (completions.value - state.value.unsqueeze(1)).double()
    shortfall = (best - completions.value).double()
    items = torch.stack(
        [
            weights / left,
            values / largest_value,
            ratio / largest_ratio,
            rank.double() / count,
            fill,
            torch.zeros_like(fill),
            added / added.amax(dim=1, keepdim=True).clamp(min=1.0),
            shortfall / largest_value,
            completions.unused.double() / left,
            (completions.value == best).double(),
        ],
        dim=2,
    )
    items = torch.where(live.unsqueeze(2), items, 0.0).clamp(max=10.0)
    stop = torch.zeros(batch, 1, N_FEATURES, dtype=torch.float64, device=device)
    stop[:, 0, 0] = (live_weights.sum(dim=1, keepdim=True) / left).clamp(max=10.0).squeeze(1)
    stop[:, 0, 5] = 1.0
    x = torch.cat([items, stop], dim=1).float().view(batch * tokens, N_FEATURES)

    base = (torch.arange(batch, device=device) * tokens).view(batch, 1, 1)
    space = torch.stack([items[:, :, 2], items[:, :, 4]], dim=2).float()
    gaps = torch.cdist(space, space)
    blocked = ~(live.unsqueeze(1) & live.unsqueeze(2)) | torch.eye(n, dtype=torch.bool, device=device)
    neighbours = min(k, max(n - 1, 1))
    nearest = gaps.masked_fill(blocked, float("inf")).topk(neighbours, dim=2, largest=False)
    valid = torch.isfinite(nearest.values) & live.unsqueeze(2)
    target = torch.arange(n, device=device).view(1, n, 1).expand(batch, n, neighbours)
    knn = torch.stack([(base + nearest.indices)[valid], (base + target)[valid]])
    live_index = (base.view(batch, 1) + torch.arange(n, device=device))[live]
    stop_index = (torch.arange(batch, device=device) * tokens + n).repeat_interleave(live.sum(dim=1))
    relations = [knn, torch.stack([stop_index, live_index]), torch.stack([live_index, stop_index])]
    graph = typed_graph_batch(x, relations, batch, tokens)
    padding = torch.cat([~live, torch.zeros(batch, 1, dtype=torch.bool, device=device)], dim=1)
    stop_token = torch.arange(batch, device=device) * tokens + n
    return Observation(graph, state.mask, stop_token, padding)
