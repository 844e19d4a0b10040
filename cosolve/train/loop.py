"""What the trainers share: learning-rate annealing, resuming, and recording a validation
(history, CSV log, best and last checkpoints)."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

import torch

from cosolve.checkpoint import load_checkpoint, save_training_checkpoints
from cosolve.train.log import append_csv


def anneal(
    optimizer: torch.optim.Optimizer,
    lr: float,
    lr_final: float,
    done: int,
    total: int,
    elapsed: float = 0.0,
    time_limit: float | None = None,
) -> None:
    """Set a geometric schedule from ``lr`` (at 0) to ``lr_final`` (at ``total - 1``, or at
    ``time_limit`` seconds of ``elapsed`` time when that comes first)."""
    fraction = done / max(1, total - 1)
    if time_limit:
        fraction = max(fraction, elapsed / time_limit)
    for group in optimizer.param_groups:
        group["lr"] = lr * (lr_final / lr) ** min(1.0, fraction)


def resume_from(
    path: str, problem: str, policy: torch.nn.Module, optimizer: torch.optim.Optimizer, counter: str
) -> tuple[int, float, list[dict], dict[str, Any]]:
    """Load weights and optimizer state; returns (count done, best score, history, training dict)."""
    payload = load_checkpoint(path, problem)
    policy.load_state_dict(payload["weights"])
    optimizer.load_state_dict(payload["training"]["optimizer"])
    training = payload["training"]
    return training[counter], training.get("best", float("inf")), training.get("history", []), training


def record_validation(
    args: Any,
    problem: str,
    policy: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    history: list[dict],
    counter: str,
    done: int,
    loss: float,
    score: float,
    best: float,
    begin: float,
    extra: dict | None = None,
) -> float:
    """Append the validation to ``history`` and ``args.out + '.csv'``, write ``args.out.last``
    (and ``args.out`` when ``score`` beats ``best``); returns the new best score.

    ``args`` is the trainer's dataclass (with ``out`` and ``config``), stored for resuming.
    """
    row = {counter: done, "loss": loss, "valid_gap": score, "minutes": (time.time() - begin) / 60}
    history.append(row)
    append_csv(f"{args.out}.csv", row)
    training = {
        "algo": "imitation",
        counter: done,
        "best": min(best, score),
        "history": history,
        "args": asdict(args),
        "optimizer": optimizer.state_dict(),
        **(extra or {}),
    }
    save_training_checkpoints(
        args.out, problem, policy, args.config, training, {"valid_gap_percent": score}, is_best=score < best
    )
    return min(best, score)
