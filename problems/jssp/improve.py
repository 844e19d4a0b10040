"""The improvement MDP of the learned search (after L2S, Zhang et al. 2024), batched over chains.

A *chain* is one schedule being improved: its state is the current machine orders (a semi-active
schedule, :mod:`cosolve.problems.jssp.neighbourhood`), the best schedule seen so far, and a short
memory of its recent moves. An action is one N5 move of the current schedule (swap the first two
or the last two operations of a critical block); the reward is the improvement of the best
makespan, ``best_before - best_after`` (never negative), in per cent of the chain's starting
makespan. As in L2S, undoing the previous move is not allowed (unless it is the only move).

A chain without N5 moves is optimal: its critical path is one block (one machine busy from 0 to
the makespan) or runs along job arcs only (one job's operations back to back), so the makespan is
that machine's load or that job's length. It stays as it is.

What the policy sees (:func:`observe`), per chain ``b`` with ``N = J * M`` operations:

* node features ``[N, NODE_FEATURES]``: duration / largest duration, head / makespan, tail /
  makespan, slack / makespan (0 on a critical path), position in the job / (M - 1), critical flag;
* four neighbour relations: job successor, job predecessor, machine successor, machine predecessor
  (each operation has at most one neighbour in each, :func:`neighbours`);
* per move ``[K, MOVE_FEATURES]``: Taillard's head/tail estimate of the makespan after the move
  relative to the current and to the best makespan (times 10), whether it would beat the best,
  how recently the move undid one of the last :data:`HISTORY` moves (1 = just now, 0 = not in
  memory), the two durations / largest duration, steps since the best improved (/ 100, at most 1)
  and how far the current makespan is above the best (times 10).

All per-step work (evaluation, critical path, moves, features) runs in one numba kernel over the
batch; the neighbour tables are built with NumPy over the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from cosolve.problems.jssp.instance import Instance, Solution
from cosolve.problems.jssp.neighbourhood import (
    critical_moves,
    evaluate,
    flat_instance,
    jit,
    machine_links,
    orders_from_solution,
    solution_from_orders,
    swap,
    swap_estimate,
)

HISTORY = 16
"""Recent moves each chain remembers (the recency feature)."""
NODE_FEATURES = 6
MOVE_FEATURES = 8
N_RELATIONS = 4
"""Job successor, job predecessor, machine successor, machine predecessor."""


@dataclass
class ImproveState:
    """A batch of ``B`` chains of shops of one shape ``J x M`` (``N = J * M`` operations).

    Attributes:
        durations, machines: ``[B, N]`` int64 flattened instances (operation ``j * M + k``).
        orders, best_orders: ``[B, M, J]`` int64 current and best machine orders.
        heads, tails: ``[B, N]`` int64 of the current schedule.
        makespan, best, start: ``[B]`` int64 current, best and starting makespans.
        moves: ``[B, N, 2]`` int64 the N5 moves ``(u, v)`` of the current schedule; ``counts`` ``[B]`` how many.
        features: ``[B, N, MOVE_FEATURES]`` float32 per move.
        allowed: ``[B, N]`` bool: the move may be made (not undoing the previous one).
        history: ``[B, HISTORY, 2]`` int64 the reversals of recent moves; ``history_step`` ``[B, HISTORY]`` when.
        stall: ``[B]`` int64 steps since the best improved; ``steps``: steps made.
    """

    n_jobs: int
    n_machines: int
    durations: np.ndarray
    machines: np.ndarray
    orders: np.ndarray
    best_orders: np.ndarray
    heads: np.ndarray
    tails: np.ndarray
    makespan: np.ndarray
    best: np.ndarray
    start: np.ndarray
    moves: np.ndarray
    counts: np.ndarray
    features: np.ndarray
    allowed: np.ndarray
    history: np.ndarray
    history_step: np.ndarray
    stall: np.ndarray
    steps: int = 0

    @property
    def batch_size(self) -> int:
        return self.orders.shape[0]

    @property
    def done(self) -> np.ndarray:
        """``[B]`` bool: the chain has no move (its makespan is provably optimal, see the module docstring)."""
        return self.counts == 0


def start(instances: Sequence[Instance], starts: Sequence[Solution]) -> ImproveState:
    """Chains from the schedules ``starts`` of the same-shape ``instances`` (one chain each)."""
    n_jobs, n_machines = instances[0].shape
    n_ops = n_jobs * n_machines
    durations, machines = (np.stack(arrays) for arrays in zip(*map(flat_instance, instances)))
    orders = np.stack([orders_from_solution(i, s) for i, s in zip(instances, starts)])
    batch = len(instances)
    state = ImproveState(
        n_jobs=n_jobs,
        n_machines=n_machines,
        durations=durations,
        machines=machines,
        orders=orders,
        best_orders=orders.copy(),
        heads=np.zeros((batch, n_ops), np.int64),
        tails=np.zeros((batch, n_ops), np.int64),
        makespan=np.zeros(batch, np.int64),
        best=np.full(batch, np.iinfo(np.int64).max, np.int64),
        start=np.zeros(batch, np.int64),
        moves=np.zeros((batch, n_ops, 2), np.int64),
        counts=np.zeros(batch, np.int64),
        features=np.zeros((batch, n_ops, MOVE_FEATURES), np.float32),
        allowed=np.zeros((batch, n_ops), np.bool_),
        history=np.full((batch, HISTORY, 2), -1, np.int64),
        history_step=np.zeros((batch, HISTORY), np.int64),
        stall=np.zeros(batch, np.int64),
    )
    _refresh_state(state)
    state.start[:] = state.makespan
    return state


def step(state: ImproveState, chosen: np.ndarray) -> np.ndarray:
    """Make move ``chosen[b]`` (an index below ``counts[b]``; ignored where the chain is done) in
    every chain; returns the rewards ``[B]`` float32 (improvement of the best makespan in per cent
    of the starting makespan)."""
    before = state.best.copy()
    _apply(
        state.orders,
        state.machines,
        state.moves,
        state.counts,
        np.asarray(chosen, np.int64),
        state.history,
        state.history_step,
        state.steps,
    )
    state.steps += 1
    _refresh_state(state)
    return ((before - state.best) * 100.0 / np.maximum(state.start, 1)).astype(np.float32)


def solutions(state: ImproveState, instances: Sequence[Instance]) -> list[Solution]:
    """The best schedule of each chain."""
    return [solution_from_orders(instance, order) for instance, order in zip(instances, state.best_orders)]


def _refresh_state(state: ImproveState) -> None:
    _refresh(
        state.orders,
        state.durations,
        state.n_jobs,
        state.n_machines,
        state.heads,
        state.tails,
        state.makespan,
        state.best,
        state.best_orders,
        state.stall,
        state.moves,
        state.counts,
        state.features,
        state.allowed,
        state.history,
        state.history_step,
        state.steps,
    )


@jit
def _apply(orders, machines, moves, counts, chosen, history, history_step, steps) -> None:
    """Swap each chain's chosen move and remember its reversal."""
    for b in range(orders.shape[0]):
        if counts[b] == 0:
            continue
        u, v = moves[b, chosen[b], 0], moves[b, chosen[b], 1]
        swap(orders[b], machines[b], u, v)
        slot = steps % history.shape[1]
        history[b, slot, 0], history[b, slot, 1] = v, u
        history_step[b, slot] = steps


@jit
def _refresh(
    orders,
    durations,
    n_jobs,
    n_machines,
    heads,
    tails,
    makespan,
    best,
    best_orders,
    stall,
    moves,
    counts,
    features,
    allowed,
    history,
    history_step,
    steps,
) -> None:
    """Evaluate every chain's current schedule: makespan, best so far, N5 moves and their features."""
    n_ops = n_jobs * n_machines
    topo = np.zeros(n_ops, dtype=np.int64)
    memory = history.shape[1]
    for b in range(orders.shape[0]):
        order, duration = orders[b], durations[b]
        value = evaluate(order, duration, n_jobs, n_machines, heads[b], tails[b], topo)
        makespan[b] = value
        if value < best[b]:
            best[b] = value
            best_orders[b, :, :] = order
            stall[b] = 0
        else:
            stall[b] += 1
        count = critical_moves(order, duration, n_machines, heads[b], value, moves[b])
        counts[b] = count
        previous, following = machine_links(order, n_ops)
        largest = max(1, duration.max())
        scale, best_scale = max(1, value), max(1, best[b])  # all-zero durations: makespan 0
        last = (steps - 1) % memory
        for i in range(count):
            u, v = moves[b, i, 0], moves[b, i, 1]
            estimate = swap_estimate(u, v, duration, n_machines, heads[b], tails[b], previous, following)
            recency = 0.0
            undoes_last = False
            for h in range(memory):
                if history[b, h, 0] == u and history[b, h, 1] == v:
                    age = steps - 1 - history_step[b, h]
                    recency = max(recency, 1.0 - age / memory)
                    if h == last and age == 0:
                        undoes_last = True
            allowed[b, i] = not undoes_last or count == 1
            f = features[b, i]
            f[0] = 10.0 * (estimate - value) / scale
            f[1] = 10.0 * (estimate - best[b]) / best_scale
            f[2] = 1.0 if estimate < best[b] else 0.0
            f[3] = recency
            f[4] = duration[u] / largest
            f[5] = duration[v] / largest
            f[6] = min(stall[b], 100) / 100.0
            f[7] = 10.0 * (value - best[b]) / best_scale
        for i in range(count, n_ops):
            allowed[b, i] = False


@dataclass
class ImproveObservation:
    """The policy's input for ``B`` chains of ``N`` operations and at most ``K`` moves each.

    Attributes:
        x: ``[B * N, NODE_FEATURES]`` float32 node features (chain ``b``'s operations at ``b * N``).
        neighbours: ``[N_RELATIONS, B * N]`` int64 each node's job successor, job predecessor,
            machine successor and machine predecessor (``-1``: none); every node has at most one
            neighbour per relation.
        moves: ``[B, K, 2]`` int64 node indices of each move's two operations.
        move_features: ``[B, K, MOVE_FEATURES]`` float32.
        mask: ``[B, K]`` bool: the move exists and is allowed.
    """

    x: torch.Tensor
    neighbours: torch.Tensor
    moves: torch.Tensor
    move_features: torch.Tensor
    mask: torch.Tensor

    def to(self, device: str | torch.device) -> ImproveObservation:
        return ImproveObservation(*(getattr(self, name).to(device) for name in self.__dataclass_fields__))


def neighbours(orders: np.ndarray, n_jobs: int, n_machines: int) -> np.ndarray:
    """``[N_RELATIONS, B * N]`` the job and machine neighbours of every operation of the machine
    orders ``orders`` ``[B, M, J]`` (node ``b * N + op``; ``-1``: none)."""
    batch, n_ops = orders.shape[0], n_jobs * n_machines
    nodes = np.arange(batch * n_ops)
    position = nodes % n_machines  # operation k of its job
    table = np.full((N_RELATIONS, batch * n_ops), -1, dtype=np.int64)
    table[0] = np.where(position < n_machines - 1, nodes + 1, -1)
    table[1] = np.where(position > 0, nodes - 1, -1)
    placed = orders + (np.arange(batch) * n_ops)[:, None, None]  # [B, M, J] node indices
    table[2, placed[:, :, :-1].ravel()] = placed[:, :, 1:].ravel()
    table[3, placed[:, :, 1:].ravel()] = placed[:, :, :-1].ravel()
    return table


def observe(state: ImproveState, device: str | torch.device = "cpu") -> ImproveObservation:
    """The observation of every chain (see the module docstring)."""
    batch, n_ops = state.durations.shape
    n_machines = state.n_machines
    makespan = np.maximum(state.makespan[:, None], 1).astype(np.float32)
    durations = state.durations.astype(np.float32)
    slack = state.makespan[:, None] - state.heads - durations - state.tails
    x = np.stack(
        [
            durations / durations.max(axis=1, keepdims=True).clip(min=1),
            state.heads / makespan,
            state.tails / makespan,
            slack / makespan,
            np.broadcast_to((np.arange(n_ops) % n_machines) / max(1, n_machines - 1), (batch, n_ops)),
            (slack == 0).astype(np.float32),
        ],
        axis=2,
    ).reshape(batch * n_ops, NODE_FEATURES)
    width = max(1, int(state.counts.max()))
    moves = state.moves[:, :width] + (np.arange(batch) * n_ops)[:, None, None]
    return ImproveObservation(
        x=torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)),
        neighbours=torch.from_numpy(neighbours(state.orders, state.n_jobs, n_machines)),
        moves=torch.from_numpy(np.ascontiguousarray(moves)),
        move_features=torch.from_numpy(np.ascontiguousarray(state.features[:, :width])),
        mask=torch.from_numpy(np.ascontiguousarray(state.allowed[:, :width])),
    ).to(device)
