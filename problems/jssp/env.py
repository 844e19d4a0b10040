"""Batched job shop environment on torch tensors (CPU or CUDA).

One action schedules the next operation of one job. The operation is placed at its
earliest feasible start: after its job predecessor, in the earliest idle gap of its machine
that is long enough (gap insertion, as in L2D), so every episode builds an *active*
schedule. All instances of a batch share one shape ``(J, M)``; every call works on the whole
batch at once, with no Python loop over instances. ``step`` updates the state in place
and returns it.

Shapes: ``B`` instances, ``J`` jobs, ``M`` machines (= operations per job).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from cosolve.errors import CosolveInputError
from cosolve.problems.jssp.instance import TIME_BOUND, Instance, Solution

TIME = torch.int32
"""Times are int32: reductions over int64 are many times slower on CPUs."""
NO_TIME = TIME_BOUND
"""Sentinel time: an empty machine slot, or the earliest start of a finished job. The total
processing time of an instance must stay below it (the readers refuse larger files; :func:`reset`
checks it again for instances built in code)."""


class JobProgress:
    """What the dispatching rules read from a job shop state, static or dynamic: derived from the
    ``durations``, ``machines`` (``[B, J, M]``), ``work_suffix`` (``[B, J, M + 1]``) and
    ``next_op`` (``[B, J]``, each job's next operation not yet scheduled or started) of the
    state dataclass that mixes it in."""

    @property
    def n_jobs(self) -> int:
        return self.durations.shape[1]

    @property
    def n_machines(self) -> int:
        return self.durations.shape[2]

    def _at_next_op(self, table: torch.Tensor) -> torch.Tensor:
        op = self.next_op.clamp(max=self.n_machines - 1)
        return table.gather(2, op.unsqueeze(2)).squeeze(2)

    @property
    def candidate_duration(self) -> torch.Tensor:
        """``[B, J]`` processing time of each job's next operation (last one's for finished jobs)."""
        return self._at_next_op(self.durations)

    @property
    def candidate_machine(self) -> torch.Tensor:
        """``[B, J]`` machine of each job's next operation."""
        return self._at_next_op(self.machines)

    @property
    def remaining_work(self) -> torch.Tensor:
        """``[B, J]`` total processing time of each job's operations from its next one on."""
        return self.work_suffix.gather(2, self.next_op.unsqueeze(2)).squeeze(2)

    @property
    def remaining_ops(self) -> torch.Tensor:
        """``[B, J]`` number of each job's operations from its next one on."""
        return self.n_machines - self.next_op


@dataclass
class State(JobProgress):
    """The batched state; every tensor has the batch as its leading dimension.

    Attributes:
        durations: ``[B, J, M]`` int32 processing time of operation ``o`` of job ``j``.
        machines: ``[B, J, M]`` machine of operation ``o`` of job ``j``.
        work_suffix: ``[B, J, M + 1]`` work of job ``j`` from operation ``o`` on (last column 0).
        next_op: ``[B, J]`` index of the next unscheduled operation of each job (``M`` when done).
        job_ready: ``[B, J]`` end time of each job's last scheduled operation (0 at the start).
        start_times: ``[B, J, M]`` start of each scheduled operation, ``-1`` while unscheduled.
        machine_starts: ``[B, M, J]`` starts of the operations scheduled on each machine,
            sorted ascending, padded with ``NO_TIME``.
        machine_busy_until: ``[B, M, J]`` for each slot of ``machine_starts``, the latest end
            among the operations in that slot and the slots before it (a running max, so a
            zero-length operation sorted between others never reopens occupied time), padded
            with ``NO_TIME``.
        earliest_start: ``[B, J]`` earliest feasible start of each job's next operation
            (``NO_TIME`` for finished jobs).
        makespan: ``[B]`` latest end among the scheduled operations (the objective so far).
        instance_key: ``[B]`` int64, a 31-bit key derived from each instance's data, so that
            random choices can depend on the instance and not on its place in the batch.
    """

    durations: torch.Tensor
    machines: torch.Tensor
    work_suffix: torch.Tensor
    next_op: torch.Tensor
    job_ready: torch.Tensor
    start_times: torch.Tensor
    machine_starts: torch.Tensor
    machine_busy_until: torch.Tensor
    earliest_start: torch.Tensor
    makespan: torch.Tensor
    instance_key: torch.Tensor

    @property
    def mask(self) -> torch.Tensor:
        """``[B, J]`` bool: jobs with an operation left (the feasible actions)."""
        return self.next_op < self.n_machines

    @property
    def done(self) -> torch.Tensor:
        """``[B]`` bool: every operation scheduled."""
        return ~self.mask.any(dim=1)


def reset(instances: Sequence[Instance], device: str | torch.device = "cpu") -> State:
    """A fresh state for a batch of instances of one shape."""
    shapes = {instance.shape for instance in instances}
    if len(shapes) != 1:
        raise ValueError(f"a batch needs instances of one shape, got {sorted(shapes)}")
    (n_jobs, n_machines), batch = shapes.pop(), len(instances)
    durations_host = np.stack([i.durations for i in instances]).astype(np.int64)
    too_long = [i.name for i, total in zip(instances, durations_host.sum(axis=(1, 2))) if total >= NO_TIME]
    if too_long:
        raise CosolveInputError(f"instance {too_long[0]}: total processing time must stay below {NO_TIME}")
    durations = torch.as_tensor(durations_host, dtype=TIME, device=device)
    machines = torch.as_tensor(np.stack([i.machines for i in instances]), dtype=torch.int64, device=device)
    suffix = durations.flip(2).cumsum(2, dtype=TIME).flip(2)
    work_suffix = torch.cat([suffix, torch.zeros_like(suffix[..., :1])], dim=2)
    zeros = torch.zeros(batch, n_jobs, dtype=TIME, device=device)
    state = State(
        durations=durations,
        machines=machines,
        work_suffix=work_suffix,
        next_op=torch.zeros(batch, n_jobs, dtype=torch.int64, device=device),
        job_ready=zeros.clone(),
        start_times=torch.full_like(durations, -1),
        machine_starts=torch.full((batch, n_machines, n_jobs), NO_TIME, dtype=TIME, device=device),
        machine_busy_until=torch.full((batch, n_machines, n_jobs), NO_TIME, dtype=TIME, device=device),
        earliest_start=zeros.clone(),
        makespan=torch.zeros(batch, dtype=TIME, device=device),
        instance_key=torch.tensor([int(i.fingerprint()[:8], 16) >> 1 for i in instances], device=device),
    )
    state.earliest_start = earliest_starts(state)
    return state


def earliest_starts(state: State) -> torch.Tensor:
    """``[B, J]`` earliest feasible start of every job's next operation (gap insertion).

    For the candidate of job ``j`` on machine ``k`` with release ``r`` (its job's ready
    time) and duration ``p``, the gaps of ``k`` are ``[busy until slot i-1, start of slot i)``;
    the answer is the smallest ``max(r, gap start)`` whose gap still holds ``p``.
    """
    batch, n_jobs = state.next_op.shape
    slots = state.candidate_machine.unsqueeze(2).expand(batch, n_jobs, n_jobs)
    slot_starts = state.machine_starts.gather(1, slots)  # [B, J, J]: machine row of each candidate
    slot_busy = state.machine_busy_until.gather(1, slots)
    gap_opens = torch.cat([torch.zeros_like(slot_busy[..., :1]), slot_busy[..., :-1]], dim=2)
    gap_start = torch.maximum(gap_opens, state.job_ready.unsqueeze(2))
    fits = gap_start + state.candidate_duration.unsqueeze(2) <= slot_starts
    earliest = torch.where(fits, gap_start, NO_TIME).amin(dim=2)
    # A zero-length operation occupies no machine time: it starts as soon as its job is ready.
    earliest = torch.where(state.candidate_duration == 0, state.job_ready, earliest)
    return torch.where(state.mask, earliest, NO_TIME)


def step(state: State, actions: torch.Tensor) -> State:
    """Schedule the next operation of job ``actions[b]`` in every unfinished instance ``b``.

    Args:
        actions: ``[B]`` int64 job indices; they must be feasible (``state.mask``) where the
            instance is not done, and are ignored where it is.
    """
    batch_size, n_jobs = state.next_op.shape
    device = state.next_op.device
    actions = actions.to(device)
    batch = torch.arange(batch_size, device=device)
    active = ~state.done
    op = state.next_op[batch, actions].clamp(max=state.n_machines - 1)
    machine = state.machines[batch, actions, op]
    start = state.earliest_start[batch, actions]
    end = start + state.durations[batch, actions, op]

    row_starts = state.machine_starts[batch, machine]  # [B, J]
    row_busy = state.machine_busy_until[batch, machine]
    position = (row_starts <= start.unsqueeze(1)).sum(dim=1, keepdim=True)
    slot = torch.arange(n_jobs, device=device).unsqueeze(0)
    occupies = active & (end > start)  # zero-length operations stay off the machine timeline
    keep = ~occupies.unsqueeze(1) | (slot < position)
    # Slots from ``position`` on move one to the right; the new operation takes ``position``.
    shifted_starts = torch.cat([row_starts[:, :1], row_starts[:, :-1]], dim=1)
    new_starts = torch.where(slot == position, start.unsqueeze(1), shifted_starts)
    state.machine_starts[batch, machine] = torch.where(keep, row_starts, new_starts)
    busy_before = torch.cat([torch.zeros_like(row_busy[:, :1]), row_busy[:, :-1]], dim=1)
    new_busy = torch.maximum(busy_before, end.unsqueeze(1))
    state.machine_busy_until[batch, machine] = torch.where(keep, row_busy, new_busy)

    state.start_times[batch, actions, op] = torch.where(active, start, state.start_times[batch, actions, op])
    state.job_ready[batch, actions] = torch.where(active, end, state.job_ready[batch, actions])
    state.next_op[batch, actions] += active.long()
    state.makespan = torch.where(active, torch.maximum(state.makespan, end), state.makespan)
    state.earliest_start = earliest_starts(state)
    return state


def nondelay_mask(state: State) -> torch.Tensor:
    """``[B, J]`` bool: feasible jobs whose next operation can start at the earliest time of all.

    Dispatching rules choose among these (the non-delay form of Giffler and Thompson).
    """
    earliest = state.earliest_start.amin(dim=1, keepdim=True)
    return state.mask & (state.earliest_start == earliest)


def to_solutions(state: State) -> list[Solution]:
    """One :class:`Solution` per instance (call when ``state.done`` holds)."""
    return [Solution(start_times=row) for row in state.start_times.cpu().numpy().astype(np.int64)]
