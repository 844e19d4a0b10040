"""Independent schedule checker and evaluator.

Written from the problem definition alone, sharing no code with the environment, so that it
catches environment bugs: every start time present, integral and non-negative; each job's
operations in order; no two operations overlapping on a machine.
"""

from __future__ import annotations

import numpy as np

from cosolve.problems.jssp.instance import Instance, Solution


class InfeasibleSolution(ValueError):
    """A schedule that violates a job shop constraint; the message names it."""


def evaluate(instance: Instance, solution: Solution) -> int:
    """The makespan: the latest end time of any operation."""
    starts = np.asarray(solution.start_times)
    return int((starts + instance.durations).max())


def check(instance: Instance, solution: Solution) -> None:
    """Raise :class:`InfeasibleSolution` naming the first violated constraint."""
    starts = np.asarray(solution.start_times)
    if starts.shape != instance.shape:
        raise InfeasibleSolution(f"start_times has shape {starts.shape}, expected {instance.shape} (jobs, operations)")
    if not np.issubdtype(starts.dtype, np.integer):
        if not np.all(np.isfinite(starts)) or not np.all(starts == np.round(starts)):
            raise InfeasibleSolution("start times must be integers")
        starts = starts.astype(np.int64)
    if (starts < 0).any():
        job, op = np.argwhere(starts < 0)[0]
        raise InfeasibleSolution(f"operation {op} of job {job} has negative start {starts[job, op]} (unscheduled?)")
    ends = starts + instance.durations
    for job in range(instance.n_jobs):
        for op in range(1, instance.n_machines):
            if starts[job, op] < ends[job, op - 1]:
                raise InfeasibleSolution(
                    f"precedence: job {job} operation {op} starts at {starts[job, op]} "
                    f"before operation {op - 1} ends at {ends[job, op - 1]}"
                )
    for machine in range(instance.n_machines):
        # Zero-length operations occupy no time, so only positive ones can collide.
        jobs, ops = np.nonzero((instance.machines == machine) & (instance.durations > 0))
        order = np.argsort(starts[jobs, ops], kind="stable")
        jobs, ops = jobs[order], ops[order]
        for (j1, o1), (j2, o2) in zip(zip(jobs[:-1], ops[:-1]), zip(jobs[1:], ops[1:])):
            if starts[j2, o2] < ends[j1, o1]:
                raise InfeasibleSolution(
                    f"machine {machine}: job {j1} op {o1} [{starts[j1, o1]}, {ends[j1, o1]}) overlaps "
                    f"job {j2} op {o2} [{starts[j2, o2]}, {ends[j2, o2]})"
                )
