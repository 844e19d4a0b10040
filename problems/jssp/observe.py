"""The graph view of a job shop state for a GNN, as one PyG ``Batch``.

The graph is *residual*: scheduled operations are gone (what they did survives in the
features: job ready times, machine busy times), so the graph shrinks as the episode
advances. Per instance it has the ``R`` unscheduled operations (job-major, then operation;
every instance of a batch has the same ``R``, since each step schedules one operation in
each) followed by ``M`` machine nodes, and four relations (``edge_type``):

====  =====================================================
0     operation -> next operation of its job
1     operation -> previous operation of its job
2     operation -> its machine
3     machine -> each of its unscheduled operations
====  =====================================================

Edges are linear in the instance size (machine contention is two hops through the machine
node), so 100x20 shops stay cheap.

Node features (``N_FEATURES``; times scaled by the largest processing time ``scale`` or by
``horizon``, the largest job or machine load, a lower bound of the makespan that grows with
the shop, so features keep their range from 6x6 to 100x20; features that do not apply to a
node type are 0):

==  =========================================================================
0   1 for operations, 0 for machines
1   operation: processing time / scale
2   operation: candidate flag (the next operation of its job)
3   operation: lower bound of its completion / horizon (the job's earliest next start
    plus its work up to and including the operation), relative to the earliest start of
    all candidates
4   operation: remaining work of its job / horizon
5   operation (candidates): (earliest start - earliest start of all candidates) / scale
6   machine: (time it is busy until - earliest start of all candidates) / horizon, at least 0
7   machine: unscheduled work on it / horizon
8   machine: fraction of its operations still unscheduled
==  =========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch_geometric.data import Batch

from cosolve.problems.jssp.env import NO_TIME, State
from cosolve.problems.typed_graph import typed_graph_batch

N_FEATURES = 9
N_RELATIONS = 4
N_CANDIDATE_FEATURES = 4


@dataclass
class Observation:
    """What a policy sees.

    Attributes:
        graph: ``x`` ``[N, N_FEATURES]``, ``edge_index`` ``[2, E]``, ``edge_type`` ``[E]``,
            ``batch`` ``[N]`` with ``N = B * (R + M)``.
        candidates: ``[B, J]`` node index of each job's next operation (0 for finished jobs;
            mask those with ``mask``).
        candidate_machines: ``[B, J]`` node index of the machine of each candidate.
        candidate_features: ``[B, J, N_CANDIDATE_FEATURES]`` float32: earliest-start slack,
            processing time, remaining work and remaining operations of each candidate's job.
        mask: ``[B, J]`` bool, the feasible actions.
    """

    graph: Batch
    candidates: torch.Tensor
    candidate_machines: torch.Tensor
    candidate_features: torch.Tensor
    mask: torch.Tensor


def load_bound(durations: torch.Tensor, machines: torch.Tensor) -> torch.Tensor:
    """``[B]`` the largest total work of any job or machine: a makespan lower bound, and the
    time scale that keeps features comparable across shop sizes."""
    batch, _, n_machines = durations.shape
    job_work = durations.sum(dim=2).amax(dim=1)
    machine_work = torch.zeros(batch, n_machines, dtype=durations.dtype, device=durations.device)
    machine_work.scatter_add_(1, machines.view(batch, -1), durations.reshape(batch, -1))
    return torch.maximum(job_work, machine_work.amax(dim=1)).float().clamp(min=1.0)


def _features(state: State) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Features of every operation ``[B, J, M, F]``, of the machines ``[B, M, F]`` and of the
    candidates ``[B, J, N_CANDIDATE_FEATURES]``."""
    batch, n_jobs, n_machines = state.durations.shape
    device = state.durations.device
    durations = state.durations.float()
    scale = durations.amax(dim=(1, 2), keepdim=True).clamp(min=1.0)  # [B, 1, 1]
    horizon = load_bound(durations, state.machines).view(batch, 1, 1)
    ops = torch.arange(n_machines, device=device).view(1, 1, n_machines)
    next_op = state.next_op.unsqueeze(2)
    candidate = ops == next_op
    finished = ~state.mask
    earliest = torch.where(finished, 0, state.earliest_start).float()  # [B, J]
    now = torch.where(finished, float("inf"), earliest).amin(dim=1, keepdim=True)
    now = torch.where(torch.isinf(now), 0.0, now)  # [B, 1] earliest start of all candidates
    work_done = (state.work_suffix[:, :, 0] - state.remaining_work).float().unsqueeze(2)
    completion = (earliest - now).unsqueeze(2) + durations.cumsum(dim=2) - work_done
    remaining = state.remaining_work.float()
    slack = torch.where(finished, 0.0, earliest - now) / scale.view(batch, 1)

    zeros = torch.zeros_like(durations)
    op_features = torch.stack(
        [
            torch.ones_like(durations),
            durations / scale,
            candidate.float(),
            completion / horizon,
            (remaining / horizon.view(batch, 1)).unsqueeze(2).expand_as(durations),
            torch.where(candidate, slack.unsqueeze(2), zeros),
            zeros,
            zeros,
            zeros,
        ],
        dim=3,
    )

    busy = state.machine_busy_until
    busy_until = torch.where(busy < NO_TIME, busy, 0).amax(dim=2).float()  # [B, M]
    unscheduled = (ops >= next_op).float()
    machine_index = state.machines.view(batch, -1)
    open_work = torch.zeros(batch, n_machines, device=device).scatter_add_(
        1, machine_index, (durations * unscheduled).view(batch, -1)
    )
    open_ops = torch.zeros(batch, n_machines, device=device).scatter_add_(1, machine_index, unscheduled.view(batch, -1))
    machine_horizon = horizon.view(batch, 1)
    machine_features = torch.stack(
        [torch.zeros_like(busy_until)] * 6
        + [(busy_until - now).clamp(min=0) / machine_horizon, open_work / machine_horizon, open_ops / n_jobs],
        dim=2,
    )
    candidate_features = torch.stack(
        [
            slack,
            state.candidate_duration.float() / scale.view(batch, 1),
            remaining / horizon.view(batch, 1),
            state.remaining_ops.float() / n_machines,
        ],
        dim=2,
    )
    return op_features, machine_features, candidate_features


def observe(state: State) -> Observation:
    """The batch's residual graphs and the candidate actions (see the module docstring)."""
    batch, n_jobs, n_machines = state.durations.shape
    device = state.durations.device
    ops = torch.arange(n_machines, device=device).view(1, 1, n_machines)
    keep = ops >= state.next_op.unsqueeze(2)  # [B, J, M] unscheduled operations
    flat_keep = keep.view(batch, -1)
    n_open = int(flat_keep[0].sum())
    if not bool((flat_keep.sum(dim=1) == n_open).all()):
        raise ValueError("observe needs every instance of the batch at the same step")
    n_nodes = n_open + n_machines
    base = (torch.arange(batch, device=device) * n_nodes).view(batch, 1, 1)
    node_of_op = base + (flat_keep.cumsum(dim=1) - 1).view(batch, n_jobs, n_machines)  # valid where keep

    chain = keep[:, :, :-1]  # an open operation with a successor (the successor is open too)
    earlier, later = node_of_op[:, :, :-1][chain], node_of_op[:, :, 1:][chain]
    open_ops = node_of_op[keep]
    machine_nodes = (base + n_open + state.machines)[keep]
    relations = [
        torch.stack([earlier, later]),
        torch.stack([later, earlier]),
        torch.stack([open_ops, machine_nodes]),
        torch.stack([machine_nodes, open_ops]),
    ]

    op_features, machine_features, candidate_features = _features(state)
    nodes = torch.cat([op_features[keep].view(batch, n_open, N_FEATURES), machine_features], dim=1)
    graph = typed_graph_batch(nodes.view(batch * n_nodes, N_FEATURES), relations, batch, n_nodes)
    next_op = state.next_op.clamp(max=n_machines - 1).unsqueeze(2)
    candidates = torch.where(state.mask, node_of_op.gather(2, next_op).squeeze(2), 0)
    candidate_machines = base.view(batch, 1) + n_open + state.candidate_machine
    return Observation(graph, candidates, candidate_machines, candidate_features, state.mask)
