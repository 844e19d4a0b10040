"""The batched knapsack environment: fill the knapsacks item by item, on tensors.

Every instance of a batch has the same number of items ``n``. An action is an item index in
``0..n-1`` (an unchosen item that still fits the remaining capacity) or ``n``, the stop action,
which ends the episode. An episode also ends when no unchosen item fits. A finished instance may
only choose stop, which leaves its selection unchanged, so a batch runs until every instance is
done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from cosolve.problems.knapsack.instance import Instance, Solution


@dataclass
class State:
    """A batch of partly filled knapsacks.

    Attributes:
        values: ``[B, n]`` int64 item values.
        weights: ``[B, n]`` int64 item weights.
        capacity: ``[B]`` int64.
        chosen: ``[B, n]`` bool, the items in the knapsack.
        remaining: ``[B]`` int64, capacity left.
        value: ``[B]`` int64, total value of the chosen items (the objective, to maximise).
        stopped: ``[B]`` bool, the stop action was taken.
        steps: number of steps taken (the same across the batch).
    """

    values: torch.Tensor
    weights: torch.Tensor
    capacity: torch.Tensor
    chosen: torch.Tensor
    remaining: torch.Tensor
    value: torch.Tensor
    stopped: torch.Tensor
    steps: int = 0

    @property
    def n_items(self) -> int:
        return int(self.values.shape[1])

    @property
    def stop_action(self) -> int:
        """The index of the stop action, ``n``."""
        return self.n_items

    @property
    def fits(self) -> torch.Tensor:
        """``[B, n]`` bool, the items that may still be added (none once stopped)."""
        return ~self.chosen & (self.weights <= self.remaining.unsqueeze(1)) & ~self.stopped.unsqueeze(1)

    @property
    def done(self) -> torch.Tensor:
        """``[B]`` bool: stopped, or no unchosen item fits."""
        return ~self.fits.any(dim=1)

    @property
    def mask(self) -> torch.Tensor:
        """``[B, n + 1]`` bool, the feasible actions: the items that fit, and stop (always allowed)."""
        stop = torch.ones_like(self.stopped).unsqueeze(1)
        return torch.cat([self.fits, stop], dim=1)


def reset(instances: Sequence[Instance], device: str | torch.device = "cpu") -> State:
    """Empty knapsacks for instances with the same number of items."""
    sizes = {instance.n_items for instance in instances}
    if len(sizes) != 1:
        raise ValueError(f"a batch needs instances with one number of items, got {sorted(sizes)}")
    values = torch.as_tensor(np.stack([i.values for i in instances]), dtype=torch.int64, device=device)
    weights = torch.as_tensor(np.stack([i.weights for i in instances]), dtype=torch.int64, device=device)
    capacity = torch.as_tensor([i.capacity for i in instances], dtype=torch.int64, device=device)
    batch = values.shape[0]
    return State(
        values=values,
        weights=weights,
        capacity=capacity,
        chosen=torch.zeros_like(values, dtype=torch.bool),
        remaining=capacity.clone(),
        value=torch.zeros(batch, dtype=torch.int64, device=device),
        stopped=torch.zeros(batch, dtype=torch.bool, device=device),
    )


def step(state: State, actions: torch.Tensor) -> State:
    """Add the items ``actions`` ``[B]`` (or stop, action ``n``), in place; returns the state.

    Raises:
        ValueError: an action is outside ``0..n`` or not allowed by ``state.mask``.
    """
    n = state.n_items
    if bool(((actions < 0) | (actions > n)).any()):
        raise ValueError(f"actions must be in 0..{n} (item indices, or {n} to stop)")
    rows = torch.arange(actions.shape[0], device=actions.device)
    if not bool(state.mask[rows, actions].all()):
        raise ValueError("an action is not feasible (an item already chosen, or too heavy for the space left)")
    take = actions < n
    item = actions.clamp(max=n - 1)
    state.chosen[rows, item] |= take
    state.remaining -= torch.where(take, state.weights[rows, item], 0)
    state.value += torch.where(take, state.values[rows, item], 0)
    state.stopped |= ~take
    state.steps += 1
    return state


def to_solutions(state: State) -> list[Solution]:
    """One :class:`Solution` (sorted item indices) per instance."""
    return [Solution.from_mask(row) for row in state.chosen.cpu().numpy()]
