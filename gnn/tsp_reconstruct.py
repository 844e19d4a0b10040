"""Learned reconstruction of TSP tours (LEHD's "random re-construct", Luo et al. 2023).

Each iteration draws one segment length ``L`` for the whole batch and a random offset per tour,
and cuts every tour into ``n // (L - 1)`` consecutive segments of ``L`` nodes (neighbours share
an end node, so the segments' inner nodes never overlap). Each segment is a sub-problem the
policy already knows: its two end nodes stay fixed, and the policy re-decodes the inner nodes
greedily as a path from one end to the other. The BQ-NCO state of
:mod:`cosolve.problems.tsp.observe` expresses exactly that: the sub-problem's tour starts at
the far end ``b`` (the *first* node, where the policy's path must return), its forced second
node is the near end ``a`` (the *current* node), and the remaining tokens are the segment's
inner nodes. A re-decoded segment replaces the old one when it is shorter, so every accepted
segment shortens its tour and no tour ever ends longer than its start.

Diversity between iterations comes from the random length and offset, from decoding each
segment in a random direction (from ``a`` or from ``b``) and in one of the 8 symmetric views of
its coordinates (the policy sees rescaled coordinates, so a view changes its greedy choices).

All sub-problems of an iteration (every tour times every segment) are decoded as one batch of
equal-size sub-problems: no padding and no Python loop over instances. Optionally the tours are
2-opted (:func:`~cosolve.baselines.tsp_heuristics.two_opt`, batched) at the start and after
every iteration.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from cosolve import interrupt
from cosolve.baselines.tsp_heuristics import IMPROVEMENT_RTOL, tour_lengths, two_opt
from cosolve.gnn.decode import coordinates, symmetries
from cosolve.gnn.tsp_policy import TspPolicy
from cosolve.gnn.tsp_rollout import run_tours
from cosolve.problems.tsp.env import State, step
from cosolve.problems.tsp.instance import Instance, Solution

MIN_LENGTH = 4
"""Fewest nodes of a segment, its ends included: two inner nodes, the fewest with a choice."""
MAX_LENGTH = 100
"""Most nodes of a segment by default: the sizes the shipped policy was trained on (up to 100).
On the 2-core CPU (one thread, 1 s per instance on 16 random TSP100, 2-opt after every
iteration), segments of at most 10, 20, 30, 50 and 100 nodes ended at 2.1, 1.8, 1.6, 1.2 and
1.1 % above LKH-3: short segments are cheap, but the greedy policy rarely finds a shorter
path through them (wall time, while other jobs shared the cores)."""
POLISH_ROUNDS = 4
"""2-opt moves per tour between two looks at the clock and at Ctrl-C (a move of a batch of two
TSP1000 tours takes about 0.1 s on one CPU thread)."""


@dataclass
class Segments:
    """The segments of one iteration: ``S = B * K`` segments of ``L`` nodes, ``K`` per tour.

    Attributes:
        rows: ``[S]`` the tour (instance) of each segment.
        positions: ``[S, L]`` the tour positions the segment covers, in tour order.
        nodes: ``[S, L]`` the nodes at those positions; ``nodes[:, 0]`` and ``nodes[:, -1]`` are
            the fixed ends.
    """

    rows: torch.Tensor
    positions: torch.Tensor
    nodes: torch.Tensor


def draw_segments(tours: torch.Tensor, length: int, generator: torch.Generator) -> Segments:
    """Cut each of the ``[B, n]`` ``tours`` into ``n // (length - 1)`` segments of ``length``
    nodes from a random offset; consecutive segments share an end node."""
    batch, n = tours.shape
    per_tour = n // (length - 1)
    offsets = torch.randint(0, n, (batch, 1, 1), generator=generator).to(tours.device)
    starts = torch.arange(per_tour, device=tours.device).view(1, -1, 1) * (length - 1)
    positions = ((offsets + starts + torch.arange(length, device=tours.device)) % n).view(-1, length)
    rows = torch.arange(batch, device=tours.device).repeat_interleave(per_tour)
    return Segments(rows, positions, tours[rows.unsqueeze(1), positions])


def path_lengths(distances: torch.Tensor, rows: torch.Tensor, nodes: torch.Tensor) -> torch.Tensor:
    """``[S]`` the length of each open path ``nodes`` ``[S, L]`` in the ``[B, n, n]`` ``distances``
    of its instance ``rows`` ``[S]``."""
    return distances[rows.unsqueeze(1), nodes[:, :-1], nodes[:, 1:]].sum(dim=1)


def sub_problems(distances: torch.Tensor, rows: torch.Tensor, nodes: torch.Tensor) -> State:
    """The env state of each path sub-problem ``nodes`` ``[S, L]`` (local node ``i`` is
    ``nodes[:, i]``): its tour starts at the end node (local ``L - 1``, the node the path must
    reach last) and has taken the start node (local 0), so the inner nodes remain."""
    count, length = nodes.shape
    device = nodes.device
    local = distances[rows.view(-1, 1, 1), nodes.unsqueeze(2), nodes.unsqueeze(1)]  # [S, L, L]
    end = torch.full((count,), length - 1, dtype=torch.int64, device=device)
    visited = torch.zeros(count, length, dtype=torch.bool, device=device)
    visited[:, length - 1] = True
    tour = torch.zeros(count, length, dtype=torch.int64, device=device)
    tour[:, 0] = end
    state = State(local, visited, tour, end.clone(), torch.zeros(count, dtype=torch.float64, device=device), 1)
    return step(state, torch.zeros(count, dtype=torch.int64, device=device))


def redecode(
    policy: TspPolicy,
    state: State,
    coords: torch.Tensor,
    window: int | None,
    stop: Callable[[], bool],
) -> torch.Tensor | None:
    """Complete the sub-problems greedily with the policy; ``[S, L]`` the new paths in local node
    ids (start node first, end node last), or None when ``stop()`` turned true on the way.

    Args:
        state: from :func:`sub_problems`; coords: ``[S, L, 2]`` local node coordinates.
    """
    stopped = False

    def finished(state: State) -> bool:
        nonlocal stopped
        stopped = stopped or (state.position < state.n_nodes and stop())
        return stopped or state.position >= state.n_nodes

    run_tours(policy, state, coords, window=window, finished=finished)
    return None if stopped else torch.cat([state.tour[:, 1:], state.tour[:, :1]], dim=1)


def orient(nodes: torch.Tensor, flip: torch.Tensor) -> torch.Tensor:
    """``[S, L]`` the rows of ``nodes`` where ``flip`` ``[S]`` holds reversed (an involution)."""
    return torch.where(flip.unsqueeze(1), nodes.flip(1), nodes)


def polish_tours(distances: torch.Tensor, tours: torch.Tensor, stop: Callable[[], bool]) -> torch.Tensor:
    """``[B, n]`` the ``tours`` 2-opted until no move gains or ``stop()`` turns true (checked every
    :data:`POLISH_ROUNDS` moves; each move shortens its tour, so stopping early is safe)."""
    while not stop():
        polished = two_opt(distances, tours, max_moves=POLISH_ROUNDS)
        if torch.equal(polished, tours):
            break
        tours = polished
    return tours


def candidate_paths(
    policy: TspPolicy,
    distances: torch.Tensor,
    coords: torch.Tensor,
    segments: Segments,
    generator: torch.Generator,
    window: int | None,
    stop: Callable[[], bool],
) -> torch.Tensor | None:
    """``[S, L]`` each segment re-decoded by the policy, in node ids and in the segment's own
    direction: the same end nodes, the same inner nodes in a new order. Each is decoded from
    a random end and in a random one of the 8 symmetric views. None when ``stop()`` turned true.

    Args:
        distances: ``[B, n, n]`` float64; coords: ``[B, n, 2]``.
    """
    count = segments.rows.shape[0]
    device = segments.nodes.device
    flip = (torch.rand(count, generator=generator) < 0.5).to(device)
    view = torch.randint(0, 8, (count,), generator=generator).to(device)
    nodes = orient(segments.nodes, flip)
    local_coords = symmetries(coords[segments.rows.unsqueeze(1), nodes])[view, torch.arange(count, device=device)]
    local_paths = redecode(policy, sub_problems(distances, segments.rows, nodes), local_coords, window, stop)
    return None if local_paths is None else orient(nodes.gather(1, local_paths), flip)


def iterate(
    policy: TspPolicy,
    distances: torch.Tensor,
    coords: torch.Tensor,
    tours: torch.Tensor,
    length: int,
    generator: torch.Generator,
    window: int | None,
    stop: Callable[[], bool],
) -> tuple[int, int] | None:
    """One reconstruction iteration on ``tours`` ``[B, n]`` (in place) with segments of ``length``
    nodes; returns (segments tried, segments accepted), or None when stopped (nothing changed).

    Args:
        distances: ``[B, n, n]`` float64; coords: ``[B, n, 2]``.
    """
    segments = draw_segments(tours, length, generator)
    candidates = candidate_paths(policy, distances, coords, segments, generator, window, stop)
    if candidates is None:
        return None
    before = path_lengths(distances, segments.rows, segments.nodes)
    after = path_lengths(distances, segments.rows, candidates)
    better = after < before - IMPROVEMENT_RTOL * before.clamp(min=1.0)
    tours[segments.rows[better].unsqueeze(1), segments.positions[better]] = candidates[better]
    return segments.rows.shape[0], int(better.sum())


@torch.no_grad()
def reconstruct(
    policy: TspPolicy,
    instances: Sequence[Instance],
    tours: Sequence[Solution],
    time_limit_s: float | None = None,
    iterations: int | None = None,
    seed: int = 0,
    device: str | torch.device = "cpu",
    window: int | None = None,
    max_length: int = MAX_LENGTH,
    polish: bool = False,
    stats: dict | None = None,
) -> list[Solution]:
    """Improve the ``tours`` of the same-size ``instances`` (``B`` of ``n`` nodes) by learned
    reconstruction; the improved tour of each, never longer than its start.

    Stops after ``iterations`` iterations or ``time_limit_s`` seconds of wall time for the whole
    batch, whichever comes first (one of them is needed), or on Ctrl-C; an iteration cut short
    changes nothing. Deterministic for a seed and a number of iterations.

    Args:
        window: each decoding step chooses among the ``window`` inner nodes nearest to the
            current one (None: all); see :func:`~cosolve.problems.tsp.observe.observe`.
        max_length: segments have ``MIN_LENGTH .. min(n, max_length)`` nodes, uniformly drawn.
        polish: 2-opt the tours at the start and after every iteration.
        stats: when given, receives ``iterations``, ``segments`` (tried), ``accepted`` and
            ``seconds``.
    """
    if time_limit_s is None and iterations is None:
        raise ValueError("give a time limit or a number of iterations")
    begin = time.perf_counter()
    distances = torch.as_tensor(np.stack([i.distances for i in instances]), dtype=torch.float64, device=device)
    coords = coordinates(instances, device)
    start = torch.as_tensor(np.stack([np.asarray(t.tour) for t in tours]), dtype=torch.int64, device=device)
    n = start.shape[1]
    generator = torch.Generator().manual_seed(seed)
    deadline = None if time_limit_s is None else begin + time_limit_s

    def stop() -> bool:
        return interrupt.requested() or (deadline is not None and time.perf_counter() >= deadline)

    done = tried = accepted = 0
    with interrupt.stoppable(lambda: None):
        current = polish_tours(distances, start.clone(), stop) if polish else start.clone()
        while n >= MIN_LENGTH and (iterations is None or done < iterations) and not stop():
            length = int(torch.randint(MIN_LENGTH, min(n, max_length) + 1, (1,), generator=generator))
            outcome = iterate(policy, distances, coords, current, length, generator, window, stop)
            if outcome is None:
                break
            done, tried, accepted = done + 1, tried + outcome[0], accepted + outcome[1]
            if polish:
                current = polish_tours(distances, current, stop)
    if stats is not None:
        stats.update(iterations=done, segments=tried, accepted=accepted, seconds=time.perf_counter() - begin)
    shorter = tour_lengths(distances, current) <= tour_lengths(distances, start)
    final = torch.where(shorter.unsqueeze(1), current, start)  # float noise never lengthens a tour
    return [Solution(tour=row) for row in final.cpu().numpy()]
