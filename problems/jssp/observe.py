"""The graph view of a job shop state for a GNN: the disjunctive graph as one PyG ``Batch``.

Nodes are operations (``B * J * M`` of them, instance-major, then job, then operation).
Edges: conjunctive arcs between consecutive operations of a job (both directions) and
disjunctive arcs between every pair of operations that share a machine. Node features
(all scaled to about [0, 1] by the largest processing time ``scale`` and ``scale * M``):

==  ====================================================================
0   processing time / scale
1   scheduled flag
2   candidate flag (the next operation of its job)
3   lower bound of the completion time / (scale * M): the real end when scheduled,
    otherwise the earliest start of the job's candidate plus the job's work up to and
    including the operation
4   remaining work of the job / (scale * M)
==  ====================================================================
"""

from __future__ import annotations

import torch
from torch_geometric.data import Batch

from cosolve.problems.jssp.env import State

N_FEATURES = 5


def _edge_template(state: State) -> torch.Tensor:
    """``[B, 2, E]`` node indices local to each instance (0 .. J*M-1)."""
    batch, n_jobs, n_machines = state.durations.shape
    device = state.durations.device
    nodes = torch.arange(n_jobs * n_machines, device=device).view(n_jobs, n_machines)
    chain = torch.stack([nodes[:, :-1].reshape(-1), nodes[:, 1:].reshape(-1)])
    conjunctive = torch.cat([chain, chain.flip(0)], dim=1).unsqueeze(0).expand(batch, 2, -1)
    # Operations grouped by machine: [B, M, J] local node ids, then every ordered pair.
    by_machine = state.machines.view(batch, -1).argsort(dim=1, stable=True).view(batch, n_machines, n_jobs)
    first, second = torch.triu_indices(n_jobs, n_jobs, offset=1, device=device)
    pairs_from = torch.cat([first, second])
    pairs_to = torch.cat([second, first])
    disjunctive = torch.stack(
        [by_machine[:, :, pairs_from].reshape(batch, -1), by_machine[:, :, pairs_to].reshape(batch, -1)], dim=1
    )
    return torch.cat([conjunctive, disjunctive], dim=2)


def node_features(state: State) -> torch.Tensor:
    """``[B, J * M, N_FEATURES]`` float32 features of every operation."""
    batch, n_jobs, n_machines = state.durations.shape
    durations = state.durations.float()
    scale = durations.amax(dim=(1, 2), keepdim=True).clamp(min=1.0)
    ops = torch.arange(n_machines, device=durations.device).view(1, 1, n_machines)
    next_op = state.next_op.unsqueeze(2)
    scheduled = ops < next_op
    candidate = ops == next_op
    work_done = (state.work_suffix[:, :, 0] - state.remaining_work).float().unsqueeze(2)
    estimate = state.earliest_start.float().unsqueeze(2) + durations.cumsum(dim=2) - work_done
    real_end = state.start_times.float() + durations
    completion = torch.where(scheduled, real_end, estimate)
    remaining = state.remaining_work.float().unsqueeze(2).expand(batch, n_jobs, n_machines)
    horizon = scale * n_machines
    features = torch.stack(
        [durations / scale, scheduled.float(), candidate.float(), completion / horizon, remaining / horizon], dim=3
    )
    return features.view(batch, n_jobs * n_machines, N_FEATURES)


def observe(state: State) -> tuple[Batch, torch.Tensor]:
    """The PyG ``Batch`` of the batch's disjunctive graphs and the candidate node index.

    Returns:
        graph: ``x`` ``[B*J*M, N_FEATURES]``, ``edge_index`` ``[2, B*E]``, ``batch`` ``[B*J*M]``.
        candidates: ``[B, J]`` global node index of each job's next operation (the last
            operation for finished jobs; mask those with ``state.mask``).
    """
    batch, n_jobs, n_machines = state.durations.shape
    device = state.durations.device
    n_nodes = n_jobs * n_machines
    offsets = (torch.arange(batch, device=device) * n_nodes).view(batch, 1, 1)
    edge_index = (_edge_template(state) + offsets).permute(1, 0, 2).reshape(2, -1)
    graph = Batch(
        x=node_features(state).view(batch * n_nodes, N_FEATURES),
        edge_index=edge_index,
        batch=torch.arange(batch, device=device).repeat_interleave(n_nodes),
        ptr=torch.arange(batch + 1, device=device) * n_nodes,
    )
    jobs = torch.arange(n_jobs, device=device).view(1, n_jobs)
    candidates = offsets.view(batch, 1) + jobs * n_machines + state.next_op.clamp(max=n_machines - 1)
    return graph, candidates
