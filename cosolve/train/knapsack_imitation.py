"""Imitation of optimal selections for the knapsack policy.

An optimal selection is a set, so its items may be taken in any order: after any part of it
is in the knapsack, every other optimal item is a correct next action, and stop is correct
once all are in. An item whose greedy completion (:mod:`cosolve.problems.knapsack.completion`)
reaches the optimum value is correct too: that completion is another optimal set (many
instances, strongly correlated ones above all, have several). The loss is
``-log sum_{correct} pi``. A training step draws a batch of expert instances of one size
(Pisinger's classes mixed) and one state per instance: a random part of its optimal set
already taken (at random or by decreasing ratio, :data:`RATIO_ORDER`), most of the set more
often than little of it (:data:`LATE_STATES`). Experts: OR-Tools' exact solvers (proven
optima). A run may start from the weights of an earlier checkpoint that read fewer features (``init``,
see :func:`cosolve.gnn.knapsack_policy.load_narrower_weights`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.errors import CosolveInputError
from cosolve.gnn.knapsack_policy import DEFAULT_CONFIG, KnapsackPolicy, load_narrower_weights
from cosolve.gnn.knapsack_rollout import run_selection
from cosolve.gnn.token_net import TokenNetConfig
from cosolve.problems import knapsack
from cosolve.problems.knapsack.completion import greedy_completions
from cosolve.problems.knapsack.env import State, reset
from cosolve.problems.knapsack.observe import observe
from cosolve.train.expert_files import merge_by_size, read_experts
from cosolve.train.expert_files import save_experts as save_experts  # the trainer's file writer
from cosolve.train.imitation import ImitationArgs, imitation_defaults, recipe_runner, set_valued_loss, train_imitation
from cosolve.train.recipes import Recipe


@dataclass(kw_only=True)
class KnapsackImitationArgs(ImitationArgs):
    """The run's arguments (:class:`~cosolve.train.imitation.ImitationArgs`); the network is
    the shipped knapsack policy's (:data:`~cosolve.gnn.knapsack_policy.DEFAULT_CONFIG`) by default."""

    config: dict = field(default_factory=DEFAULT_CONFIG.to_dict)


LATE_STATES = 3.0
"""The number of optimal items left in a training state is ``1 + u ** LATE_STATES`` of the
set's size (``u`` uniform): about half the states have at most a tenth of the set left. The late
decisions are where a construction goes wrong (early on, the best-ratio item is nearly always
optimal; near the end, the lookahead features tell which item still completes best)."""
RATIO_ORDER = 0.5
"""The share of training states whose taken items are the optimal set's best-ratio ones (as
a construction that goes by ratio has them), not a random part of it: their late decisions
are those of a rollout, the choice among the low-ratio items that fill the capacity."""


def make_experts(size: str, count: int, seed: int, expert: str = "ortools", seconds: float = 10.0) -> dict:
    """``count`` generated instances of ``size`` (e.g. ``strong100``) with optimal selections:
    ``values``, ``weights`` ``[N, n]``, ``capacity``, ``optimum`` ``[N]``, ``chosen`` ``[N, n]`` bool."""
    if expert != "ortools":
        raise CosolveInputError(f"unknown expert {expert!r} (the knapsack expert is ortools, exact)")
    from cosolve.baselines.knapsack_ortools import solve_ortools

    instances = knapsack.generate(size, count, seed)
    chosen = np.zeros((count, instances[0].n_items), dtype=bool)
    optimum = np.zeros(count, dtype=np.int64)
    for row, instance in enumerate(instances):
        result = solve_ortools(instance.values, instance.weights, instance.capacity, seconds)
        if result.status != "optimal":
            raise CosolveInputError(f"{instance.name}: no proven optimum within {seconds} s")
        chosen[row, result.items] = True
        optimum[row] = result.value
    return {
        "values": np.stack([i.values for i in instances]),
        "weights": np.stack([i.weights for i in instances]),
        "capacity": np.array([i.capacity for i in instances], dtype=np.int64),
        "optimum": optimum,
        "chosen": chosen,
    }


def load_experts(path: str | Path) -> dict:
    return read_experts(path, ("values", "weights", "capacity", "optimum", "chosen"), "knapsack")


def instances_of(experts: dict, rows: np.ndarray) -> list[knapsack.Instance]:
    return [
        knapsack.Instance(f"e{k}", experts["values"][k], experts["weights"][k], int(experts["capacity"][k]))
        for k in rows
    ]


def expert_states(
    experts: dict, chosen: np.ndarray, device: str, generator: torch.Generator
) -> tuple[State, torch.Tensor, torch.Tensor]:
    """States with a random part of each optimal set taken, their correct actions
    ``[B, n + 1]`` (the other items of that set, those whose greedy completion is optimal, and
    stop once the optimum is reached) and whether each state still has a decision to make ``[B]``."""
    take = lambda key: torch.as_tensor(experts[key][chosen], device=device)  # noqa: E731
    values, weights, capacity, optimal = take("values"), take("weights"), take("capacity"), take("chosen")
    optimum = take("optimum")
    batch, n = values.shape
    keys = torch.rand(batch, n, generator=generator, device=device)
    by_ratio = torch.rand(batch, 1, generator=generator, device=device) < RATIO_ORDER
    ratio = values.double() / weights.double()
    keys = torch.where(by_ratio, 1.0 - ratio / ratio.amax(dim=1, keepdim=True).clamp(min=1e-9), keys.double())
    rank = keys.masked_fill(~optimal, 2.0).argsort(dim=1, stable=True).argsort(dim=1)  # the optimal items first
    sizes = optimal.sum(dim=1)
    draw = torch.rand(batch, generator=generator, device=device) ** LATE_STATES
    left_count = (1 + (draw * sizes).long()).clamp(max=sizes)  # at least one left: a decision to make
    taken = optimal & (rank < (sizes - left_count).unsqueeze(1))
    state = State(
        values=values,
        weights=weights,
        capacity=capacity,
        chosen=taken,
        remaining=capacity - (weights * taken).sum(dim=1),
        value=(values * taken).sum(dim=1),
        stopped=torch.zeros(batch, dtype=torch.bool, device=device),
    )
    left = optimal & ~taken
    reaches_optimum = greedy_completions(state).value == optimum.unsqueeze(1)
    correct = torch.cat([left | reaches_optimum, ~left.any(dim=1, keepdim=True)], dim=1)
    return state, correct, ~state.done


def selection_loss(
    policy: KnapsackPolicy,
    experts: dict,
    chosen: np.ndarray,
    rng: np.random.Generator,
    generator: torch.Generator,
    device: str,
) -> torch.Tensor:
    """Set-valued loss at random states on the way to the ``chosen`` optimal selections."""
    state, correct, open_ = expert_states(experts, chosen, device, generator)
    logits = policy(observe(state))
    return set_valued_loss(logits[open_], correct[open_])


def validation_gap(policy: KnapsackPolicy, experts: dict, device: str) -> float:
    """Mean gap (%) of greedy selections below the optima."""
    instances = instances_of(experts, np.arange(len(experts["optimum"])))
    values = run_selection(policy, reset(instances, device)).value.cpu().numpy()
    return float(np.mean(100.0 * (1.0 - values / np.maximum(experts["optimum"], 1))))


def train(
    args: KnapsackImitationArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
    init: str | None = None,
) -> dict:
    """Train (or resume); writes ``args.out`` (best by validation gap), ``.last`` and ``.csv``.
    A fresh run starts from the weights of the checkpoint ``init`` when given (same network
    config; its policy may read fewer features); a resumed run ignores it."""
    sets = merge_by_size([load_experts(path) for path in args.data], "values")  # classes mixed
    validation = load_experts(args.validation)

    def make_policy(config: dict) -> KnapsackPolicy:
        policy = KnapsackPolicy(TokenNetConfig(**config))
        if init and not resume:
            try:
                load_narrower_weights(policy, load_checkpoint(init, "knapsack")["weights"])
            except ValueError as error:
                raise CosolveInputError(f"cannot start from this checkpoint: {error}", init) from None
        return policy

    return train_imitation(
        "knapsack",
        args,
        make_policy,
        sets,
        selection_loss,
        lambda trained: validation_gap(trained, validation, args.device),
        resume,
        log,
        progress,
    )


RECIPE = Recipe(
    problem="knapsack",
    mode="",
    algo="imitation",
    summary="imitation of proven optimal selections (set-valued labels)",
    defaults={**imitation_defaults("uncorrelated100,strong100", "ortools"), "init": None},
    run=recipe_runner("knapsack", KnapsackImitationArgs, make_experts, save_experts, train, validation_count=64),
    score="validation gap below the optima (%)",
    settings={
        "experts": ("ortools",),
        "validation_count": 64,
        "shipped": {
            "sizes": {
                f"{kind}{n}": 500 for n in (50, 100, 200) for kind in ("uncorrelated", "weak", "strong", "subset")
            },
            "validation_size": "strong100",
            "expert_time_limit": 10.0,
        },
    },
    arguments=KnapsackImitationArgs,
)
