"""Readers and writers for TSPLIB files (``.tsp`` instances, ``.tour`` tours).

Symmetric TSP with ``EDGE_WEIGHT_TYPE`` ``EUC_2D`` (``nint`` rounding), ``CEIL_2D``, ``ATT``,
``GEO`` or ``EXPLICIT`` (``FULL_MATRIX``, ``UPPER_ROW``, ``LOWER_ROW``, ``UPPER_DIAG_ROW``,
``LOWER_DIAG_ROW``); the objective follows the file's convention. Every error names the
file and, where there is one, the line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cosolve.atomic import write_text_atomic
from cosolve.errors import CosolveInputError
from cosolve.files import read_text
from cosolve.problems.tsp.instance import Instance, Solution
from cosolve.problems.tsplib_sections import node_table, parse
from cosolve.problems.tsplib_weights import COORDINATE_TYPES, EXPLICIT_FORMATS, coordinate_weights, explicit_weights

FORMATS = ("auto", "tsplib")
GENERATED_SCALE = 1_000_000
"""Generated (unit-square, unrounded) instances are written as ``EUC_2D`` with coordinates
multiplied by this, so that TSPLIB tools (LKH, Concorde) read them with a relative rounding
error of about 1e-6."""


def read(path: str | Path, fmt: str = "auto", name: str | None = None) -> Instance:
    """Read a symmetric TSPLIB instance."""
    path = Path(path)
    if fmt not in FORMATS:
        raise CosolveInputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", path)
    parsed = parse(path, read_text(path))
    kind = parsed.header.get("TYPE", "TSP").split()[0].upper() if parsed.header.get("TYPE") else "TSP"
    if kind != "TSP":
        raise CosolveInputError(f"TYPE {kind} is not a symmetric TSP", path, parsed.header_lines.get("TYPE"))
    n = parsed.integer("DIMENSION", 3)
    weight_type = parsed.require("EDGE_WEIGHT_TYPE").upper()
    line = parsed.header_lines["EDGE_WEIGHT_TYPE"]
    if weight_type in COORDINATE_TYPES:
        coords = node_table(parsed, "NODE_COORD_SECTION", n, 2)
        distances = coordinate_weights(coords, weight_type)
    elif weight_type == "EXPLICIT":
        weight_format = parsed.require("EDGE_WEIGHT_FORMAT").upper()
        if weight_format not in EXPLICIT_FORMATS:
            raise CosolveInputError(
                f"EDGE_WEIGHT_FORMAT {weight_format} is not supported (supported: {', '.join(EXPLICIT_FORMATS)})",
                path,
                parsed.header_lines["EDGE_WEIGHT_FORMAT"],
            )
        section = parsed.section("EDGE_WEIGHT_SECTION")
        try:
            distances = explicit_weights(section.flat(), n, weight_format)
        except ValueError as error:
            raise CosolveInputError(str(error), path, section.line) from None
        coords = node_table(parsed, "DISPLAY_DATA_SECTION", n, 2) if "DISPLAY_DATA_SECTION" in parsed.sections else None
        if (distances < 0).any():
            raise CosolveInputError("EDGE_WEIGHT_SECTION holds negative weights", path, section.line)
        if not np.allclose(distances, distances.T):
            raise CosolveInputError(
                "the FULL_MATRIX is not symmetric (asymmetric TSP is not supported)", path, section.line
            )
    else:
        supported = ", ".join((*COORDINATE_TYPES, "EXPLICIT"))
        raise CosolveInputError(f"EDGE_WEIGHT_TYPE {weight_type} is not supported (supported: {supported})", path, line)
    return Instance(name or parsed.header.get("NAME") or path.stem, distances, coords, weight_type)


def read_tour(path: str | Path, n_nodes: int | None = None) -> Solution:
    """Read a TSPLIB ``.tour`` file (``TOUR_SECTION`` of 1-based ids ending with ``-1``)."""
    path = Path(path)
    parsed = parse(path, read_text(path))
    section = parsed.section("TOUR_SECTION")
    ids = section.flat()
    if -1 in ids:
        ids = ids[: int(np.flatnonzero(ids == -1)[0])]
    if ids.size == 0 or (ids != np.round(ids)).any() or (ids < 1).any():
        raise CosolveInputError("TOUR_SECTION must hold positive integer node ids ending with -1", path, section.line)
    if n_nodes is not None and ids.size != n_nodes:
        raise CosolveInputError(f"the tour has {ids.size} nodes, the instance {n_nodes}", path, section.line)
    return Solution(tour=ids.astype(np.int64) - 1)


def format_text(instance: Instance, comment: str | None = None) -> str:
    """The TSPLIB text of ``instance`` (see :data:`GENERATED_SCALE` for generated ones)."""
    lines = [f"NAME : {instance.name}", "TYPE : TSP"]
    weight_type, coords = instance.edge_weight_type, instance.coords
    if weight_type == "EXACT":
        comment = (comment + "; " if comment else "") + f"unit-square coordinates x {GENERATED_SCALE}"
        weight_type, coords = "EUC_2D", np.round(instance.coords * GENERATED_SCALE)
    if comment:
        lines.append(f"COMMENT : {comment}")
    lines += [f"DIMENSION : {instance.n_nodes}", f"EDGE_WEIGHT_TYPE : {weight_type}"]
    if weight_type == "EXPLICIT":
        lines += ["EDGE_WEIGHT_FORMAT : FULL_MATRIX", "EDGE_WEIGHT_SECTION"]
        lines += [" ".join(f"{value:g}" for value in row) for row in instance.distances]
        if coords is not None:
            lines.append("DISPLAY_DATA_SECTION")
            lines += [f"{i + 1} {x:.10g} {y:.10g}" for i, (x, y) in enumerate(coords)]
    else:
        lines.append("NODE_COORD_SECTION")
        lines += [f"{i + 1} {x:.10g} {y:.10g}" for i, (x, y) in enumerate(coords)]
    return "\n".join(lines + ["EOF"]) + "\n"


def write(path: str | Path, instance: Instance, fmt: str = "tsplib", overwrite: bool = True) -> None:
    """Write ``instance`` as a TSPLIB file, atomically."""
    if fmt not in ("tsplib", "auto"):
        raise CosolveInputError(f"unknown format {fmt!r} (choose from tsplib)", path)
    write_text_atomic(path, format_text(instance), overwrite=overwrite)


def sniff(text: str) -> bool:
    """True for TSPLIB text whose TYPE is TSP."""
    for line in text.removeprefix("\ufeff").splitlines()[:30]:
        key, _, value = line.partition(":")
        if key.strip().upper() == "TYPE":
            return value.strip().upper().split()[:1] == ["TSP"]
    return False
