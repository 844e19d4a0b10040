"""Plane coordinates for matrix-only routing instances."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cosolve.problems.planar_embedding import planar_embedding


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 40), st.integers(0, 2**31 - 1))
def test_planar_distances_are_reproduced(n, seed):
    points = np.random.default_rng(seed).uniform(0, 1000, size=(n, 2))
    distances = np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=2))
    embedded = planar_embedding(distances)
    assert embedded.shape == (n, 2)
    again = np.sqrt(((embedded[:, None] - embedded[None]) ** 2).sum(axis=2))
    assert np.allclose(again, distances, atol=1e-6 * distances.max())


def test_any_matrix_gets_finite_coordinates():
    weights = np.array([[0, 5, 9, 1], [5, 0, 2, 7], [9, 2, 0, 3], [1, 7, 3, 0]], dtype=float)
    assert np.isfinite(planar_embedding(weights)).all()
    assert planar_embedding(np.zeros((1, 1))).shape == (1, 2)
