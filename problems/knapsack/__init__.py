"""The 0/1 knapsack problem, total value objective (maximised).

The problem contract (:mod:`cosolve.contract`) for the knapsack: data objects, the "simple"
(instances_01_KP) and Pisinger file formats, Pisinger's random classes, the independent checker
and a plot of the chosen items. The batched env is :mod:`cosolve.problems.knapsack.env`.
"""

import numbers

import numpy as np

from cosolve.problems.knapsack.check import InfeasibleSolution, check, evaluate
from cosolve.problems.knapsack.generate import generate, generate_iter, parse_size
from cosolve.problems.knapsack.instance import Instance, Solution
from cosolve.problems.knapsack.io import FORMATS, Reading, read, read_all, read_with_optimum, sniff, write

NAME = "knapsack"
TITLE = "0/1 knapsack (total value)"
EXTENSIONS = (".kp", ".knap")
OBJECTIVE_SENSE = "max"


def _item_index(value: object) -> object:
    """An integral float (JSON ``3.0``) as ``int``; anything else unchanged, for :func:`check` to reject by name."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def solution_from_json(data: dict) -> Solution:
    """The inverse of :meth:`Solution.to_json`."""
    raw = data["items"]
    if not isinstance(raw, (list, tuple)):
        return Solution(items=raw)  # check() names what is wrong with it
    items = [_item_index(value) for value in raw]
    integral = all(isinstance(value, numbers.Integral) and not isinstance(value, bool) for value in items)
    return Solution(items=np.asarray(items, dtype=np.int64 if integral else object))


def render(instance: Instance, solution: Solution, path: str, overwrite: bool = True) -> None:
    """Write a plot of the chosen items (imports matplotlib only when drawing)."""
    from cosolve.problems.knapsack.plot import plot_selection

    plot_selection(instance, solution, path, overwrite=overwrite)


__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "NAME",
    "OBJECTIVE_SENSE",
    "TITLE",
    "InfeasibleSolution",
    "Instance",
    "Reading",
    "Solution",
    "check",
    "evaluate",
    "generate",
    "generate_iter",
    "parse_size",
    "read",
    "read_all",
    "read_with_optimum",
    "render",
    "sniff",
    "solution_from_json",
    "write",
]
