"""Imitation of near-optimal route sets for the CVRP policy.

An expert solution fixes the routes, not their order or direction, so the label is a set:
at the depot, either end of any unserved expert route is correct; on a route, the next
customer in the direction the vehicle entered it (or the depot after its last customer).
The loss is ``-log sum_{correct} pi``. A training step draws a batch of expert solutions and
one state on the way to each (as the TSP trainer draws tour suffixes): the routes in a random
order, each in a random direction, stopped at a random point (some routes done, one route
partly driven); the states are built directly on tensors, so every step sees independent
states of many instances. Each instance is seen in one of its 8 symmetric views.

Experts: PyVRP (``pyvrp``, ``pip install cosolve[bench]``), OR-Tools, or Clarke–Wright
savings (fast, for tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from cosolve.errors import CosolveInputError
from cosolve.gnn.cvrp_policy import CvrpPolicy
from cosolve.gnn.cvrp_rollout import run_routes
from cosolve.gnn.decode import random_views
from cosolve.gnn.token_net import TokenNetConfig
from cosolve.problems import cvrp
from cosolve.problems.cvrp.env import State, reset
from cosolve.problems.cvrp.observe import observe
from cosolve.train.expert_files import merge_by_size, read_experts
from cosolve.train.expert_files import save_experts as save_experts  # the trainer's file writer
from cosolve.train.imitation import ImitationArgs, imitation_defaults, recipe_runner, set_valued_loss, train_imitation
from cosolve.train.recipes import Recipe


def expert_solution(instance: cvrp.Instance, expert: str, seconds: float) -> cvrp.Solution:
    """Routes of ``instance`` by ``pyvrp``, ``ortools`` or ``savings``, checked."""
    if expert == "pyvrp":
        from cosolve.baselines.cvrp_pyvrp import solve_pyvrp

        solution = solve_pyvrp(instance, seconds)
    elif expert == "ortools":
        from cosolve.baselines.cvrp_ortools import solve_ortools

        solution = solve_ortools(instance, seconds).solution
    elif expert == "savings":
        from cosolve.baselines.cvrp_heuristics import clarke_wright

        solution = clarke_wright(instance)
    else:
        raise CosolveInputError(f"unknown expert {expert!r} (pyvrp, ortools or savings)")
    cvrp.check(instance, solution)
    return solution


def neighbours(solution: cvrp.Solution, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """``succ`` and ``pred`` ``[N]``: each customer's neighbours on its route (0 = the depot)."""
    succ, pred = np.zeros(nodes, dtype=np.int64), np.zeros(nodes, dtype=np.int64)
    for route in solution.routes:
        for a, b in zip(route[:-1], route[1:]):
            succ[a], pred[b] = b, a
    return succ, pred


def make_experts(size: str, count: int, seed: int, expert: str = "pyvrp", seconds: float = 1.0) -> dict:
    """Generated instances with their expert routes as ``succ`` / ``pred`` arrays and costs."""
    instances = cvrp.generate(size, count, seed)
    solutions = [expert_solution(instance, expert, seconds) for instance in instances]
    links = [neighbours(solution, instance.n_nodes) for instance, solution in zip(instances, solutions)]
    return {
        "coords": np.stack([i.coords for i in instances]),
        "demands": np.stack([i.demands for i in instances]),
        "capacity": np.array([i.capacity for i in instances]),
        "succ": np.stack([s for s, _ in links]),
        "pred": np.stack([p for _, p in links]),
        "costs": np.array([cvrp.evaluate(i, s) for i, s in zip(instances, solutions)], dtype=np.float64),
    }


def load_experts(path: str | Path) -> dict:
    return read_experts(path, ("coords", "demands", "capacity", "succ", "pred", "costs"), "CVRP")


def instances_of(experts: dict, chosen: np.ndarray) -> list[cvrp.Instance]:
    """The generated instances behind expert rows ``chosen`` (exact Euclidean distances)."""
    result = []
    for k in chosen:
        coords = experts["coords"][k]
        distances = np.sqrt(((coords[:, None] - coords[None]) ** 2).sum(axis=2))
        result.append(
            cvrp.Instance(
                f"e{k}", coords, experts["demands"][k], int(experts["capacity"][k]), distances, "EUC_2D", "none"
            )
        )
    return result


def correct_actions(state: State, succ: torch.Tensor, pred: torch.Tensor, forward: torch.Tensor) -> torch.Tensor:
    """``[B, N]`` bool, the set-valued label (see the module docstring).

    Args:
        succ, pred: ``[B, N]`` expert route neighbours (0 = depot).
        forward: ``[B]`` bool, the vehicle follows its route in the ``succ`` direction.
    """
    current = state.current.unsqueeze(1)
    ahead = torch.where(forward, succ.gather(1, current).squeeze(1), pred.gather(1, current).squeeze(1))
    on_route = torch.zeros_like(state.visited)
    on_route[torch.arange(ahead.shape[0], device=ahead.device), ahead] = True
    ends = ~state.visited & ((succ == 0) | (pred == 0))
    ends[:, 0] = state.all_served  # everything served: back to (or stay at) the depot
    return torch.where((state.current == 0).unsqueeze(1), ends, on_route)


@dataclass(kw_only=True)
class CvrpImitationArgs(ImitationArgs):
    """The run's arguments (:class:`~cosolve.train.imitation.ImitationArgs`), the CVRP network's by default."""

    config: dict = field(default_factory=lambda: TokenNetConfig().to_dict())


def greedy_costs(policy: CvrpPolicy, instances: list[cvrp.Instance], device: str) -> torch.Tensor:
    """``[B]`` costs of greedy route sets of same-size instances."""
    coords = torch.as_tensor(np.stack([i.coords for i in instances]), dtype=torch.float32, device=device)
    return run_routes(policy, reset(instances, device), coords).length.cpu()


def validation_gap(policy: CvrpPolicy, experts: dict, device: str) -> float:
    """Mean gap (%) of greedy route sets to the expert costs."""
    costs = greedy_costs(policy, instances_of(experts, np.arange(len(experts["costs"]))), device).numpy()
    return float(np.mean(100.0 * (costs / experts["costs"] - 1.0)))


def route_tables(succ: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per expert solution (rows of ``succ``/``pred`` ``[S, N]``): ``route`` ``[S, N]`` (each
    customer's route number, -1 for the depot), ``position`` ``[S, N]`` (its place on the route
    in the ``succ`` direction) and ``lengths`` ``[S, R]`` (customers per route, 0 past the last)."""
    rows, nodes = succ.shape
    route, position = np.full((rows, nodes), -1, dtype=np.int64), np.zeros((rows, nodes), dtype=np.int64)
    counts = []
    for row in range(rows):  # once per data set, at load time
        sizes = []
        for start in np.flatnonzero(pred[row, 1:] == 0) + 1:  # first customers of the routes
            node, place = start, 0
            while node != 0:
                route[row, node], position[row, node] = len(sizes), place
                node, place = succ[row, node], place + 1
            sizes.append(place)
        counts.append(sizes)
    lengths = np.zeros((rows, max(len(c) for c in counts)), dtype=np.int64)
    for row, sizes in enumerate(counts):
        lengths[row, : len(sizes)] = sizes
    return route, position, lengths


def expert_states(
    experts: dict, chosen: np.ndarray, coords: torch.Tensor, generator: torch.Generator
) -> tuple[State, torch.Tensor]:
    """Random states on the way to the expert solutions ``chosen`` and their correct next
    nodes ``[B, N]`` (see the module docstring).

    Args:
        experts: an expert set with its :func:`route_tables` (``route``, ``position``, ``lengths``).
        coords: ``[B, N, 2]`` coordinates of the chosen instances (distances are rebuilt from them).
    """
    device = coords.device
    take = lambda key: torch.as_tensor(experts[key][chosen], device=device)  # noqa: E731
    route, position, lengths, succ, pred = take("route"), take("position"), take("lengths"), take("succ"), take("pred")
    demands, capacity = take("demands"), take("capacity")
    batch, routes = lengths.shape
    rows = torch.arange(batch, device=device)
    count = (lengths > 0).sum(dim=1)
    keys = torch.rand(batch, routes, generator=generator, device=device).masked_fill(lengths == 0, 2.0)
    rank = keys.argsort(dim=1).argsort(dim=1)  # a random order of each solution's routes
    done_routes = (torch.rand(batch, generator=generator, device=device) * count).long()  # 0 .. count-1
    driving = (rank == done_routes.unsqueeze(1)).long().argmax(dim=1)
    size = lengths[rows, driving]
    driven = (torch.rand(batch, generator=generator, device=device) * (size + 1)).long()  # 0 .. size
    forward = torch.rand(batch, generator=generator, device=device) < 0.5
    customer = route >= 0
    along = torch.where(forward.unsqueeze(1), position, size.unsqueeze(1) - 1 - position)
    on_route = customer & (route == driving.unsqueeze(1))
    behind = on_route & (along < driven.unsqueeze(1))
    visited = (customer & (rank.gather(1, route.clamp(min=0)) < done_routes.unsqueeze(1))) | behind
    last = (on_route & (along == driven.unsqueeze(1) - 1)).long().argmax(dim=1)
    current = torch.where(driven > 0, last, 0)
    remaining = capacity - (demands * behind).sum(dim=1)
    distances = torch.cdist(coords.double(), coords.double())
    state = State(
        distances,
        demands,
        capacity,
        visited,
        current,
        remaining,
        torch.zeros(batch, dtype=torch.float64, device=device),
        torch.zeros(batch, 0, dtype=torch.int64, device=device),
    )
    return state, correct_actions(state, succ, pred, forward)


def state_loss(
    policy: CvrpPolicy,
    experts: dict,
    chosen: np.ndarray,
    rng: np.random.Generator,
    generator: torch.Generator,
    device: str,
) -> torch.Tensor:
    """Set-valued loss at random states on the way to the ``chosen`` expert solutions (each
    instance in a random symmetric view)."""
    coords = torch.as_tensor(experts["coords"][chosen], dtype=torch.float32, device=device)
    state, correct = expert_states(experts, chosen, coords, generator)
    return set_valued_loss(policy(observe(state, random_views(coords, rng))), correct)


def train(
    args: CvrpImitationArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Train (or resume); writes ``args.out`` (best by validation gap), ``.last`` and ``.csv``."""
    sets = merge_by_size([load_experts(path) for path in args.data], "succ", lambda nodes: str(nodes - 1))
    for experts in sets:
        experts["route"], experts["position"], experts["lengths"] = route_tables(experts["succ"], experts["pred"])
    validation = load_experts(args.validation)
    return train_imitation(
        "cvrp",
        args,
        lambda config: CvrpPolicy(TokenNetConfig(**config)),
        sets,
        state_loss,
        lambda trained: validation_gap(trained, validation, args.device),
        resume,
        log,
        progress,
    )


RECIPE = Recipe(
    problem="cvrp",
    mode="",
    algo="imitation",
    summary="imitation of near-optimal route sets (set-valued labels)",
    defaults=imitation_defaults("20,50,100", "pyvrp"),
    run=recipe_runner("cvrp", CvrpImitationArgs, make_experts, save_experts, train, validation_count=64),
    score="validation gap to the expert routes (%)",
    settings={
        "experts": ("pyvrp", "ortools", "savings"),
        "validation_count": 64,
        "shipped": {"sizes": {"20": 500, "50": 500, "100": 500}, "validation_size": "100", "expert_time_limit": 1.0},
    },
    arguments=CvrpImitationArgs,
)
