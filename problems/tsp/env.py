"""The batched TSP environment: build tours node by node, on tensors.

Every instance of a batch has the same number of nodes ``n``; tours start at node 0 unless
:func:`reset` is given other start nodes (a tour is a cycle, so the start does not change
its length, but a construction policy builds a different tour from each start). One :func:`step` appends one
node to every tour; after ``n - 1`` steps the tours are closed and ``done``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from cosolve.problems.tsp.instance import Instance, Solution


@dataclass
class State:
    """A batch of partial tours.

    Attributes:
        distances: ``[B, n, n]`` float64 edge weights.
        visited: ``[B, n]`` bool, nodes already on the tour.
        tour: ``[B, n]`` int64, the tour so far (entries past ``position`` are 0).
        current: ``[B]`` int64, the last node of each tour.
        length: ``[B]`` float64, the length so far (closing edge included once done).
        position: number of nodes on every tour (the same across the batch).
    """

    distances: torch.Tensor
    visited: torch.Tensor
    tour: torch.Tensor
    current: torch.Tensor
    length: torch.Tensor
    position: int

    @property
    def n_nodes(self) -> int:
        return int(self.distances.shape[1])

    @property
    def mask(self) -> torch.Tensor:
        """``[B, n]`` bool, the nodes that may come next."""
        return ~self.visited

    @property
    def done(self) -> torch.Tensor:
        """``[B]`` bool."""
        return torch.full_like(self.current, self.position >= self.n_nodes, dtype=torch.bool)


def reset(
    instances: Sequence[Instance], device: str | torch.device = "cpu", starts: torch.Tensor | None = None
) -> State:
    """Fresh tours for instances of one size, at node 0 or at ``starts`` ``[B]``."""
    distances = torch.as_tensor(np.stack([i.distances for i in instances]), dtype=torch.float64, device=device)
    batch, n, _ = distances.shape
    first = torch.zeros(batch, dtype=torch.int64, device=device) if starts is None else starts.to(device)
    visited = torch.zeros(batch, n, dtype=torch.bool, device=device)
    visited[torch.arange(batch, device=device), first] = True
    tour = torch.zeros(batch, n, dtype=torch.int64, device=device)
    tour[:, 0] = first
    return State(distances, visited, tour, first.clone(), torch.zeros(batch, dtype=torch.float64, device=device), 1)


def step(state: State, actions: torch.Tensor) -> State:
    """Append ``actions`` ``[B]`` (unvisited nodes) to the tours, in place; returns the state.

    Raises:
        ValueError: an action is a visited node, or the tours are already complete.
    """
    if state.position >= state.n_nodes:
        raise ValueError("the tours are complete")
    rows = torch.arange(actions.shape[0], device=actions.device)
    if bool(state.visited[rows, actions].any()):
        raise ValueError("an action names a node already on its tour")
    state.length += state.distances[rows, state.current, actions]
    state.visited[rows, actions] = True
    state.tour[:, state.position] = actions
    state.current = actions
    state.position += 1
    if state.position == state.n_nodes:
        state.length += state.distances[rows, actions, state.tour[:, 0]]
    return state


def to_solutions(state: State) -> list[Solution]:
    """One :class:`Solution` per instance (call when ``state.done`` holds)."""
    return [Solution(tour=row) for row in state.tour.cpu().numpy()]
