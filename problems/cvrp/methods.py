"""The CVRP method table.

``savings`` (the default for now: Clarke–Wright), ``sweep[:plain]``, ``ortools[:first=cw|savings|cheapest_arc]``
(OR-Tools routing with guided local search for ``settings.time_limit_s`` per instance) and
``gnn[:aug][:sample=N][:checkpoint=PATH]`` (the learned construction policy, batched; it
becomes the default once a trained checkpoint ships).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from cosolve.baselines.cvrp_heuristics import clarke_wright, sweep
from cosolve.errors import CosolveInputError
from cosolve.methods import MethodFamily, MethodOutput, MethodSpec, Settings, validate_construction_policy
from cosolve.problems.cvrp.instance import Instance, Solution

DEFAULT_METHOD = "savings"
FIRST_SOLUTIONS = ("cw", "savings", "cheapest_arc")
"""Starts of ``ortools:first=...``: the names of :mod:`cosolve.baselines.cvrp_ortools`, repeated here
so that validating a method name does not load OR-Tools."""


def _no_variant(spec: MethodSpec, example: str) -> None:
    if spec.variant is not None:
        raise CosolveInputError(f"method {spec.text!r}: {spec.family} takes no variant (e.g. {example})")


def _timed(instances: Sequence[Instance], construct: Callable[[Instance], Solution]) -> list[MethodOutput]:
    outputs = []
    for instance in instances:
        begin = time.perf_counter()
        solution = construct(instance)
        outputs.append(MethodOutput(solution, time.perf_counter() - begin))
    return outputs


def validate_savings(spec: MethodSpec) -> None:
    _no_variant(spec, "savings")
    spec.reject_unknown_options([])


def savings_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """Clarke–Wright parallel savings on each instance."""
    validate_savings(spec)
    return _timed(instances, clarke_wright)


def validate_sweep(spec: MethodSpec) -> None:
    if spec.variant not in (None, "plain"):
        raise CosolveInputError(f"method {spec.text!r}: unknown sweep variant (use sweep or sweep:plain)")
    spec.reject_unknown_options([])


def sweep_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """The sweep heuristic, each route 2-opted (``sweep:plain``: routes in angle order)."""
    validate_sweep(spec)
    improve = spec.variant != "plain"
    return _timed(instances, lambda instance: sweep(instance, improve=improve))


def validate_ortools(spec: MethodSpec) -> None:
    _no_variant(spec, "ortools or ortools:first=savings")
    spec.reject_unknown_options(["first"])
    first = spec.options.get("first", "cw")
    if first not in FIRST_SOLUTIONS:
        choices = ", ".join(FIRST_SOLUTIONS)
        raise CosolveInputError(f"method {spec.text!r}: unknown first solution {first!r} (choose from {choices})")


def ortools_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """OR-Tools routing with guided local search, ``settings.time_limit_s`` per instance."""
    from cosolve.baselines.cvrp_ortools import solve_ortools  # OR-Tools loads only when asked for

    validate_ortools(spec)
    first = spec.options.get("first", "cw")
    outputs = []
    for instance in instances:
        begin = time.perf_counter()
        result = solve_ortools(instance, settings.time_limit_s, first)
        outputs.append(MethodOutput(result.solution, time.perf_counter() - begin, result.status))
    return outputs


def validate_gnn(spec: MethodSpec) -> None:
    validate_construction_policy(spec)


def gnn_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """The learned policy: the best of greedy (8 views with ``aug``) and sampled route sets, batched."""
    from cosolve.checkpoint import shipped_checkpoint
    from cosolve.gnn.cvrp_policy import CvrpPolicy
    from cosolve.gnn.cvrp_rollout import best_routes
    from cosolve.gnn.loading import load_policy

    samples, augment = validate_construction_policy(spec)
    device = settings.torch_device()
    policy = load_policy(spec.options.get("checkpoint") or shipped_checkpoint("cvrp"), "cvrp", CvrpPolicy, device)
    begin = time.perf_counter()
    solutions = best_routes(policy, instances, samples, device, settings.seed, augment)
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [MethodOutput(solution, per_instance) for solution in solutions]


METHODS: dict[str, MethodFamily] = {
    "savings": MethodFamily(savings_runner, validate_savings, "savings"),
    "sweep": MethodFamily(sweep_runner, validate_sweep, "sweep[:plain]"),
    "ortools": MethodFamily(ortools_runner, validate_ortools, f"ortools[:first=<{'|'.join(FIRST_SOLUTIONS)}>]"),
    "gnn": MethodFamily(gnn_runner, validate_gnn, "gnn[:aug][:sample=N][:checkpoint=PATH]", batched=True),
}
