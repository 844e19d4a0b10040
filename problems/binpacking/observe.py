"""The graph view of an offline bin packing state for a GNN (one PyG ``Batch``), and the
"sequential bin filling" decision model of the learned offline policy.

Decision model: the policy only chooses an *item*; the bin is implied. The *target bin* is the
current bin (number ``n_open - 1``) while some unpacked item fits its room, otherwise a new bin
(number ``n_open``, room = capacity), which every unpacked item fits. This is complete: any optimal
packing can be made maximal (no item of a later bin fits the room of an earlier one) without adding
bins, and a maximal packing is built bin by bin this way. :func:`item_actions` turns chosen items
into the env's offline actions ``item * n + bin``.

Per instance the graph has ``L + 1`` tokens: ``L`` item slots holding the unpacked items in index
order (``L`` is the largest number of unpacked items in the batch, so the network only runs on what
is left to pack; the spare slots of instances with fewer are padding: isolated, and no token attends
to them), then the bin token (the target bin, the current and anchor token of the network).
Features are scale-free (weights over the capacity or the room of the target bin), so a policy
trained on some sizes and capacities reads others:

- weight / capacity;
- weight / room of the target bin (clamped to 4);
- fits the target bin (0 or 1);
- the weight rank among the unpacked items, 0 (heaviest) to 1;
- best pair fill: ``(w_i + w_j) / room`` for the largest other unpacked ``w_j`` with ``w_i + w_j <=
  room`` (``w_i / room`` when none; 0 when ``i`` does not fit): 1 for items that complete the bin
  together with one more item;
- is-bin.

The bin token carries the room of the target bin / capacity (feature 0), whether the target bin
is a new one (feature 1), the total unpacked weight / capacity (feature 2, clamped to 10) and the
is-bin flag.

Relations (``edge_type``): 0 the ``k`` nearest unpacked items in weight, 1 bin -> every unpacked
item, 2 every unpacked item -> bin, 3 partners: the ``PARTNERS`` largest unpacked items ``j`` that
fit the target bin together with a fitting item ``i`` (edges ``j -> i``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch_geometric.data import Batch

from cosolve.problems.binpacking.env import State
from cosolve.problems.typed_graph import typed_graph_batch

N_FEATURES = 6
N_RELATIONS = 4
K_NEIGHBOURS = 8
PARTNERS = 4


@dataclass
class Observation:
    """What a bin packing policy sees.

    Attributes:
        graph: ``x`` ``[B * (L + 1), N_FEATURES]``, ``edge_index``, ``edge_type``: the tokens of
            each instance are its ``L`` item slots, then the bin token.
        items: ``[B, L]`` int64, the item of each slot (``-1`` for padding slots): the unpacked items
            in index order; ``L`` is the largest number of unpacked items in the batch (so the
            network only runs on what is left to pack).
        mask: ``[B, n]`` bool, the items the policy may choose (see :func:`allowed_items`).
        bin_token: ``[B]`` graph index of each instance's bin token.
        padding: ``[B, L + 1]`` bool, the padding slots (the bin token never is).
    """

    graph: Batch
    items: torch.Tensor
    mask: torch.Tensor
    bin_token: torch.Tensor
    padding: torch.Tensor


def target_bin(state: State) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(bin, room, fresh)``, each ``[B]``: the bin the next item goes to, its room left (int64)
    and whether it is a new bin (no bin open yet, or no unpacked item fits the current one)."""
    batch = state.weights.shape[0]
    rows = torch.arange(batch, device=state.weights.device)
    current = (state.n_open - 1).clamp(min=0)
    room = torch.where(state.n_open > 0, state.capacity - state.loads[rows, current], 0)
    fits = ~state.packed & (state.weights <= room.unsqueeze(1))
    fresh = ~fits.any(dim=1)
    return torch.where(fresh, state.n_open, current), torch.where(fresh, state.capacity, room), fresh


def allowed_items(state: State) -> torch.Tensor:
    """``[B, n]`` bool: the unpacked items that fit the target bin (every unpacked item when it
    is a new bin)."""
    _, room, _ = target_bin(state)
    return ~state.packed & (state.weights <= room.unsqueeze(1))


def item_actions(state: State, items: torch.Tensor) -> torch.Tensor:
    """``[B]`` int64 offline env actions ``item * n + bin`` packing ``items`` ``[B]`` into the target bin."""
    bins, _, _ = target_bin(state)
    return items * state.n_items + bins


def best_partners(
    weights: torch.Tensor, live: torch.Tensor, room: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(weights, index)``, each ``[B, L, k]``: for every item ``i`` of ``weights`` ``[B, L]``
    int64, the ``k`` heaviest other ``live`` ``[B, L]`` items ``j`` with ``w_i + w_j <= room``
    (``room`` ``[B]``), heaviest first; weight 0 and index -1 where there are fewer (or ``i`` is
    not live or does not fit)."""
    slots = weights.shape[1]
    slack = (room.unsqueeze(1) - weights).unsqueeze(2)  # [B, L(i), 1]
    ok = (
        live.unsqueeze(1)
        & live.unsqueeze(2)
        & (weights.unsqueeze(1) <= slack)
        & ~torch.eye(slots, dtype=torch.bool, device=weights.device)
    )
    score = torch.where(ok, weights.unsqueeze(1), -1)  # [B, i, j]
    best = score.topk(min(k, slots), dim=2)
    found = best.values >= 0
    return best.values.clamp(min=0), torch.where(found, best.indices, -1)


def observe(state: State, k: int = K_NEIGHBOURS) -> Observation:
    """The graphs of a batch of partial packings (on the state's device, no loop over instances)."""
    batch, n = state.weights.shape
    device = state.weights.device
    unpacked = ~state.packed
    slots = max(int(unpacked.sum(dim=1).max()), 1)
    tokens = slots + 1
    order = state.packed.to(torch.int8).argsort(dim=1, stable=True)[:, :slots]  # unpacked items first
    live = unpacked.gather(1, order)  # [B, L]
    items = torch.where(live, order, -1)
    weights_int = state.weights.gather(1, order)
    _, room, fresh = target_bin(state)
    weights = weights_int.double()
    capacity = state.capacity.double().unsqueeze(1)
    room_f = room.double().clamp(min=1).unsqueeze(1)
    fits = live & (weights_int <= room.unsqueeze(1))
    count = live.sum(dim=1, keepdim=True).clamp(min=1)
    keys = torch.where(live, weights, -1.0)
    by_weight = keys.argsort(dim=1, descending=True, stable=True)
    rank = torch.empty_like(by_weight).scatter_(1, by_weight, torch.arange(slots, device=device).expand(batch, slots))
    partner_weights, partner_index = best_partners(weights_int, live, room, PARTNERS)
    pair = torch.where(fits, (weights + partner_weights[:, :, 0].double()) / room_f, 0.0)
    features = torch.stack(
        [
            weights / capacity,
            (weights / room_f).clamp(max=4.0),
            fits.double(),
            rank.double() / count,
            pair,
            torch.zeros_like(pair),
        ],
        dim=2,
    )
    features = torch.where(live.unsqueeze(2), features, 0.0)
    bin_token = torch.zeros(batch, 1, N_FEATURES, dtype=torch.float64, device=device)
    bin_token[:, 0, 0] = room.double() / capacity.squeeze(1)
    bin_token[:, 0, 1] = fresh.double()
    bin_token[:, 0, 2] = (torch.where(live, weights, 0.0).sum(dim=1) / capacity.squeeze(1)).clamp(max=10.0)
    bin_token[:, 0, 5] = 1.0
    x = torch.cat([features, bin_token], dim=1).float().view(batch * tokens, N_FEATURES)

    base = (torch.arange(batch, device=device) * tokens).view(batch, 1, 1)
    target = torch.arange(slots, device=device).view(1, slots, 1)
    scaled = (weights / capacity).float()
    gaps = (scaled.unsqueeze(2) - scaled.unsqueeze(1)).abs()
    blocked = ~(live.unsqueeze(1) & live.unsqueeze(2)) | torch.eye(slots, dtype=torch.bool, device=device)
    neighbours = min(k, max(slots - 1, 1))
    nearest = gaps.masked_fill(blocked, float("inf")).topk(neighbours, dim=2, largest=False)
    valid = torch.isfinite(nearest.values) & live.unsqueeze(2)
    knn = torch.stack([(base + nearest.indices)[valid], (base + target.expand(batch, slots, neighbours))[valid]])
    partnered = partner_index >= 0
    partners = torch.stack([(base + partner_index)[partnered], (base + target.expand_as(partner_index))[partnered]])
    live_index = (base.view(batch, 1) + torch.arange(slots, device=device))[live]
    bin_index = (torch.arange(batch, device=device) * tokens + slots).repeat_interleave(live.sum(dim=1))
    relations = [knn, torch.stack([bin_index, live_index]), torch.stack([live_index, bin_index]), partners]
    graph = typed_graph_batch(x, relations, batch, tokens)
    padding = torch.cat([~live, torch.zeros(batch, 1, dtype=torch.bool, device=device)], dim=1)
    mask = unpacked & (state.weights <= room.unsqueeze(1))
    return Observation(graph, items, mask, torch.arange(batch, device=device) * tokens + slots, padding)
