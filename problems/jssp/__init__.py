"""Job shop scheduling (JSSP), makespan objective.

The problem contract (:mod:`cosolve.contract`) for job shop: data objects, file formats,
Taillard's generator, the batched env, the independent checker and the graph view.
"""

import numpy as np

from cosolve.problems.jssp.check import InfeasibleSolution, check, evaluate
from cosolve.problems.jssp.generate import generate, generate_iter, parse_size
from cosolve.problems.jssp.instance import Instance, Solution
from cosolve.problems.jssp.io import FORMATS, read, sniff, write

NAME = "jssp"
TITLE = "job shop scheduling (makespan)"
EXTENSIONS = (".jsp", ".jssp", ".jobshop")
OBJECTIVE_SENSE = "min"


def solution_from_json(data: dict) -> Solution:
    """The inverse of :meth:`Solution.to_json`."""
    return Solution(start_times=np.asarray(data["start_times"], dtype=np.int64))


def render(instance: Instance, solution: Solution, path: str, overwrite: bool = True) -> None:
    """Write a Gantt chart of ``solution`` (imports matplotlib only when drawing)."""
    from cosolve.problems.jssp.gantt import gantt

    gantt(instance, solution, path, overwrite=overwrite)


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
    "render",
    "sniff",
    "solution_from_json",
    "write",
]
