"""The graph view of the job shop state: shapes, typed edges, candidates, features."""

from __future__ import annotations

import pytest
import torch

from cosolve.problems.jssp import generate
from cosolve.problems.jssp.env import reset, step
from cosolve.problems.jssp.observe import N_CANDIDATE_FEATURES, N_FEATURES, observe


def _edges_per_instance(n_jobs: int, n_machines: int) -> int:
    return 2 * n_jobs * (n_machines - 1) + 2 * n_jobs * n_machines


@pytest.mark.parametrize(("batch_size", "n_jobs", "n_machines"), [(3, 4, 5), (1, 1, 4), (2, 5, 1), (2, 3, 3)])
def test_shapes(batch_size, n_jobs, n_machines):
    state = reset(generate(f"{n_jobs}x{n_machines}", batch_size, seed=0))
    observation = observe(state)
    graph = observation.graph
    n_nodes = n_jobs * n_machines + n_machines
    assert graph.x.shape == (batch_size * n_nodes, N_FEATURES)
    assert graph.x.dtype == torch.float32 and torch.isfinite(graph.x).all()
    assert graph.edge_index.shape == (2, batch_size * _edges_per_instance(n_jobs, n_machines))
    assert graph.edge_type.shape == (batch_size * _edges_per_instance(n_jobs, n_machines),)
    assert graph.num_graphs == batch_size
    assert graph.batch.tolist() == [b for b in range(batch_size) for _ in range(n_nodes)]
    assert observation.candidates.shape == observation.candidate_machines.shape == (batch_size, n_jobs)
    assert observation.candidate_features.shape == (batch_size, n_jobs, N_CANDIDATE_FEATURES)
    assert torch.equal(observation.mask, state.mask)


def test_edges_are_job_chains_and_machine_memberships():
    batch_size, n_jobs, n_machines = 2, 4, 3
    instances = generate(f"{n_jobs}x{n_machines}", batch_size, seed=5)
    graph = observe(reset(instances)).graph
    n_ops, n_nodes = n_jobs * n_machines, n_jobs * n_machines + n_machines
    source, target = graph.edge_index
    assert torch.equal(graph.batch[source], graph.batch[target])
    for b, instance in enumerate(instances):
        inside = graph.batch[source] == b
        edges = {
            (int(s) - b * n_nodes, int(t) - b * n_nodes, int(r))
            for s, t, r in zip(source[inside], target[inside], graph.edge_type[inside])
        }
        expected = set()
        for j in range(n_jobs):
            for o in range(n_machines):
                op = j * n_machines + o
                machine = n_ops + int(instance.machines[j, o])
                expected |= {(op, machine, 2), (machine, op, 3)}
                if o + 1 < n_machines:
                    expected |= {(op, op + 1, 0), (op + 1, op, 1)}
        assert edges == expected
        assert int(inside.sum()) == len(expected)  # no duplicates


def test_residual_graph_follows_the_rollout():
    """Scheduled operations leave the graph; candidates point at the open operations."""
    batch_size, n_jobs, n_machines = 3, 4, 5
    state = reset(generate(f"{n_jobs}x{n_machines}", batch_size, seed=0))
    n_ops = n_jobs * n_machines
    generator = torch.Generator().manual_seed(0)
    for done in range(1, n_ops):
        scores = torch.rand(state.mask.shape, generator=generator).masked_fill(~state.mask, -1.0)
        step(state, scores.argmax(dim=1))
        observation = observe(state)
        n_open, n_nodes = n_ops - done, n_ops - done + n_machines
        features = observation.graph.x.view(batch_size, n_nodes, N_FEATURES)
        assert torch.equal(features[:, :n_open, 0], torch.ones(batch_size, n_open))
        for b in range(batch_size):
            open_ops = [(j, o) for j in range(n_jobs) for o in range(int(state.next_op[b, j]), n_machines)]
            assert len(open_ops) == n_open
            for j in range(n_jobs):
                if state.mask[b, j]:
                    node = b * n_nodes + open_ops.index((j, int(state.next_op[b, j])))
                    assert int(observation.candidates[b, j]) == node
                    machine = int(state.candidate_machine[b, j])
                    assert int(observation.candidate_machines[b, j]) == b * n_nodes + n_open + machine
            flags = features[b, :n_open, 2]
            assert flags.tolist() == [float(o == int(state.next_op[b, j])) for j, o in open_ops]
        # Slack is 0 for the earliest candidates and positive for later ones.
        slack = observation.candidate_features[:, :, 0]
        earliest = state.earliest_start.masked_fill(~state.mask, 2**30).amin(dim=1, keepdim=True)
        assert torch.equal(slack == 0, ~state.mask | (state.earliest_start == earliest))


def test_observe_rejects_a_batch_out_of_step():
    state = reset(generate("3x3", 2, seed=0))
    step(state, torch.tensor([0, 0]))
    state.next_op[1, 1] += 1
    with pytest.raises(ValueError, match="same step"):
        observe(state)


def test_feature_ranges_and_node_types():
    state = reset(generate("6x6", 2, seed=1))
    features = observe(state).graph.x.view(2, 42, N_FEATURES)
    assert (features >= 0).all()
    assert torch.equal(features[:, :36, 0], torch.ones(2, 36))
    assert torch.equal(features[:, 36:, 0], torch.zeros(2, 6))
    assert features[:, :36, 1].amax(dim=1).tolist() == [1.0, 1.0]  # processing time / the largest one
    assert features[:, :36, 2].sum() == 2 * 6  # every job has a candidate at the start
    assert torch.allclose(features[:, 36:, 8], torch.ones(2, 6))  # every machine fully open
