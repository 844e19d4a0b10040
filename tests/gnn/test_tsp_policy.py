"""The TSP policy: its graph view, rollouts and a short imitation run that learns."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.gnn.decode import coordinates
from cosolve.gnn.loading import load_policy
from cosolve.gnn.token_net import TokenNetConfig
from cosolve.gnn.tsp_policy import TspPolicy
from cosolve.gnn.tsp_rollout import greedy_tours
from cosolve.problems import tsp
from cosolve.problems.tsp.env import reset, step
from cosolve.problems.tsp.observe import N_FEATURES, observe
from cosolve.train.tsp_imitation import TspImitationArgs, make_experts, save_experts, suffix_states, train


def test_observation_is_the_remaining_problem_rescaled():
    instances = tsp.generate("12", 3, seed=0)
    state, coords = reset(instances), coordinates(instances)
    step(state, torch.tensor([5, 6, 7]))
    observation = observe(state, coords, k=4)
    assert observation.candidates.shape == (3, 10)  # 12 nodes, 2 on the tour
    for row, taken in zip(observation.candidates.tolist(), (5, 6, 7)):
        assert row == [node for node in range(12) if node not in (0, taken)]
    x = observation.graph.x.view(3, 12, N_FEATURES)  # 10 unvisited + current + first
    assert x[:, :, :2].min() >= 0 and x[:, :, :2].max() <= 1 + 1e-6
    assert torch.equal(x[:, 10, 2:4], torch.tensor([[1.0, 0.0]] * 3))
    assert torch.equal(x[:, 11, 2:4], torch.tensor([[0.0, 1.0]] * 3))
    assert torch.all(x[:, 10, 4] == 0) and torch.all(x[:, 11, 5] == 0)  # a token's distance to itself
    assert torch.allclose(x[:, :, 4], (x[:, :, :2] - x[:, 10:11, :2]).norm(dim=2))
    relations = torch.bincount(observation.graph.edge_type, minlength=3)
    assert relations.tolist() == [3 * 12 * 4, 3 * 12, 3 * 12]


def test_policy_is_size_agnostic_and_greedy_tours_are_feasible():
    torch.manual_seed(0)
    policy = TspPolicy(TokenNetConfig(hidden=16, attention_layers=1, heads=2)).eval()
    for size in ("5", "17", "40"):
        instances = tsp.generate(size, 4, seed=1)
        state = greedy_tours(policy, instances)
        for instance, row, length in zip(instances, state.tour.numpy(), state.length.tolist()):
            tsp.check(instance, tsp.Solution(row))
            assert abs(tsp.evaluate(instance, tsp.Solution(row)) - length) < 1e-9


def test_suffix_states_equal_replaying_the_tour():
    instances = tsp.generate("9", 2, seed=2)
    tours = torch.tensor([[0, 3, 1, 8, 2, 7, 4, 6, 5], [0, 8, 7, 6, 5, 4, 3, 2, 1]])
    state, labels = suffix_states(tours, coordinates(instances), 4)
    replay = reset(instances)
    for column in range(1, 4):
        step(replay, tours[:, column])
    assert torch.equal(state.visited, replay.visited) and torch.equal(state.current, replay.current)
    assert labels.tolist() == [2, 5] and state.position == replay.position == 4


def test_short_imitation_run_learns_and_resumes(tmp_path):
    torch.set_num_threads(1)
    save_experts(tmp_path / "train.npz", make_experts("12", 120, seed=3, expert="2opt"))
    save_experts(tmp_path / "valid.npz", make_experts("12", 32, seed=4, expert="2opt"))
    config = TokenNetConfig(hidden=32, attention_layers=2, heads=4).to_dict()
    args = TspImitationArgs(
        data=[str(tmp_path / "train.npz")],
        validation=str(tmp_path / "valid.npz"),
        out=str(tmp_path / "p.pt"),
        steps=150,
        batch_size=32,
        validate_every=50,
        config=config,
    )
    torch.manual_seed(0)
    untrained = TspPolicy(TokenNetConfig(**config)).eval()
    valid = [
        tsp.Instance(f"v{k}", np.sqrt(((c[:, None] - c[None]) ** 2).sum(axis=2)), c)
        for k, c in enumerate(np.load(tmp_path / "valid.npz")["coords"])
    ]
    before = greedy_tours(untrained, valid).length.mean()
    train(args, log=lambda _: None)
    after = greedy_tours(load_policy(tmp_path / "p.pt", "tsp", TspPolicy), valid).length.mean()
    assert after < 0.85 * before, (float(before), float(after))
    args.steps = 160
    result = train(args, resume=str(tmp_path / "p.pt.last"), log=lambda _: None)
    assert result["done"] == 160 and load_checkpoint(tmp_path / "p.pt.last", "tsp")["training"]["step"] == 160
    assert (tmp_path / "p.pt.csv").read_text().splitlines()[0] == "step,loss,score,valid_gap,minutes"


def test_gnn_method_with_a_checkpoint_and_sampling(tmp_path):
    from cosolve.checkpoint import save_checkpoint
    from cosolve.solve import solve

    torch.manual_seed(0)
    policy = TspPolicy(TokenNetConfig(hidden=16, attention_layers=1, heads=2))
    save_checkpoint(tmp_path / "p.pt", "tsp", "TspPolicy", policy.config.to_dict(), policy.state_dict(), {}, {})
    instances = tsp.generate("15", 3, seed=5)
    greedy = solve("tsp", instances, f"gnn:checkpoint={tmp_path / 'p.pt'}")
    sampled = solve("tsp", instances, f"gnn:sample=8:checkpoint={tmp_path / 'p.pt'}")
    augmented = solve("tsp", instances, f"gnn:aug:checkpoint={tmp_path / 'p.pt'}")
    both = solve("tsp", instances, f"gnn:aug:sample=3:checkpoint={tmp_path / 'p.pt'}")
    for a, b, c, d in zip(greedy, sampled, augmented, both):
        assert b.objective <= a.objective + 1e-9 and c.objective <= a.objective + 1e-9
        assert d.objective <= c.objective + 1e-9


def test_symmetries_keep_distances():
    from cosolve.gnn.decode import symmetries

    coords = torch.rand(2, 7, 2)
    views = symmetries(coords)
    assert views.shape == (8, 2, 7, 2)
    for view in views:
        assert torch.allclose(torch.cdist(view, view), torch.cdist(coords, coords), atol=1e-6)
    assert len({tuple(view[0, 0].tolist()) for view in views}) == 8


def test_multi_start_window_and_two_opt_options(tmp_path):
    from cosolve.checkpoint import save_checkpoint
    from cosolve.solve import solve

    torch.manual_seed(0)
    policy = TspPolicy(TokenNetConfig(hidden=16, attention_layers=1, heads=2))
    save_checkpoint(tmp_path / "p.pt", "tsp", "TspPolicy", policy.config.to_dict(), policy.state_dict(), {}, {})
    instances = tsp.generate("15", 3, seed=5)
    greedy = solve("tsp", instances, f"gnn:checkpoint={tmp_path / 'p.pt'}")
    starts = solve("tsp", instances, f"gnn:starts=4:checkpoint={tmp_path / 'p.pt'}")
    polished = solve("tsp", instances, f"gnn:starts=4:2opt:checkpoint={tmp_path / 'p.pt'}")
    windowed = solve("tsp", instances, f"gnn:window=5:checkpoint={tmp_path / 'p.pt'}")
    for a, b, c in zip(greedy, starts, polished):
        assert b.objective <= a.objective + 1e-9 and c.objective <= b.objective + 1e-9
        assert b.solution.tour[0] == 0 and sorted(b.solution.tour.tolist()) == list(range(15))
    for instance, result in zip(instances, windowed):
        tsp.check(instance, result.solution)


def test_reset_at_start_nodes_and_start_spread():
    from cosolve.gnn.tsp_rollout import start_nodes

    instances = tsp.generate("10", 2, seed=6)
    state = reset(instances, starts=torch.tensor([3, 7]))
    assert state.current.tolist() == [3, 7] and state.tour[:, 0].tolist() == [3, 7]
    assert state.visited.sum(dim=1).tolist() == [1, 1] and bool(state.visited[0, 3]) and bool(state.visited[1, 7])
    for node in range(10):
        if node not in (3, 7):
            step(state, torch.tensor([node, node]))
    step(state, torch.tensor([7, 3]))
    expected = [tsp.evaluate(i, tsp.Solution(t)) for i, t in zip(instances, state.tour.numpy())]
    assert torch.allclose(state.length, torch.tensor(expected, dtype=torch.float64))
    assert start_nodes(10, 4).tolist() == [0, 2, 5, 7] and start_nodes(3, 8).tolist() == [0, 1, 2]


def test_window_keeps_the_nearest_unvisited_nodes():
    instances = tsp.generate("30", 2, seed=7)
    state, coords = reset(instances), coordinates(instances)
    step(state, torch.tensor([4, 9]))
    observation = observe(state, coords, window=6)
    assert observation.candidates.shape == (2, 6)
    for b in range(2):
        reach = state.distances[b, state.current[b]].masked_fill(state.visited[b], float("inf"))
        nearest = set(reach.topk(6, largest=False).indices.tolist())
        assert set(observation.candidates[b].tolist()) == nearest
        assert observation.candidates[b].tolist() == sorted(nearest)
    assert observe(state, coords, window=100).candidates.shape == (2, 28)  # window larger than what is left


def test_a_time_limit_stops_training_after_a_validation(tmp_path):
    torch.set_num_threads(1)
    save_experts(tmp_path / "train.npz", make_experts("10", 16, seed=8, expert="2opt"))
    save_experts(tmp_path / "valid.npz", make_experts("10", 4, seed=9, expert="2opt"))
    args = TspImitationArgs(
        data=[str(tmp_path / "train.npz")],
        validation=str(tmp_path / "valid.npz"),
        out=str(tmp_path / "p.pt"),
        steps=10_000,
        batch_size=8,
        validate_every=5_000,
        time_limit=1e-6,
        config=TokenNetConfig(hidden=16, attention_layers=1, heads=2).to_dict(),
    )
    result = train(args, log=lambda _: None)
    assert result["done"] == 1 and len(result["history"]) == 1 and (tmp_path / "p.pt").exists()


def test_a_beam_as_wide_as_every_tour_finds_the_optimum():
    import itertools

    from cosolve.gnn.tsp_rollout import best_tours

    torch.manual_seed(0)
    policy = TspPolicy(TokenNetConfig(hidden=16, attention_layers=1, heads=2)).eval()
    instances = tsp.generate("7", 3, seed=10)
    tours = best_tours(policy, instances, beam=720)  # 6! tours from node 0: all of them
    narrow = best_tours(policy, instances, beam=3)
    for instance, tour, other in zip(instances, tours, narrow):
        optimum = min(
            tsp.evaluate(instance, tsp.Solution(np.array((0, *rest)))) for rest in itertools.permutations(range(1, 7))
        )
        assert tsp.evaluate(instance, tsp.Solution(tour)) == pytest.approx(optimum)
        tsp.check(instance, tsp.Solution(other))
        assert tsp.evaluate(instance, tsp.Solution(other)) >= optimum - 1e-9
