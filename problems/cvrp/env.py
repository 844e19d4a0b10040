"""The batched CVRP environment: build routes node by node, on tensors.

Node 0 is the depot, nodes ``1..n`` the customers (VRPLIB ids). Every vehicle starts at the
depot; an action is the next node: an unvisited customer whose demand fits the vehicle's
remaining capacity, or the depot (which ends the route and sends out a fresh vehicle). The
depot is not allowed twice in a row while customers remain, so every route is non-empty.
Instances of a batch need different numbers of steps: a finished instance may only
choose the depot, which changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from cosolve.problems.cvrp.instance import Instance, Solution


@dataclass
class State:
    """A batch of partial route sets.

    Attributes:
        distances: ``[B, N, N]`` float64 travel costs (``N = n + 1`` nodes, depot 0).
        demands: ``[B, N]`` int64 (0 for the depot).
        capacity: ``[B]`` int64.
        visited: ``[B, N]`` bool, customers served (the depot entry stays False).
        current: ``[B]`` int64, where each vehicle stands.
        remaining: ``[B]`` int64, capacity left in the current vehicle.
        length: ``[B]`` float64, travelled so far (the final return included once done).
        actions: ``[B, T]`` int64, the nodes chosen so far (depot visits included).
    """

    distances: torch.Tensor
    demands: torch.Tensor
    capacity: torch.Tensor
    visited: torch.Tensor
    current: torch.Tensor
    remaining: torch.Tensor
    length: torch.Tensor
    actions: torch.Tensor

    @property
    def all_served(self) -> torch.Tensor:
        """``[B]`` bool, every customer visited."""
        return self.visited[:, 1:].all(dim=1)

    @property
    def done(self) -> torch.Tensor:
        """``[B]`` bool: every customer served and the vehicle back at the depot."""
        return self.all_served & (self.current == 0)

    @property
    def mask(self) -> torch.Tensor:
        """``[B, N]`` bool, the feasible next nodes."""
        fits = ~self.visited & (self.demands <= self.remaining.unsqueeze(1))
        fits[:, 0] = (self.current != 0) | self.all_served  # a route may end once it served someone
        return fits


def reset(instances: Sequence[Instance], device: str | torch.device = "cpu") -> State:
    """Empty route sets for instances with the same number of customers."""
    distances = torch.as_tensor(np.stack([i.distances for i in instances]), dtype=torch.float64, device=device)
    demands = torch.as_tensor(np.stack([i.demands for i in instances]), dtype=torch.int64, device=device)
    capacity = torch.as_tensor([i.capacity for i in instances], dtype=torch.int64, device=device)
    batch, nodes = demands.shape
    zeros = torch.zeros(batch, dtype=torch.int64, device=device)
    return State(
        distances,
        demands,
        capacity,
        torch.zeros(batch, nodes, dtype=torch.bool, device=device),
        zeros,
        capacity.clone(),
        torch.zeros(batch, dtype=torch.float64, device=device),
        torch.zeros(batch, 0, dtype=torch.int64, device=device),
    )


def step(state: State, actions: torch.Tensor) -> State:
    """Move every vehicle to ``actions`` ``[B]`` (in place); returns the state.

    Raises:
        ValueError: an action is not allowed by ``state.mask``.
    """
    rows = torch.arange(actions.shape[0], device=actions.device)
    if not bool(state.mask[rows, actions].all()):
        raise ValueError("an action is not feasible (served customer, over capacity, or the depot twice)")
    state.length += state.distances[rows, state.current, actions]
    at_depot = actions == 0
    state.remaining = torch.where(at_depot, state.capacity, state.remaining - state.demands[rows, actions])
    state.visited[rows, actions] = ~at_depot | state.visited[rows, actions]
    state.visited[:, 0] = False
    state.current = actions
    state.actions = torch.cat([state.actions, actions.unsqueeze(1)], dim=1)
    return state


def to_solutions(state: State) -> list[Solution]:
    """One :class:`Solution` per instance (call when ``state.done`` holds)."""
    solutions = []
    for row in state.actions.cpu().numpy():
        routes, route = [], []
        for node in row.tolist():
            if node == 0:
                if route:
                    routes.append(route)
                route = []
            else:
                route.append(node)
        if route:
            routes.append(route)
        solutions.append(Solution(routes=routes))
    return solutions
