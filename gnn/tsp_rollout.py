"""Running the TSP policy: greedy and sampled tours on the batched env."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.errors import CosolveInputError
from cosolve.gnn.routing_net import RoutingNetConfig
from cosolve.gnn.tsp_policy import TspPolicy
from cosolve.problems.planar_embedding import planar_embedding
from cosolve.problems.tsp.env import State, reset, step
from cosolve.problems.tsp.instance import Instance
from cosolve.problems.tsp.observe import observe


def load_tsp_policy(path: str | Path, device: str = "cpu") -> TspPolicy:
    """The policy of a TSP checkpoint, in eval mode on ``device``."""
    payload = load_checkpoint(path, "tsp")
    try:
        policy = TspPolicy(RoutingNetConfig(**payload["policy"]["config"]))
        policy.load_state_dict(payload["weights"])
    except (TypeError, RuntimeError) as error:
        raise CosolveInputError(f"checkpoint does not fit this version's policy: {str(error)[:120]}", path) from None
    return policy.to(device).eval()


def coordinates(instances: Sequence[Instance], device: str = "cpu") -> torch.Tensor:
    """``[B, n, 2]`` node coordinates for the policy; an explicit-matrix instance gets the
    planar embedding of its matrix (:func:`~cosolve.problems.planar_embedding.planar_embedding`)."""
    points = [planar_embedding(i.distances) if i.coords is None else i.coords for i in instances]
    return torch.as_tensor(np.stack(points), dtype=torch.float32, device=device)


@torch.no_grad()
def run_tours(
    policy: TspPolicy,
    state: State,
    coords: torch.Tensor,
    sample: bool = False,
    generator: torch.Generator | None = None,
    temperature: float = 1.0,
    window: int | None = None,
) -> State:
    """Complete the batch's tours (in place) with the policy; returns the state. With
    ``window``, each step chooses among the ``window`` unvisited nodes nearest to the current
    node (see :func:`~cosolve.problems.tsp.observe.observe`)."""
    while not bool(state.done.all()):
        if state.position == state.n_nodes - 1:  # one node left: no choice
            step(state, state.mask.double().argmax(dim=1))
            continue
        observation = observe(state, coords, window=window)
        logits = policy(observation)
        if sample:
            picks = torch.multinomial(torch.softmax(logits / temperature, dim=1), 1, generator=generator)
        else:
            picks = logits.argmax(dim=1, keepdim=True)
        step(state, observation.candidates.gather(1, picks).squeeze(1))
    return state


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
    batch, beams, distances = state.visited.shape[0], 1, state.distances  # distances of each instance
    scores = torch.zeros(batch, 1, dtype=torch.float64, device=coords.device)
    while not bool(state.done.all()):
        if state.position == state.n_nodes - 1:  # one node left: no choice
            step(state, state.mask.double().argmax(dim=1))
            continue
        observation = observe(state, coords.repeat_interleave(beams, dim=0), window=window)
        m = observation.candidates.shape[1]
        total = scores.unsqueeze(2) + torch.log_softmax(policy(observation).double(), dim=1).view(batch, beams, m)
        kept = min(width, beams * m)
        scores, picks = total.view(batch, beams * m).topk(kept, dim=1)  # [B, kept]
        parents = (torch.arange(batch, device=coords.device).unsqueeze(1) * beams + picks // m).view(-1)
        actions = observation.candidates[parents, (picks % m).view(-1)]
        if kept != beams:
            state.distances = distances.repeat_interleave(kept, dim=0)
        state.visited, state.tour = state.visited[parents], state.tour[parents]
        state.current, state.length = state.current[parents], state.length[parents]
        beams = kept
        step(state, actions)
    return state, beams


def greedy_tours(
    policy: TspPolicy, instances: Sequence[Instance], device: str = "cpu", window: int | None = None
) -> State:
    """Greedy tours of same-size instances, all in one batch."""
    return run_tours(policy, reset(instances, device), coordinates(instances, device), window=window)


def symmetries(coords: torch.Tensor) -> torch.Tensor:
    """``[8, B, n, 2]`` the 8 symmetric copies of ``coords`` (x/y flips and the x-y swap):
    same distances, different views for the policy (POMO's augmentation)."""
    x, y = coords[..., 0], coords[..., 1]
    views = []
    for a, b in ((x, y), (y, x)):
        for sa, sb in ((a, b), (-a, b), (a, -b), (-a, -b)):
            views.append(torch.stack([sa, sb], dim=-1))
    return torch.stack(views)


def random_views(coords: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """``coords`` ``[B, n, 2]`` with each instance in one of its 8 symmetric views, at random
    (imitation trainers show every instance in a random view)."""
    views = torch.as_tensor(rng.integers(0, 8, size=coords.shape[0]), device=coords.device)
    return symmetries(coords)[views, torch.arange(coords.shape[0], device=coords.device)]


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
    views = symmetries(coords) if augment else coords.unsqueeze(0)  # [V, B, n, 2]
    n_views, batch = views.shape[0], len(instances)
    first = start_nodes(coords.shape[1], starts).to(device)
    copies = n_views * len(first)
    greedy_starts = first.repeat_interleave(n_views * batch)  # [S * V * B], start-major
    state = reset(list(instances) * copies, device, greedy_starts)
    view_coords = views.repeat(len(first), 1, 1, 1).flatten(0, 1)
    if beam > 1:
        final, kept = run_beam(policy, state, view_coords, beam, window)
        lengths, tours = final.length.view(-1, kept), final.tour.view(-1, kept, final.n_nodes)
        shortest = lengths.argmin(dim=1)
        rows = torch.arange(lengths.shape[0], device=lengths.device)
        greedy_tours_, greedy_lengths = tours[rows, shortest], lengths[rows, shortest]
    else:
        greedy = run_tours(policy, state, view_coords, window=window)
        greedy_tours_, greedy_lengths = greedy.tour, greedy.length
    every_tour, every_length = [greedy_tours_.view(copies, batch, -1)], [greedy_lengths.view(copies, batch)]
    if samples > 1:
        copies = (samples - 1) * n_views
        generator = torch.Generator(device=device).manual_seed(seed)
        state = reset(list(instances) * copies, device)
        coords_copies = views.repeat(samples - 1, 1, 1, 1).flatten(0, 1)
        state = run_tours(policy, state, coords_copies, True, generator, window=window)
        every_tour.append(state.tour.view(copies, batch, -1))
        every_length.append(state.length.view(copies, batch))
    tours, lengths = torch.cat(every_tour), torch.cat(every_length)
    best = tours[lengths.argmin(dim=0), torch.arange(batch, device=lengths.device)]
    n = best.shape[1]
    shift = (best == 0).int().argmax(dim=1, keepdim=True)
    return best.gather(1, (torch.arange(n, device=best.device) + shift) % n).cpu().numpy()
