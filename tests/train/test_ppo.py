"""The PPO core: advantages, the (decoupled) clipped objective, the EWMA proximal policy and
moments, and the batch-size rules of PPO-EWMA."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cosolve.train.ppo import (
    EwmaMoments,
    EwmaPolicy,
    PPOArgs,
    decay_for_age,
    discounted_returns,
    gae,
    leave_one_out,
    matching_decay,
    scale_batch,
    surrogate,
)


def test_gae_stops_at_the_end_of_each_episode():
    rewards = torch.tensor([[1.0, 1.0], [2.0, 5.0], [3.0, 7.0]])
    values = torch.zeros(3, 2)
    live = torch.tensor([[True, True], [True, False], [True, False]])  # the second episode ends after step 0
    advantages, returns = gae(rewards, values, live, gamma=1.0, gae_lambda=1.0)
    assert returns[:, 0].tolist() == [6.0, 5.0, 3.0]
    assert returns[:, 1].tolist() == [1.0, 0.0, 0.0]  # rewards after its end do not count


def test_discounted_returns():
    rewards = torch.tensor([[1.0], [1.0], [1.0]])
    assert discounted_returns(rewards, 0.5).flatten().tolist() == [1.75, 1.5, 1.0]


def test_leave_one_out_compares_each_rollout_with_the_others_of_its_instance():
    returns = torch.tensor([1.0, 10.0, 3.0, 10.0, 5.0, 40.0])  # rollout-major: 3 rollouts x 2 instances
    assert leave_one_out(returns, rollouts=3).tolist() == [-3.0, -15.0, 0.0, -15.0, 3.0, 30.0]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-3, 3), st.floats(-3, 3), st.floats(-2, 2)), min_size=1, max_size=20),
    st.floats(0.05, 0.5),
)
def test_the_decoupled_objective_is_ppo_when_the_proximal_policy_is_the_behaviour_policy(rows, clip):
    new, old, advantage = (torch.tensor(column, dtype=torch.float64) for column in zip(*rows))
    ratio = (new - old).exp()
    ppo = torch.minimum(ratio * advantage, ratio.clamp(1 - clip, 1 + clip) * advantage)
    assert torch.allclose(surrogate(new, old, old, advantage, clip), ppo)


def test_the_importance_weight_is_capped():
    new, proximal, behaviour = torch.tensor([0.0]), torch.tensor([0.0]), torch.tensor([-10.0])
    advantage = torch.tensor([1.0])
    assert float(surrogate(new, proximal, behaviour, advantage, 0.2)) == pytest.approx(math.exp(10))
    assert float(surrogate(new, proximal, behaviour, advantage, 0.2, ratio_cap=100.0)) == pytest.approx(100.0)


def test_clipping_is_against_the_proximal_policy():
    new, proximal, behaviour = torch.tensor([0.5]), torch.tensor([0.0]), torch.tensor([0.0])
    gained = surrogate(new, proximal, behaviour, torch.tensor([1.0]), 0.2)
    assert float(gained) == pytest.approx(1.2)  # the ratio to the proximal policy is clipped at 1 + 0.2
    moved_proximal = surrogate(new, torch.tensor([0.5]), behaviour, torch.tensor([1.0]), 0.2)
    assert float(moved_proximal) == pytest.approx(math.exp(0.5))  # no clipping: pi == pi_prox


def test_the_ewma_policy_is_a_debiased_average_of_the_weights():
    policy = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        policy.weight.fill_(0.0)
    average = EwmaPolicy(policy, decay=0.5)
    with torch.no_grad():
        policy.weight.fill_(3.0)
    average.update()  # weights 0 (start) and 3, weighted 0.5 : 1
    assert float(average.average.weight) == pytest.approx(2.0)
    average.update()  # 0, 3, 3 weighted 0.25 : 0.5 : 1
    assert float(average.average.weight) == pytest.approx(3.0 * 1.5 / 1.75)
    fresh = EwmaPolicy(policy, decay=0.5)
    fresh.load_state_dict(average.state_dict())
    assert float(fresh.average.weight) == float(average.average.weight) and fresh.total_weight == 1.75


def test_ewma_moments_weigh_older_iterations_less():
    assert EwmaMoments(0.0).update(torch.tensor([1.0, 3.0])) == pytest.approx((2.0, 1.0))
    moments = EwmaMoments(0.5)
    moments.update(torch.tensor([0.0, 0.0]))
    mean, variance = moments.update(torch.tensor([3.0, 3.0]))  # weights 1 : 2
    assert mean == pytest.approx(2.0) and variance == pytest.approx(2.0)


def test_the_batch_size_rules():
    base = PPOArgs(learning_rate=1e-3, update_epochs=3, num_minibatches=4, ppo_ewma=True, adv_ewma_decay=0.5)
    bigger = scale_batch(base, 4.0)
    assert bigger.learning_rate == pytest.approx(4e-3)
    age = lambda decay: decay / (1 - decay)  # noqa: E731 -- the EWMA's mean age
    assert age(bigger.ewma_decay) == pytest.approx(age(matching_decay(3, 4)) / 4)
    assert age(bigger.adv_ewma_decay) == pytest.approx(1.0 / 4)
    assert age(matching_decay(3, 4)) == pytest.approx(5.5)  # PPO's old policy: 0..11 steps old
    plain = scale_batch(PPOArgs(learning_rate=1e-3), 0.25)
    assert plain.learning_rate == pytest.approx(2.5e-4) and plain.ewma_decay is None
    assert decay_for_age(0.9, 1.0) == pytest.approx(0.9)
