"""The graph view of a dynamic job shop decision, as one PyG ``Batch``.

The same residual graph as the static job shop (:mod:`cosolve.problems.jssp.observe`): per
instance the operations not yet started (job-major) followed by the ``M`` machine nodes, with
the four relations job-next, job-previous, operation -> machine and machine -> operation.
Instances of a batch may have different numbers of open operations (swaps start several at
once), so node indices are offset instance by instance.

Node features: the nine of the static graph, with times measured from the current time ``t``
(not from the earliest start of all candidates) and with the *known* present — a job's running
operation and a machine's repair count with what is left of them — then four about the shop's
condition (the policy never sees future shutdowns):

==  =========================================================================
0   1 for operations, 0 for machines
1   operation: processing time / scale
2   operation: candidate flag (the next operation of its job)
3   operation: lower bound of its completion - ``t``, / horizon (the job's earliest start
    plus its open work up to and including the operation)
4   operation: remaining work of its job / horizon
5   operation (candidates): (earliest start of the job - ``t``) / scale
6   machine: (time it is known to be busy until - ``t``) / horizon: its running operation's
    remaining processing plus, when it is down, the repair left
7   machine: work of its open operations / horizon
8   machine: fraction of its operations not yet started
9   machine: down now
10  machine: repair time left / scale (0 when up)
11  machine: held by a blocked job (finished there, waiting for its next machine)
12  operation (candidates): the job is blocked, so starting it frees a machine
==  =========================================================================

Candidate features: the static four (earliest-start slack, processing time, remaining work,
remaining operations), then whether the job is blocked, the number of other jobs whose next
operation is on the same machine (the queue of that machine) / ``J``, and about the machine of
the job's operation after the candidate (where it goes next, which matters under blocking):
free and up now (1 for a last operation), down now, and how long it is known to stay busy
beyond the candidate's processing time / scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch_geometric.data import Batch

from cosolve.problems.jssp.dynamic.env import State
from cosolve.problems.jssp.observe import load_bound

N_FEATURES = 13
N_RELATIONS = 4
N_CANDIDATE_FEATURES = 9
STATIC_FEATURES = 9
"""The first features mean what the static graph's features mean (a static policy warm-starts
a dynamic one with zero weights on the others)."""
STATIC_CANDIDATE_FEATURES = 4


@dataclass
class Observation:
    """What a dynamic job shop policy sees (the fields of the static ``Observation``).

    Attributes:
        graph: ``x`` ``[N, N_FEATURES]``, ``edge_index`` ``[2, E]``, ``edge_type`` ``[E]``,
            ``batch`` ``[N]``.
        candidates: ``[B, J]`` node of each job's next operation (0 where the job has none).
        candidate_machines: ``[B, J]`` node of that operation's machine.
        candidate_features: ``[B, J, N_CANDIDATE_FEATURES]``.
        mask: ``[B, J]`` bool, the jobs that can start now.
    """

    graph: Batch
    candidates: torch.Tensor
    candidate_machines: torch.Tensor
    candidate_features: torch.Tensor
    mask: torch.Tensor


def observe(state: State) -> Observation:
    """The batch's residual graphs at the current decision (see the module docstring)."""
    batch, n_jobs, n_machines = state.durations.shape
    device = state.durations.device
    durations = state.durations.float()
    scale = durations.amax(dim=(1, 2)).clamp(min=1.0).view(batch, 1)  # [B, 1]
    horizon = load_bound(state.durations, state.machines).view(batch, 1)
    now = state.time.view(batch, 1)

    # The known present: when each machine is free of its current work, when each job can go on.
    processing_machine = state.held.clamp(min=0)
    repair_left = torch.where(state.down, state.window_end - now, 0)  # [B, M]
    job_busy = torch.where(state.running, state.remaining + repair_left.gather(1, processing_machine), 0)  # [B, J]
    machine_busy = torch.zeros(batch, n_machines, dtype=torch.int64, device=device)
    machine_busy.scatter_reduce_(1, processing_machine, job_busy, reduce="amax")
    machine_busy = torch.maximum(machine_busy, repair_left)
    candidate_machine = state.candidate_machine
    earliest = torch.maximum(job_busy, machine_busy.gather(1, candidate_machine)).float()  # [B, J] from now
    blocked = state.blocked & (state.next_op < n_machines)

    ops = torch.arange(n_machines, device=device).view(1, 1, n_machines)
    keep = ops >= state.next_op.unsqueeze(2)  # [B, J, M] operations not started
    candidate = ops == state.next_op.unsqueeze(2)
    open_durations = durations * keep
    completion = earliest.unsqueeze(2) + open_durations.cumsum(dim=2)
    remaining = state.remaining_work.float()
    slack = torch.where(state.next_op < n_machines, earliest, 0.0) / scale
    zeros = torch.zeros_like(durations)
    op_features = torch.stack(
        [
            torch.ones_like(durations),
            durations / scale.unsqueeze(2),
            candidate.float(),
            completion / horizon.unsqueeze(2),
            (remaining / horizon).unsqueeze(2).expand_as(durations),
            torch.where(candidate, slack.unsqueeze(2), zeros),
            zeros,
            zeros,
            zeros,
            zeros,
            zeros,
            zeros,
            torch.where(candidate, blocked.float().unsqueeze(2), zeros),
        ],
        dim=3,
    )
    machine_index = state.machines.view(batch, -1)
    open_work = torch.zeros(batch, n_machines, device=device).scatter_add_(
        1, machine_index, open_durations.view(batch, -1)
    )
    open_ops = torch.zeros(batch, n_machines, device=device).scatter_add_(
        1, machine_index, keep.float().view(batch, -1)
    )
    holder = state.machine_job.clamp(min=0)
    held_blocked = (state.machine_job >= 0) & blocked.gather(1, holder)
    machine_zeros = torch.zeros(batch, n_machines, device=device)
    machine_features = torch.stack(
        [machine_zeros] * 6
        + [
            machine_busy.float() / horizon,
            open_work / horizon,
            open_ops / n_jobs,
            state.down.float(),
            repair_left.float() / scale,
            held_blocked.float(),
            machine_zeros,
        ],
        dim=2,
    )
    waiting = (state.next_op < n_machines) & ~state.running
    queue = torch.zeros(batch, n_machines, device=device).scatter_add_(1, candidate_machine, waiting.float())
    # The machine after the candidate's: where the job goes next (free, down, busy for how long).
    following_op = (state.next_op + 1).clamp(max=n_machines - 1).unsqueeze(2)
    has_following = state.next_op + 1 < n_machines
    following = state.machines.gather(2, following_op).squeeze(2)
    following_free = ~has_following | ((state.machine_job.gather(1, following) < 0) & ~state.down.gather(1, following))
    following_down = has_following & state.down.gather(1, following)
    following_busy = torch.where(has_following, machine_busy.gather(1, following).float(), 0.0)
    candidate_features = torch.stack(
        [
            slack,
            state.candidate_duration.float() / scale,
            remaining / horizon,
            state.remaining_ops.float() / n_machines,
            blocked.float(),
            (queue.gather(1, candidate_machine) - waiting.float()) / n_jobs,
            following_free.float(),
            following_down.float(),
            (following_busy - state.candidate_duration.float()).clamp(min=0) / scale,
        ],
        dim=2,
    )

    # Node indices: instance b's open operations, then its machines, after all earlier instances.
    n_open = keep.view(batch, -1).sum(dim=1)  # [B]
    sizes = n_open + n_machines
    offset = (sizes.cumsum(dim=0) - sizes).view(batch, 1, 1)
    node_of_op = offset + (keep.view(batch, -1).cumsum(dim=1) - 1).view(batch, n_jobs, n_machines)
    machine_node = offset.view(batch, 1) + n_open.view(batch, 1) + torch.arange(n_machines, device=device)  # [B, M]
    chain = keep[:, :, :-1]
    earlier, later = node_of_op[:, :, :-1][chain], node_of_op[:, :, 1:][chain]
    open_nodes = node_of_op[keep]
    op_machine_nodes = machine_node.gather(1, machine_index).view(batch, n_jobs, n_machines)[keep]
    relations = [
        torch.stack([earlier, later]),
        torch.stack([later, earlier]),
        torch.stack([open_nodes, op_machine_nodes]),
        torch.stack([op_machine_nodes, open_nodes]),
    ]
    total = int(sizes.sum())
    x = torch.empty(total, N_FEATURES, device=device)
    x[open_nodes] = op_features[keep]
    x[machine_node.reshape(-1)] = machine_features.reshape(-1, N_FEATURES)
    edge_type = torch.cat(
        [torch.full((e.shape[1],), kind, dtype=torch.int64, device=device) for kind, e in enumerate(relations)]
    )
    graph = Batch(
        x=x,
        edge_index=torch.cat(relations, dim=1),
        edge_type=edge_type,
        batch=torch.arange(batch, device=device).repeat_interleave(sizes),
        ptr=torch.cat([torch.zeros(1, dtype=torch.int64, device=device), sizes.cumsum(dim=0)]),
    )
    next_op = state.next_op.clamp(max=n_machines - 1).unsqueeze(2)
    candidates = torch.where(state.next_op < n_machines, node_of_op.gather(2, next_op).squeeze(2), 0)
    candidate_machines = machine_node.gather(1, candidate_machine)
    return Observation(graph, candidates, candidate_machines, candidate_features, state.mask)
