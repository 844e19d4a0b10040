"""CVRP data objects: the instance and a set of routes.

Nodes are numbered as in VRPLIB files minus one: node 0 is the depot, nodes ``1..n`` are the
customers, so a customer's id in a solution is its 0-based row in the arrays below.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from cosolve.problems.tsplib_weights import coordinate_weights, euclidean

ROUNDINGS = ("nint", "ceil", "floor", "att", "geo", "explicit", "none")
TSPLIB_TYPES = {"nint": "EUC_2D", "ceil": "CEIL_2D", "att": "ATT", "geo": "GEO"}
"""The roundings whose formulas :mod:`cosolve.problems.tsplib_weights` computes, by TSPLIB name."""
"""How ``distances`` were made: TSPLIB ``EUC_2D`` (``nint``: ``floor(d + 0.5)``), ``CEIL_2D``,
``FLOOR_2D``, ``ATT`` (pseudo-Euclidean), ``GEO`` (great circle, km), an explicit matrix from the
file, or exact Euclidean distances with no rounding (generated instances)."""


@dataclass(frozen=True, eq=False)
class Instance:
    """A capacitated vehicle routing instance: one depot, ``n`` customers, identical vehicles.

    Every route starts and ends at the depot and carries at most ``capacity``; the fleet is
    unlimited (as in CVRPLIB's X set); the objective is the total route length.

    Attributes:
        name: instance name (file stem or generator tag).
        coords: ``[n + 1, 2]`` float64 coordinates, depot first; ``None`` when the file only
            has an explicit distance matrix.
        demands: ``[n + 1]`` int64 demands, ``demands[0] == 0`` (the depot).
        capacity: vehicle capacity (every demand is at most this).
        distances: ``[n + 1, n + 1]`` float64 travel costs, symmetric with a zero diagonal. For
            files they follow the file's convention and hold integers (``EUC_2D`` is rounded with
            ``nint``, as in CVRPLIB); generated instances keep exact Euclidean distances.
        edge_weight_type: the VRPLIB ``EDGE_WEIGHT_TYPE`` (``EUC_2D``, ``CEIL_2D``, ``ATT``,
            ``GEO``, ``EXPLICIT`` ...).
        rounding: one of :data:`ROUNDINGS`; ``none`` means exact float distances.
    """

    name: str
    coords: np.ndarray | None
    demands: np.ndarray
    capacity: int
    distances: np.ndarray
    edge_weight_type: str = "EUC_2D"
    rounding: str = "nint"

    @property
    def n_customers(self) -> int:
        return int(self.demands.shape[0]) - 1

    @property
    def n_nodes(self) -> int:
        """Customers plus the depot."""
        return int(self.demands.shape[0])

    @property
    def shape(self) -> tuple[int]:
        """``(customers,)``; instances of one shape batch together."""
        return (self.n_customers,)

    @property
    def integral(self) -> bool:
        """True when every distance is an integer (then the objective is an integer too)."""
        return self.rounding != "none" and bool(np.all(self.distances == np.round(self.distances)))

    @property
    def total_demand(self) -> int:
        return int(self.demands.sum())

    @property
    def min_vehicles(self) -> int:
        """A lower bound on the number of routes: ``ceil(total demand / capacity)``."""
        return max(1, -(-self.total_demand // self.capacity))

    def fingerprint(self) -> str:
        """A hash of the data alone (not the name): finds best-known values by content.

        It covers capacity, demands and the distance matrix, so the same coordinates under a
        different rounding convention are a different instance.
        """
        digest = hashlib.sha256()
        digest.update(np.asarray([self.n_customers, self.capacity], dtype=np.int64).tobytes())
        digest.update(np.ascontiguousarray(self.demands, dtype=np.int64).tobytes())
        digest.update(np.ascontiguousarray(self.distances, dtype=np.float64).tobytes())
        return digest.hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class Solution:
    """A set of routes: ``routes[k]`` lists the 1-based customer ids of vehicle ``k`` in visiting
    order, the depot left out at both ends (as in CVRPLIB ``.sol`` files)."""

    routes: list[list[int]]

    @property
    def n_routes(self) -> int:
        return len(self.routes)

    def to_json(self) -> dict:
        return {"routes": [[int(customer) for customer in route] for route in self.routes]}


def distance_matrix(coords: np.ndarray, rounding: str) -> np.ndarray:
    """``[N, N]`` float64 distances between ``coords`` (``[N, 2]``) under a TSPLIB convention.

    ``nint`` (``EUC_2D``): ``floor(d + 0.5)``; ``ceil`` (``CEIL_2D``); ``floor`` (``FLOOR_2D``);
    ``att``: TSPLIB's pseudo-Euclidean distance, ``r = sqrt((dx² + dy²) / 10)`` rounded with
    ``nint`` and raised by one when that fell below ``r``; ``geo``: the TSPLIB great-circle
    distance in km (PI = 3.141592, radius 6378.388, as TSPLIB95 prescribes); ``none``: exact
    Euclidean. The formulas are :mod:`cosolve.problems.tsplib_weights`' (shared with TSP); they
    reproduce the costs of CVRPLIB solution files.
    """
    coords = np.asarray(coords, dtype=np.float64)
    if rounding in TSPLIB_TYPES:
        return coordinate_weights(coords, TSPLIB_TYPES[rounding])
    if rounding == "floor":
        return np.floor(euclidean(coords))
    if rounding == "none":
        return euclidean(coords)
    raise ValueError(f"no distance formula for rounding {rounding!r}")
