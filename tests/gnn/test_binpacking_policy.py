"""The offline bin packing policy: its graph view, the decision model, imitation states,
rollouts and a short run that learns."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cosolve.checkpoint import load_checkpoint
from cosolve.gnn.binpacking_policy import BinPackingPolicy
from cosolve.gnn.binpacking_rollout import PROBLEM, best_packings, run_packing
from cosolve.gnn.loading import load_policy
from cosolve.gnn.token_net import TokenNetConfig
from cosolve.problems import binpacking
from cosolve.problems.binpacking.env import reset, reset_tensors, step, to_solutions
from cosolve.problems.binpacking.observe import N_FEATURES, item_actions, observe, target_bin
from cosolve.train.binpacking_imitation import (
    BinPackingImitationArgs,
    canonical_bins,
    expert_states,
    instances_of,
    load_experts,
    make_experts,
    perfect_triplets,
    save_experts,
    train,
    validation_gap,
)

TINY = TokenNetConfig(hidden=16, graph_layers=1, attention_layers=1, heads=2)


def tiny_policy(seed: int = 0) -> BinPackingPolicy:
    torch.manual_seed(seed)
    return BinPackingPolicy(TINY).eval()


def test_observation_features_and_the_implied_bin():
    torch.set_num_threads(1)
    state = reset([binpacking.Instance("t", np.array([5, 3, 2, 6, 1]), 10)], mode="offline")
    assert target_bin(state)[2].tolist() == [True]  # no bin open yet: a new one
    step(state, item_actions(state, torch.tensor([0])))  # item 0 (weight 5) opens bin 0: room 5
    observation = observe(state)
    x = observation.graph.x.view(1, 5, N_FEATURES)  # slots: items 1, 2, 3, 4, then the bin token
    assert observation.items.tolist() == [[1, 2, 3, 4]]
    assert observation.mask.tolist() == [[False, True, True, False, True]]  # item 3 (6) does not fit
    expected = [
        [0.3, 0.6, 1.0, 0.25, 1.0, 0.0],  # weight 3: completes the bin with weight 2
        [0.2, 0.4, 1.0, 0.5, 1.0, 0.0],  # weight 2: with weight 3
        [0.6, 1.2, 0.0, 0.0, 0.0, 0.0],  # weight 6: the heaviest, does not fit
        [0.1, 0.2, 1.0, 0.75, 0.8, 0.0],  # weight 1: best with weight 3, (1 + 3) / 5
        [0.5, 0.0, 1.2, 0.0, 0.0, 1.0],  # the bin: room 5 / 10, not new, unpacked weight 12 / 10
    ]
    assert torch.allclose(x[0], torch.tensor(expected), atol=1e-6)
    assert observation.bin_token.tolist() == [4] and not observation.padding.any()
    kinds = observation.graph.edge_type
    partners = observation.graph.edge_index[:, kinds == 3].T.tolist()
    # slot j -> slot i for the items j that fit the bin together with i (slot 2 does not fit)
    assert sorted(partners) == [[0, 1], [0, 3], [1, 0], [1, 3], [3, 0], [3, 1]]
    assert item_actions(state, torch.tensor([2])).tolist() == [2 * 5 + 0]
    step(state, item_actions(state, torch.tensor([1])))
    step(state, item_actions(state, torch.tensor([2])))  # bin 0 is full: the next item opens bin 1
    bins, room, fresh = target_bin(state)
    assert (bins.tolist(), room.tolist(), fresh.tolist()) == ([1], [10], [True])
    observation = observe(state)
    assert observation.items.tolist() == [[3, 4]] and observation.mask.tolist() == [[False] * 3 + [True] * 2]
    x = observation.graph.x.view(1, 3, N_FEATURES)
    assert torch.allclose(x[0, 2, :3], torch.tensor([1.0, 1.0, 0.7]))  # a new bin: room = capacity
    assert torch.allclose(x[0, :, 1], torch.tensor([0.6, 0.1, 1.0]))  # weight / room 10
    logits = BinPackingPolicy(TINY)(observation)
    assert logits.shape == (1, 5) and torch.isinf(logits[0, :3]).all() and torch.isfinite(logits[0, 3:]).all()


def test_canonical_form_and_perfect_triplets():
    weights = np.array([4, 6, 3, 3, 7, 2, 5])  # capacity 10
    canonical = canonical_bins(weights, 10, np.array([0, 1, 1, 2, 3, 0, 2]))  # bins {4,2}, {6,3}, {3,5}, {7}
    # heaviest first: {7} takes a 3 (it fits), then {6} takes the 4, and {3,5} the 2: one bin less
    assert canonical.tolist() == [1, 1, 0, 2, 0, 2, 2]
    triplets = binpacking.generate("t30", 3, seed=7)
    for instance in triplets:
        assignment = perfect_triplets(instance.weights, instance.capacity)
        solution = binpacking.Solution.from_assignment(assignment)
        binpacking.check(instance, solution)
        assert solution.n_bins == 10
    assert perfect_triplets(np.array([5, 5, 5]), 10) is None


def test_expert_states_follow_the_canonical_optimal_packing():
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(0)
    for size in ("u20", "t15"):
        experts = make_experts(size, 6, seed=1)
        assert len(experts["optimum"]) == 6
        rows = np.arange(6)
        for instance, bins, optimum in zip(instances_of(experts, rows), experts["bins"], experts["optimum"]):
            binpacking.check(instance, binpacking.Solution.from_assignment(bins))
            assert int(bins.max()) + 1 == optimum >= binpacking.l2(instance.weights, instance.capacity)
            loads = np.bincount(bins, weights=instance.weights)
            for number in range(optimum):  # maximal: nothing of a later bin fits an earlier one
                assert not (instance.weights[bins > number] <= instance.capacity - loads[number]).any()
        expert_bins = torch.as_tensor(experts["bins"])
        for _ in range(30):
            state, correct = expert_states(experts, rows, "cpu", generator)
            packed = state.packed
            assert torch.equal(state.assignment[packed], expert_bins[packed])
            loads = torch.zeros_like(state.loads).scatter_add_(1, expert_bins, torch.where(packed, state.weights, 0))
            assert torch.equal(state.loads, loads) and bool((state.loads <= state.capacity.unsqueeze(1)).all())
            observation = observe(state)
            assert bool(correct.any(dim=1).all()) and bool((observation.mask | ~correct).all())
            assert not bool((correct & packed).any())
            _, _, fresh = target_bin(state)
            assert bool((correct.sum(dim=1) >= 1).all())
            heaviest = torch.where(packed, -1, state.weights).amax(dim=1, keepdim=True)
            assert bool((~fresh.unsqueeze(1) | ~correct | (state.weights == heaviest)).all())


def test_rollouts_are_feasible_and_sampling_never_loses():
    torch.set_num_threads(1)
    policy = tiny_policy()
    for size in ("u20", "t15", "scholl1_n30_c100_w1"):
        instances = binpacking.generate(size, 3, seed=2)
        greedy = run_packing(policy, reset(instances, mode="offline"))
        sampled = run_packing(policy, reset(instances, mode="offline"), True, torch.Generator().manual_seed(1))
        best = best_packings(policy, instances, samples=6, seed=3, chunk=7)
        for instance, row, other, more, bins in zip(
            instances, to_solutions(greedy), to_solutions(sampled), best.numpy(), greedy.n_open.tolist()
        ):
            binpacking.check(instance, row)
            binpacking.check(instance, other)
            packing = binpacking.Solution.from_assignment(more)
            binpacking.check(instance, packing)
            assert packing.n_bins <= bins


POLICY = tiny_policy(1)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.lists(st.integers(1, 40), min_size=1, max_size=12), st.booleans())
def test_any_rollout_is_feasible_and_respects_l2(capacity, raw, sample):
    weights = np.minimum(np.array(raw), capacity)
    instance = binpacking.Instance("h", weights, capacity)
    state = reset_tensors(torch.as_tensor(weights).unsqueeze(0), torch.tensor([capacity]), mode="offline")
    run_packing(POLICY, state, sample, torch.Generator().manual_seed(0))
    (solution,) = to_solutions(state)
    binpacking.check(instance, solution)
    assert binpacking.l2(weights, capacity) <= solution.n_bins == int(state.n_open[0])


def test_short_imitation_run_learns_resumes_and_loads(tmp_path):
    torch.set_num_threads(1)
    save_experts(tmp_path / "train.npz", make_experts("t24", 150, seed=3))
    save_experts(tmp_path / "valid.npz", make_experts("t24", 24, seed=4))
    args = BinPackingImitationArgs(
        data=[str(tmp_path / "train.npz")],
        validation=str(tmp_path / "valid.npz"),
        out=str(tmp_path / "p.pt"),
        steps=200,
        batch_size=32,
        lr_final=1e-4,
        validate_every=100,
        config=TokenNetConfig(hidden=32, graph_layers=1, attention_layers=2, heads=4).to_dict(),
    )
    valid = load_experts(tmp_path / "valid.npz")
    torch.manual_seed(0)
    before = validation_gap(BinPackingPolicy(TokenNetConfig(**args.config)).eval(), valid, "cpu")
    result = train(args, log=lambda _: None)
    after = validation_gap(load_policy(tmp_path / "p.pt", PROBLEM, BinPackingPolicy), valid, "cpu")
    assert after < 0.7 * before, (before, after)  # about 20% -> 11% in 200 steps
    assert result["best"] == min(row["valid_gap"] for row in result["history"]) == after
    args.steps = 210
    assert train(args, resume=str(tmp_path / "p.pt.last"), log=lambda _: None)["done"] == 210
    assert load_checkpoint(tmp_path / "p.pt.last", "binpacking_offline")["training"]["step"] == 210
