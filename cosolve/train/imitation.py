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
from pathlib import Path

import numpy as np
import torch

from cosolve.train.loop import Run, geometric_decay, gradient_step, seed_everything, start_run, train_loop
from cosolve.train.recipes import TrainRequest

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


def expert_files(
    request: TrainRequest,
    problem: str,
    make_experts: Callable[..., dict],
    save_experts: Callable[[Path, dict], None],
    validation_count: int,
) -> tuple[list[str], str]:
    """Expert files for the request's sizes (``experts`` instances each) and a validation file
    (``validation_count`` instances of the last size), solved by the ``expert`` option's solver
    and cached in the request's expert folder; returns the training paths and the validation path."""
    options, sizes = request.options, request.sizes(problem)
    folder = request.expert_folder()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, size in enumerate([*sizes, sizes[-1]]):
        validation = number == len(sizes)
        count = validation_count if validation else options["experts"]
        path = folder / f"{options['expert']}_{size}_{'validation' if validation else count}_seed{request.seed}.npz"
        if not path.exists():
            request.log(f"solving {count} {problem}{size} instances with {options['expert']} ...")
            seed = 10_000 + request.seed if validation else request.seed + number
            save_experts(path, make_experts(size, count, seed, options["expert"], options["expert_time_limit"]))
        paths.append(str(path))
    return paths[:-1], paths[-1]


def recipe_runner(
    problem: str,
    args_type: type[ImitationArgs],
    make_experts: Callable[..., dict],
    save_experts: Callable[[Path, dict], None],
    train: Callable[..., dict],
    validation_count: int,
) -> Callable[[TrainRequest], dict]:
    """The ``run`` of an imitation recipe: prepare (or reuse) the expert files, then train with
    the request's options (``init`` passed on when the recipe has it)."""

    def run(request: TrainRequest) -> dict:
        options = request.options
        data, validation = expert_files(request, problem, make_experts, save_experts, validation_count)
        args = args_type(
            data=data,
            validation=validation,
            **request.common(),
            steps=options["episodes"],
            batch_size=options["batch_size"],
            validate_every=options["validate_every"],
        )
        init = {"init": str(options["init"])} if options.get("init") else {}
        return request.train(train, args, **init)

    return run


def imitation_defaults(sizes: str, expert: str) -> dict:
    """The command-line options of an expert-imitation recipe and their defaults."""
    return {
        "sizes": sizes,
        "episodes": 500,
        "batch_size": 32,
        "validate_every": 25,
        "experts": 200,
        "expert": expert,
        "expert_time_limit": 1.0,
        "data_dir": None,
        "tensorboard": None,
    }
