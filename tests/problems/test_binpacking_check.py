"""The independent bin packing checker, the L1/L2 bounds and the generator."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosolve.errors import CosolveInputError
from cosolve.instances import index, path_of
from cosolve.problems import binpacking
from cosolve.problems.binpacking import InfeasibleSolution, Instance, Solution, check, evaluate, l1, l2

HAND = Instance("hand", np.array([7, 4, 4, 4], dtype=np.int64), 10)


def test_a_feasible_packing_counts_its_bins():
    solution = Solution([[0], [1, 2], [3]])
    check(HAND, solution)
    assert evaluate(HAND, solution) == 3
    check(HAND, Solution([[np.int64(0)], [np.int64(1), 2], [3]]))  # numpy integers are fine


@pytest.mark.parametrize(
    ("bins", "fragment"),
    [
        ([[0], [1, 2]], "item 3 is not packed"),
        ([[0], [1, 2], [3, 1]], "item 1 is packed twice (bins 1 and 2)"),
        ([[0, 1], [2, 3]], "bin 0 holds 11, over the capacity 10"),
        ([[0], [1, 2], [], [3]], "bin 2 is empty"),
        ([[0], [1, 2], [3.5]], "item indices must be integers"),
        ([[0], [1, 2], [True]], "item indices must be integers"),
        ([[0], [1, 2], [4]], "item 4 is not in 0..3"),
        ([[0], [1, 2], [-1]], "item -1 is not in 0..3"),
        ([[0], [1, 2], 3], "bin 2 must be a list"),
        ("0123", "bins must be a list"),
    ],
)
def test_every_violation_is_named(bins, fragment):
    with pytest.raises(InfeasibleSolution) as caught:
        check(HAND, Solution(bins))
    assert fragment in str(caught.value)


def test_json_round_trip():
    solution = Solution([[0], [1, 2], [3]])
    back = binpacking.solution_from_json(json.loads(json.dumps(solution.to_json())))
    check(HAND, back)
    assert back.bins == solution.bins
    assert binpacking.solution_from_json({"bins": [[0.0], [1.0, 2.0], [3.0]]}).bins == solution.bins
    with pytest.raises(InfeasibleSolution):
        check(HAND, binpacking.solution_from_json({"bins": [[0.5], [1, 2], [3]]}))


def test_from_assignment_orders_bins_by_id():
    assert Solution.from_assignment(np.array([2, 0, 2, 5])).bins == [[1], [0, 2], [3]]


@pytest.mark.parametrize(
    ("weights", "capacity", "bound1", "bound2"),
    [
        ([6, 6, 6], 10, 2, 3),  # three items over C/2: three bins
        ([7, 4, 4, 4], 10, 2, 3),  # alpha = 4: {7} alone, and 3 x 4 need two more bins
        ([5, 5, 5, 5], 10, 2, 2),  # exactly half: pairs fit
        ([3, 3, 3, 3, 3, 3], 10, 2, 2),
        ([10], 10, 1, 1),
        ([9, 9, 2, 2, 2], 10, 3, 3),  # 24/10 -> 3; L2: 2 big + ceil((6 - 2)/10) = 3
        ([60, 50, 50, 40, 30], 100, 3, 3),
        ([99, 98, 97, 3, 3, 3, 3], 100, 4, 4),  # alpha = 3: J1 = {99, 98, 97}, 12 - 0 room -> 1
    ],
)
def test_bounds_on_hand_computed_cases(weights, capacity, bound1, bound2):
    weights = np.asarray(weights, dtype=np.int64)
    assert l1(weights, capacity) == bound1 and l2(weights, capacity) == bound2


def _optimum(weights: list[int], capacity: int) -> int:
    """The fewest bins, by trying every assignment of items to bins (tiny instances only)."""
    n = len(weights)
    for bins in range(1, n + 1):
        for assignment in itertools.product(range(bins), repeat=n):
            loads = [0] * bins
            for weight, b in zip(weights, assignment):
                loads[b] += weight
            if max(loads) <= capacity:
                return bins
    return n


@given(st.integers(1, 30).flatmap(lambda c: st.tuples(st.just(c), st.lists(st.integers(1, c), min_size=1, max_size=6))))
def test_l1_le_l2_le_optimum(case):
    capacity, weights = case
    array = np.asarray(weights, dtype=np.int64)
    assert l1(array, capacity) <= l2(array, capacity) <= _optimum(weights, capacity)


@given(
    st.integers(1, 10**6).flatmap(
        lambda c: st.tuples(st.just(c), st.lists(st.integers(1, c), min_size=1, max_size=200))
    )
)
def test_l2_is_at_least_l1_on_larger_instances(case):
    capacity, weights = case
    array = np.asarray(weights, dtype=np.int64)
    assert l2(array, capacity) >= l1(array, capacity) >= 1


def test_l2_of_the_shipped_instances_matches_the_index_and_never_exceeds_the_optimum():
    entries = index("binpacking")
    for name in ("Falkenauer_u120_00", "Falkenauer_t60_00", "Hard28_BPP13", "HARD0", "N4C3W4_A"):
        instance = binpacking.read(path_of("binpacking", name))
        assert l2(instance.weights, instance.capacity) == entries[name]["l2"] <= entries[name]["best_known"]
    assert all(entry["l2"] <= entry["best_known"] for entry in entries.values())


@pytest.mark.parametrize(("size", "parsed"), [
    ("u120", ("u", 120, 150, 20)), ("120", ("u", 120, 150, 20)), ("T60", ("t", 60, 1000, 250)),
    ("scholl1_n100_c120_w20", ("scholl1", 100, 120, 20)), ("N2C2W2", ("scholl1", 100, 120, 20)),
    ("n4c3w4", ("scholl1", 500, 150, 30)),
])  # fmt: skip
def test_parse_size(size, parsed):
    assert binpacking.parse_size(size) == parsed


@pytest.mark.parametrize("size", ["t61", "x10", "u0", "scholl1_n10_c90_w20", "scholl1_n10_c120_w101", "N5C1W1"])
def test_bad_sizes(size):
    with pytest.raises(CosolveInputError, match="size"):
        binpacking.parse_size(size)


def test_generation_is_seeded_and_prefix_stable():
    first = binpacking.generate("u120", 3, seed=7)
    again = binpacking.generate("u120", 5, seed=7)
    assert [i.name for i in first] == ["u120_s7_0000", "u120_s7_0001", "u120_s7_0002"]
    assert all(np.array_equal(a.weights, b.weights) for a, b in zip(first, again))
    assert not np.array_equal(first[0].weights, binpacking.generate("u120", 1, seed=8)[0].weights)


def test_uniform_and_scholl_ranges():
    weights = np.concatenate([i.weights for i in binpacking.generate("u250", 4, seed=0)])
    assert weights.min() >= 20 and weights.max() <= 100 and weights.dtype == np.int64
    scholl = binpacking.generate("scholl1_n200_c120_w30", 2, seed=0)
    assert all(i.capacity == 120 and i.weights.min() >= 30 and i.weights.max() <= 100 for i in scholl)


def test_triplets_fill_n_over_3_bins_exactly():
    for instance in binpacking.generate("t120", 4, seed=3):
        assert instance.capacity == 1000 and instance.total_weight == 40 * 1000
        assert instance.weights.min() >= 250 and instance.weights.max() <= 499
        assert l2(instance.weights, instance.capacity) == 40  # = n/3, the optimum
