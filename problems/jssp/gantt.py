"""Gantt chart of a job shop schedule: one row per machine, one colour per job."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from cosolve.atomic import write_bytes_atomic  # noqa: E402
from cosolve.problems.jssp.instance import Instance, Solution  # noqa: E402


def gantt(
    instance: Instance, solution: Solution, path: str | Path, title: str | None = None, overwrite: bool = True
) -> None:
    """Draw the schedule and write it to ``path`` (the format follows the suffix: png, pdf, svg)."""
    path = Path(path)
    starts, durations = solution.start_times, instance.durations
    colours = plt.get_cmap("tab20" if instance.n_jobs > 10 else "tab10")
    figure, axes = plt.subplots(figsize=(max(8.0, instance.n_machines * 0.2 + 8), 1.0 + 0.4 * instance.n_machines))
    for job in range(instance.n_jobs):
        for op in range(instance.n_machines):
            machine = int(instance.machines[job, op])
            axes.barh(
                machine,
                int(durations[job, op]),
                left=int(starts[job, op]),
                height=0.8,
                color=colours(job % colours.N),
                edgecolor="black",
                linewidth=0.3,
            )
            if instance.n_jobs <= 20:
                axes.text(
                    starts[job, op] + durations[job, op] / 2, machine, str(job), ha="center", va="center", fontsize=6
                )
    makespan = int((starts + durations).max())
    axes.axvline(makespan, color="red", linewidth=1)
    axes.set_yticks(range(instance.n_machines), [f"M{m}" for m in range(instance.n_machines)])
    axes.invert_yaxis()
    axes.set_xlabel("time")
    axes.set_title(title or f"{instance.name}: makespan {makespan}")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=path.suffix.lstrip(".").lower() or "png", dpi=150)
    plt.close(figure)
    write_bytes_atomic(path, buffer.getvalue(), overwrite=overwrite)
