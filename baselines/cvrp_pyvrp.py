"""PyVRP (hybrid genetic search) as a strong CVRP reference for benchmarks.

An optional extra (``pip install cosolve[bench]``); never needed to solve or test.
"""

from __future__ import annotations

import numpy as np

from cosolve.errors import CosolveInputError
from cosolve.problems.cvrp.instance import Instance, Solution

INTEGER_SCALE = 10_000
"""Unrounded (generated) distances are scaled to integers by this for PyVRP (larger scales
make its penalty search struggle; the routes are evaluated on the exact distances)."""


def solve_pyvrp(instance: Instance, time_limit_s: float, seed: int = 0) -> Solution:
    """The best routes PyVRP finds within ``time_limit_s`` seconds."""
    try:
        from pyvrp import Model
        from pyvrp.stop import MaxRuntime
    except ImportError:
        raise CosolveInputError("PyVRP is not installed (pip install cosolve[bench])") from None
    integral = bool(np.all(instance.distances == np.round(instance.distances)))
    weights = np.rint(instance.distances if integral else instance.distances * INTEGER_SCALE).astype(np.int64)
    coords = instance.coords if instance.coords is not None else np.zeros((instance.n_nodes, 2))
    model = Model()
    locations = [model.add_location(float(x), float(y)) for x, y in coords]
    model.add_depot(locations[0])
    model.add_vehicle_type(num_available=instance.n_customers, capacity=int(instance.capacity))
    for node in range(1, instance.n_nodes):
        model.add_client(locations[node], delivery=int(instance.demands[node]))
    for a, source in enumerate(locations):
        for b, target in enumerate(locations):
            if a != b:
                model.add_edge(source, target, distance=int(weights[a, b]))
    result = model.solve(stop=MaxRuntime(time_limit_s), seed=seed, display=False)
    if not result.is_feasible():
        raise RuntimeError(f"PyVRP found no feasible solution for {instance.name} in {time_limit_s} s")
    routes = [[_customer(activity) for activity in route if activity.is_client()] for route in result.best.routes()]
    return Solution(routes=[route for route in routes if route])


def _customer(activity) -> int:
    """The VRPLIB customer id (1-based) of a PyVRP client visit (clients are 0-based there)."""
    return int(activity.idx) + 1
