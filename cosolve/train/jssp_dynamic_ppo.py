"""PPO for the dynamic job shop policy (random shutdowns, blocking and swaps).

Each iteration draws one shop size and one shop setting (:data:`SETTINGS`), ``instances``
random Taillard instances, and a scenario seed per instance; every instance is played
``rollouts`` times under the *same* scenario (common random numbers), sampling from the
policy. The return of an episode is ``-makespan / lower_bound``; its advantage is the
difference to the mean of the other rollouts of the same instance and scenario (a shared
leave-one-out baseline, no critic: episodes differ in length and events, and the comparison
under one scenario removes the luck of the breakdowns). Every decision of the episode gets
that advantage; the update is the shared PPO core's (:mod:`cosolve.train.ppo`, PPO-EWMA with
``ppo_ewma``), the loop the shared one (:mod:`cosolve.train.loop`).

Validation: greedy dispatching on fixed instances and scenarios for every setting, scored by
the mean ratio of the policy's makespan to the best dispatching rule's of that setting (below
1: better than every rule). The best score is kept in ``out``, the latest in ``out.last``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from cosolve.baselines.jssp_dynamic_rules import simulate_rule
from cosolve.baselines.jssp_rules import RULES
from cosolve.checkpoint import shipped_checkpoint
from cosolve.errors import CosolveInputError
from cosolve.gnn.jssp_dynamic_rollout import (
    PROBLEM,
    check_dynamic_graph,
    choose,
    dynamic_config,
    from_static,
    simulate_policy,
)
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.gnn.loading import load_policy
from cosolve.problems.jssp.dynamic.env import Dynamics, reset, step
from cosolve.problems.jssp.dynamic.observe import observe
from cosolve.problems.jssp.dynamic.shutdowns import ShutdownModel
from cosolve.problems.jssp.generate import generate_spec
from cosolve.problems.jssp.observe import load_bound
from cosolve.train.jssp_ppo import evaluator  # the same job shop network: values unused (no critic)
from cosolve.train.loop import Run, linear_decay, seed_everything, start_run, train_loop
from cosolve.train.ppo import Batch, Learner, PPOArgs, leave_one_out
from cosolve.train.recipes import Recipe, TrainRequest

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


@dataclass(kw_only=True)
class DynamicPPOArgs(PPOArgs):
    """The run: the PPO knobs of :class:`~cosolve.train.ppo.PPOArgs` (no critic: advantages
    are leave-one-out) and the dynamic job shop's."""

    out: str
    sizes: list[str] = field(default_factory=lambda: ["8x8", "10x10"])
    """Shop specs drawn from: ``JxM`` (Taillard's generator) or ``flow:JxM`` (flow-like shops)."""
    settings: list[str] = field(default_factory=lambda: list(SETTINGS))
    iterations: int = 300
    instances: int = 8
    rollouts: int = 8
    learning_rate: float = 3e-5
    anneal_lr: bool = False
    update_epochs: int = 2
    ent_coef: float = 0.001
    validate_every: int = 10
    validation_size: str = "10x10"
    """One size, or several comma-separated (each validated on its own, ratios averaged)."""
    validation_count: int = 8
    init: str = "static"
    """``static``: warm start from the shipped static job shop policy; ``none``: random
    weights; else a checkpoint path (dynamic, or static to warm-start from)."""
    seed: int = 0
    device: str = "cpu"
    tensorboard: str | None = None
    config: dict = field(default_factory=lambda: dynamic_config().to_dict())


def initial_policy(args) -> JobShopPolicy:
    """The policy a run starts from, by ``args.init`` (and ``args.config`` for ``none``); any
    trainer's arguments with those fields (PPO's, imitation's)."""
    if args.init == "static":
        return from_static(load_policy(shipped_checkpoint("jssp"), "jssp", JobShopPolicy))
    if args.init == "none":
        return JobShopPolicy(PolicyConfig(**args.config))
    try:
        return load_policy(args.init, PROBLEM, JobShopPolicy, check=check_dynamic_graph)
    except CosolveInputError:  # not a dynamic checkpoint: a static job shop one?
        return from_static(load_policy(args.init, "jssp", JobShopPolicy))


@torch.no_grad()
def collect(policy: JobShopPolicy, instances: list, dynamics: Dynamics, seeds: list[int], device: str, generator):
    """Sampled episodes (from ``generator``); returns per decision the observations, and the
    actions, log-probabilities and live masks ``[T, B]``, and the makespans ``[B]``."""
    state = reset(instances, dynamics, seeds, device)
    observations, actions, log_probs, live = [], [], [], []
    while not bool(state.done.all()):
        observation = observe(state)
        action, log_prob = choose(policy, observation, sample=True, generator=generator)
        observations.append(observation)
        actions.append(action)
        log_probs.append(log_prob)
        live.append(~state.done)
        step(state, action)
    if bool(state.deadlocked.any()):
        raise RuntimeError("a training episode deadlocked (blocking without swaps is not trained)")
    return observations, torch.stack(actions), torch.stack(log_probs), torch.stack(live), state.makespan.double()


def episode_advantages(makespans: torch.Tensor, bounds: torch.Tensor, rollouts: int) -> torch.Tensor:
    """``[B]`` each episode's return ``-makespan / bound`` minus the mean of the other rollouts of
    its instance and scenario. Rows are instance-major (``rollouts`` consecutive rows share an
    instance and a scenario)."""
    returns = (-makespans / bounds).view(-1, rollouts).T.reshape(-1)  # rollout-major
    return leave_one_out(returns, rollouts).view(rollouts, -1).T.reshape(-1)


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


def draw_shops(rng: np.random.Generator, args) -> tuple[str, str, list, list[int]]:
    """One iteration's size and setting (drawn from ``args.sizes`` and ``args.settings``),
    ``args.instances`` random shops of that size and a scenario seed for each."""
    size = args.sizes[int(rng.integers(len(args.sizes)))]
    name = args.settings[int(rng.integers(len(args.settings)))]
    shops = generate_spec(size, args.instances, seed=int(rng.integers(2**31)))
    seeds = [int(s) for s in rng.integers(1, 2**31, size=args.instances)]
    return size, name, shops, seeds


def validation_score(validation: tuple, device: str) -> Callable[[JobShopPolicy], tuple[float, dict]]:
    """The loop's ``validate``: the mean over settings of the makespan ratio to the best rule,
    and each setting's ratio."""

    def score(policy: JobShopPolicy) -> tuple[float, dict]:
        ratios = validate(policy, *validation, device)
        return float(np.mean(list(ratios.values()))), {f"ratio_{name}": ratio for name, ratio in ratios.items()}

    return score


def train(
    args: DynamicPPOArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Run PPO (``resume``: continue a run from its ``.last`` exactly); the best validation score
    is the mean makespan ratio to the best rule (see :func:`validate`)."""
    check_settings(args.settings)
    seed_everything(args.seed)
    policy = initial_policy(args).to(args.device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.learning_rate)
    run = start_run(PROBLEM, "iteration", policy, optimizer, args.seed, args.device, resume)
    run.about = {"algo": "ppo-ewma" if args.ppo_ewma else "ppo", "sizes": list(args.sizes)}
    learner = Learner(policy, args, run.extra)
    validation = validation_set(args)

    def iteration(run: Run) -> dict:
        size, name, shops, seeds = draw_shops(run.rng, args)
        batch_instances = [shop for shop in shops for _ in range(args.rollouts)]
        batch_seeds = [seed for seed in seeds for _ in range(args.rollouts)]
        policy.eval()
        observations, actions, log_probs, live, makespans = collect(
            policy, batch_instances, SETTINGS[name], batch_seeds, args.device, run.generator
        )
        policy.train()
        durations = torch.as_tensor(np.stack([shop.durations for shop in shops]), dtype=torch.int64)
        bounds = load_bound(durations, torch.as_tensor(np.stack([shop.machines for shop in shops])))
        advantage = episode_advantages(makespans.cpu(), bounds.repeat_interleave(args.rollouts).double(), args.rollouts)
        advantages = advantage.float().to(args.device).expand_as(log_probs).masked_fill(~live, 0.0)
        batch = Batch(log_probs, live, advantages)
        stats = learner.update(policy, optimizer, batch, evaluator(observations, actions), run.rng)
        run.extra = learner.state_dict()
        return {
            **stats,
            "size": size,
            "setting": name,
            "mean_makespan": float(makespans.mean()),
            "decisions": len(observations),
        }

    schedule = linear_decay(args.learning_rate, args.iterations) if args.anneal_lr else None
    score = validation_score(validation, args.device)
    return train_loop(run, args, args.iterations, iteration, score, schedule, log, progress)


def run_recipe(request: TrainRequest) -> dict:
    """``cosolve train jssp --mode dynamic``: PPO under random shutdowns, blocking and swaps
    (``batch_size`` shops per iteration, each played by ``rollouts`` episodes)."""
    options = request.options
    sizes = request.sizes("jssp")
    args = DynamicPPOArgs(
        **request.common(),
        sizes=sizes,
        iterations=options["episodes"],
        instances=options["batch_size"],
        rollouts=RECIPE.settings["rollouts"],
        validate_every=options["validate_every"],
        validation_size=sizes[-1],
        init=str(options["init"]) if options["init"] else "static",
        ppo_ewma=options["ppo_ewma"],
    )
    return request.train(train, args)


RECIPE = Recipe(
    problem="jssp",
    mode="dynamic",
    algo="ppo",
    summary="PPO under random shutdowns, blocking and swaps (leave-one-out baseline over 8 rollouts per shop); "
    "--init defaults to the shipped static policy",
    defaults={
        "sizes": "8x8,10x10",
        "episodes": 500,
        "batch_size": 4,
        "validate_every": 25,
        "init": None,
        "ppo_ewma": False,
        "tensorboard": None,
    },
    run=run_recipe,
    score="validation makespan / the best rule's",
    settings={
        "rollouts": 8,
        "shipped": {  # the shipped jssp_dynamic.pt ("general") and jssp_dynamic_blocking.pt ("blocking")
            "general": {
                "settings": [*SETTINGS, "p0.05+blocking", "p0.02+blocking"],
                "learning_rate": 1e-4,
                "seed": 2,
            },
            "blocking": {
                "settings": [name for name, dynamics in SETTINGS.items() if dynamics.blocking],
                "learning_rate": 3e-4,
                "seed": 3,
                "init": "none",
            },
        },
    },
    arguments=DynamicPPOArgs,
)
