"""The symmetric travelling salesman problem (TSP), tour length objective.

The problem contract (:mod:`cosolve.contract`) for TSP: data objects, TSPLIB files, the
uniform and clustered generators and the independent checker.
"""

import numpy as np

from cosolve.problems.tsp.check import InfeasibleSolution, check, evaluate
from cosolve.problems.tsp.generate import generate, generate_iter, parse_size
from cosolve.problems.tsp.instance import Instance, Solution
from cosolve.problems.tsp.io import FORMATS, read, read_tour, sniff, write

NAME = "tsp"
TITLE = "travelling salesman (tour length)"
EXTENSIONS = (".tsp",)
OBJECTIVE_SENSE = "min"


def solution_from_json(data: dict) -> Solution:
    """The inverse of :meth:`Solution.to_json`."""
    return Solution(tour=np.asarray(data["tour"], dtype=np.int64))


def render(instance: Instance, solution: Solution, path: str, overwrite: bool = True) -> None:
    """Draw the tour (imports matplotlib only when drawing)."""
    from cosolve.problems.tsp.plot import plot_tour

    plot_tour(instance, solution, path, overwrite=overwrite)


__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "NAME",
    "OBJECTIVE_SENSE",
    "TITLE",
    "InfeasibleSolution",
    "Instance",
    "Solution",
    "check",
    "evaluate",
    "generate",
    "generate_iter",
    "parse_size",
    "read",
    "read_tour",
    "render",
    "sniff",
    "solution_from_json",
    "write",
]
