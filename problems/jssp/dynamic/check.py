"""Independent checker of an executed dynamic job shop schedule.

Written from the rules of the shop alone, sharing no code with the environment: given the
instance, the recorded shutdown windows and the times each operation took its machine,
finished and released it, it recomputes what must hold —

- every operation of a finished run has integer times with ``dispatch <= end <= leave``;
- job order: an operation takes its machine only after the job's previous one finished;
- processing: the operation never starts on a machine that is down; with ``resume`` the
  machine's up time within ``[dispatch, end)`` is exactly the processing time and it ends
  while the machine is up; with ``restart`` it ran, uninterrupted, for exactly the processing
  time after the last repair in ``[dispatch, end)`` (or from ``dispatch`` if none);
- release: without blocking a machine is released at the end of processing; with blocking an
  operation releases its machine exactly when the job's next operation takes the next machine
  (the last operation at its end);
- exclusivity: on each machine the occupation intervals ``[dispatch, leave)`` do not overlap;
- the makespan is the latest end; the windows of one machine do not overlap.
"""

from __future__ import annotations

import numpy as np

from cosolve.problems.jssp.dynamic.env import Execution
from cosolve.problems.jssp.instance import Instance


class InfeasibleExecution(ValueError):
    """An executed schedule that breaks a rule of the dynamic shop; the message names it."""


def _machine_windows(windows: np.ndarray, machine: int) -> list[tuple[int, int]]:
    return sorted((int(start), int(end)) for m, start, end in windows if m == machine)


def _up_time(windows: list[tuple[int, int]], start: int, end: int) -> int:
    down = sum(max(0, min(end, w_end) - max(start, w_start)) for w_start, w_end in windows)
    return end - start - down


def _check_processing(execution: Execution, windows: list[tuple[int, int]], name: str, start: int, end: int, p: int):
    if any(w_start <= start < w_end for w_start, w_end in windows):
        raise InfeasibleExecution(f"{name} starts at {start} while its machine is down")
    if execution.interrupt == "resume":
        if _up_time(windows, start, end) != p:
            up = _up_time(windows, start, end)
            raise InfeasibleExecution(f"{name}: machine up {up} in [{start}, {end}), needs {p}")
        if p > 0 and any(w_start < end <= w_end for w_start, w_end in windows):
            raise InfeasibleExecution(f"{name} ends at {end} while its machine is down")
        return
    restart = max([start] + [w_end for w_start, w_end in windows if w_start < end and w_end > start])
    if end != restart + p:
        raise InfeasibleExecution(f"{name}: last (re)start at {restart} + processing {p} != end {end}")


def check(instance: Instance, execution: Execution) -> None:
    """Raise :class:`InfeasibleExecution` naming the first broken rule."""
    if execution.deadlocked:
        raise InfeasibleExecution("the run deadlocked: blocked jobs wait in a cycle (turn swaps on)")
    dispatch = np.asarray(execution.dispatch_times)
    end, leave = np.asarray(execution.end_times), np.asarray(execution.leave_times)
    for label, table in (("dispatch", dispatch), ("end", end), ("leave", leave)):
        if table.shape != instance.shape:
            raise InfeasibleExecution(f"{label} times have shape {table.shape}, expected {instance.shape}")
        if (table < 0).any():
            job, op = np.argwhere(table < 0)[0]
            raise InfeasibleExecution(f"job {job} operation {op} has no {label} time")
    windows = np.asarray(execution.windows, dtype=np.int64).reshape(-1, 3)
    per_machine = [_machine_windows(windows, machine) for machine in range(instance.n_machines)]
    for machine, intervals in enumerate(per_machine):
        for (s1, e1), (s2, e2) in zip(intervals, intervals[1:]):
            if s2 < e1:
                raise InfeasibleExecution(f"machine {machine}: shutdown windows [{s1}, {e1}) and [{s2}, {e2}) overlap")
    for job in range(instance.n_jobs):
        for op in range(instance.n_machines):
            name = f"job {job} operation {op}"
            if not dispatch[job, op] <= end[job, op] <= leave[job, op]:
                raise InfeasibleExecution(
                    f"{name}: expected dispatch <= end <= leave, "
                    f"got {dispatch[job, op]}, {end[job, op]}, {leave[job, op]}"
                )
            if op > 0 and dispatch[job, op] < end[job, op - 1]:
                raise InfeasibleExecution(
                    f"{name} takes its machine at {dispatch[job, op]} "
                    f"before operation {op - 1} ends at {end[job, op - 1]}"
                )
            machine = int(instance.machines[job, op])
            p = int(instance.durations[job, op])
            _check_processing(execution, per_machine[machine], name, int(dispatch[job, op]), int(end[job, op]), p)
            last = op == instance.n_machines - 1
            release = end[job, op] if (last or not execution.blocking) else dispatch[job, op + 1]
            if leave[job, op] != release:
                raise InfeasibleExecution(f"{name} releases its machine at {leave[job, op]}, expected {release}")
    for machine in range(instance.n_machines):
        jobs, ops = np.nonzero(instance.machines == machine)
        spans = [(int(dispatch[j, o]), int(leave[j, o]), int(j), int(o)) for j, o in zip(jobs, ops)]
        occupied = sorted(span for span in spans if span[1] > span[0])
        for (s1, e1, j1, o1), (s2, e2, j2, o2) in zip(occupied, occupied[1:]):
            if s2 < e1:
                raise InfeasibleExecution(
                    f"machine {machine}: job {j1} op {o1} [{s1}, {e1}) overlaps job {j2} op {o2} [{s2}, {e2})"
                )
    if execution.makespan != int(end.max()):
        raise InfeasibleExecution(f"makespan {execution.makespan} != latest end {int(end.max())}")
