"""Plane coordinates for instances given only as a distance matrix.

The learned routing policies read node coordinates; TSPLIB/VRPLIB files with explicit
matrices have none. Classical multidimensional scaling places the nodes in the plane so that
Euclidean distances approximate the matrix (exactly when the matrix is Euclidean and planar);
the policy then builds its tour on these points while every length is still measured with
the file's own distances.
"""

from __future__ import annotations

import numpy as np


def planar_embedding(distances: np.ndarray) -> np.ndarray:
    """``[n, 2]`` coordinates whose Euclidean distances approximate ``distances`` ``[n, n]``
    (classical MDS; an asymmetric matrix is symmetrised first)."""
    d = np.asarray(distances, dtype=np.float64)
    d = (d + d.T) / 2.0
    n = d.shape[0]
    centring = np.eye(n) - np.full((n, n), 1.0 / n)
    gram = -0.5 * centring @ (d**2) @ centring
    values, vectors = np.linalg.eigh(gram)  # ascending
    top = np.clip(values[::-1][:2], 0.0, None)
    coords = vectors[:, ::-1][:, :2] * np.sqrt(top)
    if coords.shape[1] < 2:  # a single node
        coords = np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))
    return coords
