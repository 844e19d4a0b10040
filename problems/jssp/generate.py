"""Taillard's (1993) random job shop generator, bit-exact, and a flow-like variant.

Processing times are uniform integers in ``[1, 99]``; each job's machine order is a random
permutation drawn by Taillard's swap procedure. Both use Taillard's linear congruential
generator (Lehmer, a = 16807, m = 2^31 - 1), so the published time and machine seeds
reproduce the published instances (ta01: 840612802, 398197754).

Flow-like shops (:func:`generate_flowlike`): times uniform in ``[1, 99]`` too (numpy draws),
but every job visits the machines roughly in one direction, in the order of
``m + spread * M * u`` (``u`` uniform in [0, 1) per job and machine ``m``), as in Fisher and
Thompson's ft10 and ft20 where jobs start on the first machines and end on the last ones.
Training specs (:func:`generate_spec`): ``"JxM"`` for
Taillard's, ``"flow:JxM"`` for flow-like shops.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from cosolve.errors import CosolveInputError
from cosolve.problems.jssp.instance import Instance
from cosolve.problems.tokens import to_integer

MAX_OPERATIONS = 1_000_000
"""The most operations (jobs x machines) of a generated shop."""
_MODULUS, _MULTIPLIER, _QUOTIENT, _REMAINDER = 2147483647, 16807, 127773, 2836


class TaillardRandom:
    """Taillard's ``unif(seed, low, high)`` generator (Schrage's method, exact integers)."""

    def __init__(self, seed: int):
        if not 0 < seed < _MODULUS:
            raise CosolveInputError(f"Taillard seeds lie in 1..{_MODULUS - 1}, got {seed}")
        self.seed = seed

    def uniform(self, low: int, high: int) -> int:
        """An integer uniform in ``[low, high]``."""
        k = self.seed // _QUOTIENT
        self.seed = _MULTIPLIER * (self.seed % _QUOTIENT) - k * _REMAINDER
        if self.seed < 0:
            self.seed += _MODULUS
        return low + int(self.seed / _MODULUS * (high - low + 1))


def taillard_instance(
    n_jobs: int, n_machines: int, time_seed: int, machine_seed: int, name: str | None = None
) -> Instance:
    """The instance Taillard's generator makes from the two seeds."""
    times = TaillardRandom(time_seed)
    durations = np.array([[times.uniform(1, 99) for _ in range(n_machines)] for _ in range(n_jobs)], dtype=np.int64)
    orders = TaillardRandom(machine_seed)
    machines = np.tile(np.arange(n_machines, dtype=np.int64), (n_jobs, 1))
    for job in range(n_jobs):
        for position in range(n_machines):
            other = orders.uniform(position, n_machines - 1)
            machines[job, position], machines[job, other] = machines[job, other], machines[job, position]
    tag = name or f"taillard_{n_jobs}x{n_machines}_{time_seed}_{machine_seed}"
    return Instance(name=tag, machines=machines, durations=durations)


def parse_size(size: str) -> tuple[int, int]:
    """``"15x15"`` -> ``(15, 15)`` (jobs x machines)."""
    try:
        jobs, machines = (to_integer(part.strip()) for part in size.lower().split("x"))
    except ValueError:
        raise CosolveInputError(f"size {size!r} is not JOBSxMACHINES, e.g. 15x15") from None
    if jobs < 1 or machines < 1:
        raise CosolveInputError(f"size {size!r} needs at least one job and one machine")
    if jobs * machines > MAX_OPERATIONS:
        raise CosolveInputError(f"size {size!r} has more than {MAX_OPERATIONS:,} operations")
    return jobs, machines


def _checked_shape(size: str | tuple[int, int], count: int) -> tuple[int, int]:
    """``(jobs, machines)`` of a generator's ``size``; a bad size or a negative ``count`` is a
    user error."""
    shape = parse_size(size) if isinstance(size, str) else size
    if count < 0:
        raise CosolveInputError(f"count must be >= 0, got {count}")
    return shape


def generate(size: str | tuple[int, int], count: int, seed: int) -> list[Instance]:
    """``count`` Taillard instances of ``size`` (``"JxM"`` or a tuple); the same seed gives the same list."""
    return list(generate_iter(size, count, seed))


def generate_iter(size: str | tuple[int, int], count: int, seed: int) -> Iterator[Instance]:
    """The instances of :func:`generate`, made one at a time (the size is checked at once)."""
    n_jobs, n_machines = _checked_shape(size, count)
    rng = np.random.default_rng(seed)
    seeds = rng.integers(1, _MODULUS, size=(count, 2))
    return (
        taillard_instance(n_jobs, n_machines, int(t), int(m), name=f"jssp_{n_jobs}x{n_machines}_s{seed}_{i:04d}")
        for i, (t, m) in enumerate(seeds)
    )


FLOW_SPREAD = 0.5
"""How far a flow-like job's machine order strays from 0, 1, ..., M - 1 (a fraction of M)."""


def generate_flowlike(
    size: str | tuple[int, int], count: int, seed: int, spread: float = FLOW_SPREAD
) -> list[Instance]:
    """``count`` flow-like shops of ``size`` (times uniform in ``[1, 99]``, see the module
    docstring); the same seed gives the same list."""
    n_jobs, n_machines = _checked_shape(size, count)
    rng = np.random.default_rng(seed)
    instances = []
    for i in range(count):
        durations = rng.integers(1, 100, size=(n_jobs, n_machines), dtype=np.int64)
        keys = np.arange(n_machines) + spread * n_machines * rng.random((n_jobs, n_machines))
        machines = np.argsort(keys, axis=1, kind="stable").astype(np.int64)
        instances.append(Instance(f"flow_{n_jobs}x{n_machines}_s{seed}_{i:04d}", machines, durations))
    return instances


def generate_spec(spec: str, count: int, seed: int) -> list[Instance]:
    """Shops of a training spec: ``"JxM"`` (Taillard) or ``"flow:JxM"`` (flow-like)."""
    family, _, size = spec.rpartition(":")
    if family == "flow":
        return generate_flowlike(size, count, seed)
    if family:
        raise CosolveInputError(f"shop spec {spec!r}: expected JxM or flow:JxM")
    return generate(size, count, seed)
