"""The registry of problems and their methods; adding a problem is one line in ``PROBLEMS``."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from cosolve.errors import CosolveInputError
from cosolve.files import read_text
from cosolve.methods import MethodFamily, MethodSpec

PROBLEMS: dict[str, str] = {
    "jssp": "cosolve.problems.jssp",
    "tsp": "cosolve.problems.tsp",
    "cvrp": "cosolve.problems.cvrp",
    "knapsack": "cosolve.problems.knapsack",
    "binpacking": "cosolve.problems.binpacking",
}
"""Problem name -> package. The package follows :class:`cosolve.contract.Problem` and has a
``methods`` module with ``METHODS`` (family -> :class:`MethodFamily`) and ``DEFAULT_METHOD``."""


TRAINERS: dict[str, list[str]] = {
    "jssp": [
        "cosolve.train.jssp_imitation",
        "cosolve.train.jssp_ppo",
        "cosolve.train.jssp_dynamic_ppo",
        "cosolve.train.jssp_dynamic_imitation",
        "cosolve.train.jssp_improve",
    ],
    "tsp": ["cosolve.train.tsp_imitation"],
    "cvrp": ["cosolve.train.cvrp_imitation"],
    "knapsack": ["cosolve.train.knapsack_imitation"],
    "binpacking": ["cosolve.train.binpacking_imitation", "cosolve.train.binpacking_online"],
}
"""Problem -> its trainer modules, each with a ``RECIPE`` (:class:`cosolve.train.recipes.Recipe`);
the first recipe of a mode is that mode's default, the first mode the problem's default."""


def get_recipes(name: str) -> list:
    """The training recipes of problem ``name``; a problem without any is a user error."""
    get_problem(name)
    if name not in TRAINERS:
        raise CosolveInputError(f"no training recipe for {name} yet")
    return [importlib.import_module(module).RECIPE for module in TRAINERS[name]]


def problem_names() -> list[str]:
    return list(PROBLEMS)


def get_problem(name: str) -> ModuleType:
    """The problem package of ``name``; an unknown name is a user error."""
    if name not in PROBLEMS:
        raise CosolveInputError(f"unknown problem {name!r} (choose from {', '.join(PROBLEMS)})")
    return importlib.import_module(PROBLEMS[name])


def get_methods(name: str) -> ModuleType:
    """The ``methods`` module of a problem."""
    get_problem(name)
    return importlib.import_module(PROBLEMS[name] + ".methods")


def resolve_method(problem: str, text: str | None) -> tuple[MethodSpec, MethodFamily]:
    """Parse and validate a method name for ``problem`` (``None`` gives its default method)."""
    methods = get_methods(problem)
    spec = MethodSpec.parse(methods.DEFAULT_METHOD if text is None else text)
    family = methods.METHODS.get(spec.family)
    if family is None:
        usages = ", ".join(f.usage for f in methods.METHODS.values())
        raise CosolveInputError(f"unknown method {spec.text!r} for {problem} (available: {usages})")
    family.validate(spec)
    return spec, family


def detect_problem(path: str | Path, override: str | None = None) -> str:
    """The problem of a file: ``override`` if given, else by suffix, else by content."""
    if override:
        get_problem(override)
        return override
    path = Path(path)
    suffix = path.suffix.lower()
    for name in PROBLEMS:
        if suffix in get_problem(name).EXTENSIONS:
            return name
    text = read_text(path)
    matches = [name for name in PROBLEMS if get_problem(name).sniff(text)]
    if len(matches) == 1:
        return matches[0]
    if not text.strip():
        raise CosolveInputError("file is empty", path)
    reason = "looks like several problems" if matches else "cannot tell which problem this file holds"
    raise CosolveInputError(f"{reason}; pass --problem ({'|'.join(PROBLEMS)})", path)
