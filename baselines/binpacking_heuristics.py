"""Classic bin packing rules, batched over instances with torch on the online env.

Online rules pack the items in the file's order, each into a bin chosen among the open bins
with room (a new bin when none has room):

* ``nf`` next fit — only the most recently opened bin is considered;
* ``ff`` first fit — the lowest-numbered bin with room;
* ``bf`` best fit — the fullest bin with room (ties: lowest number);
* ``wf`` worst fit — the emptiest open bin with room (ties: lowest number).

Offline rules sort the items by decreasing weight first (stable: ties by index), then apply a rule:
``ffd`` (first fit decreasing, at most ``11/9 OPT + 6/9`` bins) and ``bfd`` (best fit decreasing).

Each rule is a priority over the bins of :mod:`cosolve.problems.binpacking.env` (:func:`fit_priority`),
so it drives the same env as any policy: one Python step per item, a few tensor operations on the
whole batch each (``O(B n)`` per step).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from cosolve.problems.binpacking.env import State, reset_tensors, step
from cosolve.problems.binpacking.instance import Instance

ONLINE_RULES = ("nf", "ff", "bf", "wf")
OFFLINE_RULES = ("ffd", "bfd")
RULES = ONLINE_RULES + OFFLINE_RULES
NAMES = {
    "nf": "next fit",
    "ff": "first fit",
    "bf": "best fit",
    "wf": "worst fit",
    "ffd": "first fit decreasing",
    "bfd": "best fit decreasing",
}
INFEASIBLE = torch.iinfo(torch.int64).min


def fit_priority(state: State, rule: str) -> torch.Tensor:
    """``[B, n]`` int64 scores over the bins for the current item of an online ``state``:
    ``INFEASIBLE`` where the mask forbids; the ``argmax`` is the bin ``rule`` (``nf``, ``ff``, ``bf``,
    ``wf``) chooses. The new bin (number ``n_open``, load 0) scores below every open bin with room."""
    n = state.n_items
    bins = torch.arange(n, device=state.loads.device).unsqueeze(0)  # [1, n]
    is_open = bins < state.n_open.unsqueeze(1)
    tie = n + 1  # scores are load * (n + 1) - bin: by load, then by lower bin number
    if rule == "ff":
        scores = -bins.expand_as(state.loads)
    elif rule == "bf":
        scores = state.loads * tie - bins
    elif rule == "wf":
        scores = torch.where(is_open, -state.loads * tie - bins, INFEASIBLE + 1)
    elif rule == "nf":
        last = bins == (state.n_open - 1).unsqueeze(1)
        scores = torch.where(last, 1, torch.where(is_open, INFEASIBLE, 0)).expand_as(state.loads)
    else:
        raise ValueError(f"unknown online rule {rule!r} (choose from {', '.join(ONLINE_RULES)})")
    return torch.where(state.mask, scores, INFEASIBLE)


def pack(weights: torch.Tensor, capacity: torch.Tensor, rule: str) -> torch.Tensor:
    """The packings of ``rule`` as ``[B, n]`` int64 bin numbers (``0..bins-1``, in opening order).

    Args:
        weights: ``[B, n]`` int64, each in ``1..capacity``.
        capacity: ``[B]`` int64.
        rule: one of :data:`RULES`.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r} (choose from {', '.join(RULES)})")
    order = None
    if rule in OFFLINE_RULES:
        order = torch.sort(weights, dim=1, descending=True, stable=True).indices
        weights = torch.gather(weights, 1, order)
        rule = rule[:-1]
    state = reset_tensors(weights, capacity)
    for _ in range(weights.shape[1]):
        step(state, fit_priority(state, rule).argmax(dim=1))
    if order is None:
        return state.assignment
    return torch.empty_like(state.assignment).scatter_(1, order, state.assignment)


def pack_instances(instances: Sequence[Instance], rule: str, device: str | torch.device = "cpu") -> torch.Tensor:
    """:func:`pack` on same-size instances: ``[B, n]`` int64 bin numbers."""
    weights = torch.as_tensor(np.stack([i.weights for i in instances]), dtype=torch.int64, device=device)
    capacity = torch.as_tensor([i.capacity for i in instances], dtype=torch.int64, device=device)
    return pack(weights, capacity, rule)
