"""The imitation core: the set-valued loss, and a stopped run that resumes exactly (TSP and
the job shop's own episode-based trainer)."""

from __future__ import annotations

import pytest
import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.gnn.jssp_policy import PolicyConfig
from cosolve.gnn.token_net import TokenNetConfig
from cosolve.train import jssp_imitation, tsp_imitation
from cosolve.train.imitation import set_valued_loss
from cosolve.train.jssp_experts import save_experts as save_jssp_experts
from cosolve.train.jssp_experts import solve_experts


def test_set_valued_loss_is_minus_the_log_of_the_correct_mass():
    logits = torch.log(torch.tensor([[0.5, 0.25, 0.25]]))
    correct = torch.tensor([[False, True, True]])
    assert float(set_valued_loss(logits, correct)) == pytest.approx(-torch.log(torch.tensor(0.5)).item())


def stop_at(done_when: int):
    def progress(done: int, total: int, status: str) -> None:
        if done == done_when:
            raise KeyboardInterrupt

    return progress


def assert_same_weights(a: str, b: str, problem: str) -> None:
    first, second = load_checkpoint(a, problem), load_checkpoint(b, problem)
    for name, tensor in first["weights"].items():
        assert torch.equal(tensor, second["weights"][name]), name
    assert first["training"]["history"] == [
        {**row, "minutes": first["training"]["history"][k]["minutes"]}
        for k, row in enumerate(second["training"]["history"])
    ]


def test_a_resumed_tsp_imitation_run_equals_an_uninterrupted_one(tmp_path):
    torch.set_num_threads(1)
    tsp_imitation.save_experts(tmp_path / "train.npz", tsp_imitation.make_experts("10", 40, seed=3, expert="2opt"))
    tsp_imitation.save_experts(tmp_path / "valid.npz", tsp_imitation.make_experts("10", 8, seed=4, expert="2opt"))

    def args(name: str):
        return tsp_imitation.TspImitationArgs(
            data=[str(tmp_path / "train.npz")],
            validation=str(tmp_path / "valid.npz"),
            out=str(tmp_path / name),
            steps=6,
            batch_size=8,
            validate_every=3,
            config=TokenNetConfig(hidden=16, attention_layers=1, heads=2).to_dict(),
        )

    tsp_imitation.train(args("a.pt"), log=lambda _: None)
    with pytest.raises(KeyboardInterrupt):
        tsp_imitation.train(args("b.pt"), log=lambda _: None, progress=stop_at(5))
    tsp_imitation.train(args("b.pt"), resume=str(tmp_path / "b.pt.last"), log=lambda _: None)
    assert_same_weights(tmp_path / "a.pt.last", tmp_path / "b.pt.last", "tsp")


def test_a_resumed_job_shop_imitation_run_equals_an_uninterrupted_one(tmp_path):
    torch.set_num_threads(1)
    save_jssp_experts(tmp_path / "e.npz", solve_experts("4x4", 12, seed=5, time_limit_s=1.0))

    def args(name: str):
        return jssp_imitation.JobShopImitationArgs(
            data=[str(tmp_path / "e.npz")],
            out=str(tmp_path / name),
            episodes=4,
            batch_size=4,
            chunk=4,
            validate_every=2,
            rule_validation=["5x4"],
            rule_validation_count=2,
            config=PolicyConfig(hidden=16, layers=1).to_dict(),
        )

    jssp_imitation.train(args("a.pt"), log=lambda _: None)
    with pytest.raises(KeyboardInterrupt):
        jssp_imitation.train(args("b.pt"), log=lambda _: None, progress=stop_at(3))
    jssp_imitation.train(args("b.pt"), resume=str(tmp_path / "b.pt.last"), log=lambda _: None)
    assert_same_weights(tmp_path / "a.pt.last", tmp_path / "b.pt.last", "jssp")


def test_each_trainer_defaults_to_its_problems_network():
    """Regression: the knapsack and bin packing arguments defaulted to the routing network's
    config, so a library caller trained another network than the shipped one."""
    from cosolve.gnn import binpacking_policy, knapsack_policy
    from cosolve.train.binpacking_imitation import BinPackingImitationArgs
    from cosolve.train.knapsack_imitation import KnapsackImitationArgs

    paths = {"data": ["e.npz"], "validation": "v.npz", "out": "p.pt"}
    assert KnapsackImitationArgs(**paths).config == knapsack_policy.DEFAULT_CONFIG.to_dict()
    assert BinPackingImitationArgs(**paths).config == binpacking_policy.DEFAULT_CONFIG.to_dict()
    assert tsp_imitation.TspImitationArgs(**paths).config == TokenNetConfig().to_dict()
