"""Imitation of near-optimal route sets for the CVRP policy.

An expert solution fixes the routes, not their order or direction, so the label is a set:
at the depot, either end of any unserved expert route is correct; on a route, the next
customer in the direction the vehicle entered it (or the depot after its last customer).
The loss is ``-log sum_{correct} pi`` and episodes follow correct actions drawn from the
policy (as in :mod:`cosolve.train.imitation`), so any such episode rebuilds the expert's
routes and cost. Experts: PyVRP (``pyvrp``, ``pip install cosolve[bench]``), OR-Tools, or
Clarke–Wright savings (fast, for tests).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from cosolve.atomic import write_bytes_atomic
from cosolve.errors import CosolveInputError
from cosolve.gnn.cvrp_policy import CvrpPolicy
from cosolve.gnn.cvrp_rollout import run_routes
from cosolve.gnn.routing_net import RoutingNetConfig
from cosolve.gnn.tsp_rollout import symmetries
from cosolve.problems import cvrp
from cosolve.problems.cvrp.env import State, reset, step
from cosolve.problems.cvrp.observe import observe
from cosolve.train.imitation import follow_correct, set_valued_loss
from cosolve.train.record import anneal, record_validation, resume_from


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


def save_experts(path: str | Path, experts: dict) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **experts)
    write_bytes_atomic(path, buffer.getvalue())


def load_experts(path: str | Path) -> dict:
    try:
        with np.load(path) as data:
            return {key: data[key] for key in ("coords", "demands", "capacity", "succ", "pred", "costs")}
    except (OSError, KeyError, ValueError) as error:
        raise CosolveInputError(f"not a CVRP expert file: {error}", path) from None


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


@dataclass
class CvrpImitationArgs:
    """Everything a run depends on; stored in the checkpoint so it can resume."""

    data: list[str]
    validation: str
    out: str
    episodes: int = 2000
    batch_size: int = 32
    chunk: int = 8
    lr: float = 1e-3
    lr_final: float = 1e-5
    grad_clip: float = 1.0
    validate_every: int = 50
    seed: int = 0
    device: str = "cpu"
    time_limit: float | None = None  # seconds of this call; stops after the next validation
    config: dict = field(default_factory=lambda: RoutingNetConfig().to_dict())


def greedy_costs(policy: CvrpPolicy, instances: list[cvrp.Instance], device: str) -> torch.Tensor:
    """``[B]`` costs of greedy route sets of same-size instances."""
    coords = torch.as_tensor(np.stack([i.coords for i in instances]), dtype=torch.float32, device=device)
    return run_routes(policy, reset(instances, device), coords).length.cpu()


def validation_gap(policy: CvrpPolicy, experts: dict, device: str) -> float:
    """Mean gap (%) of greedy route sets to the expert costs."""
    policy.eval()
    costs = greedy_costs(policy, instances_of(experts, np.arange(len(experts["costs"]))), device).numpy()
    policy.train()
    return float(np.mean(100.0 * (costs / experts["costs"] - 1.0)))


def imitate_episode(
    policy, optimizer, experts: dict, chosen: np.ndarray, views: np.ndarray, args: CvrpImitationArgs
) -> list[float]:
    """One episode over a batch of expert instances, each seen in one of its 8 symmetric views
    ``views`` ``[B]`` (flips and the x-y swap: same distances); an optimizer step every
    ``chunk`` decisions."""
    device = args.device
    instances = instances_of(experts, chosen)
    coords = torch.as_tensor(experts["coords"][chosen], dtype=torch.float32, device=device)
    coords = symmetries(coords)[torch.as_tensor(views, device=device), torch.arange(len(chosen), device=device)]
    succ = torch.as_tensor(experts["succ"][chosen], device=device)
    pred = torch.as_tensor(experts["pred"][chosen], device=device)
    state = reset(instances, device)
    forward = torch.ones(len(chosen), dtype=torch.bool, device=device)
    losses, chunk_loss, steps = [], 0.0, 0
    while not bool(state.done.all()):
        active = ~state.done
        logits = policy(observe(state, coords))
        correct = correct_actions(state, succ, pred, forward)
        chunk_loss = chunk_loss + set_valued_loss(logits[active], correct[active])
        actions = follow_correct(logits, correct)
        leaving_depot = state.current == 0
        forward = torch.where(leaving_depot, pred.gather(1, actions.unsqueeze(1)).squeeze(1) == 0, forward)
        step(state, actions)
        steps += 1
        if steps % args.chunk == 0 or bool(state.done.all()):
            optimizer.zero_grad()
            (chunk_loss / args.chunk).backward()
            torch.nn.utils.clip_grad_norm_(policy.parameters(), args.grad_clip)
            optimizer.step()
            losses.append(float(chunk_loss.detach()) / args.chunk)
            chunk_loss = 0.0
    return losses


def train(
    args: CvrpImitationArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Train (or resume); writes ``args.out`` (best by validation gap), ``.last`` and ``.csv``."""
    torch.manual_seed(args.seed)
    sets = [load_experts(path) for path in args.data]
    validation = load_experts(args.validation)
    policy = CvrpPolicy(RoutingNetConfig(**args.config)).to(args.device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.lr)
    episode, best, history = 0, float("inf"), []
    if resume:
        episode, best, history, _ = resume_from(resume, "cvrp", policy, optimizer, "episode")
        log(f"resumed from {resume} at episode {episode} (best validation gap {best:.2f}%)")
    rng = np.random.default_rng(args.seed + episode)
    begin, losses = time.time(), []
    while episode < args.episodes and not (args.time_limit and time.time() - begin > args.time_limit):
        anneal(optimizer, args.lr, args.lr_final, episode, args.episodes, time.time() - begin, args.time_limit)
        experts = sets[episode % len(sets)]
        chosen = rng.choice(len(experts["costs"]), size=min(args.batch_size, len(experts["costs"])), replace=False)
        views = rng.integers(0, 8, size=len(chosen))
        losses += imitate_episode(policy, optimizer, experts, chosen, views, args)
        episode += 1
        out_of_time = bool(args.time_limit) and time.time() - begin > args.time_limit
        if episode % args.validate_every == 0 or episode == args.episodes or out_of_time:
            gap = validation_gap(policy, validation, args.device)
            sizes = {"sizes": [str(s["succ"].shape[1] - 1) for s in sets]}
            loss = float(np.mean(losses))
            best = record_validation(
                args, "cvrp", policy, optimizer, history, "episode", episode, loss, gap, best, begin, sizes
            )
            log(f"episode {episode}: loss {loss:.4f}, validation gap {gap:.2f}% (best {best:.2f}%)")
            losses = []
        if progress:
            progress(episode, args.episodes, f"validation gap best {best:.2f}%" if history else "")
    return {"best_valid_gap": best, "episodes": episode, "history": history}
