"""Edge weights of TSPLIB / VRPLIB files, as the TSPLIB95 specification defines them.

The ``vrplib`` package parses the sections of a file; the weights are computed here because
the objective must follow the file's convention: ``EUC_2D`` rounds each distance to the
nearest integer (``nint``), ``CEIL_2D`` rounds up, ``ATT`` is the pseudo-Euclidean distance
of the att48/att532 files, ``GEO`` the great-circle distance on TSPLIB's idealised sphere,
and ``EXPLICIT`` reads a matrix in any of the TSPLIB row formats.

Bounds shared by the TSP and CVRP readers:

* :data:`MAX_NODES` nodes, because the distances are a dense ``n x n`` float64 matrix;
* :data:`MAX_LENGTH` (``2**53``) for every length: ``edges * (largest distance)`` must stay
  below it, where ``edges`` is the most edges a solution can have (``n`` for a tour,
  ``2 * customers`` for CVRP routes), and every coordinate's magnitude too. Below ``2**53`` a sum
  of integral distances is exact in float64 (so 2-opt sees no rounding "improvements" and the
  objective is the true one), and it fits OR-Tools' int64 arc costs with a factor 1000 to spare
  for its search (``2**63 / 2**53``). The readers refuse larger values, naming the line.
"""

from __future__ import annotations

import numpy as np

COORDINATE_TYPES = ("EUC_2D", "CEIL_2D", "ATT", "GEO")
EXPLICIT_FORMATS = ("FULL_MATRIX", "UPPER_ROW", "LOWER_ROW", "UPPER_DIAG_ROW", "LOWER_DIAG_ROW")
MAX_NODES = 10_001
"""Most nodes (``DIMENSION``) a TSP or CVRP file may have: the distances are a dense float64
matrix, 0.8 GB at this size (the batched heuristics hold a few more of that size). TSPLIB's and
CVRPLIB's usual benchmark sets stay far below (pr1002, X-n1001)."""
DENSE_MATRIX = "distances are kept as a dense n x n matrix, 0.8 GB at that size"
"""Why :data:`MAX_NODES` holds, for the readers' messages."""
MAX_LENGTH = 2.0**53
"""Every tour or route-set length, and every coordinate, stays below this (see the module notes)."""


def nint(values: np.ndarray) -> np.ndarray:
    """TSPLIB's ``nint``: ``(int)(x + 0.5)`` for the non-negative distances of the files."""
    return np.floor(values + 0.5)


def _squared_distances(coords: np.ndarray) -> np.ndarray:
    """``[n, n]`` squared Euclidean distances; an overflow gives ``inf`` (which the readers refuse)."""
    delta = coords[:, None, :] - coords[None, :, :]
    with np.errstate(over="ignore"):
        return (delta**2).sum(axis=2)


def euclidean(coords: np.ndarray) -> np.ndarray:
    """``[n, n]`` exact Euclidean distances between the rows of ``coords`` ``[n, 2]``."""
    return np.sqrt(_squared_distances(coords))


def _geo_radians(coords: np.ndarray) -> np.ndarray:
    degrees = np.trunc(coords)
    minutes = coords - degrees
    return 3.141592 * (degrees + 5.0 * minutes / 3.0) / 180.0  # TSPLIB95 prescribes this PI


def coordinate_weights(coords: np.ndarray, edge_weight_type: str) -> np.ndarray:
    """``[n, n]`` float64 weights (integral values) of a coordinate-based type."""
    if edge_weight_type == "EUC_2D":
        return nint(euclidean(coords))
    if edge_weight_type == "CEIL_2D":
        return np.ceil(euclidean(coords))
    if edge_weight_type == "ATT":
        r = np.sqrt(_squared_distances(coords) / 10.0)
        t = nint(r)
        return np.where(t < r, t + 1.0, t)
    if edge_weight_type == "GEO":
        radians = _geo_radians(coords)
        latitude, longitude = radians[:, 0], radians[:, 1]
        q1 = np.cos(longitude[:, None] - longitude[None, :])
        q2 = np.cos(latitude[:, None] - latitude[None, :])
        q3 = np.cos(latitude[:, None] + latitude[None, :])
        inner = np.clip(0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3), -1.0, 1.0)
        weights = np.floor(6378.388 * np.arccos(inner) + 1.0)
        np.fill_diagonal(weights, 0.0)
        return weights
    raise ValueError(f"unsupported EDGE_WEIGHT_TYPE {edge_weight_type}")


def explicit_count(n: int, edge_weight_format: str) -> int:
    """How many numbers an ``EDGE_WEIGHT_SECTION`` of ``n`` nodes holds in ``edge_weight_format``
    (computed, not counted, so that a file's section can be checked before anything is allocated).

    Raises:
        ValueError: an unsupported format.
    """
    if edge_weight_format == "FULL_MATRIX":
        return n * n
    if edge_weight_format not in EXPLICIT_FORMATS:
        raise ValueError(
            f"unsupported EDGE_WEIGHT_FORMAT {edge_weight_format} (supported: {', '.join(EXPLICIT_FORMATS)})"
        )
    return n * (n + 1) // 2 if edge_weight_format.endswith("DIAG_ROW") else n * (n - 1) // 2


def explicit_positions(n: int, edge_weight_format: str) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each number of an ``EDGE_WEIGHT_SECTION`` stream, in stream order.

    Raises:
        ValueError: an unsupported format.
    """
    if edge_weight_format == "FULL_MATRIX":
        return np.divmod(np.arange(n * n), n)
    if edge_weight_format not in EXPLICIT_FORMATS:
        raise ValueError(
            f"unsupported EDGE_WEIGHT_FORMAT {edge_weight_format} (supported: {', '.join(EXPLICIT_FORMATS)})"
        )
    diagonal = edge_weight_format.endswith("DIAG_ROW")
    if edge_weight_format.startswith("UPPER"):
        return np.triu_indices(n, k=0 if diagonal else 1)
    return np.tril_indices(n, k=0 if diagonal else -1)


def place_weights(values: np.ndarray, n: int, edge_weight_format: str) -> np.ndarray:
    """``[n, n]`` weights from a stream of the right length: a full matrix as given, a triangle
    mirrored."""
    if edge_weight_format == "FULL_MATRIX":
        return np.asarray(values, dtype=np.float64).reshape(n, n).copy()
    rows, cols = explicit_positions(n, edge_weight_format)
    weights = np.zeros((n, n))
    weights[rows, cols] = values
    weights[cols, rows] = values
    return weights


def explicit_weights(values: np.ndarray, n: int, edge_weight_format: str) -> np.ndarray:
    """``[n, n]`` weights from the flat number stream of an ``EDGE_WEIGHT_SECTION``.

    Raises:
        ValueError: an unsupported format, or the wrong number of values for ``n`` and the format.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    expected = explicit_count(n, edge_weight_format)
    if values.size != expected:
        raise ValueError(
            f"EDGE_WEIGHT_SECTION has {values.size} numbers, {edge_weight_format} of {n} nodes needs {expected}"
        )
    return place_weights(values, n, edge_weight_format)
