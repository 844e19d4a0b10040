"""The batched bin packing environment: pack the items one at a time, on tensors.

Every instance of a batch has the same number of items ``n``; all items are known from the start.
There are at most ``n`` bins, numbered in the order they are opened: bins ``0..open-1`` hold items
and bin ``open`` is the one empty bin an action may choose (opening it); the other empty bins are
masked, which removes the symmetric choices among empty bins. Each step packs one item, so every
instance finishes after exactly ``n`` steps and a batch never waits for its slowest member.

Two modes:

* ``online``: the items come in the file's order; an action ``[B]`` is the bin ``0..n-1`` for the
  current item (``state.steps``). ``mask`` is ``[B, n]``.
* ``offline``: an action chooses an unpacked item and a bin at once, encoded as ``item * n + bin``
  (``0..n*n-1``). ``mask`` is ``[B, n * n]`` (item-major: ``mask.view(B, n, n)[b, item, bin]``), so
  keep ``B n^2`` moderate (about 1e8 booleans for ``B = 100`` and ``n = 1000``).

The objective is the number of open bins, ``state.n_open`` (to minimise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from cosolve.problems.binpacking.instance import Instance, Solution

MODES = ("online", "offline")


@dataclass
class State:
    """A batch of partial packings.

    Attributes:
        weights: ``[B, n]`` int64 item weights.
        capacity: ``[B]`` int64 bin capacities.
        loads: ``[B, n]`` int64, the load of each bin (0 for bins not yet opened).
        assignment: ``[B, n]`` int64, the bin of each item, ``-1`` while unpacked.
        n_open: ``[B]`` int64, the number of bins in use (the objective).
        mode: ``online`` or ``offline``.
        steps: items packed so far (the same across the batch).
    """

    weights: torch.Tensor
    capacity: torch.Tensor
    loads: torch.Tensor
    assignment: torch.Tensor
    n_open: torch.Tensor
    mode: str = "online"
    steps: int = 0

    @property
    def n_items(self) -> int:
        return int(self.weights.shape[1])

    @property
    def packed(self) -> torch.Tensor:
        """``[B, n]`` bool, the items already in a bin."""
        return self.assignment >= 0

    @property
    def done(self) -> torch.Tensor:
        """``[B]`` bool: every item is packed (after ``n`` steps, for the whole batch at once)."""
        return torch.full_like(self.n_open, self.steps >= self.n_items, dtype=torch.bool)

    @property
    def usable(self) -> torch.Tensor:
        """``[B, n]`` bool, the bins an item may go to: the open ones and the next empty one."""
        bins = torch.arange(self.n_items, device=self.loads.device)
        return bins.unsqueeze(0) <= self.n_open.unsqueeze(1)

    @property
    def current(self) -> torch.Tensor:
        """``[B]`` int64, the item to pack now in ``online`` mode (clamped to ``n-1`` once done)."""
        index = min(self.steps, self.n_items - 1)
        return torch.full_like(self.n_open, index)

    def fits(self, item_weights: torch.Tensor) -> torch.Tensor:
        """``[B, n]`` bool, the usable bins with room for items of ``item_weights`` ``[B]``."""
        room = self.capacity.unsqueeze(1) - self.loads
        return self.usable & (room >= item_weights.unsqueeze(1))

    @property
    def mask(self) -> torch.Tensor:
        """The feasible actions: ``[B, n]`` bins (online) or ``[B, n * n]`` item-bin pairs (offline);
        all ``False`` once done."""
        if self.steps >= self.n_items:
            width = self.n_items if self.mode == "online" else self.n_items**2
            return torch.zeros(self.weights.shape[0], width, dtype=torch.bool, device=self.weights.device)
        if self.mode == "online":
            return self.fits(self.weights[:, self.steps])
        room = self.capacity.unsqueeze(1) - self.loads  # [B, bins]
        pairs = (self.weights.unsqueeze(2) <= room.unsqueeze(1)) & self.usable.unsqueeze(1)  # [B, items, bins]
        return (pairs & ~self.packed.unsqueeze(2)).flatten(1)

    @property
    def objective(self) -> torch.Tensor:
        """``[B]`` int64, the number of bins used so far."""
        return self.n_open


def reset_tensors(weights: torch.Tensor, capacity: torch.Tensor, mode: str = "online") -> State:
    """Empty bins for ``weights`` ``[B, n]`` int64 (each ``1..capacity``) and ``capacity`` ``[B]`` int64."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (choose from {', '.join(MODES)})")
    return State(
        weights=weights,
        capacity=capacity,
        loads=torch.zeros_like(weights),
        assignment=torch.full_like(weights, -1),
        n_open=torch.zeros_like(capacity),
        mode=mode,
    )


def reset(instances: Sequence[Instance], device: str | torch.device = "cpu", mode: str = "online") -> State:
    """Empty bins for instances with the same number of items."""
    sizes = {instance.n_items for instance in instances}
    if len(sizes) != 1:
        raise ValueError(f"a batch needs instances with one number of items, got {sorted(sizes)}")
    weights = torch.as_tensor(np.stack([i.weights for i in instances]), dtype=torch.int64, device=device)
    capacity = torch.as_tensor([i.capacity for i in instances], dtype=torch.int64, device=device)
    return reset_tensors(weights, capacity, mode)


def step(state: State, actions: torch.Tensor) -> State:
    """Pack one item per instance, in place; returns the state.

    Args:
        actions: ``[B]`` int64: bins (online) or ``item * n + bin`` (offline).

    Raises:
        ValueError: the episode is over, or an action is out of range or not allowed by ``state.mask``.
    """
    n = state.n_items
    if state.steps >= n:
        raise ValueError("every item is packed: the episode is over")
    width = n if state.mode == "online" else n * n
    if bool(((actions < 0) | (actions >= width)).any()):
        raise ValueError(f"actions must be in 0..{width - 1}")
    rows = torch.arange(actions.shape[0], device=actions.device)
    if not bool(state.mask[rows, actions].all()):
        raise ValueError("an action is not feasible (a full bin, an unopened bin, or an item already packed)")
    if state.mode == "online":
        items, bins = state.current, actions
    else:
        items, bins = actions // n, actions % n
    state.loads[rows, bins] += state.weights[rows, items]
    state.assignment[rows, items] = bins
    state.n_open = torch.maximum(state.n_open, bins + 1)
    state.steps += 1
    return state


def to_solutions(state: State) -> list[Solution]:
    """One :class:`Solution` per instance of a finished state (bins in opening order)."""
    if state.steps < state.n_items:
        raise ValueError(f"the packing is unfinished ({state.steps} of {state.n_items} items packed)")
    return [Solution.from_assignment(row) for row in state.assignment.cpu().numpy()]
