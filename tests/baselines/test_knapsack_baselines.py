"""Knapsack baselines (ratio greedy, OR-Tools), the method table and the plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cosolve.baselines.knapsack_greedy import ratio_greedy, ratio_order
from cosolve.baselines.knapsack_ortools import SOLVERS, dantzig_bound, solve_ortools
from cosolve.errors import CosolveInputError
from cosolve.methods import MethodSpec, Settings
from cosolve.problems import knapsack
from cosolve.problems.knapsack import methods
from cosolve.problems.knapsack.instance import Instance

DATA = Path(__file__).resolve().parents[1] / "data" / "knapsack"
OPTIMUM = {
    "knapPI_1_100_1000_1": 9147,
    "knapPI_2_100_1000_1": 1514,
    "knapPI_3_100_1000_1": 2397,
    "knapPI_3_200_1000_1": 2697,
    "knapPI_1_50_1000_1.csv": 8373,
    "f1_l-d_kp_10_269": 295,
    "f4_l-d_kp_4_11": 23,
    "f8_l-d_kp_23_10000": 9767,
}
SETTINGS = Settings(time_limit_s=10.0, workers=1, device="cpu")


@pytest.fixture(scope="module")
def public() -> dict[str, Instance]:
    return {name: knapsack.read(DATA / name) for name in OPTIMUM}


def _optimum(instance: Instance) -> int:
    """The optimum by dynamic programming over the capacity, written here from scratch."""
    best = np.zeros(instance.capacity + 1, dtype=np.int64)
    for value, weight in zip(instance.values.tolist(), instance.weights.tolist()):
        if weight <= instance.capacity:
            best[weight:] = np.maximum(best[weight:], best[:-weight] + value)
    return int(best[-1])


def _run(method: str, instances: list[Instance]):
    spec = MethodSpec.parse(method)
    outputs = methods.METHODS[spec.family].run(instances, spec, SETTINGS)
    for instance, output in zip(instances, outputs):
        knapsack.check(instance, output.solution)
    return outputs


# ---------------------------------------------------------------------------- OR-Tools


@pytest.mark.parametrize("method", ["ortools", "ortools:bb", "ortools:dp", "ortools:cpsat"])
def test_ortools_reaches_the_published_optimum(method, public):
    # Branch and bound alone needs 4.2 s to prove f8 (23 items, nearly equal ratios); auto 1 ms.
    names = [name for name in OPTIMUM if not (method == "ortools:bb" and name.startswith("f8"))]
    for name in names:
        output = _run(method, [public[name]])[0]
        assert knapsack.evaluate(public[name], output.solution) == OPTIMUM[name], name
        assert output.status == "optimal" and output.bound == OPTIMUM[name]


def test_optimum_checked_by_an_independent_dynamic_programme(public):
    for name in ("knapPI_3_100_1000_1", "f8_l-d_kp_23_10000"):
        assert _optimum(public[name]) == OPTIMUM[name]


def test_auto_moves_from_branch_and_bound_to_dynamic_programming(public):
    instance = public["f8_l-d_kp_23_10000"]  # branch and bound alone needs seconds here
    result = solve_ortools(instance.values, instance.weights, instance.capacity, 10.0, "auto")
    assert result.status == "optimal" and result.solver == "dp" and result.value == OPTIMUM["f8_l-d_kp_23_10000"]
    instance = public["knapPI_1_100_1000_1"]  # ... and proves this one at once
    result = solve_ortools(instance.values, instance.weights, instance.capacity, 10.0, "auto")
    assert result.status == "optimal" and result.solver == "bb" and result.value == OPTIMUM["knapPI_1_100_1000_1"]


def test_unproven_results_carry_a_valid_bound():
    instance = knapsack.generate("strong1000", 1, seed=0)[0]
    optimum = 328129  # ortools:dp, proven
    for solver, limit in (("bb", 0.001), ("auto", 0.01)):  # auto: the dynamic programme would take ~0.5 s
        result = solve_ortools(instance.values, instance.weights, instance.capacity, limit, solver)
        assert result.status == "feasible" and result.solver == "bb"
        assert result.value <= optimum <= result.bound
        assert result.bound == dantzig_bound(instance.values, instance.weights, instance.capacity)
        chosen = result.items
        assert int(instance.weights[chosen].sum()) <= instance.capacity
        assert int(instance.values[chosen].sum()) == result.value


def test_trivial_cases_and_items_that_never_help():
    values, weights = np.array([5, 0, 9, 4]), np.array([3, 1, 50, 2])
    result = solve_ortools(values, weights, 10)  # item 2 is too heavy, item 1 worthless, the rest fit
    assert result.items.tolist() == [0, 3] and result.status == "optimal" and result.solver == "trivial"
    assert solve_ortools(values, weights, 0).items.tolist() == []
    assert solve_ortools(values, weights, 4, solver="dp").items.tolist() == [0]


def test_dp_is_refused_when_too_large():
    values = np.arange(1, 1001, dtype=np.int64)
    weights = np.full(1000, 2**31 - 1, dtype=np.int64)
    with pytest.raises(CosolveInputError, match="dynamic programming needs"):
        solve_ortools(values, weights, 2**40, solver="dp")
    with pytest.raises(ValueError, match="unknown solver"):
        solve_ortools(values, weights, 10, solver="magic")
    assert set(SOLVERS) == set(methods.ORTOOLS_SOLVERS)


@given(st.integers(1, 25), st.integers(0, 10_000), st.sampled_from(["uncorrelated", "weak", "strong", "subset"]))
def test_ortools_and_bounds_agree_with_the_dynamic_programme(n, seed, kind):
    instance = knapsack.generate(f"{kind}{n}", 1, seed=seed)[0]
    optimum = _optimum(instance)
    result = solve_ortools(instance.values, instance.weights, instance.capacity, 5.0)
    assert result.value == optimum and result.status == "optimal"
    assert optimum <= dantzig_bound(instance.values, instance.weights, instance.capacity)


# ---------------------------------------------------------------------------- greedy


def test_greedy_gap_on_uncorrelated_instances():
    # Measured (50 instances, seed 0): mean 0.12 %, max 0.67 % on uncorrelated100.
    instances = knapsack.generate("100", 50, seed=0)
    optimum = np.array([o.bound for o in _run("ortools", instances)])
    greedy = np.array([knapsack.evaluate(i, o.solution) for i, o in zip(instances, _run("greedy", instances))])
    gap = (optimum - greedy) / optimum
    assert (gap >= 0).all() and gap.mean() < 0.003 and gap.max() < 0.015


def test_greedy_on_public_files(public):
    # Measured: 3.61 % on knapPI_1_100, 0.92 % on knapPI_3_100, 30.4 % on f4 (4 items).
    gaps = {}
    for name in OPTIMUM:  # one call per instance: a batch holds one number of items
        output = _run("greedy", [public[name]])[0]
        gaps[name] = 1 - knapsack.evaluate(public[name], output.solution) / OPTIMUM[name]
    assert gaps["knapPI_1_100_1000_1"] < 0.04 and gaps["knapPI_3_100_1000_1"] < 0.01 and max(gaps.values()) < 0.5


def test_best_single_item_beats_a_poor_ratio_greedy():
    instance = Instance("trap", np.array([2, 100]), np.array([1, 100]), 100)
    assert _run("greedy:plain", [instance])[0].solution.items.tolist() == [0]
    assert _run("greedy", [instance])[0].solution.items.tolist() == [1]


@given(st.integers(1, 30), st.integers(0, 10_000), st.integers(1, 4))
def test_greedy_is_a_half_approximation_and_plain_greedy_is_maximal(n, seed, batch):
    instances = [
        Instance(f"r{k}", *(np.random.default_rng([seed, k]).integers(1, 60, size=(2, n))), int(seed % 200))
        for k in range(batch)
    ]
    values = torch.as_tensor(np.stack([i.values for i in instances]))
    weights = torch.as_tensor(np.stack([i.weights for i in instances]))
    capacity = torch.as_tensor([i.capacity for i in instances])
    best = ratio_greedy(values, weights, capacity).numpy()
    plain = ratio_greedy(values, weights, capacity, best_single=False).numpy()
    for instance, chosen, simple in zip(instances, best, plain):
        for selection in (chosen, simple):
            knapsack.check(instance, knapsack.Solution.from_mask(selection))
        value = int(instance.values[chosen].sum())
        assert 2 * value >= _optimum(instance) and value >= int(instance.values[simple].sum())
        room = instance.capacity - int(instance.weights[simple].sum())
        assert (instance.weights[~simple] > room).all()  # no left-out item still fits


def test_ratio_order_is_stable():
    order = ratio_order(torch.tensor([[2, 4, 1, 3]]), torch.tensor([[1, 2, 1, 1]]))
    assert order.tolist() == [[3, 0, 1, 2]]  # ratios 2, 2, 1, 3: ties keep index order


# ---------------------------------------------------------------------------- method table and plot


def test_method_table():
    assert methods.DEFAULT_METHOD == "greedy" and methods.METHODS["greedy"].batched
    assert not methods.METHODS["ortools"].batched
    for bad in ("greedy:best", "greedy:plain:x=1", "ortools:lns", "ortools:bb:hint=1"):
        spec = MethodSpec.parse(bad)
        with pytest.raises(CosolveInputError, match="method"):
            methods.METHODS[spec.family].validate(spec)


def test_render_writes_an_image(tmp_path, public):
    instance = public["f1_l-d_kp_10_269"]
    solution = _run("ortools", [instance])[0].solution
    knapsack.render(instance, solution, str(tmp_path / "f1.png"))
    assert (tmp_path / "f1.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(CosolveInputError, match="file exists"):
        knapsack.render(instance, solution, str(tmp_path / "f1.png"), overwrite=False)
