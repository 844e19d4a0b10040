"""The CVRP policy, its set-valued imitation labels and a short imitation run that learns."""

from __future__ import annotations

import numpy as np
import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.gnn.cvrp_policy import CvrpPolicy
from cosolve.gnn.token_net import TokenNetConfig
from cosolve.problems import cvrp
from cosolve.problems.cvrp.env import reset, step, to_solutions
from cosolve.problems.cvrp.observe import N_FEATURES, observe
from cosolve.train.cvrp_imitation import (
    CvrpImitationArgs,
    correct_actions,
    expert_solution,
    greedy_costs,
    instances_of,
    load_experts,
    make_experts,
    neighbours,
    save_experts,
    train,
)


def test_observation_shapes_and_live_tokens():
    instances = cvrp.generate("10", 3, seed=0)
    coords = torch.as_tensor(np.stack([i.coords for i in instances]), dtype=torch.float32)
    state = reset(instances)
    step(state, torch.tensor([1, 2, 3]))
    observation = observe(state, coords, k=4)
    x = observation.graph.x.view(3, 11, N_FEATURES)
    assert x[:, 0, 4].tolist() == [1.0] * 3 and x[[0, 1, 2], [1, 2, 3], 5].tolist() == [1.0] * 3
    assert x[[0, 1, 2], [1, 2, 3], 6].tolist() == [1.0] * 3  # served (and current)
    assert x[:, :, :2].min() >= 0 and x[:, :, :2].max() <= 1 + 1e-6
    policy = CvrpPolicy(TokenNetConfig(hidden=16, attention_layers=1, heads=2))
    logits = policy(observation)
    assert logits.shape == (3, 11) and torch.isneginf(logits[~state.mask]).all()


def test_following_any_correct_actions_rebuilds_the_expert_routes():
    instances = cvrp.generate("25", 4, seed=1)
    solutions = [expert_solution(instance, "savings", 1.0) for instance in instances]
    links = [neighbours(s, i.n_nodes) for i, s in zip(instances, solutions)]
    succ = torch.as_tensor(np.stack([s for s, _ in links]))
    pred = torch.as_tensor(np.stack([p for _, p in links]))
    state, forward = reset(instances), torch.ones(4, dtype=torch.bool)
    generator = torch.Generator().manual_seed(0)
    while not bool(state.done.all()):
        correct = correct_actions(state, succ, pred, forward)
        assert (correct & ~state.mask).sum() == 0 and correct.any(dim=1).all()
        actions = torch.multinomial(correct.double(), 1, generator=generator).squeeze(1)
        forward = torch.where(state.current == 0, pred.gather(1, actions.unsqueeze(1)).squeeze(1) == 0, forward)
        step(state, actions)
    for instance, expert, built in zip(instances, solutions, to_solutions(state)):
        assert sorted(map(sorted, built.routes)) == sorted(map(sorted, expert.routes))
        assert abs(cvrp.evaluate(instance, built) - cvrp.evaluate(instance, expert)) < 1e-9


def test_short_imitation_run_learns_and_resumes(tmp_path):
    torch.set_num_threads(1)
    save_experts(tmp_path / "train.npz", make_experts("12", 96, seed=2, expert="savings"))
    save_experts(tmp_path / "valid.npz", make_experts("12", 24, seed=3, expert="savings"))
    config = TokenNetConfig(hidden=32, attention_layers=2, heads=4).to_dict()
    args = CvrpImitationArgs(
        data=[str(tmp_path / "train.npz")],
        validation=str(tmp_path / "valid.npz"),
        out=str(tmp_path / "p.pt"),
        steps=150,
        batch_size=32,
        validate_every=50,
        config=config,
    )
    valid = load_experts(tmp_path / "valid.npz")
    instances = instances_of(valid, np.arange(24))
    torch.manual_seed(0)
    before = greedy_costs(CvrpPolicy(TokenNetConfig(**config)).eval(), instances, "cpu").mean()
    train(args, log=lambda _: None)
    payload = load_checkpoint(tmp_path / "p.pt", "cvrp")
    trained = CvrpPolicy(TokenNetConfig(**payload["policy"]["config"]))
    trained.load_state_dict(payload["weights"])
    after = greedy_costs(trained.eval(), instances, "cpu").mean()
    assert after < 0.85 * before, (float(before), float(after))
    args.steps = 160
    result = train(args, resume=str(tmp_path / "p.pt.last"), log=lambda _: None)
    assert result["done"] == 160 and load_checkpoint(tmp_path / "p.pt.last", "cvrp")["training"]["step"] == 160


def test_expert_states_lie_on_the_expert_routes():
    from cosolve.train.cvrp_imitation import expert_states, route_tables

    experts = make_experts("15", 12, seed=4, expert="savings")
    experts["route"], experts["position"], experts["lengths"] = route_tables(experts["succ"], experts["pred"])
    assert (experts["lengths"].sum(axis=1) == 15).all()
    generator = torch.Generator().manual_seed(0)
    coords = torch.as_tensor(experts["coords"], dtype=torch.float32)
    seen_at_depot = seen_on_route = 0
    for _ in range(10):
        state, correct = expert_states(experts, np.arange(12), coords, generator)
        assert bool(correct.any(dim=1).all()) and bool((state.mask | ~correct).all())  # labels are feasible
        for b in range(12):
            routes = expert_routes(experts["succ"][b], experts["pred"][b])
            served = set(np.flatnonzero(state.visited[b].numpy()).tolist())
            current = int(state.current[b])
            if current == 0:  # between routes: complete routes only; the next is a route's end
                seen_at_depot += 1
                assert all(set(r) <= served or not set(r) & served for r in routes)
                ends = {r[e] for r in routes if not set(r) <= served for e in (0, -1)}
                assert set(np.flatnonzero(correct[b].numpy()).tolist()) == ends
                assert int(state.remaining[b]) == int(experts["capacity"][b])
            else:  # driving: the served part of its route is one end of it, ending at the vehicle
                seen_on_route += 1
                route = next(r for r in routes if current in r)
                others = [r for r in routes if r is not route]
                assert all(set(r) <= served or not set(r) & served for r in others)
                piece = served & set(route)
                ahead = route if set(route[: len(piece)]) == piece and route[len(piece) - 1] == current else route[::-1]
                assert set(ahead[: len(piece)]) == piece and ahead[len(piece) - 1] == current
                following = ahead[len(piece)] if len(piece) < len(route) else 0
                assert np.flatnonzero(correct[b].numpy()).tolist() == [following]
                load = sum(int(experts["demands"][b][c]) for c in piece)
                assert int(state.remaining[b]) == int(experts["capacity"][b]) - load
    assert seen_at_depot > 5 and seen_on_route > 5


def expert_routes(succ: np.ndarray, pred: np.ndarray) -> list[list[int]]:
    """The routes of one expert solution, each in the ``succ`` direction."""
    routes = []
    for start in np.flatnonzero(pred[1:] == 0) + 1:
        route, node = [], int(start)
        while node != 0:
            route.append(node)
            node = int(succ[node])
        routes.append(route)
    return routes
