"""Tabu search over the N5 neighbourhood for the job shop (after Nowicki and Smutnicki's TSAB).

Each iteration traces one critical path of the current schedule, evaluates every N5 move by
Taillard's head/tail estimate (or, with ``TabuSettings.exact``, exactly: swap, recompute the heads,
swap back; :mod:`cosolve.problems.jssp.neighbourhood`), and makes the best move that is not tabu;
a tabu move is allowed when it beats the best schedule so far (aspiration). Undoing a move is tabu
for ``tenure`` iterations (a ring of forbidden pairs). When all moves are tabu the best of them is
made. After ``patience`` iterations without a new best, the search restarts from the best
schedule, perturbed by a few random N5 moves.

The batch is searched in slices of iterations (numba, one kernel call per slice over the whole
batch), so that the time limit is checked between slices. Randomness comes from one xorshift
state per instance: a seed gives the same search for the same number of iterations.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np

from cosolve.baselines.time_slices import run_in_slices
from cosolve.problems.jssp.instance import Instance, Solution
from cosolve.problems.jssp.neighbourhood import (
    critical_moves,
    evaluate,
    flat_instance,
    heads_and_makespan,
    machine_links,
    orders_from_solution,
    solution_from_orders,
    swap,
    swap_estimate,
)


@dataclass(frozen=True)
class TabuSettings:
    """``tenure``: iterations a reversed move stays tabu; ``patience``: iterations without a new
    best before a restart from the best schedule with ``kicks`` random N5 moves."""

    tenure: int = 10
    patience: int = 2500
    kicks: int = 4
    exact: bool = False


@numba.njit(cache=True, nogil=True)
def _random(state: np.ndarray, b: int) -> float:
    """A uniform number in [0, 1) from instance ``b``'s xorshift64* state (updated in place)."""
    x = state[b]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[b] = x
    return float((x * np.uint64(2685821657736338717)) >> np.uint64(11)) / 9007199254740992.0


@numba.njit(cache=True, nogil=True)
def _is_tabu(tabu: np.ndarray, u: int, v: int) -> bool:
    for t in range(tabu.shape[0]):
        if tabu[t, 0] == u and tabu[t, 1] == v:
            return True
    return False


@numba.njit(cache=True, nogil=True)
def _search_slice(
    orders: np.ndarray,
    best_orders: np.ndarray,
    best: np.ndarray,
    tabu: np.ndarray,
    tabu_next: np.ndarray,
    stall: np.ndarray,
    rng: np.ndarray,
    durations: np.ndarray,
    machines: np.ndarray,
    n_jobs: int,
    n_machines: int,
    iterations: int,
    patience: int,
    kicks: int,
    exact: bool,
    finished: np.ndarray,
    evaluated: np.ndarray,
) -> bool:
    """``iterations`` tabu steps for every instance ``b`` of the batch (state arrays ``[B, ...]``
    updated in place: ``orders``/``best_orders`` ``[B, M, J]``, ``best`` makespans,
    ``tabu`` ``[B, tenure, 2]``, ``tabu_next`` ring positions, ``stall`` steps since the last best,
    ``finished``: the critical path is one block, so the makespan is optimal; ``evaluated``: moves
    evaluated so far). True when every instance is finished."""
    n_ops = n_jobs * n_machines
    heads = np.zeros(n_ops, dtype=np.int64)
    tails = np.zeros(n_ops, dtype=np.int64)
    spare_heads = np.zeros(n_ops, dtype=np.int64)
    spare_tails = np.zeros(n_ops, dtype=np.int64)
    previous = np.zeros(n_ops, dtype=np.int64)
    following = np.zeros(n_ops, dtype=np.int64)
    topo = np.zeros(n_ops, dtype=np.int64)
    moves = np.zeros((2 * n_ops, 2), dtype=np.int64)
    for b in range(orders.shape[0]):
        order, duration, machine, ring = orders[b], durations[b], machines[b], tabu[b]
        for _ in range(iterations):
            if finished[b]:
                break
            makespan = evaluate(order, duration, n_jobs, n_machines, heads, tails, topo)
            if makespan < best[b]:
                best[b] = makespan
                best_orders[b, :, :] = order
                stall[b] = 0
            count = critical_moves(order, duration, n_machines, heads, makespan, moves)
            if count == 0:  # one block: the makespan is a machine's load, optimal
                finished[b] = makespan == best[b]
                if finished[b]:
                    break
            if stall[b] >= patience or count == 0:
                order[:, :] = best_orders[b]
                for _kick in range(kicks):
                    makespan = evaluate(order, duration, n_jobs, n_machines, heads, tails, topo)
                    count = critical_moves(order, duration, n_machines, heads, makespan, moves)
                    if count == 0:
                        break
                    pick = int(_random(rng, b) * count)
                    swap(order, machine, moves[pick, 0], moves[pick, 1])
                ring[:, :] = -1
                stall[b] = 0
                continue
            evaluated[b] += count
            if not exact:
                previous, following = machine_links(order, n_ops)
            chosen, chosen_value = -1, -1
            fallback, fallback_value = -1, -1
            for i in range(count):
                u, v = moves[i, 0], moves[i, 1]
                if exact:
                    swap(order, machine, u, v)
                    value = evaluate(order, duration, n_jobs, n_machines, spare_heads, spare_tails, topo)
                    swap(order, machine, v, u)
                else:
                    value = swap_estimate(u, v, duration, n_machines, heads, tails, previous, following)
                if fallback < 0 or value < fallback_value:
                    fallback, fallback_value = i, value
                if _is_tabu(ring, u, v) and not value < best[b]:
                    continue
                if chosen < 0 or value < chosen_value or (value == chosen_value and _random(rng, b) < 0.5):
                    chosen, chosen_value = i, value
            if chosen < 0:  # every move tabu: take the best one
                chosen = fallback
            u, v = moves[chosen, 0], moves[chosen, 1]
            swap(order, machine, u, v)
            ring[tabu_next[b], 0], ring[tabu_next[b], 1] = v, u  # undoing the swap is tabu
            tabu_next[b] = (tabu_next[b] + 1) % ring.shape[0]
            stall[b] += 1
    return bool(finished.all())


def tabu_search(
    instances: Sequence[Instance],
    starts: Sequence[Solution],
    time_limit_s: float | None = None,
    iterations: int | None = None,
    seed: int = 0,
    settings: TabuSettings | None = None,
    stats: dict | None = None,
) -> list[Solution]:
    """Improve the schedules ``starts`` of same-shape ``instances`` by tabu search; the best
    schedule of each, never worse than its start.

    Stops after ``time_limit_s`` seconds of wall time for the whole batch, or after ``iterations``
    steps per instance (deterministic for a seed), whichever comes first; one of them is needed.
    Ctrl-C stops the search and returns the best schedules so far. ``stats``, when given, receives
    ``iterations`` (per instance), ``moves`` (evaluated, all instances) and ``seconds``."""
    if time_limit_s is None and iterations is None:
        raise ValueError("give a time limit or a number of iterations")
    settings = settings or TabuSettings()
    begin = time.perf_counter()
    durations, machines = (np.stack(arrays) for arrays in zip(*map(flat_instance, instances)))
    n_jobs, n_machines = instances[0].shape
    orders = np.stack([orders_from_solution(i, s) for i, s in zip(instances, starts)])
    best_orders = orders.copy()
    best = np.array([heads_and_makespan(o, d, n_jobs, n_machines)[1] for o, d in zip(orders, durations)], np.int64)
    tabu = np.full((len(instances), max(1, settings.tenure), 2), -1, dtype=np.int64)
    tabu_next = np.zeros(len(instances), dtype=np.int64)
    stall = np.zeros(len(instances), dtype=np.int64)
    rng = (np.arange(1, len(instances) + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(
        (seed * 0x5851F42D4C957F2D + 0x14057B7EF767814F) % 2**64
    )
    rng[rng == 0] = 1
    finished = np.zeros(len(instances), dtype=np.bool_)
    evaluated = np.zeros(len(instances), dtype=np.int64)
    state = (orders, best_orders, best, tabu, tabu_next, stall, rng, durations, machines)
    done = run_in_slices(  # the kernel returns True when every schedule is provably optimal
        lambda count: _search_slice(
            *state, n_jobs, n_machines, count, settings.patience, settings.kicks, settings.exact, finished, evaluated
        ),
        time_limit_s,
        begin,
        iterations,
    )
    if stats is not None:
        stats.update(iterations=done, moves=int(evaluated.sum()), seconds=time.perf_counter() - begin)
    for b in range(len(instances)):  # the schedule of the last move was not evaluated yet
        if heads_and_makespan(orders[b], durations[b], n_jobs, n_machines)[1] < best[b]:
            best_orders[b] = orders[b]
    return [solution_from_orders(instance, order) for instance, order in zip(instances, best_orders)]
