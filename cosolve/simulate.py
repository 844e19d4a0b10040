"""Dynamic job shop simulation: run dispatching methods on one instance over many shutdown
scenarios (one per seed, the same for every method), check every executed schedule, summarise.

Methods come from the dynamic job shop's table (:mod:`cosolve.problems.jssp.dynamic.methods`:
``gnn``, ``rule:<name>``, ``pilot``, ``reopt``). All seeds of a method run as one batch.

Decision time (``decision_time_s``): the wall time a method spends choosing, per decision of
the scenario — for the batched methods the time of each batched choice shared among the
scenarios it served; for ``reopt`` the mean CP-SAT time per re-solve (its decision at each
disruption; between disruptions it reads its plan).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cosolve.atomic import write_text_atomic
from cosolve.errors import CosolveInputError
from cosolve.methods import MethodSpec
from cosolve.problems.jssp.dynamic.check import check
from cosolve.problems.jssp.dynamic.env import Dynamics, Execution
from cosolve.problems.jssp.dynamic.methods import METHODS, DynamicMethodFamily
from cosolve.problems.jssp.instance import Instance
from cosolve.problems.tokens import to_integer

CSV_COLUMNS = ("method", "seed", "makespan", "decision_time_s")


@dataclass(frozen=True)
class Outcome:
    """One method under one scenario."""

    method: str
    seed: int
    execution: Execution
    decision_time_s: float


MAX_SEED = 2**62
MAX_SCENARIOS = 100_000


def parse_seeds(text: str) -> list[int]:
    """``"1..50"`` (inclusive), ``"3,5,8"`` or ``"7"`` -> the seeds (at most :data:`MAX_SCENARIOS`,
    each in ``0..MAX_SEED``)."""
    seeds: list[int] = []
    for part in text.split(","):
        low, sep, high = part.strip().partition("..")
        try:
            first, last = to_integer(low.strip()), to_integer(high.strip() if sep else low.strip())
        except ValueError:
            raise CosolveInputError(f"--seeds {text!r}: expected A..B, a comma list or one integer") from None
        if not 0 <= first <= MAX_SEED or not 0 <= last <= MAX_SEED:
            raise CosolveInputError(f"--seeds {text!r}: seeds lie in 0..{MAX_SEED}")
        if len(seeds) + max(0, last - first + 1) > MAX_SCENARIOS:
            raise CosolveInputError(f"--seeds {text!r}: at most {MAX_SCENARIOS} scenarios")
        seeds.extend(range(first, last + 1))
    if not seeds or len(set(seeds)) != len(seeds):
        raise CosolveInputError(f"--seeds {text!r}: expected distinct non-negative seeds")
    return seeds


def check_method(method: str) -> tuple[MethodSpec, DynamicMethodFamily]:
    """The parsed method and its entry in the dynamic job shop's table, or a
    ``CosolveInputError`` naming what is wrong with it (so that a bad method stops the run
    before any simulation)."""
    spec = MethodSpec.parse(method)
    family = METHODS.get(spec.family)
    if family is None:
        usages = ", ".join(f.usage for f in METHODS.values())
        raise CosolveInputError(f"unknown method {spec.text!r} for simulate (available: {usages})")
    family.validate(spec)
    return spec, family


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
    spec, family = check_method(method)
    executions, times = family.run(instances, spec, dynamics, seeds, time_limit, device)
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
