"""Hypothesis strategies for job shop tests."""

import numpy as np
from hypothesis import strategies as st

from cosolve.problems.jssp import Instance


@st.composite
def instances(draw, max_jobs: int = 6, max_machines: int = 5, max_time: int = 20, min_time: int = 0) -> Instance:
    """A random job shop instance: each job a random machine permutation, times in min_time..max_time.

    Every number is drawn by hypothesis itself (not by a seeded generator), so examples shrink
    well and edge cases such as zero-length operations come up often.
    """
    n_jobs = draw(st.integers(1, max_jobs))
    n_machines = draw(st.integers(1, max_machines))
    machines = [draw(st.permutations(range(n_machines))) for _ in range(n_jobs)]
    durations = [[draw(st.integers(min_time, max_time)) for _ in range(n_machines)] for _ in range(n_jobs)]
    return Instance(
        name="hypothesis",
        machines=np.array(machines, dtype=np.int64).reshape(n_jobs, n_machines),
        durations=np.array(durations, dtype=np.int64).reshape(n_jobs, n_machines),
    )
