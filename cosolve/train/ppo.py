"""PPO, one readable module in the spirit of CleanRL's ``ppo.py``, with the batch-size-invariant
variant PPO-EWMA (Hilton, Cobbe and Schulman 2021, "Batch size-invariance for policy
optimization").

A PPO trainer of a problem supplies its env, observation and policy through two pieces: a
rollout of ``T`` decision steps of a batch of ``B`` episodes (the behaviour policy's
log-probabilities ``[T, B]``, which decisions were live ``[T, B]``, rewards and values when it
has a critic), and ``evaluate(network, steps)``, which re-evaluates the recorded actions of
some steps under a network. Everything else is here:

- advantages: GAE (:func:`gae`), or a shared leave-one-out baseline over rollouts of the same
  instance (:func:`leave_one_out`, as in POMO / GRPO, no critic);
- the update (:meth:`Learner.update`): ``update_epochs`` passes over ``num_minibatches`` random
  minibatches of steps, each minibatch one optimizer step (its steps evaluated ``chunk_steps``
  at a time, gradients accumulated), the clipped surrogate, the value loss (with a critic), the
  entropy bonus, gradient clipping by norm;
- PPO-EWMA (``ppo_ewma``): the *decoupled* objective. The proximal policy, which the ratio is
  clipped against, is an exponentially weighted moving average of the policy's weights
  (:class:`EwmaPolicy`, updated after every optimizer step), no longer the behaviour policy
  that collected the data; the behaviour policy only enters as an importance weight
  ``pi_prox / pi_behav``, capped at ``ratio_cap``. Advantages are normalised with EWMA
  moments over iterations (:class:`EwmaMoments`). PPO's objective is the case where the
  proximal policy is the behaviour policy (:func:`surrogate`).
- the batch-size rules (:func:`scale_batch`): when the batch grows by a factor ``k``, PPO-EWMA
  scales Adam's step size by ``k`` and shrinks the centres of mass of both EWMAs by ``k`` (the
  proximal policy's in optimizer steps, the advantage moments' in iterations), so that learning
  per environment step stays the same; plain PPO can only scale the step size.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

Evaluate = Callable[[torch.nn.Module, Sequence[int]], "Evaluation"]
"""``(network, steps) -> Evaluation`` of the recorded actions of ``steps`` under ``network``."""


@dataclass(kw_only=True)
class PPOArgs:
    """PPO's knobs, each named as in CleanRL / the paper; every PPO trainer's arguments extend
    this class."""

    learning_rate: float = 1e-4
    anneal_lr: bool = True
    gamma: float = 1.0
    gae_lambda: float = 0.95
    update_epochs: int = 3
    num_minibatches: int = 4
    chunk_steps: int = 1
    """Decision steps evaluated in one forward pass (gradients accumulate over a minibatch)."""
    norm_adv: bool = True
    clip_coef: float = 0.2
    ent_coef: float = 0.01
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5
    ppo_ewma: bool = False
    """The decoupled objective with an EWMA proximal policy (batch-size-invariant PPO)."""
    ewma_decay: float | None = None
    """Decay of the proximal policy's EWMA per optimizer step; ``None``: the decay whose mean
    age equals that of PPO's old policy, :func:`matching_decay`."""
    adv_ewma_decay: float = 0.0
    """Decay per iteration of the advantage moments' EWMA (0: this iteration's moments only)."""
    ratio_cap: float = 100.0
    """PPO-EWMA: the importance weight ``pi_prox / pi_behav`` is capped here (0: no cap)."""


@dataclass
class Evaluation:
    """The recorded actions of ``k`` steps under a network, each ``[k, B]``."""

    log_probs: torch.Tensor
    entropy: torch.Tensor
    values: torch.Tensor | None = None


@dataclass
class Batch:
    """One iteration's decisions, time-major, each ``[T, B]``.

    Attributes:
        log_probs: of the actions under the behaviour policy (that chose them).
        live: the episode had a decision to make at that step (finished ones do not count).
        advantages: from :func:`gae` or :func:`leave_one_out` (normalised by :func:`update`).
        returns: the critic's targets, ``None`` without a critic.
    """

    log_probs: torch.Tensor
    live: torch.Tensor
    advantages: torch.Tensor
    returns: torch.Tensor | None = None


def gae(
    rewards: torch.Tensor, values: torch.Tensor, live: torch.Tensor, gamma: float, gae_lambda: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Advantages and returns ``[T, B]`` by generalised advantage estimation, one episode per
    column that ends after its last live step (the value after the end is 0).

    Args:
        rewards, values: ``[T, B]``; live: ``[T, B]`` bool.
    """
    advantages = torch.zeros_like(rewards)
    running = torch.zeros_like(rewards[0])
    next_value = torch.zeros_like(values[0])
    for t in reversed(range(rewards.shape[0])):
        delta = rewards[t] + gamma * next_value - values[t]
        running = torch.where(live[t], delta + gamma * gae_lambda * running, 0.0)
        advantages[t] = running
        next_value = torch.where(live[t], values[t], 0.0)
    return advantages, advantages + values


def discounted_returns(rewards: torch.Tensor, gamma: float) -> torch.Tensor:
    """``[T, B]`` the discounted sum of the rewards from each step on."""
    returns = torch.zeros_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(rewards.shape[0])):
        running = rewards[t] + gamma * running
        returns[t] = running
    return returns


def leave_one_out(returns: torch.Tensor, rollouts: int) -> torch.Tensor:
    """Advantages ``[..., R]``: each rollout's return minus the mean return of the other
    ``rollouts - 1`` rollouts of the same instance (a baseline without a critic). The last
    dimension is rollout-major: column ``r * S + s`` is rollout ``r`` of instance ``s``."""
    grouped = returns.reshape(*returns.shape[:-1], rollouts, -1)
    others = (grouped.sum(dim=-2, keepdim=True) - grouped) / max(rollouts - 1, 1)
    return (grouped - others).reshape(returns.shape)


def surrogate(
    new: torch.Tensor,
    proximal: torch.Tensor,
    behaviour: torch.Tensor,
    advantages: torch.Tensor,
    clip_coef: float,
    ratio_cap: float = 0.0,
) -> torch.Tensor:
    """The decoupled clipped objective per decision (to maximise), in log space:

    ``w * min(r * A, clip(r, 1 - eps, 1 + eps) * A)`` with ``r = pi / pi_prox`` and the importance
    weight ``w = pi_prox / pi_behav`` capped at ``ratio_cap`` (as ``pi / pi_behav <= cap``, the
    reference implementation's form). PPO's objective is the case ``proximal == behaviour``.

    Args:
        new: log-probabilities under the policy being trained (with gradients); proximal,
            behaviour: under the proximal and behaviour policies; all of one shape.
    """
    floor = behaviour
    if ratio_cap > 0:
        floor = torch.maximum(behaviour, new.detach() - math.log(ratio_cap))
    unclipped = advantages * torch.exp(new - floor)
    log_ratio = (new - proximal).clamp(math.log(1.0 - clip_coef), math.log(1.0 + clip_coef))
    clipped = advantages * torch.exp(log_ratio + proximal - floor)
    return torch.minimum(unclipped, clipped)


class EwmaPolicy:
    """An exponentially weighted moving average of a policy's weights, the proximal policy of
    PPO-EWMA. ``update()`` after every optimizer step; the average is debiased: after ``n``
    updates from the start, the weights of the policy at steps ``0..n`` sum to one."""

    def __init__(self, policy: torch.nn.Module, decay: float):
        self.policy, self.decay = policy, decay
        self.average = copy.deepcopy(policy).eval()
        self.total_weight = 1.0
        for parameter in self.average.parameters():
            parameter.requires_grad_(False)

    @torch.no_grad()
    def update(self) -> None:
        total = self.decay * self.total_weight + 1.0
        kept = self.decay * self.total_weight / total
        for average, current in zip(self.average.parameters(), self.policy.parameters()):
            average.mul_(kept).add_(current.detach(), alpha=1.0 / total)
        self.total_weight = total

    def state_dict(self) -> dict:
        return {
            "weights": {k: v.detach().cpu() for k, v in self.average.state_dict().items()},
            "total": self.total_weight,
        }

    def load_state_dict(self, state: dict) -> None:
        self.average.load_state_dict(state["weights"])
        self.total_weight = float(state["total"])


class EwmaMoments:
    """Mean and variance of the advantages over iterations, each iteration's moments weighted by
    its number of decisions and decayed by ``decay`` per iteration (0: this iteration's only)."""

    def __init__(self, decay: float):
        self.decay = decay
        self.weight = self.weighted_sum = self.weighted_squares = 0.0

    def update(self, values: torch.Tensor) -> tuple[float, float]:
        """Add one iteration's ``values``; returns the moments ``(mean, variance)`` so far."""
        count, mean, var = values.numel(), float(values.mean()), float(values.var(unbiased=False))
        self.weight = self.decay * self.weight + count
        self.weighted_sum = self.decay * self.weighted_sum + count * mean
        self.weighted_squares = self.decay * self.weighted_squares + count * (var + mean * mean)
        average = self.weighted_sum / self.weight
        return average, max(self.weighted_squares / self.weight - average * average, 0.0)

    def state_dict(self) -> dict:
        return {"weight": self.weight, "sum": self.weighted_sum, "squares": self.weighted_squares}

    def load_state_dict(self, state: dict) -> None:
        self.weight, self.weighted_sum, self.weighted_squares = state["weight"], state["sum"], state["squares"]


def matching_decay(update_epochs: int, num_minibatches: int) -> float:
    """The EWMA decay whose mean age (``decay / (1 - decay)`` optimizer steps) is that of PPO's
    old policy over one iteration, ``(update_epochs * num_minibatches - 1) / 2`` steps."""
    age = (update_epochs * num_minibatches - 1) / 2
    return age / (1 + age)


def decay_for_age(decay: float, factor: float) -> float:
    """The decay of an EWMA whose mean age is ``factor`` times that of ``decay``'s."""
    age = factor * decay / (1 - decay)
    return age / (1 + age)


def proximal_decay(args: PPOArgs) -> float:
    """The proximal policy's EWMA decay: ``args.ewma_decay``, or by default :func:`matching_decay`."""
    return args.ewma_decay if args.ewma_decay is not None else matching_decay(args.update_epochs, args.num_minibatches)


def scale_batch(args: PPOArgs, factor: float) -> PPOArgs:
    """The arguments for a batch ``factor`` times as large (same number of minibatches and
    epochs, so every optimizer step sees ``factor`` times the data): Adam's step size times
    ``factor``, and with PPO-EWMA the proximal policy's mean age (in optimizer steps) and the
    advantage moments' (in iterations) divided by ``factor``. Adam's beta1 and beta2 are kept."""
    scaled = replace(args, learning_rate=args.learning_rate * factor)
    if not args.ppo_ewma:
        return scaled
    return replace(
        scaled,
        ewma_decay=decay_for_age(proximal_decay(args), 1 / factor),
        adv_ewma_decay=decay_for_age(args.adv_ewma_decay, 1 / factor) if args.adv_ewma_decay > 0 else 0.0,
    )


class Learner:
    """PPO's state across iterations beyond the policy and its optimizer: the proximal policy
    and the advantage moments of PPO-EWMA. ``state_dict`` / ``load_state_dict`` carry it in
    the checkpoints; ``state`` (a run's extra state) resumes it when it holds a learner's."""

    def __init__(self, policy: torch.nn.Module, args: PPOArgs, state: dict | None = None):
        self.args = args
        self.proximal = EwmaPolicy(policy, proximal_decay(args)) if args.ppo_ewma else None
        self.moments = EwmaMoments(args.adv_ewma_decay if args.ppo_ewma else 0.0)
        if state and "moments" in state:
            self.load_state_dict(state)

    def state_dict(self) -> dict:
        state = {"moments": self.moments.state_dict()}
        if self.proximal is not None:
            state["proximal"] = self.proximal.state_dict()
        return state

    def load_state_dict(self, state: dict) -> None:
        self.moments.load_state_dict(state["moments"])
        if self.proximal is not None and "proximal" in state:
            self.proximal.load_state_dict(state["proximal"])

    def normalise(self, advantages: torch.Tensor, live: torch.Tensor) -> torch.Tensor:
        """Advantages ``[T, B]`` centred and scaled by the moments of the live decisions (this
        iteration's, or the EWMA over iterations)."""
        if not self.args.norm_adv:
            return advantages
        mean, variance = self.moments.update(advantages[live].double())
        return ((advantages - mean) / (math.sqrt(variance) + 1e-8)).masked_fill(~live, 0.0)

    def update(
        self,
        policy: torch.nn.Module,
        optimizer: torch.optim.Optimizer,
        batch: Batch,
        evaluate: Evaluate,
        rng: np.random.Generator,
    ) -> dict:
        """``update_epochs`` passes of minibatch updates over the steps of ``batch``; returns the
        mean loss terms, clip fraction and approximate KL to the proximal policy."""
        args = self.args
        advantages = self.normalise(batch.advantages, batch.live)
        steps = batch.log_probs.shape[0]
        totals: dict[str, list[float]] = {}
        for _ in range(args.update_epochs):
            for minibatch in np.array_split(rng.permutation(steps), min(args.num_minibatches, steps)):
                optimizer.zero_grad()
                live_count = max(int(batch.live[minibatch].sum()), 1)
                for start in range(0, len(minibatch), args.chunk_steps):
                    chunk = minibatch[start : start + args.chunk_steps].tolist()
                    terms = self._loss(policy, batch, advantages, chunk, evaluate)
                    loss = terms.pop("loss")
                    (loss / live_count).backward()
                    terms["loss"] = float(loss.detach())
                    for key, value in terms.items():
                        totals.setdefault(key, []).append(value / live_count)
                torch.nn.utils.clip_grad_norm_(policy.parameters(), args.max_grad_norm)
                optimizer.step()
                if self.proximal is not None:
                    self.proximal.update()
        minibatches = args.update_epochs * min(args.num_minibatches, steps)
        return {key: sum(values) / minibatches for key, values in totals.items()}

    def _loss(self, policy, batch: Batch, advantages: torch.Tensor, chunk: list[int], evaluate: Evaluate) -> dict:
        """The summed (over live decisions) loss of the steps ``chunk`` and its terms' sums."""
        args, live = self.args, batch.live[chunk]
        new = evaluate(policy, chunk)
        behaviour = batch.log_probs[chunk]
        proximal = behaviour
        if self.proximal is not None:
            with torch.no_grad():
                proximal = evaluate(self.proximal.average, chunk).log_probs
        objective = surrogate(
            new.log_probs,
            proximal,
            behaviour,
            advantages[chunk],
            args.clip_coef,
            args.ratio_cap if args.ppo_ewma else 0,
        )
        zero = torch.zeros((), device=objective.device)
        policy_loss = -torch.where(live, objective, zero).sum()
        entropy = torch.where(live, new.entropy, zero).sum()
        loss = policy_loss - args.ent_coef * entropy
        value_loss = zero
        if new.values is not None and batch.returns is not None:
            value_loss = 0.5 * torch.where(live, (new.values - batch.returns[chunk]).pow(2), zero).sum()
            loss = loss + args.vf_coef * value_loss
        log_ratio = (new.log_probs - proximal).detach()
        outside = (log_ratio < math.log(1 - args.clip_coef)) | (log_ratio > math.log(1 + args.clip_coef))
        clipped = outside & live
        return {
            "loss": loss,
            "policy_loss": float(policy_loss.detach()),
            "value_loss": float(value_loss.detach()),
            "entropy": float(entropy.detach()),
            "clip_fraction": float(clipped.sum()),
            "approx_kl": float((0.5 * log_ratio.pow(2))[live].sum()),
        }
