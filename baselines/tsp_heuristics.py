"""Classical TSP construction heuristics and 2-opt, batched over instances of one size.

Every function works on a distance tensor ``[B, n, n]`` and returns tours ``[B, n]`` (int64
permutations starting at node 0), with no Python loop over instances: the loops run over the
``n`` construction steps (or the 2-opt moves), each step a tensor operation on the batch.

- nearest neighbour: from node 0, always to the closest unvisited node;
- farthest insertion: start with the edge 0 -> farthest node; insert the unvisited node
  farthest from the tour, where it lengthens the tour least;
- cheapest insertion: insert the unvisited node (and place) that lengthens the tour least
  (``O(n^3)`` work in all, against ``O(n^2)`` for the other two);
- 2-opt: best-improvement segment reversals until no move shortens any tour.
"""

from __future__ import annotations

import torch

CONSTRUCTIONS = ("nearest", "farthest", "cheapest")
IMPROVEMENT_RTOL = 1e-9
"""2-opt applies a move only when it shortens the tour by more than this fraction of the tour's
length (and more than this much absolutely): float rounding is never taken for a gain."""


def _batch_rows(distances: torch.Tensor) -> torch.Tensor:
    return torch.arange(distances.shape[0], device=distances.device)


def nearest_neighbour(distances: torch.Tensor) -> torch.Tensor:
    """``[B, n]`` nearest-neighbour tours from node 0."""
    batch, n, _ = distances.shape
    rows = _batch_rows(distances)
    visited = torch.zeros(batch, n, dtype=torch.bool, device=distances.device)
    tour = torch.zeros(batch, n, dtype=torch.int64, device=distances.device)
    current = torch.zeros(batch, dtype=torch.int64, device=distances.device)
    visited[:, 0] = True
    for position in range(1, n):
        current = distances[rows, current].masked_fill(visited, float("inf")).argmin(dim=1)
        visited[rows, current] = True
        tour[:, position] = current
    return tour


def _successor_to_tour(successor: torch.Tensor) -> torch.Tensor:
    """``[B, n]`` tour order from a successor array (``successor[b, i]`` follows ``i``)."""
    batch, n = successor.shape
    rows = torch.arange(batch, device=successor.device)
    tour = torch.zeros(batch, n, dtype=torch.int64, device=successor.device)
    for position in range(1, n):
        tour[:, position] = successor[rows, tour[:, position - 1]]
    return tour


def insertion(distances: torch.Tensor, rule: str) -> torch.Tensor:
    """``[B, n]`` tours built by ``farthest`` or ``cheapest`` insertion.

    The tour is a successor array; inserting node ``c`` after tour node ``i`` costs
    ``d[i, c] + d[c, succ[i]] - d[i, succ[i]]``.
    """
    batch, n, _ = distances.shape
    device = distances.device
    rows = _batch_rows(distances)
    successor = torch.arange(n, device=device).repeat(batch, 1)
    in_tour = torch.zeros(batch, n, dtype=torch.bool, device=device)
    first = distances[:, 0, 1:].argmax(dim=1) + 1  # never node 0 itself, even when every distance is 0
    successor[:, 0], successor[rows, first] = first, 0
    in_tour[:, 0] = True
    in_tour[rows, first] = True
    distance_to_tour = torch.minimum(distances[:, 0], distances[rows, first])  # [B, n]
    for _ in range(n - 2):
        if rule == "farthest":  # pick the node first, then only its n insertion places: O(n) per step
            node = distance_to_tour.masked_fill(in_tour, -1.0).argmax(dim=1)
            to_node = distances[rows, node]  # [B, n] d[i, node]
            extra = to_node + to_node.gather(1, successor) - distances.gather(2, successor.unsqueeze(2)).squeeze(2)
            place = extra.masked_fill(~in_tour, float("inf")).argmin(dim=1)
        elif rule == "cheapest":  # every (place, node) pair: O(n^2) per step
            after = distances.gather(1, successor.unsqueeze(2).expand(batch, n, n))  # d[succ[i], c]
            base = distances.gather(2, successor.unsqueeze(2))  # d[i, succ[i]]
            extra = (distances + after - base).masked_fill(~in_tour.unsqueeze(2), float("inf"))
            best_cost, best_place = extra.min(dim=1)  # [B, n] per candidate c
            node = best_cost.masked_fill(in_tour, float("inf")).argmin(dim=1)
            place = best_place[rows, node]
        else:
            raise ValueError(f"unknown insertion rule {rule!r}")
        successor[rows, node] = successor[rows, place]
        successor[rows, place] = node
        in_tour[rows, node] = True
        distance_to_tour = torch.minimum(distance_to_tour, distances[rows, node])
    return _successor_to_tour(successor)


def construct(distances: torch.Tensor, rule: str) -> torch.Tensor:
    """``[B, n]`` tours of one of :data:`CONSTRUCTIONS`."""
    if rule == "nearest":
        return nearest_neighbour(distances)
    return insertion(distances, rule)


def tour_lengths(distances: torch.Tensor, tours: torch.Tensor) -> torch.Tensor:
    """``[B]`` closed-tour lengths."""
    following = tours.roll(-1, dims=1)
    return distances[_batch_rows(distances).unsqueeze(1), tours, following].sum(dim=1)


def two_opt(distances: torch.Tensor, tours: torch.Tensor, max_moves: int | None = None) -> torch.Tensor:
    """Improve ``[B, n]`` tours by best-improvement 2-opt until no move gains (per instance).

    Each round evaluates all ``n^2`` moves of every tour at once (``[B, n, n]``) and applies
    the best one wherever it shortens the tour by more than :data:`IMPROVEMENT_RTOL` of its
    length; ``max_moves`` caps the rounds (default ``10 n``).
    """
    batch, n = tours.shape
    if n < 4:
        return tours
    rows = _batch_rows(distances)
    tours = tours.clone()
    positions = torch.arange(n, device=tours.device)
    upper = torch.triu(torch.ones(n, n, dtype=torch.bool, device=tours.device), diagonal=2)
    upper[0, n - 1] = False  # reversing everything but the first node changes nothing
    for _ in range(max_moves or 10 * n):
        a, b = tours, tours.roll(-1, dims=1)  # edge i: a[i] -> b[i]
        # Replace edges i and j (i < j) by a[i] -> a[j] and b[i] -> b[j].
        d_ab = distances[rows.unsqueeze(1), a, b]  # [B, n]
        d_aa = distances[rows.view(batch, 1, 1), a.unsqueeze(2), a.unsqueeze(1)]  # [B, n, n]
        d_bb = distances[rows.view(batch, 1, 1), b.unsqueeze(2), b.unsqueeze(1)]
        gain = d_ab.unsqueeze(2) + d_ab.unsqueeze(1) - d_aa - d_bb
        gain = gain.masked_fill(~upper, 0.0).view(batch, -1)
        best_gain, best = gain.max(dim=1)
        improving = best_gain > IMPROVEMENT_RTOL * d_ab.sum(dim=1).clamp(min=1.0)
        if not bool(improving.any()):
            break
        i, j = (best // n).unsqueeze(1), (best % n).unsqueeze(1)
        # Reverse positions i+1 .. j of the improving tours.
        inside = (positions > i) & (positions <= j) & improving.unsqueeze(1)
        source = torch.where(inside, i + 1 + j - positions, positions)
        tours = tours.gather(1, source)
    return tours
