"""The job shop policy network and its rollouts."""

import torch

from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.gnn.jssp_rollout import best_of_samples, rollout
from cosolve.gnn.relational_conv import RelationalConv
from cosolve.problems.jssp import check, generate
from cosolve.problems.jssp.env import reset, step
from cosolve.problems.jssp.observe import observe


def _policy(seed: int = 0) -> JobShopPolicy:
    torch.manual_seed(seed)
    return JobShopPolicy(PolicyConfig(hidden=16, layers=2)).eval()


def test_relational_conv_keeps_shapes_and_uses_relations():
    torch.manual_seed(0)
    conv = RelationalConv(8, relations=2)
    x = torch.randn(4, 8)
    edge_index = torch.tensor([[0, 1, 2], [1, 2, 3]])
    out_a = conv(x, edge_index, torch.tensor([0, 0, 0]))
    out_b = conv(x, edge_index, torch.tensor([1, 1, 1]))
    assert out_a.shape == (4, 8)
    assert not torch.allclose(out_a[1:], out_b[1:])  # the relation changes the message
    assert torch.allclose(out_a[0], out_b[0])  # node 0 receives nothing either way


def test_policy_is_size_agnostic_and_masks_finished_jobs():
    policy = _policy()
    for size in ("3x3", "6x4", "2x7"):
        state = reset(generate(size, 5, seed=1))
        step(state, torch.zeros(5, dtype=torch.int64))
        with torch.no_grad():
            logits, values = policy(observe(state))
        assert logits.shape == state.mask.shape and values.shape == (5,)
        assert torch.isfinite(logits[state.mask]).all()
        assert torch.isneginf(logits[~state.mask]).all()


def test_rollouts_give_feasible_schedules_and_sampling_never_loses_to_greedy():
    policy = _policy()
    instances = generate("5x4", 6, seed=2)
    greedy_makespans, greedy = rollout(policy, instances)
    for instance, solution in zip(instances, greedy):
        check(instance, solution)
    sampled = best_of_samples(policy, instances, samples=8, seed=3)
    again = best_of_samples(policy, instances, samples=8, seed=3)
    for instance, solution, repeat, bound in zip(instances, sampled, again, greedy_makespans.tolist()):
        check(instance, solution)
        makespan = int((solution.start_times + instance.durations).max())
        assert makespan <= bound
        assert (solution.start_times == repeat.start_times).all()


def test_a_low_temperature_samples_the_greedy_schedule():
    policy = _policy()
    instances = generate("5x4", 6, seed=4)
    greedy_makespans, greedy = rollout(policy, instances)
    generator = torch.Generator().manual_seed(0)
    cold_makespans, cold = rollout(policy, instances, sample=True, generator=generator, temperature=1e-4)
    assert torch.equal(cold_makespans, greedy_makespans)
    for a, b in zip(greedy, cold):
        assert (a.start_times == b.start_times).all()
    hot_makespans, _ = rollout(policy, instances * 4, sample=True, generator=generator, temperature=5.0)
    assert not torch.equal(hot_makespans, greedy_makespans.repeat(4))  # a high one explores
