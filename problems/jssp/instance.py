"""Job shop data objects: the instance and a schedule."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

TIME_BOUND = 2**30
"""Every time of a schedule stays below this bound: the total processing time of an instance must be
less than it. The readers refuse larger totals, naming the line; the env (whose times are int32) uses
it as its sentinel :data:`~cosolve.problems.jssp.env.NO_TIME` and checks it again."""


@dataclass(frozen=True, eq=False)
class Instance:
    """A job shop instance: every job visits every machine once, in a fixed order.

    Attributes:
        name: instance name (file stem or generator tag).
        machines: ``[J, M]`` int64, ``machines[j, o]`` is the 0-based machine of operation
            ``o`` of job ``j``; each row is a permutation of ``0..M-1``.
        durations: ``[J, M]`` int64, processing time of operation ``o`` of job ``j`` (>= 0).
    """

    name: str
    machines: np.ndarray
    durations: np.ndarray

    @property
    def n_jobs(self) -> int:
        return int(self.machines.shape[0])

    @property
    def n_machines(self) -> int:
        return int(self.machines.shape[1])

    @property
    def shape(self) -> tuple[int, int]:
        """``(jobs, machines)``; instances of one shape batch together."""
        return self.n_jobs, self.n_machines

    def fingerprint(self) -> str:
        """A hash of the data alone (not the name): finds best-known values by content."""
        digest = hashlib.sha256()
        digest.update(np.asarray(self.shape, dtype=np.int64).tobytes())
        digest.update(np.ascontiguousarray(self.machines, dtype=np.int64).tobytes())
        digest.update(np.ascontiguousarray(self.durations, dtype=np.int64).tobytes())
        return digest.hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class Solution:
    """A schedule: ``start_times[j, o]`` is the start of operation ``o`` of job ``j``.

    ``start_times`` is ``[J, M]`` int64, operations in the file's order.
    """

    start_times: np.ndarray

    def to_json(self) -> dict:
        return {"start_times": self.start_times.astype(int).tolist()}
