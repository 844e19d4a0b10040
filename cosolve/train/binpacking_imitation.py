"""Imitation of optimal packings for the offline bin packing policy (sequential bin filling,
see :mod:`cosolve.problems.binpacking.observe`).

Experts (:func:`make_experts`) are proven optimal packings of generated instances: CP-SAT
(:func:`cosolve.baselines.binpacking_cpsat.solve_cpsat`, one worker, warm-started from first fit
decreasing) for the uniform and Scholl classes, keeping only the instances it proves optimal
(status ``optimal``; the others are dropped, so a file may hold fewer than ``count`` rows). For
Falkenauer's triplets (``tN``) CP-SAT rarely finds the ``N/3`` bins in 10 s, so a backtracking
search for a *perfect* packing (:func:`perfect_triplets`: three items per bin, every bin filled to
the capacity) is used instead: it reaches the L1 bound, hence is optimal; instances it does not
solve within its node limit are dropped.

Each expert packing is stored in canonical form (:func:`canonical_bins`): bins in the order the
decision model builds them, each opened by the heaviest unpacked item, and maximal (no item of a
later bin fits an earlier bin's room; items are moved forward where they do, which never adds a
bin). A training state (:func:`expert_states`) is a random point on the way: some complete bins
and part of the next one (its heaviest item first, then a random subset of the rest). The correct
next items (a set, loss ``-log sum_{correct} pi``) are the unpacked items of the expert's current
bin, or at a new bin the heaviest unpacked items, together with every unpacked item of the same
weight as one of them (items of equal weight are interchangeable).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from cosolve.errors import CosolveInputError
from cosolve.gnn.binpacking_policy import DEFAULT_CONFIG, BinPackingPolicy
from cosolve.gnn.binpacking_rollout import PROBLEM, run_packing
from cosolve.gnn.token_net import TokenNetConfig
from cosolve.problems import binpacking
from cosolve.problems.binpacking.env import State, reset
from cosolve.problems.binpacking.observe import observe
from cosolve.train.expert_files import merge_by_size, read_experts
from cosolve.train.expert_files import save_experts as save_experts  # the trainer's file writer
from cosolve.train.imitation import ImitationArgs, imitation_defaults, recipe_runner, set_valued_loss, train_imitation
from cosolve.train.recipes import Recipe


@dataclass(kw_only=True)
class BinPackingImitationArgs(ImitationArgs):
    """The run's arguments (:class:`~cosolve.train.imitation.ImitationArgs`); the network is the
    shipped offline policy's (:data:`~cosolve.gnn.binpacking_policy.DEFAULT_CONFIG`) by default."""

    config: dict = field(default_factory=DEFAULT_CONFIG.to_dict)


PERFECT_NODE_LIMIT = 20_000


def canonical_bins(weights: np.ndarray, capacity: int, assignment: np.ndarray) -> np.ndarray:
    """``[n]`` int64 bin numbers of the canonical form of the packing ``assignment`` ``[n]``:
    repeatedly open a bin with the heaviest unpacked item (ties: lowest index), add the other
    unpacked items of its bin in ``assignment``, then, while an unpacked item fits the room left,
    move the heaviest such item in (maximality). Never uses more bins than ``assignment``."""
    weights = np.asarray(weights, dtype=np.int64)
    packed = np.zeros(weights.size, dtype=bool)
    out = np.full(weights.size, -1, dtype=np.int64)
    number = 0
    while not packed.all():
        first = int(np.argmax(np.where(packed, -1, weights)))
        members = ~packed & (assignment == assignment[first])
        out[members], packed[members] = number, True
        room = int(capacity) - int(weights[members].sum())
        while True:
            fits = np.where(~packed & (weights <= room), weights, -1)
            item = int(np.argmax(fits))
            if fits[item] < 0:
                break
            out[item], packed[item] = number, True
            room -= int(weights[item])
        number += 1
    return out


def perfect_triplets(weights: np.ndarray, capacity: int, node_limit: int = PERFECT_NODE_LIMIT) -> np.ndarray | None:
    """``[n]`` int64 bin numbers of a packing of three items per bin, each filled exactly to
    ``capacity`` (so it meets L1 and is optimal; a perfect packing of Falkenauer's triplets has this
    form), or ``None`` when the depth-first search finds none within ``node_limit`` completions tried.

    Most constrained first: each node packs the remaining weight with the fewest completions (pairs
    of other remaining items filling its bin exactly) and backtracks at once when one has none.
    """
    weights = np.asarray(weights, dtype=np.int64)
    capacity = int(capacity)
    if weights.size % 3 or int(weights.sum()) != capacity * (weights.size // 3):
        return None
    count = np.bincount(weights, minlength=capacity + 1).astype(np.int64)
    low = np.arange(capacity + 1)
    triples: list[tuple[int, int, int]] = []
    nodes = 0

    def completions(weight: int) -> list[tuple[int, int]]:
        """Pairs ``(b, c)``, ``b <= c``, of remaining weights (besides one ``weight``) with ``weight + b + c = C``."""
        left = count.copy()
        left[weight] -= 1
        room = capacity - weight
        b = low[1 : room // 2 + 1]
        c = room - b
        ok = (left[b] > 0) & (left[c] > 0) & ((b != c) | (left[b] > 1))
        return list(zip(b[ok].tolist(), c[ok].tolist()))

    def search() -> bool:
        nonlocal nodes
        present = np.flatnonzero(count)
        if present.size == 0:
            return True
        options = [completions(int(w)) for w in present]
        pick = int(np.argmin([len(o) for o in options]))
        weight = int(present[pick])
        for b, c in options[pick]:
            nodes += 1
            if nodes > node_limit:
                return False
            for w in (weight, b, c):
                count[w] -= 1
            triples.append((weight, b, c))
            if search():
                return True
            triples.pop()
            for w in (weight, b, c):
                count[w] += 1
        return False

    if not search():
        return None
    waiting = {int(w): np.flatnonzero(weights == w).tolist() for w in np.unique(weights)}
    assignment = np.full(weights.size, -1, dtype=np.int64)
    for number, triple in enumerate(triples):
        for weight in triple:
            assignment[waiting[weight].pop()] = number
    return assignment


def make_experts(size: str, count: int, seed: int, expert: str = "cpsat", seconds: float = 5.0) -> dict:
    """Generated instances of ``size`` (e.g. ``u120``, ``t60``, ``scholl1_n100_c120_w20``) with
    proven optimal packings (see the module docstring; unproven instances are dropped):
    ``weights`` ``[N, n]``, ``capacity``, ``optimum`` ``[N]``, ``bins`` ``[N, n]`` (canonical)."""
    if expert != "cpsat":
        raise CosolveInputError(f"unknown expert {expert!r} (the bin packing expert is cpsat, exact)")
    from cosolve.baselines.binpacking_cpsat import solve_cpsat
    from cosolve.baselines.binpacking_heuristics import pack_instances

    kind = binpacking.parse_size(size)[0]
    instances = binpacking.generate(size, count, seed)
    starts = pack_instances(instances, "ffd").numpy() if instances else []
    kept, optimum, bins = [], [], []
    for instance, start in zip(instances, starts):
        if kind == "t":
            assignment = perfect_triplets(instance.weights, instance.capacity)
        else:
            result = solve_cpsat(instance.weights, instance.capacity, start, seconds, 1)
            assignment = result.assignment if result.status == "optimal" else None
        if assignment is None:
            continue
        canonical = canonical_bins(instance.weights, instance.capacity, assignment)
        kept.append(instance)
        optimum.append(int(canonical.max()) + 1)
        bins.append(canonical)
    n = binpacking.parse_size(size)[1]
    return {
        "weights": np.stack([i.weights for i in kept]) if kept else np.zeros((0, n), dtype=np.int64),
        "capacity": np.array([i.capacity for i in kept], dtype=np.int64),
        "optimum": np.array(optimum, dtype=np.int64),
        "bins": np.stack(bins) if bins else np.zeros((0, n), dtype=np.int64),
    }


def load_experts(path: str | Path) -> dict:
    return read_experts(path, ("weights", "capacity", "optimum", "bins"), "binpacking")


def instances_of(experts: dict, rows: np.ndarray) -> list[binpacking.Instance]:
    return [binpacking.Instance(f"e{k}", experts["weights"][k], int(experts["capacity"][k])) for k in rows]


def expert_states(
    experts: dict, chosen: np.ndarray, device: str, generator: torch.Generator
) -> tuple[State, torch.Tensor]:
    """States at a random point of the canonical expert packings of rows ``chosen`` and their
    correct next items ``[B, n]`` bool (see the module docstring).

    The states are ``mode="offline"`` with ``steps`` 0 (their instances have different numbers
    of items packed): for :func:`~cosolve.problems.binpacking.observe.observe`, not to step on.
    """
    take = lambda key: torch.as_tensor(experts[key][chosen], device=device)  # noqa: E731
    weights, capacity, bins = take("weights"), take("capacity"), take("bins")
    batch, n = weights.shape
    heaviest = torch.zeros_like(weights).scatter_reduce(1, bins, weights, "amax")  # [B, bins]
    opens = weights == heaviest.gather(1, bins)
    noise = torch.rand(batch, n, generator=generator, device=device, dtype=torch.float64)
    keys = bins.double() + torch.where(opens, 0.25 * noise, 0.5 + 0.4 * noise)
    rank = keys.argsort(dim=1).argsort(dim=1)  # the canonical order, each bin's heaviest item first
    steps = (torch.rand(batch, generator=generator, device=device, dtype=torch.float64) * n).long().clamp(max=n - 1)
    packed = rank < steps.unsqueeze(1)
    nearest = (rank == steps.unsqueeze(1)).long().argmax(dim=1)  # the next item in the canonical order
    current = bins.gather(1, nearest.unsqueeze(1))  # [B, 1] the expert's bin being filled
    assignment = torch.where(packed, bins, -1)
    loads = torch.zeros_like(weights).scatter_add_(1, bins, torch.where(packed, weights, 0))
    state = State(
        weights=weights,
        capacity=capacity,
        loads=loads,
        assignment=assignment,
        n_open=assignment.max(dim=1).values + 1,
        mode="offline",
    )
    unpacked = ~packed
    fresh = ~(packed & (bins == current)).any(dim=1, keepdim=True)
    largest = torch.where(unpacked, weights, -1).amax(dim=1, keepdim=True)
    in_bin = unpacked & (bins == current)
    twins = ((weights.unsqueeze(2) == weights.unsqueeze(1)) & in_bin.unsqueeze(1)).any(dim=2)
    correct = torch.where(fresh, unpacked & (weights == largest), unpacked & twins)
    return state, correct


def packing_loss(
    policy: BinPackingPolicy,
    experts: dict,
    chosen: np.ndarray,
    rng: np.random.Generator,
    generator: torch.Generator,
    device: str,
) -> torch.Tensor:
    """Set-valued loss at random states on the way to the ``chosen`` canonical optimal packings."""
    state, correct = expert_states(experts, chosen, device, generator)
    return set_valued_loss(policy(observe(state)), correct)


def validation_gap(policy: BinPackingPolicy, experts: dict, device: str) -> float:
    """Mean % of bins above the optima of the greedy rollouts (one batch: an expert file's
    instances share their number of items)."""
    instances = instances_of(experts, np.arange(len(experts["optimum"])))
    bins = run_packing(policy, reset(instances, device, mode="offline")).n_open.cpu().numpy()
    return float(np.mean(100.0 * (bins / experts["optimum"] - 1.0)))


def train(
    args: BinPackingImitationArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Train (or resume); writes ``args.out`` (best by validation gap), ``.last`` and ``.csv``
    (checkpoint problem ``binpacking_offline``). Expert files of one number of items are merged
    (classes and capacities mixed)."""
    sets = merge_by_size([load_experts(path) for path in args.data], "weights")
    validation = load_experts(args.validation)
    return train_imitation(
        PROBLEM,
        args,
        lambda config: BinPackingPolicy(TokenNetConfig(**config)),
        sets,
        packing_loss,
        lambda trained: validation_gap(trained, validation, args.device),
        resume,
        log,
        progress,
    )


RECIPE = Recipe(
    problem="binpacking",
    mode="offline",
    algo="imitation",
    summary="offline policy (one bin at a time), imitation of proven optimal packings",
    defaults=imitation_defaults("u120,t60", "cpsat"),
    run=recipe_runner("binpacking", BinPackingImitationArgs, make_experts, save_experts, train, validation_count=64),
    score="validation bins above the optima (%)",
    settings={
        "experts": ("cpsat",),
        "validation_count": 64,
        "shipped": {
            "sizes": {"u120": 600, "u250": 200, "t60": 400, "t120": 200, "scholl1_n100_c120_w20": 300},
            "validation_size": "u120",
            "expert_time_limit": 3.0,
        },
    },
    arguments=BinPackingImitationArgs,
)
