"""Lookahead dispatching for the dynamic job shop (the pilot method): at every decision, try
each job that can start now on its own copy of the shop, finish the copy with dispatching
rules, and start the job whose copy ended first.

The copies know only the present: a machine that is down comes back at the end of its current
repair, and no machine fails again (the future shutdowns stay unknown, as for every other
method). With several rules, a job is scored by the best of their completions.

Slow next to a rule (one full simulation per candidate and rule at every decision: milliseconds
per decision where a rule takes microseconds) but a much better dispatcher under blocking:
7.6 to 16.5 % below the best rule on la16-20, ta01-10, ta21-30 and ft06/10/20 with blocking and
swaps (benchmarks/README.md). :mod:`cosolve.train.jssp_dynamic_imitation` trains the policy to imitate it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from cosolve.baselines.jssp_dynamic_rules import dispatch, rule_decider
from cosolve.problems.jssp.dynamic.env import State, select, step
from cosolve.problems.jssp.dynamic.shutdowns import NEVER, FixedShutdowns

PILOT_RULES = ("mor", "spt")
"""The rules that finish the copies by default."""


def without_future_shutdowns(state: State) -> State:
    """``state`` (changed in place) with no shutdown to come: down machines are repaired at
    the end of their current window, up machines never fail."""
    batch, n_machines = state.down.shape
    state.window_start = torch.where(state.down, state.window_start, NEVER)
    state.window_end = torch.where(state.down, state.window_end, NEVER)
    state.scenario = FixedShutdowns([[] for _ in range(batch)], n_machines, state.down.device)
    return state


def lookahead_makespans(
    state: State, rules: Sequence[str] = PILOT_RULES, candidates: torch.Tensor | None = None
) -> torch.Tensor:
    """``[B, J]`` float: for every job of ``candidates`` (``[B, J]`` bool, by default every job
    that can start now, ``state.mask``), the makespan when it starts now and the rest is
    dispatched by the best of ``rules`` with no further shutdowns; ``inf`` for the other jobs
    and for copies that deadlock. ``state`` is not changed."""
    rows, jobs = (state.mask if candidates is None else candidates & state.mask).nonzero(as_tuple=True)
    best = torch.full(state.mask.shape, float("inf"), dtype=torch.float64, device=state.mask.device)
    if len(rows) == 0:
        return best
    for rule in rules:
        copies = without_future_shutdowns(select(state, rows))
        step(copies, jobs)
        while not bool(copies.done.all()):
            step(copies, dispatch(copies, rule))
        makespan = torch.where(copies.deadlocked, float("inf"), copies.makespan.double())
        best[rows, jobs] = torch.minimum(best[rows, jobs], makespan)
    return best


def pilot_choice(state: State, rules: Sequence[str] = PILOT_RULES) -> torch.Tensor:
    """``[B]`` the job whose lookahead ends first (lowest index on ties). Only instances with a
    choice (two or more jobs that can start) are simulated; a job whose copy deadlocks (blocking
    without swaps) ranks after every job whose copy finishes, before the jobs that cannot
    start, so an instance where every copy deadlocks still starts a job that can start."""
    choice = state.mask & (state.mask.sum(dim=1, keepdim=True) >= 2)
    makespans = lookahead_makespans(state, rules, choice)
    unfinished = torch.finfo(makespans.dtype).max
    return torch.where(state.mask & torch.isinf(makespans), unfinished, makespans).argmin(dim=1)


def pilot_decider(rules: Sequence[str] = PILOT_RULES) -> Callable[[State], torch.Tensor]:
    """``state -> [B]`` actions of :func:`pilot_choice`."""
    for rule in rules:
        rule_decider(rule)  # an unknown rule is a user error, before the run
    return lambda state: pilot_choice(state, rules)
