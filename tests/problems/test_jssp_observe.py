"""The graph view of the job shop state."""

import torch

from cosolve.problems.jssp import generate
from cosolve.problems.jssp.env import reset, step
from cosolve.problems.jssp.observe import N_FEATURES, observe


def test_graph_shapes_and_candidates():
    batch_size, n_jobs, n_machines = 3, 4, 5
    state = reset(generate(f"{n_jobs}x{n_machines}", batch_size, seed=0))
    step(state, torch.tensor([1, 2, 3]))
    graph, candidates = observe(state)
    n_nodes = n_jobs * n_machines
    assert graph.x.shape == (batch_size * n_nodes, N_FEATURES)
    assert graph.num_graphs == batch_size
    edges_per_instance = 2 * n_jobs * (n_machines - 1) + n_machines * n_jobs * (n_jobs - 1)
    assert graph.edge_index.shape == (2, batch_size * edges_per_instance)
    # Edges stay inside their own instance.
    assert torch.equal(graph.batch[graph.edge_index[0]], graph.batch[graph.edge_index[1]])
    assert candidates.shape == (batch_size, n_jobs)
    expected = torch.arange(batch_size).view(-1, 1) * n_nodes + torch.arange(n_jobs) * n_machines
    expected[torch.arange(batch_size), torch.tensor([1, 2, 3])] += 1
    assert torch.equal(candidates, expected)
    features = graph.x.view(batch_size, n_nodes, N_FEATURES)
    assert torch.equal(features[:, :, 2].nonzero()[:, 1].view(batch_size, n_jobs), candidates - expected[:, :1])
    assert features[:, :, 1].sum() == batch_size  # one operation scheduled per instance


def test_disjunctive_edges_join_operations_of_one_machine():
    state = reset(generate("3x3", 1, seed=2))
    graph, _ = observe(state)
    machine_of_node = state.machines.view(-1)
    source, target = graph.edge_index
    job_of_node = torch.arange(9) // 3
    same_job = job_of_node[source] == job_of_node[target]
    assert torch.equal(machine_of_node[source][~same_job], machine_of_node[target][~same_job])
