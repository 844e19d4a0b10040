"""Independent tour checker and evaluator (no code shared with the env or the heuristics)."""

from __future__ import annotations

import numpy as np

from cosolve.problems.tsp.instance import Instance, Solution


class InfeasibleSolution(ValueError):
    """A tour that is not a Hamiltonian cycle of the instance; the message says why."""


def evaluate(instance: Instance, solution: Solution) -> float:
    """The tour length, closing edge included (an integer for TSPLIB's rounded types)."""
    tour = np.asarray(solution.tour, dtype=np.int64)
    length = float(instance.distances[tour, np.roll(tour, -1)].sum())
    return int(round(length)) if instance.edge_weight_type != "EXACT" else length


def check(instance: Instance, solution: Solution) -> None:
    """Raise :class:`InfeasibleSolution` unless ``tour`` visits every node exactly once."""
    tour = np.asarray(solution.tour)
    if tour.ndim != 1:
        raise InfeasibleSolution(f"tour must be a flat list of node indices, got shape {tour.shape}")
    if not np.issubdtype(tour.dtype, np.integer):
        raise InfeasibleSolution("tour must hold integer node indices")
    n = instance.n_nodes
    if tour.size != n:
        raise InfeasibleSolution(f"tour has {tour.size} nodes, the instance has {n}")
    outside = tour[(tour < 0) | (tour >= n)]
    if outside.size:
        raise InfeasibleSolution(f"node {int(outside[0])} is not in 0..{n - 1}")
    counts = np.bincount(tour, minlength=n)
    if (counts != 1).any():
        twice, missing = np.flatnonzero(counts > 1), np.flatnonzero(counts == 0)
        raise InfeasibleSolution(f"node {int(twice[0])} is visited twice and node {int(missing[0])} never")
