"""Random TSP instances: uniform in the unit square (Kool et al. 2019, the learned-TSP
standard) and clustered (Gaussian clusters around uniform centres)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from cosolve.errors import CosolveInputError
from cosolve.problems.tokens import is_integer
from cosolve.problems.tsp.instance import Instance
from cosolve.problems.tsplib_weights import MAX_NODES, euclidean

KINDS = ("uniform", "clustered")


def parse_size(size: str) -> tuple[str, int]:
    """``"100"`` or ``"uniform100"`` -> ``("uniform", 100)``; ``"clustered200"`` -> clustered."""
    text = str(size).strip().lower().removeprefix("tsp")
    kind = next((k for k in KINDS if text.startswith(k)), "uniform")
    digits = text.removeprefix(kind)
    if not is_integer(digits) or not 3 <= int(digits) <= MAX_NODES:
        raise CosolveInputError(f"size {size!r}: expected a node count in 3..{MAX_NODES}, e.g. 100 or clustered100")
    return kind, int(digits)


def _clustered(rng: np.random.Generator, n: int) -> np.ndarray:
    clusters = max(1, n // 25)
    centres = rng.uniform(0.1, 0.9, size=(clusters, 2))
    members = rng.integers(0, clusters, size=n)
    return np.clip(centres[members] + rng.normal(0.0, 0.05, size=(n, 2)), 0.0, 1.0)


def generate(size: str, count: int, seed: int) -> list[Instance]:
    """``count`` instances of ``size``; same seed, same list. Distances are exact Euclidean."""
    return list(generate_iter(size, count, seed))


def generate_iter(size: str, count: int, seed: int) -> Iterator[Instance]:
    """The instances of :func:`generate`, made one at a time (the size is checked at once)."""
    kind, n = parse_size(size)
    return _tours(kind, n, count, seed)


def _tours(kind: str, n: int, count: int, seed: int) -> Iterator[Instance]:
    rng = np.random.default_rng(seed)
    for index in range(count):
        coords = rng.uniform(0.0, 1.0, size=(n, 2)) if kind == "uniform" else _clustered(rng, n)
        yield Instance(f"{kind}{n}_s{seed}_{index}", euclidean(coords), coords, "EXACT")
