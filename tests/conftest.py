"""Shared fixtures and the hypothesis profile of the test suite.

Every test is deterministic: hypothesis runs derandomized with no example database, and
every random instance is drawn from a fixed seed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
JSSP_DIR = ROOT / "instances" / "jssp"

settings.register_profile(
    "cosolve",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("cosolve")


@pytest.fixture(scope="session")
def jssp_dir() -> Path:
    """The folder of the shipped job shop instances."""
    return JSSP_DIR


@pytest.fixture(scope="session")
def ft06_path() -> Path:
    return JSSP_DIR / "ft06.jsp"


@pytest.fixture(scope="session")
def la01_path() -> Path:
    return JSSP_DIR / "la01.jsp"


@pytest.fixture
def ft06(ft06_path):
    from cosolve.problems.jssp.io import read

    return read(ft06_path)


def random_jssp(rng: np.random.Generator, n_jobs: int, n_machines: int, low: int = 1, high: int = 99, name="rand"):
    """A random job shop instance (machine rows are permutations, durations in [low, high])."""
    from cosolve.problems.jssp.instance import Instance

    machines = np.array([rng.permutation(n_machines) for _ in range(n_jobs)], dtype=np.int64)
    durations = rng.integers(low, high + 1, size=(n_jobs, n_machines)).astype(np.int64)
    return Instance(name=name, machines=machines, durations=durations)


@pytest.fixture
def make_random_jssp():
    """``make_random_jssp(seed, jobs, machines, low=1, high=99)`` -> a seeded random instance."""

    def make(seed: int, n_jobs: int, n_machines: int, low: int = 1, high: int = 99):
        return random_jssp(np.random.default_rng(seed), n_jobs, n_machines, low, high, name=f"r{seed}")

    return make
