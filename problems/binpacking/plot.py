"""Plot of a packing: one bar per bin, its items stacked, the capacity as a line."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from cosolve.atomic import write_bytes_atomic  # noqa: E402
from cosolve.problems.binpacking.bounds import l2  # noqa: E402
from cosolve.problems.binpacking.instance import Instance, Solution  # noqa: E402

MAX_LABELLED_BINS = 40
"""Bins above this count are drawn without item labels."""


def plot_packing(instance: Instance, solution: Solution, path: str | Path, overwrite: bool = True) -> None:
    """Draw every bin as a bar of stacked items (colour by weight) and write the figure to ``path``
    (the format follows the suffix: png, pdf, svg)."""
    path = Path(path)
    bins = solution.bins
    colours = plt.get_cmap("viridis")
    heaviest = max(1, int(instance.weights.max())) if instance.n_items else 1
    figure, axes = plt.subplots(figsize=(min(18.0, 3.0 + 0.25 * len(bins)), 5.0))
    for number, items in enumerate(bins):
        bottom = 0
        for item in sorted(items, key=lambda i: -int(instance.weights[i])):
            weight = int(instance.weights[item])
            axes.bar(number, weight, bottom=bottom, width=0.8, color=colours(weight / heaviest), edgecolor="white",
                     linewidth=0.5)  # fmt: skip
            if len(bins) <= MAX_LABELLED_BINS and weight >= 0.08 * instance.capacity:
                axes.text(number, bottom + weight / 2, str(item), ha="center", va="center", fontsize=6, color="white")
            bottom += weight
    axes.axhline(instance.capacity, color="tab:red", linewidth=1.0, label=f"capacity {instance.capacity}")
    axes.set_xlim(-0.6, max(len(bins), 1) - 0.4)
    axes.set_ylim(0, 1.15 * instance.capacity)  # room for the legend above the bars
    axes.set_xlabel("bin")
    axes.set_ylabel("load")
    axes.legend(loc="upper right")
    fill = 100.0 * instance.total_weight / (instance.capacity * max(1, len(bins)))
    axes.set_title(
        f"{instance.name}: {len(bins)} bins (L2 bound {l2(instance.weights, instance.capacity)}), "
        f"{instance.n_items} items, mean fill {fill:.1f}%"
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=path.suffix.lstrip(".").lower() or "png", dpi=150)
    plt.close(figure)
    write_bytes_atomic(path, buffer.getvalue(), overwrite=overwrite)
