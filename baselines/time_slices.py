"""Running a compiled search kernel in slices of work, so that a time limit and Ctrl-C are
honoured between calls (the job shop tabu search, the CVRP local search).

The kernel is called with a number of work units (iterations, customer examinations ...);
the number is adapted after each call so that one call takes about :data:`SLICE_S` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from cosolve import interrupt

SLICE_S = 0.05
"""Wall time of one kernel call; the time limit is checked between calls."""
MAX_STEP = 1_000_000
"""Most work units of one kernel call."""


def run_in_slices(
    run: Callable[[int], bool], time_limit_s: float | None, begin: float, total: int | None = None
) -> int:
    """Call ``run(count)`` (True: nothing is left to do) until it returns True, ``total`` units
    are done, ``time_limit_s`` seconds have passed since ``begin`` (``time.perf_counter()``) or
    Ctrl-C is pressed; at least one call, even past the limit. Returns the units done by the
    calls that did not end the search (the last call's units count only when it returned False)."""
    done, step = 0, 16
    with interrupt.stoppable(lambda: None):
        while total is None or done < total:
            if done and (
                interrupt.requested() or time_limit_s is not None and time.perf_counter() - begin >= time_limit_s
            ):
                break
            count = step if total is None else min(step, total - done)
            slice_begin = time.perf_counter()
            if run(count):
                break
            done += count
            elapsed = time.perf_counter() - slice_begin
            step = int(np.clip(step * SLICE_S / max(elapsed, 1e-6), 1, min(4 * step, MAX_STEP)))
    return done
