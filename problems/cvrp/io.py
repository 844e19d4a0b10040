"""Readers and writers for CVRP files (VRPLIB / CVRPLIB) and their solution files.

Instances: a light scan groups the lines into ``KEY : value`` specifications and ``*_SECTION``
blocks, keeping line numbers, and every row is checked there, so every error names the file and
line; the ``vrplib`` package then parses the values of the ``NODE_COORD``, ``DEMAND``,
``DISPLAY_DATA`` and ``DEPOT`` sections (any exception it raises becomes one clear error).
Distances follow the file's convention (see
:func:`cosolve.problems.cvrp.instance.distance_matrix`): ``EUC_2D`` is rounded with ``nint``, as
CVRPLIB's A, B, P and X sets and their published costs assume; ``CEIL_2D``, ``FLOOR_2D``, ``ATT``
and ``GEO`` as in TSPLIB. ``EXPLICIT`` matrices (``FULL_MATRIX``, ``LOWER_ROW``, ``UPPER_ROW``,
``LOWER_DIAG_ROW``, ``UPPER_DIAG_ROW``) are read here as one stream of numbers, however the
lines wrap (vrplib 2.2 knows only the first two and needs one matrix row per line).

Conventions: the depot must be node 1 (the ids of a solution are then the file's node ids minus
one); node ids in a section run ``1..DIMENSION`` in order; the fleet is unlimited (``VEHICLES``
is ignored); route-length limits (``DISTANCE``) and service times are not supported and are
refused rather than ignored. ``ROUNDING : NONE`` is cosolve's own keyword for generated
instances with exact (unrounded) ``EUC_2D`` distances; only cosolve reads it.

Lines and numbers follow :mod:`cosolve.problems.tokens` (ASCII decimal numbers, lines broken at
``\\n``, ``\\r\\n``, ``\\r`` only). Bounds, shared with TSP (:mod:`cosolve.problems.tsplib_weights`):
at most :data:`MAX_DIMENSION` nodes, coordinates below ``2**53`` in magnitude, and distances whose
route sets stay below ``2**53`` (``2 * customers`` edges times the largest distance).

Solutions: CVRPLIB ``.sol`` files (``Route #1: 21 31 19 ...`` lines, then ``Cost 784``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from vrplib.parse import parse_vrplib

from cosolve.atomic import write_text_atomic
from cosolve.errors import CosolveInputError
from cosolve.files import read_text
from cosolve.problems.cvrp.instance import Instance, Solution, distance_matrix
from cosolve.problems.tokens import is_integer, numbered_lines, split_lines, to_float, to_integer
from cosolve.problems.tsplib_sections import check_distances, coordinate, shown, whole_number
from cosolve.problems.tsplib_weights import DENSE_MATRIX, EXPLICIT_FORMATS, MAX_NODES, explicit_count, place_weights

FORMATS = ("auto", "vrplib")
COORD_TYPES = {"EUC_2D": "nint", "CEIL_2D": "ceil", "FLOOR_2D": "floor", "ATT": "att", "GEO": "geo"}
"""Supported coordinate-based ``EDGE_WEIGHT_TYPE`` values and the rounding each implies."""
MATRIX_FORMATS = EXPLICIT_FORMATS
UNSUPPORTED_SPECS = {
    "DISTANCE": "route-length limits (DISTANCE)",
    "SERVICE_TIME": "service times (SERVICE_TIME)",
}
UNSUPPORTED_SECTIONS = ("TIME_WINDOW", "SERVICE_TIME", "PICKUP_AND_DELIVERY", "BACKHAUL", "RELEASE_TIME", "DURATION")
MAX_INTEGER = 2**31 - 1
"""Largest integer (dimension, capacity, demand) a file may hold."""
MAX_DIMENSION = MAX_NODES
"""Largest number of nodes: the instance holds a dense distance matrix (0.8 GB at this size)."""
SNIFF_LINES, SNIFF_CHARS = 100, 2**20
""":func:`sniff` looks at the first 100 lines within the first MiB of text."""


# ---------------------------------------------------------------------------- the line scan


@dataclass
class _Layout:
    """The file's lines grouped as VRPLIB defines them, with 1-based line numbers.

    ``specs``: KEY -> (line, value text); ``sections``: NAME (``NODE_COORD`` for
    ``NODE_COORD_SECTION``) -> (header line, data rows), each row ``(line, tokens)``.
    """

    specs: dict[str, tuple[int, str]] = field(default_factory=dict)
    sections: dict[str, tuple[int, list[tuple[int, list[str]]]]] = field(default_factory=dict)

    def vrplib_text(self) -> str:
        """The data sections as text for vrplib. Specs are left out (their values come from the
        scan, and vrplib stops at any line containing ``EOF``, e.g. a comment naming GEOFF), and so
        is the edge-weight section (read here, in every TSPLIB format)."""
        out = []
        for name, (_, rows) in self.sections.items():
            if name != "EDGE_WEIGHT":
                out.append(f"{name}_SECTION")
                out += [" ".join(tokens) for _, tokens in rows]
        return "\n".join(out)


def _scan(path: Path, text: str) -> _Layout:
    """Group the lines into specs and ``*_SECTION`` blocks (up to ``EOF``), raising a
    line-numbered error for anything that is neither (where vrplib would fail with a bare message)."""
    layout = _Layout()
    current: str | None = None
    for number, line in numbered_lines(text):
        first = line.split()[0].split(":")[0].upper()
        if first == "EOF":
            break
        if first.endswith("_SECTION"):
            current = first.removesuffix("_SECTION")
            if current in layout.sections:
                raise CosolveInputError(f"{shown(first)} appears twice", path, number)
            if current in layout.specs:
                raise CosolveInputError(f"{shown(current)} is both a specification and a section", path, number)
            rest = line[len(first) :].strip(" \t:").split()
            layout.sections[current] = (number, [(number, rest)] if rest else [])
        elif ":" in line:
            key, value = (part.strip() for part in line.split(":", 1))
            if current is not None:
                raise CosolveInputError(
                    f"specification {shown(key.upper())!r} after a data section (every 'KEY : value' line comes first)",
                    path,
                    number,
                )
            if key.upper() in layout.specs and key.upper() != "COMMENT":  # several comment lines are fine
                raise CosolveInputError(f"{shown(key.upper())} is given twice", path, number)
            layout.specs[key.upper()] = (number, value)
        elif current is None:
            raise CosolveInputError(f"expected 'KEY : value' or a *_SECTION header, found {line[:40]!r}", path, number)
        else:
            layout.sections[current][1].append((number, line.split()))
    if not layout.specs and not layout.sections:
        raise CosolveInputError("file is empty", path)
    return layout


def _parse_with_vrplib(path: Path, layout: _Layout) -> dict:
    """vrplib's reading of the file; any exception it raises becomes one clear line."""
    try:
        return parse_vrplib(layout.vrplib_text(), compute_edge_weights=False)
    except Exception as error:  # vrplib raises ValueError, RuntimeError, IndexError ... on bad input
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CosolveInputError(f"not a valid VRPLIB file ({reason})", path) from None


# ---------------------------------------------------------------------------- values


def _value(path: Path, line: int, token: str, what: str, convert: Callable[[str], Any]) -> Any:
    """``convert(token)``, its ``ValueError`` turned into an error naming ``what``, file and line."""
    try:
        return convert(token)
    except ValueError as error:
        raise CosolveInputError(f"{what}: {error}", path, line) from None


def _number(path: Path, line: int, token: str, what: str) -> float:
    return _value(path, line, token, what, to_float)


def _integer(path: Path, line: int, token: str, what: str, convert: Callable[[str], int] = whole_number) -> int:
    """An integer of magnitude at most :data:`MAX_INTEGER` (``convert``: :func:`whole_number`,
    which takes ``12.0``, or the strict :func:`~cosolve.problems.tokens.to_integer`)."""
    value = _value(path, line, token, what, convert)
    if abs(value) > MAX_INTEGER:
        raise CosolveInputError(f"{what}: {token} is out of range (at most {MAX_INTEGER})", path, line)
    return value


def _spec(path: Path, layout: _Layout, key: str, required: bool = True) -> tuple[int | None, str | None]:
    if key not in layout.specs:
        if required:
            raise CosolveInputError(f"missing {key} (expected a line '{key} : ...')", path, None)
        return None, None
    return layout.specs[key]


def _node_rows(path: Path, layout: _Layout, name: str, dimension: int, width: int) -> list[tuple[int, list[str]]]:
    """The rows of a per-node section, checked: ``dimension`` rows of ``1 + width`` tokens whose
    first token is the node id ``1..dimension`` in order."""
    if name not in layout.sections:
        raise CosolveInputError(f"missing {name}_SECTION", path)
    header, rows = layout.sections[name]
    for position, (number, tokens) in enumerate(rows[:dimension], start=1):
        if len(tokens) != width + 1:
            raise CosolveInputError(
                f"{name}_SECTION: expected {width + 1} values (node id and {width}), found {len(tokens)}", path, number
            )
        node = _integer(path, number, tokens[0], f"{name}_SECTION node id")
        if node != position:
            raise CosolveInputError(
                f"{name}_SECTION: node id {node} where {position} was expected (ids run 1..{dimension} in order)",
                path,
                number,
            )
    if len(rows) != dimension:
        where = rows[dimension][0] if len(rows) > dimension else (rows[-1][0] if rows else header)
        raise CosolveInputError(f"{name}_SECTION has {len(rows)} rows but DIMENSION is {dimension}", path, where)
    return rows


def _dimension(path: Path, layout: _Layout) -> int:
    line, text = _spec(path, layout, "DIMENSION")
    dimension = _integer(path, line, text, "DIMENSION")
    if dimension < 2:
        raise CosolveInputError(f"DIMENSION must be at least 2 (the depot and a customer), got {dimension}", path, line)
    if dimension > MAX_DIMENSION:
        raise CosolveInputError(
            f"DIMENSION {dimension} is too large (at most {MAX_DIMENSION}: {DENSE_MATRIX})", path, line
        )
    return dimension


def _capacity(path: Path, layout: _Layout) -> int:
    line, text = _spec(path, layout, "CAPACITY")
    capacity = _integer(path, line, text, "CAPACITY")
    if capacity < 1:
        raise CosolveInputError(f"CAPACITY must be positive, got {capacity}", path, line)
    return capacity


def _check_problem_type(path: Path, layout: _Layout) -> None:
    line, kind = _spec(path, layout, "TYPE", required=False)
    if kind is not None and kind.upper() != "CVRP":
        raise CosolveInputError(f"TYPE is {shown(kind)}; this reader handles CVRP files only", path, line)
    for key, what in UNSUPPORTED_SPECS.items():
        if key in layout.specs:
            raise CosolveInputError(f"{what} are not supported by the CVRP model", path, layout.specs[key][0])
    for name in UNSUPPORTED_SECTIONS:
        if name in layout.sections:
            raise CosolveInputError(f"{name}_SECTION is not part of the CVRP model", path, layout.sections[name][0])


def _demand_rows(path: Path, layout: _Layout, dimension: int) -> list[tuple[int, list[str]]]:
    rows = _node_rows(path, layout, "DEMAND", dimension, 1)
    for number, tokens in rows:
        _integer(path, number, tokens[1], "demand")
    return rows


def _demands(path: Path, rows: list[tuple[int, list[str]]], data: dict, capacity: int) -> np.ndarray:
    """``[dimension]`` int64 demands from vrplib's ``demand`` array, checked row by row."""
    demands = np.asarray(data["demand"], dtype=np.float64).reshape(-1)
    if demands.shape != (len(rows),):
        raise CosolveInputError(f"DEMAND_SECTION gives {demands.size} demands, expected {len(rows)}", path)
    demands = demands.astype(np.int64)
    for (number, _), demand in zip(rows, demands):
        if demand < 0:
            raise CosolveInputError(f"negative demand {demand}", path, number)
        if demand > capacity:
            raise CosolveInputError(f"demand {demand} exceeds the vehicle capacity {capacity}", path, number)
    if demands[0] != 0:
        raise CosolveInputError(f"the depot (node 1) has demand {demands[0]}; it must be 0", path, rows[0][0])
    return demands


def _check_depot(path: Path, layout: _Layout) -> None:
    if "DEPOT" not in layout.sections:
        raise CosolveInputError("missing DEPOT_SECTION (the depot must be node 1)", path)
    header, rows = layout.sections["DEPOT"]
    depots = []
    for number, tokens in rows:
        for token in tokens:
            node = _integer(path, number, token, "DEPOT_SECTION")
            if node == -1:
                break
            depots.append((number, node))
    if not depots:
        raise CosolveInputError("DEPOT_SECTION names no depot", path, header)
    if len(depots) > 1:
        raise CosolveInputError("several depots: only single-depot CVRP is supported", path, depots[1][0])
    number, node = depots[0]
    if node != 1:
        raise CosolveInputError(
            f"the depot is node {node}; cosolve needs it to be node 1 (renumber the nodes so the depot comes first)",
            path,
            number,
        )


def _coord_section(path: Path, layout: _Layout, dimension: int, required: bool) -> str | None:
    """The section holding the coordinates, its rows checked: ``NODE_COORD`` (or, for explicit
    matrices, ``DISPLAY_DATA``); ``None`` when there is none and none is required."""
    for name in ("NODE_COORD", "DISPLAY_DATA"):
        if name in layout.sections and (name == "NODE_COORD" or not required):
            for number, tokens in _node_rows(path, layout, name, dimension, 2):
                for token in tokens[1:]:
                    _value(path, number, token, f"{name}_SECTION coordinate", coordinate)
            return name
    if required:
        raise CosolveInputError("missing NODE_COORD_SECTION (needed to compute the distances)", path)
    return None


def _coords(path: Path, data: dict, section: str, dimension: int) -> np.ndarray:
    """``[dimension, 2]`` float64 coordinates from vrplib's reading of ``section``."""
    coords = np.asarray(data[section.lower()], dtype=np.float64)
    if coords.shape != (dimension, 2):
        raise CosolveInputError(f"{section}_SECTION does not hold {dimension} x/y pairs", path)
    return coords


def _explicit_distances(path: Path, layout: _Layout, dimension: int) -> np.ndarray:
    """The ``EDGE_WEIGHT_SECTION`` as a full symmetric ``[dimension, dimension]`` matrix."""
    line, form = _spec(path, layout, "EDGE_WEIGHT_FORMAT", required=False)
    if form is None:
        type_line = layout.specs["EDGE_WEIGHT_TYPE"][0]
        raise CosolveInputError("EXPLICIT edge weights need an EDGE_WEIGHT_FORMAT", path, type_line)
    form = form.upper()
    if form not in MATRIX_FORMATS:
        raise CosolveInputError(
            f"EDGE_WEIGHT_FORMAT {shown(form)} is not supported (choose from {', '.join(MATRIX_FORMATS)})", path, line
        )
    if "EDGE_WEIGHT" not in layout.sections:
        raise CosolveInputError("missing EDGE_WEIGHT_SECTION (EDGE_WEIGHT_TYPE is EXPLICIT)", path)
    header, rows = layout.sections["EDGE_WEIGHT"]
    n = dimension
    count, expected = sum(len(tokens) for _, tokens in rows), explicit_count(n, form)
    if count != expected:
        where = _line_of_token(rows, expected) if count > expected else (rows[-1][0] if rows else header)
        raise CosolveInputError(
            f"EDGE_WEIGHT_SECTION has {count} numbers; {form} for DIMENSION {n} needs {expected}", path, where
        )
    values = (_number(path, number, token, "edge weight") for number, tokens in rows for token in tokens)
    matrix = place_weights(np.fromiter(values, dtype=np.float64, count=count), n, form)
    negative = np.argwhere(matrix < 0)
    if negative.size:
        i, j = negative[0]
        what = f"negative edge weight {matrix[i, j]:g} between nodes {i + 1} and {j + 1}"
        raise CosolveInputError(what, path, header)
    asymmetric = np.argwhere(matrix != matrix.T)
    if asymmetric.size:
        i, j = asymmetric[0]
        raise CosolveInputError(
            f"the matrix is not symmetric (nodes {i + 1} and {j + 1}: {matrix[i, j]:g} vs {matrix[j, i]:g}); "
            "CVRP needs symmetric distances",
            path,
            header,
        )
    np.fill_diagonal(matrix, 0.0)
    check_distances(path, matrix, 2 * (n - 1), lambda i, j: header)
    return matrix


def _line_of_token(rows: list[tuple[int, list[str]]], index: int) -> int:
    """The line of the ``index``-th token (0-based) of a section's rows."""
    for number, tokens in rows:
        if index < len(tokens):
            return number
        index -= len(tokens)
    raise IndexError(index)


def _coordinate_distances(path: Path, layout: _Layout, section: str, coords: np.ndarray, rounding: str) -> np.ndarray:
    """The distances of ``coords`` under ``rounding``, refused (naming a node's line) when too large."""
    distances = distance_matrix(coords, rounding)
    lines = [number for number, _ in layout.sections[section][1]]
    check_distances(path, distances, 2 * (len(coords) - 1), lambda i, j: lines[j])
    return distances


def _edge_weight_type(path: Path, layout: _Layout) -> tuple[str, str]:
    """``(EDGE_WEIGHT_TYPE, rounding)``, the rounding implied by the type or set by ``ROUNDING``."""
    line, kind = _spec(path, layout, "EDGE_WEIGHT_TYPE")
    kind = kind.upper()
    rounding_line, rounding_text = _spec(path, layout, "ROUNDING", required=False)
    if kind == "EXPLICIT":
        if rounding_text is not None:
            raise CosolveInputError("ROUNDING applies to EUC_2D coordinates only", path, rounding_line)
        return kind, "explicit"
    if kind not in COORD_TYPES:
        supported = ", ".join([*COORD_TYPES, "EXPLICIT"])
        raise CosolveInputError(
            f"EDGE_WEIGHT_TYPE {shown(kind)} is not supported (choose from {supported})", path, line
        )
    if rounding_text is None:
        return kind, COORD_TYPES[kind]
    if kind != "EUC_2D" or rounding_text.upper() not in ("NONE", "NINT"):
        raise CosolveInputError(
            f"ROUNDING : {shown(rounding_text)} is not understood (cosolve writes ROUNDING : NONE with EUC_2D)",
            path,
            rounding_line,
        )
    return kind, rounding_text.lower()


def read(path: str | Path, fmt: str = "auto", name: str | None = None) -> Instance:
    """Read a VRPLIB / CVRPLIB ``.vrp`` file (``fmt`` ``auto`` or ``vrplib``: there is one format).

    Raises:
        CosolveInputError: the file is missing, empty or malformed (message names file and line).
    """
    path = Path(path)
    if fmt not in FORMATS:
        raise CosolveInputError(f"unknown CVRP format {fmt!r} (choose from {', '.join(FORMATS)})", path)
    layout = _scan(path, read_text(path))
    _check_problem_type(path, layout)
    dimension = _dimension(path, layout)
    capacity = _capacity(path, layout)
    demand_rows = _demand_rows(path, layout, dimension)
    _check_depot(path, layout)
    kind, rounding = _edge_weight_type(path, layout)
    coord_section = _coord_section(path, layout, dimension, required=kind != "EXPLICIT")
    explicit = _explicit_distances(path, layout, dimension) if kind == "EXPLICIT" else None
    # Every row is checked above (with its line number); vrplib now reads the values.
    data = _parse_with_vrplib(path, layout)
    demands = _demands(path, demand_rows, data, capacity)
    coords = None if coord_section is None else _coords(path, data, coord_section, dimension)
    if explicit is not None:
        distances = explicit
    else:
        distances = _coordinate_distances(path, layout, coord_section, coords, rounding)
    return Instance(
        name=name or path.stem,
        coords=coords,
        demands=demands,
        capacity=capacity,
        distances=distances,
        edge_weight_type=kind,
        rounding=rounding,
    )


# ---------------------------------------------------------------------------- writing


def _format_number(value: float) -> str:
    """Integers without a decimal point, other floats with every digit (``repr`` round-trips)."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def format_text(instance: Instance, comment: str | None = None) -> str:
    """The VRPLIB text of ``instance``.

    Coordinate instances are written with their ``EDGE_WEIGHT_TYPE`` (and ``ROUNDING : NONE`` for
    exact distances), explicit ones as a ``FULL_MATRIX``; reading the text back gives the same
    distances, demands and capacity, hence the same fingerprint.
    """
    one_line = " ".join(str(comment or "").split())
    out = [f"NAME : {' '.join(instance.name.split()) or 'cvrp'}"]
    if one_line:
        out.append(f"COMMENT : {one_line}")
    out += ["TYPE : CVRP", f"DIMENSION : {instance.n_nodes}"]
    explicit = instance.rounding == "explicit" or instance.coords is None
    if explicit:
        out += ["EDGE_WEIGHT_TYPE : EXPLICIT", "EDGE_WEIGHT_FORMAT : FULL_MATRIX"]
    else:
        out.append(f"EDGE_WEIGHT_TYPE : {instance.edge_weight_type}")
        if instance.rounding == "none":
            out.append("ROUNDING : NONE")
    out.append(f"CAPACITY : {int(instance.capacity)}")
    if instance.coords is not None:
        out.append("NODE_COORD_SECTION")
        out += [f"{i} {_format_number(x)} {_format_number(y)}" for i, (x, y) in enumerate(instance.coords, start=1)]
    if explicit:
        out.append("EDGE_WEIGHT_SECTION")
        out += [" ".join(_format_number(v) for v in row) for row in instance.distances]
    out.append("DEMAND_SECTION")
    out += [f"{i} {int(d)}" for i, d in enumerate(instance.demands, start=1)]
    out += ["DEPOT_SECTION", "1", "-1", "EOF"]
    return "\n".join(out) + "\n"


def write(
    path: str | Path, instance: Instance, fmt: str = "vrplib", comment: str | None = None, overwrite: bool = True
) -> None:
    """Write ``instance`` atomically as a VRPLIB file."""
    if fmt not in FORMATS:
        raise CosolveInputError(f"unknown CVRP format {fmt!r} (choose from {', '.join(FORMATS)})", path)
    write_text_atomic(path, format_text(instance, comment), overwrite=overwrite)


def sniff(text: str) -> bool:
    """True when ``text`` is a VRPLIB file of TYPE CVRP (used to detect the problem of a file;
    never raises)."""
    for raw in split_lines(text[:SNIFF_CHARS])[:SNIFF_LINES]:
        line = raw.strip()
        if "_SECTION" in line:
            return False
        key, colon, value = line.partition(":")
        if colon and key.strip().upper() == "TYPE":
            return value.strip().upper() == "CVRP"
    return False


# ---------------------------------------------------------------------------- solution files


def read_solution(path: str | Path) -> tuple[Solution, float | None]:
    """Read a CVRPLIB ``.sol`` file: the routes (1-based customer ids) and its ``Cost``, if any.

    Lines holding ``Route`` are routes (``Route #k: ids``), a line starting with ``Cost`` the cost,
    ``#`` lines are comments and other lines are ignored, as in ``vrplib``. The routes are not
    checked against an instance here; use :func:`check` for that.
    """
    path = Path(path)
    routes, cost = [], None
    for number, line in numbered_lines(read_text(path)):
        if "Route" in line:
            if ":" not in line:
                raise CosolveInputError("a route line needs 'Route #k: ids'", path, number)
            routes.append([_customer(path, number, token) for token in line.split(":", 1)[1].split()])
        elif line.lower().startswith("cost"):
            cost = _number(path, number, line[4:].strip(" :\t"), "Cost")
    if not routes:
        raise CosolveInputError("no 'Route #k: ...' lines: not a CVRPLIB solution file", path)
    return Solution(routes=routes), cost


def _customer(path: Path, line: int, token: str) -> int:
    """A customer id of a route line: an ASCII integer of magnitude at most :data:`MAX_INTEGER`."""
    if not is_integer(token):
        raise CosolveInputError(f"route lists {token!r}, not a customer id", path, line)
    return _integer(path, line, token, "route", to_integer)


def format_solution(solution: Solution, cost: float | None = None) -> str:
    """The CVRPLIB ``.sol`` text of ``solution`` (``Cost`` line when given)."""
    out = [f"Route #{k}: {' '.join(str(int(c)) for c in route)}" for k, route in enumerate(solution.routes, start=1)]
    if cost is not None:
        out.append(f"Cost {_format_number(cost)}")
    return "\n".join(out) + "\n"


def write_solution(path: str | Path, solution: Solution, cost: float | None = None, overwrite: bool = True) -> None:
    """Write ``solution`` atomically as a CVRPLIB ``.sol`` file."""
    write_text_atomic(path, format_solution(solution, cost), overwrite=overwrite)
