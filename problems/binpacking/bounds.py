"""Lower bounds on the number of bins.

* :func:`l1` — the continuous bound ``ceil(sum w / C)``.
* :func:`l2` — Martello and Toth's bound (Knapsack Problems, 1990, section 8.3.1): for
  ``0 <= alpha <= C/2`` let ``J1 = {w > C - alpha}``, ``J2 = {C - alpha >= w > C/2}`` and
  ``J3 = {C/2 >= w >= alpha}``; no two items of ``J1 + J2`` share a bin, and items of ``J3`` can
  only use the room left in the ``J2`` bins, so

  ``L(alpha) = |J1| + |J2| + max(0, ceil((sum_J3 w - (|J2| C - sum_J2 w)) / C))``

  and ``L2 = max_alpha L(alpha)``. ``L(alpha)`` only changes at the weights, so the candidates are
  ``0`` and the distinct weights ``<= C/2``; all of them are evaluated at once with prefix sums
  (``O(n log n)``). ``L(0) >= L1``, hence ``L2 >= L1``.
"""

from __future__ import annotations

import numpy as np


def l1(weights: np.ndarray, capacity: int) -> int:
    """``ceil(sum(weights) / capacity)`` for ``weights`` ``[n]`` int64."""
    return int(-(-int(np.asarray(weights, dtype=np.int64).sum()) // int(capacity)))


def l2(weights: np.ndarray, capacity: int) -> int:
    """Martello and Toth's ``L2`` for ``weights`` ``[n]`` int64 (each ``<= capacity``)."""
    ws = np.sort(np.asarray(weights, dtype=np.int64))
    if ws.size == 0:
        return 0
    c, half = int(capacity), int(capacity) // 2  # w <= C/2  <=>  w <= floor(C/2) for integers
    prefix = np.concatenate([[0], np.cumsum(ws)])
    alphas = np.unique(np.concatenate([[0], ws[ws <= half]]))  # [k] candidates
    up_to_big = np.searchsorted(ws, c - alphas, side="right")  # items with w <= C - alpha
    up_to_half = int(np.searchsorted(ws, half, side="right"))  # items with w <= C/2
    below_alpha = np.searchsorted(ws, alphas, side="left")  # items with w < alpha
    j1 = ws.size - up_to_big
    j2 = up_to_big - up_to_half
    j2_weight = prefix[up_to_big] - prefix[up_to_half]
    j3_weight = prefix[up_to_half] - prefix[below_alpha]
    extra = j3_weight - (j2 * c - j2_weight)
    bound = j1 + j2 + np.maximum(0, -(-extra // c))
    return int(bound.max())
