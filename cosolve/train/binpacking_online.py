"""Training the online bin packing policy: imitation of a lookahead expert (DAgger), then
optionally PPO.

1. **Imitation** (the first ``imitation_iterations``): each iteration draws
   ``streams_per_iteration`` random streams of one distribution (the distributions take
   turns), packs them with the greedy policy (with best fit in the first
   ``best_fit_roll_in`` iterations), and at ``decisions`` random decisions of those packings
   asks the lookahead expert of :mod:`cosolve.train.binpacking_lookahead` (best fit plus a
   simulation of sampled continuations, which beats best fit) which bin it would take; the
   answers join a buffer of the most recent ``buffer`` labelled decisions, and ``updates``
   optimizer steps of cross-entropy on minibatches of it follow. Rolling in with the policy itself
   (DAgger) teaches it to recover from the states its own choices lead to.
2. **PPO** (the remaining iterations, none by default) with a shared baseline instead of a
   critic (as in POMO / GRPO): each stream is packed ``rollouts`` times with sampled actions;
   the reward of a decision is minus the bins it opens, its advantage the discounted return
   (``gamma``) minus the mean return of the same stream's other rollouts at the same step;
   ``epochs`` passes replay all decisions in chunks of steps
   (:func:`~cosolve.gnn.binpacking_online_rollout.replay`) with the clipped objective and an
   entropy bonus. Measured: started from imitation of best fit, 340 PPO iterations (21,760
   sampled 120-500-item rollouts) left the greedy policy exactly as good as best fit, no
   better: one decision's effect on the final bin count is small beside the noise of hundreds
   of sampled ones. The lookahead expert gives every labelled decision its own answer instead.

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
from cosolve.problems.binpacking.env import reset, reset_tensors
from cosolve.problems.binpacking.generate import generate, parse_size
from cosolve.problems.binpacking.observe_online import observe_decisions
from cosolve.train.binpacking_lookahead import lookahead_labels
from cosolve.train.record import anneal, record_validation, resume_from

DEFAULT_STREAMS = ["u120", "u250", "weibull500"]


@dataclass
class OnlineTrainingArgs:
    """Everything a run depends on; stored in the checkpoint so it can resume."""

    out: str
    streams: list[str] = field(default_factory=lambda: list(DEFAULT_STREAMS))
    iterations: int = 400
    imitation_iterations: int = 400  # the rest are PPO iterations
    streams_per_iteration: int = 4
    decisions: int = 128  # labelled by the lookahead expert per imitation iteration
    buffer: int = 8192  # the most recent labelled decisions kept for training
    updates: int = 8  # optimizer steps per imitation iteration
    batch_size: int = 256  # decisions per optimizer step
    futures: int = 16
    horizon: int = 40
    best_fit_roll_in: int = 6  # first imitation iterations whose decisions come from best fit's packings
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
    state = reset(generate(size, count, seed), device)
    return state.weights, state.capacity


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


def roll_in(policy, weights, capacity, best_fit: bool) -> Trajectory:
    """The decisions of a greedy rollout of the policy (or of best fit) on the streams."""
    trajectory = Trajectory()
    chooser = (lambda state: fit_priority(state, "bf").argmax(dim=1)) if best_fit else None
    policy.eval()
    run_online(policy, reset_tensors(weights, capacity), trajectory=trajectory, chooser=chooser)
    policy.train()
    return trajectory


class DecisionBuffer:
    """The most recent ``size`` labelled decisions, as tensors padded to ``width`` items and bins.

    Labelling is the expensive part of imitation (a simulation per candidate bin), so every
    labelled decision serves several optimizer steps. Not saved in checkpoints: a resumed run
    refills it.
    """

    def __init__(self, size: int, width: int, device: str):
        self.size, self.count, self.next = size, 0, 0
        zeros = lambda *shape: torch.zeros(*shape, dtype=torch.int64, device=device)  # noqa: E731
        self.weights, self.loads = zeros(size, width), zeros(size, width)
        self.capacity, self.n_open, self.t, self.label = zeros(size), zeros(size), zeros(size), zeros(size)

    def add(self, weights, capacity, loads, n_open, t, label) -> None:
        """Store ``D`` decisions: ``weights`` ``[D, n]``, ``loads`` ``[D, W]`` (both at most ``width``
        wide), ``capacity``, ``n_open``, ``t`` and ``label`` (the expert's bin) ``[D]``."""
        slots = (self.next + torch.arange(weights.shape[0], device=weights.device)) % self.size
        self.weights[slots] = torch.nn.functional.pad(weights, (0, self.weights.shape[1] - weights.shape[1]))
        self.loads[slots] = torch.nn.functional.pad(loads, (0, self.loads.shape[1] - loads.shape[1]))
        for name, value in (("capacity", capacity), ("n_open", n_open), ("t", t), ("label", label)):
            getattr(self, name)[slots] = value
        self.next = int(slots[-1] + 1) % self.size
        self.count = min(self.size, self.count + weights.shape[0])

    def sample(self, batch: int, generator: torch.Generator):
        """``(observation, columns)`` of ``batch`` stored decisions drawn at random."""
        rows = torch.randint(0, self.count, (batch,), generator=generator, device=self.weights.device)
        width = int(self.n_open[rows].max()) + 1
        view = observe_decisions(
            self.weights[rows], self.capacity[rows], self.loads[rows, :width], self.n_open[rows], self.t[rows]
        )
        return view, (view.index == self.label[rows].unsqueeze(1)).to(torch.int8).argmax(dim=1)


def label_decisions(policy, buffer, args, weights, capacity, generator, best_fit_roll_in: bool) -> None:
    """Ask the lookahead expert about ``args.decisions`` random decisions of a greedy rollout of
    the policy (or of best fit, ``best_fit_roll_in``) on the streams; store them in ``buffer``."""
    streams, n = weights.shape
    trajectory = roll_in(policy, weights, capacity, best_fit_roll_in)
    every_loads = trajectory.padded_loads(range(n))
    picks = torch.randint(0, n * streams, (args.decisions,), generator=generator, device=weights.device)
    steps, rows = picks // streams, picks % streams
    loads, n_open = every_loads[steps, rows], torch.stack(trajectory.n_open)[steps, rows]
    view, columns = lookahead_labels(
        weights[rows], capacity[rows], loads, n_open, steps, generator, args.futures, args.horizon
    )
    buffer.add(
        weights[rows], capacity[rows], loads, n_open, steps, view.index.gather(1, columns.unsqueeze(1)).squeeze(1)
    )


def imitation_step(policy, optimizer, args, buffer, generator) -> float:
    """``args.updates`` optimizer steps of cross-entropy on minibatches of the buffer; the mean loss."""
    losses = []
    for _ in range(args.updates):
        view, columns = buffer.sample(args.batch_size, generator)
        loss = torch.nn.functional.cross_entropy(policy(view), columns)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), args.grad_clip)
        optimizer.step()
        losses.append(float(loss.detach()))
    return float(np.mean(losses))


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
    longest = max(parse_size(size)[1] for size in args.streams)
    buffer = DecisionBuffer(args.buffer, longest, args.device)
    begin, losses = time.time(), []
    while done < args.iterations:
        anneal(optimizer, args.lr, args.lr_final, done, args.iterations, time.time() - begin, args.time_limit)
        size = args.streams[done % len(args.streams)]
        weights, capacity = stream_tensors(size, args.streams_per_iteration, args.seed * 1_000_003 + done, args.device)
        if done < args.imitation_iterations:
            roll_in_with_best_fit = done < args.best_fit_roll_in
            label_decisions(policy, buffer, args, weights, capacity, generator, roll_in_with_best_fit)
            losses.append(imitation_step(policy, optimizer, args, buffer, generator))
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
