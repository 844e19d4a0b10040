"""Hypothesis strategies for job shop tests."""

import numpy as np
from hypothesis import strategies as st

from cosolve.problems.jssp import Instance


@st.composite
def instances(draw, max_jobs: int = 6, max_machines: int = 5, max_time: int = 20) -> Instance:
    """A random job shop instance: each job a random machine permutation, times in 0..max_time."""
    n_jobs = draw(st.integers(1, max_jobs))
    n_machines = draw(st.integers(1, max_machines))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    machines = np.stack([rng.permutation(n_machines) for _ in range(n_jobs)]).astype(np.int64)
    durations = rng.integers(0, max_time + 1, size=(n_jobs, n_machines), dtype=np.int64)
    return Instance(name=f"random_{seed}", machines=machines, durations=durations)
