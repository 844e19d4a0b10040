"""What an online bin packing policy sees: the item that arrived and the bins it may go to.

The view is the item–bin bipartite graph of one decision: the item on one side, and on the
other the bins it fits (the open bins with room for it and the one empty bin that opening a
new bin would use), gathered into ``K`` columns; the other bins cannot be chosen, and their
rooms reach the item as a histogram. Only the first ``W = max(n_open) + 1`` bins of the env
are looked at (the others are empty), and the network runs on the ``K`` candidates only,
which keeps a step cheap while thousands of bins are open.

Every feature is a fraction of the capacity (or a ratio of such), so one policy reads
streams of any capacity and length:

- per candidate bin: room left, room left after placing the item, is the empty bin, room
  after / mean weight seen so far (how many typical items could still follow), and whether
  the room after still takes the smallest weight seen;
- per item: weight; the mean, standard deviation and minimum of the weights seen so far in
  the stream (the item included: an online policy knows the past, not the future); the
  share of the open bins it fits; the histogram of the rooms of the open bins that can still
  take the smallest weight seen (8 buckets of an eighth of the capacity, as shares).

The stream statistics come from the step index ``t``, so a batch may mix states of
different steps (a training batch replays many steps of a rollout at once).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from cosolve.problems.binpacking.env import State

N_BIN_FEATURES = 5
ROOM_BUCKETS = 8
N_ITEM_FEATURES = 5 + ROOM_BUCKETS


@dataclass
class OnlineObservation:
    """A batch of online decisions: the item and the ``K`` bins it fits (``K`` the most of any
    decision in the batch; shorter rows are padded and masked).

    Attributes:
        bins: ``[B, K, N_BIN_FEATURES]`` float features of the candidate bins.
        index: ``[B, K]`` int64, their bin numbers (the env's actions).
        mask: ``[B, K]`` bool, real candidates (False for padding).
        item: ``[B, N_ITEM_FEATURES]`` float features of the item to place.
    """

    bins: torch.Tensor
    index: torch.Tensor
    mask: torch.Tensor
    item: torch.Tensor


def observe_decisions(
    weights: torch.Tensor, capacity: torch.Tensor, loads: torch.Tensor, n_open: torch.Tensor, t: torch.Tensor
) -> OnlineObservation:
    """The view of decisions given as tensors.

    Args:
        weights: ``[B, n]`` int64, each stream's weights in arrival order.
        capacity: ``[B]`` int64.
        loads: ``[B, W]`` int64, the loads of bins ``0..W-1`` (``W > max(n_open)``).
        n_open: ``[B]`` int64, bins in use.
        t: ``[B]`` int64, the index of the item to place.
    """
    width = loads.shape[1]
    cap = capacity.unsqueeze(1).double()
    rows = torch.arange(weights.shape[0], device=weights.device)
    arriving = weights[rows, t].unsqueeze(1)  # [B, 1] int64
    item = arriving.double() / cap
    seen = torch.arange(weights.shape[1], device=weights.device).unsqueeze(0) <= t.unsqueeze(1)  # [B, n]
    scaled = weights.double() / cap
    count = (t + 1).double().unsqueeze(1)
    mean = torch.where(seen, scaled, 0.0).sum(dim=1, keepdim=True) / count
    spread = (torch.where(seen, (scaled - mean) ** 2, 0.0).sum(dim=1, keepdim=True) / count).sqrt()
    smallest = torch.where(seen, weights, weights.max()).amin(dim=1, keepdim=True)  # [B, 1] int64

    bins = torch.arange(width, device=weights.device).unsqueeze(0)
    room_left = capacity.unsqueeze(1) - loads  # [B, W] int64: fits and usable are decided exactly
    is_new = bins == n_open.unsqueeze(1)
    usable_open = (bins < n_open.unsqueeze(1)) & (room_left >= smallest)
    fits = (usable_open | is_new) & (room_left >= arriving)
    width_k = int(fits.sum(dim=1).max())
    index = fits.to(torch.int8).argsort(dim=1, descending=True, stable=True)[:, :width_k]  # fitting bins first
    mask = fits.gather(1, index)
    room = room_left.gather(1, index).double() / cap
    after = room - item
    bin_features = torch.stack(
        [
            room,
            after,
            is_new.gather(1, index).double(),
            (after / mean).clamp(max=4.0),
            (after * cap >= smallest).double(),  # could still take the smallest weight seen
        ],
        dim=2,
    ).masked_fill(~mask.unsqueeze(2), 0.0)

    open_count = usable_open.sum(dim=1, keepdim=True).double()
    bucket = ((room_left.double() / cap) * ROOM_BUCKETS).long().clamp(0, ROOM_BUCKETS - 1)
    histogram = torch.zeros(weights.shape[0], ROOM_BUCKETS, dtype=torch.float64, device=weights.device)
    histogram.scatter_add_(1, bucket, usable_open.double())
    share = (fits.sum(dim=1, keepdim=True).double() - 1.0) / open_count.clamp(min=1)
    item_features = torch.cat(
        [item, mean, spread, smallest.double() / cap, share, histogram / open_count.clamp(min=1)], dim=1
    )
    return OnlineObservation(bin_features.float(), index, mask, item_features.float())


def window(state: State) -> int:
    """``W``: the number of bins worth looking at (every open bin and the next empty one)."""
    return min(int(state.n_open.max()) + 1, state.n_items)


def observe_online(state: State) -> OnlineObservation:
    """The view of the current decision of an online env state."""
    if state.mode != "online":
        raise ValueError("observe_online needs an online state")
    t = torch.full_like(state.n_open, min(state.steps, state.n_items - 1))
    return observe_decisions(state.weights, state.capacity, state.loads[:, : window(state)], state.n_open, t)
