"""Imitation of near-optimal tours for the TSP policy (BQ-NCO style).

Every suffix of an expert tour is a labelled sample: after the first ``t`` nodes of the tour,
the remaining problem (unvisited nodes, current node, first node) is the state and the
tour's next node is the label. A training step draws a batch of expert tours of one size,
one ``t`` for the batch, a direction per tour (a reversed optimal tour is optimal too) and
one of the 8 symmetric views of each instance's coordinates (flips and the x-y swap), and
minimises the cross-entropy of the policy's choice. Experts: LKH-3 through ``elkai``
(``pip install cosolve[bench]``) or OR-Tools guided local search.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from cosolve.atomic import write_bytes_atomic
from cosolve.errors import CosolveInputError
from cosolve.gnn.routing_net import RoutingNetConfig
from cosolve.gnn.tsp_policy import TspPolicy
from cosolve.gnn.tsp_rollout import greedy_tours, symmetries
from cosolve.problems import tsp
from cosolve.problems.tsp.env import State
from cosolve.problems.tsp.observe import observe
from cosolve.train.record import anneal, record_validation, resume_from


def expert_tour(instance: tsp.Instance, expert: str, seconds: float) -> np.ndarray:
    """A near-optimal tour ``[n]`` starting at node 0: LKH-3 (``lkh``), OR-Tools (``ortools``)
    or nearest neighbour + 2-opt (``2opt``)."""
    if expert == "lkh":
        try:
            import elkai
        except ImportError:
            raise CosolveInputError("expert 'lkh' needs elkai (pip install cosolve[bench]); or use 'ortools'") from None
        weights = np.rint(instance.distances * 1e6).astype(np.int64).tolist()
        tour = np.asarray(elkai.DistanceMatrix(weights).solve_tsp(runs=5)[:-1], dtype=np.int64)
    elif expert == "2opt":  # fast, about 5 % above optimal: for tests and quick runs
        from cosolve.baselines.tsp_heuristics import construct, two_opt

        distances = torch.as_tensor(instance.distances).unsqueeze(0)
        tour = two_opt(distances, construct(distances, "nearest"))[0].numpy()
    elif expert == "ortools":
        from cosolve.baselines.tsp_ortools import solve_ortools

        tour = solve_ortools(instance.distances, seconds, integral=False)
    else:
        raise CosolveInputError(f"unknown expert {expert!r} (lkh, ortools or 2opt)")
    tsp.check(instance, tsp.Solution(tour))
    return np.roll(tour, -int(np.flatnonzero(tour == 0)[0]))


def make_experts(size: str, count: int, seed: int, expert: str = "lkh", seconds: float = 1.0) -> dict[str, np.ndarray]:
    """``coords`` ``[N, n, 2]``, ``tours`` ``[N, n]`` and ``lengths`` ``[N]`` of generated instances."""
    instances = tsp.generate(size, count, seed)
    tours = np.stack([expert_tour(instance, expert, seconds) for instance in instances])
    lengths = np.array([tsp.evaluate(i, tsp.Solution(t)) for i, t in zip(instances, tours)])
    return {"coords": np.stack([i.coords for i in instances]), "tours": tours, "lengths": lengths}


def save_experts(path: str | Path, experts: dict[str, np.ndarray]) -> None:
    import io

    buffer = io.BytesIO()
    np.savez_compressed(buffer, **experts)
    write_bytes_atomic(path, buffer.getvalue())


def load_experts(path: str | Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as data:
            return {key: data[key] for key in ("coords", "tours", "lengths")}
    except (OSError, KeyError, ValueError) as error:
        raise CosolveInputError(f"not a TSP expert file: {error}", path) from None


def merge_by_size(sets: list[dict[str, np.ndarray]]) -> list[dict[str, np.ndarray]]:
    """One expert set per instance size (files of the same size concatenated), by size."""
    sizes = sorted({experts["tours"].shape[1] for experts in sets})
    return [
        {key: np.concatenate([e[key] for e in sets if e["tours"].shape[1] == size]) for key in sets[0]}
        for size in sizes
    ]


def suffix_states(tours: torch.Tensor, coords: torch.Tensor, t: int) -> tuple[State, torch.Tensor]:
    """The states after the first ``t`` nodes of ``tours`` ``[B, n]`` and the next nodes ``[B]``."""
    batch, n = tours.shape
    distances = torch.cdist(coords.double(), coords.double())
    visited = torch.zeros(batch, n, dtype=torch.bool, device=tours.device)
    visited.scatter_(1, tours[:, :t], True)
    tour = torch.zeros_like(tours)
    tour[:, :t] = tours[:, :t]
    length = torch.zeros(batch, dtype=torch.float64, device=tours.device)
    return State(distances, visited, tour, tours[:, t - 1], length, t), tours[:, t]


@dataclass
class TspImitationArgs:
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


def validation_gap(policy: TspPolicy, experts: dict[str, np.ndarray], device: str) -> float:
    """Mean gap (%) of greedy tours to the expert tours."""
    instances = [
        tsp.Instance(f"v{k}", np.sqrt(((c[:, None] - c[None]) ** 2).sum(axis=2)), c)
        for k, c in enumerate(experts["coords"])
    ]
    policy.eval()
    lengths = greedy_tours(policy, instances, device).length.cpu().numpy()
    policy.train()
    return float(np.mean(100.0 * (lengths / experts["lengths"] - 1.0)))


def train(
    args: TspImitationArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Train (or resume); writes ``args.out`` (best by validation gap), ``.last`` and ``.csv``."""
    torch.manual_seed(args.seed)
    sets = merge_by_size([load_experts(path) for path in args.data])
    validation = load_experts(args.validation)
    policy = TspPolicy(RoutingNetConfig(**args.config)).to(args.device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.lr)
    done, best, history = 0, float("inf"), []
    if resume:
        done, best, history, _ = resume_from(resume, "tsp", policy, optimizer, "step")
        log(f"resumed from {resume} at step {done} (best validation gap {best:.2f}%)")
    rng = np.random.default_rng(args.seed + done)
    begin, losses = time.time(), []
    while done < args.steps and not (args.time_limit and time.time() - begin > args.time_limit):
        anneal(optimizer, args.lr, args.lr_final, done, args.steps, time.time() - begin, args.time_limit)
        experts = sets[done % len(sets)]
        chosen = rng.choice(len(experts["tours"]), size=min(args.batch_size, len(experts["tours"])), replace=False)
        tours = experts["tours"][chosen]
        flip = rng.random(len(chosen)) < 0.5
        tours[flip, 1:] = tours[flip, 1:][:, ::-1]
        n = tours.shape[1]
        t = int(rng.integers(1, n - 1))  # at least two unvisited nodes: a real choice
        coords = torch.as_tensor(experts["coords"][chosen], dtype=torch.float32, device=args.device)
        views = torch.as_tensor(rng.integers(0, 8, size=len(chosen)), device=args.device)
        coords = symmetries(coords)[views, torch.arange(len(chosen), device=args.device)]
        state, labels = suffix_states(torch.as_tensor(tours, device=args.device), coords, t)
        observation = observe(state, coords)
        logits = policy(observation)
        targets = (observation.candidates == labels.unsqueeze(1)).float().argmax(dim=1)
        loss = torch.nn.functional.cross_entropy(logits, targets)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), args.grad_clip)
        optimizer.step()
        losses.append(float(loss.detach()))
        done += 1
        out_of_time = bool(args.time_limit) and time.time() - begin > args.time_limit
        if done % args.validate_every == 0 or done == args.steps or out_of_time:
            gap = validation_gap(policy, validation, args.device)
            sizes = {"sizes": [str(s["tours"].shape[1]) for s in sets]}
            loss = float(np.mean(losses))
            best = record_validation(
                args, "tsp", policy, optimizer, history, "step", done, loss, gap, best, begin, sizes
            )
            log(f"step {done}: loss {loss:.4f}, validation gap {gap:.2f}% (best {best:.2f}%)")
            losses = []
        if progress:
            progress(done, args.steps, f"validation gap best {best:.2f}%" if history else "")
    return {"best_valid_gap": best, "steps": done, "history": history}
