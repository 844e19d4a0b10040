"""The imitation loop shared by the TSP and CVRP trainers.

Each step draws a batch of expert solutions of one size (the sizes take turns), one random
state on the way to each, and minimises the problem's loss on the policy's choice there;
every ``validate_every`` steps (and when ``time_limit`` runs out) the greedy policy is
validated and the checkpoints are written (:func:`cosolve.train.record.record_validation`).
The problem supplies how a batch becomes a loss and how a policy is validated.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from cosolve.gnn.routing_net import RoutingNetConfig
from cosolve.train.record import anneal, record_validation, resume_from

BatchLoss = Callable[[torch.nn.Module, dict, np.ndarray, np.random.Generator, torch.Generator, str], torch.Tensor]
"""``(policy, experts, chosen rows, rng, torch generator, device) -> scalar loss``."""


@dataclass
class RoutingImitationArgs:
    """Everything a run depends on; stored in the checkpoint so it can resume."""

    data: list[str]
    validation: str
    out: str
    steps: int = 20_000
    batch_size: int = 128
    lr: float = 1e-3
    lr_final: float = 1e-5
    grad_clip: float = 1.0
    validate_every: int = 500
    seed: int = 0
    device: str = "cpu"
    time_limit: float | None = None  # seconds of this call; stops after the next validation
    config: dict = field(default_factory=lambda: RoutingNetConfig().to_dict())


def train_routing(
    problem: str,
    args: RoutingImitationArgs,
    make_policy: Callable[[RoutingNetConfig], torch.nn.Module],
    sets: list[dict],
    batch_loss: BatchLoss,
    validation_gap: Callable[[torch.nn.Module], float],
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Train a policy built by ``make_policy`` from ``args.config`` (after seeding torch with
    ``args.seed``, on ``args.device``) on the expert ``sets`` (one per size, each with a ``size``
    label and ``rows``, an array as long as the set); writes ``args.out`` (best by validation
    gap), ``.last`` and ``.csv``."""
    torch.manual_seed(args.seed)
    policy = make_policy(RoutingNetConfig(**args.config)).to(args.device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.lr)
    done, best, history = 0, float("inf"), []
    if resume:
        done, best, history, _ = resume_from(resume, problem, policy, optimizer, "step")
        log(f"resumed from {resume} at step {done} (best validation gap {best:.2f}%)")
    rng = np.random.default_rng(args.seed + done)
    generator = torch.Generator(device=args.device).manual_seed(args.seed + done)
    begin, losses = time.time(), []
    while done < args.steps:
        anneal(optimizer, args.lr, args.lr_final, done, args.steps, time.time() - begin, args.time_limit)
        experts = sets[done % len(sets)]
        rows = len(experts["rows"])
        chosen = rng.choice(rows, size=min(args.batch_size, rows), replace=False)
        loss = batch_loss(policy, experts, chosen, rng, generator, args.device)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), args.grad_clip)
        optimizer.step()
        losses.append(float(loss.detach()))
        done += 1
        out_of_time = bool(args.time_limit) and time.time() - begin > args.time_limit
        if done % args.validate_every == 0 or done == args.steps or out_of_time:
            policy.eval()
            gap = validation_gap(policy)
            policy.train()
            sizes = {"sizes": [experts["size"] for experts in sets]}
            loss = float(np.mean(losses))
            best = record_validation(
                args, problem, policy, optimizer, history, "step", done, loss, gap, best, begin, sizes
            )
            log(f"step {done}: loss {loss:.4f}, validation gap {gap:.2f}% (best {best:.2f}%)")
            losses = []
        if progress:
            progress(done, args.steps, f"validation gap best {best:.2f}%" if history else "")
        if out_of_time:
            break
    return {"best_valid_gap": best, "steps": done, "history": history}


def random_views(coords: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """``coords`` ``[B, n, 2]`` with each instance in one of its 8 symmetric views, at random."""
    from cosolve.gnn.tsp_rollout import symmetries

    views = torch.as_tensor(rng.integers(0, 8, size=coords.shape[0]), device=coords.device)
    return symmetries(coords)[views, torch.arange(coords.shape[0], device=coords.device)]
