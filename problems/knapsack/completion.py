"""Greedy completions of a knapsack state: a one-step lookahead, batched on tensors.

For every item ``i`` that still fits, the *completion* of ``i`` takes ``i``, then goes once
through the other live items by decreasing value/weight ratio (ties: lower index first) and
takes every one that still fits (the skip greedy of :func:`cosolve.baselines.knapsack_greedy.ratio_greedy`:
an item that does not fit is passed over, lighter ones after it may still be taken). The item
whose completion is worth most is the choice of the pilot method (Duin and Voß, 1999); the
completions are also item features of the policy's observation.

The scan is one Python loop over the sorted positions of the live items, each step a few
int64 operations on ``[B, n]`` (every instance and every candidate at once): ``O(B n^2)`` work.
Fits are decided in exact integer arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from cosolve.problems.knapsack.env import State


@dataclass
class Completions:
    """The greedy completion of every candidate item of a batch of states.

    Attributes:
        value: ``[B, n]`` int64, the total value of the knapsack once candidate ``i`` and its
            greedy completion are added to the items already chosen; ``-1`` where ``i`` does
            not fit (chosen, too heavy or stopped).
        unused: ``[B, n]`` int64, the capacity the completion of ``i`` leaves unused; ``0``
            where ``i`` does not fit.
    """

    value: torch.Tensor
    unused: torch.Tensor


def greedy_completions(state: State) -> Completions:
    """The completions of :class:`Completions` for a batch of ``B`` states with ``n`` items."""
    batch, n = state.values.shape
    live = state.fits
    ratio = torch.where(live, state.values.double() / state.weights.double(), -1.0)
    order = ratio.argsort(dim=1, descending=True, stable=True)  # live items first, by ratio
    sorted_weights = state.weights.gather(1, order)
    sorted_values = state.values.gather(1, order)
    sorted_live = live.gather(1, order)
    candidate = torch.arange(n, device=order.device).unsqueeze(0)
    room = torch.where(live, state.remaining.unsqueeze(1) - state.weights, -1)  # [B, candidates]
    gained = torch.where(live, state.values, 0)
    for position in range(int(live.sum(dim=1).max())):
        item = order[:, position : position + 1]
        weight = sorted_weights[:, position : position + 1]
        take = sorted_live[:, position : position + 1] & (weight <= room) & (candidate != item)
        room = room - torch.where(take, weight, 0)
        gained = gained + torch.where(take, sorted_values[:, position : position + 1], 0)
    value = torch.where(live, state.value.unsqueeze(1) + gained, -1)
    return Completions(value=value, unused=torch.where(live, room, 0))
