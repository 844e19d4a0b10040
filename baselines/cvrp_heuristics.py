"""Classical CVRP construction heuristics: Clarke–Wright savings and the sweep.

* :func:`clarke_wright` — the parallel savings algorithm (Clarke and Wright 1964). Start with one
  route per customer; for every customer pair the saving of serving both on one route is
  ``s(i, j) = d(0, i) + d(0, j) - d(i, j)``; go through the pairs by decreasing saving and join the
  two routes when ``i`` and ``j`` end different routes and the joined load fits. Savings are
  computed and sorted with numpy (``O(n²)`` memory: fine to a few thousand customers); the merge
  loop is plain Python.
* :func:`sweep` — Gillett and Miller (1974): sort the customers by polar angle around the depot,
  starting just after the widest empty angular sector, and cut the sequence into routes greedily
  (a new route when the next customer would overload the vehicle). Each route is then improved
  with :func:`two_opt` (off with ``improve=False``). It needs coordinates.

Both assume symmetric distances (the reader rejects asymmetric matrices) and an unlimited fleet.
"""

from __future__ import annotations

import numpy as np

from cosolve.errors import CosolveInputError
from cosolve.problems.cvrp.instance import Instance, Solution

IMPROVEMENT_RTOL = 1e-9
"""2-opt applies a move only when it shortens the route by more than this fraction of the route's
length (and more than this much absolutely): float rounding is never taken for a gain, so the
loop ends however large the distances are."""


def savings_list(distances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Customer pairs ``[P, 2]`` (``i < j``, ids ``1..n``) with a positive saving, and the savings
    ``[P]``, by decreasing saving (ties in ``(i, j)`` order, so the result is deterministic)."""
    n = distances.shape[0] - 1
    first, second = np.triu_indices(n, k=1)
    first, second = first + 1, second + 1
    saving = distances[first, 0] + distances[0, second] - distances[first, second]
    keep = saving > 0
    first, second, saving = first[keep], second[keep], saving[keep]
    order = np.argsort(-saving, kind="stable")
    return np.stack([first[order], second[order]], axis=1), saving[order]


def clarke_wright(instance: Instance) -> Solution:
    """The parallel Clarke–Wright savings solution of ``instance``."""
    n, capacity = instance.n_customers, instance.capacity
    demands = instance.demands.tolist()
    routes: dict[int, list[int]] = {c: [c] for c in range(1, n + 1)}  # route id (the customer it began with) -> route
    route_of = list(range(n + 1))
    load = {c: demands[c] for c in range(1, n + 1)}
    pairs, _ = savings_list(instance.distances)
    for i, j in pairs.tolist():
        ri, rj = route_of[i], route_of[j]
        if ri == rj or load[ri] + load[rj] > capacity:
            continue
        left, right = routes[ri], routes[rj]
        if i not in (left[0], left[-1]) or j not in (right[0], right[-1]):
            continue  # an interior customer cannot take a new neighbour
        if left[-1] != i:
            left.reverse()
        if right[0] != j:
            right.reverse()
        left.extend(right)
        load[ri] += load.pop(rj)
        for customer in right:
            route_of[customer] = ri
        del routes[rj]
    return Solution(routes=list(routes.values()))


def two_opt(distances: np.ndarray, route: list[int]) -> list[int]:
    """``route`` (customer ids, depot at both ends implied) improved by 2-opt until no move helps.

    For each position ``i`` the best segment reversal ``tour[i..j]`` is found for all ``j`` at once
    with numpy and applied when it shortens the tour by more than :data:`IMPROVEMENT_RTOL` of
    its length.
    """
    tour = np.array([0, *route, 0], dtype=np.int64)
    size = tour.size
    tolerance = IMPROVEMENT_RTOL * max(1.0, float(distances[tour[:-1], tour[1:]].sum()))
    improved = True
    while improved:
        improved = False
        for i in range(1, size - 2):
            a, b = tour[i - 1], tour[i]
            c, e = tour[i + 1 : size - 1], tour[i + 2 : size]
            delta = distances[a, c] + distances[b, e] - distances[a, b] - distances[c, e]
            best = int(np.argmin(delta))
            if delta[best] < -tolerance:
                j = i + 1 + best
                tour[i : j + 1] = tour[i : j + 1][::-1].copy()
                improved = True
    return tour[1:-1].tolist()


def sweep_order(instance: Instance) -> np.ndarray:
    """``[n]`` customer ids by polar angle around the depot, starting after the widest gap."""
    if instance.coords is None:
        raise CosolveInputError(f"instance {instance.name}: the sweep needs coordinates, and this one has none")
    offset = instance.coords[1:] - instance.coords[0]
    angle = np.arctan2(offset[:, 1], offset[:, 0])
    order = np.argsort(angle, kind="stable")
    ordered = angle[order]
    gaps = np.diff(np.concatenate([ordered, [ordered[0] + 2 * np.pi]]))
    start = (int(np.argmax(gaps)) + 1) % order.size
    return np.roll(order, -start) + 1


def cut_into_routes(instance: Instance, order: np.ndarray) -> list[list[int]]:
    """The customers ``order`` ``[n]`` cut into routes greedily: a new route whenever the next
    customer would overload the vehicle."""
    routes: list[list[int]] = [[]]
    load = 0
    for customer in order.tolist():
        demand = int(instance.demands[customer])
        if routes[-1] and load + demand > instance.capacity:
            routes.append([])
            load = 0
        routes[-1].append(customer)
        load += demand
    return routes


def sweep(instance: Instance, improve: bool = True) -> Solution:
    """The sweep solution of ``instance``; with ``improve`` each route is 2-opted."""
    routes = cut_into_routes(instance, sweep_order(instance))
    if improve:
        routes = [two_opt(instance.distances, route) for route in routes]
    return Solution(routes=routes)
