"""Independent selection checker and evaluator.

Written from the problem definition alone, sharing no code with the env or the baselines, so
that it catches their bugs: item indices are integers in ``0..n-1``; no item is chosen twice; the
chosen items weigh at most the capacity.
"""

from __future__ import annotations

import numbers

import numpy as np

from cosolve.problems.knapsack.instance import Instance, Solution


class InfeasibleSolution(ValueError):
    """A selection that violates a knapsack constraint; the message names it."""


def _indices(instance: Instance, items: object) -> list[int]:
    """The chosen indices as Python ints, or :class:`InfeasibleSolution` naming what is wrong."""
    if isinstance(items, (str, bytes, dict)) or not hasattr(items, "__iter__"):
        raise InfeasibleSolution("items must be a flat list of item indices")
    array = items if isinstance(items, np.ndarray) else np.asarray(list(items), dtype=object)  # type: ignore[call-overload]
    if array.ndim != 1:
        raise InfeasibleSolution(f"items must be a flat list of item indices, got shape {array.shape}")
    n = instance.n_items
    indices = []
    for value in array.tolist():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise InfeasibleSolution(f"item indices must be integers, found {value!r}")
        if not 0 <= value < n:
            raise InfeasibleSolution(f"item {value} is not in 0..{n - 1}")
        indices.append(int(value))
    return indices


def check(instance: Instance, solution: Solution) -> None:
    """Raise :class:`InfeasibleSolution` naming the first violated constraint."""
    indices = _indices(instance, solution.items)
    seen: set[int] = set()
    for index in indices:
        if index in seen:
            raise InfeasibleSolution(f"item {index} is chosen twice")
        seen.add(index)
    weight = sum(int(instance.weights[index]) for index in indices)
    if weight > instance.capacity:
        raise InfeasibleSolution(f"the chosen items weigh {weight}, over the capacity {instance.capacity}")


def evaluate(instance: Instance, solution: Solution) -> int:
    """The total value of the chosen items."""
    return sum(int(instance.values[index]) for index in np.asarray(solution.items, dtype=np.int64).tolist())
