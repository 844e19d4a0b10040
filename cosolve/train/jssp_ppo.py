"""PPO for the job shop policy on the shared core (:mod:`cosolve.train.ppo`, with PPO-EWMA as
``ppo_ewma``) and the shared loop (:mod:`cosolve.train.loop`).

Each iteration generates ``num_envs`` random Taillard instances of a training size, rolls the
current policy out on the batched env (all instances step together, ``J * M`` steps), and
updates it for ``update_epochs`` passes over minibatches of time steps.

Reward: ``r_t = -(makespan_t - makespan_{t-1}) / lower_bound``, the increase of the partial
makespan scaled by the instance's trivial lower bound (the largest job or machine load), so
an episode's return is ``-makespan / lower_bound`` whatever the size. Undiscounted
(``gamma = 1``) with GAE(``gae_lambda``) on the policy's value head.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.gnn.decode import categorical_entropy, masked_log_probs, pick
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.gnn.jssp_rollout import rollout
from cosolve.problems.jssp import generate
from cosolve.problems.jssp.env import reset, step
from cosolve.problems.jssp.observe import Observation, load_bound, observe
from cosolve.train.loop import Run, linear_decay, seed_everything, start_run, train_loop
from cosolve.train.ppo import Batch, Evaluation, Learner, PPOArgs, gae
from cosolve.train.recipes import Recipe, TrainRequest


@dataclass(kw_only=True)
class JobShopPPOArgs(PPOArgs):
    """The run: the PPO knobs of :class:`~cosolve.train.ppo.PPOArgs` and the job shop's."""

    out: str
    sizes: list[str] = field(default_factory=lambda: ["10x10"])
    iterations: int = 200
    num_envs: int = 32
    validate_every: int = 10
    validation_size: str = "15x15"
    validation_count: int = 32
    seed: int = 0
    device: str = "cpu"
    tensorboard: str | None = None
    config: dict = field(default_factory=lambda: PolicyConfig().to_dict())


@torch.no_grad()
def collect(policy: JobShopPolicy, instances: list, device: str, generator: torch.Generator):
    """Roll the policy out, sampling (from ``generator``); returns the per-step observations
    and actions ``[T, B]``, the batch of log-probabilities, values and rewards ``[T, B]``,
    and the final makespans ``[B]``."""
    state = reset(instances, device)
    bound = load_bound(state.durations, state.machines)
    observations, actions, log_probs, values, rewards = [], [], [], [], []
    while not bool(state.done.all()):
        observation = observe(state)
        logits, value = policy(observation)
        action = pick(logits, sample=True, generator=generator)
        before = state.makespan.clone()
        step(state, action)
        observations.append(observation)
        actions.append(action)
        log_probs.append(masked_log_probs(logits, observation.mask).gather(1, action.unsqueeze(1)).squeeze(1))
        values.append(value)
        rewards.append(-(state.makespan - before).float() / bound)
    return (
        observations,
        torch.stack(actions),
        torch.stack(log_probs),
        torch.stack(values),
        torch.stack(rewards),
        state.makespan,
    )


def evaluator(observations: list[Observation], actions: torch.Tensor):
    """``evaluate(network, steps)`` of the recorded decisions (see :mod:`cosolve.train.ppo`), for
    any :class:`JobShopPolicy` (static or dynamic observations; the values serve a critic)."""

    def evaluate(network: JobShopPolicy, steps: Sequence[int]) -> Evaluation:
        log_probs, entropies, values = [], [], []
        for t in steps:
            logits, value = network(observations[t])
            every = masked_log_probs(logits, observations[t].mask)
            log_probs.append(every.gather(1, actions[t].unsqueeze(1)).squeeze(1))
            entropies.append(categorical_entropy(every, observations[t].mask))
            values.append(value)
        return Evaluation(torch.stack(log_probs), torch.stack(entropies), torch.stack(values))

    return evaluate


def train(
    args: JobShopPPOArgs,
    resume: str | None = None,
    init: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Run PPO; writes the best checkpoint by validation makespan to ``args.out``, the latest to
    ``args.out + '.last'`` and a CSV log to ``args.out + '.csv'``. ``init`` warm-starts from a
    (e.g. imitation) checkpoint; ``resume`` continues a run from its ``.last`` exactly."""
    seed_everything(args.seed)
    policy = JobShopPolicy(PolicyConfig(**args.config)).to(args.device)
    if init and not resume:
        policy.load_state_dict(load_checkpoint(init, "jssp")["weights"])
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.learning_rate, eps=1e-5)
    run = start_run("jssp", "iteration", policy, optimizer, args.seed, args.device, resume)
    run.about = {"algo": "ppo-ewma" if args.ppo_ewma else "ppo", "sizes": list(args.sizes)}
    learner = Learner(policy, args, run.extra)
    validation = generate(args.validation_size, args.validation_count, seed=10_000 + args.seed)

    def iteration(run: Run) -> dict:
        size = args.sizes[run.done % len(args.sizes)]
        instances = generate(size, args.num_envs, seed=args.seed * 1_000_003 + run.done)
        observations, actions, log_probs, values, rewards, makespans = collect(
            policy, instances, args.device, run.generator
        )
        live = torch.ones_like(actions, dtype=torch.bool)
        advantages, returns = gae(rewards, values, live, args.gamma, args.gae_lambda)
        stats = learner.update(
            policy, optimizer, Batch(log_probs, live, advantages, returns), evaluator(observations, actions), run.rng
        )
        run.extra = learner.state_dict()
        return {**stats, "train_makespan": float(makespans.float().mean())}

    def validate(trained: JobShopPolicy) -> tuple[float, dict]:
        makespan = float(rollout(trained, validation, args.device)[0].float().mean())
        return makespan, {"valid_makespan": makespan}

    schedule = linear_decay(args.learning_rate, args.iterations) if args.anneal_lr else None
    return train_loop(run, args, args.iterations, iteration, validate, schedule, log, progress)


def run_recipe(request: TrainRequest) -> dict:
    """``cosolve train jssp --algo ppo``: PPO on random shops, validated on the last size."""
    options = request.options
    sizes = request.sizes("jssp")
    args = JobShopPPOArgs(
        **request.common(),
        sizes=sizes,
        iterations=options["episodes"],
        num_envs=options["batch_size"],
        validate_every=options["validate_every"],
        validation_size=sizes[-1],
        ppo_ewma=options["ppo_ewma"],
    )
    return request.train(train, args, init=str(options["init"]) if options["init"] else None)


RECIPE = Recipe(
    problem="jssp",
    mode="static",
    algo="ppo",
    summary="PPO on random shops (a critic, GAE), from random weights or --init",
    defaults={
        "sizes": "6x6,10x10",
        "episodes": 500,
        "batch_size": 32,
        "validate_every": 25,
        "init": None,
        "ppo_ewma": False,
        "tensorboard": None,
    },
    run=run_recipe,
    score="validation makespan",
    arguments=JobShopPPOArgs,
)
