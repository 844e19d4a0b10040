"""Schedules as machine orders, their critical blocks and the N5 neighbourhood (numba kernels).

A *semi-active* schedule is fixed by the order of the operations on each machine: every
operation starts as soon as its job predecessor and its machine predecessor are done. The kernels
here work on that representation, one instance at a time (a search runs them over a batch):

* operations are numbered ``op = j * M + k`` (operation ``k`` of job ``j``);
* ``order`` ``[M, J]`` int64: ``order[m, i]`` is the ``i``-th operation processed on machine ``m``;
* ``durations`` ``[J * M]`` int64, ``machines`` ``[J * M]`` int64 (flattened instance arrays).

:func:`evaluate` computes heads (earliest starts, the longest path from the source), tails (the
longest path from an operation's end to the sink) and the makespan in one topological pass; a
cycle (an order no schedule can follow) gives ``-1``. :func:`critical_moves` traces one critical
path, splits it into blocks (runs of operations on one machine) and lists the N5 moves of
Nowicki and Smutnicki (1996): swap the first two operations of every block but the first and the
last two of every block but the last. Such swaps never create a cycle. :func:`swap_estimate` is
Taillard's (1994) head/tail estimate of a swap's makespan: the exact length of the longest path
through the two swapped operations afterwards, so a lower bound of the new makespan that equals
it whenever that path stays critical.

The kernels are compiled by numba on first use and cached on disk (``cache=True``).
"""

from __future__ import annotations

import numba
import numpy as np

from cosolve.problems.jssp.instance import Instance, Solution

jit = numba.njit(cache=True, nogil=True)


def flat_instance(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """``(durations, machines)`` ``[J * M]`` int64 of ``instance``, operations numbered ``j * M + k``."""
    return (
        np.ascontiguousarray(instance.durations, dtype=np.int64).ravel(),
        np.ascontiguousarray(instance.machines, dtype=np.int64).ravel(),
    )


def orders_from_solution(instance: Instance, solution: Solution) -> np.ndarray:
    """``[M, J]`` int64 machine orders of a feasible schedule: operations sorted by start time on
    each machine, then by end time (a zero-length operation at the start of another goes first),
    then by operation number."""
    n_jobs, n_machines = instance.shape
    starts = np.asarray(solution.start_times, dtype=np.int64).ravel()
    ends = starts + np.asarray(instance.durations, dtype=np.int64).ravel()
    machines = np.asarray(instance.machines, dtype=np.int64).ravel()
    ops = np.arange(n_jobs * n_machines)
    order = np.lexsort((ops, ends, starts, machines))  # by machine, start, end, then op id
    return ops[order].reshape(n_machines, n_jobs)


def heads_and_makespan(
    order: np.ndarray, durations: np.ndarray, n_jobs: int, n_machines: int
) -> tuple[np.ndarray, int]:
    """``(heads [J * M], makespan)`` of the machine orders ``order`` ``[M, J]`` (:func:`evaluate`
    with its own buffers); the makespan is ``-1`` for orders with a cycle."""
    heads = np.zeros(n_jobs * n_machines, dtype=np.int64)
    tails, topo = np.zeros_like(heads), np.zeros_like(heads)
    makespan = evaluate(np.ascontiguousarray(order, dtype=np.int64), durations, n_jobs, n_machines, heads, tails, topo)
    return heads, int(makespan)


def solution_from_orders(instance: Instance, order: np.ndarray) -> Solution:
    """The semi-active schedule of the machine orders ``order`` ``[M, J]``.

    Raises:
        ValueError: the orders contain a cycle (no schedule follows them).
    """
    heads, makespan = heads_and_makespan(order, flat_instance(instance)[0], *instance.shape)
    if makespan < 0:
        raise ValueError("the machine orders contain a cycle")
    return Solution(start_times=heads.reshape(instance.shape))


@jit
def machine_links(order: np.ndarray, n_ops: int) -> tuple[np.ndarray, np.ndarray]:
    """``(previous, next)`` ``[J * M]``: each operation's neighbours on its machine (``-1``: none)."""
    previous = np.full(n_ops, -1, dtype=np.int64)
    following = np.full(n_ops, -1, dtype=np.int64)
    n_machines, n_jobs = order.shape
    for m in range(n_machines):
        for i in range(1, n_jobs):
            previous[order[m, i]] = order[m, i - 1]
            following[order[m, i - 1]] = order[m, i]
    return previous, following


@jit
def evaluate(
    order: np.ndarray,
    durations: np.ndarray,
    n_jobs: int,
    n_machines: int,
    heads: np.ndarray,
    tails: np.ndarray,
    topo: np.ndarray,
) -> int:
    """The makespan of the machine orders ``order`` ``[M, J]``, or ``-1`` if they contain a cycle.

    Fills ``heads`` (earliest starts), ``tails`` (longest path from the end of each operation to
    the sink, its own duration excluded) and ``topo`` (a topological order), all ``[J * M]``."""
    n_ops = n_jobs * n_machines
    previous, following = machine_links(order, n_ops)
    waiting = np.zeros(n_ops, dtype=np.int64)
    for op in range(n_ops):
        waiting[op] = (1 if op % n_machines > 0 else 0) + (1 if previous[op] >= 0 else 0)
    size = 0
    for op in range(n_ops):
        if waiting[op] == 0:
            topo[size] = op
            size += 1
    done = 0
    while done < size:
        op = topo[done]
        done += 1
        start = 0
        if op % n_machines > 0:
            start = heads[op - 1] + durations[op - 1]
        if previous[op] >= 0:
            start = max(start, heads[previous[op]] + durations[previous[op]])
        heads[op] = start
        if op % n_machines < n_machines - 1:
            waiting[op + 1] -= 1
            if waiting[op + 1] == 0:
                topo[size] = op + 1
                size += 1
        if following[op] >= 0:
            waiting[following[op]] -= 1
            if waiting[following[op]] == 0:
                topo[size] = following[op]
                size += 1
    if done < n_ops:
        return -1
    makespan = 0
    for index in range(n_ops - 1, -1, -1):
        op = topo[index]
        tail = 0
        if op % n_machines < n_machines - 1:
            tail = tails[op + 1] + durations[op + 1]
        if following[op] >= 0:
            tail = max(tail, tails[following[op]] + durations[following[op]])
        tails[op] = tail
        makespan = max(makespan, heads[op] + durations[op] + tail)
    return makespan


@jit
def critical_moves(
    order: np.ndarray, durations: np.ndarray, n_machines: int, heads: np.ndarray, makespan: int, moves: np.ndarray
) -> int:
    """The N5 moves of one critical path of the schedule ``order`` with ``heads`` (from
    :func:`evaluate`); writes ``(u, v)`` pairs (``u`` right before ``v`` on their machine) into
    ``moves`` ``[capacity, 2]`` and returns how many. The path prefers machine predecessors, so
    that its blocks are as long as possible."""
    n_ops = durations.shape[0]
    previous, _ = machine_links(order, n_ops)
    end = -1
    for op in range(n_ops):
        if heads[op] + durations[op] == makespan:
            end = op
            break
    path = np.empty(n_ops, dtype=np.int64)
    length = 0
    op = end
    while op >= 0:
        path[length] = op
        length += 1
        before = previous[op]
        if before >= 0 and heads[before] + durations[before] == heads[op]:
            op = before
        elif op % n_machines > 0 and heads[op - 1] + durations[op - 1] == heads[op]:
            op = op - 1
        else:
            op = -1
    # path[length - 1] is the first operation; blocks are runs joined by machine arcs
    starts = np.empty(length, dtype=np.int64)  # block b spans path positions starts[b] .. ends[b]
    ends = np.empty(length, dtype=np.int64)
    blocks = 0
    position = length - 1
    while position >= 0:
        starts[blocks] = position
        while position > 0 and previous[path[position - 1]] == path[position]:
            position -= 1
        ends[blocks] = position
        blocks += 1
        position -= 1
    count = 0
    for b in range(blocks):
        first, last = starts[b], ends[b]
        if first - last < 1:
            continue  # one operation: nothing to swap
        if b > 0:
            moves[count, 0], moves[count, 1] = path[first], path[first - 1]
            count += 1
        if b < blocks - 1 and not (b > 0 and first - last == 1):  # a block of two has one pair
            moves[count, 0], moves[count, 1] = path[last + 1], path[last]
            count += 1
    return count


@jit
def swap(order: np.ndarray, machines: np.ndarray, u: int, v: int) -> None:
    """Exchange the adjacent operations ``u`` (before) and ``v`` (after) on their machine."""
    row = order[machines[u]]
    for i in range(row.shape[0] - 1):
        if row[i] == u and row[i + 1] == v:
            row[i], row[i + 1] = v, u
            return


@jit
def swap_estimate(
    u: int,
    v: int,
    durations: np.ndarray,
    n_machines: int,
    heads: np.ndarray,
    tails: np.ndarray,
    previous: np.ndarray,
    following: np.ndarray,
) -> int:
    """Taillard's estimate of the makespan after swapping ``u`` and ``v`` (``u`` right before ``v``
    on one machine): the longest path through the two afterwards, from the unchanged heads of their
    predecessors and tails of their successors (``previous``/``following``: machine links of the
    current orders)."""
    head_v = 0
    if v % n_machines > 0:
        head_v = heads[v - 1] + durations[v - 1]
    if previous[u] >= 0:
        head_v = max(head_v, heads[previous[u]] + durations[previous[u]])
    head_u = head_v + durations[v]
    if u % n_machines > 0:
        head_u = max(head_u, heads[u - 1] + durations[u - 1])
    tail_u = 0
    if u % n_machines < n_machines - 1:
        tail_u = tails[u + 1] + durations[u + 1]
    if following[v] >= 0:
        tail_u = max(tail_u, tails[following[v]] + durations[following[v]])
    tail_v = tail_u + durations[u]
    if v % n_machines < n_machines - 1:
        tail_v = max(tail_v, tails[v + 1] + durations[v + 1])
    return max(head_v + durations[v] + tail_v, head_u + durations[u] + tail_u)
