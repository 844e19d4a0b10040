"""The graph view of the job shop state: shapes, edges, candidates, features."""

from __future__ import annotations

import pytest
import torch

from cosolve.problems.jssp import generate
from cosolve.problems.jssp.env import reset, step
from cosolve.problems.jssp.observe import N_FEATURES, observe


def _edges_per_instance(n_jobs: int, n_machines: int) -> int:
    return 2 * n_jobs * (n_machines - 1) + n_machines * n_jobs * (n_jobs - 1)


@pytest.mark.parametrize(("batch_size", "n_jobs", "n_machines"), [(3, 4, 5), (1, 1, 4), (2, 5, 1), (2, 3, 3)])
def test_shapes(batch_size, n_jobs, n_machines):
    state = reset(generate(f"{n_jobs}x{n_machines}", batch_size, seed=0))
    graph, candidates = observe(state)
    n_nodes = n_jobs * n_machines
    assert graph.x.shape == (batch_size * n_nodes, N_FEATURES)
    assert graph.x.dtype == torch.float32
    assert torch.isfinite(graph.x).all()
    assert graph.edge_index.shape == (2, batch_size * _edges_per_instance(n_jobs, n_machines))
    assert graph.edge_index.dtype == torch.int64
    assert graph.num_graphs == batch_size
    assert graph.batch.tolist() == [b for b in range(batch_size) for _ in range(n_nodes)]
    assert candidates.shape == (batch_size, n_jobs)


def test_edges_are_the_disjunctive_graph():
    batch_size, n_jobs, n_machines = 2, 4, 3
    instances = generate(f"{n_jobs}x{n_machines}", batch_size, seed=5)
    state = reset(instances)
    graph, _ = observe(state)
    n_nodes = n_jobs * n_machines
    source, target = graph.edge_index
    assert int(graph.edge_index.min()) >= 0 and int(graph.edge_index.max()) < batch_size * n_nodes
    # Edges stay inside their own instance and there are no self loops.
    assert torch.equal(graph.batch[source], graph.batch[target])
    assert not (source == target).any()
    for b, instance in enumerate(instances):
        inside = graph.batch[source] == b
        pairs = {(int(s) - b * n_nodes, int(t) - b * n_nodes) for s, t in zip(source[inside], target[inside])}
        assert len(pairs) == _edges_per_instance(n_jobs, n_machines)  # no duplicates
        expected = set()
        for j in range(n_jobs):
            for o in range(n_machines - 1):
                a, c = j * n_machines + o, j * n_machines + o + 1
                expected |= {(a, c), (c, a)}
        for j1 in range(n_jobs):
            for o1 in range(n_machines):
                for j2 in range(n_jobs):
                    for o2 in range(n_machines):
                        if j1 != j2 and instance.machines[j1, o1] == instance.machines[j2, o2]:
                            expected.add((j1 * n_machines + o1, j2 * n_machines + o2))
        assert pairs == expected


def test_candidates_point_at_next_operations():
    batch_size, n_jobs, n_machines = 3, 4, 5
    state = reset(generate(f"{n_jobs}x{n_machines}", batch_size, seed=0))
    n_nodes = n_jobs * n_machines
    generator = torch.Generator().manual_seed(0)
    for _ in range(n_jobs * n_machines - 1):
        scores = torch.rand(state.mask.shape, generator=generator).masked_fill(~state.mask, -1.0)
        step(state, scores.argmax(dim=1))
        graph, candidates = observe(state)
        offsets = torch.arange(batch_size).view(-1, 1) * n_nodes
        expected = offsets + torch.arange(n_jobs) * n_machines + state.next_op.clamp(max=n_machines - 1)
        assert torch.equal(candidates, expected)
        features = graph.x.view(batch_size, n_nodes, N_FEATURES)
        # Candidate flag: exactly at the candidates of unfinished jobs.
        flags = features[:, :, 2]
        local = candidates - offsets
        for b in range(batch_size):
            marked = set(flags[b].nonzero().flatten().tolist())
            assert marked == {int(local[b, j]) for j in range(n_jobs) if state.mask[b, j]}
        # Scheduled flag: the operations before next_op.
        scheduled = features[:, :, 1].view(batch_size, n_jobs, n_machines)
        ops = torch.arange(n_machines).view(1, 1, -1)
        assert torch.equal(scheduled.bool(), ops < state.next_op.unsqueeze(2))
        # The graph of candidate j holds the operation's own processing time (feature 0).
        scale = state.durations.float().amax(dim=(1, 2)).view(-1, 1)
        assert torch.allclose(features[:, :, 0].gather(1, local), state.candidate_duration.float() / scale)


def test_feature_scales():
    state = reset(generate("6x6", 2, seed=1))
    graph, _ = observe(state)
    x = graph.x
    assert (x >= 0).all()
    assert (x[:, :3] <= 1).all()
    assert x[:, 0].max() == 1.0  # processing time / the largest one
    assert x[:, 2].sum() == 2 * 6  # every job has a candidate at the start
    assert x[:, 1].sum() == 0
