"""Imitation of the lookahead dispatcher (DAgger): the targets, learning on labelled decisions,
a short run that checkpoints and resumes."""

from __future__ import annotations

import csv
import math

import numpy as np
import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.gnn.jssp_dynamic_rollout import PROBLEM, choose
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.problems.jssp import generate
from cosolve.train.jssp_dynamic_imitation import DynamicImitationArgs, collect, cross_entropy, fit, targets, train
from cosolve.train.jssp_dynamic_ppo import SETTINGS
from cosolve.train.loop import Run

torch.set_num_threads(1)
SMALL = {"hidden": 16, "layers": 1, "node_features": 13, "candidate_features": 9}
INF = float("inf")


def test_targets_weigh_candidates_by_their_lookahead():
    makespans = torch.tensor([[100.0, 101.0, INF, 100.0], [INF, INF, INF, INF]], dtype=torch.float64)
    target = targets(makespans, temperature=0.01)
    weight = math.exp(-1.0)  # 1 % above the best at temperature 1 %
    expected = torch.tensor([1.0, weight, 0.0, 1.0]) / (2 + weight)
    assert torch.allclose(target[0], expected)
    assert target[1].abs().sum() == 0  # a finished instance teaches nothing


def _agreement(policy, labelled) -> float:
    hits = total = 0
    for observation, target in labelled:
        live = observation.mask.any(dim=1)
        chosen, _ = choose(policy, observation)
        best = target.max(dim=1).values
        hits += int((target.gather(1, chosen.unsqueeze(1)).squeeze(1) >= best - 1e-6)[live].sum())
        total += int(live.sum())
    return hits / total


def _excess_loss(policy, labelled) -> float:
    """Summed cross-entropy minus the targets' own entropy (0 when the policy is the target)."""
    with torch.no_grad():
        loss = sum(float(cross_entropy(policy, observation, target)) for observation, target in labelled)
    entropy = sum(
        float(-(target * target.clamp(min=1e-12).log()).sum(dim=1)[target.sum(dim=1) > 0].mean())
        for _, target in labelled
    )
    return loss - entropy


def test_fitting_the_labels_agrees_more_with_the_lookahead():
    torch.manual_seed(0)
    args = DynamicImitationArgs(out="unused", updates=600, learning_rate=3e-3, temperature=0.001, config=SMALL)
    policy = JobShopPolicy(PolicyConfig(**SMALL))
    shops = generate("8x8", 4, seed=5)
    labelled, makespans = collect(policy, shops, SETTINGS["p0.02+blocking"], [1, 2, 3, 4], args, None)
    assert len(makespans) == 4 and len(labelled) > 20
    excess_before, agreement_before = _excess_loss(policy, labelled), _agreement(policy, labelled)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.learning_rate)
    fit(Run(PROBLEM, "round", policy, optimizer, np.random.default_rng(0), torch.Generator()), labelled, args)
    # measured over four update orders: excess loss 9.0 -> 6.3..7.6,
    # agreement with the lookahead's best 0.82 -> 0.92..0.93
    excess, agreement = _excess_loss(policy, labelled), _agreement(policy, labelled)
    assert excess < 0.85 * excess_before and agreement > agreement_before + 0.05, (excess_before, excess, agreement)


def test_short_run_checkpoints_and_resumes(tmp_path):
    args = DynamicImitationArgs(
        out=str(tmp_path / "p.pt"),
        sizes=["5x5"],
        settings=["p0.05+blocking"],
        rounds=2,
        instances=2,
        updates=5,
        validate_every=2,
        validation_size="5x5",
        validation_count=2,
        config=SMALL,
    )
    result = train(args, log=lambda _: None)
    assert [row["round"] for row in result["history"]] == [2] and result["history"][-1]["score"] == result["best"]
    assert load_checkpoint(tmp_path / "p.pt", PROBLEM)["training"]["round"] == 2
    with open(tmp_path / "p.pt.csv", newline="") as handle:
        assert [row["round"] for row in csv.DictReader(handle)] == ["2"]  # one row per validation
    args.rounds = 3
    resumed = train(args, resume=str(tmp_path / "p.pt.last"), log=lambda _: None)
    assert [row["round"] for row in resumed["history"]] == [2, 3]
