"""Bin packing data objects: the instance and a packing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Instance:
    """A one-dimensional bin packing instance: pack every item into as few bins as possible.

    Attributes:
        name: instance name (file stem, OR-Library problem name or generator tag).
        weights: ``[n]`` int64 item weights, each in ``1..capacity``.
        capacity: the capacity of every bin, ``>= 1``.
        scale: the power of ten the file's decimal data were multiplied by to make them integral
            (OR-Library's triplet files state ``100.0`` and weights like ``20.2``: scale 10, capacity
            1000, as in BPPLIB); 1 for integer files. The number of bins does not depend on it.
    """

    name: str
    weights: np.ndarray
    capacity: int
    scale: int = 1

    @property
    def n_items(self) -> int:
        return int(self.weights.shape[0])

    @property
    def shape(self) -> tuple[int]:
        """``(n,)``; instances of one shape batch together."""
        return (self.n_items,)

    @property
    def total_weight(self) -> int:
        return int(self.weights.sum())

    def fingerprint(self) -> str:
        """A hash of the capacity and the multiset of weights (not the name, nor the item order, which
        does not change the optimum): finds best-known values by content."""
        digest = hashlib.sha256()
        digest.update(np.asarray([self.n_items, self.capacity], dtype=np.int64).tobytes())
        digest.update(np.sort(np.ascontiguousarray(self.weights, dtype=np.int64)).tobytes())
        return digest.hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class Solution:
    """A packing: ``bins`` is a list of bins, each a list of 0-based item indices.

    The objective is ``len(bins)``; :func:`cosolve.problems.binpacking.check.check` verifies that
    every item is packed exactly once, that no bin is over capacity and that no bin is empty.
    """

    bins: list[list[int]]

    @classmethod
    def from_assignment(cls, assignment: np.ndarray) -> Solution:
        """The packing of ``assignment`` ``[n]`` int (the bin of each item, any bin ids ``>= 0``):
        bins ordered by their smallest bin id, items in each bin by index."""
        assignment = np.asarray(assignment, dtype=np.int64)
        order = np.argsort(assignment, kind="stable")
        ids, starts = np.unique(assignment[order], return_index=True)
        return cls(bins=[part.tolist() for part in np.split(order, starts[1:])] if ids.size else [])

    @property
    def n_bins(self) -> int:
        return len(self.bins)

    def to_json(self) -> dict:
        return {"bins": [[int(item) for item in bin_items] for bin_items in self.bins]}
