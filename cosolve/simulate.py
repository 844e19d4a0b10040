"""Dynamic job shop simulation: run dispatching methods on one instance over many shutdown
scenarios (one per seed, the same for every method), check every executed schedule, summarise.

Methods: ``gnn`` (the shipped dynamic policy for the shop, :func:`default_checkpoint`, or
``gnn:checkpoint=PATH``), ``rule:<name>``
(every job shop rule), ``pilot`` or ``pilot:<rule>+<rule>`` (lookahead: every job that can
start is tried on a copy of the shop finished by the rules, default ``mor+spt``, with no
future shutdowns; slow), ``reopt`` (CP-SAT re-optimisation at every disruption,
``--time-limit`` seconds per re-solve). All seeds of a method run as one batch on the env.

Decision time (``decision_time_s``): the wall time a method spends choosing, per decision of
the scenario — for the batched methods the time of each batched choice shared among the
scenarios it served; for ``reopt`` the mean CP-SAT time per re-solve (its decision at each
disruption; between disruptions it reads its plan).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from cosolve.atomic import write_text_atomic
from cosolve.errors import CosolveInputError
from cosolve.methods import MethodSpec
from cosolve.problems.jssp.dynamic.check import check
from cosolve.problems.jssp.dynamic.env import Dynamics, Execution, State, play, reset
from cosolve.problems.jssp.instance import Instance

CSV_COLUMNS = ("method", "seed", "makespan", "decision_time_s")


@dataclass(frozen=True)
class Outcome:
    """One method under one scenario."""

    method: str
    seed: int
    execution: Execution
    decision_time_s: float


def parse_seeds(text: str) -> list[int]:
    """``"1..50"`` (inclusive), ``"3,5,8"`` or ``"7"`` -> the seeds."""
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        low, sep, high = part.partition("..")
        try:
            seeds.extend(range(int(low), int(high) + 1) if sep else [int(part)])
        except ValueError:
            raise CosolveInputError(f"--seeds {text!r}: expected A..B, a comma list or one integer") from None
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise CosolveInputError(f"--seeds {text!r}: expected distinct non-negative seeds")
    return seeds


def default_checkpoint(dynamics: Dynamics):
    """The shipped dynamic policy for this shop: the blocking one (``jssp_dynamic_blocking.pt``)
    when jobs block their machines and it ships, else ``jssp_dynamic.pt``."""
    from cosolve.checkpoint import SHIPPED, shipped_checkpoint
    from cosolve.gnn.jssp_dynamic_rollout import PROBLEM

    blocking = SHIPPED / f"{PROBLEM}_blocking.pt"
    return blocking if dynamics.blocking and blocking.is_file() else shipped_checkpoint(PROBLEM)


GNN_OPTIONS = ("checkpoint",)


def check_method(method: str) -> MethodSpec:
    """The parsed method, or a ``CosolveInputError`` naming what is wrong with it (so that a bad
    method stops the run before any simulation)."""
    spec = MethodSpec.parse(method)
    if spec.family == "rule":
        from cosolve.baselines.jssp_dynamic_rules import rule_decider

        rule_decider(spec.variant or "")
    elif spec.family == "pilot" and spec.variant:
        from cosolve.baselines.jssp_dynamic_pilot import pilot_decider

        pilot_decider(spec.variant.split("+"))
    elif spec.family == "gnn":
        if spec.variant is not None:
            raise CosolveInputError(f"method {spec.text!r}: gnn takes options only ({', '.join(GNN_OPTIONS)})")
        spec.reject_unknown_options(GNN_OPTIONS)
    elif spec.family not in ("pilot", "reopt"):
        raise CosolveInputError(f"unknown method {method!r} for simulate (use gnn, rule:<name>, pilot or reopt)")
    return spec


def decider(spec: MethodSpec, dynamics: Dynamics, device: str) -> Callable[[State], torch.Tensor]:
    """``state -> [B]`` actions of a ``rule:<name>``, ``pilot`` or ``gnn`` method."""
    if spec.family == "rule":
        from cosolve.baselines.jssp_dynamic_rules import rule_decider

        return rule_decider(spec.variant or "")
    if spec.family == "pilot":
        from cosolve.baselines.jssp_dynamic_pilot import PILOT_RULES, pilot_decider

        return pilot_decider(spec.variant.split("+") if spec.variant else PILOT_RULES)
    from cosolve.gnn.jssp_dynamic_rollout import choose, load_dynamic_policy
    from cosolve.problems.jssp.dynamic.observe import observe

    policy = load_dynamic_policy(spec.options.get("checkpoint") or default_checkpoint(dynamics), device)

    def decide(state: State) -> torch.Tensor:
        with torch.no_grad():
            return choose(policy, observe(state))[0]

    return decide


def run_method(
    instances: Sequence[Instance],
    method: str,
    dynamics: Dynamics,
    seeds: Sequence[int],
    time_limit: float = 1.0,
    device: str = "cpu",
) -> list[Outcome]:
    """Instance ``b`` under scenario ``seeds[b]`` (one shape) with one method; every execution
    is checked."""
    spec = check_method(method)
    if spec.family == "reopt":
        from cosolve.baselines.jssp_reopt import simulate_reopt

        executions, stats = simulate_reopt(instances, dynamics, list(seeds), time_limit=time_limit)
        times = [stat.mean_solve_s for stat in stats]
    else:
        decide = decider(spec, dynamics, device)
        executions, times = play(reset(instances, dynamics, seeds, device), decide)
    for instance, execution in zip(instances, executions):
        if not execution.deadlocked:
            check(instance, execution)
    return [Outcome(spec.text, seed, e, t) for seed, e, t in zip(seeds, executions, times)]


def summarise(outcomes: Sequence[Outcome]) -> list[dict]:
    """Per method, in order of appearance: mean, median and 95th percentile makespan over the
    scenarios that finished, deadlocks, mean decision time."""
    rows = []
    for method in dict.fromkeys(o.method for o in outcomes):
        mine = [o for o in outcomes if o.method == method]
        makespans = np.array([o.execution.makespan for o in mine if not o.execution.deadlocked], dtype=float)
        finished = makespans.size > 0
        rows.append(
            {
                "method": method,
                "scenarios": len(mine),
                "mean": float(makespans.mean()) if finished else None,
                "median": float(np.median(makespans)) if finished else None,
                "p95": float(np.percentile(makespans, 95)) if finished else None,
                "deadlocks": len(mine) - int(makespans.size),
                "decision_time_s": float(np.mean([o.decision_time_s for o in mine])),
            }
        )
    return rows


def write_outcomes_csv(path: str, outcomes: Sequence[Outcome], overwrite: bool) -> None:
    """One row per method and seed: ``method,seed,makespan,decision_time_s`` (``makespan`` is
    empty for a deadlocked scenario). Written atomically."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for o in outcomes:
        makespan = "" if o.execution.deadlocked else o.execution.makespan
        writer.writerow([o.method, o.seed, makespan, f"{o.decision_time_s:.6f}"])
    write_text_atomic(path, buffer.getvalue(), overwrite=overwrite)
