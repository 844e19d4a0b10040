"""Benchmark instances shipped with cosolve, and their best-known values.

Each problem folder (``jssp/`` ...) holds the instance files and an ``index.json`` mapping
the instance name to its file, best-known objective, whether that value is proven
optimal, a lower bound and a fingerprint of the data. Results find their reference by
fingerprint, so a renamed copy of a benchmark file still gets its gap, and a different
instance that happens to share a benchmark's name does not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Reference:
    """Best-known value of a benchmark instance."""

    name: str
    best_known: float
    optimal: bool
    lower_bound: float | None


@cache
def index(problem: str) -> dict[str, dict[str, Any]]:
    """The index of a problem's shipped instances (empty when none ship)."""
    path = FOLDER / problem / "index.json"
    return json.loads(path.read_text()) if path.exists() else {}


@cache
def _by_fingerprint(problem: str) -> dict[str, str]:
    return {entry["fingerprint"]: name for name, entry in index(problem).items()}


def reference(problem: str, instance: Any) -> Reference | None:
    """The best-known value of ``instance`` if it is a shipped benchmark (matched by content)."""
    name = _by_fingerprint(problem).get(instance.fingerprint())
    if name is None:
        return None
    entry = index(problem)[name]
    return Reference(name, entry["best_known"], bool(entry["optimal"]), entry.get("lower_bound"))


def path_of(problem: str, name: str) -> Path:
    """The file of a shipped instance, e.g. ``path_of("jssp", "ta01")``."""
    entry = index(problem).get(name)
    if entry is None:
        raise KeyError(f"no shipped {problem} instance named {name!r}")
    return FOLDER / problem / entry["file"]
