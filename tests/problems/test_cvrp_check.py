"""The independent CVRP checker and evaluator (the referee of every other CVRP test)."""

from __future__ import annotations

import numpy as np
import pytest

from cosolve.problems.cvrp import InfeasibleSolution, Instance, Solution, check, evaluate, solution_from_json
from cosolve.problems.cvrp.instance import distance_matrix

# Depot at the origin, customers 1..4 on the axes; capacity 10.
COORDS = np.array([[0, 0], [3, 0], [0, 4], [-3, 0], [0, -4]], dtype=float)
INSTANCE = Instance(
    name="c",
    coords=COORDS,
    demands=np.array([0, 4, 5, 6, 3], dtype=np.int64),
    capacity=10,
    distances=distance_matrix(COORDS, "nint"),
)
GOOD = [[1, 2], [3, 4]]  # loads 9 and 9; lengths 3 + 5 + 4 = 12 and 3 + 5 + 4 = 12


def test_good_solution_and_its_length():
    check(INSTANCE, Solution(GOOD))
    value = evaluate(INSTANCE, Solution(GOOD))
    assert value == 24 and isinstance(value, int)
    assert evaluate(INSTANCE, Solution([[1], [2], [3], [4]])) == 2 * (3 + 4 + 3 + 4)
    check(INSTANCE, Solution([[2, 1], [4, 3]]))  # either direction, any route order


def test_numpy_ids_are_fine():
    check(INSTANCE, Solution([np.array([1, 2]), [np.int64(3), np.int32(4)]]))
    check(INSTANCE, Solution([[1.0, 2.0], [3, 4]]))


@pytest.mark.parametrize(
    ("routes", "needle"),
    [
        ([[1, 2], [], [3, 4]], "route 2 is empty"),
        ([[0, 1, 2], [3, 4]], "the depot is not listed"),
        ([[1, 2], [3, 5]], "id 5, outside the customers 1..4"),
        ([[1, 2], [3, -1]], "id -1, outside"),
        ([[1, 2, 1], [3, 4]], "customer 1 is visited more than once (route 1)"),
        ([[1, 2], [3, 4, 2]], "customer 2 is visited more than once (routes 1 and 2)"),
        ([[1, 2], [3]], "1 customer(s) not visited: 4"),
        ([], "4 customer(s) not visited: 1, 2, 3, 4"),
        ([[2, 3], [1, 4]], "route 1 carries demand 11, over the vehicle capacity 10"),
        ([[1, 2.5], [3, 4]], "customer ids must be integers"),
        ([[1, float("nan")], [3, 4]], "customer ids must be integers"),
        ([[1, True], [3, 4]], "customer ids must be integers"),
        ([[1, "2"], [3, 4]], "customer ids must be integers"),
        ([[1, 2], 7], "route 2 is not a list"),
        (None, "routes must be a list"),
        ("1 2 3 4", "routes must be a list"),
    ],
)
def test_violations_are_named(routes, needle):
    with pytest.raises(InfeasibleSolution) as info:
        check(INSTANCE, Solution(routes))
    assert needle in str(info.value)


def test_a_full_vehicle_is_feasible():
    check(INSTANCE, Solution([[1, 3], [2, 4]]))  # loads 4 + 6 = 10 and 5 + 3 = 8: the capacity is inclusive


def test_many_missing_customers_are_abbreviated():
    with pytest.raises(InfeasibleSolution, match=r"3 customer\(s\) not visited: 2, 3, 4$"):
        check(INSTANCE, Solution([[1]]))
    coords = np.zeros((10, 2))
    big = Instance("z", coords, np.array([0] + [1] * 9), 5, distance_matrix(coords, "none"), rounding="none")
    with pytest.raises(InfeasibleSolution, match=r"9 customer\(s\) not visited: 1, 2, 3, 4, 5 \.\.\.$"):
        check(big, Solution([]))


def test_infeasible_solution_is_a_value_error():
    assert issubclass(InfeasibleSolution, ValueError)


def test_float_distances_give_a_float_objective():
    coords = np.array([[0, 0], [0.3, 0.4], [1, 1]])
    instance = Instance("f", coords, np.array([0, 1, 1]), 5, distance_matrix(coords, "none"), rounding="none")
    value = evaluate(instance, Solution([[1, 2]]))
    assert isinstance(value, float)
    assert value == pytest.approx(0.5 + np.hypot(0.7, 0.6) + np.sqrt(2))
    assert not instance.integral and INSTANCE.integral


def test_evaluate_uses_the_matrix_not_the_coordinates():
    """Explicit instances: the objective comes from the distance matrix alone."""
    matrix = np.array([[0, 1, 7], [1, 0, 2], [7, 2, 0]], dtype=float)
    instance = Instance("m", None, np.array([0, 1, 1]), 2, matrix, "EXPLICIT", "explicit")
    assert evaluate(instance, Solution([[1, 2]])) == 1 + 2 + 7
    assert evaluate(instance, Solution([[2], [1]])) == 14 + 2


def test_solution_json_round_trip():
    solution = Solution([[np.int64(1), 2], [3, 4]])
    data = solution.to_json()
    assert data == {"routes": GOOD}
    assert all(type(c) is int for route in data["routes"] for c in route)
    back = solution_from_json(data)
    assert back.routes == GOOD
    check(INSTANCE, back)
    assert solution_from_json({"routes": [[1.0, 2.0], [3, 4]]}).routes == GOOD
    with pytest.raises(InfeasibleSolution, match="integers"):
        check(INSTANCE, solution_from_json({"routes": [[1.5, 2], [3, 4]]}))
