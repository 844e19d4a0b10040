"""``solve``: one entry point that runs a method on instances and checks every answer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from cosolve import instances as shipped
from cosolve import interrupt
from cosolve.methods import MethodOutput, Settings
from cosolve.registry import get_problem, resolve_method


@dataclass(frozen=True)
class Result:
    """The outcome of one method on one instance.

    ``objective`` was recomputed by the problem's ``evaluate`` after ``check`` passed;
    ``gap_percent`` is the relative distance to ``best_known`` (positive = worse), ``None``
    when the instance is not a known benchmark.
    """

    problem: str
    instance: str
    method: str
    objective: float | None
    runtime_s: float
    status: str
    bound: float | None = None
    best_known: float | None = None
    best_known_optimal: bool = False
    gap_percent: float | None = None
    solution: Any | None = None

    def to_json(self) -> dict[str, Any]:
        """The solution file of DESIGN.md (extra keys: status, bound, best_known_optimal)."""
        data = {key: value for key, value in asdict(self).items() if key != "solution"}
        data["runtime_s"] = round(self.runtime_s, 4)
        if self.gap_percent is not None:
            # JSON has no infinity: an unbounded gap (best known 0) is written as null.
            data["gap_percent"] = round(self.gap_percent, 3) if math.isfinite(self.gap_percent) else None
        data["solution"] = None if self.solution is None else self.solution.to_json()
        return data

    def without_solution(self) -> Result:
        return replace(self, solution=None)


def gap_percent(objective: float, best_known: float, sense: str) -> float:
    """Relative gap in percent, positive when ``objective`` is worse than ``best_known``."""
    difference = objective - best_known if sense == "min" else best_known - objective
    if best_known == 0:
        return 0.0 if difference == 0 else math.copysign(math.inf, difference)
    return 100.0 * difference / abs(best_known)


def _result(problem: str, instance: Any, method: str, output: MethodOutput) -> Result:
    module = get_problem(problem)
    objective = None
    if output.solution is not None:
        module.check(instance, output.solution)
        objective = module.evaluate(instance, output.solution)
    reference = shipped.reference(problem, instance)
    gap = None
    if reference is not None and objective is not None:
        gap = gap_percent(objective, reference.best_known, module.OBJECTIVE_SENSE)
    return Result(
        problem=problem,
        instance=instance.name,
        method=method,
        objective=objective,
        runtime_s=output.runtime_s,
        status=output.status,
        bound=output.bound,
        best_known=None if reference is None else reference.best_known,
        best_known_optimal=False if reference is None else reference.optimal,
        gap_percent=gap,
        solution=output.solution,
    )


def solve(
    problem: str, instances: Sequence[Any], method: str | None = None, settings: Settings | None = None
) -> list[Result]:
    """Run ``method`` (the problem's default when ``None``) on ``instances``.

    Instances of one shape run as one batch. Every solution passes the problem's
    independent ``check`` before it is returned; a failure there is a bug and raises
    the problem's ``InfeasibleSolution``. A search that Ctrl-C stopped (see
    :mod:`cosolve.interrupt`) returns its best solution so far with the status ``interrupted``.
    """
    settings = settings or Settings()
    spec, family = resolve_method(problem, method)
    groups: dict[Any, list[int]] = {}
    for position, instance in enumerate(instances):
        groups.setdefault(getattr(instance, "shape", None), []).append(position)
    results: list[Result | None] = [None] * len(instances)
    for positions in groups.values():
        batch = [instances[p] for p in positions]
        outputs = family.run(batch, spec, settings)
        if interrupt.requested():  # a search stopped by Ctrl-C returned its best so far
            outputs = [replace(output, status="interrupted") for output in outputs]
        for position, output in zip(positions, outputs):
            results[position] = _result(problem, instances[position], spec.text, output)
    return results  # type: ignore[return-value]
