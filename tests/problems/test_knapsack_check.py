"""The independent knapsack checker and evaluator, solution JSON, and Pisinger's generators."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosolve.errors import CosolveInputError
from cosolve.problems import knapsack
from cosolve.problems.knapsack.generate import RANGE


def _small() -> knapsack.Instance:
    return knapsack.Instance("small", np.array([10, 7, 4, 0]), np.array([5, 4, 3, 1]), 8)


def test_evaluate_sums_the_chosen_values():
    instance = _small()
    assert knapsack.evaluate(instance, knapsack.Solution(np.array([1, 2, 3]))) == 11
    assert knapsack.evaluate(instance, knapsack.Solution(np.array([], dtype=np.int64))) == 0
    assert isinstance(knapsack.evaluate(instance, knapsack.Solution(np.array([0]))), int)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (np.array([0, 4]), "item 4 is not in 0..3"),
        (np.array([-1]), "item -1 is not in 0..3"),
        (np.array([1, 1]), "item 1 is chosen twice"),
        (np.array([0, 1]), "the chosen items weigh 9, over the capacity 8"),
        (np.array([0.0, 2.0]), "item indices must be integers, found 0.0"),
        ([True], "item indices must be integers, found True"),
        (["1"], "item indices must be integers, found '1'"),
        (np.array([[0], [2]]), "flat list of item indices, got shape (2, 1)"),
        ("0 2", "flat list of item indices"),
        (3, "flat list of item indices"),
    ],
)
def test_checker_names_the_violation(items, message):
    with pytest.raises(knapsack.InfeasibleSolution) as caught:
        knapsack.check(_small(), knapsack.Solution(items))
    assert message in str(caught.value)


def test_feasible_selections_pass():
    for items in ([], [0, 2], [1, 2, 3], np.array([3, 0], dtype=np.int32)):
        knapsack.check(_small(), knapsack.Solution(np.asarray(items, dtype=np.int64)))
    knapsack.check(_small(), knapsack.Solution([0, 2]))  # a plain list, as from JSON


@given(st.integers(1, 60), st.integers(0, 10_000))
def test_every_fitting_subset_passes_and_is_worth_its_values(n, seed):
    instance = knapsack.generate(f"weak{n}", 1, seed=seed % 97)[0]
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    fits = np.cumsum(instance.weights[order]) <= instance.capacity
    items = np.sort(order[fits])
    knapsack.check(instance, knapsack.Solution(items))
    assert knapsack.evaluate(instance, knapsack.Solution(items)) == int(instance.values[items].sum())


def test_solution_json_round_trip():
    solution = knapsack.Solution(np.array([0, 2, 5]))
    assert solution.to_json() == {"items": [0, 2, 5]}
    back = knapsack.solution_from_json({"items": [0, 2.0, 5]})
    assert back.items.dtype == np.int64 and back.items.tolist() == [0, 2, 5]
    assert knapsack.Solution.from_mask(np.array([1, 0, 1, 0, 0, 1])).items.tolist() == [0, 2, 5]
    for bad, message in (({"items": [0, "a"]}, "found 'a'"), ({"items": [1.5]}, "found 1.5"), ({"items": 3}, "flat")):
        with pytest.raises(knapsack.InfeasibleSolution, match=message):
            knapsack.check(_small(), knapsack.solution_from_json(bad))


# ---------------------------------------------------------------------------- generators


def test_generators_are_seeded_and_prefix_stable():
    for size in ("20", "uncorrelated20", "weak20", "strong20", "inverse20", "subset20", "kp20", "strongly20"):
        first, again = knapsack.generate(size, 3, seed=5), knapsack.generate(size, 3, seed=5)
        for a, b in zip(first, again):
            assert a.name == b.name and a.fingerprint() == b.fingerprint()
        assert knapsack.generate(size, 2, seed=5)[1].fingerprint() == first[1].fingerprint()
    assert knapsack.generate("20", 1, seed=1)[0].fingerprint() != knapsack.generate("20", 1, seed=2)[0].fingerprint()
    assert knapsack.generate("strong200", 1, seed=0)[0].name == "strong200_s0_0000"


def test_pisinger_class_properties():
    spread = RANGE // 10
    for kind in ("uncorrelated", "weak", "strong", "inverse", "subset"):
        for instance in knapsack.generate(f"{kind}500", 4, seed=11):
            p, w = instance.values, instance.weights
            assert p.dtype == np.int64 and w.dtype == np.int64 and instance.n_items == 500
            assert instance.capacity == int(w.sum()) // 2
            assert p.min() >= 1 and w.min() >= 1
            if kind == "uncorrelated":
                assert p.max() <= RANGE and w.max() <= RANGE and abs(np.corrcoef(p, w)[0, 1]) < 0.2
            elif kind == "weak":
                assert w.max() <= RANGE and (np.abs(p - w) <= spread).all() and np.corrcoef(p, w)[0, 1] > 0.9
            elif kind == "strong":
                assert w.max() <= RANGE and (p == w + spread).all()
            elif kind == "inverse":
                assert p.max() <= RANGE and (w == p + spread).all()
            else:
                assert w.max() <= RANGE and (p == w).all()


def test_capacity_ratio():
    instance = knapsack.generate("100", 1, seed=3, capacity_ratio=1 / 101)[0]
    assert instance.capacity == int(np.floor(instance.total_weight / 101))
    with pytest.raises(CosolveInputError, match="capacity_ratio"):
        knapsack.generate("100", 1, seed=3, capacity_ratio=0)


def test_parse_size():
    assert knapsack.parse_size("100") == ("uncorrelated", 100)
    assert knapsack.parse_size("strong200") == ("strong", 200)
    assert knapsack.parse_size("KP_weakly50") == ("weak", 50)
    assert knapsack.parse_size("subsetsum10") == ("subset", 10)
    assert knapsack.parse_size(7) == ("uncorrelated", 7)


@pytest.mark.parametrize("size", ["0", "abc", "strong", "-5", "hard100", "strong1e3", "2000000"])
def test_bad_sizes(size):
    with pytest.raises(CosolveInputError, match="size"):
        knapsack.generate(size, 1, seed=0)
