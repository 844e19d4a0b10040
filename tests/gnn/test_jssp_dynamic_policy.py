"""The dynamic job shop graph and policy: hand-checked features, graphs of different sizes in one
batch, the warm start from a static policy, checked and reproducible rollouts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cosolve.checkpoint import save_checkpoint, shipped_checkpoint
from cosolve.errors import CosolveInputError
from cosolve.gnn.jssp_dynamic_rollout import (
    PROBLEM,
    check_dynamic_graph,
    dynamic_config,
    from_static,
    simulate_policy,
)
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.gnn.loading import load_policy
from cosolve.problems.jssp import Instance, generate
from cosolve.problems.jssp.dynamic.check import check
from cosolve.problems.jssp.dynamic.env import Dynamics, reset, step
from cosolve.problems.jssp.dynamic.observe import N_CANDIDATE_FEATURES, N_FEATURES, observe
from cosolve.problems.jssp.dynamic.shutdowns import ShutdownModel

SHOP = Instance("hand", np.array([[0, 1], [1, 0]]), np.array([[3, 2], [5, 1]]))


def test_features_of_a_shop_with_a_machine_down():
    # M1 is down over [0, 4): at time 0 only job 0 (on M0) can start.
    state = reset([SHOP], Dynamics(), windows=[[(1, 0, 4)]])
    observation = observe(state)
    x = observation.graph.x
    assert x.shape == (4 + 2, N_FEATURES) and observation.mask.tolist() == [[True, False]]
    scale, horizon = 5.0, 7.0  # largest processing time; largest machine load (M1: 2 + 5)
    machine_1 = x[5]
    assert machine_1[9] == 1.0 and machine_1[10] == pytest.approx(4 / scale)  # down, 4 left
    assert machine_1[6] == pytest.approx(4 / horizon)  # busy (repair) until 4
    assert x[4][9] == 0.0 and x[4][6] == 0.0  # M0 up and free
    slack = observation.candidate_features[0, :, 0]
    assert slack.tolist() == pytest.approx([0.0, 4 / scale])  # job 1 waits for the repair
    assert observation.candidates.tolist() == [[0, 2]] and observation.candidate_machines.tolist() == [[4, 5]]
    following = observation.candidate_features[0, :, 6:].tolist()
    assert following[0] == pytest.approx([0.0, 1.0, (4 - 3) / scale])  # job 0 goes on to M1, down until 4
    assert following[1] == pytest.approx([1.0, 0.0, 0.0])  # job 1 goes on to M0, free

    step(state, torch.tensor([0]))  # job 0 on M0 [0, 3); at 3 it wants M1, up again at 4
    assert int(state.time[0]) == 4 and state.mask.tolist() == [[True, True]]
    queue = observe(state).candidate_features[0, :, 5]
    assert queue.tolist() == pytest.approx([0.5, 0.5])  # each has one other job waiting for M1


def test_instances_at_different_progress_share_one_batch():
    shops = generate("4x3", 2, seed=3)
    dynamics = Dynamics(blocking=True, swap=True)
    state = reset(shops, dynamics)
    step(state, state.mask.float().argmax(dim=1))
    observation = observe(state)
    sizes = (observation.graph.ptr[1:] - observation.graph.ptr[:-1]).tolist()
    open_ops = (state.n_machines - state.next_op).sum(dim=1)
    assert sizes == (open_ops + state.n_machines).tolist()
    live = observation.mask
    candidate_flags = observation.graph.x[observation.candidates][..., 2]
    assert (candidate_flags[live] == 1.0).all()
    machine_flags = observation.graph.x[observation.candidate_machines][..., 0]
    assert (machine_flags[live] == 0.0).all()  # machine nodes
    assert observation.candidate_features.shape == (2, 4, N_CANDIDATE_FEATURES)


def test_warm_start_copies_the_static_weights():
    static = load_policy(shipped_checkpoint("jssp"), "jssp", JobShopPolicy)
    dynamic = from_static(static)
    assert dynamic.config == dynamic_config(static.config.hidden, static.config.layers)
    assert torch.equal(dynamic.embed.weight[:, :9], static.embed.weight)
    assert (dynamic.embed.weight[:, 9:] == 0).all()
    hidden = static.config.hidden
    assert torch.equal(dynamic.scorer[0].weight[:, : 3 * hidden + 4], static.scorer[0].weight)
    shared = [name for name in static.state_dict() if name not in ("embed.weight", "scorer.0.weight")]
    assert all(torch.equal(dynamic.state_dict()[name], static.state_dict()[name]) for name in shared)


def test_policy_runs_are_checked_and_reproducible():
    torch.manual_seed(0)
    policy = JobShopPolicy(dynamic_config(hidden=16, layers=1)).eval()
    shops = generate("5x4", 3, seed=8)
    dynamics = Dynamics(ShutdownModel(prob=0.05), interrupt="resume", blocking=True, swap=True)
    batch = simulate_policy(policy, shops, dynamics, seeds=[1, 2, 3])
    alone = simulate_policy(policy, shops[1:2], dynamics, seeds=[2])[0]
    for shop, execution in zip(shops, batch):
        check(shop, execution)
    assert alone.makespan == batch[1].makespan and (alone.dispatch_times == batch[1].dispatch_times).all()


def test_loading_refuses_foreign_checkpoints(tmp_path):
    static = JobShopPolicy(PolicyConfig(hidden=8, layers=1))
    path = tmp_path / "static.pt"
    save_checkpoint(path, "jssp", "JobShopPolicy", static.config.to_dict(), static.state_dict())
    with pytest.raises(CosolveInputError, match="problem 'jssp'"):
        load_policy(path, PROBLEM, JobShopPolicy, check=check_dynamic_graph)
    wrong = tmp_path / "wrong.pt"
    save_checkpoint(wrong, PROBLEM, "JobShopPolicy", static.config.to_dict(), static.state_dict())
    with pytest.raises(CosolveInputError, match="another graph"):
        load_policy(wrong, PROBLEM, JobShopPolicy, check=check_dynamic_graph)
