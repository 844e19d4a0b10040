"""Readers and writers for TSPLIB files (``.tsp`` instances, ``.tour`` tours).

Symmetric TSP with ``EDGE_WEIGHT_TYPE`` ``EUC_2D`` (``nint`` rounding), ``CEIL_2D``, ``ATT``,
``GEO`` or ``EXPLICIT`` (``FULL_MATRIX``, ``UPPER_ROW``, ``LOWER_ROW``, ``UPPER_DIAG_ROW``,
``LOWER_DIAG_ROW``); the objective follows the file's convention. Every error names the
file and, where there is one, the line. A file has at most
:data:`~cosolve.problems.tsplib_weights.MAX_NODES` nodes, and its distances must keep every tour
below ``2**53`` (``n`` times the largest distance; see :mod:`cosolve.problems.tsplib_weights`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cosolve.atomic import write_text_atomic
from cosolve.errors import CosolveInputError
from cosolve.files import read_text
from cosolve.problems.tokens import split_lines
from cosolve.problems.tsp.instance import Instance, Solution
from cosolve.problems.tsplib_sections import ParsedFile, check_distances, node_table, parse, shown
from cosolve.problems.tsplib_weights import (
    COORDINATE_TYPES,
    DENSE_MATRIX,
    EXPLICIT_FORMATS,
    MAX_NODES,
    coordinate_weights,
    explicit_count,
    place_weights,
)

FORMATS = ("auto", "tsplib")
SNIFF_CHARS = 2**20
""":func:`sniff` looks at the first 30 lines within this many characters."""
GENERATED_SCALE = 1_000_000
"""Generated (unit-square, unrounded) instances are written as ``EUC_2D`` with coordinates
multiplied by this, so that TSPLIB tools (LKH, Concorde) read them with a relative rounding
error of about 1e-6."""


def read(path: str | Path, fmt: str = "auto", name: str | None = None) -> Instance:
    """Read a symmetric TSPLIB instance.

    Raises:
        CosolveInputError: the file is missing or malformed, has more than
            :data:`~cosolve.problems.tsplib_weights.MAX_NODES` nodes, or distances so large that a
            tour could reach ``2**53`` (message names file and line).
    """
    path = Path(path)
    if fmt not in FORMATS:
        raise CosolveInputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", path)
    parsed = parse(path, read_text(path))
    kind = parsed.header.get("TYPE", "TSP").split()[0].upper() if parsed.header.get("TYPE") else "TSP"
    if kind != "TSP":
        raise CosolveInputError(f"TYPE {shown(kind)} is not a symmetric TSP", path, parsed.header_lines.get("TYPE"))
    n = parsed.integer("DIMENSION", 3, MAX_NODES, DENSE_MATRIX)
    weight_type = parsed.require("EDGE_WEIGHT_TYPE").upper()
    if weight_type in COORDINATE_TYPES:
        coords = node_table(parsed, "NODE_COORD_SECTION", n)
        distances = coordinate_weights(coords, weight_type)
        lines = [number for number, _ in parsed.sections["NODE_COORD_SECTION"].rows]
        check_distances(path, distances, n, lambda i, j: lines[j])
    elif weight_type == "EXPLICIT":
        distances = _explicit_distances(parsed, n)
        coords = node_table(parsed, "DISPLAY_DATA_SECTION", n) if "DISPLAY_DATA_SECTION" in parsed.sections else None
    else:
        supported = ", ".join((*COORDINATE_TYPES, "EXPLICIT"))
        line = parsed.header_lines["EDGE_WEIGHT_TYPE"]
        raise CosolveInputError(
            f"EDGE_WEIGHT_TYPE {shown(weight_type)} is not supported (supported: {supported})", path, line
        )
    return Instance(name or parsed.header.get("NAME") or path.stem, distances, coords, weight_type)


def _explicit_distances(parsed: ParsedFile, n: int) -> np.ndarray:
    """``[n, n]`` weights of the ``EDGE_WEIGHT_SECTION``, its length checked before it is read."""
    path = parsed.path
    weight_format = parsed.require("EDGE_WEIGHT_FORMAT").upper()
    if weight_format not in EXPLICIT_FORMATS:
        raise CosolveInputError(
            f"EDGE_WEIGHT_FORMAT {shown(weight_format)} is not supported (supported: {', '.join(EXPLICIT_FORMATS)})",
            path,
            parsed.header_lines["EDGE_WEIGHT_FORMAT"],
        )
    section = parsed.section("EDGE_WEIGHT_SECTION")
    count, expected = section.count(), explicit_count(n, weight_format)
    if count != expected:
        raise CosolveInputError(
            f"EDGE_WEIGHT_SECTION has {count} numbers, {weight_format} of {n} nodes needs {expected}",
            path,
            section.line,
        )
    distances = place_weights(section.flat(), n, weight_format)
    if (distances < 0).any():
        raise CosolveInputError("EDGE_WEIGHT_SECTION holds negative weights", path, section.line)
    check_distances(path, distances, n, lambda i, j: section.line)
    if not np.allclose(distances, distances.T):
        raise CosolveInputError(
            "the FULL_MATRIX is not symmetric (asymmetric TSP is not supported)", path, section.line
        )
    return distances


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
    largest = n_nodes if n_nodes is not None else MAX_NODES
    if ids.max() > largest:
        raise CosolveInputError(f"TOUR_SECTION names node {ids.max():g}, beyond {largest}", path, section.line)
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
    """True for TSPLIB text whose TYPE is TSP (never raises)."""
    for line in split_lines(text[:SNIFF_CHARS])[:30]:
        key, _, value = line.partition(":")
        if key.strip().upper() == "TYPE":
            return value.strip().upper().split()[:1] == ["TSP"]
    return False
