"""PPO for the job shop policy, in the spirit of CleanRL's ``ppo.py``: one readable loop.

Each iteration generates ``num_envs`` random Taillard instances of a training size, rolls the
current policy out on the batched env (all instances step together, ``J * M`` steps), and
updates it for ``update_epochs`` passes over minibatches of time steps.

Reward: ``r_t = -(makespan_t - makespan_{t-1}) / lower_bound``, the increase of the partial
makespan scaled by the instance's trivial lower bound (the largest job or machine load), so
an episode's return is ``-makespan / lower_bound`` whatever the size. Undiscounted
(``gamma = 1``) with GAE(``gae_lambda``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from cosolve.checkpoint import load_checkpoint, save_training_checkpoints
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.gnn.jssp_rollout import rollout
from cosolve.problems.jssp import generate
from cosolve.problems.jssp.env import reset, step
from cosolve.problems.jssp.observe import Observation, load_bound, observe
from cosolve.train.log import append_csv


@dataclass
class PPOArgs:
    """Every knob of the run, each named as in the PPO literature."""

    out: str
    sizes: list[str] = field(default_factory=lambda: ["10x10"])
    iterations: int = 200
    num_envs: int = 32
    learning_rate: float = 1e-4
    anneal_lr: bool = True
    gae_lambda: float = 0.95
    update_epochs: int = 3
    num_minibatches: int = 4
    norm_adv: bool = True
    clip_coef: float = 0.2
    ent_coef: float = 0.01
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5
    validate_every: int = 10
    validation_size: str = "15x15"
    validation_count: int = 32
    seed: int = 0
    device: str = "cpu"
    config: dict = field(default_factory=lambda: PolicyConfig().to_dict())


def collect(policy: JobShopPolicy, instances: list, device: str):
    """Roll the policy out, sampling; returns per step observations, actions, log-probs,
    values ``[T, B]``, rewards ``[T, B]`` and the final makespans ``[B]``."""
    state = reset(instances, device)
    bound = load_bound(state.durations, state.machines)
    observations, actions, logprobs, values, rewards = [], [], [], [], []
    with torch.no_grad():
        while not bool(state.done.all()):
            observation = observe(state)
            logits, value = policy(observation)
            distribution = torch.distributions.Categorical(logits=logits)
            action = distribution.sample()
            before = state.makespan.clone()
            step(state, action)
            observations.append(observation)
            actions.append(action)
            logprobs.append(distribution.log_prob(action))
            values.append(value)
            rewards.append(-(state.makespan - before).float() / bound)
    return (
        observations,
        torch.stack(actions),
        torch.stack(logprobs),
        torch.stack(values),
        torch.stack(rewards),
        state.makespan,
    )


def gae(rewards: torch.Tensor, values: torch.Tensor, gae_lambda: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Advantages and returns ``[T, B]`` for one finished episode per column (gamma = 1)."""
    advantages = torch.zeros_like(rewards)
    last = torch.zeros_like(rewards[0])
    for t in reversed(range(rewards.shape[0])):
        next_value = values[t + 1] if t + 1 < rewards.shape[0] else torch.zeros_like(values[t])
        delta = rewards[t] + next_value - values[t]
        last = delta + gae_lambda * last
        advantages[t] = last
    return advantages, advantages + values


def _evaluate(policy: JobShopPolicy, observation: Observation, action: torch.Tensor):
    logits, value = policy(observation)
    distribution = torch.distributions.Categorical(logits=logits)
    return distribution.log_prob(action), distribution.entropy(), value


def train(
    args: PPOArgs,
    resume: str | None = None,
    init: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Run PPO; writes the best checkpoint by validation makespan to ``args.out`` and the
    latest to ``args.out + '.last'``, a CSV log to ``args.out + '.csv'``. ``init`` warm-starts
    from a (e.g. imitation) checkpoint. ``progress(done, total, status)`` is called after every
    iteration (e.g. to drive a progress bar)."""
    torch.manual_seed(args.seed)
    policy = JobShopPolicy(PolicyConfig(**args.config)).to(args.device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.learning_rate, eps=1e-5)
    iteration, best, history = 0, float("inf"), []
    if init:
        policy.load_state_dict(load_checkpoint(init, "jssp")["weights"])
    if resume:
        payload = load_checkpoint(resume, "jssp")
        policy.load_state_dict(payload["weights"])
        optimizer.load_state_dict(payload["training"]["optimizer"])
        iteration, best = payload["training"]["iteration"], payload["training"]["best"]
        history = payload["training"]["history"]
        torch.set_rng_state(payload["training"]["torch_rng"])
        log(f"resumed from {resume} at iteration {iteration}")
    validation = generate(args.validation_size, args.validation_count, seed=10_000 + args.seed)
    begin = time.time()
    while iteration < args.iterations:
        if args.anneal_lr:
            optimizer.param_groups[0]["lr"] = args.learning_rate * (1.0 - iteration / args.iterations)
        size = args.sizes[iteration % len(args.sizes)]
        instances = generate(size, args.num_envs, seed=args.seed * 1_000_003 + iteration)
        observations, actions, logprobs, values, rewards, makespans = collect(policy, instances, args.device)
        advantages, returns = gae(rewards, values, args.gae_lambda)
        if args.norm_adv:  # over the whole rollout, once
            advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)

        steps = np.arange(len(observations))
        minibatch = max(1, len(steps) // args.num_minibatches)
        for _ in range(args.update_epochs):
            np.random.default_rng(args.seed + iteration).shuffle(steps)
            for start in range(0, len(steps), minibatch):
                optimizer.zero_grad()
                chosen = steps[start : start + minibatch]
                for t in chosen:
                    new_logprob, entropy, new_value = _evaluate(policy, observations[t], actions[t])
                    advantage = advantages[t]
                    ratio = (new_logprob - logprobs[t]).exp()
                    policy_loss = torch.max(
                        -advantage * ratio, -advantage * ratio.clamp(1 - args.clip_coef, 1 + args.clip_coef)
                    ).mean()
                    value_loss = 0.5 * (new_value - returns[t]).pow(2).mean()
                    loss = policy_loss - args.ent_coef * entropy.mean() + args.vf_coef * value_loss
                    (loss / len(chosen)).backward()
                torch.nn.utils.clip_grad_norm_(policy.parameters(), args.max_grad_norm)
                optimizer.step()
        iteration += 1

        if iteration % args.validate_every == 0 or iteration == args.iterations:
            policy.eval()
            valid = float(rollout(policy, validation, args.device)[0].float().mean())
            policy.train()
            row = {
                "iteration": iteration,
                "train_makespan": float(makespans.float().mean()),
                "valid_makespan": valid,
                "minutes": (time.time() - begin) / 60,
            }
            history.append(row)
            append_csv(f"{args.out}.csv", row)
            training = {
                "algo": "ppo",
                "iteration": iteration,
                "best": min(best, valid),
                "history": history,
                "args": asdict(args),
                "optimizer": optimizer.state_dict(),
                "torch_rng": torch.get_rng_state(),
                "sizes": list(args.sizes),
            }
            metrics = {"valid_makespan": valid, "validation": f"{args.validation_count} x {args.validation_size}"}
            save_training_checkpoints(args.out, "jssp", policy, args.config, training, metrics, is_best=valid < best)
            best = min(best, valid)
            log(
                f"iteration {iteration}: train makespan {float(makespans.float().mean()):.1f}, "
                f"validation makespan {valid:.1f} (best {best:.1f})"
            )
        if progress:
            progress(iteration, args.iterations, f"validation makespan best {best:.1f}" if history else "")
    return {"best_valid_makespan": best, "iterations": iteration, "history": history}
