"""The evolution strategy for the tabu guide: a short seeded run from a poor guide (one that ranks
moves mostly by their duration difference) learns one that searches clearly better, and a resumed
run equals an uninterrupted one."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cosolve.baselines.jssp_rules import run_rule
from cosolve.checkpoint import load_checkpoint
from cosolve.problems.jssp.generate import generate
from cosolve.train.jssp_tabu_guide import START_RULE, GuideArgs, centred_ranks, makespans, train

POOR = [0.0, 10.0, 0.0, 0.0]
"""Learned weights that rank moves mostly by the duration difference of the two operations."""


def small_args(out, generations: int, validate_every: int) -> GuideArgs:
    return GuideArgs(
        out=str(out),
        sizes=["10x10"],
        generations=generations,
        pairs=4,
        num_envs=6,
        iterations=1500,
        sigma=0.5,
        learning_rate=1.0,
        final_learning_rate=1.0,
        validate_every=validate_every,
        validation_size="10x10",
        validation_count=8,
        validation_iterations=1500,
        initial=POOR,
    )


def test_centred_ranks():
    assert centred_ranks(np.array([3.0, 1.0, 2.0])) == pytest.approx([0.5, -0.5, 0.0])


def test_a_short_run_learns_a_better_guide_than_the_one_it_starts_from(tmp_path):
    args = small_args(tmp_path / "guide.pt", generations=10, validate_every=10)
    shops = generate(args.validation_size, args.validation_count, seed=10_000 + args.seed)  # the trainer's
    starts = run_rule(shops, START_RULE)
    poor = np.array([[1.0, *POOR]])
    before = float(makespans(shops, starts, args.validation_iterations, poor, args.seed).mean())
    result = train(args, log=lambda _: None)
    # measured: 862.5 before, 832.0 after 10 generations (plain tabu search: 822.4)
    assert result["best"] < before - 20, (before, result["best"])


def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path):
    train(small_args(tmp_path / "a.pt", generations=4, validate_every=2), log=lambda _: None)
    train(small_args(tmp_path / "b.pt", generations=2, validate_every=2), log=lambda _: None)
    train(
        small_args(tmp_path / "b.pt", generations=4, validate_every=2),
        resume=str(tmp_path / "b.pt.last"),
        log=lambda _: None,
    )
    straight, resumed = (load_checkpoint(tmp_path / f"{name}.pt.last", "jssp_tabu_guide") for name in "ab")
    assert resumed["training"]["generation"] == straight["training"]["generation"] == 4
    assert torch.equal(straight["weights"]["weights"], resumed["weights"]["weights"])
    assert not torch.equal(straight["weights"]["weights"], torch.tensor(POOR, dtype=torch.float64))
    assert resumed["training"]["history"][-1]["score"] == straight["training"]["history"][-1]["score"]
