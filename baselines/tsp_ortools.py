"""OR-Tools routing for the TSP: cheapest-arc start, guided local search, a time limit."""

from __future__ import annotations

import numpy as np

from cosolve.interrupt import solve_routing

INTEGER_SCALE = 1_000_000
"""Unrounded (generated) distances are scaled to integers by this for OR-Tools' arc costs."""


def solve_ortools(distances: np.ndarray, time_limit_s: float, integral: bool) -> np.ndarray:
    """A tour ``[n]`` (0-based, starting at node 0) found by OR-Tools within ``time_limit_s``.

    Args:
        distances: ``[n, n]`` symmetric weights.
        integral: the weights are integers (TSPLIB rounding); otherwise they are scaled by
            :data:`INTEGER_SCALE` and rounded.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = distances.shape[0]
    costs = np.rint(distances if integral else distances * INTEGER_SCALE).astype(np.int64)
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    cost_rows = costs.tolist()

    def arc_cost(from_index: int, to_index: int) -> int:
        return cost_rows[manager.IndexToNode(from_index)][manager.IndexToNode(to_index)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(arc_cost))
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    assignment = solve_routing(routing, parameters)
    if assignment is None:
        raise RuntimeError("OR-Tools found no tour")
    tour, index = [], routing.Start(0)
    while not routing.IsEnd(index):
        tour.append(manager.IndexToNode(index))
        index = assignment.Value(routing.NextVar(index))
    return np.asarray(tour, dtype=np.int64)
