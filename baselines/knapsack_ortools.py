"""OR-Tools exact solvers for the 0/1 knapsack.

Solvers (the ``solver`` argument of :func:`solve_ortools`):

* ``bb`` — ``KnapsackSolver`` branch and bound (``KNAPSACK_MULTIDIMENSION_BRANCH_AND_BOUND_SOLVER``)
  under the time limit. It proves most instances optimal in milliseconds, but stalls on large
  strongly correlated ones (measured: ``knapPI_3_10000_1000_1`` not proven in 5 s).
* ``dp`` — ``KnapsackSolver`` dynamic programming over the capacity in its divide-and-conquer
  form (``KNAPSACK_DIVIDE_AND_CONQUER_SOLVER``: ``O(n c)`` time, ``O(c)`` memory), always optimal.
  It ignores the time limit, so it is refused above :data:`DP_MAX_CELLS` (``n c``) or
  :data:`DP_MAX_CAPACITY`. (OR-Tools' plain ``KNAPSACK_DYNAMIC_PROGRAMMING_SOLVER`` is 100 times
  slower: 53 s against 0.35 s on ``knapPI_3_10000_1000_1``.)
* ``auto`` (the default) — when the dynamic programme is expected to finish within the time
  limit (``n c / DP_CELLS_PER_SECOND`` seconds), branch and bound for at most that expected time
  (and :data:`BB_PROBE_S`), then, unless it proved optimality, the dynamic programme: never much
  more than twice the faster of the two. Otherwise branch and bound for the whole time limit.
* ``cpsat`` — CP-SAT on the 0/1 model, with its own proven bound.

Items heavier than the capacity and items of value 0 are left out before solving (no optimal
selection needs them); when the rest fit together, they are the answer. A result that is not
proven optimal carries the better of the solver's bound and the Dantzig bound
(:func:`dantzig_bound`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cosolve.errors import CosolveInputError
from cosolve.interrupt import solve_cp_sat

SOLVERS = ("auto", "bb", "dp", "cpsat")
DP_CELLS_PER_SECOND = 5e8
"""Conservative speed of the divide-and-conquer programme in ``n c`` cells per second (measured on
a 2-core CPU: 1e9 to 1.5e9)."""
DP_MAX_CELLS = 2e10
DP_MAX_CAPACITY = 10_000_000
"""Largest capacity for the dynamic programme: its tables hold ``O(c)`` int64 values."""
BB_PROBE_S = 0.2
"""Most branch-and-bound time before ``auto`` moves on to the dynamic programme."""


@dataclass(frozen=True)
class OrToolsResult:
    """One solver run.

    Attributes:
        items: ``[k]`` int64, the chosen 0-based item indices, sorted.
        value: their total value.
        status: ``optimal`` (proven) or ``feasible``.
        bound: a proven upper bound on the optimum (``value`` when optimal).
        solver: the solver that produced ``items`` (``bb``, ``dp``, ``cpsat`` or ``trivial``).
    """

    items: np.ndarray
    value: int
    status: str
    bound: int
    solver: str


def dantzig_bound(values: np.ndarray, weights: np.ndarray, capacity: int) -> int:
    """The optimum of the LP relaxation, rounded down: a proven upper bound (Dantzig 1957).

    Args:
        values, weights: ``[n]`` int64 (weights ``>= 1``); capacity: ``>= 0``.
    """
    order = np.argsort(-(values / weights), kind="stable")
    cumulative = np.cumsum(weights[order])
    full = int(np.searchsorted(cumulative, capacity, side="right"))  # items that fit whole
    bound = int(values[order[:full]].sum())
    if full < order.size:
        room = capacity - (int(cumulative[full - 1]) if full else 0)
        bound += (int(values[order[full]]) * room) // int(weights[order[full]])
    return bound


def _split_solution(values: np.ndarray, weights: np.ndarray, capacity: int) -> np.ndarray:
    """``[n]`` bool, the items by decreasing value/weight ratio up to the first that does not fit
    (Dantzig's split solution: a start for CP-SAT)."""
    order = np.argsort(-(values / weights), kind="stable")
    chosen = np.zeros(values.size, dtype=bool)
    chosen[order[np.cumsum(weights[order]) <= capacity]] = True
    return chosen


def _knapsack_solver(kind: str, values: np.ndarray, weights: np.ndarray, capacity: int, time_limit_s: float):
    """``([m] bool chosen, proven)`` from OR-Tools' ``KnapsackSolver``."""
    from ortools.algorithms.python import knapsack_solver

    types = {
        "bb": knapsack_solver.SolverType.KNAPSACK_MULTIDIMENSION_BRANCH_AND_BOUND_SOLVER,
        "dp": knapsack_solver.SolverType.KNAPSACK_DIVIDE_AND_CONQUER_SOLVER,
    }
    solver = knapsack_solver.KnapsackSolver(types[kind], "cosolve")
    solver.set_time_limit(max(0.001, float(time_limit_s)))
    solver.init(values.tolist(), [weights.tolist()], [int(capacity)])
    solver.solve()
    chosen = np.asarray([solver.best_solution_contains(i) for i in range(values.size)], dtype=bool)
    return chosen, bool(solver.is_solution_optimal())


def _cpsat(values: np.ndarray, weights: np.ndarray, capacity: int, time_limit_s: float, workers: int):
    """``([m] bool chosen, proven, bound)`` from CP-SAT, started from the split solution (which it
    returns when it finds nothing better in time)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    take = [model.new_bool_var(f"x{i}") for i in range(values.size)]
    model.add(cp_model.LinearExpr.weighted_sum(take, weights.tolist()) <= int(capacity))
    model.maximize(cp_model.LinearExpr.weighted_sum(take, values.tolist()))
    start = _split_solution(values, weights, capacity)
    for variable, hinted in zip(take, start.tolist()):
        model.add_hint(variable, hinted)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.001, float(time_limit_s))
    solver.parameters.num_workers = max(1, workers)
    status = solve_cp_sat(solver, model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # nothing found in time: keep the start
        return start, False, None
    chosen = np.asarray([solver.boolean_value(x) for x in take], dtype=bool)
    return chosen, status == cp_model.OPTIMAL, int(np.floor(solver.best_objective_bound + 1e-6))


def solve_ortools(
    values: np.ndarray,
    weights: np.ndarray,
    capacity: int,
    time_limit_s: float = 10.0,
    solver: str = "auto",
    workers: int = 1,
) -> OrToolsResult:
    """Solve one instance exactly (or as well as the time limit allows).

    Args:
        values, weights: ``[n]`` int64 (values ``>= 0``, weights ``>= 1``).
        capacity: ``>= 0``.
        time_limit_s: wall-clock limit of ``bb``, ``cpsat`` and ``auto`` (``dp`` ignores it).
        solver: one of :data:`SOLVERS`.
        workers: CP-SAT workers.

    Raises:
        CosolveInputError: ``dp`` on an instance too large for it.
    """
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r} (choose from {', '.join(SOLVERS)})")
    values, weights = np.asarray(values, dtype=np.int64), np.asarray(weights, dtype=np.int64)
    keep = np.flatnonzero((weights <= capacity) & (values > 0))
    kept_values, kept_weights = values[keep], weights[keep]
    if int(kept_weights.sum()) <= capacity:  # everything useful fits (or nothing is useful)
        return OrToolsResult(keep, int(kept_values.sum()), "optimal", int(kept_values.sum()), "trivial")
    room = int(capacity)  # below the total weight of the kept items
    cells = float(kept_weights.size) * room
    dp_fits = room <= DP_MAX_CAPACITY and cells <= DP_MAX_CELLS
    if solver == "dp" and not dp_fits:
        raise CosolveInputError(
            f"dynamic programming needs n x capacity = {cells:.3g} cells (at most {DP_MAX_CELLS:.0e}) and a "
            f"capacity of at most {DP_MAX_CAPACITY}; use ortools or ortools:cpsat"
        )
    bound = None
    if solver == "cpsat":
        chosen, proven, bound = _cpsat(kept_values, kept_weights, room, time_limit_s, workers)
        used = "cpsat"
    elif solver == "dp":
        chosen, proven = _knapsack_solver("dp", kept_values, kept_weights, room, time_limit_s)
        used = "dp"
    else:
        dp_seconds = cells / DP_CELLS_PER_SECOND
        dp_in_time = dp_fits and dp_seconds <= time_limit_s
        probe = min(BB_PROBE_S, dp_seconds, time_limit_s) if solver == "auto" and dp_in_time else time_limit_s
        chosen, proven = _knapsack_solver("bb", kept_values, kept_weights, room, probe)
        used = "bb"
        if not proven and solver == "auto" and dp_in_time:
            chosen, proven = _knapsack_solver("dp", kept_values, kept_weights, room, time_limit_s)
            used = "dp"
    value = int(kept_values[chosen].sum())
    if proven:
        return OrToolsResult(keep[chosen], value, "optimal", value, used)
    bounds = [dantzig_bound(kept_values, kept_weights, room)] + ([bound] if bound is not None else [])
    return OrToolsResult(keep[chosen], value, "feasible", max(value, min(bounds)), used)
