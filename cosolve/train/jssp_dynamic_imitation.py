"""Imitation of the lookahead dispatcher (:mod:`cosolve.baselines.jssp_dynamic_pilot`) by the
dynamic job shop policy, with DAgger.

Each round plays ``instances`` random Taillard shops of one drawn size under one drawn setting
and scenario with the *current policy* (sampling, so the states are the ones the policy
reaches, not the expert's), and labels every decision with the lookahead makespans of its
candidate jobs. The target of a decision is ``softmax(-(makespan - best) / (temperature *
best))`` over the candidates: jobs within a fraction ``temperature`` of the best lookahead get
most of the weight, ties share it. Every labelled decision is kept (the DAgger aggregate, up to
``memory`` decision batches), and each round takes ``updates`` Adam steps of cross-entropy, each
on one decision batch drawn from the aggregate.

Why: the lookahead is 7-13 % below the best rule on blocking shops (ft10, ft20, ta21-22 under
``p0.02+blocking``, seeds 1-2), and its label says which job to start, where an episode's return
says only how the whole run went. Measured so far (2-core CPU): the policy does not pick the
lookahead's choices up — on 40 labelled decision batches of 10x10 blocking shops, 30 epochs
took the cross-entropy from 0.37 to 0.30 (target entropy 0.12) and the agreement with the
lookahead's best from 0.85 to 0.91, and 30 DAgger rounds from the PPO blocking policy left its
validation ratio within the noise (0.98-1.04). A larger network does not help: on 2,100
labelled decision batches (30 rounds of 16 random 10x10 blocking shops), a 128-wide 4-layer
policy trained from scratch for 14 epochs matched the lookahead's best job on 45.5 % of the
held-out decisions that have a choice (chance 36 %, the shipped policy 41.5 %) and dispatched
no better than the shipped policy. The lookahead's choice depends on a whole simulated future
that the graph features do not carry; the module stays as the tool for richer features.

Validation and checkpoints as in :mod:`cosolve.train.jssp_dynamic_ppo` (mean ratio of greedy
dispatching to the best rule on fixed instances and scenarios), through the shared loop
(:mod:`cosolve.train.loop`). A resumed run continues from the saved weights, optimizer and random
states, but its aggregate of labelled decisions starts empty (it is not checkpointed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from cosolve.baselines.jssp_dynamic_pilot import PILOT_RULES, lookahead_makespans
from cosolve.gnn.decode import masked_log_probs
from cosolve.gnn.jssp_dynamic_rollout import PROBLEM, choose, dynamic_config
from cosolve.problems.jssp.dynamic.env import Dynamics, reset, step
from cosolve.problems.jssp.dynamic.observe import Observation, observe
from cosolve.train.jssp_dynamic_ppo import (
    SETTINGS,
    check_settings,
    draw_shops,
    initial_policy,
    validation_score,
    validation_set,
)
from cosolve.train.loop import Run, gradient_step, seed_everything, start_run, train_loop
from cosolve.train.recipes import Recipe, TrainRequest


@dataclass
class DynamicImitationArgs:
    """Every knob of the run."""

    out: str
    sizes: list[str] = field(default_factory=lambda: ["10x10", "15x15", "20x5"])
    settings: list[str] = field(default_factory=lambda: [name for name, d in SETTINGS.items() if d.blocking])
    rounds: int = 200
    instances: int = 16
    pilot_rules: list[str] = field(default_factory=lambda: list(PILOT_RULES))
    temperature: float = 0.01
    learning_rate: float = 3e-4
    updates: int = 200
    memory: int = 4000
    max_grad_norm: float = 1.0
    validate_every: int = 5
    validation_size: str = "15x15"
    validation_count: int = 8
    init: str = "none"
    """As in :class:`DynamicPPOArgs`: ``static``, ``none`` or a checkpoint path."""
    seed: int = 0
    device: str = "cpu"
    tensorboard: str | None = None
    config: dict = field(default_factory=lambda: dynamic_config().to_dict())


def targets(makespans: torch.Tensor, temperature: float) -> torch.Tensor:
    """``[B, J]`` target distributions from lookahead ``makespans`` ``[B, J]`` (``inf`` off the
    candidates); rows with no candidate are all zero."""
    best = makespans.min(dim=1, keepdim=True).values
    scaled = -(makespans - best) / (temperature * best.clamp(min=1.0))
    live = torch.isfinite(best)
    return torch.where(live, torch.softmax(torch.where(live, scaled, 0.0), dim=1), 0.0).float()


def collect(policy, instances: list, dynamics: Dynamics, seeds: list[int], args: DynamicImitationArgs, generator):
    """Play the policy (sampling) and label every decision; returns ``[(observation, target)]``
    per decision and the makespans ``[B]`` of the policy's own runs."""
    state = reset(instances, dynamics, seeds, args.device)
    labelled: list[tuple[Observation, torch.Tensor]] = []
    with torch.no_grad():
        while not bool(state.done.all()):
            observation = observe(state)
            target = targets(lookahead_makespans(state, args.pilot_rules), args.temperature)
            labelled.append((observation, target))
            action, _ = choose(policy, observation, sample=True, generator=generator)
            step(state, action)
    return labelled, state.makespan.double()


def cross_entropy(policy, observation: Observation, target: torch.Tensor) -> torch.Tensor:
    """Mean over the live rows of ``-sum target * log p``."""
    logits, _ = policy(observation)
    log_probs = masked_log_probs(logits, observation.mask).masked_fill(~observation.mask, 0.0)
    live = observation.mask.any(dim=1)
    return -(target * log_probs).sum(dim=1)[live].mean()


def fit(run: Run, memory: list, args: DynamicImitationArgs) -> float:
    """``args.updates`` steps, each on one decision batch of the aggregate; the mean loss."""
    losses = []
    for index in run.rng.integers(len(memory), size=args.updates):
        observation, target = memory[index]
        losses.append(gradient_step(run, cross_entropy(run.policy, observation, target), args.max_grad_norm))
    return float(np.mean(losses))


def train(
    args: DynamicImitationArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Run DAgger; the best validation score is the mean makespan ratio to the best rule.
    ``resume``: continue from a run's ``.last`` (the aggregate starts empty again)."""
    check_settings(args.settings)
    seed_everything(args.seed)
    policy = initial_policy(args).to(args.device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.learning_rate)
    run = start_run(PROBLEM, "round", policy, optimizer, args.seed, args.device, resume)
    run.about = {"algo": "dagger", "sizes": list(args.sizes)}
    validation = validation_set(args)
    memory: list[tuple[Observation, torch.Tensor]] = []

    def dagger_round(run: Run) -> dict:
        nonlocal memory
        started = time.time()
        size, name, shops, seeds = draw_shops(run.rng, args)
        policy.eval()
        labelled, makespans = collect(policy, shops, SETTINGS[name], seeds, args, run.generator)
        memory = (memory + labelled)[-args.memory :]
        labelling = time.time() - started
        policy.train()
        return {
            "loss": fit(run, memory, args),
            "size": size,
            "setting": name,
            "policy_makespan": float(makespans.mean()),
            "decisions": len(labelled),
            "memory": len(memory),
            "label_seconds": labelling,
        }

    score = validation_score(validation, args.device)
    return train_loop(run, args, args.rounds, dagger_round, score, None, log, progress)


def run_recipe(request: TrainRequest) -> dict:
    """``cosolve train jssp --mode dynamic --algo imitation``: DAgger on the lookahead dispatcher."""
    options = request.options
    sizes = request.sizes("jssp")
    args = DynamicImitationArgs(
        **request.common(),
        sizes=sizes,
        rounds=options["episodes"],
        instances=options["batch_size"],
        validate_every=options["validate_every"],
        validation_size=sizes[-1],
        init=str(options["init"]) if options["init"] else "none",
    )
    return request.train(train, args)


RECIPE = Recipe(
    problem="jssp",
    mode="dynamic",
    algo="imitation",
    summary="DAgger on the lookahead dispatcher, blocking shops (slow: a lookahead per decision)",
    defaults={
        "sizes": "10x10,15x15,20x5",
        "episodes": 200,
        "batch_size": 16,
        "validate_every": 5,
        "init": None,
        "tensorboard": None,
    },
    run=run_recipe,
    score="validation makespan / the best rule's",
    arguments=DynamicImitationArgs,
)
