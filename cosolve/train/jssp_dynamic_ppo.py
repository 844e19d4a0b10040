"""PPO for the dynamic job shop policy (random shutdowns, blocking and swaps).

Each iteration draws one shop size and one shop setting (:data:`SETTINGS`), ``instances``
random Taillard instances, and a scenario seed per instance; every instance is played
``rollouts`` times under the *same* scenario (common random numbers), sampling from the
policy. The return of an episode is ``-makespan / lower_bound``; its advantage is the
difference to the mean of the other rollouts of the same instance and scenario (a shared
leave-one-out baseline, no critic: episodes differ in length and events, and the comparison
under one scenario removes the luck of the breakdowns). Every decision of the episode gets
that advantage; the update is PPO's clipped surrogate over ``update_epochs`` passes.

Validation: greedy dispatching on fixed instances and scenarios for every setting, scored by
the mean ratio of the policy's makespan to the best dispatching rule's of that setting (below
1: better than every rule). The best score is kept in ``out``, the latest in ``out.last``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from cosolve.baselines.jssp_dynamic_rules import simulate_rule
from cosolve.baselines.jssp_rules import RULES
from cosolve.checkpoint import load_checkpoint, save_training_checkpoints, shipped_checkpoint
from cosolve.errors import CosolveInputError
from cosolve.gnn.jssp_dynamic_rollout import (
    PROBLEM,
    choose,
    dynamic_config,
    from_static,
    load_dynamic_policy,
    log_probs_over,
    simulate_policy,
)
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.gnn.jssp_rollout import load_policy
from cosolve.problems.jssp.dynamic.env import Dynamics, reset, step
from cosolve.problems.jssp.dynamic.observe import observe
from cosolve.problems.jssp.dynamic.shutdowns import ShutdownModel
from cosolve.problems.jssp.generate import generate_spec
from cosolve.problems.jssp.observe import load_bound
from cosolve.train.log import append_csv

SETTINGS = {
    f"p{prob:g}{'+blocking' if blocking else ''}": Dynamics(
        ShutdownModel(prob=prob), interrupt="resume", blocking=blocking, swap=blocking
    )
    for blocking in (False, True)
    for prob in (0.0, 0.01, 0.02, 0.05)
}
"""The shop settings trained and benchmarked: shutdown probability per time step 0 to 0.05
(interrupted operations resume, repairs 1 to a fifth of the mean processing time), without and with
blocking + swaps."""


@dataclass
class DynamicPPOArgs:
    """Every knob of the run."""

    out: str
    sizes: list[str] = field(default_factory=lambda: ["8x8", "10x10"])
    """Shop specs drawn from: ``JxM`` (Taillard's generator) or ``flow:JxM`` (flow-like shops)."""
    settings: list[str] = field(default_factory=lambda: list(SETTINGS))
    iterations: int = 300
    instances: int = 8
    rollouts: int = 8
    learning_rate: float = 3e-5
    update_epochs: int = 2
    num_minibatches: int = 4
    clip_coef: float = 0.2
    ent_coef: float = 0.001
    max_grad_norm: float = 0.5
    validate_every: int = 10
    validation_size: str = "10x10"
    """One size, or several comma-separated (each validated on its own, ratios averaged)."""
    validation_count: int = 8
    init: str = "static"
    """``static``: warm start from the shipped static job shop policy; ``none``: random
    weights; else a checkpoint path (dynamic, or static to warm-start from)."""
    seed: int = 0
    device: str = "cpu"
    config: dict = field(default_factory=lambda: dynamic_config().to_dict())


def initial_policy(args) -> JobShopPolicy:
    """The policy a run starts from, by ``args.init`` (and ``args.config`` for ``none``); any
    trainer's arguments with those fields (PPO's, imitation's)."""
    if args.init == "static":
        return from_static(load_policy(shipped_checkpoint("jssp")))
    if args.init == "none":
        return JobShopPolicy(PolicyConfig(**args.config))
    try:
        return load_dynamic_policy(args.init)
    except CosolveInputError:  # not a dynamic checkpoint: a static job shop one?
        return from_static(load_policy(args.init))


def collect(policy: JobShopPolicy, instances: list, dynamics: Dynamics, seeds: list[int], device: str):
    """Sampled episodes; returns per decision the observations, actions, log-probs and live
    masks ``[B]``, and the makespans ``[B]``."""
    state = reset(instances, dynamics, seeds, device)
    observations, actions, log_probs, live = [], [], [], []
    with torch.no_grad():
        while not bool(state.done.all()):
            observation = observe(state)
            action, log_prob = choose(policy, observation, sample=True)
            observations.append(observation)
            actions.append(action)
            log_probs.append(log_prob)
            live.append(~state.done)
            step(state, action)
    if bool(state.deadlocked.any()):
        raise RuntimeError("a training episode deadlocked (blocking without swaps is not trained)")
    return observations, actions, log_probs, live, state.makespan.double()


def leave_one_out(makespans: torch.Tensor, bounds: torch.Tensor, rollouts: int) -> torch.Tensor:
    """``[B]`` advantages: (mean makespan of the other rollouts of the instance - own) / bound,
    normalised over the batch. Rows are instance-major: ``rollouts`` consecutive rows share an
    instance and a scenario."""
    groups = makespans.view(-1, rollouts)
    others = (groups.sum(dim=1, keepdim=True) - groups) / max(rollouts - 1, 1)
    advantage = ((others - groups) / bounds.view(-1, rollouts)).view(-1)
    return advantage / advantage.std().clamp(min=1e-8)


def update(policy, optimizer, batch, advantage: torch.Tensor, args: DynamicPPOArgs) -> dict:
    """PPO's clipped surrogate over the recorded decisions; returns loss statistics."""
    observations, actions, old_log_probs, live = batch
    steps = len(observations)
    clipped, losses = [], []
    for _ in range(args.update_epochs):
        order = np.random.permutation(steps)
        for chunk in np.array_split(order, min(args.num_minibatches, steps)):
            optimizer.zero_grad()
            total_live = sum(int(live[t].sum()) for t in chunk)
            loss_sum = 0.0
            for t in chunk:
                logits, _ = policy(observations[t])
                rows = live[t]
                log_probs = log_probs_over(logits, observations[t].mask)
                new = log_probs.gather(1, actions[t].unsqueeze(1)).squeeze(1)
                ratio = (new - old_log_probs[t]).exp()
                surrogate = torch.minimum(
                    ratio * advantage, ratio.clamp(1 - args.clip_coef, 1 + args.clip_coef) * advantage
                )
                finite = log_probs.masked_fill(~observations[t].mask, 0.0)  # no 0 * -inf in the gradient
                entropy = -(finite.exp() * finite).sum(dim=1)
                loss = -(torch.where(rows, surrogate + args.ent_coef * entropy, 0.0)).sum() / max(total_live, 1)
                loss.backward()
                loss_sum += float(loss.detach())
                clipped.append(float(((ratio - 1).abs() > args.clip_coef)[rows].float().mean()))
            torch.nn.utils.clip_grad_norm_(policy.parameters(), args.max_grad_norm)
            optimizer.step()
            losses.append(loss_sum)
    return {"loss": float(np.mean(losses)), "clip_fraction": float(np.mean(clipped))}


def validation_set(args):
    """Fixed instances of each size of ``args.validation_size`` (comma-separated) and seeds, and
    per setting the best rule's mean makespan on each size (every rule of the benchmark, the
    seeded ``random`` included: under blocking it is often the best). ``args``: any trainer's
    arguments with ``validation_size``, ``validation_count``, ``seed`` and ``settings``."""
    sizes = [size.strip() for size in args.validation_size.split(",")]
    groups = [generate_spec(size, args.validation_count, seed=10_000 + args.seed + k) for k, size in enumerate(sizes)]
    seeds = list(range(1, args.validation_count + 1))
    best_rule = {}
    for name in dict.fromkeys(args.settings):  # a setting listed twice is drawn more often, validated once
        best_rule[name] = [
            float(
                min(np.mean([e.makespan for e in simulate_rule(group, rule, SETTINGS[name], seeds)]) for rule in RULES)
            )
            for group in groups
        ]
    return groups, seeds, best_rule


def validate(policy, groups, seeds, best_rule, device) -> dict:
    """Per setting, the ratio of the policy's mean makespan to the best rule's, averaged over the
    sizes."""
    ratios = {}
    for name, bests in best_rule.items():
        per_size = [
            float(np.mean([e.makespan for e in simulate_policy(policy, group, SETTINGS[name], seeds, device)])) / best
            for group, best in zip(groups, bests)
        ]
        ratios[name] = float(np.mean(per_size))
    return ratios


def check_settings(settings: list[str]) -> None:
    unknown = [name for name in settings if name not in SETTINGS]
    if unknown:
        raise ValueError(f"unknown settings {unknown} (choose from {', '.join(SETTINGS)})")


def resume_from(out: str, policy, optimizer) -> tuple[int, float]:
    """Load ``out.last`` into ``policy`` and ``optimizer`` when it exists; returns the iteration
    (or round) it had reached and its best score, ``(0, inf)`` without one."""
    last = Path(f"{out}.last")
    if not last.is_file():
        return 0, float("inf")
    previous = load_checkpoint(last, PROBLEM)
    policy.load_state_dict(previous["weights"])
    optimizer.load_state_dict(previous["training"]["optimizer"])
    return previous["training"]["iteration"], previous["training"]["best_score"]


def draw_shops(rng: np.random.Generator, args) -> tuple[str, str, list, list[int]]:
    """One iteration's size and setting (drawn from ``args.sizes`` and ``args.settings``),
    ``args.instances`` random shops of that size and a scenario seed for each."""
    size = args.sizes[int(rng.integers(len(args.sizes)))]
    name = args.settings[int(rng.integers(len(args.settings)))]
    shops = generate_spec(size, args.instances, seed=int(rng.integers(2**31)))
    seeds = [int(s) for s in rng.integers(1, 2**31, size=args.instances)]
    return size, name, shops, seeds


def validate_and_save(
    policy, optimizer, validation: tuple, args, iteration: int, best_score: float, row: dict
) -> float:
    """Validate ``policy`` on ``validation`` (:func:`validation_set`), add the scores to ``row``,
    write ``args.out.last`` (and ``args.out`` when best) and the CSV row; returns the best score."""
    ratios = validate(policy, *validation, args.device)
    score = float(np.mean(list(ratios.values())))
    row.update({"score": score, **{f"ratio_{k}": v for k, v in ratios.items()}})
    is_best = score < best_score
    best_score = min(best_score, score)
    training = {
        "iteration": iteration,
        "best_score": best_score,
        "optimizer": optimizer.state_dict(),
        "args": asdict(args),
    }
    config = policy.config.to_dict()
    save_training_checkpoints(args.out, PROBLEM, policy, config, training, {"score": score, **ratios}, is_best)
    append_csv(f"{args.out}.csv", row)  # one row per validation: the same columns every time
    return best_score


def train(args: DynamicPPOArgs, log: Callable[[dict], None] = print, resume: bool = True) -> float:
    """Run PPO; returns the best validation score (mean makespan ratio to the best rule).
    With ``resume``, a run whose ``out.last`` exists continues from it."""
    check_settings(args.settings)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    policy = initial_policy(args).to(args.device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.learning_rate)
    start_iteration, best_score = resume_from(args.out, policy, optimizer) if resume else (0, float("inf"))
    rng = np.random.default_rng(args.seed + start_iteration)
    validation = validation_set(args)
    for iteration in range(start_iteration, args.iterations):
        started = time.time()
        size, name, shops, seeds = draw_shops(rng, args)
        batch_instances = [shop for shop in shops for _ in range(args.rollouts)]
        batch_seeds = [seed for seed in seeds for _ in range(args.rollouts)]
        policy.eval()
        *recorded, makespans = collect(policy, batch_instances, SETTINGS[name], batch_seeds, args.device)
        durations = torch.as_tensor(np.stack([shop.durations for shop in shops]), dtype=torch.int64)
        bounds = load_bound(durations, torch.as_tensor(np.stack([shop.machines for shop in shops])))
        advantage = leave_one_out(makespans.cpu(), bounds.repeat_interleave(args.rollouts).double(), args.rollouts)
        policy.train()
        stats = update(policy, optimizer, recorded, advantage.float().to(args.device), args)
        row = {
            "iteration": iteration + 1,
            "size": size,
            "setting": name,
            "mean_makespan": float(makespans.mean()),
            "decisions": len(recorded[0]),
            "seconds": round(time.time() - started, 2),
            **stats,
        }
        if (iteration + 1) % args.validate_every == 0 or iteration + 1 == args.iterations:
            best_score = validate_and_save(policy, optimizer, validation, args, iteration + 1, best_score, row)
        log(row)
    return best_score
