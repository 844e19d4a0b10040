"""Running the TSP policy: greedy, sampled, multi-start, augmented and beam-searched tours on the
batched env."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from cosolve.gnn.decode import all_done, best_of, coordinates, pick, play, views
from cosolve.gnn.tsp_policy import TspPolicy
from cosolve.problems.tsp.env import State, reset, step
from cosolve.problems.tsp.instance import Instance
from cosolve.problems.tsp.observe import observe


@torch.no_grad()
def run_tours(
    policy: TspPolicy,
    state: State,
    coords: torch.Tensor,
    sample: bool = False,
    generator: torch.Generator | None = None,
    temperature: float = 1.0,
    window: int | None = None,
    finished: Callable[[State], bool] = all_done,
) -> State:
    """Complete the batch's tours (in place) with the policy; returns the state. With
    ``window``, each step chooses among the ``window`` unvisited nodes nearest to the current
    node (see :func:`~cosolve.problems.tsp.observe.observe`); ``finished(state)`` ends it
    earlier (default: when every tour is complete)."""

    def decide(state: State) -> torch.Tensor:
        if state.position == state.n_nodes - 1:  # one node left: no choice
            return state.mask.double().argmax(dim=1)
        observation = observe(state, coords, window=window)
        picks = pick(policy(observation), sample, generator, temperature)
        return observation.candidates.gather(1, picks.unsqueeze(1)).squeeze(1)

    return play(state, decide, step, finished)


@torch.no_grad()
def run_beam(
    policy: TspPolicy, state: State, coords: torch.Tensor, width: int, window: int | None = None
) -> tuple[State, int]:
    """Beam search from the ``B`` tours of ``state``: each step keeps, per instance, the
    ``width`` partial tours of highest total log-probability among all extensions of the
    current ones. Returns the final state of ``B * w`` tours (instance-major: rows
    ``b * w .. b * w + w - 1`` belong to instance ``b``) and ``w`` (``width``, or fewer when an
    instance has fewer distinct tours).

    Args:
        coords: ``[B, n, 2]``.
    """
    batch, distances = state.visited.shape[0], state.distances  # distances of each instance
    scores = torch.zeros(batch, 1, dtype=torch.float64, device=coords.device)  # [B, beams]

    def decide(state: State) -> torch.Tensor:
        nonlocal scores
        if state.position == state.n_nodes - 1:  # one node left: no choice
            return state.mask.double().argmax(dim=1)
        beams = scores.shape[1]
        observation = observe(state, coords.repeat_interleave(beams, dim=0), window=window)
        m = observation.candidates.shape[1]
        total = scores.unsqueeze(2) + torch.log_softmax(policy(observation).double(), dim=1).view(batch, beams, m)
        kept = min(width, beams * m)
        scores, picks = total.view(batch, beams * m).topk(kept, dim=1)  # [B, kept]
        parents = (torch.arange(batch, device=coords.device).unsqueeze(1) * beams + picks // m).view(-1)
        if kept != beams:
            state.distances = distances.repeat_interleave(kept, dim=0)
        state.visited, state.tour = state.visited[parents], state.tour[parents]
        state.current, state.length = state.current[parents], state.length[parents]
        return observation.candidates[parents, (picks % m).view(-1)]

    return play(state, decide, step), scores.shape[1]


def greedy_tours(
    policy: TspPolicy, instances: Sequence[Instance], device: str = "cpu", window: int | None = None
) -> State:
    """Greedy tours of same-size instances, all in one batch."""
    return run_tours(policy, reset(instances, device), coordinates(instances, device), window=window)


def start_nodes(n: int, starts: int) -> torch.Tensor:
    """``[starts]`` start nodes spread evenly over the ids ``0..n-1`` (node 0 first)."""
    return torch.arange(min(starts, n)) * n // min(starts, n)


def best_tours(
    policy: TspPolicy,
    instances: Sequence[Instance],
    samples: int = 1,
    device: str = "cpu",
    seed: int = 0,
    augment: bool = False,
    starts: int = 1,
    window: int | None = None,
    beam: int = 1,
) -> np.ndarray:
    """``[B, n]`` the shortest tour per instance (rotated to start at node 0) among: the greedy
    tours from each of ``starts`` start nodes (multi-start, in each of the 8 symmetric views
    with ``augment``) and ``samples - 1`` sampled tours from node 0 (per view), all copies of
    all instances in one batch. ``window``: see :func:`run_tours`; ``beam`` > 1 replaces each
    greedy tour by the best tour of a beam search of that width (:func:`run_beam`)."""
    coords = coordinates(instances, device)
    every_view = views(coords, augment)  # [V, B, n, 2]
    n_views, batch = every_view.shape[0], len(instances)
    first = start_nodes(coords.shape[1], starts).to(device)
    copies = n_views * len(first)
    greedy_starts = first.repeat_interleave(n_views * batch)  # [S * V * B], start-major
    state = reset(list(instances) * copies, device, greedy_starts)
    view_coords = every_view.repeat(len(first), 1, 1, 1).flatten(0, 1)
    if beam > 1:
        final, kept = run_beam(policy, state, view_coords, beam, window)
        lengths = final.length.view(-1, kept).T  # [kept, S * V * B]
        greedy_lengths, greedy_tours_ = best_of(lengths, final.tour.view(-1, kept, final.n_nodes).transpose(0, 1))
    else:
        greedy = run_tours(policy, state, view_coords, window=window)
        greedy_tours_, greedy_lengths = greedy.tour, greedy.length
    every_tour, every_length = [greedy_tours_.view(copies, batch, -1)], [greedy_lengths.view(copies, batch)]
    if samples > 1:
        copies = (samples - 1) * n_views
        generator = torch.Generator(device=device).manual_seed(seed)
        state = reset(list(instances) * copies, device)
        coords_copies = every_view.repeat(samples - 1, 1, 1, 1).flatten(0, 1)
        state = run_tours(policy, state, coords_copies, True, generator, window=window)
        every_tour.append(state.tour.view(copies, batch, -1))
        every_length.append(state.length.view(copies, batch))
    best = best_of(torch.cat(every_length), torch.cat(every_tour))[1]
    n = best.shape[1]
    shift = (best == 0).int().argmax(dim=1, keepdim=True)
    return best.gather(1, (torch.arange(n, device=best.device) + shift) % n).cpu().numpy()
