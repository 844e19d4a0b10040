"""The CVRP method table.

``savings`` (the default for now: Clarke–Wright), ``sweep[:plain]``, ``ortools[:first=cw|savings|cheapest_arc]``
(OR-Tools routing with guided local search for ``settings.time_limit_s`` per instance) and
``gnn[:aug][:sample=N][:checkpoint=PATH]`` (the learned construction policy, batched; it
becomes the default once a trained checkpoint ships).

The constructions take ``ls``: the local search of :mod:`cosolve.baselines.cvrp_local_search`
(2-opt, relocate, swap, 2-opt*) improves their routes, iterated with ruin and recreate until
``settings.time_limit_s`` per instance (the construction included) is spent, the whole batch in
one call; ``ls:descent`` stops at the first local optimum instead (e.g. ``savings:ls``,
``sweep:plain:ls``, ``gnn:aug:ls:descent``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from cosolve.baselines.cvrp_heuristics import clarke_wright, sweep
from cosolve.errors import CosolveInputError
from cosolve.methods import MethodFamily, MethodOutput, MethodSpec, Settings, validate_construction_policy
from cosolve.problems.cvrp.instance import Instance, Solution

DEFAULT_METHOD = "savings"
SEARCH_FLAGS = ("ls", "descent")
"""Words that add the local search to a construction (``descent``: only to a local optimum)."""
FIRST_SOLUTIONS = ("cw", "savings", "cheapest_arc")
"""Starts of ``ortools:first=...``: the names of :mod:`cosolve.baselines.cvrp_ortools`, repeated here
so that validating a method name does not load OR-Tools."""


def _no_variant(spec: MethodSpec, example: str) -> None:
    if spec.variant is not None:
        raise CosolveInputError(f"method {spec.text!r}: {spec.family} takes no variant (e.g. {example})")


def _flags(spec: MethodSpec, allowed: Sequence[str]) -> set[str]:
    """The words of ``spec`` among ``allowed``, as its variant or as options (``sweep:plain:ls``,
    ``sweep:ls:plain``); a word given a value (``ls=3``) or ``descent`` without ``ls`` is an error."""
    words = {word for word in allowed if word == spec.variant or word in spec.options}
    for word in words:
        if spec.options.get(word):
            raise CosolveInputError(f"method {spec.text!r}: {word} takes no value (e.g. {spec.family}:{word})")
    if "descent" in words and "ls" not in words:
        raise CosolveInputError(f"method {spec.text!r}: descent needs ls (e.g. {spec.family}:ls:descent)")
    return words


def _searched(
    instances: Sequence[Instance], solutions: Sequence[Solution], begin: float, flags: set[str], settings: Settings
) -> list[MethodOutput]:
    """The outputs of ``solutions`` constructed since ``begin``: improved by the local search when
    ``flags`` hold ``ls``, in ``settings.time_limit_s`` per instance in all (the construction's
    time included), to the first local optimum with ``descent``."""
    if "ls" in flags:
        from cosolve.baselines.cvrp_local_search import local_search

        budget = settings.time_limit_s * len(instances) - (time.perf_counter() - begin)
        rounds = 0 if "descent" in flags else None
        solutions = local_search(instances, solutions, budget, rounds, settings.seed)
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [MethodOutput(solution, per_instance) for solution in solutions]


def _constructed(
    instances: Sequence[Instance], construct: Callable[[Instance], Solution], flags: set[str], settings: Settings
) -> list[MethodOutput]:
    """``construct`` on each instance, then the local search on the batch (with ``ls``); without
    it each output's runtime is its own construction's."""
    if "ls" in flags:
        begin = time.perf_counter()
        return _searched(instances, [construct(instance) for instance in instances], begin, flags, settings)
    outputs = []
    for instance in instances:
        begin = time.perf_counter()
        solution = construct(instance)
        outputs.append(MethodOutput(solution, time.perf_counter() - begin))
    return outputs


def validate_savings(spec: MethodSpec) -> None:
    if spec.variant not in (None, *SEARCH_FLAGS):
        raise CosolveInputError(f"method {spec.text!r}: savings takes no variant (e.g. savings or savings:ls)")
    spec.reject_unknown_options(SEARCH_FLAGS)
    _flags(spec, SEARCH_FLAGS)


def savings_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """Clarke–Wright parallel savings on each instance (with ``ls``, then the local search)."""
    validate_savings(spec)
    return _constructed(instances, clarke_wright, _flags(spec, SEARCH_FLAGS), settings)


def validate_sweep(spec: MethodSpec) -> None:
    if spec.variant not in (None, "plain", *SEARCH_FLAGS):
        raise CosolveInputError(
            f"method {spec.text!r}: unknown sweep variant (use sweep or sweep:plain, and :ls for the local search)"
        )
    spec.reject_unknown_options(["plain", *SEARCH_FLAGS])
    _flags(spec, ["plain", *SEARCH_FLAGS])


def sweep_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """The sweep heuristic, each route 2-opted (``sweep:plain``: routes in angle order); with
    ``ls``, then the local search."""
    validate_sweep(spec)
    flags = _flags(spec, ["plain", *SEARCH_FLAGS])
    improve = "plain" not in flags
    return _constructed(instances, lambda instance: sweep(instance, improve=improve), flags, settings)


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
    validate_construction_policy(spec, SEARCH_FLAGS)
    _flags(spec, SEARCH_FLAGS)


def gnn_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """The learned policy: the best of greedy (8 views with ``aug``) and sampled route sets, batched;
    with ``ls``, then the local search."""
    from cosolve.checkpoint import shipped_checkpoint
    from cosolve.gnn.cvrp_policy import CvrpPolicy
    from cosolve.gnn.cvrp_rollout import best_routes
    from cosolve.gnn.loading import load_policy

    samples, augment = validate_construction_policy(spec, SEARCH_FLAGS)
    device = settings.torch_device()
    policy = load_policy(spec.options.get("checkpoint") or shipped_checkpoint("cvrp"), "cvrp", CvrpPolicy, device)
    begin = time.perf_counter()
    solutions = best_routes(policy, instances, samples, device, settings.seed, augment)
    return _searched(instances, solutions, begin, _flags(spec, SEARCH_FLAGS), settings)


METHODS: dict[str, MethodFamily] = {
    "savings": MethodFamily(savings_runner, validate_savings, "savings[:ls[:descent]]"),
    "sweep": MethodFamily(sweep_runner, validate_sweep, "sweep[:plain][:ls[:descent]]"),
    "ortools": MethodFamily(ortools_runner, validate_ortools, f"ortools[:first=<{'|'.join(FIRST_SOLUTIONS)}>]"),
    "gnn": MethodFamily(
        gnn_runner, validate_gnn, "gnn[:aug][:sample=N][:checkpoint=PATH][:ls[:descent]]", batched=True
    ),
}
