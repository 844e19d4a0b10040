"""The TSP method table.

``rule:<nearest|farthest|cheapest>[:2opt]`` (construction heuristics, batched, optionally
followed by 2-opt),
``ortools`` (guided local search for ``--time-limit`` seconds per instance) and
``gnn[:aug][:sample=N][:starts=N][:beam=N][:window=N][:2opt][:reconstruct[=N]][:checkpoint=PATH]``
(the learned construction policy, batched; ``aug`` adds the 8 symmetric views of the
coordinates, ``sample=N`` N - 1 sampled tours, ``starts=N`` greedy tours from N start nodes
(multi-start), ``beam=N`` a beam search of width N instead of each greedy tour, ``window=N``
chooses each next node among the N unvisited nodes nearest to the current one (default
``WINDOW``; 0 = all), ``2opt`` a 2-opt clean-up of the best tour, ``reconstruct`` improves the
best tour by learned reconstruction (:mod:`cosolve.gnn.tsp_reconstruct`) for ``--time-limit``
seconds per instance in all (the construction included), ``reconstruct=N`` for exactly N
iterations; with ``2opt`` the tours are 2-opted at its start and after every iteration).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import torch

from cosolve.baselines.tsp_heuristics import CONSTRUCTIONS, construct, two_opt
from cosolve.errors import CosolveInputError
from cosolve.methods import MethodFamily, MethodOutput, MethodSpec, Settings, validate_construction_policy
from cosolve.problems.tsp.instance import Instance, Solution

DEFAULT_METHOD = "gnn:2opt"


def validate_rule(spec: MethodSpec) -> None:
    if spec.variant not in CONSTRUCTIONS:
        raise CosolveInputError(
            f"method {spec.text!r}: unknown rule (choose rule:<name> with name in {', '.join(CONSTRUCTIONS)})"
        )
    spec.reject_unknown_options(["2opt"])


def rule_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """A construction heuristic (and 2-opt) over the whole batch at once; runtime shared equally."""
    validate_rule(spec)
    begin = time.perf_counter()
    distances = torch.as_tensor(np.stack([i.distances for i in instances]), device=settings.torch_device())
    tours = construct(distances, spec.variant)
    if "2opt" in spec.options:
        tours = two_opt(distances, tours)
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [MethodOutput(Solution(tour=row), per_instance) for row in tours.cpu().numpy()]


def validate_ortools(spec: MethodSpec) -> None:
    if spec.variant is not None or spec.options:
        raise CosolveInputError(f"method {spec.text!r}: ortools takes no variant or options (set --time-limit)")


def ortools_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """OR-Tools guided local search on each instance in turn."""
    from cosolve.baselines.tsp_ortools import solve_ortools

    validate_ortools(spec)
    outputs = []
    for instance in instances:
        begin = time.perf_counter()
        tour = solve_ortools(instance.distances, settings.time_limit_s, instance.edge_weight_type != "EXACT")
        outputs.append(MethodOutput(Solution(tour=tour), time.perf_counter() - begin))
    return outputs


GNN_OPTIONS = ("starts", "window", "beam", "2opt", "reconstruct")
GNN_SYNTAX = "gnn[:aug][:sample=N][:starts=N][:beam=N][:window=N][:2opt][:reconstruct[=N]][:checkpoint=PATH]"
WINDOW = 50


def validate_gnn(spec: MethodSpec) -> None:
    validate_construction_policy(spec, GNN_OPTIONS)
    if spec.int_option("starts", 1) < 1 or spec.int_option("beam", 1) < 1:
        raise CosolveInputError(f"method {spec.text!r}: starts and beam must be at least 1")
    if not (spec.int_option("window", WINDOW) == 0 or spec.int_option("window", WINDOW) >= 2):
        raise CosolveInputError(f"method {spec.text!r}: window must be 0 (all nodes) or at least 2")
    if reconstruct_iterations(spec) is not None and reconstruct_iterations(spec) < 1:
        raise CosolveInputError(f"method {spec.text!r}: reconstruct=N must be at least 1 (or plain reconstruct)")


def reconstruct_iterations(spec: MethodSpec) -> int | None:
    """N of ``reconstruct=N``; None for a time-limited ``reconstruct`` or none at all."""
    if spec.options.get("reconstruct", "") == "":
        return None
    return spec.int_option("reconstruct", 0)


def wants(spec: MethodSpec, flag: str) -> bool:
    """Whether ``flag`` is the variant or an option of ``spec`` (``gnn:2opt``, ``gnn:aug:2opt``)."""
    return flag in (spec.variant, *spec.options)


def improve_tours(
    policy: torch.nn.Module,
    instances: Sequence[Instance],
    tours: np.ndarray,
    spec: MethodSpec,
    settings: Settings,
    window: int | None,
    spent_s: float,
) -> np.ndarray:
    """``[B, n]`` the policy's ``tours`` after learned reconstruction (``reconstruct``: for what is
    left of ``--time-limit`` per instance after ``spent_s`` seconds for the batch, or N iterations)
    and / or 2-opt (``2opt``), as ``spec`` asks."""
    from cosolve.gnn.tsp_reconstruct import reconstruct

    device = settings.torch_device()
    if wants(spec, "reconstruct"):
        iterations = reconstruct_iterations(spec)
        budget = None if iterations else settings.time_limit_s * len(instances) - spent_s
        starts = [Solution(tour=row) for row in tours]
        polish = wants(spec, "2opt")
        solutions = reconstruct(
            policy, instances, starts, budget, iterations, settings.seed, device, window, polish=polish
        )
        return np.stack([solution.tour for solution in solutions])
    if wants(spec, "2opt"):
        distances = torch.as_tensor(np.stack([i.distances for i in instances]), device=device)
        return two_opt(distances, torch.as_tensor(tours, device=device)).cpu().numpy()
    return tours


def gnn_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """The learned policy: the best of its greedy (multi-start) and sampled tours, batched;
    then learned reconstruction and / or 2-opt if asked."""
    from cosolve.checkpoint import shipped_checkpoint
    from cosolve.gnn.loading import load_policy
    from cosolve.gnn.tsp_policy import TspPolicy
    from cosolve.gnn.tsp_rollout import best_tours

    validate_gnn(spec)
    samples, augment = validate_construction_policy(spec, GNN_OPTIONS)
    device = settings.torch_device()
    policy = load_policy(spec.options.get("checkpoint") or shipped_checkpoint("tsp"), "tsp", TspPolicy, device)
    begin = time.perf_counter()
    starts, window = spec.int_option("starts", 1), spec.int_option("window", WINDOW) or None
    beam = spec.int_option("beam", 1)
    tours = best_tours(policy, instances, samples, device, settings.seed, augment, starts, window, beam)
    tours = improve_tours(policy, instances, tours, spec, settings, window, time.perf_counter() - begin)
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [MethodOutput(Solution(tour=row), per_instance) for row in tours]


METHODS: dict[str, MethodFamily] = {
    "rule": MethodFamily(rule_runner, validate_rule, f"rule:<{'|'.join(CONSTRUCTIONS)}>[:2opt]", batched=True),
    "ortools": MethodFamily(ortools_runner, validate_ortools, "ortools"),
    "gnn": MethodFamily(gnn_runner, validate_gnn, GNN_SYNTAX, batched=True),
}
