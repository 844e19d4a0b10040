"""The job shop method table.

``gnn[:sample=N][:temp=T][:checkpoint=PATH]`` (the default), ``rule:<name>[:plain]``, ``ortools[:hint=<rule>]``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from cosolve.baselines.jssp_rules import RULES, run_rule
from cosolve.errors import CosolveInputError
from cosolve.methods import MethodFamily, MethodOutput, MethodSpec, Settings
from cosolve.problems.jssp.instance import Instance

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


def validate_ortools(spec: MethodSpec) -> None:
    if spec.variant is not None:
        raise CosolveInputError(f"method {spec.text!r}: ortools takes no variant (e.g. ortools or ortools:hint=mwkr)")
    spec.reject_unknown_options(["hint"])
    hint_rule = spec.options.get("hint")
    if hint_rule is not None and hint_rule not in RULES:
        raise CosolveInputError(f"method {spec.text!r}: unknown hint rule (choose from {', '.join(RULES)})")


def ortools_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """CP-SAT on each instance in turn, optionally hinted with a dispatching rule's schedule."""
    from cosolve.baselines.jssp_cpsat import solve_cpsat  # OR-Tools loads only when asked for

    validate_ortools(spec)
    hint_rule = spec.options.get("hint")
    outputs = []
    for instance in instances:
        begin = time.perf_counter()
        hint = run_rule([instance], hint_rule)[0] if hint_rule else None
        result = solve_cpsat(instance, settings.time_limit_s, settings.resolved_workers(), hint, settings.seed)
        outputs.append(MethodOutput(result.solution, time.perf_counter() - begin, result.status, result.bound))
    return outputs


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


METHODS: dict[str, MethodFamily] = {
    "rule": MethodFamily(rule_runner, validate_rule, f"rule:<{'|'.join(RULES)}>[:plain]", batched=True),
    "ortools": MethodFamily(ortools_runner, validate_ortools, "ortools[:hint=<rule>]"),
    "gnn": MethodFamily(gnn_runner, validate_gnn, "gnn[:sample=N][:temp=T][:checkpoint=PATH]", batched=True),
}
