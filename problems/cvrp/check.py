"""Independent route checker and evaluator.

Written from the problem definition alone, sharing no code with any environment or heuristic,
so that it catches their bugs: customer ids are integers in ``1..n``; no route is empty; every
customer is visited exactly once; no route carries more than the capacity. The fleet is
unlimited (as in CVRPLIB's X set), so the number of routes is not checked.
"""

from __future__ import annotations

import numbers

import numpy as np

from cosolve.problems.cvrp.instance import Instance, Solution


class InfeasibleSolution(ValueError):
    """A set of routes that violates a CVRP constraint; the message names it."""


def _route_ids(route: object, k: int) -> np.ndarray:
    """The customer ids of route ``k`` (1-based in messages) as int64, or a clear error."""
    try:
        values = list(route)  # type: ignore[call-overload]
    except TypeError:
        raise InfeasibleSolution(f"route {k} is not a list of customer ids") from None
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InfeasibleSolution(f"route {k}: customer ids must be integers, found {value!r}")
        if not np.isfinite(float(value)) or float(value) != int(value):
            raise InfeasibleSolution(f"route {k}: customer ids must be integers, found {value!r}")
    return np.asarray([int(value) for value in values], dtype=np.int64)


def check(instance: Instance, solution: Solution) -> None:
    """Raise :class:`InfeasibleSolution` naming the first violated constraint."""
    routes = solution.routes
    if isinstance(routes, (str, bytes)) or not hasattr(routes, "__iter__"):
        raise InfeasibleSolution("routes must be a list of routes (lists of customer ids)")
    n = instance.n_customers
    visited_by = np.zeros(n + 1, dtype=np.int64)  # route number (1-based) that visited each customer, 0: none
    for k, route in enumerate(routes, start=1):
        ids = _route_ids(route, k)
        if ids.size == 0:
            raise InfeasibleSolution(f"route {k} is empty (every route must visit a customer)")
        outside = ids[(ids < 1) | (ids > n)]
        if outside.size:
            depot = " (the depot is not listed in routes)" if outside[0] == 0 else ""
            raise InfeasibleSolution(f"route {k} visits id {outside[0]}, outside the customers 1..{n}{depot}")
        values, counts = np.unique(ids, return_counts=True)
        if (counts > 1).any():
            raise InfeasibleSolution(f"customer {values[counts > 1][0]} is visited more than once (route {k})")
        again = ids[visited_by[ids] > 0]
        if again.size:
            first = visited_by[again[0]]
            raise InfeasibleSolution(f"customer {again[0]} is visited more than once (routes {first} and {k})")
        visited_by[ids] = k
        load = int(instance.demands[ids].sum())
        if load > instance.capacity:
            raise InfeasibleSolution(f"route {k} carries demand {load}, over the vehicle capacity {instance.capacity}")
    missing = np.flatnonzero(visited_by[1:] == 0) + 1
    if missing.size:
        listed = ", ".join(str(c) for c in missing[:5]) + (" ..." if missing.size > 5 else "")
        raise InfeasibleSolution(f"{missing.size} customer(s) not visited: {listed}")


def route_length(instance: Instance, route: list[int]) -> float:
    """Length of one route, from the depot through ``route`` and back."""
    nodes = np.concatenate([[0], np.asarray(route, dtype=np.int64), [0]])
    return float(instance.distances[nodes[:-1], nodes[1:]].sum())


def evaluate(instance: Instance, solution: Solution) -> float:
    """The total length of the routes with the instance's distances (an ``int`` when the
    distances are integers, as in VRPLIB files)."""
    total = sum(route_length(instance, route) for route in solution.routes if len(route))
    return int(round(total)) if instance.integral else float(total)
