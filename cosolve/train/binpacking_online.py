"""Training the online bin packing policy: imitation of best fit, then PPO.

1. **Imitation** (the first ``imitation_iterations``): best fit packs random streams; the
   policy learns to choose its bins (cross-entropy at every decision). This starts PPO from
   a policy as good as best fit instead of a random one, which opens a bin for nearly every
   item.
2. **PPO** with a shared baseline instead of a critic (as in POMO / GRPO): each iteration draws
   ``streams_per_iteration`` streams of one distribution (the distributions take turns) and
   packs each ``rollouts`` times with sampled actions. The reward of a decision is minus the
   bins it opens; its advantage is its discounted return (``gamma``: what a decision leaves
   behind shows within a few dozen bins) minus the mean return of the same stream's other
   rollouts at the same step. Each of ``epochs`` passes replays all decisions in chunks of
   steps (:func:`~cosolve.gnn.binpacking_online_rollout.replay`) with the clipped PPO
   objective and an entropy bonus, and takes one optimizer step.

Every ``validate_every`` iterations the greedy policy packs fixed validation streams of each
distribution; the score is the mean % of bins above the L1 bound (lower is better), written
with best fit's beside it to the CSV log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from cosolve.baselines.binpacking_heuristics import fit_priority, pack
from cosolve.gnn.binpacking_online_policy import OnlinePackingPolicy, OnlinePolicyConfig
from cosolve.gnn.binpacking_online_rollout import PROBLEM, Trajectory, replay, run_online
from cosolve.problems.binpacking.env import reset_tensors
from cosolve.problems.binpacking.generate import generate
from cosolve.train.record import anneal, record_validation, resume_from

DEFAULT_STREAMS = ["u120", "u250", "weibull500"]


@dataclass
class OnlineTrainingArgs:
    """Everything a run depends on; stored in the checkpoint so it can resume."""

    out: str
    streams: list[str] = field(default_factory=lambda: list(DEFAULT_STREAMS))
    iterations: int = 400
    imitation_iterations: int = 40
    streams_per_iteration: int = 8
    rollouts: int = 8
    epochs: int = 3
    chunk: int = 50
    lr: float = 1e-3
    lr_final: float = 1e-4
    clip: float = 0.2
    gamma: float = 0.99
    entropy: float = 0.01
    grad_clip: float = 1.0
    validate_every: int = 10
    validation_count: int = 16
    seed: int = 0
    device: str = "cpu"
    time_limit: float | None = None  # seconds of this call; stops after the next validation
    config: dict = field(default_factory=lambda: OnlinePolicyConfig().to_dict())


def stream_tensors(size: str, count: int, seed: int, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """``weights`` ``[count, n]`` and ``capacity`` ``[count]`` of generated streams of ``size``."""
    instances = generate(size, count, seed)
    weights = torch.as_tensor(np.stack([i.weights for i in instances]), dtype=torch.int64, device=device)
    capacity = torch.as_tensor([i.capacity for i in instances], dtype=torch.int64, device=device)
    return weights, capacity


def l1_bound(weights: torch.Tensor, capacity: torch.Tensor) -> torch.Tensor:
    """``[B]`` float, ``ceil(sum w / C)``."""
    return torch.ceil(weights.sum(dim=1).double() / capacity.double())


def replayed_log_probs(
    policy: OnlinePackingPolicy, weights: torch.Tensor, capacity: torch.Tensor, trajectory: Trajectory, steps: range
) -> tuple[torch.Tensor, torch.Tensor]:
    """``[len(steps) * B]`` log-probabilities of the recorded actions and entropies, with gradients."""
    observation, columns = replay(weights, capacity, trajectory, steps)
    log_p = torch.log_softmax(policy(observation), dim=1)
    safe = log_p.masked_fill(~observation.mask, 0.0)  # no 0 * -inf, in the forward or the backward pass
    entropy = -(safe.exp() * safe).masked_fill(~observation.mask, 0.0).sum(dim=1)
    return log_p.gather(1, columns.unsqueeze(1)).squeeze(1), entropy


def imitation_step(policy, optimizer, args, weights, capacity) -> float:
    """One optimizer step of cross-entropy on best fit's decisions over the streams."""
    trajectory = Trajectory()
    run_online(
        None,
        reset_tensors(weights, capacity),
        trajectory=trajectory,
        chooser=lambda s: fit_priority(s, "bf").argmax(dim=1),
    )
    n = weights.shape[1]
    optimizer.zero_grad()
    total = 0.0
    for start in range(0, n, args.chunk):
        log_p, _ = replayed_log_probs(policy, weights, capacity, trajectory, range(start, min(n, start + args.chunk)))
        loss = -log_p.sum() / (n * weights.shape[0])
        loss.backward()
        total += float(loss.detach())
    torch.nn.utils.clip_grad_norm_(policy.parameters(), args.grad_clip)
    optimizer.step()
    return total


def advantages(trajectory: Trajectory, final_open: torch.Tensor, rollouts: int, gamma: float) -> torch.Tensor:
    """``[n, R]`` normalised advantages of every decision of ``R = rollouts * streams`` rollouts
    (rollout-major): the discounted count of bins opened from the decision on (negated), minus
    the mean of the same stream's other rollouts at the same step (leave-one-out baseline)."""
    before = torch.stack(trajectory.n_open)  # [n, R]
    after = torch.cat([before[1:], final_open.unsqueeze(0)])
    reward = -(after - before).double()
    returns = torch.zeros_like(reward)
    running = torch.zeros_like(reward[0])
    for t in range(reward.shape[0] - 1, -1, -1):
        running = reward[t] + gamma * running
        returns[t] = running
    grouped = returns.view(returns.shape[0], rollouts, -1)  # [n, K, S]
    others = (grouped.sum(dim=1, keepdim=True) - grouped) / max(1, rollouts - 1)
    advantage = (grouped - others).view_as(returns)
    return (advantage / (advantage.std() + 1e-8)).float()


def ppo_iteration(policy, optimizer, args, weights, capacity, generator) -> float:
    """Sampled rollouts of each stream, shared-baseline advantages, ``args.epochs`` clipped updates;
    returns the mean number of bins of the rollouts."""
    n = weights.shape[1]
    weights, capacity = weights.repeat(args.rollouts, 1), capacity.repeat(args.rollouts)  # rollout-major
    trajectory = Trajectory()
    policy.eval()
    state = run_online(policy, reset_tensors(weights, capacity), True, generator, trajectory)
    policy.train()
    advantage = advantages(trajectory, state.n_open, args.rollouts, args.gamma)  # [n, R]
    old = torch.stack(trajectory.log_probs)  # [n, R]
    rows = weights.shape[0]
    for _ in range(args.epochs):
        optimizer.zero_grad()
        for start in range(0, n, args.chunk):
            steps = range(start, min(n, start + args.chunk))
            log_p, entropy = replayed_log_probs(policy, weights, capacity, trajectory, steps)
            ratio = (log_p - old[start : steps.stop].reshape(-1)).exp()
            gain = advantage[start : steps.stop].reshape(-1)
            objective = torch.minimum(ratio * gain, ratio.clamp(1 - args.clip, 1 + args.clip) * gain)
            loss = -(objective.sum() + args.entropy * entropy.sum()) / (n * rows)
            loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), args.grad_clip)
        optimizer.step()
    return float(state.n_open.double().mean())


def validation_sets(args: OnlineTrainingArgs) -> list[tuple[str, torch.Tensor, torch.Tensor, float]]:
    """Per distribution: weights, capacity and best fit's mean % above L1 on the validation streams."""
    sets = []
    for number, size in enumerate(args.streams):
        weights, capacity = stream_tensors(size, args.validation_count, 100_000 + number, args.device)
        best_fit = pack(weights, capacity, "bf").amax(dim=1) + 1
        sets.append((size, weights, capacity, float(excess(best_fit, weights, capacity))))
    return sets


def excess(bins: torch.Tensor, weights: torch.Tensor, capacity: torch.Tensor) -> float:
    """Mean % of ``bins`` ``[B]`` above the L1 bound."""
    return float((100.0 * (bins.double() / l1_bound(weights, capacity) - 1.0)).mean())


def validate(policy: OnlinePackingPolicy, sets: list) -> tuple[float, dict]:
    """The mean % above L1 of greedy rollouts over the validation distributions, and each one's."""
    scores = {}
    for size, weights, capacity, _ in sets:
        scores[size] = excess(run_online(policy, reset_tensors(weights, capacity)).n_open, weights, capacity)
    return float(np.mean(list(scores.values()))), scores


def train(
    args: OnlineTrainingArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Train (or resume); writes ``args.out`` (best by validation), ``.last`` and ``.csv``."""
    torch.manual_seed(args.seed)
    policy = OnlinePackingPolicy(OnlinePolicyConfig(**args.config)).to(args.device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.lr)
    done, best, history = 0, float("inf"), []
    if resume:
        done, best, history, _ = resume_from(resume, PROBLEM, policy, optimizer, "iteration")
        log(f"resumed from {resume} at iteration {done} (best validation {best:.2f}% above L1)")
    sets = validation_sets(args)
    log("best fit on the validation streams: " + ", ".join(f"{size} {bf:.2f}%" for size, *_, bf in sets))
    generator = torch.Generator(device=args.device).manual_seed(args.seed + done)
    begin, losses = time.time(), []
    while done < args.iterations:
        anneal(optimizer, args.lr, args.lr_final, done, args.iterations, time.time() - begin, args.time_limit)
        size = args.streams[done % len(args.streams)]
        weights, capacity = stream_tensors(size, args.streams_per_iteration, args.seed * 1_000_003 + done, args.device)
        if done < args.imitation_iterations:
            losses.append(imitation_step(policy, optimizer, args, weights, capacity))
        else:
            losses.append(ppo_iteration(policy, optimizer, args, weights, capacity, generator))
        done += 1
        out_of_time = bool(args.time_limit) and time.time() - begin > args.time_limit
        if done % args.validate_every == 0 or done == args.iterations or out_of_time:
            policy.eval()
            score, scores = validate(policy, sets)
            policy.train()
            phase = "imitation" if done <= args.imitation_iterations else "ppo"
            extra = {"algo": f"imitation+ppo ({phase})", **{f"valid_{k}": v for k, v in scores.items()}}
            loss = float(np.mean(losses))
            best = record_validation(
                args, PROBLEM, policy, optimizer, history, "iteration", done, loss, score, best, begin, extra
            )
            detail = ", ".join(f"{k} {v:.2f}%" for k, v in scores.items())
            measure = "loss" if phase == "imitation" else "mean bins"
            log(
                f"iteration {done} ({phase}): {measure} {loss:.4f}, "
                f"validation {score:.2f}% above L1 ({detail}; best {best:.2f}%)"
            )
            losses = []
        if progress:
            progress(done, args.iterations, f"validation best {best:.2f}% above L1" if history else "")
        if out_of_time:
            break
    return {"best_valid_excess": best, "iterations": done, "history": history}
