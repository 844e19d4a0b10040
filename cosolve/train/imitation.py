"""Imitation learning, the shared core of the trainers that learn from expert solutions (TSP,
CVRP, knapsack, offline bin packing).

Each step draws a batch of expert solutions of one size (the sizes take turns), and the problem
turns it into a loss: usually one random state on the way to each solution, labelled with the
expert's next action (cross-entropy) or with the *set* of actions that keep an expert's solution
reachable (:func:`set_valued_loss`). Every ``validate_every`` steps (and when ``time_limit`` runs
out) the greedy policy is validated and the checkpoints are written by the shared loop
(:mod:`cosolve.train.loop`), which also makes a resumed run continue exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from cosolve.train.loop import Run, geometric_decay, gradient_step, seed_everything, start_run, train_loop

BatchLoss = Callable[[torch.nn.Module, dict, np.ndarray, np.random.Generator, torch.Generator, str], torch.Tensor]
"""``(policy, experts, chosen rows, rng, torch generator, device) -> scalar loss``."""


@dataclass(kw_only=True)
class ImitationArgs:
    """Everything a run depends on; stored in the checkpoint so it can resume. Each problem's
    trainer extends it with its network's default ``config``."""

    data: list[str]
    validation: str
    out: str
    config: dict
    steps: int = 20_000
    batch_size: int = 128
    lr: float = 1e-3
    lr_final: float = 1e-5
    grad_clip: float = 1.0
    validate_every: int = 500
    seed: int = 0
    device: str = "cpu"
    time_limit: float | None = None  # seconds of this call; stops after the next validation
    tensorboard: str | None = None


def set_valued_loss(logits: torch.Tensor, correct: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of ``-log sum_{c in correct} softmax(logits)_c``.

    Args:
        logits: ``[B, A]``; correct: ``[B, A]`` bool, at least one per row.
    """
    return (torch.logsumexp(logits, dim=1) - torch.logsumexp(logits.masked_fill(~correct, float("-inf")), dim=1)).mean()


def train_imitation(
    problem: str,
    args: ImitationArgs,
    make_policy: Callable[[dict], torch.nn.Module],
    sets: list[dict],
    batch_loss: BatchLoss,
    validation_gap: Callable[[torch.nn.Module], float],
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Train a policy built by ``make_policy(args.config)`` (after seeding with ``args.seed``,
    on ``args.device``) on the expert ``sets`` (one per size, each with a ``size`` label and
    ``rows``, an array as long as the set); writes ``args.out`` (best by validation gap),
    ``.last`` and ``.csv``; ``resume`` continues from a ``.last``."""
    seed_everything(args.seed)
    policy = make_policy(args.config).to(args.device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.lr)
    run = start_run(problem, "step", policy, optimizer, args.seed, args.device, resume)
    run.about = {"algo": "imitation", "sizes": [experts["size"] for experts in sets]}

    def step(run: Run) -> dict:
        experts = sets[run.done % len(sets)]
        rows = len(experts["rows"])
        chosen = run.rng.choice(rows, size=min(args.batch_size, rows), replace=False)
        loss = batch_loss(run.policy, experts, chosen, run.rng, run.generator, args.device)
        return {"loss": gradient_step(run, loss, args.grad_clip)}

    def validate(trained: torch.nn.Module) -> tuple[float, dict]:
        gap = validation_gap(trained)
        return gap, {"valid_gap": gap}

    schedule = geometric_decay(args.lr, args.lr_final, args.steps, args.time_limit)
    return train_loop(run, args, args.steps, step, validate, schedule, log, progress)
