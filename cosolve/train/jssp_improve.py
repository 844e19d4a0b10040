"""REINFORCE for the job shop improvement policy (L2S's recipe, sized for a CPU), on the shared
loop (:mod:`cosolve.train.loop`).

One training step is one episode: ``num_envs`` random shops of a training size, each improved
for ``episode_steps`` moves sampled from the policy (:mod:`cosolve.problems.jssp.improve`).
As in L2S (Zhang et al. 2024), the reward of a move is the improvement of the best makespan
(never negative), undiscounted, and the policy is updated every ``window`` moves from the
returns within that window (REINFORCE; the baseline is the batch's mean return at each move,
the advantages scaled to unit variance) with an entropy bonus. Adam's step size decays
geometrically from ``learning_rate`` to ``final_learning_rate``.

Starting schedules: L2S starts from FDD/MWKR. A CPU cannot afford 500-move episodes, so the
episodes here are short and start where long searches spend their time too: a dispatching
rule's schedule (one of :data:`START_RULES`, drawn per episode), improved by a random number of
tabu-search iterations (up to ``warm_iterations``, 0 in about a third of the episodes), so
that the policy meets both fresh schedules and nearly local-optimal ones.

Validation: the mean best makespan of ``validation_count`` fixed shops of ``validation_size``
after ``validation_steps`` sampled moves from FDD/MWKR (the same draws every time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from cosolve.baselines.jssp_rules import run_rule
from cosolve.baselines.jssp_tabu import tabu_search
from cosolve.gnn.decode import categorical_entropy, masked_log_probs
from cosolve.gnn.jssp_improve import choose, improve
from cosolve.gnn.jssp_improve_policy import ImprovePolicy, ImprovePolicyConfig
from cosolve.problems.jssp import generate
from cosolve.problems.jssp import improve as mdp
from cosolve.problems.jssp.check import evaluate as makespan_of
from cosolve.train.loop import Run, geometric_decay, gradient_step, seed_everything, start_run, train_loop
from cosolve.train.recipes import Recipe, TrainRequest

START_RULES = ("fdd-mwkr", "mwkr", "spt", "random")
"""Rules whose schedules start the training episodes."""


@dataclass(kw_only=True)
class ImproveArgs:
    """The run's knobs (stored in its checkpoints)."""

    out: str
    sizes: list[str] = field(default_factory=lambda: ["10x10"])
    episodes: int = 400
    num_envs: int = 32
    episode_steps: int = 64
    window: int = 16
    warm_iterations: int = 2000
    learning_rate: float = 3e-3
    final_learning_rate: float = 3e-4
    ent_coef: float = 0.01
    max_grad_norm: float = 0.5
    validate_every: int = 10
    validation_size: str = "15x15"
    validation_count: int = 16
    validation_steps: int = 128
    seed: int = 0
    device: str = "cpu"
    tensorboard: str | None = None
    config: dict = field(default_factory=lambda: ImprovePolicyConfig().to_dict())


def episode_starts(instances: list, rng: np.random.Generator, warm_iterations: int) -> list:
    """Starting schedules of one episode: a random rule's, then a random number of tabu iterations."""
    rule = START_RULES[int(rng.integers(len(START_RULES)))]
    starts = run_rule(instances, rule, seed=int(rng.integers(2**31)))
    iterations = int(rng.integers(-warm_iterations // 2, warm_iterations + 1))
    if iterations > 0:
        starts = tabu_search(instances, starts, iterations=iterations, seed=int(rng.integers(2**31)))
    return starts


def window_loss(
    policy: ImprovePolicy,
    observations: list[mdp.ImproveObservation],
    actions: list[torch.Tensor],
    rewards: np.ndarray,
    ent_coef: float,
) -> tuple[torch.Tensor, dict]:
    """REINFORCE loss of one window: ``rewards`` ``[W, B]``; returns-to-go within the window,
    minus the batch mean per move, scaled to unit variance; chains without a move do not count."""
    returns = torch.from_numpy(np.cumsum(rewards[::-1], axis=0)[::-1].copy())  # [W, B]
    live = torch.stack([observation.mask.any(dim=1) for observation in observations]).cpu()  # [W, B]
    counted = live.float()
    baseline = (returns * counted).sum(dim=1, keepdim=True) / counted.sum(dim=1, keepdim=True).clamp(min=1)
    advantages = (returns - baseline) * counted
    scale = advantages[live].std() if int(live.sum()) > 1 else torch.tensor(1.0)
    advantages = advantages / (scale + 1e-6)
    log_probs, entropies = [], []
    for observation, action in zip(observations, actions):
        every = masked_log_probs(policy(observation), observation.mask)
        log_probs.append(every.gather(1, action.unsqueeze(1)).squeeze(1))
        entropies.append(categorical_entropy(every, observation.mask))
    log_probs, entropies = torch.stack(log_probs).cpu(), torch.stack(entropies).cpu()
    count = counted.sum().clamp(min=1)
    policy_loss = -(advantages * log_probs * counted).sum() / count
    entropy = (entropies * counted).sum() / count
    return policy_loss - ent_coef * entropy, {"entropy": float(entropy.detach())}


def train(
    args: ImproveArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Run REINFORCE; writes the best checkpoint by validation makespan to ``args.out``, the
    latest to ``args.out + '.last'`` and a CSV log to ``args.out + '.csv'``."""
    seed_everything(args.seed)
    policy = ImprovePolicy(ImprovePolicyConfig(**args.config)).to(args.device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.learning_rate)
    run = start_run("jssp_improve", "episode", policy, optimizer, args.seed, args.device, resume)
    run.about = {"algo": "reinforce", "sizes": list(args.sizes)}
    validation = generate(args.validation_size, args.validation_count, seed=10_000 + args.seed)
    validation_starts = run_rule(validation, "fdd-mwkr")

    def episode(run: Run) -> dict:
        size = args.sizes[run.done % len(args.sizes)]
        instances = generate(size, args.num_envs, seed=args.seed * 1_000_003 + run.done)
        state = mdp.start(instances, episode_starts(instances, run.rng, args.warm_iterations))
        losses, entropies = [], []
        for _ in range(max(1, args.episode_steps // args.window)):
            observations, actions, rewards = [], [], []
            for _ in range(args.window):
                observation = mdp.observe(state, args.device)
                with torch.no_grad():
                    action = choose(policy(observation), observation.mask, run.generator)
                rewards.append(mdp.step(state, action.cpu().numpy()))
                observations.append(observation)
                actions.append(action)
            loss, stats = window_loss(policy, observations, actions, np.stack(rewards), args.ent_coef)
            losses.append(gradient_step(run, loss, args.max_grad_norm))
            entropies.append(stats["entropy"])
        improvement = float(np.mean((state.start - state.best) / state.start)) * 100
        return {"loss": float(np.mean(losses)), "entropy": float(np.mean(entropies)), "improvement": improvement}

    def validate(trained: ImprovePolicy) -> tuple[float, dict]:
        solutions = improve(
            trained, validation, validation_starts, steps=args.validation_steps, seed=args.seed, device=args.device
        )
        makespan = float(np.mean([makespan_of(i, s) for i, s in zip(validation, solutions)]))
        return makespan, {"valid_makespan": makespan}

    schedule = geometric_decay(args.learning_rate, args.final_learning_rate, args.episodes)
    return train_loop(run, args, args.episodes, episode, validate, schedule, log, progress)


def run_recipe(request: TrainRequest) -> dict:
    """``cosolve train jssp --mode improve``: REINFORCE on random shops, validated on 15x15."""
    options = request.options
    args = ImproveArgs(
        **request.common(),
        sizes=request.sizes("jssp"),
        episodes=options["episodes"],
        num_envs=options["batch_size"],
        validate_every=options["validate_every"],
    )
    return request.train(train, args)


RECIPE = Recipe(
    problem="jssp",
    mode="improve",
    algo="reinforce",
    summary="the improvement policy of the l2s method: REINFORCE on N5 moves of random shops (L2S's reward)",
    defaults={"sizes": "10x10", "episodes": 400, "batch_size": 32, "validate_every": 10, "tensorboard": None},
    run=run_recipe,
    score="validation makespan after 128 moves",
    arguments=ImproveArgs,
)
