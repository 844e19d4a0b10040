"""The knapsack policy: its graph view, imitation states, rollouts and a short run that learns."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from cosolve.checkpoint import load_checkpoint, save_checkpoint
from cosolve.gnn.knapsack_policy import KnapsackPolicy, load_narrower_weights
from cosolve.gnn.knapsack_rollout import best_selections, run_selection
from cosolve.gnn.loading import load_policy
from cosolve.gnn.token_net import TokenNet, TokenNetConfig
from cosolve.problems import knapsack
from cosolve.problems.knapsack.completion import greedy_completions
from cosolve.problems.knapsack.env import reset, step
from cosolve.problems.knapsack.observe import N_FEATURES, N_RELATIONS, observe
from cosolve.train.knapsack_imitation import (
    KnapsackImitationArgs,
    expert_states,
    instances_of,
    load_experts,
    make_experts,
    save_experts,
    train,
)

TINY = TokenNetConfig(hidden=16, graph_layers=1, attention_layers=1, heads=2)


def test_observation_marks_the_remaining_items_and_the_greedy_fill():
    instance = knapsack.Instance("t", np.array([10, 6, 9, 1]), np.array([5, 2, 9, 4]), 10)
    state = reset([instance])
    step(state, torch.tensor([1]))  # take item 1 (weight 2): 8 left, item 2 (weight 9) no longer fits
    observation = observe(state)
    x = observation.graph.x.view(1, 5, N_FEATURES)
    assert observation.padding.tolist() == [[False, True, True, False, False]]
    assert observation.mask.tolist() == [[True, False, False, True, True]]
    assert x[0, 0, 0].item() == 5 / 8 and x[0, 3, 0].item() == 4 / 8  # weight / capacity left
    assert x[0, 0, 4].item() == 5 / 8 and x[0, 3, 4].item() == 9 / 8  # greedy fill: item 0 first, then 3
    assert x[0, 0, 3].item() == 0.0 and x[0, 3, 3].item() == 0.5  # ratio rank among the 2 live items
    assert torch.equal(x[0, 1], torch.zeros(N_FEATURES)) and x[0, 4, 5].item() == 1.0
    assert x[0, 4, 0].item() == 9 / 8  # the stop token: live weight / capacity left
    assert observation.stop_token.tolist() == [4]
    # Completions: item 0 then nothing (value 6 + 10, 3 unused); item 3 then nothing (6 + 1, 4 unused).
    assert x[0, 0, 6:].tolist() == [1.0, 0.0, 3 / 8, 1.0]  # added value / best, shortfall, unused, is best
    assert x[0, 3, 6:].tolist() == pytest.approx([0.1, 0.9, 0.5, 0.0])  # shortfall 9 / largest live value 10
    assert N_FEATURES == 10 and x[0, 4, 6:].tolist() == [0.0] * 4


def test_a_checkpoint_from_before_the_lookahead_features_acts_as_trained(tmp_path):
    torch.manual_seed(0)
    old = TokenNet(6, N_RELATIONS, TINY)  # the first shipped policy read the first six features
    weights = {f"net.{name}": tensor for name, tensor in old.state_dict().items()}
    save_checkpoint(tmp_path / "old.pt", "knapsack", "KnapsackPolicy", TINY.to_dict(), weights, {}, {})
    policy = load_policy(tmp_path / "old.pt", "knapsack", KnapsackPolicy)
    state = reset(knapsack.generate("strong30", 3, seed=1))
    step(state, torch.tensor([0, 1, 2]))
    observation = observe(state)
    narrow = observation.graph.clone()
    narrow.x = narrow.x[:, :6]
    with torch.no_grad():
        expected = old.eval()(narrow, 3, observation.stop_token, observation.stop_token, observation.padding)
        assert torch.allclose(policy(observation), expected.masked_fill(~observation.mask, float("-inf")))
    wider = TokenNet(N_FEATURES + 1, N_RELATIONS, TINY).state_dict()
    with pytest.raises(ValueError, match="does not fit"):
        load_narrower_weights(KnapsackPolicy(TINY), {f"net.{name}": tensor for name, tensor in wider.items()})


def test_expert_states_take_part_of_an_optimal_set():
    generator = torch.Generator().manual_seed(0)
    extras, late = 0, 0
    for size in ("strong30", "subset30"):
        experts = make_experts(size, 8, seed=1)
        optimal = torch.as_tensor(experts["chosen"])
        for _ in range(10):
            state, correct, open_ = expert_states(experts, np.arange(8), "cpu", generator)
            assert bool((state.chosen <= optimal).all()) and bool((state.remaining >= 0).all())
            left = optimal & ~state.chosen
            assert bool(left.any(dim=1).all()) and bool(open_.all())  # at least one optimal item to take
            completes = greedy_completions(state).value == torch.as_tensor(experts["optimum"]).unsqueeze(1)
            assert torch.equal(correct, torch.cat([left | completes, ~left.any(dim=1, keepdim=True)], dim=1))
            assert bool((state.mask | ~correct).all())  # every label is feasible
            extras += int((correct[:, :-1] & ~optimal).sum())
            late += int((4 * left.sum(dim=1) <= optimal.sum(dim=1)).sum())
    assert extras > 0  # items of other optimal sets (subset sum instances have many)
    assert late > 40  # a quarter of the set left or less, in more than a quarter of the 160 states


def test_rollouts_are_feasible_and_search_never_loses():
    torch.manual_seed(0)
    policy = KnapsackPolicy(TINY).eval()
    for size in ("7", "weak25", "strong60"):
        instances = knapsack.generate(size, 3, seed=2)
        greedy = run_selection(policy, reset(instances))
        searched = best_selections(policy, instances, samples=4, starts=3)
        for instance, row, more, value in zip(instances, greedy.chosen, searched, greedy.value.tolist()):
            knapsack.check(instance, knapsack.Solution.from_mask(row.numpy()))
            knapsack.check(instance, knapsack.Solution.from_mask(more.numpy()))
            assert knapsack.evaluate(instance, knapsack.Solution.from_mask(more.numpy())) >= value


def test_short_imitation_run_learns_resumes_and_solves(tmp_path):
    from cosolve.solve import solve

    torch.set_num_threads(1)
    save_experts(tmp_path / "train.npz", make_experts("strong20", 200, seed=3))
    save_experts(tmp_path / "valid.npz", make_experts("strong20", 32, seed=4))
    args = KnapsackImitationArgs(
        data=[str(tmp_path / "train.npz")],
        validation=str(tmp_path / "valid.npz"),
        out=str(tmp_path / "p.pt"),
        steps=120,
        batch_size=64,
        validate_every=40,
        config=TokenNetConfig(hidden=32, graph_layers=1, attention_layers=2, heads=4).to_dict(),
    )
    valid = load_experts(tmp_path / "valid.npz")
    instances = instances_of(valid, np.arange(32))
    torch.manual_seed(0)
    untrained = KnapsackPolicy(TokenNetConfig(**args.config)).eval()
    before = run_selection(untrained, reset(instances)).value.double().mean()
    result = train(args, log=lambda _: None)
    trained = load_policy(tmp_path / "p.pt", "knapsack", KnapsackPolicy)
    after = run_selection(trained, reset(instances)).value.double().mean()
    optimum = float(valid["optimum"].mean())
    assert optimum - after < 0.5 * (optimum - before), (float(before), float(after), optimum)
    assert result["best"] == min(row["valid_gap"] for row in result["history"])
    args.steps = 130
    assert train(args, resume=str(tmp_path / "p.pt.last"), log=lambda _: None)["done"] == 130
    assert load_checkpoint(tmp_path / "p.pt.last", "knapsack")["training"]["step"] == 130
    solved = solve("knapsack", instances[:4], f"gnn:starts=2:checkpoint={tmp_path / 'p.pt'}")
    for instance, outcome in zip(instances, solved):
        knapsack.check(instance, outcome.solution)
    # A fresh run from p.pt's weights (one step at a negligible learning rate) starts where p.pt is.
    warm = replace(args, out=str(tmp_path / "q.pt"), steps=1, lr=1e-12, lr_final=1e-12, validate_every=1)
    first = train(warm, log=lambda _: None, init=str(tmp_path / "p.pt"))["history"][0]["valid_gap"]
    assert first == load_checkpoint(tmp_path / "p.pt", "knapsack")["metrics"]["valid_gap"]


def test_gnn_method_rejects_unknown_options(tmp_path):
    from cosolve.errors import CosolveInputError
    from cosolve.solve import solve

    policy = KnapsackPolicy(TINY)
    save_checkpoint(tmp_path / "p.pt", "knapsack", "KnapsackPolicy", TINY.to_dict(), policy.state_dict(), {}, {})
    instances = knapsack.generate("10", 2, seed=5)
    for bad in ("gnn:aug", "gnn:beam=3", "gnn:starts=-1"):
        with pytest.raises(CosolveInputError):
            solve("knapsack", instances, f"{bad}:checkpoint={tmp_path / 'p.pt'}")
