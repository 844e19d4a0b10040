"""Independent packing checker and evaluator.

Written from the problem definition alone, sharing no code with the env or the baselines, so that
it catches their bugs: ``bins`` is a list of lists of integer item indices in ``0..n-1``; every
item is packed exactly once; no bin holds more than the capacity; no bin is empty.
"""

from __future__ import annotations

import numbers

from cosolve.problems.binpacking.instance import Instance, Solution


class InfeasibleSolution(ValueError):
    """A packing that violates a bin packing constraint; the message names it."""


def _is_list(value: object) -> bool:
    return hasattr(value, "__iter__") and not isinstance(value, (str, bytes, dict))


def check(instance: Instance, solution: Solution) -> None:
    """Raise :class:`InfeasibleSolution` naming the first violated constraint."""
    if not _is_list(solution.bins):
        raise InfeasibleSolution("bins must be a list of bins, each a list of item indices")
    n = instance.n_items
    where: dict[int, int] = {}
    for number, contents in enumerate(solution.bins):
        if not _is_list(contents):
            raise InfeasibleSolution(f"bin {number} must be a list of item indices, got {contents!r}")
        items = list(contents)
        if not items:
            raise InfeasibleSolution(f"bin {number} is empty")
        load = 0
        for item in items:
            if hasattr(item, "item") and not isinstance(item, bool):  # a numpy scalar
                item = item.item()
            if isinstance(item, bool) or not isinstance(item, numbers.Integral):
                raise InfeasibleSolution(f"bin {number}: item indices must be integers, found {item!r}")
            if not 0 <= item < n:
                raise InfeasibleSolution(f"bin {number}: item {item} is not in 0..{n - 1}")
            if item in where:
                raise InfeasibleSolution(f"item {item} is packed twice (bins {where[item]} and {number})")
            where[int(item)] = number
            load += int(instance.weights[item])
        if load > instance.capacity:
            raise InfeasibleSolution(f"bin {number} holds {load}, over the capacity {instance.capacity}")
    if len(where) != n:
        missing = min(set(range(n)) - set(where))
        raise InfeasibleSolution(f"item {missing} is not packed ({n - len(where)} items are missing)")


def evaluate(instance: Instance, solution: Solution) -> int:
    """The number of bins."""
    return len(solution.bins)
