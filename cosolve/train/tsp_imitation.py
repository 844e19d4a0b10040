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

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from cosolve.errors import CosolveInputError
from cosolve.gnn.decode import random_views
from cosolve.gnn.token_net import TokenNetConfig
from cosolve.gnn.tsp_policy import TspPolicy
from cosolve.gnn.tsp_rollout import greedy_tours
from cosolve.problems import tsp
from cosolve.problems.tsp.env import State
from cosolve.problems.tsp.observe import observe
from cosolve.train.expert_files import merge_by_size, read_experts
from cosolve.train.expert_files import save_experts as save_experts  # the trainer's file writer
from cosolve.train.imitation import ImitationArgs, imitation_defaults, recipe_runner, train_imitation
from cosolve.train.recipes import Recipe


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


def load_experts(path: str | Path) -> dict[str, np.ndarray]:
    return read_experts(path, ("coords", "tours", "lengths"), "TSP")


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


@dataclass(kw_only=True)
class TspImitationArgs(ImitationArgs):
    """The run's arguments (:class:`~cosolve.train.imitation.ImitationArgs`), the TSP network's by default."""

    config: dict = field(default_factory=lambda: TokenNetConfig().to_dict())


def validation_gap(policy: TspPolicy, experts: dict[str, np.ndarray], device: str) -> float:
    """Mean gap (%) of greedy tours to the expert tours."""
    instances = [
        tsp.Instance(f"v{k}", np.sqrt(((c[:, None] - c[None]) ** 2).sum(axis=2)), c)
        for k, c in enumerate(experts["coords"])
    ]
    lengths = greedy_tours(policy, instances, device).length.cpu().numpy()
    return float(np.mean(100.0 * (lengths / experts["lengths"] - 1.0)))


def suffix_loss(
    policy: TspPolicy,
    experts: dict[str, np.ndarray],
    chosen: np.ndarray,
    rng: np.random.Generator,
    generator: torch.Generator,
    device: str,
) -> torch.Tensor:
    """Cross-entropy of the policy's choice after a random prefix of the ``chosen`` expert
    tours (one prefix length for the batch, a random direction and view per tour)."""
    tours = experts["tours"][chosen]
    flip = rng.random(len(chosen)) < 0.5
    tours[flip, 1:] = tours[flip, 1:][:, ::-1]
    t = int(rng.integers(1, tours.shape[1] - 1))  # at least two unvisited nodes: a real choice
    coords = random_views(torch.as_tensor(experts["coords"][chosen], dtype=torch.float32, device=device), rng)
    state, labels = suffix_states(torch.as_tensor(tours, device=device), coords, t)
    observation = observe(state, coords)
    targets = (observation.candidates == labels.unsqueeze(1)).float().argmax(dim=1)
    return torch.nn.functional.cross_entropy(policy(observation), targets)


def train(
    args: TspImitationArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Train (or resume); writes ``args.out`` (best by validation gap), ``.last`` and ``.csv``."""
    sets = merge_by_size([load_experts(path) for path in args.data], "tours")
    validation = load_experts(args.validation)
    return train_imitation(
        "tsp",
        args,
        lambda config: TspPolicy(TokenNetConfig(**config)),
        sets,
        suffix_loss,
        lambda trained: validation_gap(trained, validation, args.device),
        resume,
        log,
        progress,
    )


RECIPE = Recipe(
    problem="tsp",
    mode="",
    algo="imitation",
    summary="imitation of near-optimal tours (BQ-NCO style: every tour suffix is a sample)",
    defaults=imitation_defaults("20,50,100", "lkh"),
    run=recipe_runner("tsp", TspImitationArgs, make_experts, save_experts, train, validation_count=64),
    score="validation gap to the expert tours (%)",
    settings={
        "experts": ("lkh", "ortools", "2opt"),
        "validation_count": 64,
        "shipped": {"sizes": {"20": 2000, "50": 2000, "100": 2000}, "validation_size": "100", "expert_time_limit": 1.0},
    },
    arguments=TspImitationArgs,
)
