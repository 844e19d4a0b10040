"""One-dimensional bin packing, number-of-bins objective (minimised).

The problem contract (:mod:`cosolve.contract`) for bin packing: data objects, the BPPLIB and
OR-Library file formats, Falkenauer's and Scholl's random classes, the independent checker, the
L1/L2 lower bounds and a plot of the packing. The batched env is
:mod:`cosolve.problems.binpacking.env`.
"""

from cosolve.problems.binpacking.bounds import l1, l2
from cosolve.problems.binpacking.check import InfeasibleSolution, check, evaluate
from cosolve.problems.binpacking.generate import generate, generate_iter, parse_size
from cosolve.problems.binpacking.instance import Instance, Solution
from cosolve.problems.binpacking.io import (
    FORMATS,
    Reading,
    read,
    read_all,
    read_with_best_known,
    sniff,
    write,
    write_all,
)

NAME = "binpacking"
TITLE = "one-dimensional bin packing (number of bins)"
EXTENSIONS = (".bpp",)
"""BPPLIB's own files end in ``.txt``, which other problems use too: those are told apart by content."""
OBJECTIVE_SENSE = "min"


def _item_index(value: object) -> object:
    """An integral float (JSON ``3.0``) as ``int``; anything else unchanged, for :func:`check` to reject by name."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def solution_from_json(data: dict) -> Solution:
    """The inverse of :meth:`Solution.to_json`."""
    raw = data["bins"]
    if not isinstance(raw, (list, tuple)):
        return Solution(bins=raw)  # check() names what is wrong with it
    return Solution(
        bins=[
            [_item_index(v) for v in contents] if isinstance(contents, (list, tuple)) else contents for contents in raw
        ]
    )


def render(instance: Instance, solution: Solution, path: str, overwrite: bool = True) -> None:
    """Write a plot of the packing (imports matplotlib only when drawing)."""
    from cosolve.problems.binpacking.plot import plot_packing

    plot_packing(instance, solution, path, overwrite=overwrite)


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
    "l1",
    "l2",
    "parse_size",
    "read",
    "read_all",
    "read_with_best_known",
    "render",
    "sniff",
    "solution_from_json",
    "write",
    "write_all",
]
