"""Expert job shop schedules for imitation: random Taillard instances solved by CP-SAT.

A data set is an ``.npz`` file with ``machines``, ``durations`` and ``start_times``, each
``[N, J, M]`` int64, plus ``makespan`` and ``optimal`` ``[N]``. One file holds one size.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cosolve.atomic import write_bytes_atomic
from cosolve.errors import CosolveInputError
from cosolve.parallel import run_in_processes
from cosolve.problems.jssp import Instance, check, generate


@dataclass(frozen=True)
class ExpertSet:
    """Instances of one shape with their expert schedules (arrays ``[N, J, M]``)."""

    machines: np.ndarray
    durations: np.ndarray
    start_times: np.ndarray
    makespan: np.ndarray
    optimal: np.ndarray

    def __len__(self) -> int:
        return len(self.machines)

    def instances(self) -> list[Instance]:
        return [Instance(f"expert_{i}", m, d) for i, (m, d) in enumerate(zip(self.machines, self.durations))]


def _solve_one(instance: Instance, time_limit_s: float, seed: int) -> tuple[np.ndarray, int, bool]:
    from cosolve.baselines.jssp_cpsat import solve_cpsat  # OR-Tools loads only where experts are solved

    result = solve_cpsat(instance, time_limit_s=time_limit_s, workers=1, seed=seed)
    if result.solution is None:
        raise RuntimeError(f"CP-SAT found no schedule for {instance.name} in {time_limit_s} s")
    check(instance, result.solution)
    return result.solution.start_times, int(result.objective), result.status == "optimal"


def solve_experts(size: str, count: int, seed: int, time_limit_s: float = 1.0, jobs: int = 1) -> ExpertSet:
    """Generate ``count`` instances of ``size`` and solve each with CP-SAT (one worker each)."""
    instances = generate(size, count, seed)
    if jobs > 1:
        answers = run_in_processes(_solve_one, [(i, time_limit_s, n) for n, i in enumerate(instances)], jobs)
    else:
        answers = [_solve_one(instance, time_limit_s, i) for i, instance in enumerate(instances)]
    return ExpertSet(
        machines=np.stack([i.machines for i in instances]),
        durations=np.stack([i.durations for i in instances]),
        start_times=np.stack([a[0] for a in answers]),
        makespan=np.array([a[1] for a in answers]),
        optimal=np.array([a[2] for a in answers]),
    )


def save_experts(path: str | Path, experts: ExpertSet) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{k: getattr(experts, k) for k in ExpertSet.__dataclass_fields__})
    write_bytes_atomic(path, buffer.getvalue())


def load_experts(path: str | Path) -> ExpertSet:
    try:
        with np.load(path) as data:
            return ExpertSet(**{k: data[k] for k in ExpertSet.__dataclass_fields__})
    except FileNotFoundError:
        raise CosolveInputError("no such expert data file", path) from None
    except (KeyError, ValueError, OSError) as error:
        raise CosolveInputError(f"not an expert data file ({error})", path) from None


def prepare_experts(
    sizes: list[str], count: int, folder: str | Path, time_limit_s: float = 1.0, seed: int = 0, jobs: int = 1, log=print
) -> list[str]:
    """Expert files for ``sizes`` in ``folder``, solving only those not there yet; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, size in enumerate(sizes):
        path = folder / f"experts_{size}_n{count}_t{time_limit_s:g}_s{seed}.npz"
        if not path.exists():
            log(f"solving {count} random {size} instances with CP-SAT ({time_limit_s:g} s each) -> {path}")
            save_experts(path, solve_experts(size, count, seed + 1000 * number, time_limit_s, jobs))
        paths.append(str(path))
    return paths
