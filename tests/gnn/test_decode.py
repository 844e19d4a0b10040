"""The shared decoding: the helpers, and each problem's rollout on the shared loop taking exactly
the actions (and random draws) of the loop it replaced, written out here as it was."""

from __future__ import annotations

import torch

from cosolve.gnn import (
    binpacking_online_rollout,
    binpacking_rollout,
    cvrp_rollout,
    jssp_rollout,
    knapsack_rollout,
    tsp_rollout,
)
from cosolve.gnn.binpacking_online_policy import OnlinePackingPolicy, OnlinePolicyConfig
from cosolve.gnn.binpacking_policy import BinPackingPolicy
from cosolve.gnn.cvrp_policy import CvrpPolicy
from cosolve.gnn.decode import best_of, chunks, coordinates, pick, views
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.gnn.knapsack_policy import KnapsackPolicy
from cosolve.gnn.token_net import TokenNetConfig
from cosolve.gnn.tsp_policy import TspPolicy
from cosolve.problems import binpacking, cvrp, jssp, knapsack, tsp
from cosolve.problems.binpacking import env as binpacking_env
from cosolve.problems.binpacking.observe import item_actions
from cosolve.problems.binpacking.observe import observe as observe_packing
from cosolve.problems.binpacking.observe_online import observe_online, window
from cosolve.problems.cvrp import env as cvrp_env
from cosolve.problems.cvrp.observe import observe as observe_routes
from cosolve.problems.jssp import env as jssp_env
from cosolve.problems.jssp.observe import observe as observe_shop
from cosolve.problems.knapsack import env as knapsack_env
from cosolve.problems.knapsack.observe import observe as observe_knapsack
from cosolve.problems.tsp import env as tsp_env
from cosolve.problems.tsp.observe import observe as observe_tour

ROUTING = TokenNetConfig(hidden=16, graph_layers=1, attention_layers=1, heads=2)


def draw(logits, sample, generator, temperature=1.0):
    """The choice every loop made before the shared one: ``[B, 1]`` columns."""
    if sample:
        return torch.multinomial(torch.softmax(logits / temperature, dim=1), 1, generator=generator)
    return logits.argmax(dim=1, keepdim=True)


def seeded(seed):
    return torch.Generator().manual_seed(seed)


def test_best_of_takes_the_first_best_copy_of_each_instance():
    objectives = torch.tensor([[3, 5, 2], [1, 5, 2], [1, 4, 9]])  # [C = 3, B = 3]
    candidates = torch.arange(9).view(3, 3, 1) * 10
    best, chosen = best_of(objectives, candidates)
    assert best.tolist() == [1, 4, 2] and chosen.view(-1).tolist() == [30, 70, 20]
    best, chosen = best_of(objectives, [f"c{i}" for i in range(9)], maximize=True)
    assert best.tolist() == [3, 5, 9] and chosen == ["c0", "c1", "c8"]


def test_chunks_and_views():
    assert chunks(10, 4) == [4, 4, 2] and chunks(0, 4) == [] and chunks(3, 1) == [1, 1, 1]
    coords = torch.rand(2, 5, 2, generator=seeded(0))
    assert views(coords, False).shape == (1, 2, 5, 2) and views(coords, True).shape == (8, 2, 5, 2)
    assert torch.equal(pick(torch.tensor([[0.0, 2.0, 2.0]])), torch.tensor([1]))  # ties: the first


def test_job_shop_episodes_match_the_former_loop():
    torch.manual_seed(0)
    policy = JobShopPolicy(PolicyConfig(hidden=8, layers=1)).eval()
    shops = jssp.generate("5x4", 3, seed=2)
    for sample in (False, True):
        new = jssp_rollout.run_episodes(policy, jssp_env.reset(shops), sample, seeded(1), temperature=0.7)
        old, generator = jssp_env.reset(shops), seeded(1)
        with torch.no_grad():
            while not bool(old.done.all()):
                jssp_env.step(old, draw(policy(observe_shop(old))[0], sample, generator, 0.7).squeeze(1))
        assert torch.equal(new.start_times, old.start_times) and torch.equal(new.makespan, old.makespan)


def test_tours_match_the_former_loop():
    torch.manual_seed(0)
    policy = TspPolicy(ROUTING).eval()
    instances = tsp.generate("12", 3, seed=2)
    coords = coordinates(instances)
    for sample, nearest in ((False, None), (True, None), (True, 5)):
        new = tsp_rollout.run_tours(policy, tsp_env.reset(instances), coords, sample, seeded(1), 0.8, nearest)
        old, generator = tsp_env.reset(instances), seeded(1)
        with torch.no_grad():
            while not bool(old.done.all()):
                if old.position == old.n_nodes - 1:
                    tsp_env.step(old, old.mask.double().argmax(dim=1))
                    continue
                observation = observe_tour(old, coords, window=nearest)
                picks = draw(policy(observation), sample, generator, 0.8)
                tsp_env.step(old, observation.candidates.gather(1, picks).squeeze(1))
        assert torch.equal(new.tour, old.tour) and torch.equal(new.length, old.length)


def test_routes_match_the_former_loop():
    torch.manual_seed(0)
    policy = CvrpPolicy(ROUTING).eval()
    instances = cvrp.generate("10", 3, seed=2)
    coords = views(coordinates(instances), True)[3]
    for sample in (False, True):
        new = cvrp_rollout.run_routes(policy, cvrp_env.reset(instances), coords, sample, seeded(1))
        old, generator = cvrp_env.reset(instances), seeded(1)
        with torch.no_grad():
            while not bool(old.done.all()):
                cvrp_env.step(old, draw(policy(observe_routes(old, coords)), sample, generator).squeeze(1))
        assert torch.equal(new.actions, old.actions) and torch.equal(new.length, old.length)


def test_selections_match_the_former_loop():
    torch.manual_seed(0)
    policy = KnapsackPolicy(ROUTING).eval()
    instances = knapsack.generate("strong20", 4, seed=2)
    for sample in (False, True):
        new = knapsack_rollout.run_selection(policy, knapsack_env.reset(instances), sample, seeded(1))
        old, generator = knapsack_env.reset(instances), seeded(1)
        with torch.no_grad():
            while not bool(old.done.all()):
                actions = draw(policy(observe_knapsack(old)), sample, generator).squeeze(1)
                knapsack_env.step(old, torch.where(old.done, old.stop_action, actions))
        assert torch.equal(new.chosen, old.chosen) and torch.equal(new.value, old.value)


def test_packings_match_the_former_loops():
    torch.manual_seed(0)
    offline = BinPackingPolicy(ROUTING).eval()
    instances = binpacking.generate("u20", 3, seed=2)
    for sample in (False, True):
        reset = binpacking_env.reset(instances, mode="offline")
        new = binpacking_rollout.run_packing(offline, reset, sample, seeded(1))
        old, generator = binpacking_env.reset(instances, mode="offline"), seeded(1)
        with torch.no_grad():
            while old.steps < old.n_items:
                items = draw(offline(observe_packing(old)), sample, generator).squeeze(1)
                binpacking_env.step(old, item_actions(old, items))
        assert torch.equal(new.assignment, old.assignment)
    online = OnlinePackingPolicy(OnlinePolicyConfig(hidden=8)).eval()
    trajectory = binpacking_online_rollout.Trajectory()
    reset = binpacking_env.reset(instances)
    new = binpacking_online_rollout.run_online(online, reset, True, seeded(1), trajectory)
    old, generator, log_probs, widths = binpacking_env.reset(instances), seeded(1), [], []
    with torch.no_grad():
        while old.steps < old.n_items:
            widths.append(window(old))
            observation = observe_online(old)
            logits = online(observation)
            position = draw(logits, True, generator)
            log_probs.append(torch.log_softmax(logits, dim=1).gather(1, position).squeeze(1))
            binpacking_env.step(old, observation.index.gather(1, position).squeeze(1))
    assert torch.equal(new.assignment, old.assignment)
    assert [loads.shape[1] for loads in trajectory.loads] == widths
    assert all(torch.equal(a, b) for a, b in zip(trajectory.log_probs, log_probs, strict=True))
