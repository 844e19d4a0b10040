"""The independent tour checker and evaluator, and the generators."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosolve.errors import CosolveInputError
from cosolve.problems import tsp


def _square() -> tsp.Instance:
    coords = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    distances = np.sqrt(((coords[:, None] - coords[None]) ** 2).sum(axis=2))
    return tsp.Instance("square", distances, coords, "EXACT")


def test_evaluate_closes_the_tour():
    assert tsp.evaluate(_square(), tsp.Solution(np.array([0, 1, 2, 3]))) == pytest.approx(4.0)
    assert tsp.evaluate(_square(), tsp.Solution(np.array([0, 2, 1, 3]))) == pytest.approx(2 + 2 * np.sqrt(2))


@pytest.mark.parametrize(
    ("tour", "message"),
    [
        ([0, 1, 2], "has 3 nodes, the instance has 4"),
        ([0, 1, 2, 4], "node 4 is not in 0..3"),
        ([0, 1, 1, 3], "node 1 is visited twice and node 2 never"),
        ([0.0, 1.5, 2.0, 3.0], "integer node indices"),
        ([[0, 1], [2, 3]], "flat list"),
    ],
)
def test_checker_names_the_violation(tour, message):
    with pytest.raises(tsp.InfeasibleSolution, match=message):
        tsp.check(_square(), tsp.Solution(np.array(tour)))


@given(st.integers(3, 40), st.integers(0, 2**31 - 1))
def test_every_permutation_passes_and_its_length_is_the_sum_of_its_edges(n, seed):
    instance = tsp.generate(str(n), 1, seed=seed % 1000)[0]
    tour = np.random.default_rng(seed).permutation(n)
    tsp.check(instance, tsp.Solution(tour))
    expected = sum(instance.distances[tour[k], tour[(k + 1) % n]] for k in range(n))
    assert tsp.evaluate(instance, tsp.Solution(tour)) == pytest.approx(expected)


def test_generators_are_seeded_and_in_the_unit_square():
    for size in ("20", "uniform20", "clustered60", "tsp30"):
        first, again = tsp.generate(size, 3, seed=5), tsp.generate(size, 3, seed=5)
        for a, b in zip(first, again):
            assert np.array_equal(a.coords, b.coords) and a.name == b.name
            assert (a.coords >= 0).all() and (a.coords <= 1).all()
            assert np.allclose(a.distances, a.distances.T) and a.edge_weight_type == "EXACT"
    assert not np.array_equal(tsp.generate("20", 1, seed=1)[0].coords, tsp.generate("20", 1, seed=2)[0].coords)


@pytest.mark.parametrize("size", ["2", "abc", "clustered", "-5"])
def test_bad_sizes(size):
    with pytest.raises(CosolveInputError, match="size"):
        tsp.generate(size, 1, seed=0)
