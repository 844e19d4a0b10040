"""The problem contract: what every problem family in ``cosolve.problems`` provides.

Training, solving, comparing and the CLI are written once against these pieces. A problem
is a package (e.g. :mod:`cosolve.problems.jssp`) whose top level exposes the names of
:class:`Problem`, a ``env`` module following :class:`Env`, an ``observe`` function for the
GNN, and a ``methods`` module with its method table (see :mod:`cosolve.methods`).
Registering it is one line in :mod:`cosolve.registry`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import torch


class Problem(Protocol):
    """The top level of a problem package."""

    NAME: str  # short name used on the CLI and in solution files, e.g. "jssp"
    TITLE: str  # one line for humans
    EXTENSIONS: tuple[str, ...]  # file suffixes that identify the problem
    FORMATS: tuple[str, ...]  # file formats the reader accepts ("auto" first); FORMATS[1] is the writer's default
    OBJECTIVE_SENSE: str  # "min" or "max"
    Instance: type  # frozen dataclass of numpy arrays with ``name`` and ``fingerprint()``
    Solution: type  # frozen dataclass with ``to_json() -> dict``
    InfeasibleSolution: type[Exception]

    def read(self, path: str | Path, fmt: str = "auto") -> Any:
        """Read an instance; malformed files raise ``CosolveInputError`` naming file and line."""

    def write(self, path: str | Path, instance: Any, fmt: str = ..., overwrite: bool = True) -> None:
        """Write an instance atomically."""

    def sniff(self, text: str) -> bool:
        """True when a file's text looks like this problem (detection when the suffix is unknown)."""

    def generate(self, size: str, count: int, seed: int) -> list[Any]:
        """``count`` random instances from the published distribution; same seed, same list."""

    def generate_iter(self, size: str, count: int, seed: int) -> Iterator[Any]:
        """The instances of ``generate``, made one at a time (``cosolve generate`` writes each as it comes)."""

    def parse_size(self, size: str) -> tuple:
        """The parts of a size spec (``10x10``, ``100``, ``strong100``, ``u120`` ...); a malformed one
        raises ``CosolveInputError`` saying what is expected (checked before any work starts)."""

    def evaluate(self, instance: Any, solution: Any) -> float:
        """The objective recomputed from the solution alone."""

    def check(self, instance: Any, solution: Any) -> None:
        """Raise ``InfeasibleSolution`` naming the violated constraint; shares no code with the env."""

    def solution_from_json(self, data: dict) -> Any:
        """The inverse of ``Solution.to_json``."""

    def render(self, instance: Any, solution: Any, path: str, overwrite: bool = True) -> None:
        """Draw a solution (Gantt chart, routes, packing) to an image file."""

    # Optional: ``read_all(path, fmt="auto") -> list`` for files that hold several instances
    # (knapsack's Pisinger csv, bin packing's OR-Library files); ``cosolve solve --index`` uses it.


class Env(Protocol):
    """The batched environment module of a problem (``problem.env``).

    ``State`` is a dataclass of tensors with a leading batch dimension ``B`` and the
    properties ``mask`` (``[B, A]`` feasible actions) and ``done`` (``[B]``). ``step`` works
    on the whole batch with no Python loop over instances.
    """

    def reset(self, instances: Sequence[Any], device: str | torch.device = "cpu") -> Any:
        """A fresh state for a batch of instances."""

    def step(self, state: Any, actions: torch.Tensor) -> Any:
        """Apply ``actions`` (``[B]``) to every unfinished instance; returns the state."""

    def to_solutions(self, state: Any) -> list[Any]:
        """One solution per instance of a finished state."""
