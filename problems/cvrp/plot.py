"""Route plot of a CVRP solution: one colour per route, the depot a black square.

matplotlib is imported inside :func:`plot_routes` only, so that the package can import this
module up front (see ``cosolve.problems.cvrp.__init__``) without paying for matplotlib.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from cosolve.atomic import write_bytes_atomic
from cosolve.problems.cvrp.check import evaluate
from cosolve.problems.cvrp.instance import Instance, Solution


def layout(instance: Instance) -> np.ndarray:
    """``[n + 1, 2]`` positions to draw: the coordinates, or for a matrix-only instance a
    classical multidimensional scaling of its distances (positions whose Euclidean distances
    approximate the matrix)."""
    if instance.coords is not None:
        return np.asarray(instance.coords, dtype=np.float64)
    squared = instance.distances.astype(np.float64) ** 2
    size = squared.shape[0]
    centring = np.eye(size) - np.full((size, size), 1.0 / size)
    gram = -0.5 * centring @ squared @ centring
    values, vectors = np.linalg.eigh(gram)
    top = np.argsort(values)[::-1][:2]
    return vectors[:, top] * np.sqrt(np.clip(values[top], 0.0, None))


def plot_routes(
    instance: Instance, solution: Solution, path: str | Path, title: str | None = None, overwrite: bool = True
) -> None:
    """Draw the routes and write the figure to ``path`` (the format follows the suffix: png, pdf, svg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    points = layout(instance)
    colours = plt.get_cmap("tab20" if solution.n_routes > 10 else "tab10")
    figure, axes = plt.subplots(figsize=(8, 8))
    for k, route in enumerate(solution.routes):
        nodes = np.concatenate([[0], np.asarray(route, dtype=np.int64), [0]])
        colour = colours(k % colours.N)
        axes.plot(points[nodes, 0], points[nodes, 1], "-", color=colour, linewidth=1.2)
        axes.plot(points[nodes[1:-1], 0], points[nodes[1:-1], 1], "o", color=colour, markersize=3)
    axes.plot(points[0, 0], points[0, 1], "s", color="black", markersize=9, label="depot")
    if instance.n_customers <= 60:
        for customer in range(1, instance.n_nodes):
            axes.annotate(str(customer), points[customer], fontsize=6, xytext=(2, 2), textcoords="offset points")
    objective = evaluate(instance, solution)
    shown = f"{objective}" if isinstance(objective, int) else f"{objective:.4f}"
    axes.set_title(title or f"{instance.name}: {solution.n_routes} routes, length {shown}")
    axes.set_aspect("equal", adjustable="datalim")
    axes.legend(loc="best", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=path.suffix.lstrip(".").lower() or "png", dpi=150)
    plt.close(figure)
    write_bytes_atomic(path, buffer.getvalue(), overwrite=overwrite)
