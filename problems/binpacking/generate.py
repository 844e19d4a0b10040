"""Random bin packing instances of the published classes.

==========================  ===========================================================================
size                        instances
==========================  ===========================================================================
``u120`` (``uN``, ``120``)  Falkenauer's uniform class (1996; OR-Library binpack1-4 are u120, u250, u500,
                            u1000): ``N`` weights uniform integers in ``20..100``, capacity 150.
``t60`` (``tN``)            Falkenauer's triplets (binpack5-8: t60, t120, t249, t501), capacity 1000 as in
                            BPPLIB: ``N/3`` bins filled exactly by three items each, so ``N/3`` bins are
                            optimal. Per bin: ``a`` uniform in ``350..499``, ``b`` uniform in
                            ``250..(1000 - a) // 2``, ``c = 1000 - a - b`` (so ``250 <= b <= c <= 400``).
                            The items are shuffled.
``weibull5000`` (``wN``)    Weibull streams of the online bin packing benchmarks (Castiñeiras, De Cauwer and
                            O'Sullivan, 2012; the "Weibull 5k" set of FunSearch, Romera-Paredes et al.,
                            Nature 2024): ``N`` weights ``round(45 * Weibull(shape 3))`` clipped to
                            ``1..100``, capacity 100 (mean weight about 40). Best fit packs them about 4 %
                            above the L1 bound.
``scholl1_n100_c120_w20``   Scholl, Klein and Jürgens' (1997) class 1: ``n`` weights uniform integers in
                            ``w..100``, capacity ``c`` (published: n in 50, 100, 200, 500; c in 100, 120,
                            150; w in 1, 20, 30). Scholl's own names work too: ``N2C2W2`` is
                            ``scholl1_n100_c120_w20`` (N1-N4 = 50, 100, 200, 500 items; C1-C3 = capacity
                            100, 120, 150; W1, W2, W4 = weights from 1, 20, 30).
==========================  ===========================================================================

Falkenauer's paper describes the triplet bins only loosely ("items between 25 and 50, three to
a bin of 100"); the rule above was fitted to the 80 published t instances: it reproduces the
histogram of their 18,600 weights in buckets of 10 within sampling noise (e.g. 3048, 1892, 1555
weights in 250..279 published against 2938, 1908, 1497 generated; 719 against 716 in 350..359, where
the first item's range begins). A first item from 380 instead does not fit: it leaves 1 weight in
370..379, where the published set has 605.

The same seed gives the same list, and a shorter list is a prefix of a longer one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np

from cosolve.errors import CosolveInputError
from cosolve.problems.binpacking.instance import Instance

MAX_ITEMS = 1_000_000
U_CAPACITY, U_LOW, U_HIGH = 150, 20, 100
T_CAPACITY, T_FIRST, T_LOW = 1000, (350, 499), 250
WEIBULL_CAPACITY, WEIBULL_SCALE, WEIBULL_SHAPE = 100, 45.0, 3.0
SCHOLL_HIGH = 100
SCHOLL_ITEMS = {"1": 50, "2": 100, "3": 200, "4": 500}
SCHOLL_CAPACITY = {"1": 100, "2": 120, "3": 150}
SCHOLL_LOW = {"1": 1, "2": 20, "4": 30}

_U = re.compile(r"u?([0-9]{1,9})")
_T = re.compile(r"t([0-9]{1,9})")
_WEIBULL = re.compile(r"(?:weibull|w)([0-9]{1,9})")
_SCHOLL = re.compile(r"scholl1?_n([0-9]{1,9})_c([0-9]{1,9})_w([0-9]{1,9})")
_SCHOLL_NAME = re.compile(r"n([1-4])c([1-3])w([124])")


def parse_size(size: str | int) -> tuple[str, int, int, int]:
    """``(kind, n, capacity, low)``: ``"u120"`` -> ``("u", 120, 150, 20)``, ``"t60"`` -> ``("t", 60, 1000,
    250)``, ``"weibull5000"`` -> ``("weibull", 5000, 100, 1)``, ``"scholl1_n100_c120_w20"`` and ``"N2C2W2"``
    -> ``("scholl1", 100, 120, 20)``."""
    text = str(size).strip().lower()
    usage = (
        f"size {size!r}: expected uN (Falkenauer uniform, e.g. u120), tN (triplets, N a multiple of 3, e.g. t60), "
        "weibullN (Weibull streams, e.g. weibull5000), "
        "scholl1_nN_cC_wW (e.g. scholl1_n100_c120_w20) or a Scholl name like N2C2W2"
    )
    if match := _U.fullmatch(text):
        kind, n, capacity, low = "u", int(match[1]), U_CAPACITY, U_LOW
    elif match := _T.fullmatch(text):
        kind, n, capacity, low = "t", int(match[1]), T_CAPACITY, T_LOW
        if n % 3:
            raise CosolveInputError(f"size {size!r}: triplet instances need a multiple of 3 items")
    elif match := _WEIBULL.fullmatch(text):
        kind, n, capacity, low = "weibull", int(match[1]), WEIBULL_CAPACITY, 1
    elif match := _SCHOLL.fullmatch(text):
        kind, n, capacity, low = "scholl1", int(match[1]), int(match[2]), int(match[3])
    elif match := _SCHOLL_NAME.fullmatch(text):
        kind, n = "scholl1", SCHOLL_ITEMS[match[1]]
        capacity, low = SCHOLL_CAPACITY[match[2]], SCHOLL_LOW[match[3]]
    else:
        raise CosolveInputError(usage)
    if not 1 <= n <= MAX_ITEMS:
        raise CosolveInputError(f"size {size!r}: the number of items must be in 1..{MAX_ITEMS}")
    if kind == "scholl1" and not (1 <= low <= SCHOLL_HIGH <= capacity):
        raise CosolveInputError(
            f"size {size!r}: class 1 needs weights from w in 1..{SCHOLL_HIGH} and a capacity c >= {SCHOLL_HIGH}"
        )
    return kind, n, capacity, low


def weights_of(rng: np.random.Generator, kind: str, n: int, capacity: int, low: int) -> np.ndarray:
    """``[n]`` int64 weights of one instance of ``kind``."""
    if kind == "t":
        first = rng.integers(T_FIRST[0], T_FIRST[1] + 1, size=n // 3)
        room = capacity - first
        second = rng.integers(T_LOW, room // 2 + 1)
        triplets = np.stack([first, second, room - second], axis=1).reshape(-1)
        return rng.permutation(triplets).astype(np.int64)
    if kind == "weibull":
        draws = np.rint(WEIBULL_SCALE * rng.weibull(WEIBULL_SHAPE, size=n))
        return np.clip(draws, 1, capacity).astype(np.int64)
    high = U_HIGH if kind == "u" else SCHOLL_HIGH
    return rng.integers(low, high + 1, size=n).astype(np.int64)


def generate(size: str | int, count: int, seed: int) -> list[Instance]:
    """``count`` instances of ``size`` (see the module docstring)."""
    return list(generate_iter(size, count, seed))


def generate_iter(size: str | int, count: int, seed: int) -> Iterator[Instance]:
    """The instances of :func:`generate`, made one at a time (the size is checked at once)."""
    kind, n, capacity, low = parse_size(size)
    if count < 0:
        raise CosolveInputError(f"count must be >= 0, got {count}")
    tag = {"u": f"u{n}", "t": f"t{n}", "weibull": f"weibull{n}"}.get(kind, f"scholl1_n{n}_c{capacity}_w{low}")
    rng = np.random.default_rng(seed)
    return (
        Instance(f"{tag}_s{seed}_{index:04d}", weights_of(rng, kind, n, capacity, low), capacity)
        for index in range(count)
    )
