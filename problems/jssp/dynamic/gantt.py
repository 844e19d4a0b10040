"""Gantt chart of an executed dynamic job shop schedule: one row per machine, one colour per job,
processing solid, blocked time (the job done but still on the machine) hatched, shutdown windows
shaded red."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from cosolve.atomic import write_bytes_atomic  # noqa: E402
from cosolve.problems.jssp.dynamic.env import Execution  # noqa: E402
from cosolve.problems.jssp.instance import Instance  # noqa: E402


def gantt(instance: Instance, execution: Execution, path: str | Path, title: str, overwrite: bool = True) -> None:
    """Draw the execution and write it to ``path`` (png, pdf or svg by the suffix)."""
    path = Path(path)
    colours = plt.get_cmap("tab20" if instance.n_jobs > 10 else "tab10")
    figure, axes = plt.subplots(figsize=(max(8.0, instance.n_machines * 0.2 + 8), 1.0 + 0.4 * instance.n_machines))
    for machine, start, end in execution.windows:
        axes.barh(int(machine), int(end - start), left=int(start), height=1.0, color="red", alpha=0.25, linewidth=0)
    for job in range(instance.n_jobs):
        colour = colours(job % colours.N)
        for op in range(instance.n_machines):
            machine = int(instance.machines[job, op])
            start, end, leave = (
                int(t[job, op]) for t in (execution.dispatch_times, execution.end_times, execution.leave_times)
            )
            axes.barh(machine, end - start, left=start, height=0.7, color=colour, edgecolor="black", linewidth=0.3)
            if leave > end:
                axes.barh(machine, leave - end, left=end, height=0.7, color=colour, alpha=0.4, hatch="//", linewidth=0)
            if instance.n_jobs <= 20:
                axes.text((start + end) / 2, machine, str(job), ha="center", va="center", fontsize=6)
    if execution.makespan >= 0:
        axes.axvline(execution.makespan, color="red", linewidth=1)
    axes.set_yticks(range(instance.n_machines), [f"M{m}" for m in range(instance.n_machines)])
    axes.invert_yaxis()
    axes.set_xlabel("time (red: machine shut down; hatched: blocked)")
    axes.set_title(title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=path.suffix.lstrip(".").lower() or "png", dpi=150)
    plt.close(figure)
    write_bytes_atomic(path, buffer.getvalue(), overwrite=overwrite)
