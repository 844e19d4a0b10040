"""Plot of a TSP tour (needs coordinates: TSPLIB coordinates or DISPLAY_DATA_SECTION)."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from cosolve.atomic import write_bytes_atomic  # noqa: E402
from cosolve.errors import CosolveInputError  # noqa: E402
from cosolve.problems.tsp.check import evaluate  # noqa: E402
from cosolve.problems.tsp.instance import Instance, Solution  # noqa: E402


def plot_tour(instance: Instance, solution: Solution, path: str | Path, overwrite: bool = True) -> None:
    """Draw the tour and write it to ``path`` (the format follows the suffix: png, pdf, svg)."""
    path = Path(path)
    if instance.coords is None:
        raise CosolveInputError("cannot plot: the instance has no coordinates (explicit matrix)", path)
    order = np.append(solution.tour, solution.tour[0])
    points = instance.coords[order]
    figure, axes = plt.subplots(figsize=(7, 7))
    axes.plot(points[:, 0], points[:, 1], "-", color="tab:blue", linewidth=0.8)
    axes.plot(instance.coords[:, 0], instance.coords[:, 1], "o", color="black", markersize=2)
    axes.plot(*instance.coords[solution.tour[0]], "s", color="red", markersize=5)
    axes.set_aspect("equal")
    axes.set_title(f"{instance.name}: length {evaluate(instance, solution):g}")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=path.suffix.lstrip(".").lower() or "png", dpi=150)
    plt.close(figure)
    write_bytes_atomic(path, buffer.getvalue(), overwrite=overwrite)
