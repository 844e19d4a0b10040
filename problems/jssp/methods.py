"""The job shop method table.

``gnn[:sample=N][:temp=T][:checkpoint=PATH]`` (the default), ``rule:<name>[:plain]``,
``ortools[:hint=<start>]``, ``tabu[:start=<start>][:iters=N]``,
``l2s[:start=<start>][:steps=N][:chains=N][:checkpoint=PATH]``. A start is ``gnn`` (the greedy
policy) or a rule name; ``ortools`` also takes ``hint=tabu`` and ``hint=l2s`` (half the time limit
goes to the search, half to CP-SAT).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from cosolve.baselines.jssp_rules import RULES, run_rule
from cosolve.errors import CosolveInputError
from cosolve.methods import MethodFamily, MethodOutput, MethodSpec, Settings
from cosolve.problems.jssp.check import evaluate as makespan_of
from cosolve.problems.jssp.instance import Instance, Solution

DEFAULT_METHOD = "gnn"


def validate_rule(spec: MethodSpec) -> None:
    if spec.variant not in RULES:
        raise CosolveInputError(
            f"method {spec.text!r}: unknown rule (choose rule:<name> with name in {', '.join(RULES)})"
        )
    spec.reject_unknown_options(["plain"])


def rule_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """A dispatching rule over the whole batch at once; runtime is shared equally."""
    validate_rule(spec)
    begin = time.perf_counter()
    solutions = run_rule(
        instances,
        spec.variant,
        nondelay="plain" not in spec.options,
        device=settings.torch_device(),
        seed=settings.seed,
    )
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [MethodOutput(solution, per_instance) for solution in solutions]


START_METHODS = ("gnn", *RULES)
"""Constructors a search starts from: the greedy policy or a dispatching rule."""
HINT_SHARE = 0.5
"""The share of the time limit a search method gets when it hints CP-SAT (``ortools:hint=tabu``)."""


def start_schedules(instances: Sequence[Instance], start: str, settings: Settings) -> list[Solution]:
    """The schedules of the constructor ``start`` (see :data:`START_METHODS`) for ``instances``."""
    if start == "gnn":
        return [output.solution for output in gnn_runner(instances, MethodSpec.parse("gnn"), settings)]
    return run_rule(instances, start, device=settings.torch_device(), seed=settings.seed)


def _check_start(spec: MethodSpec, key: str, allowed: Sequence[str]) -> None:
    value = spec.options.get(key)
    if value is not None and value not in allowed:
        raise CosolveInputError(f"method {spec.text!r}: unknown {key} {value!r} (choose from {', '.join(allowed)})")


def validate_ortools(spec: MethodSpec) -> None:
    if spec.variant is not None:
        raise CosolveInputError(f"method {spec.text!r}: ortools takes no variant (e.g. ortools or ortools:hint=gnn)")
    spec.reject_unknown_options(["hint"])
    _check_start(spec, "hint", (*START_METHODS, *SEARCH_HINTS))


def ortools_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """CP-SAT on each instance in turn, optionally hinted with a constructor's or a tabu search's
    schedule (CP-SAT then never ends above it)."""
    from cosolve.baselines.jssp_cpsat import solve_cpsat  # OR-Tools loads only when asked for

    validate_ortools(spec)
    begin = time.perf_counter()
    hints = _hints(instances, spec.options.get("hint"), settings)
    hint_s = (time.perf_counter() - begin) / max(1, len(instances))  # the batch's hints, shared
    outputs = []
    for instance, hint in zip(instances, hints):
        begin = time.perf_counter()
        remaining = max(0.01, settings.time_limit_s - hint_s)
        result = solve_cpsat(instance, remaining, settings.resolved_workers(), hint, settings.seed)
        solution, status = result.solution, result.status
        if hint is not None and (solution is None or result.objective > makespan_of(instance, hint)):
            solution, status = hint, "feasible"  # CP-SAT had no time to load or repair its hint
        outputs.append(MethodOutput(solution, hint_s + time.perf_counter() - begin, status, result.bound))
    return outputs


def _hints(instances: Sequence[Instance], hint: str | None, settings: Settings) -> list[Solution | None]:
    """CP-SAT's starting schedules for the whole batch at once: none, a constructor's, or a tabu
    search's given :data:`HINT_SHARE` of the time limit."""
    if hint is None:
        return [None] * len(instances)
    if hint in SEARCH_HINTS:
        shorter = replace(settings, time_limit_s=HINT_SHARE * settings.time_limit_s)
        return [output.solution for output in SEARCH_HINTS[hint](instances, MethodSpec.parse(hint), shorter)]
    return start_schedules(instances, hint, settings)


def validate_tabu(spec: MethodSpec) -> None:
    if spec.variant is not None:
        raise CosolveInputError(f"method {spec.text!r}: tabu takes options, not a variant (e.g. tabu:start=mwkr)")
    spec.reject_unknown_options(["start", "iters"])
    _check_start(spec, "start", START_METHODS)
    if "iters" in spec.options and spec.int_option("iters", 1) < 1:
        raise CosolveInputError(f"method {spec.text!r}: iters must be at least 1")


def tabu_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """Tabu search over N5 from a constructor's schedules (default ``gnn``), ``--time-limit``
    seconds per instance in all (the start included), or exactly ``iters`` iterations."""
    from cosolve.baselines.jssp_tabu import tabu_search

    validate_tabu(spec)
    begin = time.perf_counter()
    starts = start_schedules(instances, spec.options.get("start", "gnn"), settings)
    iterations = spec.int_option("iters", 0) or None
    budget = None if iterations else settings.time_limit_s * len(instances) - (time.perf_counter() - begin)
    solutions = tabu_search(instances, starts, budget, iterations, settings.seed)
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [MethodOutput(solution, per_instance) for solution in solutions]


L2S_CHAINS = 1
"""Chains per instance of ``l2s`` by default: on the 2-core CPU, at 5 s per instance on ta11,
ta31, ta41 and ta51 from ``mwkr``, 1 chain gave a mean gap of 10.6 %, 2 chains 10.8 %, 4 chains
12.8 % and 8 chains 15.7 % (each chain's steps cost the same policy time). More chains cost
little more per step on a GPU."""


def validate_l2s(spec: MethodSpec) -> None:
    if spec.variant is not None:
        raise CosolveInputError(f"method {spec.text!r}: l2s takes options, not a variant (e.g. l2s:start=mwkr)")
    spec.reject_unknown_options(["start", "steps", "chains", "checkpoint"])
    _check_start(spec, "start", START_METHODS)
    for key in ("steps", "chains"):
        if key in spec.options and spec.int_option(key, 1) < 1:
            raise CosolveInputError(f"method {spec.text!r}: {key} must be at least 1")


def l2s_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """The learned improvement search from a constructor's schedules (default ``gnn``):
    ``chains`` chains per instance pick N5 moves with the improvement policy, ``--time-limit``
    seconds per instance in all (the start included), or exactly ``steps`` moves per chain."""
    from cosolve.checkpoint import shipped_checkpoint
    from cosolve.gnn.jssp_improve import improve
    from cosolve.gnn.jssp_improve_policy import ImprovePolicy
    from cosolve.gnn.loading import load_policy

    validate_l2s(spec)
    device = settings.torch_device()
    begin = time.perf_counter()
    checkpoint = spec.options.get("checkpoint") or shipped_checkpoint("jssp_improve")
    policy = load_policy(checkpoint, "jssp_improve", ImprovePolicy, device)
    starts = start_schedules(instances, spec.options.get("start", "gnn"), settings)
    steps = spec.int_option("steps", 0) or None
    budget = None if steps else settings.time_limit_s * len(instances) - (time.perf_counter() - begin)
    chains = spec.int_option("chains", L2S_CHAINS)
    solutions = improve(policy, instances, starts, steps, budget, chains, settings.seed, device)
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [MethodOutput(solution, per_instance) for solution in solutions]


def validate_gnn(spec: MethodSpec) -> None:
    if spec.variant is not None:
        raise CosolveInputError(f"method {spec.text!r}: gnn takes options, not a variant (e.g. gnn:sample=128)")
    spec.reject_unknown_options(["sample", "temp", "checkpoint"])
    if spec.int_option("sample", 1) < 1:
        raise CosolveInputError(f"method {spec.text!r}: sample must be at least 1")
    if not spec.float_option("temp", 1.0) > 0:
        raise CosolveInputError(f"method {spec.text!r}: temp must be above 0")


def gnn_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """The learned policy: greedy (``gnn``) or the best of a greedy and N - 1 sampled rollouts
    (``gnn:sample=N``, softmax temperature ``temp``)."""
    from cosolve.checkpoint import shipped_checkpoint
    from cosolve.gnn.jssp_policy import JobShopPolicy
    from cosolve.gnn.jssp_rollout import SAMPLING_TEMPERATURE, best_of_samples
    from cosolve.gnn.loading import load_policy

    validate_gnn(spec)
    device = settings.torch_device()
    policy = load_policy(spec.options.get("checkpoint") or shipped_checkpoint("jssp"), "jssp", JobShopPolicy, device)
    begin = time.perf_counter()
    samples, temperature = spec.int_option("sample", 1), spec.float_option("temp", SAMPLING_TEMPERATURE)
    solutions = best_of_samples(policy, instances, samples, device, settings.seed, temperature)
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [MethodOutput(solution, per_instance) for solution in solutions]


SEARCH_HINTS = {"tabu": tabu_runner, "l2s": l2s_runner}
"""Searches whose schedules ``ortools:hint=`` takes (given :data:`HINT_SHARE` of the time limit)."""

METHODS: dict[str, MethodFamily] = {
    "rule": MethodFamily(rule_runner, validate_rule, f"rule:<{'|'.join(RULES)}>[:plain]", batched=True),
    "ortools": MethodFamily(ortools_runner, validate_ortools, "ortools[:hint=gnn|tabu|l2s|<rule>]"),
    "tabu": MethodFamily(tabu_runner, validate_tabu, "tabu[:start=gnn|<rule>][:iters=N]", batched=True),
    "l2s": MethodFamily(
        l2s_runner, validate_l2s, "l2s[:start=gnn|<rule>][:steps=N][:chains=N][:checkpoint=PATH]", batched=True
    ),
    "gnn": MethodFamily(gnn_runner, validate_gnn, "gnn[:sample=N][:temp=T][:checkpoint=PATH]", batched=True),
}
