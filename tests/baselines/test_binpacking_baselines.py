"""Bin packing baselines (fit rules, CP-SAT) and the method table."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cosolve.baselines.binpacking_cpsat import arcflow_graph, solve_cpsat
from cosolve.baselines.binpacking_heuristics import RULES, pack, pack_instances
from cosolve.errors import CosolveInputError
from cosolve.instances import path_of
from cosolve.methods import MethodSpec, Settings
from cosolve.problems import binpacking
from cosolve.problems.binpacking import methods
from cosolve.solve import solve

SETTINGS = Settings(time_limit_s=10.0, workers=1, device="cpu")


def _reference(weights: list[int], capacity: int, rule: str) -> list[int]:
    """The rule written here from its textbook definition, one item at a time."""
    order = sorted(range(len(weights)), key=lambda i: -weights[i]) if rule in ("ffd", "bfd") else range(len(weights))
    rule = {"ffd": "ff", "bfd": "bf"}.get(rule, rule)
    loads: list[int] = []
    assignment = [-1] * len(weights)
    for item in order:
        weight = weights[item]
        room = [b for b, load in enumerate(loads) if load + weight <= capacity]
        if rule == "nf":
            room = [b for b in room if b == len(loads) - 1]
        if not room:
            loads.append(0)
            chosen = len(loads) - 1
        elif rule == "ff" or rule == "nf":
            chosen = room[0]
        elif rule == "bf":
            chosen = max(room, key=lambda b: (loads[b], -b))
        else:  # wf
            chosen = min(room, key=lambda b: (loads[b], b))
        loads[chosen] += weight
        assignment[item] = chosen
    return assignment


@given(st.sampled_from(RULES), st.integers(1, 40), st.integers(1, 30), st.integers(1, 4), st.integers(0, 10_000))
def test_batched_rules_equal_their_textbook_definition(rule, capacity, n, batch, seed):
    rng = np.random.default_rng(seed)
    weights = rng.integers(1, capacity + 1, size=(batch, n))
    assignment = pack(torch.as_tensor(weights), torch.full((batch,), capacity), rule)
    for row, packed in zip(weights.tolist(), assignment.tolist()):
        assert packed == _reference(row, capacity, rule)


def test_rules_on_a_hand_example():
    instance = binpacking.Instance("hand", np.array([4, 8, 1, 4, 2, 1]), 10)
    bins = {
        rule: binpacking.Solution.from_assignment(pack_instances([instance], rule).numpy()[0]).bins for rule in RULES
    }
    assert bins["nf"] == [[0], [1, 2], [3, 4, 5]]
    assert bins["ff"] == [[0, 2, 3, 5], [1, 4]]
    assert bins["bf"] == [[0, 3, 4], [1, 2, 5]]  # the 1 goes to the fuller bin (8), the 2 then fills bin 0
    assert bins["wf"] == [[0, 2, 3, 5], [1, 4]]  # the 1 goes to the emptier bin (4)
    assert bins["ffd"] == [[1, 4], [0, 2, 3, 5]]
    for packing in bins.values():
        binpacking.check(instance, binpacking.Solution(packing))


def _optimum(weights: list[int], capacity: int) -> int:
    for bins in range(1, len(weights) + 1):
        for assignment in itertools.product(range(bins), repeat=len(weights)):
            loads = np.bincount(assignment, weights=weights, minlength=bins)
            if loads.max() <= capacity:
                return bins
    return len(weights)


@pytest.mark.parametrize("model", ["arcflow", "assignment"])
@given(st.integers(5, 40).flatmap(lambda c: st.tuples(st.just(c), st.lists(st.integers(1, c), min_size=2, max_size=7))))
def test_cpsat_finds_the_brute_force_optimum(model, case):
    capacity, weights = case
    instance = binpacking.Instance("tiny", np.asarray(weights, dtype=np.int64), capacity)
    start = pack_instances([instance], "nf").numpy()[0]  # a weak start, so the solver has work to do
    result = solve_cpsat(instance.weights, capacity, start, 5.0, 1, model)
    binpacking.check(instance, binpacking.Solution.from_assignment(result.assignment))
    assert result.status == "optimal" and result.bins == result.bound == _optimum(weights, capacity)
    assert result.model in (model, "start")


def test_arcflow_graph_reduction_and_size_limit():
    graph = arcflow_graph(np.array([5, 3, 3]), 10)
    item_arcs = sorted(zip(graph.tails[graph.kinds >= 0].tolist(), graph.heads[graph.kinds >= 0].tolist()))
    # weight 5 from load 0; weight 3 from 0 and 5 (after the 5), and from 3 (two 3s); not from 8 (> 10 - 3)
    assert item_arcs == [(0, 3), (0, 5), (3, 6), (5, 8)]
    loss = sorted(graph.tails[graph.kinds < 0].tolist())
    assert loss == [0, 3, 5, 6, 8] and set(graph.heads[graph.kinds < 0].tolist()) == {10}
    assert arcflow_graph(np.arange(1, 200), 100_000, max_arcs=1000) is None


def test_cpsat_method_proves_a_shipped_u120_optimum_and_reports_l2():
    instance = binpacking.read(path_of("binpacking", "Falkenauer_u120_11"))
    result = solve("binpacking", [instance], "cpsat", SETTINGS)[0]
    assert result.status == "optimal" and result.objective == result.best_known == 49 == result.bound
    heuristic = solve("binpacking", [instance], "rule:ffd", SETTINGS)[0]
    assert heuristic.objective == 50 and heuristic.bound == 49
    assert heuristic.status == "heuristic"


def test_cpsat_under_a_short_limit_keeps_a_checked_packing_and_a_bound():
    instance = binpacking.read(path_of("binpacking", "HARD0"))  # capacity 100 000: the assignment model
    result = solve("binpacking", [instance], "cpsat", Settings(time_limit_s=0.5, workers=1, device="cpu"))[0]
    assert result.status in ("feasible", "optimal")
    assert binpacking.l2(instance.weights, instance.capacity) <= result.bound <= result.best_known <= result.objective


def test_rules_batch_over_same_size_instances():
    instances = binpacking.generate("u120", 6, seed=1)
    together = solve("binpacking", instances, "rule:bfd", SETTINGS)
    alone = [solve("binpacking", [i], "rule:bfd", SETTINGS)[0] for i in instances]
    assert [r.objective for r in together] == [r.objective for r in alone]
    assert all(r.bound == binpacking.l2(i.weights, i.capacity) for r, i in zip(together, instances))


@pytest.mark.parametrize("method", ["rule", "rule:ffdx", "rule:ffd:fast", "cpsat:mip", "cpsat:x=1", "greedy"])
def test_bad_method_names(method):
    from cosolve.registry import resolve_method

    with pytest.raises(CosolveInputError):
        resolve_method("binpacking", method)


def test_method_table():
    assert methods.DEFAULT_METHOD == "gnn" and set(methods.METHODS) == {"rule", "cpsat", "gnn"}
    assert methods.METHODS["rule"].batched and methods.METHODS["gnn"].batched and not methods.METHODS["cpsat"].batched
    methods.validate_rule(MethodSpec.parse("rule:wf"))


def test_plot_writes_a_png(tmp_path):
    instance = binpacking.generate("u20", 1, seed=0)[0]
    solution = solve("binpacking", [instance], None, SETTINGS)[0].solution
    binpacking.render(instance, solution, str(tmp_path / "p.png"))
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
