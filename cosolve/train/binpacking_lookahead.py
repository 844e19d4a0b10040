"""A lookahead expert for online bin packing: best fit improved by simulating the future.

Best fit decides from the present alone. The expert tries the ``tried`` bins the arriving
item fits that best fit likes most (the fullest) and a new bin, then lets best fit pack
``futures`` sampled continuations of ``horizon`` items each from every one of them, and picks
the bin with the lowest mean cost (Bertsekas' rollout algorithm, which never does worse than
its base policy in expectation). The continuations are drawn from the weights seen so far in
the stream (the empirical distribution: the expert knows the past, never the stream's real
future), and every candidate bin faces the same continuations (common random numbers), so
small differences between bins are not drowned in sampling noise.

The cost of a continuation is the number of bins open at its end, minus ``concentration``
times the sum of the squared room fractions of the open bins: with as many bins, room gathered
in few bins takes future items that many small gaps cannot.

It is too slow to pack with (``tried * futures * horizon`` simulated steps per decision), but it
labels decisions for the online policy to imitate (:mod:`cosolve.train.binpacking_online`).
"""

from __future__ import annotations

import torch

from cosolve.problems.binpacking.observe_online import OnlineObservation, observe_decisions

BEST_FIT_PREFERENCE = 0.02
"""Mean bins a different bin must save over best fit's choice to become the label."""


def best_fit_continuation(
    loads: torch.Tensor, n_open: torch.Tensor, capacity: torch.Tensor, items: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Best fit packing ``items`` ``[R, H]`` into bins with ``loads`` ``[R, W]`` (``W >= max(n_open) + H``),
    ``n_open`` ``[R]`` and ``capacity`` ``[R]``: the final loads and bins in use (new tensors)."""
    loads, n_open = loads.clone(), n_open.clone()
    rows = torch.arange(loads.shape[0], device=loads.device)
    bins = torch.arange(loads.shape[1], device=loads.device).unsqueeze(0)
    room = capacity.unsqueeze(1)
    for h in range(items.shape[1]):
        weight = items[:, h]
        fits = (bins < n_open.unsqueeze(1)) & (room - loads >= weight.unsqueeze(1))
        fullest = torch.where(fits, loads, -1).argmax(dim=1)  # ties: the lowest bin number, as rule:bf
        chosen = torch.where(fits.any(dim=1), fullest, n_open)
        loads[rows, chosen] += weight
        n_open = torch.maximum(n_open, chosen + 1)
    return loads, n_open


def lookahead_labels(
    weights: torch.Tensor,
    capacity: torch.Tensor,
    loads: torch.Tensor,
    n_open: torch.Tensor,
    t: torch.Tensor,
    generator: torch.Generator,
    futures: int = 16,
    horizon: int = 40,
    concentration: float = 0.25,
    tried: int = 8,
) -> tuple[OnlineObservation, torch.Tensor]:
    """The observations of ``D`` decisions and the expert's choice for each, as a column of the
    observation's candidates ``[D]``.

    Args:
        weights: ``[D, n]`` int64 streams; ``capacity`` ``[D]``; ``loads`` ``[D, W]`` (``W >
            max(n_open)``); ``n_open`` ``[D]``; ``t`` ``[D]`` the arriving item's index.
    """
    view = observe_decisions(weights, capacity, loads, n_open, t)
    decisions, device = view.index.shape[0], weights.device
    rows = torch.arange(decisions, device=device)
    arriving = weights[rows, t]
    # the candidates tried: best fit's choices in order (fullest first), and always a new bin
    is_new = view.index == n_open.unsqueeze(1)
    fullness = loads.gather(1, view.index).double() * (loads.shape[1] + 1) - view.index.double()
    best_fit_order = torch.where(view.mask & ~is_new, fullness, -torch.inf)
    best_fit_column = torch.where(
        torch.isfinite(best_fit_order).any(dim=1), best_fit_order.argmax(dim=1), is_new.to(torch.int8).argmax(dim=1)
    )
    order = torch.where(is_new & view.mask, torch.inf, best_fit_order)
    top = order.topk(min(tried, order.shape[1]), dim=1)
    columns, valid = top.indices, top.values > -torch.inf  # [D, T]
    index = view.index.gather(1, columns)
    candidates = columns.shape[1]
    # continuations: the weights seen so far, drawn with replacement; shared by all candidates
    picks = (
        torch.rand(decisions, futures, horizon, generator=generator, device=device) * (t + 1).view(-1, 1, 1)
    ).long()
    items = weights.gather(1, picks.view(decisions, futures * horizon)).view(decisions, 1, futures, horizon)
    width = int(n_open.max()) + 2 + horizon
    base = torch.nn.functional.pad(loads, (0, width - loads.shape[1]))  # [D, width]
    placed = base.unsqueeze(1).repeat(1, candidates, 1)  # [D, T, width]
    placed.scatter_add_(2, index.unsqueeze(2), (arriving.view(-1, 1, 1) * valid.unsqueeze(2)).long())
    opened = torch.maximum(n_open.unsqueeze(1), index + 1)  # [D, T]
    expand = lambda x: x.unsqueeze(2).expand(*x.shape[:2], futures, *x.shape[2:])  # noqa: E731
    final_loads, final_open = best_fit_continuation(
        expand(placed).reshape(-1, width),
        expand(opened).reshape(-1),
        capacity.view(-1, 1, 1).expand(decisions, candidates, futures).reshape(-1),
        items.expand(decisions, candidates, futures, horizon).reshape(decisions * candidates * futures, horizon),
    )
    cap = capacity.view(-1, 1, 1, 1).double()
    room = (cap - final_loads.view(decisions, candidates, futures, width).double()) / cap
    in_use = torch.arange(width, device=device).view(1, 1, 1, -1) < final_open.view(decisions, candidates, futures, 1)
    spread = torch.where(in_use, room**2, 0.0).sum(dim=3)
    cost = (final_open.view(decisions, candidates, futures).double() - concentration * spread).mean(dim=2)
    cost = cost - BEST_FIT_PREFERENCE * (columns == best_fit_column.unsqueeze(1))
    cost = torch.where(valid, cost, torch.inf)
    return view, columns.gather(1, cost.argmin(dim=1, keepdim=True)).squeeze(1)
