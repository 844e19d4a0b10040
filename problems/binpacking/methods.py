"""The bin packing method table.

* ``rule:<nf|ff|bf|wf>`` — next, first, best and worst fit, online (items in the file's order);
* ``rule:<ffd|bfd>`` — first and best fit decreasing, offline;
* ``cpsat[:arcflow|assignment]`` — exact: CP-SAT on the arc-flow model (or the assignment model
  when the arc-flow graph is too large), warm-started from FFD, ``settings.time_limit_s`` per
  instance; status ``optimal`` when proven (or when a packing reaches the L2 bound), else ``feasible``.

Learned policies (batched on the env, shipped checkpoints):

* ``gnn:online[:checkpoint=PATH]`` — the online policy (items in the file's order, each placed
  on arrival; one greedy rollout: an online packer cannot try several and keep the best);
* ``gnn[:offline][:sample=N][:checkpoint=PATH]`` — the offline policy (the default), which fills
  one bin at a time choosing the next item: its greedy rollout, plus ``N - 1`` sampled ones,
  fewest bins kept. It beats FFD on every public and random set of ``benchmarks/packing.py``
  but costs seconds on 1,000 items (``rule:ffd`` takes milliseconds).

The rules run batched on the env (see :mod:`cosolve.baselines.binpacking_heuristics`). Every
result's ``bound`` is a proven lower bound on the number of bins: Martello and Toth's ``L2``
(which is at least ``L1 = ceil(sum w / C)``), or CP-SAT's bound when that is higher.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from cosolve.errors import CosolveInputError
from cosolve.methods import MethodFamily, MethodOutput, MethodSpec, Settings
from cosolve.problems.binpacking.bounds import l2
from cosolve.problems.binpacking.instance import Instance, Solution

DEFAULT_METHOD = "gnn"
RULES = ("nf", "ff", "bf", "wf", "ffd", "bfd")
"""The rules of :mod:`cosolve.baselines.binpacking_heuristics`, repeated so that validating a name
does not load torch."""
CPSAT_MODELS = ("auto", "arcflow", "assignment")


def validate_rule(spec: MethodSpec) -> None:
    if spec.variant not in RULES:
        raise CosolveInputError(f"method {spec.text!r}: choose rule:<{'|'.join(RULES)}>")
    spec.reject_unknown_options([])


def rule_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """One rule over the whole batch at once; runtime shared equally."""
    from cosolve.baselines.binpacking_heuristics import pack_instances

    validate_rule(spec)
    begin = time.perf_counter()
    assignment = pack_instances(instances, spec.variant, settings.torch_device()).cpu().numpy()
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [
        MethodOutput(Solution.from_assignment(row), per_instance, "heuristic", float(l2(i.weights, i.capacity)))
        for i, row in zip(instances, assignment)
    ]


def validate_cpsat(spec: MethodSpec) -> None:
    if spec.variant not in (None, *CPSAT_MODELS):
        raise CosolveInputError(f"method {spec.text!r}: choose cpsat[:<{'|'.join(CPSAT_MODELS)}>]")
    spec.reject_unknown_options([])


def cpsat_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """FFD, then CP-SAT on each instance in turn, ``settings.time_limit_s`` each (FFD time included)."""
    from cosolve.baselines.binpacking_cpsat import solve_cpsat  # OR-Tools loads only when asked for
    from cosolve.baselines.binpacking_heuristics import pack_instances

    validate_cpsat(spec)
    outputs = []
    for instance in instances:
        begin = time.perf_counter()
        start = pack_instances([instance], "ffd").numpy()[0]
        left = max(0.01, settings.time_limit_s - (time.perf_counter() - begin))
        result = solve_cpsat(
            instance.weights, instance.capacity, start, left, settings.resolved_workers(), spec.variant or "auto"
        )
        solution = Solution.from_assignment(result.assignment)
        outputs.append(MethodOutput(solution, time.perf_counter() - begin, result.status, float(result.bound)))
    return outputs


def validate_gnn(spec: MethodSpec) -> None:
    if spec.variant not in (None, "offline", "online"):
        raise CosolveInputError(f"method {spec.text!r}: choose gnn[:offline][:sample=N] or gnn:online")
    if spec.variant == "online":
        spec.reject_unknown_options(["checkpoint"])
    else:
        spec.reject_unknown_options(["sample", "checkpoint"])
        if spec.int_option("sample", 1) < 1:
            raise CosolveInputError(f"method {spec.text!r}: sample must be at least 1")


def gnn_runner(instances: Sequence[Instance], spec: MethodSpec, settings: Settings) -> list[MethodOutput]:
    """A learned policy over the whole batch at once; runtime shared equally."""
    from cosolve.checkpoint import shipped_checkpoint
    from cosolve.gnn.loading import load_policy

    validate_gnn(spec)
    device = settings.torch_device()
    checkpoint = spec.options.get("checkpoint")
    begin = time.perf_counter()
    if spec.variant == "online":
        from cosolve.gnn.binpacking_online_policy import OnlinePackingPolicy
        from cosolve.gnn.binpacking_online_rollout import PROBLEM, pack_online

        policy = load_policy(checkpoint or shipped_checkpoint(PROBLEM), PROBLEM, OnlinePackingPolicy, device)
        assignment = pack_online(policy, instances, device)
    else:
        from cosolve.gnn.binpacking_policy import BinPackingPolicy
        from cosolve.gnn.binpacking_rollout import PROBLEM, best_packings

        policy = load_policy(checkpoint or shipped_checkpoint(PROBLEM), PROBLEM, BinPackingPolicy, device)
        assignment = best_packings(policy, instances, spec.int_option("sample", 1), device, settings.seed)
    per_instance = (time.perf_counter() - begin) / max(1, len(instances))
    return [
        MethodOutput(Solution.from_assignment(row), per_instance, "heuristic", float(l2(i.weights, i.capacity)))
        for i, row in zip(instances, assignment.cpu().numpy())
    ]


METHODS: dict[str, MethodFamily] = {
    "rule": MethodFamily(rule_runner, validate_rule, f"rule:<{'|'.join(RULES)}>", batched=True),
    "cpsat": MethodFamily(cpsat_runner, validate_cpsat, f"cpsat[:<{'|'.join(CPSAT_MODELS)}>]"),
    "gnn": MethodFamily(
        gnn_runner,
        validate_gnn,
        "gnn[:offline][:sample=N][:checkpoint=PATH] | gnn:online[:checkpoint=PATH]",
        batched=True,
    ),
}
