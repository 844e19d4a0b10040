"""``compare``: every method on every instance, in parallel worker processes."""

from __future__ import annotations

import csv
import glob
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from statistics import mean
from typing import Any

from cosolve import interrupt
from cosolve.atomic import write_text_atomic
from cosolve.errors import CosolveInputError
from cosolve.methods import Settings
from cosolve.parallel import run_in_processes
from cosolve.registry import resolve_method
from cosolve.solve import Result, solve

CSV_COLUMNS = ("instance", "method", "objective", "best_known", "gap_percent", "runtime_s")


def expand_paths(patterns: Sequence[str]) -> list[Path]:
    """Files named directly or by glob patterns, in order, without repeats."""
    paths: list[Path] = []
    for pattern in patterns:
        if any(char in pattern for char in "*?["):
            matches = sorted(glob.glob(pattern, recursive=True))
            if not matches:
                raise CosolveInputError(f"no file matches {pattern!r}")
            paths.extend(Path(match) for match in matches)
        else:
            paths.append(Path(pattern))
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    for path in unique:
        if not path.is_file():
            raise CosolveInputError("no such file" if not path.exists() else "is not a file", path)
    return unique


def _run_task(problem: str, instances: list[Any], method: str, settings: Settings) -> list[Result]:
    import torch

    torch.set_num_threads(1)
    return [result.without_solution() for result in solve(problem, instances, method, settings)]


def _tasks(items: Sequence[tuple[str, Any]], methods: Sequence[str]) -> list[tuple[str, list[int], str]]:
    """Units of work ``(problem, item positions, method)``: batched methods take every
    same-shape instance of a problem at once, the others one instance each."""
    tasks = []
    for method in methods:
        groups: dict[tuple[str, Any], list[int]] = {}
        for position, (problem, instance) in enumerate(items):
            _, family = resolve_method(problem, method)
            key = (problem, getattr(instance, "shape", None)) if family.batched else (problem, position)
            groups.setdefault(key, []).append(position)
        tasks.extend((problem, positions, method) for (problem, _), positions in groups.items())
    return tasks


def compare(
    items: Sequence[tuple[str, Any]],
    methods: Sequence[str],
    settings: Settings | None = None,
    jobs: int = 1,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Run every method on every ``(problem, instance)``; results in (instance, method) order.

    Batched methods (rules, policies) run each group of same-shape instances as one batch;
    search methods run instance by instance. With ``jobs > 1`` these units run in worker
    processes, and a solver's default worker count is the cores divided by ``jobs``.
    """
    settings = settings or Settings()
    for problem in {problem for problem, _ in items}:
        for method in methods:
            resolve_method(problem, method)
    tasks = _tasks(items, methods)
    jobs = min(jobs, len(tasks))  # no idle processes
    if jobs > 1 and settings.workers == 0:
        settings = replace(settings, workers=max(1, (os.cpu_count() or 1) // jobs))
    results: dict[tuple[int, str], Result] = {}

    def collect(positions: list[int], method: str, outputs: list[Result]) -> None:
        for position, result in zip(positions, outputs):
            results[(position, method)] = result
            if on_result:
                on_result(result)

    if jobs <= 1:
        for problem, positions, method in tasks:
            interrupt.check()
            outputs = solve(problem, [items[p][1] for p in positions], method, settings)
            collect(positions, method, [result.without_solution() for result in outputs])
    else:
        arguments = [
            (problem, [items[p][1] for p in positions], method, settings) for problem, positions, method in tasks
        ]
        run_in_processes(_run_task, arguments, jobs, on_result=lambda task, outputs: collect(*tasks[task][1:], outputs))
    interrupt.check()
    return [results[(position, method)] for position in range(len(items)) for method in methods]


def mean_gaps(results: Sequence[Result], methods: Sequence[str]) -> dict[str, tuple[float | None, int, float]]:
    """Per method: (mean gap over instances with a best-known value, how many, mean runtime)."""
    summary = {}
    for method in methods:
        rows = [r for r in results if r.method == method]
        gaps = [r.gap_percent for r in rows if r.gap_percent is not None]
        summary[method] = (mean(gaps) if gaps else None, len(gaps), mean(r.runtime_s for r in rows) if rows else 0.0)
    return summary


def _cell(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def to_csv(results: Sequence[Result]) -> str:
    """One row per instance and method, columns :data:`CSV_COLUMNS`, empty cells where unknown."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in results:
        gap = "" if r.gap_percent is None else f"{r.gap_percent:.3f}"
        writer.writerow([r.instance, r.method, _cell(r.objective), _cell(r.best_known), gap, f"{r.runtime_s:.4f}"])
    return buffer.getvalue()


def write_csv(path: str | Path, results: Sequence[Result], overwrite: bool = False) -> None:
    write_text_atomic(path, to_csv(results), overwrite=overwrite)
