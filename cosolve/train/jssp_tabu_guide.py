"""An evolution strategy for the learned guide of the job shop tabu search, on the shared loop
(:mod:`cosolve.train.loop`).

The guide (:class:`~cosolve.gnn.jssp_tabu_guide.TabuGuide`) changes which move the tabu search
makes at each of its iterations, and what it is worth shows only at the end of a long search:
there is no per-move gradient, so it is trained as a black box (Salimans et al. 2017, "Evolution
Strategies as a Scalable Alternative to Reinforcement Learning"). One training step is one
generation: ``pairs`` random directions ``e`` in weight space, each tried as ``w + sigma e`` and
``w - sigma e`` (antithetic pairs); every candidate runs ``iterations`` tabu iterations on the
same ``num_envs`` random shops from their MWKR schedules with the same random stream (common
random numbers: candidates differ only by their weights). A candidate's fitness is its mean
makespan relative to the population's on each shop; the centred ranks of the fitnesses weight
the directions into a gradient estimate, which Adam follows with a geometrically decaying step.

Validation: the mean makespan of ``validation_count`` fixed shops of ``validation_size`` after
``validation_iterations`` guided iterations from MWKR (the same random stream every time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from cosolve.baselines.jssp_rules import run_rule
from cosolve.baselines.jssp_tabu import tabu_search
from cosolve.gnn.jssp_tabu_guide import TabuGuide, TabuGuideConfig
from cosolve.problems.jssp import generate
from cosolve.problems.jssp.check import evaluate as makespan_of
from cosolve.train.loop import Run, geometric_decay, seed_everything, start_run, train_loop
from cosolve.train.recipes import Recipe, TrainRequest

START_RULE = "mwkr"
"""The rule whose schedules the searches start from (the best start of plain tabu search)."""


@dataclass(kw_only=True)
class GuideArgs:
    """The run's knobs (stored in its checkpoints); ``initial``: the learned weights to start
    from (default zeros: plain tabu search)."""

    out: str
    sizes: list[str] = field(default_factory=lambda: ["15x15", "20x20"])
    generations: int = 60
    pairs: int = 6
    num_envs: int = 8
    iterations: int = 100_000
    sigma: float = 0.3
    learning_rate: float = 0.1
    final_learning_rate: float = 0.02
    validate_every: int = 5
    validation_size: str = "20x20"
    validation_count: int = 8
    validation_iterations: int = 100_000
    initial: list[float] | None = None
    seed: int = 0
    device: str = "cpu"
    tensorboard: str | None = None
    config: dict = field(default_factory=lambda: TabuGuideConfig().to_dict())


def makespans(instances: list, starts: list, iterations: int, weights: np.ndarray, seed: int) -> np.ndarray:
    """Makespans ``[P, N]`` after ``iterations`` tabu iterations guided by each row of ``weights``
    ``[P, GUIDE_FEATURES]`` on the ``N`` ``instances`` (one random stream for every row)."""
    rows = []
    for guide in weights:
        solutions = tabu_search(instances, starts, iterations=iterations, seed=seed, guide=guide)
        rows.append([makespan_of(instance, solution) for instance, solution in zip(instances, solutions)])
    return np.asarray(rows, dtype=np.float64)


def centred_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks of ``values`` ``[P]`` scaled to [-0.5, 0.5] (ties share no rank: stable order)."""
    ranks = np.empty(len(values))
    ranks[np.argsort(values, kind="stable")] = np.arange(len(values))
    return ranks / max(1, len(values) - 1) - 0.5


def train(
    args: GuideArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Run the evolution strategy; writes the best checkpoint by validation makespan to
    ``args.out``, the latest to ``args.out + '.last'`` and a CSV log to ``args.out + '.csv'``."""
    seed_everything(args.seed)
    guide = TabuGuide(TabuGuideConfig(**args.config))
    if args.initial is not None:
        with torch.no_grad():
            guide.weights.copy_(torch.tensor(args.initial, dtype=torch.float64))
    optimizer = torch.optim.Adam(guide.parameters(), lr=args.learning_rate)
    run = start_run("jssp_tabu_guide", "generation", guide, optimizer, args.seed, "cpu", resume)
    run.about = {"algo": "es", "sizes": list(args.sizes)}
    validation = generate(args.validation_size, args.validation_count, seed=10_000 + args.seed)
    validation_starts = run_rule(validation, START_RULE)

    def generation(run: Run) -> dict:
        size = args.sizes[run.done % len(args.sizes)]
        instances = generate(size, args.num_envs, seed=args.seed * 1_000_003 + run.done)
        starts = run_rule(instances, START_RULE)
        directions = torch.randn(args.pairs, guide.weights.numel(), generator=run.generator, dtype=torch.float64)
        directions = torch.cat([directions, -directions])  # [2P, F - 1]
        weights = guide.kernel_weights(args.sigma * directions)
        spans = makespans(instances, starts, args.iterations, weights, int(run.rng.integers(2**31)))  # [2P, N]
        fitness = (spans / spans.mean(axis=0, keepdims=True)).mean(axis=1)  # [2P], lower is better
        ranks = torch.from_numpy(centred_ranks(fitness))
        run.optimizer.zero_grad()
        guide.weights.grad = (ranks[:, None] * directions).sum(dim=0) / (len(ranks) * args.sigma)
        run.optimizer.step()
        start = np.mean([makespan_of(i, s) for i, s in zip(instances, starts)])
        return {"loss": float(fitness.mean()), "improvement": float((start - spans.mean()) / start * 100)}

    def validate(trained: TabuGuide) -> tuple[float, dict]:
        weights = trained.kernel_weights()[None]
        makespan = float(
            makespans(validation, validation_starts, args.validation_iterations, weights, args.seed).mean()
        )
        learned = {f"w{index + 1}": float(w) for index, w in enumerate(trained.weights.detach())}
        return makespan, {"valid_makespan": makespan, **learned}

    schedule = geometric_decay(args.learning_rate, args.final_learning_rate, args.generations)
    return train_loop(run, args, args.generations, generation, validate, schedule, log, progress)


def run_recipe(request: TrainRequest) -> dict:
    """``cosolve train jssp --mode guide``: the evolution strategy on random shops, validated on 20x20."""
    options = request.options
    args = GuideArgs(
        **request.common(),
        sizes=request.sizes("jssp"),
        generations=options["episodes"],
        num_envs=options["batch_size"],
        validate_every=options["validate_every"],
    )
    return request.train(train, args)


RECIPE = Recipe(
    problem="jssp",
    mode="guide",
    algo="es",
    summary="the learned guide of tabu:guide: an evolution strategy over its move-feature weights on random shops",
    defaults={"sizes": "15x15,20x20", "episodes": 60, "batch_size": 8, "validate_every": 5, "tensorboard": None},
    run=run_recipe,
    score="validation makespan after 100,000 guided tabu iterations",
    arguments=GuideArgs,
)
