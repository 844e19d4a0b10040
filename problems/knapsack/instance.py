"""Knapsack data objects: the instance and a selection of items."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Instance:
    """A 0/1 knapsack instance: choose items of largest total value whose total weight fits.

    Attributes:
        name: instance name (file stem, Pisinger's instance name or generator tag).
        values: ``[n]`` int64 item values (profits), each ``>= 0``.
        weights: ``[n]`` int64 item weights, each ``>= 1``. An item heavier than the capacity
            is allowed (it can never be chosen).
        capacity: the knapsack capacity, ``>= 0``.
    """

    name: str
    values: np.ndarray
    weights: np.ndarray
    capacity: int

    @property
    def n_items(self) -> int:
        return int(self.values.shape[0])

    @property
    def shape(self) -> tuple[int]:
        """``(n,)``; instances of one shape batch together."""
        return (self.n_items,)

    @property
    def total_weight(self) -> int:
        return int(self.weights.sum())

    def fingerprint(self) -> str:
        """A hash of the data alone (not the name): finds best-known values by content."""
        digest = hashlib.sha256()
        digest.update(np.asarray([self.n_items, self.capacity], dtype=np.int64).tobytes())
        digest.update(np.ascontiguousarray(self.values, dtype=np.int64).tobytes())
        digest.update(np.ascontiguousarray(self.weights, dtype=np.int64).tobytes())
        return digest.hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class Solution:
    """A selection: ``items`` ``[k]`` int64, the 0-based indices of the chosen items, sorted."""

    items: np.ndarray

    @classmethod
    def from_mask(cls, chosen: np.ndarray) -> Solution:
        """The selection of a ``[n]`` bool (or 0/1) vector."""
        return cls(items=np.flatnonzero(np.asarray(chosen)).astype(np.int64))

    def to_json(self) -> dict:
        return {"items": np.asarray(self.items).astype(int).tolist()}
