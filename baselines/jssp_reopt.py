"""Re-optimisation baseline for the dynamic job shop: CP-SAT re-plans at every disruption.

At time 0, and again at the first decision after every *disruption* (a shutdown that started or
a repair that ended; swaps are not disruptions), CP-SAT schedules the operations still to do,
per instance, knowing only what the shop knows now: operations that finished are gone, a
running operation keeps its machine for the processing it has left (after the repair if its
machine is down), machines that are down stay unavailable until their known repair time, and
future failures are unknown. The solve is short (``time_limit``), deterministic (fixed seed)
and warm-started with the previous plan's start times.

Between disruptions the plan is executed on the same batched env as the rules, in the plan's
machine order: at each decision, among the jobs that can start now, those whose next operation
comes first in the plan on its machine, the earliest planned first (lowest job index on ties);
when none is first on its machine the instance waits (the env's ``WAIT``) for the next event,
keeping the machine for the job the plan puts there next — so a plan with deliberate idle time
is followed (rules and the learned policy never wait). If nothing would happen while waiting,
the earliest planned job that can start goes. The plan orders; the env sets the times.

With blocking, an operation occupies its machine from its start until its job's next operation
starts (the last one until its end): variable-length intervals ``[s_o, s_{o+1})`` in the
machine's no-overlap constraint, half-open, so a cycle of blocked jobs may move at once, as the
env's swaps allow. Without swaps such a plan could deadlock, so blocking needs swaps here.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from ortools.sat.python import cp_model

from cosolve.baselines.jssp_rules import RULES
from cosolve.errors import CosolveInputError
from cosolve.interrupt import solve_cp_sat
from cosolve.problems.jssp.dynamic.env import (
    WAIT,
    Dynamics,
    Execution,
    State,
    next_event_time,
    reset,
    step,
    to_executions,
)
from cosolve.problems.jssp.dynamic.shutdowns import NEVER
from cosolve.problems.jssp.instance import Instance

FALLBACK_RULE = "mwkr"
"""Orders the jobs of an instance whose first plan found no solution in time."""


@dataclass(frozen=True)
class ReoptStats:
    """The planning effort spent on one instance.

    Attributes:
        solves: CP-SAT solves: the plan at time 0 and one at the first decision after each
            disruption (disruptions between two decisions share one re-plan).
        fallbacks: solves that found no plan in time (the previous plan's order, or the
            ``mwkr`` rule when there was none, was kept).
        optimal: solves that proved their plan optimal within the time limit.
        total_solve_s: seconds spent planning (building the model and solving), all solves.
        mean_solve_s: ``total_solve_s / solves``: the decision time per event.
        plan_times: the shop's time at each solve.
    """

    solves: int
    fallbacks: int
    optimal: int
    total_solve_s: float
    mean_solve_s: float
    plan_times: tuple[int, ...]


@dataclass(frozen=True)
class _Shop:
    """What one instance's shop knows at time ``time`` (numpy rows of the env state)."""

    durations: np.ndarray  # [J, M]
    machines: np.ndarray  # [J, M]
    next_op: np.ndarray  # [J]
    running: np.ndarray  # [J] bool
    remaining: np.ndarray  # [J]
    held: np.ndarray  # [J] machine occupied, -1 if none
    down: np.ndarray  # [M] bool
    window_end: np.ndarray  # [M] repair time of the machines that are down
    time: int
    makespan: int


def _plan(
    shop: _Shop, blocking: bool, time_limit: float, workers: int, hint: np.ndarray | None
) -> tuple[str, np.ndarray | None]:
    """Minimise the makespan of the operations not yet started. Returns the CP-SAT status
    (``optimal``, ``feasible``, ``unknown``) and the planned start times ``[J, M]`` (``-1``
    for operations already started), or ``None`` when no plan was found in time."""
    n_jobs, n_machines = shop.durations.shape
    now = shop.time
    wait = np.where(shop.down, shop.window_end - now, 0)
    open_work = sum(int(shop.durations[j, shop.next_op[j] :].sum()) for j in range(n_jobs))
    # Waiting for every repair and every running operation, then running one operation at a
    # time is feasible (with blocking too: a job that can move, or a cycle that can swap,
    # always exists when nothing runs), so this bounds the plan.
    horizon = now + int(wait.max()) + int(shop.remaining[shop.running].sum()) + open_work
    model = cp_model.CpModel()
    starts: dict[tuple[int, int], cp_model.IntVar] = {}
    earliest: dict[tuple[int, int], int] = {}
    on_machine: list[list[cp_model.IntervalVar]] = [[] for _ in range(n_machines)]
    job_ends: list = []

    def occupy_until(machine: int, start, end, min_size: int, name: str) -> None:
        size = model.new_int_var(min_size, horizon, f"size_{name}")
        on_machine[machine].append(model.new_interval_var(start, size, end, name))

    for j in range(n_jobs):
        first = int(shop.next_op[j])
        held = int(shop.held[j])
        # the running operation's end, after the repair if its machine is down
        ready = now + int(wait[held]) + int(shop.remaining[j]) if shop.running[j] else now
        for o in range(first, n_machines):
            machine = int(shop.machines[j, o])
            low = max(ready if o == first else now, int(shop.window_end[machine]) if shop.down[machine] else now)
            starts[j, o], earliest[j, o] = model.new_int_var(low, horizon, f"s{j}_{o}"), low
            if o > first:
                model.add(starts[j, o] >= starts[j, o - 1] + int(shop.durations[j, o - 1]))
        if held >= 0:
            if blocking and first < n_machines:  # running or blocked: holds until the next start
                occupy_until(held, now, starts[j, first], ready - now, f"held{j}")
            else:
                on_machine[held].append(model.new_fixed_size_interval_var(now, ready - now, f"held{j}"))
        for o in range(first, n_machines):
            machine, duration = int(shop.machines[j, o]), int(shop.durations[j, o])
            if blocking and o < n_machines - 1:
                occupy_until(machine, starts[j, o], starts[j, o + 1], duration, f"i{j}_{o}")
            else:
                on_machine[machine].append(model.new_fixed_size_interval_var(starts[j, o], duration, f"i{j}_{o}"))
        if first < n_machines:
            job_ends.append(starts[j, n_machines - 1] + int(shop.durations[j, n_machines - 1]))
        elif shop.running[j]:
            job_ends.append(ready)
    for intervals in on_machine:
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(shop.makespan, horizon, "makespan")
    for end in job_ends:
        model.add(makespan >= end)
    model.minimize(makespan)
    if hint is not None:
        for (j, o), start in starts.items():
            model.add_hint(start, min(max(int(hint[j, o]), earliest[j, o]), horizon))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = 0
    status = solve_cp_sat(solver, model, keep_best=False)
    if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        raise RuntimeError(f"re-optimisation model: {solver.status_name(status)} (a bug in the model)")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "unknown", None
    planned = np.full((n_jobs, n_machines), -1, dtype=np.int64)
    for (j, o), start in starts.items():
        planned[j, o] = solver.value(start)
    return ("optimal" if status == cp_model.OPTIMAL else "feasible"), planned


def _shops(state: State, rows: list[int]) -> list[_Shop]:
    """The :class:`_Shop` of each instance of ``rows``."""
    index = torch.as_tensor(rows, device=state.time.device)
    fields = {
        name: getattr(state, name)[index].cpu().numpy()
        for name in ("durations", "machines", "next_op", "running", "remaining", "held", "down", "window_end")
    }
    times, makespans = state.time[index].tolist(), state.makespan[index].tolist()
    return [
        _Shop(**{name: table[k] for name, table in fields.items()}, time=times[k], makespan=makespans[k])
        for k in range(len(rows))
    ]


def _follow(state: State, planned: torch.Tensor, by_rule: torch.Tensor) -> torch.Tensor:
    """``[B]`` the job to start, following the plan's machine order: among ``state.mask`` the
    jobs whose next operation comes first in the plan on its machine, the earliest planned
    (lowest job index on ties); :data:`WAIT` when no job that can start now is first on its
    machine (the machine is kept for a job still on its way) — unless nothing would happen
    while waiting, then the earliest planned job that can start; the fallback rule's pick where
    ``by_rule``."""
    batch, n_jobs, n_machines = planned.shape
    next_start = planned.gather(2, state.next_op.clamp(max=n_machines - 1).unsqueeze(2)).squeeze(2)
    open_ops = torch.arange(n_machines, device=planned.device).view(1, 1, -1) >= state.next_op.unsqueeze(2)
    first = torch.full((batch, n_machines), NEVER, dtype=planned.dtype, device=planned.device)
    open_starts = torch.where(open_ops, planned, NEVER).view(batch, -1)
    first.scatter_reduce_(1, state.machines.view(batch, -1), open_starts, "amin")
    in_order = next_start <= first.gather(1, state.candidate_machine)
    scores = -next_start.double()
    ordered = scores.masked_fill(~(state.mask & in_order), float("-inf"))
    fallback = scores.masked_fill(~state.mask, float("-inf")).argmax(dim=1)
    can_wait = next_event_time(state) < NEVER
    choice = torch.where(ordered.isfinite().any(dim=1), ordered.argmax(dim=1), torch.where(can_wait, WAIT, fallback))
    by_rule_choice = RULES[FALLBACK_RULE](state, 0).masked_fill(~state.mask, float("-inf")).argmax(dim=1)
    return torch.where(by_rule, by_rule_choice, choice)


def simulate_reopt(
    instances: Sequence[Instance],
    dynamics: Dynamics | None = None,
    seeds: Sequence[int] | None = None,
    time_limit: float = 1.0,
    device: str = "cpu",
    windows: Sequence[Sequence[tuple[int, int, int]]] | None = None,
    workers: int = 1,
) -> tuple[list[Execution], list[ReoptStats]]:
    """Run the re-optimisation baseline on a batch of same-shape instances, instance ``b``
    under scenario ``seeds[b]`` (or the given shutdown ``windows``).

    Args:
        time_limit: seconds per CP-SAT solve.
        workers: CP-SAT search workers per solve.

    Returns:
        one execution and one :class:`ReoptStats` per instance.
    """
    dynamics = dynamics or Dynamics()
    if dynamics.blocking and not dynamics.swap:
        raise CosolveInputError("the re-optimisation baseline needs swaps with blocking (its plans may swap jobs)")
    if time_limit <= 0:
        raise CosolveInputError(f"time limit {time_limit}: expected a positive number of seconds")
    state = reset(instances, dynamics, seeds, device, windows)
    batch = len(instances)
    planned = torch.full_like(state.durations, -1)
    by_rule = torch.ones(batch, dtype=torch.bool, device=state.time.device)
    plan_times: list[list[int]] = [[] for _ in range(batch)]
    fallbacks, optimal, solve_s = [0] * batch, [0] * batch, [0.0] * batch

    def replan(rows: list[int]) -> None:
        for b, shop in zip(rows, _shops(state, rows)):
            hint = None if bool(by_rule[b]) else planned[b].cpu().numpy()
            began = time.perf_counter()
            status, starts = _plan(shop, dynamics.blocking, time_limit, workers, hint)
            solve_s[b] += time.perf_counter() - began
            plan_times[b].append(shop.time)
            optimal[b] += status == "optimal"
            if starts is None:
                fallbacks[b] += 1  # keep the previous plan's order, or the rule's
                continue
            planned[b] = torch.as_tensor(starts, device=planned.device)
            by_rule[b] = False

    replan((~state.done).nonzero().flatten().tolist())
    seen_index, seen_down = state.window_index.clone(), state.down.clone()
    while not bool(state.done.all()):
        changed = (state.window_index != seen_index) | (state.down != seen_down)
        disrupted = changed.any(dim=1) & ~state.done
        if bool(disrupted.any()):
            replan(disrupted.nonzero().flatten().tolist())
            seen_index, seen_down = state.window_index.clone(), state.down.clone()
        step(state, _follow(state, planned, by_rule))
    stats = [
        ReoptStats(len(times), fallbacks[b], optimal[b], solve_s[b], solve_s[b] / max(len(times), 1), tuple(times))
        for b, times in enumerate(plan_times)
    ]
    return to_executions(state), stats
