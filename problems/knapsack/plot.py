"""Plot of a knapsack selection: every item as a point (weight, value), the chosen ones filled."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from cosolve.atomic import write_bytes_atomic  # noqa: E402
from cosolve.problems.knapsack.check import evaluate  # noqa: E402
from cosolve.problems.knapsack.instance import Instance, Solution  # noqa: E402


def plot_selection(instance: Instance, solution: Solution, path: str | Path, overwrite: bool = True) -> None:
    """Draw the items by weight and value, the chosen ones highlighted, and write the figure to
    ``path`` (the format follows the suffix: png, pdf, svg)."""
    path = Path(path)
    chosen = np.zeros(instance.n_items, dtype=bool)
    chosen[np.asarray(solution.items, dtype=np.int64)] = True
    used = int(instance.weights[chosen].sum())
    figure, axes = plt.subplots(figsize=(7, 6))
    axes.scatter(
        instance.weights[~chosen],
        instance.values[~chosen],
        s=10,
        facecolors="none",
        edgecolors="gray",
        linewidths=0.6,
        label=f"left out ({int((~chosen).sum())})",
    )
    axes.scatter(
        instance.weights[chosen], instance.values[chosen], s=12, color="tab:blue", label=f"chosen ({int(chosen.sum())})"
    )
    axes.set_xlabel("weight")
    axes.set_ylabel("value")
    axes.legend(loc="upper left")
    axes.set_title(f"{instance.name}: value {evaluate(instance, solution)}, weight {used} of {instance.capacity}")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=path.suffix.lstrip(".").lower() or "png", dpi=150)
    plt.close(figure)
    write_bytes_atomic(path, buffer.getvalue(), overwrite=overwrite)
