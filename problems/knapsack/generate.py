"""Random 0/1 knapsack instances of Pisinger's classes.

D. Pisinger, "Where are the hard knapsack problems?", Computers & Operations Research 32 (2005),
with the coefficient range ``R = 1000`` (integers in ``1..R``):

============  ==================================================================
kind          items
============  ==================================================================
uncorrelated  ``w`` and ``p`` uniform in ``1..R``, independent
weak          ``w`` uniform in ``1..R``, ``p`` uniform in ``w - R/10 .. w + R/10``, raised to 1 if below
strong        ``w`` uniform in ``1..R``, ``p = w + R/10``
inverse       ``p`` uniform in ``1..R``, ``w = p + R/10`` (inverse strongly correlated)
subset        ``w`` uniform in ``1..R``, ``p = w`` (subset sum)
============  ==================================================================

Capacity: ``floor(ratio * sum(w))`` with ``ratio = 1/2`` by default, the usual single-instance
convention (half the items fit, the knapsack is neither nearly empty nor nearly full). Pisinger's
test series instead uses ``c = floor(h / (H + 1) * sum(w))`` for the ``h``-th of ``H = 100``
instances; pass ``capacity_ratio=h / 101`` to reproduce one of them (his ``knapPI_t_n_1000_1``
files are ``h = 1``, about 1 % of the total weight).

Sizes: ``"100"`` (uncorrelated), ``"uncorrelated100"``, ``"weak100"``, ``"strong200"``,
``"inverse100"``, ``"subset100"``; a ``kp`` prefix is allowed (``"kp100"``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from cosolve.errors import CosolveInputError
from cosolve.problems.knapsack.instance import Instance
from cosolve.problems.tokens import is_integer

KINDS = ("uncorrelated", "weak", "strong", "inverse", "subset")
ALIASES = {"weakly": "weak", "strongly": "strong", "subsetsum": "subset"}
RANGE = 1000
"""Pisinger's coefficient range ``R``."""
MAX_ITEMS = 1_000_000


def parse_size(size: str | int) -> tuple[str, int]:
    """``"100"`` -> ``("uncorrelated", 100)``; ``"strong200"`` -> ``("strong", 200)``."""
    text = str(size).strip().lower().removeprefix("kp").removeprefix("_")
    names = sorted([*KINDS, *ALIASES], key=len, reverse=True)
    prefix = next((name for name in names if text.startswith(name)), "")
    digits = text.removeprefix(prefix).lstrip("_")
    if not is_integer(digits) or not 1 <= int(digits) <= MAX_ITEMS:
        raise CosolveInputError(
            f"size {size!r}: expected [kind]N with N in 1..{MAX_ITEMS} items and kind one of "
            f"{', '.join(KINDS)} (e.g. 100 or strong200)"
        )
    return ALIASES.get(prefix, prefix or "uncorrelated"), int(digits)


def coefficients(rng: np.random.Generator, kind: str, n: int, r: int = RANGE) -> tuple[np.ndarray, np.ndarray]:
    """``(values, weights)``, each ``[n]`` int64, of Pisinger's class ``kind``."""
    spread = r // 10
    if kind == "inverse":
        values = rng.integers(1, r + 1, size=n)
        return values.astype(np.int64), (values + spread).astype(np.int64)
    weights = rng.integers(1, r + 1, size=n)
    if kind == "uncorrelated":
        values = rng.integers(1, r + 1, size=n)
    elif kind == "weak":
        values = np.maximum(1, weights + rng.integers(-spread, spread + 1, size=n))
    elif kind == "strong":
        values = weights + spread
    elif kind == "subset":
        values = weights.copy()
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return values.astype(np.int64), weights.astype(np.int64)


def generate(size: str | int, count: int, seed: int, capacity_ratio: float = 0.5) -> list[Instance]:
    """``count`` instances of ``size``; the same seed gives the same list, and a shorter list is a
    prefix of a longer one."""
    return list(generate_iter(size, count, seed, capacity_ratio))


def generate_iter(size: str | int, count: int, seed: int, capacity_ratio: float = 0.5) -> Iterator[Instance]:
    """The instances of :func:`generate`, made one at a time (the arguments are checked at once)."""
    kind, n = parse_size(size)
    if count < 0:
        raise CosolveInputError(f"count must be >= 0, got {count}")
    if not 0 < capacity_ratio <= 1:
        raise CosolveInputError(f"capacity_ratio must be in (0, 1], got {capacity_ratio}")
    return _knapsacks(kind, n, count, seed, capacity_ratio)


def _knapsacks(kind: str, n: int, count: int, seed: int, capacity_ratio: float) -> Iterator[Instance]:
    rng = np.random.default_rng(seed)
    for index in range(count):
        values, weights = coefficients(rng, kind, n)
        capacity = int(np.floor(capacity_ratio * int(weights.sum())))
        yield Instance(f"{kind}{n}_s{seed}_{index:04d}", values, weights, capacity)
