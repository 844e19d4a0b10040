"""The loop every trainer runs: seeding, exact resume, the learning-rate schedule, and the
validations with their log (CSV, optional TensorBoard) and checkpoints.

A trainer supplies one ``step(run) -> stats`` (an iteration of PPO, a batch of imitation, a
DAgger round ...) and one ``validate(policy) -> (score, details)`` (lower is better);
:func:`train_loop` calls them and writes, at every validation, ``OUT.last`` (to resume),
``OUT`` when the score is the best so far, and one row of ``OUT.csv``.

Every random draw of a trainer comes from the streams of its :class:`Run` (a NumPy
``Generator``, a torch ``Generator`` on the training device) or from torch's and Python's
global generators, and a checkpoint stores all of them: a run resumed from ``OUT.last``
continues exactly as the uninterrupted run would have (on the CPU, parameters identical).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

from cosolve.checkpoint import load_checkpoint, save_training_checkpoints
from cosolve.errors import CosolveInputError
from cosolve.train.log import append_csv

Step = Callable[["Run"], dict]
"""One unit of training on ``run`` (updates its policy); returns statistics, ``loss`` among them."""
Validate = Callable[[torch.nn.Module], tuple[float, dict]]
"""``policy -> (score, details)``: lower scores are better; ``details`` (same keys every time)
go into the CSV row."""


@dataclass
class Run:
    """A training run's state: everything a checkpoint stores to continue it exactly.

    Attributes:
        problem: the checkpoint's problem tag (``jssp``, ``jssp_dynamic``, ``tsp`` ...).
        counter: what one step is called in logs and checkpoints (``iteration``, ``step`` ...).
        rng: every NumPy draw of the trainer.
        generator: every torch draw of the trainer that names a generator (on the device).
        done: steps done; ``best``: the best validation score so far; ``history``: its rows.
        extra: trainer state beyond the policy and optimizer (e.g. PPO-EWMA's proximal
            weights); tensors and plain Python values only.
        about: what the checkpoints say of the run beside its arguments (``algo``, ``sizes``).
    """

    problem: str
    counter: str
    policy: torch.nn.Module
    optimizer: torch.optim.Optimizer
    rng: np.random.Generator
    generator: torch.Generator
    done: int = 0
    best: float = math.inf
    history: list[dict] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    about: dict[str, Any] = field(default_factory=dict)


def seed_everything(seed: int) -> None:
    """Seed Python's and torch's global generators (call before building the policy: its
    initial weights are drawn from torch's)."""
    random.seed(seed)
    torch.manual_seed(seed)


def start_run(
    problem: str,
    counter: str,
    policy: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    seed: int,
    device: str | torch.device = "cpu",
    resume: str | None = None,
) -> Run:
    """A fresh run seeded with ``seed``, or the run saved in the checkpoint ``resume``
    (weights, optimizer, counters, history, extra state and every random state)."""
    run = Run(
        problem,
        counter,
        policy,
        optimizer,
        np.random.default_rng(seed),
        torch.Generator(device=device).manual_seed(seed),
    )
    if resume:
        payload = load_checkpoint(resume, problem)
        training = payload["training"]
        if "random" not in training or counter not in training:
            raise CosolveInputError(f"not a checkpoint of a resumable {counter}-based run", resume)
        policy.load_state_dict(payload["weights"])
        optimizer.load_state_dict(training["optimizer"])
        run.done, run.best = training[counter], training["best"]
        run.history, run.extra = list(training["history"]), dict(training.get("extra", {}))
        restore_random_state(run, training["random"])
    return run


def random_state(run: Run) -> dict:
    """Every generator's state, storable in a checkpoint (loaded with ``weights_only``)."""
    version, internal, gauss = random.getstate()
    state = {
        "python": [version, list(internal), gauss],
        "numpy": run.rng.bit_generator.state,
        "torch": torch.get_rng_state(),
        "generator": run.generator.get_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_random_state(run: Run, state: dict) -> None:
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    run.rng.bit_generator.state = state["numpy"]
    torch.set_rng_state(state["torch"])
    run.generator.set_state(state["generator"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def linear_decay(learning_rate: float, total: int) -> Callable[[int, float], float]:
    """``(done, elapsed) -> rate``: from ``learning_rate`` down to 0 at ``total`` (PPO's annealing)."""
    return lambda done, elapsed: learning_rate * (1.0 - done / total)


def geometric_decay(
    learning_rate: float, final: float, total: int, time_limit: float | None = None
) -> Callable[[int, float], float]:
    """``(done, elapsed) -> rate``: geometric from ``learning_rate`` (at 0) to ``final`` (at
    ``total - 1``, or at ``time_limit`` seconds when that comes first)."""

    def rate(done: int, elapsed: float) -> float:
        fraction = done / max(1, total - 1)
        if time_limit:
            fraction = max(fraction, elapsed / time_limit)
        return learning_rate * (final / learning_rate) ** min(1.0, fraction)

    return rate


def set_learning_rate(optimizer: torch.optim.Optimizer, rate: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = rate


def gradient_step(run: Run, loss: torch.Tensor, max_grad_norm: float) -> float:
    """Back-propagate ``loss``, clip the gradient norm, step the optimizer; the loss value."""
    run.optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(run.policy.parameters(), max_grad_norm)
    run.optimizer.step()
    return float(loss.detach())


class Logs:
    """The CSV log of validations and, with a folder, a TensorBoard log of every step."""

    def __init__(self, out: str, tensorboard: str | None = None):
        self.csv = f"{out}.csv"
        self.board = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:
                raise CosolveInputError(
                    "--tensorboard needs the tensorboard package (pip install tensorboard)"
                ) from None
            self.board = SummaryWriter(tensorboard)

    def scalars(self, prefix: str, values: dict, step: int) -> None:
        if self.board is not None:
            for key, value in values.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    self.board.add_scalar(f"{prefix}/{key}", value, step)

    def validation(self, row: dict) -> None:
        append_csv(self.csv, row)

    def close(self) -> None:
        if self.board is not None:
            self.board.close()


def train_loop(
    run: Run,
    args: Any,
    total: int,
    step: Step,
    validate: Validate,
    learning_rate: Callable[[int, float], float] | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Call ``step(run)`` until ``run.done == total`` and validate every
    ``args.validate_every`` steps, at the end, and when ``args.time_limit`` seconds (if the
    trainer has one) have passed, which ends the call.

    ``args`` is the trainer's dataclass (``out``, ``config``, ``validate_every``, ``tensorboard``;
    stored in the checkpoints). ``learning_rate(done, elapsed)`` sets the rate before each step.
    ``progress(done, total, status)`` is called after every step (e.g. a progress bar).

    Returns:
        ``{"best": best score, "done": steps done, "history": validation rows}``.
    """
    logs = Logs(args.out, getattr(args, "tensorboard", None))
    time_limit = getattr(args, "time_limit", None)
    begin, since_validation = time.time(), []
    try:
        while run.done < total:
            if learning_rate is not None:
                set_learning_rate(run.optimizer, learning_rate(run.done, time.time() - begin))
            stats = step(run)
            run.done += 1
            since_validation.append(stats)
            logs.scalars("train", {**stats, "learning_rate": run.optimizer.param_groups[0]["lr"]}, run.done)
            out_of_time = bool(time_limit) and time.time() - begin > time_limit
            if run.done % args.validate_every == 0 or run.done == total or out_of_time:
                loss = float(np.mean([s["loss"] for s in since_validation]))
                score = record_validation(run, args, validate, loss, begin, logs)
                log(f"{run.counter} {run.done}: loss {loss:.4f}, validation {score:.4f} (best {run.best:.4f})")
                since_validation = []
            if progress:
                progress(run.done, total, f"validation best {run.best:.4f}" if run.history else "")
            if out_of_time:
                break
    finally:
        logs.close()
    return {"best": run.best, "done": run.done, "history": run.history}


def record_validation(run: Run, args: Any, validate: Validate, loss: float, begin: float, logs: Logs) -> float:
    """Validate the policy (in eval mode), append the row to the history and the logs, write
    ``OUT.last`` and, when best, ``OUT``; returns the score."""
    run.policy.eval()
    score, details = validate(run.policy)
    run.policy.train()
    row = {run.counter: run.done, "loss": loss, "score": score, **details, "minutes": (time.time() - begin) / 60}
    run.history.append(row)
    logs.validation(row)
    logs.scalars("validation", {"score": score, **details}, run.done)
    is_best = score < run.best
    run.best = min(run.best, score)
    training = {
        **run.about,
        run.counter: run.done,
        "best": run.best,
        "history": run.history,
        "args": asdict(args),
        "optimizer": run.optimizer.state_dict(),
        "random": random_state(run),
        "extra": run.extra,
    }
    metrics = {"score": score, **details}
    save_training_checkpoints(args.out, run.problem, run.policy, args.config, training, metrics, is_best)
    return score
