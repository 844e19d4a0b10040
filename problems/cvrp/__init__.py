"""Capacitated vehicle routing (CVRP), total route length objective.

The problem contract (:mod:`cosolve.contract`) for CVRP: data objects, VRPLIB files (and
CVRPLIB solution files), the uniform random generator of Kool et al., the independent checker
and a route plot. The batched env and the graph view come with the learned policy.
"""

from cosolve.problems.cvrp.check import InfeasibleSolution, check, evaluate
from cosolve.problems.cvrp.generate import generate, generate_iter, parse_size
from cosolve.problems.cvrp.instance import Instance, Solution
from cosolve.problems.cvrp.io import FORMATS, read, read_solution, sniff, write, write_solution
from cosolve.problems.cvrp.plot import plot_routes

NAME = "cvrp"
TITLE = "capacitated vehicle routing (total length)"
EXTENSIONS = (".vrp",)
OBJECTIVE_SENSE = "min"


def _customer_id(value: object) -> object:
    """An integral number as ``int``; anything else unchanged, for :func:`check` to reject by name."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def solution_from_json(data: dict) -> Solution:
    """The inverse of :meth:`Solution.to_json`."""
    return Solution(routes=[[_customer_id(customer) for customer in route] for route in data["routes"]])


def render(instance: Instance, solution: Solution, path: str, overwrite: bool = True) -> None:
    """Write a route plot of ``solution`` (imports matplotlib only when drawing)."""
    plot_routes(instance, solution, path, overwrite=overwrite)


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
    "read_solution",
    "render",
    "sniff",
    "solution_from_json",
    "write",
    "write_solution",
]
