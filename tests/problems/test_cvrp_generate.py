"""The uniform CVRP generator (Kool et al. 2019): determinism, distribution, capacities, sizes."""

from __future__ import annotations

import numpy as np
import pytest

from cosolve.errors import CosolveInputError
from cosolve.problems.cvrp import generate, parse_size
from cosolve.problems.cvrp.generate import CAPACITIES, capacity_for


def _same(a, b) -> bool:
    return (
        np.array_equal(a.coords, b.coords)
        and np.array_equal(a.demands, b.demands)
        and a.capacity == b.capacity
        and np.array_equal(a.distances, b.distances)
    )


def test_same_seed_same_list_and_prefixes():
    first, again = generate("20", 5, seed=7), generate("cvrp20", 5, seed=7)
    assert all(_same(a, b) for a, b in zip(first, again))
    assert [i.fingerprint() for i in first] == [i.fingerprint() for i in again]
    assert all(_same(a, b) for a, b in zip(generate("20", 2, seed=7), first))
    assert not _same(generate("20", 1, seed=8)[0], first[0])
    assert len({i.fingerprint() for i in first}) == 5
    assert [i.name for i in first] == [f"cvrp20_s7_{k:04d}" for k in range(5)]


def test_distribution():
    instances = generate(100, 20, seed=0)
    coords = np.stack([i.coords for i in instances])
    demands = np.stack([i.demands for i in instances])
    assert coords.shape == (20, 101, 2) and coords.dtype == np.float64
    assert coords.min() >= 0 and coords.max() < 1
    assert demands.dtype == np.int64
    assert (demands[:, 0] == 0).all()
    assert demands[:, 1:].min() == 1 and demands[:, 1:].max() == 9
    assert set(np.unique(demands[:, 1:]).tolist()) == set(range(1, 10))
    assert 4.5 < demands[:, 1:].mean() < 5.5  # uniform on 1..9: mean 5
    assert all(i.capacity == 50 for i in instances)


def test_exact_distances():
    instance = generate("10", 1, seed=1)[0]
    expected = np.hypot(*(instance.coords[:, None, :] - instance.coords[None, :, :]).transpose(2, 0, 1))
    np.testing.assert_allclose(instance.distances, expected, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(instance.distances, instance.distances.T)
    assert (instance.rounding, instance.edge_weight_type) == ("none", "EUC_2D")
    assert not instance.integral


@pytest.mark.parametrize(
    ("n", "capacity"),
    [(1, 20), (10, 20), (20, 30), (30, 30), (50, 40), (100, 50), (150, 50), (200, 80), (500, 100), (1000, 250),
     (2000, 250)],
)  # fmt: skip
def test_capacity_table(n, capacity):
    assert capacity_for(n) == capacity
    assert generate(str(n), 1, seed=0)[0].capacity == capacity


def test_kool_capacities():
    assert {n: CAPACITIES[n] for n in (10, 20, 50, 100)} == {10: 20, 20: 30, 50: 40, 100: 50}


def test_capacity_override_count_and_errors():
    assert generate("50", 2, seed=0, capacity=100)[1].capacity == 100
    assert generate("50", 0, seed=0) == []
    with pytest.raises(CosolveInputError, match="at least 9"):
        generate("50", 1, seed=0, capacity=5)
    with pytest.raises(CosolveInputError, match="count"):
        generate("50", -1, seed=0)


@pytest.mark.parametrize(("text", "n"), [("100", 100), ("cvrp50", 50), (" CVRP20 ", 20), (7, 7)])
def test_parse_size(text, n):
    assert parse_size(text) == n


@pytest.mark.parametrize("text", ["", "x", "10x10", "0", "-5", "cvrp", "tsp100", "1000000"])
def test_parse_size_rejects(text):
    with pytest.raises(CosolveInputError, match="size"):
        parse_size(text)
