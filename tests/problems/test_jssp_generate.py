"""Taillard's generator: bit-exact on the published seeds, seeded, well-formed."""

import numpy as np
import pytest

from cosolve.errors import CosolveInputError
from cosolve.instances import path_of
from cosolve.problems.jssp import generate, parse_size, read
from cosolve.problems.jssp.generate import TaillardRandom, taillard_instance


def test_reproduces_ta01_from_its_seeds():
    generated = taillard_instance(15, 15, 840612802, 398197754)
    shipped = read(path_of("jssp", "ta01"))
    np.testing.assert_array_equal(generated.durations, shipped.durations)
    np.testing.assert_array_equal(generated.machines, shipped.machines)


def test_same_seed_same_instances_other_seed_differs():
    first, again, other = generate("5x4", 3, seed=7), generate("5x4", 3, seed=7), generate("5x4", 3, seed=8)
    for a, b in zip(first, again):
        assert a.fingerprint() == b.fingerprint()
    assert {i.fingerprint() for i in first}.isdisjoint({i.fingerprint() for i in other})
    assert len({i.fingerprint() for i in first}) == 3


@pytest.mark.parametrize("size", ["15x15", "20x5", (3, 7)])
def test_generated_instances_are_well_formed(size):
    for instance in generate(size, 4, seed=1):
        n_jobs, n_machines = instance.shape
        assert (n_jobs, n_machines) == (parse_size(size) if isinstance(size, str) else size)
        assert instance.durations.min() >= 1 and instance.durations.max() <= 99
        for row in instance.machines:
            assert sorted(row.tolist()) == list(range(n_machines))


@pytest.mark.parametrize("size", ["15", "axb", "0x5", "5x-1", "3x4x5"])
def test_bad_sizes(size):
    with pytest.raises(CosolveInputError):
        parse_size(size)


def test_bad_seed_and_count():
    with pytest.raises(CosolveInputError):
        TaillardRandom(0)
    with pytest.raises(CosolveInputError):
        generate("3x3", -1, seed=0)
