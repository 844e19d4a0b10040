"""TSP data objects: the instance and a tour."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Instance:
    """A symmetric travelling salesman instance.

    Attributes:
        name: instance name (file ``NAME`` or generator tag).
        distances: ``[n, n]`` float64 edge weights in the file's convention (integral for
            TSPLIB's rounded types, exact Euclidean for generated instances).
        coords: ``[n, 2]`` float64 node coordinates, or ``None`` for explicit matrices.
        edge_weight_type: ``EUC_2D``, ``CEIL_2D``, ``ATT``, ``GEO``, ``EXPLICIT`` or ``EXACT``
            (unrounded Euclidean, for generated instances).
    """

    name: str
    distances: np.ndarray
    coords: np.ndarray | None = None
    edge_weight_type: str = "EXACT"

    @property
    def n_nodes(self) -> int:
        return int(self.distances.shape[0])

    @property
    def shape(self) -> tuple[int]:
        """``(n,)``; instances of one shape batch together."""
        return (self.n_nodes,)

    def fingerprint(self) -> str:
        """A hash of the distances alone (not the name): finds best-known values by content."""
        digest = hashlib.sha256()
        digest.update(np.asarray(self.distances.shape, dtype=np.int64).tobytes())
        digest.update(np.ascontiguousarray(np.round(self.distances, 6), dtype=np.float64).tobytes())
        return digest.hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class Solution:
    """A tour: ``tour`` ``[n]`` int64, a permutation of the 0-based node indices (the return
    to the first node is implied)."""

    tour: np.ndarray

    def to_json(self) -> dict:
        return {"tour": np.asarray(self.tour).astype(int).tolist()}
