"""PPO for the dynamic job shop: the shared leave-one-out advantage, and a short run that learns
and resumes."""

from __future__ import annotations

import csv
import dataclasses

import numpy as np
import pytest
import torch

from cosolve.baselines.jssp_dynamic_rules import simulate_rule
from cosolve.baselines.jssp_rules import RULES
from cosolve.checkpoint import load_checkpoint
from cosolve.gnn.jssp_dynamic_rollout import PROBLEM, simulate_policy
from cosolve.train.jssp_dynamic_ppo import (
    SETTINGS,
    DynamicPPOArgs,
    episode_advantages,
    initial_policy,
    train,
    validate,
    validation_set,
)

SMALL = {"hidden": 16, "layers": 1, "node_features": 13, "candidate_features": 9}


def test_leave_one_out_compares_with_the_other_rollouts_of_the_instance():
    makespans = torch.tensor([10.0, 20.0, 30.0, 100.0, 100.0, 100.0], dtype=torch.float64)
    bounds = torch.tensor([10.0, 10.0, 10.0, 50.0, 50.0, 50.0], dtype=torch.float64)
    advantage = episode_advantages(makespans, bounds, rollouts=3)
    raw = torch.tensor([1.5, 0.0, -1.5, 0.0, 0.0, 0.0], dtype=torch.float64)  # (mean of others - own) / bound
    assert torch.allclose(advantage, raw)


def test_settings_cover_the_benchmarked_shops():
    assert {name: (d.shutdowns.prob, d.blocking, d.swap) for name, d in SETTINGS.items()}["p0.05+blocking"] == (
        0.05,
        True,
        True,
    )
    assert len(SETTINGS) == 8 and all(d.interrupt == "resume" for d in SETTINGS.values())


def test_short_run_learns_and_resumes(tmp_path):
    torch.set_num_threads(1)
    args = DynamicPPOArgs(
        out=str(tmp_path / "p.pt"),
        sizes=["6x6"],
        settings=["p0.02"],
        iterations=12,
        instances=4,
        rollouts=4,
        learning_rate=1e-3,
        validate_every=6,
        validation_size="6x6",
        validation_count=8,
        init="none",
        config=SMALL,
    )
    torch.manual_seed(args.seed)  # the initial weights train() starts from
    before = validate(initial_policy(args), *validation_set(args), "cpu")["p0.02"]
    result = train(args, log=lambda _: None)
    scores = [row["score"] for row in result["history"]]
    assert len(scores) == 2 and result["best"] == min(scores)
    with open(tmp_path / "p.pt.csv", newline="") as handle:  # regression: rows once outgrew the header
        logged = list(csv.DictReader(handle))
    assert [float(row["score"]) for row in logged] == pytest.approx(scores, rel=1e-5)
    assert all(None not in row for row in logged)
    assert result["best"] < before - 0.03, (before, scores)  # measured: 1.087 -> 1.014 (makespan / best rule's)
    first = load_checkpoint(tmp_path / "p.pt.last", PROBLEM)
    assert first["training"]["iteration"] == 12
    args.iterations = 14
    resumed = train(args, resume=str(tmp_path / "p.pt.last"), log=lambda _: None)
    assert [row["iteration"] for row in resumed["history"]] == [6, 12, 14]
    assert load_checkpoint(tmp_path / "p.pt.last", PROBLEM)["training"]["iteration"] == 14


def test_validation_covers_every_size_and_every_rule():
    args = DynamicPPOArgs(out="unused", settings=["p0+blocking"], validation_size="6x6, 8x4", validation_count=3)
    groups, seeds, best_rule = validation_set(args)
    assert [group[0].shape for group in groups] == [(6, 6), (8, 4)] and seeds == [1, 2, 3]
    dynamics = SETTINGS["p0+blocking"]
    for group, best in zip(groups, best_rule["p0+blocking"]):  # the seeded random rule counts too
        means = [np.mean([e.makespan for e in simulate_rule(group, rule, dynamics, seeds)]) for rule in RULES]
        assert best == min(means)
    policy = initial_policy(dataclasses.replace(args, init="none", config=SMALL))
    ratios = validate(policy, groups, seeds, best_rule, "cpu")
    per_size = [
        np.mean([e.makespan for e in simulate_policy(policy, group, dynamics, seeds)]) / best
        for group, best in zip(groups, best_rule["p0+blocking"])
    ]
    assert ratios["p0+blocking"] == pytest.approx(np.mean(per_size))


def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path):
    torch.set_num_threads(1)

    def args(name: str) -> DynamicPPOArgs:
        return DynamicPPOArgs(
            out=str(tmp_path / name),
            sizes=["4x4"],
            settings=["p0.05", "p0.02+blocking"],
            iterations=4,
            instances=2,
            rollouts=3,
            learning_rate=1e-3,
            validate_every=2,
            validation_size="4x4",
            validation_count=2,
            init="none",
            ppo_ewma=True,
            config=SMALL,
        )

    def stop_at_three(done: int, total: int, status: str) -> None:
        if done == 3:
            raise KeyboardInterrupt

    train(args("a.pt"), log=lambda _: None)
    with pytest.raises(KeyboardInterrupt):
        train(args("b.pt"), log=lambda _: None, progress=stop_at_three)
    train(args("b.pt"), resume=str(tmp_path / "b.pt.last"), log=lambda _: None)
    straight, resumed = (load_checkpoint(tmp_path / f"{name}.pt.last", PROBLEM) for name in "ab")
    for name, tensor in straight["weights"].items():
        assert torch.equal(tensor, resumed["weights"][name]), name
    assert straight["training"]["history"][-1]["score"] == resumed["training"]["history"][-1]["score"]
