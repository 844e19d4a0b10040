"""The uniform random CVRP of Kool et al. (2019), used by POMO and most learned routing work.

The depot and ``n`` customers lie uniformly in the unit square; demands are uniform integers in
``1..9``; the capacity depends on ``n``:

=====  ========  ==========================================================
n      capacity  source
=====  ========  ==========================================================
10     20        Kool et al. 2019 (after Nazari et al. 2018)
20     30        Kool et al. 2019
50     40        Kool et al. 2019
100    50        Kool et al. 2019; POMO; BQ-NCO
200    80        LEHD App. D.1 (its CVRP200 test file); GOAL App. F.1
500    100       LEHD App. D.1 (its CVRP500 test file); GOAL App. F.1
1000   250       LEHD App. D.1; GOAL App. F.1
=====  ========  ==========================================================

Other sizes take the capacity of the largest tabulated size not above them (20 below 10). Note
that another table circulates for large sizes (RL4CO: 70, 100, 150 for 200, 500, 1000); pass
``capacity=`` to reproduce it. Distances are exact Euclidean (``rounding = "none"``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from cosolve.errors import CosolveInputError
from cosolve.problems.cvrp.instance import Instance, distance_matrix
from cosolve.problems.tokens import to_integer

CAPACITIES = {10: 20, 20: 30, 50: 40, 100: 50, 200: 80, 500: 100, 1000: 250}
MAX_DEMAND = 9
MAX_CUSTOMERS = 10_000
"""Largest size generated: every instance holds a dense distance matrix."""


def capacity_for(n_customers: int) -> int:
    """The vehicle capacity of the table above for ``n_customers``."""
    sizes = [size for size in CAPACITIES if size <= n_customers]
    return CAPACITIES[max(sizes)] if sizes else CAPACITIES[min(CAPACITIES)]


def parse_size(size: str | int) -> int:
    """``"100"``, ``"cvrp100"`` or ``100`` -> 100 customers."""
    text = str(size).strip().lower().removeprefix("cvrp")
    try:
        n_customers = to_integer(text)
    except ValueError:
        raise CosolveInputError(f"size {size!r} is not a number of customers, e.g. 100 or cvrp100") from None
    if not 1 <= n_customers <= MAX_CUSTOMERS:
        raise CosolveInputError(f"size {size!r} must be 1..{MAX_CUSTOMERS} customers")
    return n_customers


def random_instance(rng: np.random.Generator, n_customers: int, capacity: int, name: str) -> Instance:
    """One instance drawn from ``rng``: coordinates ``[n + 1, 2]`` first, then demands ``[n]``."""
    coords = rng.random((n_customers + 1, 2))
    demands = np.concatenate([[0], rng.integers(1, MAX_DEMAND + 1, size=n_customers)]).astype(np.int64)
    return Instance(
        name=name,
        coords=coords,
        demands=demands,
        capacity=int(capacity),
        distances=distance_matrix(coords, "none"),
        edge_weight_type="EUC_2D",
        rounding="none",
    )


def generate(size: str | int, count: int, seed: int, capacity: int | None = None) -> list[Instance]:
    """``count`` instances with ``size`` customers; the same seed gives the same list, and a
    shorter list is a prefix of a longer one.

    Args:
        capacity: overrides the capacity of the table (it must be at least 9, the largest demand).
    """
    return list(generate_iter(size, count, seed, capacity))


def generate_iter(size: str | int, count: int, seed: int, capacity: int | None = None) -> Iterator[Instance]:
    """The instances of :func:`generate`, made one at a time (the arguments are checked at once)."""
    n_customers = parse_size(size)
    if count < 0:
        raise CosolveInputError(f"count must be >= 0, got {count}")
    capacity = capacity_for(n_customers) if capacity is None else int(capacity)
    if capacity < MAX_DEMAND:
        raise CosolveInputError(f"capacity must be at least {MAX_DEMAND} (the largest demand), got {capacity}")
    return _routes(n_customers, count, seed, capacity)


def _routes(n_customers: int, count: int, seed: int, capacity: int) -> Iterator[Instance]:
    rng = np.random.default_rng(seed)
    for i in range(count):
        yield random_instance(rng, n_customers, capacity, f"cvrp{n_customers}_s{seed}_{i:04d}")
