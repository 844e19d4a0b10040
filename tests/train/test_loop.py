"""The trainers' learning-rate schedule."""

from __future__ import annotations

import pytest
import torch

from cosolve.train.record import anneal


def rate_after(done: int, total: int, elapsed: float = 0.0, time_limit: float | None = None) -> float:
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.5)
    anneal(optimizer, 1e-3, 1e-5, done, total, elapsed, time_limit)
    return optimizer.param_groups[0]["lr"]


def test_geometric_from_first_to_last_step():
    assert rate_after(0, 101) == pytest.approx(1e-3)
    assert rate_after(50, 101) == pytest.approx(1e-4)
    assert rate_after(100, 101) == pytest.approx(1e-5)


def test_a_time_limit_anneals_over_the_time_when_it_comes_first():
    assert rate_after(0, 1_000_000, elapsed=30.0, time_limit=60.0) == pytest.approx(1e-4)
    assert rate_after(0, 1_000_000, elapsed=90.0, time_limit=60.0) == pytest.approx(1e-5)  # never below the final
    assert rate_after(75, 101, elapsed=1.0, time_limit=60.0) == pytest.approx(rate_after(75, 101))
