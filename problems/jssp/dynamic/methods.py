"""The dynamic job shop method table (``cosolve simulate``).

``gnn[:checkpoint=PATH]`` (the shipped dynamic policy for the shop, :func:`default_checkpoint`),
``rule:<name>`` (every job shop rule), ``pilot[:<rule>+<rule>...]`` (lookahead: every job that
can start is tried on a copy of the shop finished by the rules, default ``mor+spt``, with no
future shutdowns; slow), ``reopt`` (CP-SAT re-optimisation at every disruption, ``time_limit``
seconds per re-solve).

A method runs all scenarios of a batch at once and returns, per instance, its execution and its
decision time: the wall time spent choosing per decision (for ``reopt`` the mean CP-SAT time per
re-solve).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from cosolve.baselines.jssp_rules import RULES
from cosolve.errors import CosolveInputError
from cosolve.methods import MethodSpec
from cosolve.problems.jssp.dynamic.env import Dynamics, Execution, State, play, reset
from cosolve.problems.jssp.instance import Instance

DEFAULT_METHODS = ("gnn", "rule:mwkr", "rule:spt")
"""What ``cosolve simulate`` runs when no method is named."""

Simulator = Callable[
    [Sequence[Instance], MethodSpec, Dynamics, Sequence[int], float, str], tuple[list[Execution], list[float]]
]
"""``(instances, spec, dynamics, seeds, time_limit, device) -> (executions, decision times)``:
instance ``b`` under scenario ``seeds[b]``, one shape for the batch."""


@dataclass(frozen=True)
class DynamicMethodFamily:
    """One entry of the dynamic job shop's method table (the shape of
    :class:`cosolve.methods.MethodFamily`, with a simulation as its runner).

    Attributes:
        run: the simulation.
        validate: raises ``CosolveInputError`` for a bad variant or option, before any work.
        usage: the names it accepts (e.g. ``pilot[:<rule>+<rule>...]``).
    """

    run: Simulator
    validate: Callable[[MethodSpec], None]
    usage: str


def default_checkpoint(dynamics: Dynamics) -> Path:
    """The shipped dynamic policy for this shop: the blocking one (``jssp_dynamic_blocking.pt``)
    when jobs block their machines and it ships, else ``jssp_dynamic.pt``."""
    from cosolve.checkpoint import SHIPPED, shipped_checkpoint
    from cosolve.gnn.jssp_dynamic_rollout import PROBLEM

    blocking = SHIPPED / f"{PROBLEM}_blocking.pt"
    return blocking if dynamics.blocking and blocking.is_file() else shipped_checkpoint(PROBLEM)


GNN_OPTIONS = ("checkpoint",)


def validate_gnn(spec: MethodSpec) -> None:
    if spec.variant is not None:
        raise CosolveInputError(f"method {spec.text!r}: gnn takes options only ({', '.join(GNN_OPTIONS)})")
    spec.reject_unknown_options(GNN_OPTIONS)


def gnn_runner(
    instances: Sequence[Instance],
    spec: MethodSpec,
    dynamics: Dynamics,
    seeds: Sequence[int],
    time_limit: float,
    device: str,
) -> tuple[list[Execution], list[float]]:
    """Greedy dispatching by the learned policy, seeing only the present."""
    from cosolve.gnn.jssp_dynamic_rollout import PROBLEM, check_dynamic_graph, choose
    from cosolve.gnn.jssp_policy import JobShopPolicy
    from cosolve.gnn.loading import load_policy
    from cosolve.problems.jssp.dynamic.observe import observe

    validate_gnn(spec)
    path = spec.options.get("checkpoint") or default_checkpoint(dynamics)
    policy = load_policy(path, PROBLEM, JobShopPolicy, device, check=check_dynamic_graph)

    def decide(state: State) -> torch.Tensor:
        with torch.no_grad():
            return choose(policy, observe(state))[0]

    return play(reset(instances, dynamics, seeds, device), decide)


def validate_rule(spec: MethodSpec) -> None:
    if spec.variant not in RULES:
        raise CosolveInputError(
            f"method {spec.text!r}: unknown rule (choose rule:<name> with name in {', '.join(RULES)})"
        )
    spec.reject_unknown_options([])


def rule_runner(
    instances: Sequence[Instance],
    spec: MethodSpec,
    dynamics: Dynamics,
    seeds: Sequence[int],
    time_limit: float,
    device: str,
) -> tuple[list[Execution], list[float]]:
    """A dispatching rule: at each decision its priority picks among the jobs that can start."""
    from cosolve.baselines.jssp_dynamic_rules import rule_decider

    validate_rule(spec)
    return play(reset(instances, dynamics, seeds, device), rule_decider(spec.variant))


def pilot_rules(spec: MethodSpec) -> list[str]:
    """The rules that finish the lookahead's copies: ``pilot:mor+spt`` -> ``["mor", "spt"]``."""
    from cosolve.baselines.jssp_dynamic_pilot import PILOT_RULES

    return spec.variant.split("+") if spec.variant else list(PILOT_RULES)


def validate_pilot(spec: MethodSpec) -> None:
    for rule in pilot_rules(spec):
        if rule not in RULES:
            raise CosolveInputError(
                f"method {spec.text!r}: unknown rule {rule!r} (choose pilot:<rule>+<rule> from {', '.join(RULES)})"
            )
    spec.reject_unknown_options([])


def pilot_runner(
    instances: Sequence[Instance],
    spec: MethodSpec,
    dynamics: Dynamics,
    seeds: Sequence[int],
    time_limit: float,
    device: str,
) -> tuple[list[Execution], list[float]]:
    """The one-step lookahead: the job whose rule-finished copy of the shop ends first."""
    from cosolve.baselines.jssp_dynamic_pilot import pilot_decider

    validate_pilot(spec)
    return play(reset(instances, dynamics, seeds, device), pilot_decider(pilot_rules(spec)))


def validate_reopt(spec: MethodSpec) -> None:
    if spec.variant is not None:
        raise CosolveInputError(f"method {spec.text!r}: reopt takes no variant (its time limit is --time-limit)")
    spec.reject_unknown_options([])


def reopt_runner(
    instances: Sequence[Instance],
    spec: MethodSpec,
    dynamics: Dynamics,
    seeds: Sequence[int],
    time_limit: float,
    device: str,
) -> tuple[list[Execution], list[float]]:
    """CP-SAT re-optimisation at every disruption, ``time_limit`` seconds per re-solve, on the
    CPU; its decision time is the mean time per re-solve."""
    from cosolve.baselines.jssp_reopt import simulate_reopt

    validate_reopt(spec)
    executions, stats = simulate_reopt(instances, dynamics, list(seeds), time_limit=time_limit)
    return executions, [stat.mean_solve_s for stat in stats]


METHODS: dict[str, DynamicMethodFamily] = {
    "gnn": DynamicMethodFamily(gnn_runner, validate_gnn, "gnn[:checkpoint=PATH]"),
    "rule": DynamicMethodFamily(rule_runner, validate_rule, f"rule:<{'|'.join(RULES)}>"),
    "pilot": DynamicMethodFamily(pilot_runner, validate_pilot, "pilot[:<rule>+<rule>...]"),
    "reopt": DynamicMethodFamily(reopt_runner, validate_reopt, "reopt"),
}
