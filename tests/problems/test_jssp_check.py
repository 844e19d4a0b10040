"""The independent schedule checker and evaluator (the referee of every other test)."""

from __future__ import annotations

import numpy as np
import pytest

from cosolve.problems.jssp import InfeasibleSolution, Instance, Solution, check, evaluate, solution_from_json

# job 0: M0 3, M1 2    job 1: M1 4, M0 1
INSTANCE = Instance("c", np.array([[0, 1], [1, 0]]), np.array([[3, 2], [4, 1]]))
GOOD = [[0, 4], [0, 4]]  # M0: [0,3) job 0, [4,5) job 1; M1: [0,4) job 1, [4,6) job 0


def _solution(starts) -> Solution:
    return Solution(start_times=np.array(starts))


def test_good_schedule():
    check(INSTANCE, _solution(GOOD))
    assert evaluate(INSTANCE, _solution(GOOD)) == 6


def test_float_integral_start_times_are_accepted():
    check(INSTANCE, _solution(np.array(GOOD, dtype=float)))


@pytest.mark.parametrize(
    ("starts", "needle"),
    [
        ([[0, 2], [0, 4]], "precedence"),  # job 0 op 1 starts before op 0 ends (and overlaps job 1 on M1)
        ([[3, 6], [0, 4]], "machine 0"),  # job 0 op 0 on M0 at [3, 6) overlaps job 1 op 1 at [4, 5)
        ([[0, 3], [0, 4]], "machine 1"),  # job 0 op 1 on M1 at [3, 5) overlaps job 1's [0, 4)
        ([[-1, 4], [0, 4]], "negative"),
        ([[0, 4.5], [0, 4]], "integer"),
        ([[0, np.nan], [0, 4]], "integer"),
        ([[0, 4, 9], [0, 4, 9]], "shape"),
        ([[0, 4]], "shape"),
    ],
)
def test_violations_are_named(starts, needle):
    with pytest.raises(InfeasibleSolution, match=needle):
        check(INSTANCE, _solution(starts))


def test_infeasible_solution_is_a_value_error():
    assert issubclass(InfeasibleSolution, ValueError)


def test_zero_length_operations_never_collide():
    instance = Instance("z", np.array([[0, 1], [0, 1]]), np.array([[5, 1], [0, 1]]))
    # job 1's zero-length op on M0 sits inside job 0's [0, 5): allowed.
    check(instance, _solution([[0, 5], [2, 6]]))
    assert evaluate(instance, _solution([[0, 5], [2, 6]])) == 7


def test_touching_intervals_are_fine():
    instance = Instance("t", np.array([[0], [0]]), np.array([[3], [2]]))
    check(instance, _solution([[0], [3]]))
    with pytest.raises(InfeasibleSolution):
        check(instance, _solution([[0], [2]]))


def test_solution_json_round_trip():
    solution = _solution(GOOD)
    data = solution.to_json()
    assert data == {"start_times": GOOD}
    assert all(type(v) is int for row in data["start_times"] for v in row)
    back = solution_from_json(data)
    np.testing.assert_array_equal(back.start_times, solution.start_times)
    assert back.start_times.dtype == np.int64
