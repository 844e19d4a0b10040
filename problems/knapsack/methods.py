"""The knapsack method table.

``greedy`` (the default for now: value/weight ratio greedy, then the better of its set and the
single most valuable item that fits, a 1/2-approximation; batched), ``greedy:plain`` (the ratio
greedy alone), ``pilot`` (the pilot method: at every step the item whose greedy completion is
worth most; batched, ``O(n^3)`` per instance) and ``ortools[:auto|bb|dp|cpsat]`` (exact:
OR-Tools' knapsack solvers or CP-SAT, ``settings.time_limit_s`` per instance; status
``optimal`` when proven, else ``feasible`` with a proven upper bound). See
:mod:`cosolve.baselines.knapsack_ortools` for the solvers.
``gnn[:sample=N][:starts=N][:checkpoint=PATH]`` is the learned construction policy (batched):
its greedy rollout, plus ``N - 1`` sampled rollouts and ``N`` rollouts that first take one of
the ``N`` items nearest the ratio greedy's critical item (multi-start); the best is kept.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import torch

from cosolve.baselines.knapsack_greedy import pilot_fill, ratio_greedy
from cosolve.errors import CosolveInputError
from cosolve.methods import MethodFamily, MethodOutput, MethodSpec, Settings
from cosolve.problems.knapsack.env import reset
from cosolve.problems.knapsack.instance import Instance, Solution

DEFAULT_METHOD = "greedy"
ORTOOLS_SOLVERS = ("auto", "bb", "dp", "cpsat")
"""The solvers of :mod:`cosolve.baselines.knapsack_ortools`, repeated here so that validating a
method name does not load OR-Tools."""


def validate_greedy(spec: MethodSpec) -> None:
    if spec.variant not in (None, "plain"):
        raise CosolveInputError(f"method {spec.text!r}: unknown greedy variant (use greedy or greedy:plain)")
    spec.reject_unknown_options([])


def greedy_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """The ratio greedy over the whole batch at once; runtime shared equally."""
    validate_greedy(spec)
    device = settings.torch_device()
    begin = time.perf_counter()
    values = torch.as_tensor(np.stack([i.values for i in instances]), dtype=torch.int64, device=device)
    weights = torch.as_tensor(np.stack([i.weights for i in instances]), dtype=torch.int64, device=device)
    capacity = torch.as_tensor([i.capacity for i in instances], dtype=torch.int64, device=device)
    chosen = ratio_greedy(values, weights, capacity, best_single=spec.variant != "plain").cpu().numpy()
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [MethodOutput(Solution.from_mask(row), per_instance) for row in chosen]


def validate_pilot(spec: MethodSpec) -> None:
    if spec.variant is not None:
        raise CosolveInputError(f"method {spec.text!r}: pilot has no variants")
    spec.reject_unknown_options([])


def pilot_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """The pilot method over the whole batch at once; runtime shared equally."""
    validate_pilot(spec)
    begin = time.perf_counter()
    chosen = pilot_fill(reset(instances, settings.torch_device())).chosen.cpu().numpy()
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [MethodOutput(Solution.from_mask(row), per_instance) for row in chosen]


def validate_ortools(spec: MethodSpec) -> None:
    if spec.variant not in (None, *ORTOOLS_SOLVERS):
        choices = ", ".join(ORTOOLS_SOLVERS)
        raise CosolveInputError(f"method {spec.text!r}: unknown OR-Tools solver (choose ortools:<{choices}>)")
    spec.reject_unknown_options([])


def ortools_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """An exact OR-Tools solver on each instance in turn, ``settings.time_limit_s`` each."""
    from cosolve.baselines.knapsack_ortools import solve_ortools  # OR-Tools loads only when asked for

    validate_ortools(spec)
    outputs = []
    for instance in instances:
        begin = time.perf_counter()
        try:
            result = solve_ortools(
                instance.values,
                instance.weights,
                instance.capacity,
                settings.time_limit_s,
                spec.variant or "auto",
                settings.resolved_workers(),
            )
        except CosolveInputError as error:
            raise CosolveInputError(f"instance {instance.name}: {error}") from None
        solution = Solution(items=result.items)
        outputs.append(MethodOutput(solution, time.perf_counter() - begin, result.status, float(result.bound)))
    return outputs


def validate_gnn(spec: MethodSpec) -> None:
    if spec.variant is not None:
        raise CosolveInputError(f"method {spec.text!r}: gnn takes options only (e.g. gnn:starts=8:sample=4)")
    spec.reject_unknown_options(["sample", "starts", "checkpoint"])
    if spec.int_option("sample", 1) < 1 or spec.int_option("starts", 0) < 0:
        raise CosolveInputError(f"method {spec.text!r}: sample must be at least 1 and starts at least 0")


def gnn_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """The learned policy over the whole batch at once (see :func:`best_selections`)."""
    from cosolve.checkpoint import shipped_checkpoint
    from cosolve.gnn.knapsack_policy import KnapsackPolicy
    from cosolve.gnn.knapsack_rollout import best_selections
    from cosolve.gnn.loading import load_policy

    validate_gnn(spec)
    device = settings.torch_device()
    checkpoint = spec.options.get("checkpoint") or shipped_checkpoint("knapsack")
    policy = load_policy(checkpoint, "knapsack", KnapsackPolicy, device)
    begin = time.perf_counter()
    samples, starts = spec.int_option("sample", 1), spec.int_option("starts", 0)
    chosen = best_selections(policy, instances, samples, starts, device, settings.seed).cpu().numpy()
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [MethodOutput(Solution.from_mask(row), per_instance) for row in chosen]


METHODS: dict[str, MethodFamily] = {
    "greedy": MethodFamily(greedy_runner, validate_greedy, "greedy[:plain]", batched=True),
    "pilot": MethodFamily(pilot_runner, validate_pilot, "pilot", batched=True),
    "ortools": MethodFamily(ortools_runner, validate_ortools, f"ortools[:<{'|'.join(ORTOOLS_SOLVERS)}>]"),
    "gnn": MethodFamily(gnn_runner, validate_gnn, "gnn[:sample=N][:starts=N][:checkpoint=PATH]", batched=True),
}
