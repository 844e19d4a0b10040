"""Job shop as an OR-Tools CP-SAT model: interval variables, NoOverlap per machine, makespan."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from cosolve.interrupt import solve_cp_sat
from cosolve.problems.jssp.instance import Instance, Solution


@dataclass(frozen=True)
class CpSatResult:
    """What CP-SAT returned: ``status`` is ``optimal``, ``feasible`` or ``unknown``."""

    status: str
    objective: int | None
    bound: int
    solution: Solution | None
    wall_time_s: float


def solve_cpsat(
    instance: Instance, time_limit_s: float = 10.0, workers: int = 0, hint: Solution | None = None, seed: int = 0
) -> CpSatResult:
    """Minimise the makespan of ``instance`` with CP-SAT.

    Args:
        time_limit_s: wall-clock limit of the search.
        workers: search workers; 0 lets CP-SAT use every core.
        hint: a schedule to start from (e.g. a dispatching rule's); CP-SAT repairs it if needed.
        seed: CP-SAT's random seed, for reproducible runs.
    """
    durations, machines = instance.durations, instance.machines
    horizon = int(durations.sum())
    model = cp_model.CpModel()
    starts = [
        [model.new_int_var(0, horizon, f"s{j}_{o}") for o in range(instance.n_machines)] for j in range(instance.n_jobs)
    ]
    ends = [[starts[j][o] + int(durations[j, o]) for o in range(instance.n_machines)] for j in range(instance.n_jobs)]
    on_machine: list[list] = [[] for _ in range(instance.n_machines)]
    for j in range(instance.n_jobs):
        for o in range(instance.n_machines):
            interval = model.new_fixed_size_interval_var(starts[j][o], int(durations[j, o]), f"i{j}_{o}")
            on_machine[int(machines[j, o])].append(interval)
            if o > 0:
                model.add(starts[j][o] >= ends[j][o - 1])
    for intervals in on_machine:
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, [ends[j][-1] for j in range(instance.n_jobs)])
    model.minimize(makespan)
    if hint is not None:
        for j in range(instance.n_jobs):
            for o in range(instance.n_machines):
                model.add_hint(starts[j][o], int(hint.start_times[j, o]))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    status = solve_cp_sat(solver, model)
    bound = int(np.ceil(solver.best_objective_bound - 1e-9))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return CpSatResult("unknown", None, bound, None, solver.wall_time)
    start_times = np.array([[solver.value(s) for s in row] for row in starts], dtype=np.int64)
    return CpSatResult(
        status="optimal" if status == cp_model.OPTIMAL else "feasible",
        objective=int(solver.objective_value),
        bound=bound,
        solution=Solution(start_times=start_times),
        wall_time_s=solver.wall_time,
    )
