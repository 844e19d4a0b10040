"""Learned reconstruction of TSP tours: segments keep their ends and nodes, tours stay valid and
never lengthen, a seed fixes the result, limits and Ctrl-C stop it, and the CLI method."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from cli_support import error_line, plain_console, run  # noqa: F401 (a fixture)
from hypothesis import given
from hypothesis import strategies as st

from cosolve import interrupt
from cosolve.baselines.tsp_heuristics import tour_lengths, two_opt
from cosolve.checkpoint import shipped_checkpoint
from cosolve.gnn.decode import coordinates
from cosolve.gnn.loading import load_policy
from cosolve.gnn.token_net import TokenNetConfig
from cosolve.gnn.tsp_policy import TspPolicy
from cosolve.gnn.tsp_reconstruct import candidate_paths, draw_segments, iterate, reconstruct
from cosolve.gnn.tsp_rollout import greedy_tours
from cosolve.instances import path_of
from cosolve.problems import tsp


def small_policy() -> TspPolicy:
    torch.manual_seed(0)
    return TspPolicy(TokenNetConfig(hidden=16, graph_layers=1, attention_layers=1, heads=2)).eval()


POLICY = small_policy()


def random_tours(instances: list[tsp.Instance], seed: int) -> list[tsp.Solution]:
    rng = np.random.default_rng(seed)
    return [tsp.Solution(rng.permutation(instance.n_nodes)) for instance in instances]


def lengths(instances: list[tsp.Instance], tours: list[tsp.Solution]) -> np.ndarray:
    return np.array([tsp.evaluate(instance, tour) for instance, tour in zip(instances, tours)])


@given(
    n=st.integers(4, 12),
    length=st.integers(4, 12),
    seed=st.integers(0, 10_000),
    window=st.sampled_from([None, 2, 3]),
)
def test_a_redecoded_segment_keeps_its_ends_and_visits_exactly_its_nodes(n, length, seed, window):
    instances = tsp.generate(str(n), 2, seed=seed)
    tours = torch.as_tensor(np.stack([t.tour for t in random_tours(instances, seed)]))
    generator = torch.Generator().manual_seed(seed)
    segments = draw_segments(tours, min(length, n), generator)
    distances = torch.as_tensor(np.stack([i.distances for i in instances]))
    paths = candidate_paths(POLICY, distances, coordinates(instances), segments, generator, window, lambda: False)
    assert torch.equal(segments.nodes, tours[segments.rows.unsqueeze(1), segments.positions])
    assert torch.equal(paths[:, [0, -1]], segments.nodes[:, [0, -1]])
    assert torch.equal(paths.sort(dim=1).values, segments.nodes.sort(dim=1).values)
    for row in range(2):  # the inner positions of one tour's segments never overlap
        inner = segments.positions[segments.rows == row][:, 1:-1].flatten()
        assert inner.unique().numel() == inner.numel()


def test_tours_pass_the_checker_and_never_lengthen():
    instances = tsp.generate("20", 6, seed=3)
    starts = [tsp.Solution(row) for row in greedy_tours(POLICY, instances).tour.numpy()]
    stats = {}
    improved = reconstruct(POLICY, instances, starts, iterations=12, seed=1, stats=stats)
    for instance, tour in zip(instances, improved):
        tsp.check(instance, tour)
    assert np.all(lengths(instances, improved) <= lengths(instances, starts))
    assert stats["iterations"] == 12 and 0 <= stats["accepted"] <= stats["segments"]


def test_each_iteration_keeps_only_shorter_segments():
    instances = tsp.generate("20", 4, seed=10)
    tours = torch.as_tensor(np.stack([t.tour for t in random_tours(instances, 10)]))
    distances = torch.as_tensor(np.stack([i.distances for i in instances]))
    generator = torch.Generator().manual_seed(10)
    accepted = 0
    for length in (4, 7, 20, 11, 5, 14):
        before = tour_lengths(distances, tours)
        tried, kept = iterate(POLICY, distances, coordinates(instances), tours, length, generator, None, lambda: False)
        after = tour_lengths(distances, tours)
        assert torch.all(after <= before)
        assert torch.equal(tours.sort(dim=1).values, torch.arange(20).expand(4, 20))
        assert tried == 4 * (20 // (length - 1)) and 0 <= kept <= tried
        accepted += kept
    assert accepted > 0  # a random tour has shorter segments to find


def test_a_seed_and_a_number_of_iterations_fix_the_result():
    instances = tsp.generate("25", 3, seed=4)
    starts = random_tours(instances, 4)
    first, second = (reconstruct(POLICY, instances, starts, iterations=6, seed=9) for _ in range(2))
    assert all(np.array_equal(a.tour, b.tour) for a, b in zip(first, second))


def test_a_random_tour_gets_much_shorter_with_the_shipped_policy():
    policy = load_policy(shipped_checkpoint("tsp"), "tsp", TspPolicy)
    instances = tsp.generate("40", 2, seed=5)
    starts = random_tours(instances, 5)
    improved = reconstruct(policy, instances, starts, iterations=4, seed=0, window=50)
    assert np.all(lengths(instances, improved) < 0.6 * lengths(instances, starts))


def test_with_2opt_every_tour_ends_2_optimal():
    instances = tsp.generate("20", 3, seed=6)
    improved = reconstruct(POLICY, instances, random_tours(instances, 6), iterations=3, polish=True)
    tours = torch.as_tensor(np.stack([t.tour for t in improved]))
    distances = torch.as_tensor(np.stack([i.distances for i in instances]))
    assert torch.equal(two_opt(distances, tours), tours)


def test_the_time_limit_stops_it_loosely():
    instances = tsp.generate("30", 4, seed=7)
    stats = {}
    reconstruct(POLICY, instances, random_tours(instances, 7), time_limit_s=0.3, stats=stats)
    assert stats["iterations"] >= 1 and stats["seconds"] < 3.0


@pytest.mark.parametrize("polish", [False, True])
def test_ctrl_c_returns_the_start_tours(monkeypatch, polish):
    monkeypatch.setattr(interrupt, "requested", lambda: True)
    instances = tsp.generate("15", 2, seed=8)
    starts = random_tours(instances, 8)
    stats = {}
    stopped = reconstruct(POLICY, instances, starts, iterations=5, polish=polish, stats=stats)
    assert stats["iterations"] == 0
    assert all(np.array_equal(a.tour, b.tour) for a, b in zip(stopped, starts))


def test_it_needs_a_limit():
    instances = tsp.generate("10", 1, seed=0)
    with pytest.raises(ValueError, match="time limit or a number of iterations"):
        reconstruct(POLICY, instances, random_tours(instances, 0))


@pytest.mark.usefixtures("plain_console")
def test_cli_solves_a_shipped_file_within_the_time_limit(tmp_path):
    out = tmp_path / "s.json"
    path = path_of("tsp", "eil51")
    assert run(["solve", path, "--method", "gnn:reconstruct", "--time-limit", "1", "--out", out]) == 0
    data = json.loads(out.read_text())
    instance = tsp.read(path)
    solution = tsp.solution_from_json(data["solution"])
    tsp.check(instance, solution)
    assert data["objective"] == tsp.evaluate(instance, solution) and data["runtime_s"] < 5.0


@pytest.mark.usefixtures("plain_console")
@pytest.mark.parametrize("method", ["gnn:reconstruct=0", "gnn:reconstruct=-1", "gnn:reconstruct=x"])
def test_bad_reconstruct_options_are_one_line(method, capsys):
    assert run(["solve", path_of("tsp", "eil51"), "--method", method]) == 2
    assert "reconstruct" in error_line(capsys)
